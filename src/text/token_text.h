/* token_text.h — a token's text as people read and type it.
 *
 * Subword tokenizers mark where a token stands in a word: a leading space
 * as "␣" (GPT-2's byte-level BPE as attnviz shows it), "Ġ" (the same in
 * vocab.json), "▁" (SentencePiece) or a plain space, and a continuation as
 * "##" (WordPiece). People type the word without the marker ("it" for
 * "␣it") and in any case; token_text_match() compares that way, and
 * token_is_punct() tells punctuation tokens apart for the views.
 *
 * Nothing allocates except token_fold() (caller frees). Case folding is
 * Unicode's (utf8proc, NFKC with case folding).
 */
#ifndef ATTN_TOKEN_TEXT_H
#define ATTN_TOKEN_TEXT_H

#include <stddef.h>

/* Bytes of the marker at the start of text (0 when there is none). */
size_t token_marker_len(const char *text);

/* text without its marker, case-folded (malloc'd), or NULL when out of
 * memory or text is not valid UTF-8. */
char *token_fold(const char *text);

/* 2 when typed equals token exactly, 1 when they are equal without their
 * markers and case, 0 otherwise. */
int token_text_match(const char *typed, const char *token);

/* 1 when text (without its marker) is one or more punctuation marks or
 * symbols (Unicode P* and S*), and nothing else. */
int token_is_punct(const char *text);

#endif
