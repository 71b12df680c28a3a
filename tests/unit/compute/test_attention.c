/* Unit tests: softmax and one attention head against values worked out
 * from the formulas in double precision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/attention.h"
#include "test.h"

/* attention_heads_forward against each head alone (attention_scores_forward,
 * attention_values_forward), bit for bit: n query rows around and past the
 * 64-row units, the fixed-order product and BLAS, shared keys and values
 * (grouped heads), the causal mask with a window, a bias, and a batch
 * without values, whose output columns stay untouched. */
static void check_batches(void)
{
    static const int sizes[][3] = {{1, 1, 8}, {63, 63, 16}, {150, 150, 40}, {300, 300, 64}}; /* n, n_k, d_head */
    enum { H = 3, GROUP = 2 }; /* heads 0, 1 share keys and values; head 2 has its own */
    int same = 1, untouched = 1;
    unsigned seed = 11;
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        const int n = sizes[t][0], nk = sizes[t][1], dh = sizes[t][2], qw = H * dh, kw = 2 * dh;
        float *q = malloc(sizeof(float) * (size_t)n * qw);          /* [n, qw] */
        float *kv = malloc(sizeof(float) * (size_t)nk * kw * 2);    /* [2][nk, kw] keys, values */
        float *bias = malloc(sizeof(float) * (size_t)H * n * nk);   /* [H][n, nk] */
        float *att1 = malloc(sizeof(float) * (size_t)H * n * nk);   /* [H][n, nk] one head at a time */
        float *attb = malloc(sizeof(float) * (size_t)H * n * nk);   /* [H][n, nk] the batch */
        float *ctx1 = malloc(sizeof(float) * (size_t)n * qw), *ctxb = malloc(sizeof(float) * (size_t)n * qw);
        for (size_t i = 0; i < (size_t)n * qw; i++) q[i] = (float)((seed = seed * 1103515245u + 12345u) >> 16) / 9000.0f - 3.0f;
        for (size_t i = 0; i < (size_t)nk * kw * 2; i++) kv[i] = (float)((seed = seed * 1103515245u + 12345u) >> 16) / 9000.0f - 3.0f;
        for (size_t i = 0; i < (size_t)H * n * nk; i++) bias[i] = (float)((seed = seed * 1103515245u + 12345u) >> 20) / 4000.0f;
        for (int variant = 0; variant < 2; variant++) { /* 0: plain; 1: causal, window 40, bias, no values */
            attn_score_opts o = {.scale = 0.125f, .causal = variant, .window = variant ? 40 : 0,
                                 .q_pos0 = nk - n};
            attn_head_io io[H];
            memset(ctx1, 0, sizeof(float) * (size_t)n * qw);
            memset(ctxb, 0, sizeof(float) * (size_t)n * qw);
            for (int h = 0; h < H; h++) {
                const float *k = kv + (h / GROUP) * dh, *v = kv + (size_t)nk * kw + (h / GROUP) * dh;
                const size_t nn = (size_t)n * nk;
                o.bias = variant ? bias + h * nn : NULL;
                attention_scores_forward(att1 + h * nn, q + h * dh, qw, k, kw, n, nk, dh, &o);
                if (!variant) attention_values_forward(ctx1 + h * dh, qw, att1 + h * nn, v, kw, n, nk, dh);
                io[h] = (attn_head_io){.att = attb + h * nn, .q = q + h * dh, .k = k, .v = v,
                                       .out = variant ? NULL : ctxb + h * dh, .bias = o.bias};
            }
            o.bias = NULL;
            attention_heads_forward(io, H, qw, kw, kw, qw, n, nk, dh, &o);
            same &= memcmp(att1, attb, sizeof(float) * (size_t)H * n * nk) == 0 &&
                    memcmp(ctx1, ctxb, sizeof(float) * (size_t)n * qw) == 0;
            if (variant)
                for (size_t i = 0; i < (size_t)n * qw; i++) untouched &= ctxb[i] == 0.0f;
        }
        free(q), free(kv), free(bias), free(att1), free(attb), free(ctx1), free(ctxb);
    }
    CHECK("heads-batch-bit-identical-to-each-head", same);
    CHECK("heads-batch-without-values-writes-no-output", untouched);
    CHECK("batch-heads-all-of-a-short-layer", attention_batch_heads(12, 128, 128) == 12);
    CHECK("batch-heads-capped-by-heads", attention_batch_heads(1, 128, 128) == 1);
    CHECK("batch-heads-4-MiB", attention_batch_heads(12, 512, 512) == 4);
    CHECK("batch-heads-one-per-thread", attention_batch_heads(12, 2048, 2048) == 2);
    CHECK("batch-heads-one-when-long", attention_batch_heads(12, 4096, 4096) == 1);
    CHECK("batch-heads-at-most-64", attention_batch_heads(100, 1, 100) == 64);
}

