/* linalg.c — see linalg.h. */
#include "compute/linalg.h"

#include "compute/blas.h"
#include "compute/gemm_fixed.h"
#include "compute/parallel.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

/* Products up to this many multiply-adds run in the fixed-order product
 * (gemm_fixed.h), so that small inputs, the example sentence among them,
 * give the same bytes on every CPU; from PARALLEL_MIN_WORK (parallel.h) on,
 * split by columns across the threads (the same bits: each column is
 * computed alone). */
#define SMALL_PRODUCT (1 << 20)

static int small(int m, int n, int k)
{
    return (double)m * n * k <= SMALL_PRODUCT;
}

/* ---- linear layers ---- */

/* Input rows up to which a linear layer is split by output column (a
 * generation step has 1). */
enum { FEW_ROWS = 8 };

typedef struct {
    float *out;             /* [n, d_out] */
    const float *in;        /* [n, d_in] */
    const attn_linear *lin;
    int n, d_in, d_out;
    int small;              /* the fixed-order product */
    int chunk;              /* columns converted at a time (16-bit weights) */
    atomic_int failed;      /* a conversion buffer could not be allocated */
} linear_job;

/* Rows of out (all columns): float weights, many input rows. */
static void linear_rows(void *ctx, int r0, int r1)
{
    linear_job *j = ctx;
    const attn_linear *l = j->lin;
    float *out = j->out + (size_t)r0 * j->d_out;
    const float *in = j->in + (size_t)r0 * j->d_in;
    int n = r1 - r0;
    blas_sgemm(out, j->d_out, in, j->d_in, l->w, l->ld, !l->in_out, n, j->d_out, j->d_in, 1.0f, l->b);
}

/* out[:, c0..c1) = in · W[c0..c1)ᵀ + b with W's block b, stored [nc, d_in]
 * (bt) or [d_in, nc] with row stride ldb. */
static void block_product(const linear_job *j, int c0, int c1, const float *blk, int ldb, int bt)
{
    const attn_linear *l = j->lin;
    const int nc = c1 - c0;
    float *out = j->out + c0;
    if (j->small) {
        gemm_fixed(out, j->d_out, j->in, j->d_in, blk, ldb, bt, j->n, nc, j->d_in, 1.0f, l->b ? l->b + c0 : NULL);
        return;
    }
    blas_sgemm(out, j->d_out, j->in, j->d_in, blk, ldb, bt, j->n, nc, j->d_in, 1.0f, l->b ? l->b + c0 : NULL);
}

/* Output columns [c0, c1) of a 16-bit weight, few input rows: each
 * output is a dot product of a row of W, converted as it is read, with an
 * input row, summed in 8 lanes (lane k takes the elements k, k + 8, ...)
 * and then in lane order, so the AVX2 and C paths agree to the bit. */
static float dot_half_c(const uint16_t *w, const float *x, int n, half_kind kind)
{
    float lane[8] = {0}, wf[8];
    int p = 0;
    for (; p + 8 <= n; p += 8) {
        half_to_float(wf, w + p, 8, kind);
        for (int k = 0; k < 8; k++) lane[k] += wf[k] * x[p + k];
    }
    float s = 0.0f;
    for (int k = 0; k < 8; k++) s += lane[k];
    for (; p < n; p++) {
        half_to_float(wf, w + p, 1, kind);
        s += wf[0] * x[p];
    }
    return s;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx2,f16c"))) static float dot_half_avx2(const uint16_t *w, const float *x, int n,
                                                                half_kind kind)
{
    __m256 acc = _mm256_setzero_ps();
    int p = 0;
    for (; p + 8 <= n; p += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(const void *)(w + p));
        __m256 wf = kind == HALF_F16 ? _mm256_cvtph_ps(h)
                                     : _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
        acc = _mm256_add_ps(acc, _mm256_mul_ps(wf, _mm256_loadu_ps(x + p)));
    }
    float lane[8], s = 0.0f;
    _mm256_storeu_ps(lane, acc);
    for (int k = 0; k < 8; k++) s += lane[k];
    for (; p < n; p++) {
        float wf;
        half_to_float(&wf, w + p, 1, kind);
        s += wf * x[p];
    }
    return s;
}
#endif

