/* blas.c — see blas.h. */
#include "compute/blas.h"

#include "base/dynlib.h"
#include "compute/gemm_fixed.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifndef ATTNVIZ_BLAS_LIB
#define ATTNVIZ_BLAS_LIB "libopenblas.so.0"
#endif

/* CBLAS's values (cblas.h) for the arguments used here */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

/* The functions used, filled by dynlib_open() when the library loads */
typedef struct {
    void (*cblas_sgemm)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                        const float *b, int ldb, float beta, float *c, int ldc);
    void (*openblas_set_num_threads)(int n);
} blas_fns;

static const dynlib_sym syms[] = {DYNLIB_SYM(blas_fns, cblas_sgemm),
                                  DYNLIB_SYM(blas_fns, openblas_set_num_threads)};
static pthread_once_t once = PTHREAD_ONCE_INIT;
static blas_fns fns;
static int loaded;

static void load(void)
{
    /* Read by OpenBLAS when it loads: with one thread it starts no worker of
     * its own. (openblas_set_num_threads(1) after loading leaves a worker
     * that spins on sched_yield for about 0.1 s: 14 % of a BERT-base pass's
     * samples were that spin, competing with attnviz's second thread.) */
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    char why[256];
    if (dynlib_open(ATTNVIZ_BLAS_LIB, syms, (int)(sizeof syms / sizeof *syms), &fns, why, sizeof why) != 0)
        return; /* blas_sgemm falls back to gemm_fixed */
    fns.openblas_set_num_threads(1);
    loaded = 1;
}

void blas_sgemm(float *c, int ldc, const float *a, int lda, const float *b, int ldb, int trans_b, int m, int n,
                int k, float alpha, const float *bias)
{
    pthread_once(&once, load);
    if (!loaded) {
        gemm_fixed(c, ldc, a, lda, b, ldb, trans_b, m, n, k, alpha, bias);
        return;
    }
    if (bias)
        for (int i = 0; i < m; i++) memcpy(c + (size_t)i * ldc, bias, (size_t)n * sizeof *c);
    fns.cblas_sgemm(ROW_MAJOR, NO_TRANS, trans_b ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb,
                    bias ? 1.0f : 0.0f, c, ldc);
}
