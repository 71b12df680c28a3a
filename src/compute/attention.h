/* attention.h — attention weights for one head, or a batch of heads on
 * every thread: scores, mask, softmax, and the weighted sum of values.
 *
 * One free function per step, llm.c style; callers own every buffer and
 * nothing allocates or fails. Rows are queries, columns are keys.
 */
#ifndef ATTN_ATTENTION_H
#define ATTN_ATTENTION_H

/* In place, each row of x[rows, cols]: x ← softmax(x), computed in float32
 * with the row maximum subtracted before exp. With causal set, row i (of the
 * full matrix, i = row0 + r) only uses columns j <= i; the masked columns are
 * set to exactly 0. A row whose every column is masked becomes all 0. */
void softmax_forward(float *x, int rows, int cols, int causal, int row0);

/* As softmax_forward, with the masks of the decoder families: row r stands
 * for the query at position row0 + r among keys at positions 0 .. cols - 1;
 * causal masks keys after it, window > 0 keys window or more positions
 * before it (a sliding window: it sees itself and window - 1 keys back). */
void softmax_masked_forward(float *x, int rows, int cols, int row0, int causal, int window);

/* att[n_q, n_k] = softmax(scale · q_h · k_hᵀ) for one head, where q_h is the
 * d_head columns starting at q (row stride ld_q) and k_h likewise. scale is
 * 1/sqrt(d_head) for scaled_dot, 1 for dot. A row whose scores overflow
 * (inf or NaN where the mask keeps them) comes out all NaN instead, for
 * finite_scores() (finite.h) to report; so does one of the additive score
 * below. */
void attention_head_forward(float *att, const float *q, int ld_q, const float *k,
                            int ld_k, int n_q, int n_k, int d_head, float scale,
                            int causal);

/* How attention_scores_forward scores and masks. */
typedef struct {
    float scale;    /* multiplies q·k */
    float softcap;  /* > 0: scores ← softcap · tanh(scores / softcap), before the mask */
    int causal;     /* keys after the query are masked */
    int window;     /* > 0: keys window or more positions before the query are masked */
    int q_pos0;     /* position of query row 0 (keys sit at 0 .. n_k - 1) */
    const float *bias; /* [n_q, n_k] added to the scores before the mask (T5's relative
                          positions), or NULL */
} attn_score_opts;

/* attention_head_forward with the options of the decoder families
 * (Hugging Face's eager_attention_forward: scores · scaling, soft-capping,
 * the mask, softmax). */
void attention_scores_forward(float *att, const float *q, int ld_q, const float *k, int ld_k, int n_q, int n_k,
                              int d_head, const attn_score_opts *o);

/* A batch of heads at once, each as attention_scores_forward and, when
 * out is set, attention_values_forward: work units of one head's query
 * rows (the chunks those functions split a head into, so the same bits)
 * claimed by every thread, each unit its scores, softmax and values, so
 * the threads meet once per batch instead of twice per head. */
typedef struct {
    float *att;         /* [n_q, n_k] this head's weights */
    const float *q, *k; /* this head's query and key columns (row strides ld_q, ld_k) */
    const float *v;     /* its value columns (row stride ld_v), when out is set */
    float *out;         /* [n_q, ld_out] its output columns, or NULL: no values */
    const float *bias;  /* [n_q, n_k] added to its scores (T5), or NULL */
} attn_head_io;

void attention_heads_forward(const attn_head_io *heads, int n_heads, int ld_q, int ld_k, int ld_v, int ld_out,
                             int n_q, int n_k, int d_head, const attn_score_opts *o);

/* The most heads attention_batch_heads() gives. */
enum { ATTN_MAX_BATCH = 64 };

/* How many heads attention_heads_forward is best given at a time (with a
 * weights buffer [n_q, n_k] each): as many as 4 MiB of weights hold, at
 * least one per thread, at most n_heads and ATTN_MAX_BATCH, and fewer (down to 1) when
 * the buffers would pass 64 MiB (long inputs). */
int attention_batch_heads(int n_heads, int n_q, int n_k);

/* out_h[n_q, d_head] (row stride ld_out) = att[n_q, n_k] · v_h[n_k, d_head]
 * (row stride ld_v): the head's output, the weighted sum of value vectors. */
void attention_values_forward(float *out_h, int ld_out, const float *att,
                              const float *v, int ld_v, int n_q, int n_k, int d_head);

/* Chooses the softmax path, for tests: 2 (default) uses AVX-512 or AVX2 when
 * the CPU has them, 1 at most AVX2, 0 the plain C path. All give the same
 * bits. */
void softmax_use_simd(int level);

/* Additive (Bahdanau) scores followed by softmax, for one head:
 *   att[i, j] = softmax_j( v_hᵀ · tanh(Wq_h·q_i + Wk_h·k_j) )
 * q_h, k_h as in attention_head_forward; wq_h and wk_h are the head's
 * [d_head, d_head] matrices ([out, in]), v_h its [d_head] vector; scratch
 * holds (n_q + n_k) · d_head floats. No scaling. */
void attention_additive_forward(float *att, const float *q, int ld_q, const float *k, int ld_k,
                                const float *wq_h, const float *wk_h, const float *v_h,
                                int n_q, int n_k, int d_head, int causal, float *scratch);

#endif
