/* Unit tests: the blocks of the decoder families — linear layers with
 * 16-bit weights (every path: the fixed-order product, BLAS on converted
 * blocks, the direct dot product of a few rows, GPT-2's transposed layout),
 * RMSNorm, rotary embeddings, sliding-window and soft-capped scores, the
 * gated MLP's act(gate) ⊙ up, and the greedy loop of generate.h over a
 * made-up model. Expected values come from the formulas in double. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compute/attention.h"
#include "compute/generate.h"
#include "compute/linalg.h"
#include "compute/norm.h"
#include "compute/rope.h"
#include "test.h"

/* x rounded to BF16 (to nearest even) and its 16 bits */
static uint16_t bf16(float x, float *rounded)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16;
    uint32_t back = u << 16;
    memcpy(rounded, &back, 4);
    return (uint16_t)u;
}

static float frand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((float)((*s >> 8) & 0xFFFF) / 65536.0f - 0.5f) * 2.0f;
}

/* out of a linear layer with BF16 weights against the same weights as
 * floats: max |difference| */
static double linear_pair(int n, int d_in, int d_out, int in_out, int bias)
{
    unsigned seed = (unsigned)(n * 131 + d_in * 7 + d_out);
    size_t nw = (size_t)d_in * (size_t)d_out;
    float *wf = malloc(nw * sizeof *wf), *x = malloc((size_t)n * d_in * sizeof *x), *b = malloc((size_t)d_out * 4);
    uint16_t *wh = malloc(nw * sizeof *wh);
    float *o1 = malloc((size_t)n * d_out * 4), *o2 = malloc((size_t)n * d_out * 4);
    for (size_t i = 0; i < nw; i++) wh[i] = bf16(frand(&seed), &wf[i]);
    for (int i = 0; i < n * d_in; i++) x[i] = frand(&seed);
    for (int i = 0; i < d_out; i++) b[i] = frand(&seed);
    int ld = in_out ? d_out : d_in;
    attn_linear lf = {.w = wf, .b = bias ? b : NULL, .ld = ld, .in_out = in_out};
    attn_linear lh = {.w = (const float *)(const void *)wh, .b = bias ? b : NULL, .ld = ld, .in_out = in_out,
                      .half = HALF_BF16};
    int rc = linear_forward(o1, x, &lf, n, d_in, d_out) | linear_forward(o2, x, &lh, n, d_in, d_out);
    double md = rc ? INFINITY : 0.0;
    for (int i = 0; i < n * d_out; i++) md = fmax(md, fabs((double)o1[i] - o2[i]));
    free(wf), free(x), free(b), free(wh), free(o1), free(o2);
    return md;
}

static int fake_step(void *ctx, const int *ids, int n, float *logits, attn_error *err)
{
    (void)err;
    int *calls = ctx;
    (*calls)++;
    for (int i = 0; i < 10; i++) logits[i] = 0.0f;
    logits[(ids[n - 1] + 3) % 10] = 1.0f; /* the next token: last + 3 */
    return 0;
}

