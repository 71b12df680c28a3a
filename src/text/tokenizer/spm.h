/* spm.h — the SentencePiece model of a tokenizer (spm.c), for
 * tokenizer_encode() (encode.c): not a public interface (callers use
 * text/subword.h: tokenizer_from_spm, tokenizer_from_marian).
 *
 * tk_spm_encode() encodes text[a..b) with SentencePiece's own encoder
 * (spm_lib.h) and calls push for each piece with its id and its byte span
 * in text; for a Marian tokenizer, as MarianTokenizer._tokenize does: a
 * language code ">>xx<<" at the start is one piece, the pieces' ids come
 * from vocab.json (see spm.c). Returns 0, or -1 with err filled (or push's
 * -1 passed on).
 */
#ifndef ATTN_TK_SPM_H
#define ATTN_TK_SPM_H

#include <stddef.h>

#include "base/error.h"
#include "text/tokenizer/core.h"

typedef int (*tk_spm_push)(void *ctx, int id, size_t start, size_t end);

int tk_spm_encode(const attn_tokenizer *tk, const char *text, size_t a, size_t b, tk_spm_push push, void *ctx,
                  attn_error *err);

#endif
