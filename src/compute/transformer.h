/* transformer.h — embeddings, positions and the layer stack.
 *
 * transformer_forward() runs the model over a token list and fills an
 * attn_result with the weights of the requested layers and heads. Layer l,
 * with h = LN(x) for pre layer norm and h = x otherwise, and s = h for
 * self-attention or s = the source embeddings for cross-attention:
 *     Q, K, V = h·Wqᵀ + bq, s·Wkᵀ + bk, s·Wvᵀ + bv   [n_q | n_k, d_model]
 *               (Q = h, K = V = s for a model without projections)
 *     A_h     = softmax(score(Q_h, K_h))             [n_q, n_k] per head
 *               scaled_dot: Q_h K_hᵀ/√d_head; dot: Q_h K_hᵀ;
 *               additive: v_hᵀ tanh(Wq_h q_i + Wk_h k_j)
 *     x      ← x + concat_h(A_h V_h) · Woᵀ + bo      (residual stream)
 *     x      ← LN(x) for post layer norm
 * The embedding of token i is embeddings.token[id] (vocabulary models) or the
 * hashed embedding of its text, plus the positional encoding of position i.
 *
 * Ownership: the result's weights/layers/heads are allocated here and freed
 * with result_free(); tokens are borrowed. Returns 0, or -1 with err filled.
 */
#ifndef ATTN_TRANSFORMER_H
#define ATTN_TRANSFORMER_H

#include "base/error.h"
#include "compute/result.h"
#include "model/model.h"
#include "text/tokenize.h"

/* x[pos, :] += PE[pos, :] for pos < n, where PE[pos, 2i] = sin(pos /
 * 10000^(2i/d)) and PE[pos, 2i+1] = cos(same), computed in double and
 * rounded to float (Vaswani et al., 2017). x is [n, d]. */
void positional_sinusoidal_add(float *x, int n, int d);

/* The hashed embedding of a word: d floats uniform in [-√3, √3) (variance 1)
 * from rng.h seeded with rng_hash(word). */
void embedding_hashed(float *out, const char *word, int d);

/* Assigns token ids from the model's vocabulary (unk for unknown words, -1
 * for hashed models; a subword tokenizer's tokens keep theirs); fails if
 * there is no unk and a word is unknown, or if a learned positional table is
 * shorter than the sentence. */
int tokens_assign_ids(attn_tokens *t, const attn_model *m, attn_error *err);

/* x[n, d_model] = embedding + position for each token (ids assigned). */
int embed_forward(float *x, const attn_tokens *t, const attn_model *m, attn_error *err);

/* Q, K and V of layers 0..n_layers-1, for --explain. Owned by the trace;
 * trace_free() releases them. */
typedef struct {
    int n_layers, n_q, n_k, d_model;
    float *q;                 /* [n_layers][n_q, d_model] */
    float *k, *v;             /* [n_layers][n_k, d_model] */
} attn_trace;

void trace_free(attn_trace *tr);

typedef struct {
    const attn_tokens *source; /* NULL: self-attention; else keys and values
                                  come from these tokens (cross-attention) */
    attn_trace *trace;         /* NULL, or filled with Q, K, V of every layer run */
    /* When sink is set, each shown head's weights w[n_q, n_k] go to it as
     * soon as they are computed, in order, and res->weights stays NULL, so
     * memory holds one head's matrix instead of all of them. A non-zero
     * return stops the pass with that error. */
    int (*sink)(void *ctx, const attn_result *r, int li, int hi, const float *w, attn_error *err);
    void *sink_ctx;
} forward_opts;

/* layers[n_layers], heads[n_heads]: 0-based indices to keep in the result.
 * res->meta is kept as the caller set it; the rest of *res is filled here.
 * fo may be NULL. */
int transformer_forward(attn_result *res, const attn_model *m, const attn_tokens *t,
                        const int *layers, int n_layers, const int *heads,
                        int n_heads, const forward_opts *fo, attn_error *err);

#endif