int main(void)
{
    setenv("ATTNVIZ_THREADS", "2", 1); /* two threads even on one core: the batch's units are shared */
    /* softmax([1, 2, 3]) = e^i / (e + e^2 + e^3) */
    float x[3] = {1, 2, 3};
    softmax_forward(x, 1, 3, 0, 0);
    double z = exp(1) + exp(2) + exp(3);
    CHECK_NEAR("softmax-123-0", x[0], exp(1) / z, 1e-7);
    CHECK_NEAR("softmax-123-1", x[1], exp(2) / z, 1e-7);
    CHECK_NEAR("softmax-123-2", x[2], exp(3) / z, 1e-7);

    /* stability: huge scores do not overflow */
    float big[3] = {1000.0f, 1001.0f, -1000.0f};
    softmax_forward(big, 1, 3, 0, 0);
    CHECK("softmax-large-finite", isfinite(big[0]) && isfinite(big[1]) && isfinite(big[2]));
    CHECK_NEAR("softmax-large-0", big[0], 1.0 / (1.0 + exp(1.0)), 1e-7);
    CHECK_NEAR("softmax-large-2", big[2], 0.0, 1e-30);

    /* causal mask: row i keeps columns 0..i, the rest exactly 0 */
    float m[9] = {5, 1, 2, 3, 4, 9, 0, 0, 0};
    softmax_forward(m, 3, 3, 1, 0);
    CHECK("causal-row0", m[0] == 1.0f && m[1] == 0.0f && m[2] == 0.0f);
    CHECK_NEAR("causal-row1", m[3], 1.0 / (1.0 + exp(1.0)), 1e-7);
    CHECK("causal-row1-masked", m[5] == 0.0f);
    CHECK_NEAR("causal-row2-uniform", m[6], 1.0 / 3.0, 1e-7);
    /* row0 offsets the mask for blocks of rows */
    float blk[3] = {0, 0, 7};
    softmax_forward(blk, 1, 3, 1, 1);
    CHECK("causal-row0-offset", blk[2] == 0.0f && fabsf(blk[0] - 0.5f) < 1e-7f);

    /* random rows sum to 1 */
    int ok = 1;
    srand(7);
    float r[64 * 50];
    for (int i = 0; i < 64 * 50; i++) r[i] = (float)(rand() % 2000 - 1000) / 37.0f;
    softmax_forward(r, 64, 50, 0, 0);
    for (int i = 0; i < 64; i++) {
        double s = 0;
        for (int j = 0; j < 50; j++) s += r[i * 50 + j];
        ok &= fabs(s - 1.0) < 1e-6;
    }
    CHECK("softmax-rows-sum-to-1", ok);

    /* the AVX-512, AVX2 and plain C softmax paths give the same bits (row
     * lengths around the 8- and 16-lane blocks, causal and not) */
    int same = 1;
    for (int cols = 1; cols <= 70 && same; cols++) {
        float a[3][4 * 70];
        for (int i = 0; i < 4 * cols; i++) a[0][i] = a[1][i] = a[2][i] = (float)(rand() % 4000 - 2000) / 97.0f;
        for (int level = 0; level < 3; level++) {
            softmax_use_simd(level);
            softmax_forward(a[level], 4, cols, cols % 2, 1);
        }
        softmax_use_simd(2);
        same = memcmp(a[0], a[1], (size_t)(4 * cols) * sizeof(float)) == 0 &&
               memcmp(a[0], a[2], (size_t)(4 * cols) * sizeof(float)) == 0;
    }
    CHECK("simd-and-c-paths-bit-identical", same);

    /* exp accuracy: softmax of [0, -x] against the formula for many x */
    double worst = 0;
    for (int i = 0; i <= 2000; i++) {
        float pair[2] = {0.0f, -(float)i / 25.0f};
        double x = pair[1]; /* the float's exact value */
        softmax_forward(pair, 1, 2, 0, 0);
        double want = exp(x) / (1.0 + exp(x));
        double rel = want > 1e-30 ? fabs(pair[1] - want) / want : fabs(pair[1] - want);
        worst = rel > worst ? rel : worst;
    }
    CHECK_NEAR("exp-relative-error", worst, 0.0, 5e-7);

    /* one head: q = [[1,0],[0,1]], k = [[1,0],[0,2],[1,1]], scale 1/sqrt(2),
     * read as the first 2 columns of [n, 3] matrices (strided, as heads are) */
    float q[2 * 3] = {1, 0, 99, 0, 1, 99};
    float k[3 * 3] = {1, 0, 99, 0, 2, 99, 1, 1, 99};
    float att[2 * 3];
    float s = 1.0f / sqrtf(2.0f);
    attention_head_forward(att, q, 3, k, 3, 2, 3, 2, s, 0);
    double a = 1 / sqrt(2.0);
    double z0 = exp(a) + exp(0) + exp(a), z1 = exp(0) + exp(2 * a) + exp(a);
    CHECK_NEAR("head-q0-k0", att[0], exp(a) / z0, 1e-7);
    CHECK_NEAR("head-q0-k1", att[1], 1 / z0, 1e-7);
    CHECK_NEAR("head-q1-k1", att[4], exp(2 * a) / z1, 1e-7);
    CHECK_NEAR("head-q1-k2", att[5], exp(a) / z1, 1e-7);

    /* weighted sum of values: v = [[1,2],[3,4],[5,6]] (stride 2) */
    float v[6] = {1, 2, 3, 4, 5, 6}, out[2 * 4];
    attention_values_forward(out, 4, att, v, 2, 2, 3, 2);
    CHECK_NEAR("values-q0-c0", out[0], att[0] * 1 + att[1] * 3 + att[2] * 5, 1e-6);
    CHECK_NEAR("values-q1-c1", out[5], att[3] * 2 + att[4] * 4 + att[5] * 6, 1e-6);

    check_batches();
    return test_done();
}
