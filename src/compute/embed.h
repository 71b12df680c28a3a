/* embed.h — tokens to the first residual stream: vocabulary ids, token
 * embeddings (or hashed ones), positions added to them.
 *
 * Callers own every buffer. tokens_assign_ids() and embed_forward() return
 * 0, or -1 with err filled (ATTN_EXIT_INPUT); the others cannot fail.
 */
#ifndef ATTN_EMBED_H
#define ATTN_EMBED_H

#include "base/error.h"
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

/* x[n, d_model] = the embeddings of t's tokens (ids assigned) at positions
 * pos0, pos0 + 1, ...: embeddings.token[id] · emb_scale (or the hashed
 * embedding of the text), plus the token type 0 embedding (BERT), the
 * positional encoding (sinusoidal or learned), then the embedding layer
 * norm (BERT). */
int embed_forward(float *x, const attn_tokens *t, const attn_model *m, int pos0, attn_error *err);

#endif
