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
 *
 *     sgemm [-t T] -l D,F,N,L
 *
 * The bound of an encoder's products at their own shapes: the linear
 * layers of L layers of width D and feed-forward width F at N tokens (per
 * layer x·Wᵀ for W = Q, K, V, O [D, D], up [F, D], down [D, F] on the
 * hidden layer), as attnviz runs them with float weights (linalg.c): each
 * product split into chunks of 128 output columns, which T threads claim
 * as they come, one serial cblas_sgemm a chunk. The weights (distinct for
 * every layer, as in a checkpoint) are in memory already, touched before
 * the clock starts, and nothing else runs between products: no page
 * faults, attention, norms or activations. Best and median of 3 passes
 * after a warm-up. One line:
 *
 *     layers d=768 f=3072 n=128 layers=12 threads=2 best_ms=... median_ms=... gflops_best=... gflops_median=...
 *
 * Exit status 0, or 1 when memory runs out. Nothing here is shipped.
 */
#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* count floats in [-scale, scale) from seed, deterministic; every page
 * touched, so no fault once the clock runs. NULL when memory runs out. */
static float *filled(size_t count, unsigned seed, float scale)
{
    float *p = malloc(count * sizeof *p);
    for (size_t i = 0; p && i < count; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = ((float)(seed >> 8) / 8388608.0f - 1.0f) * scale;
    }
    return p;
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
        w[t] = (worker){n, filled(nn, 12345u, 1.0f), filled(nn, 54321u, 1.0f), malloc(nn * sizeof(float)), bar};
        if (!w[t].a || !w[t].b || !w[t].c) rc = 1;
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

/* ---- -l: an encoder's linear layers, chunked as attnviz chunks them ---- */

enum { CHUNK = 128 }; /* output columns a chunk: linalg.c's FLOAT_CHUNK */

typedef struct {
    float *out;       /* [n, d_out] */
    const float *in;  /* [n, d_in] */
    const float *w;   /* [d_out, d_in] */
    int n, d_in, d_out;
    atomic_int next;  /* the next chunk's first column */
} product_job;

/* The threads spin between products (attnviz's workers watch for the next
 * job for 200 us before they sleep): a product starts on every thread at
 * once, and a bound is what is measured. */
typedef struct {
    product_job *_Atomic job; /* the current product; NULL: stop */
    atomic_int round;         /* bumped for each product */
    atomic_int busy;          /* threads still on the current one */
} crew;

static void claim(product_job *j)
{
    int c;
    while ((c = atomic_fetch_add(&j->next, CHUNK)) < j->d_out) {
        int nc = j->d_out - c < CHUNK ? j->d_out - c : CHUNK;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, j->n, nc, j->d_in, 1.0f, j->in, j->d_in,
                    j->w + (size_t)c * (size_t)j->d_in, j->d_in, 0.0f, j->out + c, j->d_out);
    }
}

static void *crew_member(void *arg)
{
    crew *c = arg;
    for (int seen = 0;;) {
        int r;
        while ((r = atomic_load(&c->round)) == seen) continue;
        seen = r;
        product_job *j = atomic_load(&c->job);
        if (!j) return NULL;
        claim(j);
        atomic_fetch_sub(&c->busy, 1);
    }
}

static void product_all(crew *c, int T, float *out, const float *in, const float *w, int n, int d_in, int d_out)
{
    product_job j = {out, in, w, n, d_in, d_out, 0};
    atomic_init(&j.next, 0);
    atomic_store(&c->job, &j);
    atomic_store(&c->busy, T - 1);
    atomic_fetch_add(&c->round, 1);
    claim(&j);
    while (atomic_load(&c->busy) > 0) continue;
}

