/* Unit tests: the thread pool (parallel.h) and the fixed-order product
 * (gemm_fixed.h). parallel_rows covers every row once, also from inside
 * another call (serially) and across many calls; parallel_chunks makes the
 * same calls with any number of threads; gemm_fixed's AVX2 and C paths give
 * the same bits as the plain triple loop, for every tail of rows and
 * columns, both layouts of b, a bias and alpha, and a k longer than one
 * panel; its sums are within float rounding of a double reference. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "compute/gemm_fixed.h"
#include "compute/parallel.h"
#include "test.h"

enum { ROWS = 1000 };
static atomic_int hits[ROWS];

static void mark(void *ctx, int r0, int r1)
{
    (void)ctx;
    for (int r = r0; r < r1; r++) atomic_fetch_add(&hits[r], 1);
}

static atomic_int inner;
static void count(void *ctx, int r0, int r1)
{
    (void)ctx;
    atomic_fetch_add(&inner, r1 - r0);
}

static void nested(void *ctx, int r0, int r1)
{
    (void)ctx;
    for (int r = r0; r < r1; r++) parallel_rows(10, 1, count, NULL), atomic_fetch_add(&hits[r], 1);
}

static int calls[64][2], n_calls;
static void record(void *ctx, int r0, int r1)
{
    (void)ctx;
    static atomic_int at;
    int i = atomic_fetch_add(&at, 1);
    if (i < 64) calls[i][0] = r0, calls[i][1] = r1;
    n_calls = i + 1;
}

static int cmp_call(const void *a, const void *b) { return ((const int *)a)[0] - ((const int *)b)[0]; }

static float frand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((float)((*s >> 8) & 0xFFFF) / 65536.0f - 0.5f) * 2.0f;
}

/* The plain triple loop, in the order gemm_fixed.h promises. */
static void gemm_ref(float *c, const float *a, const float *b, int bt, int m, int n, int k, float alpha,
                     const float *bias)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float s = 0.0f;
            for (int p = 0; p < k; p++) s += a[i * k + p] * (bt ? b[j * k + p] : b[p * n + j]);
            s = s * alpha;
            c[i * n + j] = bias ? bias[j] + s : s;
        }
}

int main(void)
{
    int ok = 1;
    for (int rep = 0; rep < 200 && ok; rep++) {
        memset(hits, 0, sizeof hits);
        parallel_rows(ROWS, 1, mark, NULL);
        for (int r = 0; r < ROWS; r++) ok &= atomic_load(&hits[r]) == 1;
    }
    CHECK("rows-each-once-200-calls", ok);
    memset(hits, 0, sizeof hits);
    parallel_rows(100, 1, nested, NULL);
    ok = 1;
    for (int r = 0; r < 100; r++) ok &= atomic_load(&hits[r]) == 1;
    CHECK("nested-call-runs-serially", ok && atomic_load(&inner) == 1000);
    parallel_chunks(1000, 128, 2, record, NULL);
    qsort(calls, (size_t)n_calls, sizeof calls[0], cmp_call);
    ok = n_calls == 8;
    for (int i = 0; ok && i < 8; i++) ok = calls[i][0] == 128 * i && calls[i][1] == (i == 7 ? 1000 : 128 * (i + 1));
    CHECK("chunks-fixed-boundaries", ok);

    unsigned seed = 7;
    int same = 1, close = 1;
    const int shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {4, 16, 64}, {5, 17, 300}, {16, 128, 128}, {9, 33, 513}, {2, 40, 0}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int bt = 0; bt < 2; bt++) {
            const int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            float *a = malloc((size_t)(m * k + 1) * 4), *b = malloc((size_t)(n * k + 1) * 4), *bias = malloc((size_t)n * 4);
            float *c0 = malloc((size_t)m * n * 4), *c1 = malloc((size_t)m * n * 4), *c2 = malloc((size_t)m * n * 4);
            for (int i = 0; i < m * k; i++) a[i] = frand(&seed);
            for (int i = 0; i < n * k; i++) b[i] = frand(&seed);
            for (int i = 0; i < n; i++) bias[i] = frand(&seed);
            const float *bb = s % 2 ? bias : NULL;
            gemm_ref(c0, a, b, bt, m, n, k, 0.125f, bb);
            gemm_fixed_use_simd(1);
            gemm_fixed(c1, n, a, k, b, bt ? k : n, bt, m, n, k, 0.125f, bb);
            gemm_fixed_use_simd(0);
            gemm_fixed(c2, n, a, k, b, bt ? k : n, bt, m, n, k, 0.125f, bb);
            same &= memcmp(c0, c1, (size_t)m * n * 4) == 0 && memcmp(c0, c2, (size_t)m * n * 4) == 0;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double d = 0.0;
                    for (int p = 0; p < k; p++) d += (double)a[i * k + p] * (bt ? b[j * k + p] : b[p * n + j]);
                    d = d * 0.125 + (bb ? bb[j] : 0.0);
                    close &= fabs(d - c1[i * n + j]) <= 1e-5 * (k + 1);
                }
            free(a), free(b), free(bias), free(c0), free(c1), free(c2);
        }
    gemm_fixed_use_simd(1);
    CHECK("gemm-fixed-simd-c-loop-same-bits", same);
    CHECK("gemm-fixed-near-double", close);
    return test_done();
}
