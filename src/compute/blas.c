/* blas.c — see blas.h. */
#include "compute/blas.h"

#include "compute/gemm_fixed.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifndef ATTNVIZ_BLAS_LIB
#define ATTNVIZ_BLAS_LIB "libopenblas.so.0"
#endif

/* CBLAS's values (cblas.h) for the arguments used here */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*set_threads_fn)(int n);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sgemm_fn sgemm;

/* dlsym's object pointer as a function pointer (POSIX guarantees it works;
 * memcpy keeps ISO C's pedantic mode quiet) */
static void *sym(void *h, const char *name, void *fn, size_t size)
{
    void *p = dlsym(h, name);
    if (p) memcpy(fn, &p, size);
    return p;
}

static void load(void)
{
    /* Read by OpenBLAS when it loads: with one thread it starts no worker of
     * its own. (openblas_set_num_threads(1) after loading leaves a worker
     * that spins on sched_yield for about 0.1 s: 14 % of a BERT-base pass's
     * samples were that spin, competing with attnviz's second thread.) */
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    void *h = dlopen(ATTNVIZ_BLAS_LIB, RTLD_NOW | RTLD_LOCAL);
    set_threads_fn set_threads = NULL;
    sgemm_fn f = NULL;
    if (!h || !sym(h, "cblas_sgemm", &f, sizeof f) || !sym(h, "openblas_set_num_threads", &set_threads,
                                                           sizeof set_threads))
        return; /* blas_sgemm falls back to gemm_fixed */
    set_threads(1);
    sgemm = f;
}

void blas_sgemm(float *c, int ldc, const float *a, int lda, const float *b, int ldb, int trans_b, int m, int n,
                int k, float alpha, const float *bias)
{
    pthread_once(&once, load);
    if (!sgemm) {
        gemm_fixed(c, ldc, a, lda, b, ldb, trans_b, m, n, k, alpha, bias);
        return;
    }
    if (bias)
        for (int i = 0; i < m; i++) memcpy(c + (size_t)i * ldc, bias, (size_t)n * sizeof *c);
    sgemm(ROW_MAJOR, NO_TRANS, trans_b ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, bias ? 1.0f : 0.0f, c,
          ldc);
}
