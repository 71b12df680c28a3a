/* blas.h — OpenBLAS's SGEMM, loaded the first time a product needs it.
 *
 * Loading OpenBLAS (and starting its threads) took 4.0 ms of a process
 * that otherwise starts in 1.7 ms (hyperfine, 2026-12-06), and the example
 * sentence with the default model never needs it: its products are small
 * enough for the fixed-order product (gemm_fixed.h). So the library is not
 * linked but opened with dlopen() on the first call here, from the path the
 * Makefile compiles in (ATTNVIZ_BLAS_LIB: the pthread variant, whose buffer
 * allocator is safe for the concurrent calls attnviz makes from its own
 * threads), with one thread (BLAS runs inside attnviz's threads,
 * parallel.h): the loader sets OPENBLAS_NUM_THREADS=1 in the environment
 * before opening it, so it starts no thread of its own. Thread-safe;
 * nothing to free.
 *
 * When the library cannot be opened, blas_sgemm computes the same product
 * with gemm_fixed (correct, slower).
 */
#ifndef ATTN_BLAS_H
#define ATTN_BLAS_H

/* c[m, n] = alpha · a[m, k] · op(b) + bias[n] (bias NULL: none),
 * row-major; op(b) is b[k, n] (trans_b 0) or b[n, k]ᵀ (trans_b 1); leading
 * dimensions lda, ldb, ldc. */
void blas_sgemm(float *c, int ldc, const float *a, int lda, const float *b, int ldb, int trans_b, int m, int n,
                int k, float alpha, const float *bias);

#endif
