/* linalg.c — see linalg.h. */
#include "compute/linalg.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Products up to this many multiply-adds run in plain C with a fixed
 * summation order (ISO C mode keeps the compiler from fusing multiply-adds),
 * so that small inputs, the example sentence among them, give the same bytes
 * on every CPU; OpenBLAS picks its kernel by CPU and rounds differently. */
#define SMALL_PRODUCT (1 << 20)

static int small(int m, int n, int k)
{
    return (double)m * n * k <= SMALL_PRODUCT;
}

/* y[n] += x · b[n]: the inner step of gemm_c. A multiply, then an add,
 * per element (no fused multiply-add: ISO C mode does not contract, and the
 * AVX2 path uses separate instructions), so both paths give the same bits. */
static void axpy_c(float *restrict y, float x, const float *restrict b, int n)
{
    for (int j = 0; j < n; j++) y[j] += x * b[j];
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx2"))) static void axpy_avx2(float *restrict y, float x, const float *restrict b, int n)
{
    const __m256 vx = _mm256_set1_ps(x);
    int j = 0;
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(y + j, _mm256_add_ps(_mm256_loadu_ps(y + j), _mm256_mul_ps(vx, _mm256_loadu_ps(b + j))));
    for (; j < n; j++) y[j] += x * b[j];
}

static void axpy(float *restrict y, float x, const float *restrict b, int n)
{
    static int have_avx2 = -1;
    if (have_avx2 < 0) have_avx2 = __builtin_cpu_supports("avx2");
    if (have_avx2) axpy_avx2(y, x, b, n);
    else axpy_c(y, x, b, n);
}
#else
#define axpy axpy_c
#endif

/* c[i, j] = alpha · Σ_p a[i, p] · b(p, j) (+ bias[j]), b(p, j) = b[j, p] when
 * bt, else b[p, j]; p in increasing order, each sum starting from 0 in
 * c[i, j] itself. Blocked so the compiler can vectorise across j: for a
 * block of JB columns, PB rows of b at a time (copied transposed into blk
 * when bt) are added into every row of c. Each c[i, j] sees exactly the
 * operations of the plain triple loop, in the same order, so the bits do
 * not depend on the blocking or on the vector width. */
enum { GEMM_JB = 128, GEMM_PB = 64 };

static void gemm_c(float *c, int ldc, const float *a, int lda, const float *b, int ldb, int bt,
                   int m, int n, int k, float alpha, const float *bias)
{
    float blk[GEMM_PB * GEMM_JB]; /* [pn, jn] rows p0.. of b's columns j0.. */
    for (int j0 = 0; j0 < n; j0 += GEMM_JB) {
        const int jn = n - j0 < GEMM_JB ? n - j0 : GEMM_JB;
        for (int i = 0; i < m; i++) memset(c + (size_t)i * (size_t)ldc + (size_t)j0, 0, (size_t)jn * sizeof *c);
        for (int p0 = 0; p0 < k; p0 += GEMM_PB) {
            const int pn = k - p0 < GEMM_PB ? k - p0 : GEMM_PB;
            const float *B = b + (size_t)p0 * (size_t)ldb + (size_t)j0; /* b[p0.., j0..] */
            size_t ldB = (size_t)ldb;
            if (bt) {
                const float *src = b + (size_t)j0 * (size_t)ldb + (size_t)p0; /* b[j0.., p0..] */
                for (int jj = 0; jj < jn; jj++)
                    for (int pp = 0; pp < pn; pp++) blk[pp * jn + jj] = src[(size_t)jj * (size_t)ldb + (size_t)pp];
                B = blk;
                ldB = (size_t)jn;
            }
            for (int i = 0; i < m; i++) {
                float *ci = c + (size_t)i * (size_t)ldc + (size_t)j0;     /* [jn] */
                const float *ai = a + (size_t)i * (size_t)lda + (size_t)p0; /* [pn] */
                for (int pp = 0; pp < pn; pp++) axpy(ci, ai[pp], B + (size_t)pp * ldB, jn);
            }
        }
        for (int i = 0; i < m; i++) {
            float *ci = c + (size_t)i * (size_t)ldc + (size_t)j0;
            for (int jj = 0; jj < jn; jj++) {
                float s = ci[jj] * alpha;
                ci[jj] = bias ? bias[j0 + jj] + s : s;
            }
        }
    }
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
    int small;              /* the fixed-order C product */
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
    if (l->b)
        for (int i = 0; i < n; i++) memcpy(out + (size_t)i * j->d_out, l->b, (size_t)j->d_out * sizeof *out);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, l->in_out ? CblasNoTrans : CblasTrans, n, j->d_out, j->d_in,
                1.0f, in, j->d_in, l->w, l->ld, l->b ? 1.0f : 0.0f, out, j->d_out);
}

