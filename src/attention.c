/* attention.c — see attention.h. */
#include "attention.h"

#include <math.h>
#include <stddef.h>

#include "linalg.h"

void softmax_forward(float *x, int rows, int cols, int causal, int row0)
{
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * (size_t)cols; /* [cols] */
        int n = cols;
        if (causal) {
            long lim = (long)row0 + r + 1;
            n = lim < cols ? (int)lim : cols;
        }
        float max = -INFINITY;
        for (int j = 0; j < n; j++) max = row[j] > max ? row[j] : max;
        float sum = 0.0f;
        for (int j = 0; j < n; j++) {
            row[j] = expf(row[j] - max);
            sum += row[j];
        }
        float inv = n > 0 ? 1.0f / sum : 0.0f;
        for (int j = 0; j < n; j++) row[j] *= inv;
        for (int j = n; j < cols; j++) row[j] = 0.0f;
    }
}

void attention_head_forward(float *att, const float *q, int ld_q, const float *k,
                            int ld_k, int n_q, int n_k, int d_head, float scale,
                            int causal)
{
    matmul_nt(att, n_k, q, ld_q, k, ld_k, n_q, n_k, d_head, scale);
    softmax_forward(att, n_q, n_k, causal, 0);
}

void attention_values_forward(float *out_h, int ld_out, const float *att,
                              const float *v, int ld_v, int n_q, int n_k, int d_head)
{
    matmul_nn(out_h, ld_out, att, n_k, v, ld_v, n_q, d_head, n_k);
}

void attention_additive_forward(float *att, const float *q, int ld_q, const float *k, int ld_k,
                                const float *wq_h, const float *wk_h, const float *v_h,
                                int n_q, int n_k, int d_head, int causal, float *scratch)
{
    float *a = scratch;                         /* [n_q, d_head] Wq_h·q_i */
    float *b = scratch + (size_t)n_q * d_head;  /* [n_k, d_head] Wk_h·k_j */
    matmul_nt(a, d_head, q, ld_q, wq_h, d_head, n_q, d_head, d_head, 1.0f);
    matmul_nt(b, d_head, k, ld_k, wk_h, d_head, n_k, d_head, d_head, 1.0f);
    for (int i = 0; i < n_q; i++) {
        const float *ai = a + (size_t)i * d_head;
        for (int j = 0; j < n_k; j++) {
            const float *bj = b + (size_t)j * d_head;
            float s = 0.0f;
            for (int c = 0; c < d_head; c++) s += v_h[c] * tanhf(ai[c] + bj[c]);
            att[(size_t)i * n_k + j] = s;
        }
    }
    softmax_forward(att, n_q, n_k, causal, 0);
}

void layernorm_forward(float *out, const float *x, const float *w, const float *b, int n, int d)
{
    for (int i = 0; i < n; i++) {
        const float *xi = x + (size_t)i * d; /* [d] */
        float *oi = out + (size_t)i * d;
        double mean = 0.0, var = 0.0;
        for (int j = 0; j < d; j++) mean += xi[j];
        mean /= d;
        for (int j = 0; j < d; j++) var += (xi[j] - mean) * (xi[j] - mean);
        var /= d;
        float inv = (float)(1.0 / sqrt(var + 1e-5));
        for (int j = 0; j < d; j++) {
            float y = (float)(xi[j] - mean) * inv;
            oi[j] = y * (w ? w[j] : 1.0f) + (b ? b[j] : 0.0f);
        }
    }
}