static int layers_probe(int d, int f, int n, int L, int T)
{
    enum { W_PER_LAYER = 6 };
    float **w = calloc((size_t)L * W_PER_LAYER, sizeof *w); /* [L · 6] Q K V O up down */
    float *x = filled((size_t)n * (size_t)d, 1u, 0.05f);           /* [n, d] */
    float *y = filled((size_t)n * (size_t)d, 2u, 0.05f);           /* [n, d] */
    float *h = filled((size_t)n * (size_t)f, 3u, 0.05f);           /* [n, f] */
    int rc = !w || !x || !y || !h;
    for (int l = 0; !rc && l < L; l++)
        for (int k = 0; k < W_PER_LAYER; k++) {
            size_t cnt = (size_t)d * (size_t)(k < 4 ? d : f);
            if (!(w[l * W_PER_LAYER + k] = filled(cnt, 7u + (unsigned)(l * W_PER_LAYER + k), 0.05f))) rc = 1;
        }
    crew c;
    atomic_init(&c.job, NULL);
    atomic_init(&c.round, 0);
    atomic_init(&c.busy, 0);
    pthread_t tid[MAX_T];
    int started = 1;
    for (int t = 1; !rc && t < T; t++, started++)
        if (pthread_create(&tid[t], NULL, crew_member, &c) != 0) rc = 1;
    enum { LREPS = 3 }; /* a repetition is a whole pass (0.2-1 s for base shapes) */
    double t_ms[LREPS];
    for (int r = -1; !rc && r < LREPS; r++) { /* r = -1: warm-up */
        double t0 = now_ms();
        for (int l = 0; l < L; l++) {
            float **lw = w + l * W_PER_LAYER;
            for (int k = 0; k < 4; k++) product_all(&c, T, y, x, lw[k], n, d, d);
            product_all(&c, T, h, x, lw[4], n, d, f);
            product_all(&c, T, y, h, lw[5], n, f, d);
        }
        if (r >= 0) t_ms[r] = now_ms() - t0;
    }
    atomic_store(&c.job, NULL);
    atomic_fetch_add(&c.round, 1);
    for (int t = 1; t < started; t++) pthread_join(tid[t], NULL);
    if (!rc) {
        qsort(t_ms, LREPS, sizeof t_ms[0], cmp_double);
        double gf = L * 2.0 * n * ((double)4 * d * d + 2.0 * d * f) / 1e9; /* GFLOP per repetition */
        printf("layers d=%d f=%d n=%d layers=%d threads=%d best_ms=%.3f median_ms=%.3f gflops_best=%.1f "
               "gflops_median=%.1f check=%.4f\n", d, f, n, L, T, t_ms[0], t_ms[LREPS / 2], gf / (t_ms[0] / 1e3),
               gf / (t_ms[LREPS / 2] / 1e3), (double)y[(size_t)n * (size_t)d / 2]);
    } else {
        fprintf(stderr, "sgemm: out of memory (or no thread) for -l %d,%d,%d,%d\n", d, f, n, L);
    }
    for (int i = 0; w && i < L * W_PER_LAYER; i++) free(w[i]);
    free(w), free(x), free(y), free(h);
    return rc;
}

int main(int argc, char **argv)
{
    int T = (int)sysconf(_SC_NPROCESSORS_ONLN), rc = 0, i = 1;
    if (argc > 2 && strcmp(argv[1], "-t") == 0) T = atoi(argv[2]), i = 3;
    T = T < 1 ? 1 : T > MAX_T ? MAX_T : T;
    openblas_set_num_threads(1); /* serial BLAS in each thread, as attnviz */
    if (i + 1 < argc && strcmp(argv[i], "-l") == 0) {
        int d, f, n, L;
        if (sscanf(argv[i + 1], "%d,%d,%d,%d", &d, &f, &n, &L) != 4 || d < 1 || f < 1 || n < 1 || L < 1) {
            fprintf(stderr, "sgemm: -l wants D,F,N,LAYERS (positive integers), got '%s'\n", argv[i + 1]);
            return 2;
        }
        return layers_probe(d, f, n, L, T);
    }
    if (i >= argc) {
        rc |= probe(1024, T);
        rc |= probe(2048, T);
    }
    for (; i < argc; i++) rc |= probe(atoi(argv[i]), T);
    return rc;
}
