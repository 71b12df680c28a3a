/* decoder.h — the labels people read (decoder.c): each token's text as the
 * tokenizer.json's "decoder" would give it back, token by token, shown with
 * the visible marks the GPT-2 labels use (a space as "␣" U+2423, control
 * characters as "\n", "\t", "\r" or "\x1B", bytes that are not a whole
 * character as "\xF0").
 *
 *   ByteLevel     GPT-2's byte characters back to bytes ("Ġthe" -> "␣the")
 *   Metaspace     the replacement (▁) as a space, except at the start of
 *                 the first token (prepend_scheme first or always)
 *   Replace       pattern -> content ("▁" -> " ": Llama's)
 *   ByteFallback  "<0xNN>" tokens as their bytes; the pieces of one
 *                 character made of several such tokens are each shown as
 *                 the character and which piece they are ("日(1/3)")
 *   Strip         content removed start times at the start, stop times at
 *                 the end (after Fuse: of the whole text)
 *   Fuse          what follows applies to the whole text, not each token
 *   WordPiece, BPEDecoder, CTC: labels keep "##" pieces as they are;
 *                 BPEDecoder's suffix becomes a space
 * Special tokens added around the text keep their text. A tokenizer.json
 * without a decoder gets the one its pre-tokenizers imply (ByteLevel,
 * Metaspace), so that labels read as text.
 *
 * tk_decoder_read() fills tk->dec; 0, or -1 with err filled (ATTN_EXIT_INPUT
 * naming the file and JSON path). tk_labels() appends each label,
 * NUL-terminated, to labels and its offset to off[i]; 0, or -1 with err
 * filled (memory).
 */
#ifndef ATTN_TK_DECODER_H
#define ATTN_TK_DECODER_H

#include <cJSON.h>

#include "base/buf.h"
#include "text/tokenize.h"
#include "text/tokenizer/core.h"
#include "text/tokenizer/scratch.h"
#include "text/tokenizer/tkjson.h"

int tk_decoder_read(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *path);
int tk_labels(const attn_tokenizer *tk, const attn_token *tok, int n, tk_scratch *sc, attn_buf *labels, size_t *off,
              attn_error *err);

#endif
