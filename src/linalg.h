/* linalg.h — the few matrix kernels attnviz needs, over CBLAS (OpenBLAS).
 *
 * Row-major float32 throughout; callers own every buffer; nothing allocates
 * and nothing fails. BLAS (OpenBLAS) uses every core for one large product;
 * attention.c splits per-head work across linalg_threads() itself.
 */
#ifndef ATTN_LINALG_H
#define ATTN_LINALG_H

/* out[n, d_out] = in[n, d_in] · w[d_out, d_in]ᵀ + b[d_out] (b may be NULL),
 * as torch.nn.Linear. */
void linear_forward(float *out, const float *in, const float *w, const float *b,
                    int n, int d_in, int d_out);

/* c[m, n] = alpha · a[m, k] · b[n, k]ᵀ, with leading dimensions lda, ldb, ldc
 * (so a head's columns can be read in place from a [rows, d_model] matrix). */
void matmul_nt(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
               int m, int n, int k, float alpha);

/* c[m, n] = a[m, k] · b[k, n], leading dimensions as above. */
void matmul_nn(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
               int m, int n, int k);

/* Threads for attnviz's own parallel loops: the online cores, 1 to 64
 * (ATTNVIZ_THREADS overrides). */
int linalg_threads(void);

/* Brackets a region in which several threads call the kernels above at
 * once: BLAS runs single-threaded inside it (the region owns the cores) and
 * goes back to its own threads after. */
void linalg_parallel_begin(void);
void linalg_parallel_end(void);

#endif
