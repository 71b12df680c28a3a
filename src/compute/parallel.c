/* parallel.c — see parallel.h. One job at a time: the caller publishes it
 * under the lock with a new generation number, every worker runs its block
 * and counts down, the caller runs block 0 and waits for the count. */
#include "compute/parallel.h"

#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

enum { MAX_T = 64 };

static struct {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int started;          /* workers running (threads 1 .. started) */
    unsigned long gen;    /* the job's number: a worker runs each once */
    int pending;          /* blocks of the current job not finished */
    void (*fn)(void *, int, int);
    void *ctx;
    int rows, T;          /* the job: rows split into T blocks */
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER; /* held by the thread whose job runs */
static _Thread_local int in_worker;

int linalg_threads(void)
{
    static int n = 0;
    if (n == 0) {
        const char *env = getenv("ATTNVIZ_THREADS");
        long v = env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
        n = v < 1 ? 1 : v > MAX_T ? MAX_T : (int)v;
    }
    return n;
}

static void block_of(int rows, int T, int t, int *r0, int *r1)
{
    *r0 = (int)((long)rows * t / T);
    *r1 = (int)((long)rows * (t + 1) / T);
}

static void *worker(void *arg)
{
    const int t = (int)(long)arg;
    unsigned long seen = 0;
    in_worker = 1;
    pthread_mutex_lock(&pool.mu);
    for (;;) {
        while (pool.gen == seen) pthread_cond_wait(&pool.go, &pool.mu);
        seen = pool.gen;
        if (t >= pool.T) continue; /* this job has fewer blocks than workers */
        void (*fn)(void *, int, int) = pool.fn;
        void *ctx = pool.ctx;
        int r0, r1;
        block_of(pool.rows, pool.T, t, &r0, &r1);
        pthread_mutex_unlock(&pool.mu);
        fn(ctx, r0, r1);
        pthread_mutex_lock(&pool.mu);
        if (--pool.pending == 0) pthread_cond_signal(&pool.done);
    }
    return NULL;
}

/* Starts workers up to T - 1 (under pool.mu); returns how many run. */
static int start_workers(int T)
{
    while (pool.started < T - 1) {
        pthread_t tid;
        if (pthread_create(&tid, NULL, worker, (void *)(long)(pool.started + 1)) != 0) break;
        pthread_detach(tid);
        pool.started++;
    }
    return pool.started;
}

void parallel_rows(int rows, int min_rows, void (*fn)(void *ctx, int r0, int r1), void *ctx)
{
    static int blas_single = 0;
    if (!blas_single) { /* BLAS runs inside our threads, never its own */
        openblas_set_num_threads(1);
        blas_single = 1;
    }
    int T = linalg_threads();
    if (T > rows) T = rows;
    if (T < 2 || rows < min_rows || in_worker || pthread_mutex_trylock(&busy) != 0) {
        if (rows > 0) fn(ctx, 0, rows);
        return;
    }
    pthread_mutex_lock(&pool.mu);
    int W = start_workers(T);
    if (W < 1) {
        pthread_mutex_unlock(&pool.mu);
        pthread_mutex_unlock(&busy);
        fn(ctx, 0, rows);
        return;
    }
    if (T > W + 1) T = W + 1;
    pool.fn = fn;
    pool.ctx = ctx;
    pool.rows = rows;
    pool.T = T;
    pool.pending = T - 1;
    pool.gen++;
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.mu);
    int r0, r1;
    block_of(rows, T, 0, &r0, &r1);
    fn(ctx, r0, r1);
    pthread_mutex_lock(&pool.mu);
    while (pool.pending > 0) pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    pthread_mutex_unlock(&busy);
}

typedef struct {
    int rows, chunk;
    void (*fn)(void *, int, int);
    void *ctx;
} chunk_job;

static void run_chunks(void *ctx, int c0, int c1)
{
    const chunk_job *j = ctx;
    for (int c = c0; c < c1; c++) {
        const int r1 = (c + 1) * j->chunk < j->rows ? (c + 1) * j->chunk : j->rows;
        j->fn(j->ctx, c * j->chunk, r1);
    }
}

void parallel_chunks(int rows, int chunk, int min_chunks, void (*fn)(void *ctx, int r0, int r1), void *ctx)
{
    if (chunk < 1) chunk = 1;
    chunk_job j = {rows, chunk, fn, ctx};
    parallel_rows((int)(((long)rows + chunk - 1) / chunk), min_chunks, run_chunks, &j);
}