static void dot_cols(const linear_job *j, int c0, int c1)
{
    const attn_linear *l = j->lin;
    const half_kind kind = (half_kind)l->half;
    float (*dot)(const uint16_t *, const float *, int, half_kind) = dot_half_c;
#if defined(__x86_64__) && defined(__GNUC__)
    if (half_have_avx2_f16c()) dot = dot_half_avx2;
#endif
    for (int c = c0; c < c1; c++) {
        const uint16_t *w = (const uint16_t *)(const void *)l->w + (size_t)c * (size_t)l->ld; /* [d_in] */
        for (int i = 0; i < j->n; i++) {
            float s = dot(w, j->in + (size_t)i * j->d_in, j->d_in, kind);
            j->out[(size_t)i * j->d_out + c] = l->b ? l->b[c] + s : s;
        }
    }
}

/* Output columns [c0, c1): float weights by BLAS on those rows of W;
 * 16-bit weights read directly (few rows) or converted a block at a time. */
static void linear_cols(void *ctx, int c0, int c1)
{
    linear_job *j = ctx;
    const attn_linear *l = j->lin;
    if (!l->half) {
        block_product(j, c0, c1, l->in_out ? l->w + c0 : l->w + (size_t)c0 * (size_t)l->ld, l->ld, !l->in_out);
        return;
    }
    if (!j->small && !l->in_out && j->n <= FEW_ROWS) {
        dot_cols(j, c0, c1);
        return;
    }
    int R = j->chunk < c1 - c0 ? j->chunk : c1 - c0;
    float *blk = malloc((size_t)R * (size_t)j->d_in * sizeof *blk); /* [R, d_in] or [d_in, R] */
    if (!blk) {
        atomic_store(&j->failed, 1);
        return;
    }
    const uint16_t *w = (const uint16_t *)(const void *)l->w;
    const half_kind kind = (half_kind)l->half;
    for (int c = c0; c < c1; c += R) {
        const int nc = c1 - c < R ? c1 - c : R;
        if (l->in_out) /* stored [in, out]: a column block of every stored row */
            for (int p = 0; p < j->d_in; p++)
                half_to_float(blk + (size_t)p * (size_t)nc, w + (size_t)p * (size_t)l->ld + (size_t)c, (size_t)nc,
                              kind);
        else
            for (int r = 0; r < nc; r++)
                half_to_float(blk + (size_t)r * (size_t)j->d_in, w + (size_t)(c + r) * (size_t)l->ld,
                              (size_t)j->d_in, kind);
        block_product(j, c, c + nc, blk, l->in_out ? nc : j->d_in, !l->in_out);
    }
    free(blk);
}

/* How a product is split: chunks of output columns (or input rows) that
 * are each one call of the product, whatever the number of threads, so the
 * results do not depend on it. Float weights: FLOAT_CHUNK columns or rows;
 * small products: COL_UNIT columns (gemm_fixed computes each column alone);
 * 16-bit weights: about 4 MiB of converted floats (BLAS packs the input
 * again for every chunk, so a chunk must be large against it), at least 4
 * chunks when the matrix has the columns. */
enum { FLOAT_CHUNK = 128, COL_UNIT = 16 };

/* Floats of 16-bit weights a small product converts at a time: 32 KiB,
 * one heap block that stays in the cache. (A whole FFN matrix of the
 * default model, 256 KiB, was a new mapping of fresh pages each time: the
 * example took 403 page faults, 340 with this, at about 2 us each.) The
 * bits do not change: gemm_fixed computes each column alone. */
enum { SMALL_BLOCK = 8192 };

static int half_chunk(int d_in, int d_out)
{
    int R = (1 << 20) / (d_in > 0 ? d_in : 1);
    R = R < 64 ? 64 : R > 1024 ? 1024 : R;
    const int quarter = ((d_out + 3) / 4 + COL_UNIT - 1) / COL_UNIT * COL_UNIT;
    return R < quarter ? R : quarter < COL_UNIT ? COL_UNIT : quarter;
}

