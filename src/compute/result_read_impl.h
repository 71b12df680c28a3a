/* result_read_impl.h — private to the readers of result_read.h: what the
 * CSV (result_csv.c), JSON (result_json.c) and NPY (result_read.c) readers
 * share (result_build.c: read_alloc(), read_tokens()). Each reader fills
 * r->res (layers, heads, sizes, weights, causal, aggregate) and r->queries /
 * r->keys; result_read() does the rest (the pointers, the note on row
 * sums). Returns 0, or -1 with err filled.
 */
#ifndef ATTN_RESULT_READ_IMPL_H
#define ATTN_RESULT_READ_IMPL_H

#include <stddef.h>

#include "compute/result_read.h"

#define READ_MAX_TOKENS 100000 /* a side of a matrix read from a file */

/* Allocates r->res's weights [n_layers][n_heads][n_q][n_k] (zeroed),
 * layers and heads. */
int read_alloc(attn_read *r, int n_layers, int n_heads, int n_q, int n_k, attn_error *err);

/* t gets n tokens with these texts (copied; NULL: ""), ids -1, in one
 * block as tokenize.h's lists are (tokens_free() releases it). */
int read_tokens(attn_tokens *t, char *const *texts, int n, const char *what, attn_error *err);

/* The readers. text[len] is the whole file ('\0' after it). */
int read_csv(attn_read *r, const char *text, size_t len, attn_error *err);
int read_json(attn_read *r, const char *text, size_t len, attn_error *err);

#endif
