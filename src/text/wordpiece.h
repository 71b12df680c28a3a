/* wordpiece.h — the WordPiece algorithm (wordpiece.c), internal to the
 * subword tokenizers: above the shared core (subword_core.h), below the
 * readers (tokenizer_json.c) and the dispatcher (subword_encode.c). The
 * public constructors are in subword.h.
 *
 * Functions return 0, or -1 with err filled.
 */
#ifndef ATTN_WORDPIECE_H
#define ATTN_WORDPIECE_H

#include "text/subword_core.h"

/* The loader's finishing step: checks that unk (the unknown token's
 * spelling) is in the vocabulary and sets the WordPiece defaults. */
int wordpiece_init(attn_tokenizer *tk, const char *unk, attn_error *err);

/* Encodes text[start..end) (valid UTF-8, no added token inside) and
 * appends the tokens to o. */
int wordpiece_segment(const attn_tokenizer *tk, const char *text, size_t start, size_t end,
                      sw_out *o, attn_error *err);

#endif
