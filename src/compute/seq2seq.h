/* seq2seq.h — encoder-decoder models (model.h's attn_s2s: BART, mBART,
 * Marian, T5, mT5) as Hugging Face's modeling code computes them: the
 * encoder over the source tokens, the decoder over the target tokens
 * (teacher forcing: the decoder start token, then the target) with
 * cross-attention to the encoder's output, and greedy generation.
 *
 * Three kinds of attention are shown, one at a time: the encoder's
 * self-attention (source × source), the decoder's causal self-attention
 * (target × target) and the cross-attention (target × source: row t is the
 * decoder at target token t, predicting token t + 1). The layers are the
 * encoder's or the decoder's; a view of the decoder needs the whole encoder.
 *
 * Ownership: results as transformer.h. Functions return 0, or -1 with err
 * filled (ATTN_EXIT_INPUT for a sequence longer than the model's positions,
 * ATTN_EXIT_RUNTIME for memory).
 */
#ifndef ATTN_SEQ2SEQ_H
#define ATTN_SEQ2SEQ_H

#include "base/error.h"
#include "compute/forward.h"
#include "model/model.h"
#include "text/tokenize.h"

typedef enum { PART_CROSS = 0, PART_ENCODER, PART_DECODER } s2s_part;
extern const char *const s2s_part_names[]; /* "cross", "encoder", "decoder", NULL */

/* The layers and heads of a part. */
void s2s_part_shape(const attn_model *m, s2s_part part, int *n_layers, int *n_heads);

/* The part's attention for source tokens src and target tokens tgt (ids
 * assigned; tgt starts with the decoder start token) into res (shown
 * layers and heads 0-based, of the part's stack). */
int s2s_forward(attn_result *res, const attn_model *m, const attn_tokens *src, const attn_tokens *tgt,
                s2s_part part, const int *layers, int n_layers, const int *heads, int n_heads,
                const forward_opts *fo, attn_error *err);

/* Greedy generation as transformers' generate() does it with the model's
 * generation settings (decoder start token, end-of-sequence ids,
 * bad_words_ids of one token, min_length, forced_bos_token_id,
 * forced_eos_token_id at max_length = 1 + max_new): out[max_new] receives
 * the generated ids (not the start token), *n_out their number. */
int s2s_generate(const attn_model *m, const int *src, int n_src, int max_new, int *out, int *n_out,
                 attn_error *err);

/* The most target tokens the model's positions take (start token included). */
int s2s_max_target(const attn_model *m);

#endif
