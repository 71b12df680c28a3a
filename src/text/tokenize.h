/* tokenize.h — text to tokens.
 *
 * The "words" tokenizer splits UTF-8 text into words and punctuation:
 *   - a word is a maximal run of letters/digits (any non-ASCII code point that
 *     is not punctuation, a symbol or space counts as a letter), keeping an
 *     internal apostrophe (' or U+2019) or hyphen that has a word character on
 *     both sides: "didn't", "state-of-the-art" are one token each;
 *   - each punctuation mark or symbol is a token of its own ("." "," "!" "—");
 *   - each CJK ideograph / kana / hangul syllable and each emoji (with any
 *     following variation selectors, skin-tone modifiers and ZWJ sequence) is
 *     a token of its own, since those scripts do not separate words by spaces;
 *   - whitespace separates tokens and is dropped;
 *   - a multi-byte character is never split.
 * With lowercase set, ASCII and Latin-1/Latin Extended-A/Greek/Cyrillic
 * capitals are folded to lower case (a fixed table, independent of locale).
 *
 * Ownership: tokenize_words() fills *out; the caller releases it with
 * tokens_free(). Every token's text is a NUL-terminated string owned by out.
 * Returns 0, or -1 with err filled (ATTN_EXIT_INPUT) for invalid UTF-8
 * ("invalid UTF-8 at byte 12"), or ATTN_EXIT_RUNTIME when memory runs out.
 * An input with no tokens succeeds with out->n == 0; the caller decides.
 */
#ifndef ATTN_TOKENIZE_H
#define ATTN_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct {
    char *text;      /* NUL-terminated token text (lowercased if asked) */
    int32_t id;      /* vocabulary id; -1 until a model assigns one */
    size_t start;    /* byte span [start, end) in the input text; a special
                        token has an empty span where it stands */
    size_t end;
    int32_t word;    /* index of the word the token belongs to, for --words
                        (tokenize_words: the token's own index) */
    int special;     /* 1: added by a subword tokenizer ([CLS], [SEP], <s>),
                        not read from the text */
} attn_token;

typedef struct {
    attn_token *tok; /* [n] */
    int n;
} attn_tokens;

int tokenize_words(const char *text, size_t len, int lowercase,
                   attn_tokens *out, attn_error *err);
void tokens_free(attn_tokens *t);

#endif
