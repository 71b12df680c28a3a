/* bpe.h — byte-level BPE (bpe.c: loading and merges; bpe_encode.c: the
 * encoder), internal to the subword tokenizers: above the shared core
 * (subword_core.h), below the readers (tokenizer_json.c) and the
 * dispatcher (subword_encode.c). The public constructors are in subword.h.
 *
 * The merges belong to the tokenizer; a bpe_cache belongs to one
 * tokenizer_encode() call (bpe_cache_free() releases it). Functions
 * returning int give 0, or -1 with err filled, unless said otherwise.
 */
#ifndef ATTN_BPE_H
#define ATTN_BPE_H

#include <stddef.h>
#include <stdint.h>

#include "text/subword_core.h"

/* The loader's finishing step: builds tk->byte_id. */
int bpe_init(attn_tokenizer *tk, attn_error *err);
/* Where the space of merge "a b" (s[0..n)) is: a > 0, or 0 when s is not
 * two non-empty tokens separated by one space. */
size_t bpe_split_merge(const char *s, size_t n);
/* Makes room for n merges at once (loading is faster without regrowing). */
int bpe_reserve_merges(attn_tokenizer *tk, int n, attn_error *err);
/* Adds merge "a b" (rank = number of merges so far). Messages name where
 * it is: "FILE:IDX" (a line) when label is NULL, else "FILE: LABEL[IDX]". */
int bpe_add_merge(attn_tokenizer *tk, const char *a, size_t alen, const char *b, size_t blen,
                  const char *file, const char *label, int idx, attn_error *err);

/* GPT-2's bytes_to_unicode(): the code point that stands for byte b. */
uint32_t bpe_byte_cp(int b);
/* The merge of (a, b): returns its rank and stores the merged id, or -1. */
int bpe_pair(const sw_merges *m, int a, int b, int *merged);

/* Appends the display text of token bytes p[0..n) to b: spaces as "␣",
 * control characters and bytes that are not UTF-8 on their own escaped
 * (subword.h). */
void bpe_display(attn_buf *b, const unsigned char *p, size_t n);

/* Per-call scratch state of the BPE encoder (its cache of merged pieces). */
typedef struct bpe_cache bpe_cache;
void bpe_cache_free(bpe_cache *c);

/* Encodes text[start..end) (valid UTF-8, no added token inside) and
 * appends the tokens to o. */
int bpe_segment(const attn_tokenizer *tk, const char *text, size_t start, size_t end,
                bpe_cache **cache, sw_out *o, attn_error *err);

#endif
