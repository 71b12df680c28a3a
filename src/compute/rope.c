/* rope.c — see rope.h. The arithmetic follows modeling_rope_utils.py's
 * float32 tensors operation by operation (Python scalars enter as floats),
 * so that attnviz rotates by the angles transformers uses. */
#include "compute/rope.h"

#include <math.h>

#define ROPE_PI 3.14159265358979323846

/* base^(2i/dim) for i < dim/2, as base ** (arange(0, dim, 2).float() / dim) */
static float pos_freq(double base, int i, int dim)
{
    return powf((float)base, (float)(2 * i) / (float)dim);
}

static void default_freqs(float *inv, double base, int dim)
{
    for (int i = 0; i < dim / 2; i++) inv[i] = 1.0f / pos_freq(base, i, dim);
}

/* yarn's find_correction_dim */
static double correction_dim(double rotations, int dim, double base, int max_pos)
{
    return (dim * log(max_pos / (rotations * 2 * ROPE_PI))) / (2 * log(base));
}

static void yarn_freqs(float *inv, const attn_rope *r)
{
    const int dim = r->dim, half = dim / 2, orig = r->original_max > 0 ? r->original_max : r->max_pos;
    double low = correction_dim(r->beta_fast, dim, r->theta, orig);
    double high = correction_dim(r->beta_slow, dim, r->theta, orig);
    if (r->truncate) {
        low = floor(low);
        high = ceil(high);
    }
    low = low > 0 ? low : 0;
    high = high < dim - 1 ? high : dim - 1;
    if (low == high) high += 0.001; /* linear_ramp_factor's guard */
    for (int i = 0; i < half; i++) {
        float pf = pos_freq(r->theta, i, dim);
        float extra = 1.0f / pf, inter = 1.0f / ((float)r->factor * pf);
        float ramp = ((float)i - (float)low) / (float)(high - low);
        ramp = ramp < 0.0f ? 0.0f : ramp > 1.0f ? 1.0f : ramp;
        float ef = 1.0f - ramp; /* inv_freq_extrapolation_factor */
        inv[i] = inter * (1.0f - ef) + extra * ef;
    }
}

static void llama3_freqs(float *inv, const attn_rope *r)
{
    const float factor = (float)r->factor, lff = (float)r->low_freq_factor, hff = (float)r->high_freq_factor;
    const float old = (float)r->original_max;
    const float low_wl = (float)(r->original_max / r->low_freq_factor);
    const float high_wl = (float)(r->original_max / r->high_freq_factor);
    default_freqs(inv, r->theta, r->dim);
    for (int i = 0; i < r->dim / 2; i++) {
        float wl = (float)(2 * ROPE_PI) / inv[i];
        float f = wl > low_wl ? inv[i] / factor : inv[i];
        if (!(wl < high_wl) && !(wl > low_wl)) {
            float smooth = (old / wl - lff) / (hff - lff);
            f = (1.0f - smooth) * f / factor + smooth * f;
        }
        inv[i] = f;
    }
}

void rope_inv_freq(float *inv, float *scale, const attn_rope *r, int seq_len)
{
    *scale = r->attention_factor > 0.0 ? (float)r->attention_factor : 1.0f;
    switch (r->kind) {
    case ROPE_DEFAULT: default_freqs(inv, r->theta, r->dim); break;
    case ROPE_LINEAR:
        default_freqs(inv, r->theta, r->dim);
        for (int i = 0; i < r->dim / 2; i++) inv[i] /= (float)r->factor;
        break;
    case ROPE_DYNAMIC: {
        double seq = seq_len > r->max_pos ? seq_len : r->max_pos;
        double base = r->theta * pow(r->factor * seq / r->max_pos - (r->factor - 1), (double)r->dim / (r->dim - 2));
        default_freqs(inv, base, r->dim);
        break;
    }
    case ROPE_YARN: yarn_freqs(inv, r); break;
    case ROPE_LLAMA3: llama3_freqs(inv, r); break;
    case ROPE_LONGROPE: {
        const float *ext = seq_len > r->original_max ? r->long_factor : r->short_factor;
        for (int i = 0; i < r->dim / 2; i++) inv[i] = 1.0f / (ext[i] * pos_freq(r->theta, i, r->dim));
        break;
    }
    }
}

void rope_table(float *cs, const float *inv_freq, float scale, int dim, int pos0, int n)
{
    const int half = dim / 2;
    for (int p = 0; p < n; p++) {
        float *c = cs + (size_t)p * (size_t)dim, *s = c + half; /* [half] each */
        for (int i = 0; i < half; i++) {
            float angle = (float)(pos0 + p) * inv_freq[i];
            c[i] = cosf(angle) * scale;
            s[i] = sinf(angle) * scale;
        }
    }
}

void rope_apply(float *x, int ld, int n, int n_vec, int step, const float *cs, int dim)
{
    const int half = dim / 2;
    for (int p = 0; p < n; p++) {
        const float *c = cs + (size_t)p * (size_t)dim, *s = c + half;
        for (int v = 0; v < n_vec; v++) {
            float *a = x + (size_t)p * (size_t)ld + (size_t)v * (size_t)step, *b = a + half;
            for (int i = 0; i < half; i++) {
                float x1 = a[i], x2 = b[i];
                a[i] = x1 * c[i] - x2 * s[i];
                b[i] = x2 * c[i] + x1 * s[i];
            }
        }
    }
}