int main(void)
{
    {   /* erf GELU: the vectorised path of large inputs within 1e-6 of the double formula,
         * small inputs exactly 0.5·v·(1 + erff(v/√2)) as before */
        enum { N = 1 << 16 };
        float *x = malloc(N * sizeof *x), small[64];
        double md = 0.0;
        for (int i = 0; i < N; i++) x[i] = -8.0f + 16.0f * (float)i / N;
        activation_forward(x, N, ACT_GELU);
        for (int i = 0; i < N; i++) {
            double v = -8.0 + 16.0 * (float)i / N;
            md = fmax(md, fabs(x[i] - 0.5 * v * (1.0 + erf(v / sqrt(2.0)))));
        }
        CHECK("gelu-large-near-double", md <= 1e-6);
        for (int i = 0; i < N; i++) x[i] = -8.0f + 16.0f * (float)i / N;
        activation_forward(x, N, ACT_GELU_TANH);
        md = 0.0;
        for (int i = 0; i < N; i++) {
            double v = -8.0 + 16.0 * (float)i / N;
            double g = 0.5 * v * (1.0 + tanh(sqrt(2.0 / 3.14159265358979323846) * (v + 0.044715 * v * v * v)));
            md = fmax(md, fabs(x[i] - g) / fmax(1.0, fabs(v)));
        }
        CHECK("gelu-tanh-large-near-double", md <= 1e-6);
        int same = 1;
        for (int i = 0; i < 64; i++) small[i] = -4.0f + i / 8.0f;
        activation_forward(small, 64, ACT_GELU);
        for (int i = 0; i < 64; i++) {
            float v = -4.0f + i / 8.0f;
            same &= small[i] == 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
        }
        CHECK("gelu-small-libm-bits", same);
        free(x);
    }
    /* 16-bit weights: the small product is the fixed-order C loop on both, so
     * the bits agree; BLAS paths agree to float rounding */
    CHECK("bf16-small-exact", linear_pair(3, 16, 24, 0, 1) == 0.0);
    CHECK("bf16-small-in_out-exact", linear_pair(3, 16, 24, 1, 1) == 0.0);
    CHECK("bf16-blas-blocks", linear_pair(40, 256, 300, 0, 1) < 1e-4);
    CHECK("bf16-blas-in_out", linear_pair(40, 256, 300, 1, 0) < 1e-4);
    CHECK("bf16-dot-few-rows", linear_pair(2, 1000, 1200, 0, 1) < 1e-4);
    CHECK("bf16-dot-one-row", linear_pair(1, 2048, 700, 0, 0) < 1e-4);

    /* F16 through the same paths */
    {
        const int n = 2, d_in = 600, d_out = 1000;
        uint16_t *wh = malloc((size_t)d_in * d_out * 2);
        float *wf = malloc((size_t)d_in * d_out * 4), x[2 * 600], o1[2 * 1000], o2[2 * 1000];
        unsigned seed = 5;
        for (int i = 0; i < d_in * d_out; i++) { /* halves with 10-bit mantissas: exact in F16 */
            float v = (float)((int)(frand(&seed) * 1024)) / 1024.0f;
            wf[i] = v;
            uint32_t u;
            memcpy(&u, &v, 4);
            int e = (int)((u >> 23) & 0xFF) - 127 + 15;
            wh[i] = v == 0.0f ? 0 : (uint16_t)((u >> 16 & 0x8000) | (uint32_t)e << 10 | ((u >> 13) & 0x3FF));
        }
        for (int i = 0; i < n * d_in; i++) x[i] = frand(&seed);
        attn_linear lf = {.w = wf, .ld = d_in}, lh = {.w = (const float *)(const void *)wh, .ld = d_in, .half = HALF_F16};
        linear_forward(o1, x, &lf, n, d_in, d_out);
        linear_forward(o2, x, &lh, n, d_in, d_out);
        double md = 0.0;
        for (int i = 0; i < n * d_out; i++) md = fmax(md, fabs((double)o1[i] - o2[i]));
        CHECK("f16-dot-few-rows", md < 1e-4);
        free(wh), free(wf);
    }

    /* RMSNorm: x / rms(x) · (offset + w) */
    {
        float x[4] = {1, -2, 3, -4}, w[4] = {0.5f, 1, 2, -1}, out[4];
        double rms = sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-6);
        rmsnorm_forward(out, x, w, 0.0f, 1, 4, 4, 1e-6);
        CHECK_NEAR("rmsnorm-llama", out[2], 3 / rms * 2, 1e-6);
        rmsnorm_forward(out, x, w, 1.0f, 1, 4, 4, 1e-6);
        CHECK_NEAR("rmsnorm-gemma-1+w", out[3], -4 / rms * 0.0, 1e-6);
        CHECK_NEAR("rmsnorm-gemma-1+w-2", out[0], 1 / rms * 1.5, 1e-6);
        float two[8] = {1, 1, 1, 1, 0, 0, 3, 4}; /* two vectors 4 apart, 2 components each */
        rmsnorm_forward(two, two, NULL, 0.0f, 4, 2, 2, 0.0);
        CHECK_NEAR("rmsnorm-strided", two[7], 4 / sqrt(12.5), 1e-6);
    }

    /* rotary: default frequencies, linear scaling, llama3's bands, rotation */
    {
        attn_rope r = {.kind = ROPE_DEFAULT, .theta = 10000.0, .dim = 8};
        float inv[4], scale, cs[2 * 8];
        rope_inv_freq(inv, &scale, &r, 10);
        CHECK_NEAR("rope-default-0", inv[0], 1.0, 1e-7);
        CHECK_NEAR("rope-default-2", inv[2], pow(10000.0, -0.5), 1e-7);
        CHECK("rope-scale-1", scale == 1.0f);
        r.kind = ROPE_LINEAR;
        r.factor = 4.0;
        float lin[4];
        rope_inv_freq(lin, &scale, &r, 10);
        CHECK_NEAR("rope-linear", lin[3], inv[3] / 4, 1e-9);
        r = (attn_rope){.kind = ROPE_LLAMA3, .theta = 500000.0, .dim = 64, .factor = 8, .low_freq_factor = 1,
                        .high_freq_factor = 4, .original_max = 8192};
        float l3[32], d3[32];
        rope_inv_freq(l3, &scale, &r, 10);
        r.kind = ROPE_DEFAULT;
        rope_inv_freq(d3, &scale, &r, 10);
        CHECK("rope-llama3-high-kept", l3[0] == d3[0]);
        CHECK_NEAR("rope-llama3-low-divided", l3[31], d3[31] / 8, 1e-12);
        /* rotation at position 1 keeps the norm of each pair; position 0 is identity */
        r = (attn_rope){.kind = ROPE_DEFAULT, .theta = 10000.0, .dim = 4};
        rope_inv_freq(inv, &scale, &r, 2);
        rope_table(cs, inv, scale, 4, 0, 2);
        float v[2][6] = {{1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6}}; /* dim 4 of 6: partial rotary */
        rope_apply(&v[0][0], 6, 2, 1, 6, cs, 4);
        CHECK("rope-pos0-identity", v[0][0] == 1 && v[0][2] == 3 && v[0][3] == 4);
        CHECK_NEAR("rope-pos1-pair-norm", hypot(v[1][0], v[1][2]), hypot(1, 3), 1e-6);
        CHECK_NEAR("rope-pos1-x0", v[1][0], cos(1.0) * 1 - sin(1.0) * 3, 1e-6);
        CHECK("rope-partial-untouched", v[1][4] == 5 && v[1][5] == 6);
    }

    /* sliding window: the query at position 4 with window 2 sees keys 3, 4 */
    {
        float s[6] = {1, 2, 3, 4, 5, 6};
        softmax_masked_forward(s, 1, 6, 4, 1, 2);
        CHECK("window-masked-exact", s[0] == 0 && s[1] == 0 && s[2] == 0 && s[5] == 0);
        CHECK_NEAR("window-softmax", s[4], 1 / (1 + exp(-1.0)), 1e-7);
        /* soft-capping bounds the scores: cap 1 on q·k of 100 and 0 */
        float q[2] = {10, 0}, k[4] = {10, 0, 0, 1}, att[2];
        attn_score_opts o = {.scale = 1.0f, .softcap = 1.0f};
        attention_scores_forward(att, q, 2, k, 2, 1, 2, 2, &o);
        CHECK_NEAR("softcap", att[0], 1 / (1 + exp(-tanh(100.0))), 1e-6);
    }

    /* act(gate) ⊙ up, SiLU */
    {
        float gu[4] = {1, -2, 3, 0.5f}, out[2]; /* one row: gate [1, -2], up [3, 0.5] */
        glu_forward(out, gu, gu + 2, 4, 1, 2, ACT_SILU);
        CHECK_NEAR("glu-silu", out[1], -2 / (1 + exp(2.0)) * 0.5, 1e-6);
    }

    /* greedy: argmax takes the first of equal values, an eos id stops */
    {
        float t[5] = {1, 3, NAN, 3, 2};
        CHECK("argmax-first", argmax_first(t, 5) == 1);
        float nan_first[3] = {NAN, -1, -2};
        CHECK("argmax-skips-nan", argmax_first(nan_first, 3) == 1);
        int calls = 0, out[8], n = 0, prompt[2] = {4, 5}, eos = 4;
        attn_lm lm = {&calls, 10, fake_step};
        attn_error err = {0};
        CHECK("greedy-runs", generate_greedy(&lm, prompt, 2, 8, NULL, 0, out, &n, &err) == 0);
        CHECK("greedy-ids", n == 8 && out[0] == 8 && out[1] == 1 && out[7] == 9);
        CHECK("greedy-calls", calls == 8);
        calls = 0;
        generate_greedy(&lm, prompt, 2, 8, &eos, 1, out, &n, &err);
        CHECK("greedy-eos-stops-after-it", n == 3 && out[2] == 4 && calls == 3);
    }
    return test_done();
}
