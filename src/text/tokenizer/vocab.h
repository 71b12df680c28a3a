/* vocab.h — the vocabulary of a subword tokenizer (vocab.c): entries in id
 * order in one string arena, and an open-addressing hash table from entry
 * to id; the checks every loader makes on a vocabulary, and the readers of
 * a JSON {token: id} object (vocab.json, tokenizer.json's model.vocab).
 *
 * A vocabulary owns its buffers: sw_vocab_free(). Functions returning int
 * give 0, or -1 with err filled (ATTN_EXIT_INPUT naming the entry for bad
 * input, ATTN_EXIT_RUNTIME for memory), unless said otherwise.
 */
#ifndef ATTN_TK_VOCAB_H
#define ATTN_TK_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/error.h"

/* A slot of the hash table: the entry's hash and id + 1 (0: empty); a
 * look-up reads the entry's length and text only when the hash matches.
 * Eight bytes a slot: the table of a 7,890-word vocabulary (16,384 slots)
 * is 32 pages, and building it was most of the default model's load. */
typedef struct {
    uint32_t hash, id1;
} sw_slot;

typedef struct {
    char *str;        /* [str_len] every entry, NUL-terminated, in id order */
    size_t str_len, str_cap;
    uint32_t *off;    /* [n] offset of entry i in str */
    uint32_t *len;    /* [n] byte length of entry i */
    sw_slot *slot;    /* [cap] open addressing, linear probing */
    uint32_t cap;     /* a power of two, >= 2 * n_cap */
    int n, n_cap;
} sw_vocab;

/* Starts an empty vocabulary with room for about n entries of bytes bytes
 * in all. */
int sw_vocab_init(sw_vocab *v, int n, size_t bytes, attn_error *err);
void sw_vocab_free(sw_vocab *v);
/* Appends s[0..len) with the next id. Returns that id; or -2 when s is
 * already present (its id in *dup), -1 when memory runs out (err filled). */
int sw_vocab_add(sw_vocab *v, const char *s, size_t len, int *dup, attn_error *err);
/* The id of s[0..len), or -1. */
int sw_vocab_find(const sw_vocab *v, const char *s, size_t len);
static inline const char *sw_vocab_str(const sw_vocab *v, int id) { return v->str + v->off[id]; }

/* Builds v from entries[i] (length lens[i]) with id i; where names entry i
 * in messages (e.g. "vocab.txt:%d" with line i + 1), what the whole
 * vocabulary. Rejects an empty vocabulary, invalid UTF-8, empty and
 * duplicate entries. */
typedef void (*sw_where_fn)(char *dst, size_t cap, const void *ctx, int i);
int sw_vocab_build(sw_vocab *v, const char *what, const char *const *entries, const size_t *lens, int n,
                   sw_where_fn where, const void *ctx, attn_error *err);
/* One entry of such a build (sw_vocab_init first): entry i, s[0..len),
 * checked as sw_vocab_build checks it and added with the next id. 0, or -1
 * (err filled). */
int sw_vocab_put(sw_vocab *v, const char *s, size_t len, int i, sw_where_fn where, const void *ctx,
                 attn_error *err);

/* Reads a JSON object {token: id} into v: ids non-negative integers, each
 * once, 0..n-1 without gaps. path names the object in messages
 * ("encoder.json", "tokenizer.json: model.vocab"). */
int sw_vocab_from_json(sw_vocab *v, const cJSON *obj, const char *path, attn_error *err);
/* The same from the text of a vocab.json (text[len] == '\0'); a plain
 * {"token": id, ...} is read without building a cJSON tree. */
int sw_vocab_from_json_text(sw_vocab *v, const char *text, size_t len, const char *path, attn_error *err);

/* Writes s[0..len) to dst[cap] in double quotes, escaped as every message
 * escapes input (textesc_quote(), base/textesc.h), cut with "..." when
 * long: a vocabulary entry in a message. */
void sw_quote(char *dst, size_t cap, const char *s, size_t len);

#endif