int linear_forward(float *out, const float *in, const attn_linear *lin, int n, int d_in, int d_out)
{
    linear_job job = {.out = out, .in = in, .lin = lin, .n = n, .d_in = d_in, .d_out = d_out,
                      .small = small(n, d_out, d_in)};
    atomic_init(&job.failed, 0);
    job.chunk = lin->half ? half_chunk(d_in, d_out) : d_out;
    if (job.small) { /* 16-bit weights: a block of 32 KiB of floats at a time, reused in the cache */
        job.chunk = (SMALL_BLOCK / (d_in > 0 ? d_in : 1)) / COL_UNIT * COL_UNIT;
        if (job.chunk < COL_UNIT) job.chunk = COL_UNIT;
        if ((double)n * d_out * d_in < PARALLEL_MIN_WORK) linear_cols(&job, 0, d_out);
        else parallel_chunks(d_out, COL_UNIT, 2, linear_cols, &job);
    } else if (lin->half && !lin->in_out && n <= FEW_ROWS) { /* dot products, column by column */
        parallel_rows(d_out, 64, linear_cols, &job);
    } else if (lin->half) {
        parallel_chunks(d_out, job.chunk, 2, linear_cols, &job);
    } else if (n < d_out) { /* each thread packs only its part of W; the input, the smaller, is read by all */
        parallel_chunks(d_out, FLOAT_CHUNK, 2, linear_cols, &job);
    } else { /* by input rows: W is the smaller matrix */
        parallel_chunks(n, FLOAT_CHUNK, 2, linear_rows, &job);
    }
    return atomic_load(&job.failed) ? -1 : 0;
}

static inline float act_one(float v, attn_act act)
{
    switch (act) {
    case ACT_GELU: return 0.5f * v * (1.0f + erff(v * 0.70710678118654752f)); /* v·Φ(v) */
    case ACT_GELU_TANH: /* 0.5·v·(1 + tanh(√(2/π)·(v + 0.044715·v³))): GPT-2's gelu_new */
        return 0.5f * v * (1.0f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    case ACT_RELU: return v > 0.0f ? v : 0.0f;
    case ACT_SILU: return v / (1.0f + expf(-v)); /* v·σ(v), as torch's silu */
    }
    return v;
}

enum { ACT_BLOCK = 4096 }; /* elements per parallel_rows "row" */

typedef struct {
    float *x;
    size_t n;
    attn_act act;
} act_job;

/* Activations from this many elements on compute the erf GELU in AVX2
 * with erf(x) = 1 - (1 + a1·x + … + a6·x⁶)^-16 (Abramowitz and Stegun
 * 7.1.28, |error| <= 3e-7; GELU within 1e-6 of the double formula for
 * |v| <= 8, tests/unit/compute/test_blocks.c) instead of libm's erff,
 * which took 5 % of a BERT-base pass, and GPT-2's tanh GELU with a
 * vectorised exp instead of tanhf (21 % of a GPT-2 pass). Fewer (the example sentence) keep
 * erff, and so their bits. The choice depends on n only, never on threads. */
enum { GELU_FAST_MIN = 1 << 16 };

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static void gelu_avx2(float *x, size_t n)
{
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f), rs2 = _mm256_set1_ps(0.70710678f);
    const __m256 sign = _mm256_set1_ps(-0.0f), lim = _mm256_set1_ps(8.0f);
    const __m256 a1 = _mm256_set1_ps(0.0705230784f), a2 = _mm256_set1_ps(0.0422820123f),
                 a3 = _mm256_set1_ps(0.0092705272f), a4 = _mm256_set1_ps(0.0001520143f),
                 a5 = _mm256_set1_ps(0.0002765672f), a6 = _mm256_set1_ps(0.0000430638f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i), z = _mm256_mul_ps(v, rs2);
        const __m256 s = _mm256_and_ps(z, sign);                  /* erf is odd */
        const __m256 t = _mm256_min_ps(_mm256_andnot_ps(sign, z), lim); /* |z| (a NaN v reaches the result through v) */
        __m256 p = _mm256_add_ps(_mm256_mul_ps(a6, t), a5);
        p = _mm256_add_ps(_mm256_mul_ps(p, t), a4);
        p = _mm256_add_ps(_mm256_mul_ps(p, t), a3);
        p = _mm256_add_ps(_mm256_mul_ps(p, t), a2);
        p = _mm256_add_ps(_mm256_mul_ps(p, t), a1);
        p = _mm256_add_ps(_mm256_mul_ps(p, t), one);
        p = _mm256_mul_ps(p, p), p = _mm256_mul_ps(p, p), p = _mm256_mul_ps(p, p), p = _mm256_mul_ps(p, p);
        const __m256 erf = _mm256_or_ps(s, _mm256_sub_ps(one, _mm256_div_ps(one, p)));
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, erf)));
    }
    for (; i < n; i++) x[i] = act_one(x[i], ACT_GELU);
}

