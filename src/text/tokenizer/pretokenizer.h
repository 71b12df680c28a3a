/* pretokenizer.h — the pre-tokenizers of Hugging Face tokenizers
 * (pretokenizer.c): read from a tokenizer.json's "pre_tokenizer", each cuts
 * a normalized string into the pieces the model tokenizes one by one.
 *
 *   ByteLevel          add_prefix_space; use_regex: GPT-2's pattern; then
 *                      every byte as GPT-2's byte character
 *   Split              pattern (String or Regex), behavior (Removed,
 *                      Isolated, MergedWithPrevious, MergedWithNext,
 *                      Contiguous), invert
 *   Metaspace          replacement, prepend_scheme (first, always, never;
 *                      or the older add_prefix_space), split
 *   Whitespace         \w+|[^\w\s]+ (Rust's regex classes)
 *   WhitespaceSplit    on whitespace
 *   Punctuation        behavior (default Isolated)
 *   Digits             individual_digits
 *   BertPreTokenizer   whitespace, then each punctuation character
 *   CharDelimiterSplit delimiter
 *   Sequence           pre-tokenizers in order, nested Sequences flattened
 *
 * The list owns its patterns: tk_pretokenizer_free(). Functions return 0,
 * or -1 with err filled (reading: ATTN_EXIT_INPUT naming the file and JSON
 * path; applying: memory or a regex PCRE2 gave up on).
 */
#ifndef ATTN_TK_PRETOKENIZER_H
#define ATTN_TK_PRETOKENIZER_H

#include <cJSON.h>

#include "base/error.h"
#include "text/tokenizer/nstr.h"
#include "text/tokenizer/regex.h"
#include "text/tokenizer/scratch.h"
#include "text/tokenizer/tkjson.h"

typedef enum {
    TP_BYTELEVEL, TP_SPLIT, TP_METASPACE, TP_WHITESPACE, TP_WHITESPACE_SPLIT, TP_PUNCTUATION, TP_DIGITS, TP_BERT,
    TP_CHAR_DELIMITER
} tk_pretok_type;

enum { TK_PREPEND_NEVER, TK_PREPEND_FIRST, TK_PREPEND_ALWAYS };

typedef struct {
    tk_pretok_type type;
    int add_prefix_space, use_regex, trim_offsets; /* ByteLevel */
    tk_pattern pat;                                /* Split; ByteLevel's and Whitespace's regex */
    nsplit_how how;                                /* Split, Punctuation */
    int invert;                                    /* Split */
    char repl[5];                                  /* Metaspace: the replacement; CharDelimiterSplit: the delimiter */
    uint32_t repl_cp;
    int prepend, split;                            /* Metaspace: TK_PREPEND_*, split */
    int individual;                                /* Digits */
} tk_pretok;

typedef struct {
    tk_pretok *p;     /* [count], applied in order */
    int count;
} tk_pretokenizer;

/* Reads node (a tokenizer.json pre_tokenizer, or null: none) at JSON path. */
int tk_pretokenizer_read(tk_pretokenizer *pt, const tkj *j, const cJSON *node, const char *path);
void tk_pretokenizer_free(tk_pretokenizer *pt);

/* Cuts s by p, appending the non-empty pieces to out (see nstr_split). */
int tk_pretok_apply(const tk_pretok *p, const nstr *s, nstr **out, size_t *nout, size_t *cap, tk_scratch *sc,
                    attn_error *err);

/* pt = a ByteLevel pre-tokenizer as GPT-2 has it (for vocab.json +
 * merges.txt), or BertPreTokenizer (for vocab.txt). */
int tk_pretokenizer_bytelevel(tk_pretokenizer *pt, int add_prefix_space, attn_error *err);
int tk_pretokenizer_bert(tk_pretokenizer *pt, attn_error *err);

#endif
