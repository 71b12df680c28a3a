/* transformer.h — the forward pass: tokens in, attention of every shown
 * layer and head out.
 *
 * transformer_forward() runs the model over a token list and fills an
 * attn_result with the weights of the requested layers and heads. Real
 * models (bert, gpt2 and the decoder families) run through their layer
 * stacks (stack.h); the attention-only models (generated or from a JSON
 * weight file) run here. Layer l of those, with h = LN(x) for pre layer
 * norm and h = x otherwise, and s = h for self-attention or s = the source
 * embeddings for cross-attention:
 *     Q, K, V = h·Wqᵀ + bq, s·Wkᵀ + bk, s·Wvᵀ + bv   [n_q | n_k, d_model]
 *               (Q = h, K = V = s for a model without projections)
 *     A_h     = softmax(score(Q_h, K_h))             [n_q, n_k] per head
 *               scaled_dot: Q_h K_hᵀ/√d_head; dot: Q_h K_hᵀ;
 *               additive: v_hᵀ tanh(Wq_h q_i + Wk_h k_j)
 *     x      ← x + concat_h(A_h V_h) · Woᵀ + bo      (residual stream)
 *     x      ← LN(x) for post layer norm
 * The embedding of token i is embeddings.token[id] (vocabulary models) or the
 * hashed embedding of its text, plus the positional encoding of position i
 * (embed.h).
 *
 * Ownership: the result's weights/layers/heads are allocated here and freed
 * with result_free(); tokens are borrowed. Returns 0, or -1 with err filled.
 */
#ifndef ATTN_TRANSFORMER_H
#define ATTN_TRANSFORMER_H

#include "base/error.h"
#include "compute/embed.h"
#include "compute/forward.h"
#include "compute/result.h"
#include "model/model.h"
#include "text/tokenize.h"

/* layers[n_layers], heads[n_heads]: 0-based indices to keep in the result.
 * res->meta is kept as the caller set it; the rest of *res is filled here.
 * fo may be NULL. */
int transformer_forward(attn_result *res, const attn_model *m, const attn_tokens *t,
                        const int *layers, int n_layers, const int *heads,
                        int n_heads, const forward_opts *fo, attn_error *err);

#endif
