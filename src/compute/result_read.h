/* result_read.h — attention computed elsewhere, read into an attn_result
 * (attnviz --from FILE), so that every view can draw it.
 *
 * Three formats, chosen by the file's extension (.csv, .json / .jsonl,
 * .npy), else by its first bytes ("\x93NUMPY", '{', else CSV):
 *   - attnviz's CSV (render.h): the columns layer, head, query_index,
 *     query_token, key_index, key_token, weight, in any order, and
 *     optionally sentence and window (one value each: a file of several
 *     sentences or windows is refused; filter it first). Every (layer,
 *     head, query, key) must appear exactly once, every layer with the same
 *     heads, and a token index always with the same text. A head "mean",
 *     "max" or "rollout" makes an aggregate result. CSV carries no mask.
 *   - attnviz's JSON (one object; JSON Lines of one line): tokens, keys
 *     (cross-attention), model.source and model.causal, aggregate, text,
 *     layers[].heads[].weights.
 *   - NumPy .npy (npy.h) of shape [layers, heads, q, k], [heads, q, k] or
 *     [q, k], with q = k, and the tokens from `tokens`: a file with one
 *     token per line, or, when it holds a space, the tokens separated by
 *     whitespace. Layers and heads are numbered from 1.
 * In all three, weights are float32 and finite; NaN, infinity, a missing or
 * repeated cell, a token count that does not match, are errors naming the
 * file and the place (line, JSON path, array index). Rows that do not sum
 * to 1 (within 1e-3; masked cells count as 0) are kept as they are, and
 * res.meta.note says so.
 *
 * The result: res.meta.model is the file, res.meta.architecture NULL (no
 * model ran), res.layers/heads the file's numbers (0-based), res.queries
 * and res.keys point into the attn_read (do not move it).
 *
 * Ownership: result_read() fills *out; result_read_free() releases all of
 * it. Returns 0, or -1 with err filled (ATTN_EXIT_INPUT for bad input,
 * ATTN_EXIT_RUNTIME for I/O and memory).
 */
#ifndef ATTN_RESULT_READ_H
#define ATTN_RESULT_READ_H

#include "base/error.h"
#include "compute/result.h"
#include "text/tokenize.h"

typedef struct {
    attn_result res;
    attn_tokens queries, keys;   /* keys unused (n = 0) for self-attention */
    char *path;                  /* the file as named in messages and metadata */
    char *text;                  /* JSON "text", or NULL */
    char note[160];              /* res.meta.note when rows do not sum to 1 */
} attn_read;

/* path "-" reads standard input; tokens may be NULL (not for .npy). */
int result_read(attn_read *out, const char *path, const char *tokens, attn_error *err);
void result_read_free(attn_read *r);

/* Keeps only the shown layers and heads: keep_l[n_l], keep_h[n_h] are
 * indices into r->layers / r->heads, in order. */
int result_select(attn_result *r, const int *keep_l, int n_l, const int *keep_h, int n_h, attn_error *err);

#endif