/* out[:, c0..c1) = in · W[c0..c1)ᵀ + b with W's block b, stored [nc, d_in]
 * (bt) or [d_in, nc] with row stride ldb. */
static void block_product(const linear_job *j, int c0, int c1, const float *blk, int ldb, int bt)
{
    const attn_linear *l = j->lin;
    const int nc = c1 - c0;
    float *out = j->out + c0;
    if (j->small) {
        gemm_c(out, j->d_out, j->in, j->d_in, blk, ldb, bt, j->n, nc, j->d_in, 1.0f, l->b ? l->b + c0 : NULL);
        return;
    }
    if (l->b)
        for (int i = 0; i < j->n; i++) memcpy(out + (size_t)i * j->d_out, l->b + c0, (size_t)nc * sizeof *out);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, bt ? CblasTrans : CblasNoTrans, j->n, nc, j->d_in, 1.0f, j->in,
                j->d_in, blk, ldb, l->b ? 1.0f : 0.0f, out, j->d_out);
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
    /* blocks of about 4 MiB of floats: BLAS packs the input again for every
     * block, so a block must be large against it */
    int R = (1 << 20) / (j->d_in > 0 ? j->d_in : 1);
    R = R < 64 ? 64 : R > 1024 ? 1024 : R;
    if (R > c1 - c0) R = c1 - c0;
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

int linear_forward(float *out, const float *in, const attn_linear *lin, int n, int d_in, int d_out)
{
    linear_job job = {.out = out, .in = in, .lin = lin, .n = n, .d_in = d_in, .d_out = d_out,
                      .small = small(n, d_out, d_in)};
    atomic_init(&job.failed, 0);
    if (job.small && !lin->half) {
        gemm_c(out, d_out, in, d_in, lin->w, lin->ld, !lin->in_out, n, d_out, d_in, 1.0f, lin->b);
        return 0;
    }
    if (job.small) /* serially, one block after another: the same bits as one product */
        linear_cols(&job, 0, d_out);
    else if (lin->half || n <= FEW_ROWS)
        parallel_rows(d_out, 64, linear_cols, &job);
    else
        parallel_rows(n, 64, linear_rows, &job);
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

static void act_rows(void *ctx, int r0, int r1)
{
    const act_job *j = ctx;
    size_t end = (size_t)r1 * ACT_BLOCK < j->n ? (size_t)r1 * ACT_BLOCK : j->n;
    for (size_t i = (size_t)r0 * ACT_BLOCK; i < end; i++) j->x[i] = act_one(j->x[i], j->act);
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
        gemm_c(c, ldc, a, lda, b, ldb, 1, m, n, k, alpha, NULL);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, alpha, a, lda, b, ldb, 0.0f,
                c, ldc);
}

void matmul_nn(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
               int m, int n, int k)
{
    if (small(m, n, k)) {
        gemm_c(c, ldc, a, lda, b, ldb, 0, m, n, k, 1.0f, NULL);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, 0.0f,
                c, ldc);
}

/* pthread entry: runs one block (struct block in parallel_rows). */
static void *run_block(void *arg)
{
    struct {
        void (*fn)(void *, int, int);
        void *ctx;
        int r0, r1;
    } *b = arg;
    b->fn(b->ctx, b->r0, b->r1);
    return NULL;
}

int linalg_threads(void)
{
    static int n = 0;
    if (n == 0) {
        const char *env = getenv("ATTNVIZ_THREADS");
        long v = env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
        n = v < 1 ? 1 : v > 64 ? 64 : (int)v;
    }
    return n;
}

void parallel_rows(int rows, int min_rows, void (*fn)(void *ctx, int r0, int r1), void *ctx)
{
    enum { MAX_T = 64 };
    static int blas_single = 0;
    if (!blas_single) { /* BLAS runs inside our threads, never its own */
        openblas_set_num_threads(1);
        blas_single = 1;
    }
    int T = linalg_threads();
    if (T > rows) T = rows;
    if (T < 2 || rows < min_rows) {
        if (rows > 0) fn(ctx, 0, rows);
        return;
    }
    struct block {
        void (*fn)(void *, int, int);
        void *ctx;
        int r0, r1;
    } blocks[MAX_T];
    pthread_t tid[MAX_T];
    int started[MAX_T] = {0};
    for (int t = 0; t < T; t++) {
        blocks[t] = (struct block){fn, ctx, (int)((long)rows * t / T), (int)((long)rows * (t + 1) / T)};
        if (t > 0) started[t] = pthread_create(&tid[t], NULL, run_block, &blocks[t]) == 0;
    }
    fn(ctx, blocks[0].r0, blocks[0].r1);
    for (int t = 1; t < T; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else fn(ctx, blocks[t].r0, blocks[t].r1);
    }
}
