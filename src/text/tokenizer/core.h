/* core.h — the tokenizer object every part of the pipeline shares (not a
 * public interface: callers use text/subword.h). It holds the stages as
 * Hugging Face tokenizers orders them:
 *
 *   added tokens (added.c) -> normalizer (normalizer.h) -> added tokens
 *   matched after normalization -> pre-tokenizer (pretokenizer.h) -> model
 *   (bpe.c, wordpiece.c, wordlevel.c, unigram.c) -> post-processor
 *   (postproc.c: the special tokens) -> decoder (decoder.c: the labels)
 *
 * tokenizer_encode() (encode.c) runs them; the readers (tokenizer_json.c,
 * and vocab.txt / vocab.json + merges.txt in wordpiece.c and bpe.c) fill
 * them. core.c has the object, the specials and file reading.
 *
 * One id space: the model's vocabulary has ids 0 .. n_model - 1 in v, and
 * added tokens that are not in it follow. Models look up only ids below
 * n_model (tk_model_find), as tokenizers' models see only their own
 * vocabulary.
 *
 * The tokenizer owns every buffer below; tokenizer_free() releases them.
 * Functions returning int give 0, or -1 with err filled.
 */
#ifndef ATTN_TK_CORE_H
#define ATTN_TK_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "text/subword.h"
#include "text/tokenizer/normalizer.h"
#include "text/tokenizer/pretokenizer.h"
#include "text/tokenizer/vocab.h"

/* Largest tokenizer file read (vocab.txt, vocab.json, merges.txt,
 * tokenizer.json): 256 MiB. */
#define SW_MAX_FILE ((size_t)256 << 20)

typedef enum { TM_BPE, TM_WORDPIECE, TM_WORDLEVEL, TM_UNIGRAM, TM_SPM } tk_model_type;

/* BPE merges: (left id, right id) -> (rank, merged id). */
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

/* An added token (tokenizers' AddedToken): one token wherever its text
 * stands. */
typedef struct {
    int id;
    int lstrip, rstrip;  /* also take the whitespace on that side */
    int single_word;     /* only when not inside a word */
    int normalized;      /* matched in the normalized text (else the raw text) */
    int special;
    char *text;          /* what is matched: the content, normalized when normalized */
    size_t len;
} sw_added;

/* The added tokens matched in one text (raw or normalized), for the
 * leftmost-longest search of tokenizers' Aho-Corasick automaton: their
 * texts by hash, and per first byte the lengths there are, longest first. */
typedef struct {
    sw_vocab texts;      /* each text; its id here is an index into idx */
    int *idx;            /* [texts.n] the sw_added of each text */
    uint16_t *lens;      /* lengths, grouped by first byte */
    uint32_t at[257];    /* lens[at[b] .. at[b + 1]) for first byte b */
} tk_added_set;

/* The decoders that make the labels (decoder.c). */
typedef enum {
    TD_BYTELEVEL, TD_METASPACE, TD_BYTEFALLBACK, TD_WORDPIECE, TD_FUSE, TD_STRIP, TD_REPLACE, TD_BPE, TD_CTC
} tk_dec_type;

typedef struct {
    tk_dec_type type;
    tk_pattern pat;           /* Replace */
    char *content;            /* Replace: the replacement; Strip, Metaspace: the character; BPEDecoder: the suffix */
    int start, stop;          /* Strip */
    int strip_first;          /* Metaspace: no space for the first token's replacement */
} tk_dec;

