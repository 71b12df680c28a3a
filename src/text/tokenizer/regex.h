/* regex.h — the regular expressions of tokenizer.json files (Split
 * pre-tokenizers, Replace normalizers and decoders, ByteLevel's GPT-2
 * pattern), matched with PCRE2 (UTF, Unicode properties, JIT) the way
 * Hugging Face tokenizers matches them with Oniguruma.
 *
 * Patterns are written in Oniguruma's syntax; tk_regex_new() rewrites the
 * constructs whose meaning differs in PCRE2 before compiling:
 *   \s  Oniguruma: TAB..CR, U+0085 and General_Category Z (PCRE2's UCP \s
 *       lacks U+0085);
 *   \w  letters, marks, decimal digits, connector punctuation (PCRE2 10.42's
 *       UCP \w is letters, numbers and '_'); \b and \B follow this \w;
 *   \h  a hexadecimal digit (PCRE2: horizontal space);
 *   \uHHHH  a code point (PCRE2 has no \u);
 *   (?m)   Oniguruma's "dot matches newline", PCRE2's (?s).
 * Then each \p{...} gets the characters Unicode 15.0 added (Oniguruma
 * knows them, PCRE2 10.42 stops at 14.0; unicode.h).
 * \S, \W and \H inside a bracket class, and nested classes, are refused
 * (PCRE2 cannot say them). Matches are found as the onig crate's
 * find_iter() does: leftmost first, an empty match right after the
 * previous match skipped.
 *
 * A tk_regex is immutable once compiled and may be shared by threads; the
 * matching scratch (tk_rx_scratch) belongs to one caller at a time.
 * tk_regex_new() returns NULL with why[] filled (the PCRE2 message and the
 * offset) for a pattern that does not compile; tk_regex_matches() returns
 * 0, or -1 with why[] filled when PCRE2 gives up (resource limits) or memory
 * runs out.
 */
#ifndef ATTN_TK_REGEX_H
#define ATTN_TK_REGEX_H

#include <stddef.h>

#include "text/tokenizer/nstr.h"

typedef struct tk_regex tk_regex;
typedef struct tk_rx_scratch tk_rx_scratch;

/* Compiles pattern[0..len) (Oniguruma syntax; see the file comment). */
tk_regex *tk_regex_new(const char *pattern, size_t len, char *why, size_t cap);
/* The same for a pattern already in PCRE2 syntax (the library's own). */
tk_regex *tk_regex_new_pcre(const char *pattern, char *why, size_t cap);
void tk_regex_free(tk_regex *re);

tk_rx_scratch *tk_rx_scratch_new(void);
void tk_rx_scratch_free(tk_rx_scratch *sc);

/* The cover of s[0..len) by the matches of re and the gaps between them
 * (the Pattern of a regex: an empty s is one empty gap). */
int tk_regex_matches(const tk_regex *re, tk_rx_scratch *sc, const char *s, size_t len, nmatches *m,
                     char *why, size_t cap);

/* A pattern of a tokenizer.json ({"String": s} or {"Regex": r}): a literal
 * (str, len; re NULL) or a compiled expression. The pattern owns both. */
typedef struct {
    char *str;
    size_t len;
    tk_regex *re;
} tk_pattern;

void tk_pattern_free(tk_pattern *p);
/* The cover of s[0..len) by the pattern's matches and the gaps; returns 0,
 * or -1 with why[] filled. */
int tk_pattern_matches(const tk_pattern *p, tk_rx_scratch *sc, const char *s, size_t len, nmatches *m, char *why,
                       size_t cap);

#endif
