/* html_sets.h — the matrices an HTML page holds (private to html*.c).
 *
 * A page holds one or two sets of matrices: "tokens" (the model's tokens,
 * without the special ones under --no-special) and, with --words, "words".
 * Each set is one attn_result whose columns ("heads") are the shown model
 * heads followed by the extra matrices asked for on the command line
 * (--aggregate mean or max, --rollout), one of each per shown layer:
 * weights [n_layers][n_heads + n_extra][n_q][n_k].
 *
 * Ownership: html_sets_build() fills *s, which owns every set's weights,
 * layers, heads and regrouped tokens; html_sets_free() releases them. *s
 * must not be moved while in use (a set's result points at its tokens).
 * Returns 0, or -1 with err filled.
 */
#ifndef ATTN_HTML_SETS_H
#define ATTN_HTML_SETS_H

#include "render/render.h"

typedef struct {
    const char *name;     /* "tokens" or "words" */
    attn_result r;        /* heads[c] is the model head of column c, -1 for an extra */
    attn_tokens q, k;     /* the tokens shown when regrouped (else empty) */
    int query;            /* the query to focus at first, or -1 */
} html_set;

typedef struct {
    html_set set[2];
    int n_sets;
    int n_heads;          /* model heads among the columns, then: */
    const char *extra[2]; /* the extra columns: "mean" or "max", "rollout" */
    int n_extra;
} html_sets;

int html_sets_build(html_sets *s, const attn_result *r, const html_opts *o, attn_error *err);
void html_sets_free(html_sets *s);

#endif
