/* subword_core.h — the core the subword tokenizers share, below every
 * algorithm: the vocabulary (subword_vocab.c), the tokenizer object, added
 * tokens and the output of pieces (subword.c). Not a public interface:
 * callers use subword.h. The algorithms build on this file (wordpiece.h,
 * bpe.h), the file readers and tokenizer_encode() on them; nothing here
 * calls up into them.
 *
 * The tokenizer owns every buffer below; tokenizer_free() releases them.
 * Functions returning int give 0, or -1 with err filled.
 */
#ifndef ATTN_SUBWORD_CORE_H
#define ATTN_SUBWORD_CORE_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/buf.h"
#include "text/subword.h"

/* Largest tokenizer file read (vocab.txt, vocab.json, merges.txt,
 * tokenizer.json): 256 MiB. */
#define SW_MAX_FILE ((size_t)256 << 20)

/* ---- the vocabulary: id -> string, and a hash table string -> id ---- */
typedef struct {
    char *str;        /* [str_len] every entry, NUL-terminated, in id order */
    size_t str_len, str_cap;
    uint32_t *off;    /* [n] offset of entry i in str */
    uint32_t *len;    /* [n] byte length of entry i */
    uint64_t *slot;   /* [cap] hash << 32 | (id + 1), or 0 for an empty slot
                         (open addressing: the hash is compared in the slot) */
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

/* ---- BPE merges: (left id, right id) -> (rank, merged id) ---- */
typedef struct {
    uint64_t key;     /* left << 32 | right, or UINT64_MAX when empty */
    int32_t rank;
    int32_t merged;   /* id of left + right */
} sw_merge;

typedef struct {
    sw_merge *slot;   /* [cap] open addressing */
    uint32_t cap;
    int n;
} sw_merges;

/* A text that is one token whatever surrounds it (Hugging Face's "added
 * tokens": [CLS], [MASK], <|endoftext|>): matched in the raw text before
 * normalization. */
typedef struct {
    int id;
    int lstrip, rstrip;  /* also take the whitespace on that side */
    int single_word;     /* only when not inside a word */
} sw_added;

struct attn_tokenizer {
    attn_subword_kind kind;
    char *what;          /* the source named in messages */
    sw_vocab v;
    int unk;             /* id of the unknown token, or -1 */
    int first, last;     /* specials added around the text, or -1 */
    int def_first, def_last; /* the model's usual specials (tokenizer_default_specials) */
    sw_added *added;     /* [n_added], longest content first */
    int n_added;
    unsigned char added_first[32]; /* bitmap of the added tokens' first bytes */
    /* WordPiece */
    int clean_text, chinese, strip_accents, lowercase;
    int max_chars;       /* longer words are unk (100) */
    char *prefix;        /* continuation prefix ("##") */
    size_t prefix_len;
    /* BPE */
    sw_merges m;
    int32_t byte_id[256];/* id of the one-symbol token of each byte, or -1 */
    int add_prefix_space, use_regex, ignore_merges;
};

/* A tokenizer with nothing loaded yet (vocabulary empty, ids -1); what is
 * copied. */
attn_tokenizer *sw_new(attn_subword_kind kind, const char *what, attn_error *err);

/* Reads a whole tokenizer file (at most SW_MAX_FILE bytes), NUL-terminated. */
char *sw_read_file(const char *path, size_t *len, attn_error *err);

/* Builds tk->v from entries[i] (length lens[i]) with id i; where names
 * entry i in messages (e.g. "vocab.txt:%d" with line i + 1). Rejects an
 * empty vocabulary, invalid UTF-8, empty and duplicate entries. */
typedef void (*sw_where_fn)(char *dst, size_t cap, const void *ctx, int i);
int sw_vocab_build(attn_tokenizer *tk, const char *const *entries, const size_t *lens, int n,
                   sw_where_fn where, const void *ctx, attn_error *err);

/* Reads a JSON object {token: id} into tk->v: ids non-negative integers,
 * each once, 0..n-1 without gaps. path names the object in messages
 * ("encoder.json", "tokenizer.json: model.vocab"). */
int sw_vocab_from_json(attn_tokenizer *tk, const cJSON *obj, const char *path, attn_error *err);

/* The same from the text of a vocab.json (text[len] == '\0'); a plain
 * {"token": id, ...} is read without building a cJSON tree. */
int sw_vocab_from_json_text(attn_tokenizer *tk, const char *text, size_t len, const char *path,
                            attn_error *err);

/* A tokenizer whose vocabulary is vocab[0..n) (ids in order; messages name
 * "WHAT: vocab[i]"). */
attn_tokenizer *sw_from_list(attn_subword_kind kind, const char *const *vocab, int n, const char *what,
                             attn_error *err);

/* Adds an added token (which must be in the vocabulary). */
int sw_add_special(attn_tokenizer *tk, int id, int lstrip, int rstrip, int single_word,
                   attn_error *err);
/* Registers every name in names[] that is in the vocabulary as an added
 * token (the defaults of the slow Hugging Face tokenizers). */
int sw_add_present(attn_tokenizer *tk, const char *const *names, int n, attn_error *err);

/* ---- encoding ---- */

/* The tokens of one encode call, collected before they become one block. */
typedef struct {
    attn_token *tok;     /* [cap]; .text unused until sw_out_finish */
    size_t *text_off;    /* [cap] offset of each token's text in text */
    int n, cap;
    attn_buf text;       /* the display texts, each NUL-terminated */
    int failed;          /* memory ran out */
} sw_out;

/* Appends a token; display is its text (len bytes, or -1: strlen). */
int sw_out_push(sw_out *o, int id, size_t start, size_t end, const char *display, long len);
/* The texts of the last token pushed can also be written piecewise: */
int sw_out_begin(sw_out *o, int id, size_t start, size_t end);
int sw_out_end(sw_out *o);

/* Unicode properties, as Hugging Face tokenizers uses them. */
int sw_is_whitespace(uint32_t cp); /* Rust char::is_whitespace (White_Space) */
int sw_is_letter(uint32_t cp);     /* \p{L} */
int sw_is_number(uint32_t cp);     /* \p{N} */

#endif
