/* linalg.h — the few matrix kernels attnviz needs, over CBLAS (OpenBLAS).
 *
 * Row-major float32 throughout; callers own every buffer; nothing allocates
 * and nothing fails but the one case linear_forward names. BLAS (OpenBLAS)
 * runs single-threaded inside attnviz's own threads (parallel.h): every
 * product here is split across them, by output column or by input row,
 * whichever makes each thread pack less (small products too: the
 * fixed-order product of gemm_fixed.h gives the same bits however the
 * columns are split).
 */
#ifndef ATTN_LINALG_H
#define ATTN_LINALG_H

#include <stddef.h>

#include "model/model.h"

/* out[n, d_out] = in[n, d_in] · Wᵀ + b[d_out] (b may be NULL), as
 * torch.nn.Linear, with W [d_out, d_in] as stored in lin (model.h: rows of
 * lin->ld floats, or transposed when lin->in_out; 16-bit values when
 * lin->half, converted a block of rows at a time into a buffer of each
 * thread, or read directly for a few rows of input, so a 16-bit checkpoint
 * is never copied whole). Split across the threads by output column
 * (16-bit weights; float weights when n < d_out) or by input row. Small
 * products run in the fixed-order product (gemm_fixed.h) whatever the
 * storage, so they give the same bits everywhere. Returns 0, or -1 only
 * when the conversion buffer of a 16-bit weight cannot be allocated. */
int linear_forward(float *out, const float *in, const attn_linear *lin, int n, int d_in, int d_out);

/* x[n, d] ← act(x) in place (model.h: erf GELU, tanh GELU, ReLU or SiLU). */
void activation_forward(float *x, size_t n, attn_act act);

/* out[n, f] = act(gate[n, f]) ⊙ up[n, f], rows of ld_in floats (gate and up
 * may be two column ranges of one matrix), out rows of f floats. */
void glu_forward(float *out, const float *gate, const float *up, int ld_in, int n, int f, attn_act act);

/* c[m, n] = alpha · a[m, k] · b[n, k]ᵀ, with leading dimensions lda, ldb, ldc
 * (so a head's columns can be read in place from a [rows, d_model] matrix). */
void matmul_nt(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
               int m, int n, int k, float alpha);

/* c[m, n] = a[m, k] · b[k, n], leading dimensions as above. */
void matmul_nn(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
               int m, int n, int k);

#endif