/* exp(x) for x in [-87, 88] (clamped): x = k·ln 2 + r, exp(r) by Cephes's
 * expf polynomial, 2^k in the exponent bits; within 2 ulp. */
__attribute__((target("avx2"))) static __m256 exp_avx2(__m256 x)
{
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    x = _mm256_sub_ps(x, _mm256_mul_ps(k, _mm256_set1_ps(0.693359375f)));
    x = _mm256_sub_ps(x, _mm256_mul_ps(k, _mm256_set1_ps(-2.12194440e-4f)));
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(y, _mm256_mul_ps(x, x)), x), _mm256_set1_ps(1.0f));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

/* GPT-2's gelu_new: 0.5·v·(1 + tanh(u)) = v / (1 + exp(-2u)). */
__attribute__((target("avx2"))) static void gelu_tanh_avx2(float *x, size_t n)
{
    const __m256 c = _mm256_set1_ps(0.79788456080286536f), c3 = _mm256_set1_ps(0.044715f);
    const __m256 m2 = _mm256_set1_ps(-2.0f), one = _mm256_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 u = _mm256_mul_ps(c, _mm256_add_ps(v, _mm256_mul_ps(c3, _mm256_mul_ps(v, _mm256_mul_ps(v, v)))));
        _mm256_storeu_ps(x + i, _mm256_div_ps(v, _mm256_add_ps(one, exp_avx2(_mm256_mul_ps(m2, u)))));
    }
    for (; i < n; i++) x[i] = act_one(x[i], ACT_GELU_TANH);
}
#endif

static void act_rows(void *ctx, int r0, int r1)
{
    const act_job *j = ctx;
    size_t end = (size_t)r1 * ACT_BLOCK < j->n ? (size_t)r1 * ACT_BLOCK : j->n;
    size_t i = (size_t)r0 * ACT_BLOCK;
#if defined(__x86_64__) && defined(__GNUC__)
    static int have_avx2 = -1;
    if (have_avx2 < 0) have_avx2 = __builtin_cpu_supports("avx2");
    if (j->act == ACT_GELU && j->n >= GELU_FAST_MIN && have_avx2) {
        gelu_avx2(j->x + i, end - i);
        return;
    }
    if (j->act == ACT_GELU_TANH && j->n >= GELU_FAST_MIN && have_avx2) {
        gelu_tanh_avx2(j->x + i, end - i);
        return;
    }
#endif
    for (; i < end; i++) j->x[i] = act_one(j->x[i], j->act);
}

void activation_forward(float *x, size_t n, attn_act act)
{
    act_job j = {x, n, act};
    parallel_rows((int)((n + ACT_BLOCK - 1) / ACT_BLOCK), 16, act_rows, &j);
}

typedef struct {
    float *out;
    const float *gate, *up;
    int ld, f;
    attn_act act;
} glu_job;

static void glu_rows(void *ctx, int r0, int r1)
{
    const glu_job *j = ctx;
    for (int i = r0; i < r1; i++) {
        const float *g = j->gate + (size_t)i * j->ld, *u = j->up + (size_t)i * j->ld; /* [f] */
        float *o = j->out + (size_t)i * j->f;
        for (int c = 0; c < j->f; c++) o[c] = act_one(g[c], j->act) * u[c];
    }
}

void glu_forward(float *out, const float *gate, const float *up, int ld_in, int n, int f, attn_act act)
{
    glu_job j = {out, gate, up, ld_in, f, act};
    parallel_rows(n, 16, glu_rows, &j);
}

void matmul_nt(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
               int m, int n, int k, float alpha)
{
    if (small(m, n, k)) {
        gemm_fixed(c, ldc, a, lda, b, ldb, 1, m, n, k, alpha, NULL);
        return;
    }
    blas_sgemm(c, ldc, a, lda, b, ldb, 1, m, n, k, alpha, NULL);
}

void matmul_nn(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
               int m, int n, int k)
{
    if (small(m, n, k)) {
        gemm_fixed(c, ldc, a, lda, b, ldb, 0, m, n, k, 1.0f, NULL);
        return;
    }
    blas_sgemm(c, ldc, a, lda, b, ldb, 0, m, n, k, 1.0f, NULL);
}
