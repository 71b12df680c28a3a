/* forward.h — what a forward pass fills, shared by the attention-only
 * layers (transformer.c) and the layer stacks of real models (stack.c): the
 * attention result (every shown layer and head kept, or handed one at a
 * time to a sink) and the trace of Q, K and V that --explain reads.
 *
 * Ownership: the trace's arrays and the result's are allocated here and
 * released with trace_free() and result_free(). Functions return 0, or -1
 * with err filled (ATTN_EXIT_RUNTIME: out of memory).
 */
#ifndef ATTN_FORWARD_H
#define ATTN_FORWARD_H

#include "base/error.h"
#include "compute/result.h"
#include "text/tokenize.h"

/* Q, K and V of layers 0..n_layers-1, for --explain: head h of a row is
 * components h·d_head .. (h+1)·d_head - 1 of it (with grouped-query
 * attention, K and V repeat their key/value head for every query head). */
typedef struct {
    int n_layers, n_q, n_k;
    int d_model;              /* floats in a row: n_heads·d_head */
    float *q;                 /* [n_layers][n_q, d_model] */
    float *k, *v;             /* [n_layers][n_k, d_model] */
    double scale;             /* what q·k is multiplied by */
    double softcap;           /* > 0: scores ← softcap·tanh(scores/softcap) */
} attn_trace;

void trace_free(attn_trace *tr);
int trace_init(attn_trace *tr, int n_layers, int n_q, int n_k, int width, attn_error *err);

typedef struct {
    const attn_tokens *source; /* NULL: self-attention; else keys and values
                                  come from these tokens (cross-attention) */
    attn_trace *trace;         /* NULL, or filled with Q, K, V of every layer run */
    const attn_tokens *target; /* encoder-decoders (seq2seq.h): the target tokens, the
                                  decoder start token first; the text is the source */
    int part;                  /* encoder-decoders: which attention (s2s_part) */
    /* When sink is set, each shown head's weights w[n_q, n_k] go to it as
     * soon as they are computed, in order, and res->weights stays NULL, so
     * memory holds one head's matrix instead of all of them. A non-zero
     * return stops the pass with that error. */
    int (*sink)(void *ctx, const attn_result *r, int li, int hi, const float *w, attn_error *err);
    void *sink_ctx;
} forward_opts;

/* Fills res (keeping res->meta) for the shown layers[n_layers] and
 * heads[n_heads] (0-based) over queries q and keys k, and allocates its
 * weights unless fo streams them to a sink. */
int forward_result_init(attn_result *res, const int *layers, int n_layers, const int *heads, int n_heads,
                        const attn_tokens *q, const attn_tokens *k, int causal, const forward_opts *fo,
                        attn_error *err);

/* The weights att[n_q, n_k] of model layer l, head h: to the sink, or into
 * res, when (l, h) is shown; nothing otherwise. */
int forward_keep(attn_result *res, const forward_opts *fo, int l, int h, const float *att, attn_error *err);

#endif
