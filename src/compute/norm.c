/* norm.c — see norm.h. */
#include "compute/norm.h"

#include <math.h>
#include <stddef.h>

void layernorm_forward(float *out, const float *x, const float *w, const float *b, int n, int d,
                       double eps)
{
    for (int i = 0; i < n; i++) {
        const float *xi = x + (size_t)i * d; /* [d] */
        float *oi = out + (size_t)i * d;
        double mean = 0.0, var = 0.0;
        for (int j = 0; j < d; j++) mean += xi[j];
        mean /= d;
        for (int j = 0; j < d; j++) var += (xi[j] - mean) * (xi[j] - mean);
        var /= d;
        float inv = (float)(1.0 / sqrt(var + eps));
        for (int j = 0; j < d; j++) {
            float y = (float)(xi[j] - mean) * inv;
            oi[j] = y * (w ? w[j] : 1.0f) + (b ? b[j] : 0.0f);
        }
    }
}

void rmsnorm_forward(float *out, const float *x, const float *w, float offset, int n, int d, int ld,
                     double eps)
{
    for (int i = 0; i < n; i++) {
        const float *xi = x + (size_t)i * (size_t)ld; /* [d] */
        float *oi = out + (size_t)i * (size_t)ld;
        double ms = 0.0;
        for (int j = 0; j < d; j++) ms += (double)xi[j] * xi[j];
        float inv = (float)(1.0 / sqrt(ms / d + eps));
        for (int j = 0; j < d; j++) oi[j] = xi[j] * inv * (w ? offset + w[j] : (offset != 0.0f ? offset : 1.0f));
    }
}
