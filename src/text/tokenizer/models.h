/* models.h — the four models of Hugging Face tokenizers, each turning one
 * pre-tokenized piece (normalized UTF-8) into tokens:
 *
 *   BPE (bpe.c: vocabulary, merges, readers; bpe_encode.c: the merges
 *     applied): each character a symbol (continuing_subword_prefix before
 *     all but the first, end_of_word_suffix after the last); a character
 *     that is not in the vocabulary becomes its bytes' "<0xNN>" tokens
 *     (byte_fallback) or the unk token (consecutive ones fused with
 *     fuse_unk), or is dropped when there is neither; then the pair of
 *     lowest merge rank (leftmost among equals) is merged until none is
 *     left. ignore_merges: a piece that is in the vocabulary is one token.
 *   WordPiece (wordpiece.c): greedy longest match first, pieces after the
 *     first looked up with continuing_subword_prefix ("##"); a piece with no
 *     segmentation, or longer than max_input_chars_per_word characters, is
 *     one unk token.
 *   WordLevel (wordlevel.c): the piece itself, or the unk token.
 *   Unigram (unigram.c): the path of highest total score through the
 *     pieces of the vocabulary (Viterbi), an unknown character scoring the
 *     lowest score - 10; consecutive unknown characters fused; byte_fallback.
 *
 * A model's tokens are (id, [a, b)) byte ranges of the piece. Each model's
 * scratch belongs to one tokenizer_encode() call, which frees it.
 * Functions return 0, or -1 with err filled (reading: ATTN_EXIT_INPUT
 * naming the file and JSON path; encoding: memory, or a piece the model
 * cannot encode because the file names no unk token).
 */
#ifndef ATTN_TK_MODELS_H
#define ATTN_TK_MODELS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cJSON.h>

#include "text/tokenizer/core.h"
#include "text/tokenizer/tkjson.h"

typedef struct {
    int32_t id;
    uint32_t a, b;   /* bytes [a, b) of the piece */
} tk_piece;

typedef struct {
    tk_piece *p;     /* [n] */
    size_t n, cap;
    int failed;
} tk_pieces;

static inline void tk_pieces_push(tk_pieces *l, int id, size_t a, size_t b)
{
    if (l->failed || (l->failed = tk_grow((void **)&l->p, &l->cap, l->n + 1, sizeof *l->p) != 0)) return;
    l->p[l->n++] = (tk_piece){id, (uint32_t)a, (uint32_t)b};
}

typedef struct bpe_cache bpe_cache;
typedef struct {
    bpe_cache *bpe;
    double *best;        /* Unigram: [cap + 1] best score ending at each byte */
    int32_t *from, *tok; /* [cap + 1] where that path starts, its token */
    size_t cap;
    char *buf;           /* WordPiece: a candidate with its prefix */
    size_t buf_cap;
} tk_model_scratch;

/* ---- bpe.c ---- */
/* Where the space of merge "a b" (s[0..n)) is: a > 0, or 0 when s is not
 * two non-empty tokens separated by one space. */
size_t bpe_split_merge(const char *s, size_t n);
/* Makes room for n merges at once (loading is faster without regrowing). */
int bpe_reserve_merges(attn_tokenizer *tk, int n, attn_error *err);
/* Adds merge "a b" (rank = number of merges so far). Messages name where
 * it is: "FILE:IDX" (a line) when label is NULL, else "FILE: LABEL[IDX]". */
int bpe_add_merge(attn_tokenizer *tk, const char *a, size_t alen, const char *b, size_t blen, const char *file,
                  const char *label, int idx, attn_error *err);
/* The merge of (a, b): returns its rank and stores the merged id, or -1. */
int bpe_pair(const sw_merges *m, int a, int b, int *merged);
/* Reads a "BPE" model (vocab, merges and options) into tk. */
int bpe_read_json(attn_tokenizer *tk, const tkj *j, const cJSON *model);
/* The loaders' last step: the byte-fallback tokens. */
void bpe_init(attn_tokenizer *tk);

/* ---- bpe_encode.c ---- */
int bpe_tokenize(const attn_tokenizer *tk, const char *w, size_t n, tk_model_scratch *s, tk_pieces *out,
                 attn_error *err);
void bpe_cache_free(bpe_cache *c);

/* ---- wordpiece.c ---- */
int wordpiece_read_json(attn_tokenizer *tk, const tkj *j, const cJSON *model);
int wordpiece_tokenize(const attn_tokenizer *tk, const char *w, size_t n, tk_model_scratch *s, tk_pieces *out,
                       attn_error *err);

/* ---- wordlevel.c ---- */
int wordlevel_read_json(attn_tokenizer *tk, const tkj *j, const cJSON *model);
int wordlevel_tokenize(const attn_tokenizer *tk, const char *w, size_t n, tk_pieces *out, attn_error *err);

/* ---- unigram.c ---- */
int unigram_read_json(attn_tokenizer *tk, const tkj *j, const cJSON *model);
int unigram_tokenize(const attn_tokenizer *tk, const char *w, size_t n, tk_model_scratch *s, tk_pieces *out,
                     attn_error *err);

#endif
