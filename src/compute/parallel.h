/* parallel.h — attnviz's own threads: how many, and a parallel loop over
 * blocks of rows on a pool of workers that sleep between calls.
 *
 * BLAS (OpenBLAS, the pthread variant, whose buffer allocator is safe
 * for concurrent calls) runs single-threaded inside these threads, so no
 * idle BLAS thread spins on a core (blas.h sets that when it loads it). The workers are
 * started on first use and block on a condition variable between calls
 * (no spinning); they live until the process exits. Nothing here fails:
 * when a worker cannot be started, its block runs on the calling thread.
 */
#ifndef ATTN_PARALLEL_H
#define ATTN_PARALLEL_H

/* Multiply-adds below which a job runs on the calling thread: less work
 * than a meeting of the threads costs on a busy machine (measured: the
 * example's 16 x 128 x 128 projections ran 6x slower split in two while
 * other jobs held the cores). linalg.c's products and attention.c's
 * batches of heads use it. */
enum { PARALLEL_MIN_WORK = 1 << 19 };

/* Threads for attnviz's parallel loops: the online cores, 1 to 64
 * (ATTNVIZ_THREADS overrides). */
int linalg_threads(void);

/* Calls fn(ctx, r0, r1) on disjoint blocks [r0, r1) covering [0, rows), one
 * block per thread, which the calling thread and the workers claim as they
 * come (the caller never waits for a worker that has not started: on a
 * busy machine it may run every block itself); serially when rows <
 * min_rows, with one thread, or when called from inside another call here
 * (from a worker, or while another thread's call runs). */
void parallel_rows(int rows, int min_rows, void (*fn)(void *ctx, int r0, int r1), void *ctx);

/* Calls fn(ctx, r0, r1) once for each chunk [i·chunk, min((i + 1)·chunk,
 * rows)), the chunks claimed by the threads as in parallel_rows (serially
 * below min_chunks). The calls do not
 * depend on the number of threads, so neither do the results: a product
 * split this way gives the same bits with 1 thread as with 64. */
void parallel_chunks(int rows, int chunk, int min_chunks, void (*fn)(void *ctx, int r0, int r1), void *ctx);

#endif