struct attn_tokenizer {
    char *what;          /* the source named in messages */
    sw_vocab v;
    int n_model;         /* the model's own entries: ids 0 .. n_model - 1 */
    tk_model_type model;
    int unk;             /* id of the unknown token, or -1 */
    /* the pipeline */
    tk_normalizer norm;
    tk_pretokenizer pre;
    sw_added *added;     /* [n_added] */
    int n_added;
    tk_added_set raw, normd; /* matched in the raw / normalized text (added.c) */
    tk_regex *word_re;   /* Rust regex's \w as one character, for single_word */
    /* BPE */
    sw_merges m;
    int byte_fallback, fuse_unk, ignore_merges;
    char *prefix;        /* continuing_subword_prefix (BPE, WordPiece), or NULL */
    size_t prefix_len;
    char *suffix;        /* end_of_word_suffix (BPE), or NULL */
    size_t suffix_len;
    int32_t byte_tok[256]; /* byte fallback: id of "<0xNN>", or -1 */
    /* WordPiece */
    int max_chars;       /* longer words are unk (100) */
    /* Unigram */
    double *score;       /* [n_model] */
    double min_score;
    uint64_t *prefix_set; /* [pcap] hashes of every prefix of every piece (0: empty) */
    uint32_t pcap;
    /* SentencePiece's own model (spm.c): the whole pipeline, in place of
     * the normalizer, pre-tokenizers and model above */
    struct spm_lib *spm;
    int spm_marian;      /* Marian: ids from vocab.json (v), language codes */
    /* the special tokens around the text: the active ones, and the
     * post-processor's (tokenizer_default_specials) */
    int *first, *last, n_first, n_last;
    int *def_first, *def_last, n_def_first, n_def_last;
    int trim_offsets, trim_prefix_space; /* ByteLevel / RoBERTa post-processing */
    long trunc_max;      /* truncation.max_length, or -1: none */
    int trunc_left;      /* truncation.direction Left */
    int trunc_strategy;  /* 0 LongestFirst, 1 OnlyFirst, 2 OnlySecond */
    /* labels */
    tk_dec *dec;
    int n_dec;
};

/* A tokenizer with nothing loaded yet (vocabulary empty, ids -1); what is
 * copied. */
attn_tokenizer *sw_new(const char *what, attn_error *err);

/* Reads a whole tokenizer file (at most SW_MAX_FILE bytes), NUL-terminated. */
char *sw_read_file(const char *path, size_t *len, attn_error *err);

/* A tokenizer whose vocabulary is vocab[0..n) (ids in order; messages name
 * "WHAT: vocab[i]"). */
attn_tokenizer *sw_from_list(const char *const *vocab, int n, const char *what, attn_error *err);

/* The id of s[0..len) in the model's vocabulary, or -1. */
static inline int tk_model_find(const attn_tokenizer *tk, const char *s, size_t len)
{
    int id = sw_vocab_find(&tk->v, s, len);
    return id < tk->n_model ? id : -1;
}

/* Adds an added token (id in the vocabulary; content its text); sets the
 * text to match (normalized when the flag says so). */
int sw_add_token(attn_tokenizer *tk, int id, int lstrip, int rstrip, int single_word, int normalized, int special,
                 attn_error *err);
/* Registers every name in names[] that is in the vocabulary as an added
 * token (the defaults of the slow Hugging Face tokenizers). */
int sw_add_present(attn_tokenizer *tk, const char *const *names, int n, attn_error *err);

/* ---- added.c ---- */
/* Builds tk->raw and tk->normd from tk->added (after the last
 * sw_add_token). */
int tk_added_build(attn_tokenizer *tk, attn_error *err);
void tk_added_free(attn_tokenizer *tk);
/* The leftmost-longest added token of set in s[0..len) at or after from:
 * 1 with its index in tk->added and span [*ms, *me), or 0. */
int tk_added_next(const tk_added_set *set, const char *s, size_t len, size_t from, int *idx, size_t *ms,
                  size_t *me);

/* Appends a decoder of type t without options. */
int sw_add_decoder(attn_tokenizer *tk, tk_dec_type t, attn_error *err);

/* Sets the default specials (one list before the text, one after). */
int sw_set_default_specials(attn_tokenizer *tk, const int *first, int n_first, const int *last, int n_last,
                            attn_error *err);

#endif
