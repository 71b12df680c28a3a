/* sgemm.c — the machine's own SGEMM ceiling, measured in the same run as the
 * attention benchmark (bench/run.sh builds it into build/bench/sgemm).
 *
 * For each size N given on the command line (default 1024 2048) it times
 * cblas_sgemm(RowMajor, NoTrans, Trans) of two N x N float32 matrices, the
 * transpose layout attnviz uses for x·Wᵀ and Q·Kᵀ, with OpenBLAS on all its
 * threads (OPENBLAS_NUM_THREADS or every core), after one warm-up call, and
 * prints one line per size:
 *
 *     sgemm n=1024 threads=2 best_ms=12.345 median_ms=12.500 gflops_best=174.0 gflops_median=171.8
 *
 * FLOPs counted: 2·N³ (one multiply and one add per inner-product term).
 * Exit status 0, or 1 when memory runs out. Nothing here is shipped.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { REPS = 5 };

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int probe(int n)
{
    size_t nn = (size_t)n * (size_t)n;
    float *a = malloc(nn * sizeof *a); /* [n, n] */
    float *b = malloc(nn * sizeof *b); /* [n, n] */
    float *c = malloc(nn * sizeof *c); /* [n, n] */
    if (!a || !b || !c) {
        free(a);
        free(b);
        free(c);
        fprintf(stderr, "sgemm: out of memory at n=%d\n", n);
        return 1;
    }
    unsigned s = 12345u; /* deterministic fill in [-1, 1) */
    for (size_t i = 0; i < nn; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
        s = s * 1664525u + 1013904223u;
        b[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
    }
    double t[REPS];
    for (int r = -1; r < REPS; r++) { /* r = -1: warm-up */
        double t0 = now_ms();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double t1 = now_ms();
        if (r >= 0) t[r] = t1 - t0;
    }
    qsort(t, REPS, sizeof t[0], cmp_double);
    double gf = 2.0 * n * (double)n * n / 1e9; /* GFLOP per call */
    printf("sgemm n=%d threads=%d best_ms=%.3f median_ms=%.3f gflops_best=%.1f gflops_median=%.1f check=%.4f\n",
           n, openblas_get_num_threads(), t[0], t[REPS / 2], gf / (t[0] / 1e3), gf / (t[REPS / 2] / 1e3),
           (double)c[nn / 2]);
    free(a);
    free(b);
    free(c);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0;
    if (argc < 2) {
        rc |= probe(1024);
        rc |= probe(2048);
    }
    for (int i = 1; i < argc; i++) rc |= probe(atoi(argv[i]));
    return rc;
}
