/* parallel.c — see parallel.h. One job at a time: the caller publishes it
 * under the lock with a new generation number and wakes the workers; then
 * the caller and every worker that wakes in time claim its units (blocks or
 * chunks) one by one under the lock until none is left. The caller never
 * waits for a worker that has not started: on a busy machine, where a
 * woken worker may get no core for milliseconds, the caller simply runs
 * every unit itself, and waits only for units a worker is running. */
#include "compute/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { MAX_T = 64 };

typedef struct {
    void (*fn)(void *, int, int);
    void *ctx;
    int rows, size, units; /* unit u: rows [u·size, …) (chunks), or the u-th of units equal blocks (size 0) */
} job;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int started;          /* workers running */
    atomic_ulong gen;     /* the job's number (written under mu; read without it by spinning workers) */
    job j;
    int next;             /* the first unit not yet claimed */
    int active;           /* units being run by workers */
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

static void run_unit(const job *j, int u)
{
    int r0, r1;
    if (j->size > 0) {
        r0 = u * j->size;
        r1 = r0 + j->size < j->rows ? r0 + j->size : j->rows;
    } else {
        r0 = (int)((long)j->rows * u / j->units);
        r1 = (int)((long)j->rows * (u + 1) / j->units);
    }
    if (r1 > r0) j->fn(j->ctx, r0, r1);
}

/* Claims and runs units of the current job until none is left (under
 * pool.mu, released while a unit runs). */
static void drain(int worker)
{
    while (pool.next < pool.j.units) {
        const int u = pool.next++;
        const job j = pool.j;
        pool.active += worker;
        pthread_mutex_unlock(&pool.mu);
        run_unit(&j, u);
        pthread_mutex_lock(&pool.mu);
        pool.active -= worker;
    }
}

/* How long a worker that finished its units watches for the next job
 * before it sleeps. A pass's products follow each other within
 * microseconds, and waking a sleeping thread takes longer (on a 2-core
 * virtual machine, long enough for the caller to have run most of a
 * BERT-base product alone: at 128 tokens the process used 1.1 cores). */
enum { SPIN_NS = 200000 };

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Returns once gen differs from seen or SPIN_NS have passed (mu not held). */
static void spin_for_job(unsigned long seen)
{
    const long long end = now_ns() + SPIN_NS;
    for (int i = 1; atomic_load_explicit(&pool.gen, memory_order_acquire) == seen; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (i % 64 == 0 && now_ns() > end) return;
    }
}

static void *worker(void *arg)
{
    (void)arg;
    unsigned long seen = 0;
    in_worker = 1;
    pthread_mutex_lock(&pool.mu);
    for (;;) {
        if (atomic_load(&pool.gen) == seen) {
            pthread_mutex_unlock(&pool.mu);
            spin_for_job(seen);
            pthread_mutex_lock(&pool.mu);
        }
        while (atomic_load(&pool.gen) == seen) pthread_cond_wait(&pool.go, &pool.mu);
        seen = atomic_load(&pool.gen);
        drain(1);
        if (pool.active == 0) pthread_cond_signal(&pool.done);
    }
    return NULL;
}

/* Runs units of fn across the pool, or serially. */
static void run(job j, int min_units)
{
    const int T = linalg_threads();
    if (T < 2 || j.units < 2 || j.units < min_units || in_worker || pthread_mutex_trylock(&busy) != 0) {
        for (int u = 0; u < j.units; u++) run_unit(&j, u);
        return;
    }
    pthread_mutex_lock(&pool.mu);
    while (pool.started < T - 1) {
        pthread_t tid;
        if (pthread_create(&tid, NULL, worker, NULL) != 0) break;
        pthread_detach(tid);
        pool.started++;
    }
    pool.j = j;
    pool.next = 0;
    pool.active = 0;
    atomic_fetch_add(&pool.gen, 1);
    if (pool.started > 0) pthread_cond_broadcast(&pool.go);
    drain(0);
    while (pool.active > 0) pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    pthread_mutex_unlock(&busy);
}

void parallel_rows(int rows, int min_rows, void (*fn)(void *ctx, int r0, int r1), void *ctx)
{
    int T = linalg_threads();
    if (T > rows) T = rows;
    if (rows < min_rows) T = 1;
    if (rows > 0) run((job){fn, ctx, rows, 0, T < 1 ? 1 : T}, 2);
}

void parallel_chunks(int rows, int chunk, int min_chunks, void (*fn)(void *ctx, int r0, int r1), void *ctx)
{
    if (chunk < 1) chunk = 1;
    if (rows > 0) run((job){fn, ctx, rows, chunk, (int)(((long)rows + chunk - 1) / chunk)}, min_chunks);
}
