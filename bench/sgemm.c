/* sgemm.c — the machine's own SGEMM ceiling, measured the way attnviz
 * computes, in the same run as the benchmarks (bench/run.sh builds it into
 * build/bench/sgemm).
 *
 *     sgemm [-t T] [N ...]      (default: T = every online core, N = 1024 2048)
 *
 * For each size N it times cblas_sgemm(RowMajor, NoTrans, Trans) of two
 * N x N float32 matrices, the transpose layout attnviz uses for x·Wᵀ and
 * Q·Kᵀ, with single-threaded OpenBLAS (as attnviz links and runs it) in
 * each of T threads at once, each on its own matrices, after one warm-up
 * call; a repetition lasts until the last thread finishes. It prints one
 * line per size:
 *
 *     sgemm n=1024 threads=2 best_ms=12.345 median_ms=12.500 gflops_best=174.0 gflops_median=171.8 check=...
 *
 * FLOPs counted: T · 2·N³ (one multiply and one add per inner-product term).
 * Exit status 0, or 1 when memory runs out. Nothing here is shipped.
 */
#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { REPS = 5, MAX_T = 64 };

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

typedef struct {
    int n;
    float *a, *b, *c; /* [n, n] each */
    pthread_barrier_t *start;
} worker;

static void product(const worker *w)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, w->n, w->n, w->n, 1.0f, w->a, w->n, w->b, w->n, 0.0f,
                w->c, w->n);
}

/* Each repetition: wait for the others, multiply. */
static void *run(void *arg)
{
    const worker *w = arg;
    for (int r = -1; r < REPS; r++) {
        pthread_barrier_wait(w->start);
        product(w);
        pthread_barrier_wait(w->start + 1);
    }
    return NULL;
}

static int probe(int n, int T)
{
    size_t nn = (size_t)n * (size_t)n;
    worker w[MAX_T];
    pthread_barrier_t bar[2];
    pthread_barrier_init(&bar[0], NULL, (unsigned)T);
    pthread_barrier_init(&bar[1], NULL, (unsigned)T);
    int rc = 0;
    for (int t = 0; t < T; t++) {
        w[t] = (worker){n, malloc(nn * sizeof(float)), malloc(nn * sizeof(float)), malloc(nn * sizeof(float)), bar};
        if (!w[t].a || !w[t].b || !w[t].c) rc = 1;
        unsigned s = 12345u; /* deterministic fill in [-1, 1) */
        for (size_t i = 0; !rc && i < nn; i++) {
            s = s * 1664525u + 1013904223u;
            w[t].a[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
            s = s * 1664525u + 1013904223u;
            w[t].b[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
        }
    }
    double t_ms[REPS];
    pthread_t tid[MAX_T];
    int started = 1;
    for (int t = 1; !rc && t < T; t++, started++)
        if (pthread_create(&tid[t], NULL, run, &w[t]) != 0) rc = 1;
    for (int r = -1; !rc && r < REPS; r++) { /* r = -1: warm-up */
        pthread_barrier_wait(&bar[0]);
        double t0 = now_ms();
        product(&w[0]);
        pthread_barrier_wait(&bar[1]);
        if (r >= 0) t_ms[r] = now_ms() - t0;
    }
    for (int t = 1; t < started; t++) pthread_join(tid[t], NULL);
    if (!rc) {
        qsort(t_ms, REPS, sizeof t_ms[0], cmp_double);
        double gf = T * 2.0 * n * (double)n * n / 1e9; /* GFLOP per repetition */
        printf("sgemm n=%d threads=%d best_ms=%.3f median_ms=%.3f gflops_best=%.1f gflops_median=%.1f "
               "check=%.4f blas_threads=%d\n", n, T, t_ms[0], t_ms[REPS / 2], gf / (t_ms[0] / 1e3),
               gf / (t_ms[REPS / 2] / 1e3), (double)w[0].c[nn / 2], openblas_get_num_threads());
    } else {
        fprintf(stderr, "sgemm: out of memory (or no thread) at n=%d, %d threads\n", n, T);
    }
    for (int t = 0; t < T; t++) free(w[t].a), free(w[t].b), free(w[t].c);
    pthread_barrier_destroy(&bar[0]);
    pthread_barrier_destroy(&bar[1]);
    return rc;
}

int main(int argc, char **argv)
{
    int T = (int)sysconf(_SC_NPROCESSORS_ONLN), rc = 0, i = 1;
    if (argc > 2 && strcmp(argv[1], "-t") == 0) T = atoi(argv[2]), i = 3;
    T = T < 1 ? 1 : T > MAX_T ? MAX_T : T;
    openblas_set_num_threads(1); /* serial BLAS in each thread, as attnviz */
    if (i >= argc) {
        rc |= probe(1024, T);
        rc |= probe(2048, T);
    }
    for (; i < argc; i++) rc |= probe(atoi(argv[i]), T);
    return rc;
}
