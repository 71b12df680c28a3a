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
int uc_punct(uint32_t cp);      /* is_ascii_punctuation() || is_punctuation() (P*) */
int uc_mark(uint32_t cp);       /* is_combining_mark: Mn, Mc, Me */
int uc_mark_nonspacing(uint32_t cp); /* Mn */
int uc_bert_control(uint32_t cp);    /* BertNormalizer's is_control: Cc, Cf, Co but TAB, LF, CR */
int uc_bert_chinese(uint32_t cp);    /* BertNormalizer's is_chinese_char: the CJK ideograph blocks */
int uc_ccc(uint32_t cp);        /* canonical combining class */
/* char::to_lowercase(): the full lowercase mapping (U+0130 -> i U+0307;
 * no final-sigma rule) into out[3]; returns the number of code points. */
int uc_lower(uint32_t cp, uint32_t out[3]);

#endif
