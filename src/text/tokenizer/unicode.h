/* unicode.h — the character classes Hugging Face tokenizers' stages use,
 * each as the Rust function it stands for, from libutf8proc's tables.
 * Pure functions; nothing allocates or fails.
 */
#ifndef ATTN_TK_UNICODE_H
#define ATTN_TK_UNICODE_H

#include <stddef.h>
#include <stdint.h>

int uc_whitespace(uint32_t cp); /* char::is_whitespace (White_Space) */
int uc_letter(uint32_t cp);     /* \p{L} */
int uc_numeric(uint32_t cp);    /* char::is_numeric: Nd, Nl, No */
int uc_punct(uint32_t cp);      /* is_ascii_punctuation() || is_punctuation() (P* of Unicode 8.0) */
int uc_mark(uint32_t cp);       /* is_combining_mark: Mn, Mc, Me (of Unicode 9.0) */
int uc_mark_nonspacing(uint32_t cp); /* Mn (of Unicode 8.0) */
int uc_bert_control(uint32_t cp);    /* BertNormalizer's is_control: Cc, Cf, Co (of 8.0) but TAB, LF, CR */
int uc_bert_chinese(uint32_t cp);    /* BertNormalizer's is_chinese_char: the CJK ideograph blocks */
int uc_ccc(uint32_t cp);        /* canonical combining class (of Unicode 9.0) */
/* ---- Unicode versions (unicode_tables.c, from scripts/gen_unicode_tables.py) ----
 * libutf8proc knows Unicode 15.0. Hugging Face tokenizers' BertNormalizer,
 * BertPreTokenizer and Punctuation use Unicode 8.0's categories, its
 * normalization forms and StripAccents Unicode 9.0's data: to them a later
 * character has no category (it is unassigned), no decomposition and
 * combining class 0. PCRE2 10.42 knows Unicode 14.0, Oniguruma 15.0. */
typedef struct {
    uint32_t lo, hi;
    int value;
} uc_range;

extern const uc_range uc_age_table[];   /* code points assigned after 8.0: value = the version * 10 */
extern const size_t uc_age_count;
extern const uc_range uc_new15_table[]; /* new in 15.0: value = category index | 0x80 if Alphabetic */
extern const size_t uc_new15_count;
extern const char *const uc_cat_names[]; /* "Lu" "Ll" ... the index of uc_new15_table's values */

/* The Unicode version (major * 10 + minor) that assigned cp, when after
 * 8.0; else 0 (8.0 or earlier, or unassigned). */
int uc_age(uint32_t cp);

/* char::to_lowercase(): the full lowercase mapping (U+0130 -> i U+0307;
 * no final-sigma rule) into out[3]; returns the number of code points. */
int uc_lower(uint32_t cp, uint32_t out[3]);

#endif
