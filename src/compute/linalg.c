/* linalg.c — see linalg.h. */
#include "compute/linalg.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
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

typedef struct {
    float *out;
    const float *in;
    const attn_linear *lin;
    int d_in, d_out;
} linear_job;

static void linear_rows(void *ctx, int r0, int r1)
{
    const linear_job *j = ctx;
    const attn_linear *l = j->lin;
    float *out = j->out + (size_t)r0 * j->d_out;
    const float *in = j->in + (size_t)r0 * j->d_in;
    int n = r1 - r0;
    if (l->b)
        for (int i = 0; i < n; i++) memcpy(out + (size_t)i * j->d_out, l->b, (size_t)j->d_out * sizeof *out);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, l->in_out ? CblasNoTrans : CblasTrans, n, j->d_out, j->d_in,
                1.0f, in, j->d_in, l->w, l->ld, l->b ? 1.0f : 0.0f, out, j->d_out);
}

void linear_forward(float *out, const float *in, const attn_linear *lin, int n, int d_in, int d_out)
{
    if (small(n, d_out, d_in)) {
        gemm_c(out, d_out, in, d_in, lin->w, lin->ld, !lin->in_out, n, d_out, d_in, 1.0f, lin->b);
        return;
    }
    linear_job job = {out, in, lin, d_in, d_out};
    parallel_rows(n, 64, linear_rows, &job);
}

static inline float act_one(float v, attn_act act)
{
    switch (act) {
    case ACT_GELU: return 0.5f * v * (1.0f + erff(v * 0.70710678118654752f)); /* v·Φ(v) */
    case ACT_GELU_TANH: /* 0.5·v·(1 + tanh(√(2/π)·(v + 0.044715·v³))): GPT-2's gelu_new */
        return 0.5f * v * (1.0f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    case ACT_RELU: return v > 0.0f ? v : 0.0f;
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
