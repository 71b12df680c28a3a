/* gemm_fixed.h — the matrix product of small inputs, with a fixed order of
 * operations, so that they give the same bits on every CPU (OpenBLAS picks
 * its kernel by CPU and rounds differently).
 *
 * c[i, j] = alpha · Σ_p a[i, p] · b(p, j) (+ bias[j]), b(p, j) = b[j, p]
 * when bt, else b[p, j]: every sum starts from 0 and adds the products one
 * multiply and one add at a time (never fused: ISO C mode does not
 * contract, and the vector path uses separate instructions) in increasing
 * p, then is multiplied by alpha, then added to the bias. The AVX2 and C
 * paths, any blocking, and any split of the columns across threads give the
 * same bits. Row-major with leading dimensions; callers own every buffer;
 * nothing allocates or fails.
 */
#ifndef ATTN_GEMM_FIXED_H
#define ATTN_GEMM_FIXED_H

void gemm_fixed(float *c, int ldc, const float *a, int lda, const float *b, int ldb, int bt, int m, int n, int k,
                float alpha, const float *bias);

/* Chooses the path, for tests: 1 (default) AVX2 when the CPU has it, 0 the
 * plain C path. */
void gemm_fixed_use_simd(int on);

#endif
