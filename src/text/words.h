/* words.h — grouping subword tokens: into words (--words), and without the
 * tokenizer's special tokens (--no-special).
 *
 * A subword token belongs to the word, as the "words" tokenizer
 * (tokenize.h) splits the same text, that its byte span overlaps first: so
 * "didn't" is one word whether WordPiece made it didn ' t or BPE didn 't,
 * and "tired." is two ("tired", "."). A token of only whitespace (GPT-2's
 * "Ġ" before a word it could not merge with) goes with the next word; one
 * that overlaps no word otherwise is a word of its own, and so is each
 * special token.
 *
 * tokens_group() then builds the tokens to show: one per group, labelled
 * with the text the group spans (original case and spelling: "Didn't") or,
 * for a group of one token, that token's own text ("##ing", "[CLS]"). The
 * matrix side of the grouping is result_regroup() (result.h).
 *
 * Ownership: tokens_group() fills *out (free with tokens_free()) and a
 * malloc'd group map *group (caller frees). Returns 0, or -1 with err
 * filled (ATTN_EXIT_RUNTIME: out of memory; ATTN_EXIT_INPUT: invalid UTF-8).
 */
#ifndef ATTN_WORDS_H
#define ATTN_WORDS_H

#include <stddef.h>

#include "base/error.h"
#include "text/tokenize.h"

/* Sets t->tok[i].word for every token of t, tokenized from text[0..len):
 * word indices are 0, 1, … in token order, consecutive tokens of one word
 * sharing one. */
int tokens_assign_words(attn_tokens *t, const char *text, size_t len, attn_error *err);

/* Groups the tokens of t (words assigned): by word when by_word, else one
 * group per token; with drop_special, special tokens go nowhere
 * (group[i] = -1). group[t->n] gets each token's group; out one token per
 * group (word = its group index). */
int tokens_group(const attn_tokens *t, const char *text, int by_word, int drop_special, attn_tokens *out,
                 int **group, attn_error *err);

#endif
