/* normalizer.h — the normalizers of Hugging Face tokenizers (normalizer.c;
 * the Unicode forms, case and accents in normalizer_unicode.c, SentencePiece's
 * precompiled charsmap in precompiled.c): read from a tokenizer.json's
 * "normalizer" and applied to a normalized string, spans kept.
 *
 *   NFC NFD NFKC NFKD   Unicode normalization forms (libutf8proc)
 *   Lowercase           char::to_lowercase of every character
 *   Strip               strip_left / strip_right: whitespace at the ends
 *   StripAccents        removes combining marks (Mn, Mc, Me)
 *   Replace             pattern (String or Regex) -> content
 *   Prepend             prepend, before a non-empty string
 *   BertNormalizer      clean_text, handle_chinese_chars, strip_accents
 *                       (null: as lowercase), lowercase
 *   Precompiled         precompiled_charsmap (T5, XLM-R, ALBERT)
 *   ByteLevel           bytes to GPT-2's byte characters
 *   Nmt                 drops control characters, makes other spaces ' '
 *   Sequence            normalizers, nested Sequences flattened
 *
 * The normalizer owns its patterns and tables: tk_normalizer_free().
 * Functions return 0, or -1 with err filled (reading: ATTN_EXIT_INPUT
 * naming the file and JSON path; applying: memory, or a regex that PCRE2
 * gave up on).
 */
#ifndef ATTN_TK_NORMALIZER_H
#define ATTN_TK_NORMALIZER_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/error.h"
#include "text/tokenizer/nstr.h"
#include "text/tokenizer/regex.h"
#include "text/tokenizer/scratch.h"
#include "text/tokenizer/tkjson.h"

typedef enum {
    TN_NFC, TN_NFD, TN_NFKC, TN_NFKD, TN_LOWERCASE, TN_STRIP, TN_STRIP_ACCENTS, TN_REPLACE, TN_PREPEND,
    TN_BERT, TN_PRECOMPILED, TN_BYTELEVEL, TN_NMT
} tk_norm_type;

/* SentencePiece's precompiled charsmap: a darts-clone double array over
 * UTF-8 bytes whose values are offsets of NUL-terminated replacements. */
typedef struct {
    uint32_t *unit;   /* [n_unit] the double array */
    size_t n_unit;
    char *repl;       /* [n_repl] the replacements */
    size_t n_repl;
} tk_charsmap;

typedef struct {
    tk_norm_type type;
    int left, right;                                   /* Strip */
    int clean_text, chinese, strip_accents, lowercase; /* BertNormalizer */
    tk_pattern pat;                                    /* Replace */
    char *content;                                     /* Replace, Prepend */
    tk_charsmap map;                                   /* Precompiled */
} tk_norm;

typedef struct {
    tk_norm *n;       /* [count], applied in order */
    int count;
} tk_normalizer;

/* Reads node (a tokenizer.json normalizer, or null: none) at JSON path. */
int tk_normalizer_read(tk_normalizer *nz, const tkj *j, const cJSON *node, const char *path);
void tk_normalizer_free(tk_normalizer *nz);
int tk_normalize(const tk_normalizer *nz, nstr *s, tk_scratch *sc, attn_error *err);

/* ---- normalizer_unicode.c ---- */
/* A Unicode normalization form: compat (K) and/or compose (C). */
int tk_norm_nf(nstr *s, int compat, int compose, nchanges *ch);
int tk_norm_lowercase(nstr *s, nchanges *ch);
/* Keeps the characters for which keep() holds (NormalizedString::filter). */
int tk_norm_filter(nstr *s, int (*keep)(uint32_t cp), nchanges *ch);
/* BertNormalizer, all four steps as its flags say. */
int tk_norm_bert(nstr *s, const tk_norm *n, nchanges *ch);
/* Nmt: ASCII control characters dropped, tabs, line ends, zero-width and
 * other spaces (and U+2581, U+FEFF, U+FFFD) made ' '. */
int tk_norm_nmt(nstr *s, nchanges *ch);
/* GPT-2's byte characters: each byte of each character becomes one. */
int tk_norm_bytelevel(nstr *s, nchanges *ch);
/* GPT-2's bytes_to_unicode(): the code point that stands for byte b. */
uint32_t tk_byte_char(int b);
/* The byte code point cp stands for, or -1. */
int tk_char_byte(uint32_t cp);

/* ---- precompiled.c ---- */
/* Decodes the base64 charsmap; returns 0, or -1 with why[] filled. */
int tk_charsmap_read(tk_charsmap *m, const char *base64, char *why, size_t cap);
void tk_charsmap_free(tk_charsmap *m);
int tk_norm_precompiled(nstr *s, const tk_charsmap *m, nchanges *ch);

#endif
