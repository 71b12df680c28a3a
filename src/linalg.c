/* linalg.c — see linalg.h. */
#include "linalg.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void linear_forward(float *out, const float *in, const float *w, const float *b,
                    int n, int d_in, int d_out)
{
    if (b) {
        for (int i = 0; i < n; i++) memcpy(out + (size_t)i * d_out, b, (size_t)d_out * sizeof *out);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, d_out, d_in, 1.0f, in, d_in, w,
                d_in, b ? 1.0f : 0.0f, out, d_out);
}

void matmul_nt(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
               int m, int n, int k, float alpha)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, alpha, a, lda, b, ldb, 0.0f,
                c, ldc);
}

void matmul_nn(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
               int m, int n, int k)
{
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
