/* finite.h — non-finite arithmetic as an error: the forward pass's check.
 *
 * Weights that are finite can still overflow float32 in the forward pass
 * (a checkpoint with values around 1e30: q·k is then inf, and inf - inf
 * NaN). attnviz never computes on with such values, never converts them to
 * integers and never shows them: every architecture calls the checks here
 * on what it computes (the embeddings, each head's scores, each layer's
 * output, the logits of --generate), and fails with one line naming the place:
 *     "MODEL: layer 3 head 2: scores overflow float32; the weights are too large"
 * The scores of a head are checked through its weights: attention.c turns
 * a row whose scores are not all finite into a row of NaN instead of
 * softmaxing it (attention.h), and the softmax of finite scores is finite,
 * so finite_scores() reads one weight per row. The other checks are one
 * pass over the buffer (vectorised, no branch per element), small next to
 * the products that made it.
 *
 * Nothing here prints; only finite_weights() allocates (its list of
 * chunks). finite_all() returns 1 or 0; the finite_* checks return 0, or
 * -1 with err filled (ATTN_EXIT_INPUT: the model's weights are the cause). Layers and heads are 0-based in
 * arguments and 1-based in messages, as everywhere in the interface.
 */
#ifndef ATTN_FINITE_H
#define ATTN_FINITE_H

#include <stddef.h>

#include "base/error.h"
#include "model/model.h"

/* 1 if x[0..n) holds no inf and no NaN. */
int finite_all(const float *x, size_t n);

/* The checks: model names the model in the message (its path; NULL for
 * none). what says which values: "scores", "activations", "values". */

/* x[0..n) after the embeddings (token, position, type, layer norm). */
int finite_embeddings(const float *x, size_t n, const char *model, attn_error *err);

/* x[0..n) computed in layer (0-based): what = "activations" for the
 * layer's output, "values" for V. */
int finite_layer(const float *x, size_t n, int layer, const char *what, const char *model,
                 attn_error *err);

/* logits[0..n) of the language-model head (--generate). */
int finite_logits(const float *logits, size_t n, const char *model, attn_error *err);

/* A head's attention weights att[n_q, n_k] as attention.h leaves them
 * (every row finite, or all NaN where its scores overflowed). */
int finite_scores(const float *att, int n_q, int n_k, int layer, int head, const char *model,
                  attn_error *err);

/* model_check_weights(m, layer, err) (model.h: the weights of layer that
 * the loader left unread, such as the last shown layer's feed-forward
 * block, which the pass does not use) with the scan split across the
 * threads: the same result and the same message, which names the first
 * element that is not finite (the serial scan runs only then). */
int finite_weights(const attn_model *m, int layer, attn_error *err);

#endif
