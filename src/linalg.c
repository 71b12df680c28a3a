/* linalg.c — see linalg.h. */
#include "linalg.h"

#include <cblas.h>
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

/* c[i, j] = alpha · Σ_p a[i, p] · b(p, j) (+ bias[j]), b(p, j) = b[j, p] when
 * bt, else b[p, j]; p in increasing order. */
static void gemm_c(float *c, int ldc, const float *a, int lda, const float *b, int ldb, int bt,
                   int m, int n, int k, float alpha, const float *bias)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float s = 0.0f;
            for (int p = 0; p < k; p++)
                s += a[(size_t)i * lda + p] * (bt ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j]);
            s *= alpha;
            c[(size_t)i * ldc + j] = bias ? bias[j] + s : s;
        }
}

void linear_forward(float *out, const float *in, const float *w, const float *b,
                    int n, int d_in, int d_out)
{
    if (small(n, d_out, d_in)) {
        gemm_c(out, d_out, in, d_in, w, d_in, 1, n, d_out, d_in, 1.0f, b);
        return;
    }
    if (b) {
        for (int i = 0; i < n; i++) memcpy(out + (size_t)i * d_out, b, (size_t)d_out * sizeof *out);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, d_out, d_in, 1.0f, in, d_in, w,
                d_in, b ? 1.0f : 0.0f, out, d_out);
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

static int blas_threads;

void linalg_parallel_begin(void)
{
    blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
}

void linalg_parallel_end(void)
{
    openblas_set_num_threads(blas_threads);
}
