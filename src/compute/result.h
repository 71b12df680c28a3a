/* result.h — the attention result that every renderer reads.
 *
 * weights holds, for each shown layer and head, an n_q × n_k matrix: rows are
 * queries, columns are keys, and every unmasked row of a softmax sums to 1.
 * Masked cells (causal: key index > query index; a sliding window: keys
 * window or more before the query) are exactly 0 and are to be drawn as
 * masked, never as low weight; result_masked_in() says which.
 * For self-attention keys == queries; for cross-attention (--source) keys are
 * the source text's tokens.
 *
 * Ownership: the result owns weights, layers and heads (result_free());
 * the token lists and the strings in meta are borrowed from the caller and
 * must outlive the result.
 */
#ifndef ATTN_RESULT_H
#define ATTN_RESULT_H

#include <stdint.h>

#include "base/error.h"
#include "text/tokenize.h"

typedef struct {
    const char *model;        /* model file path, or "seeded" */
    const char *architecture; /* "attention", "bert", "gpt2" */
    int seeded;
    uint64_t seed;
    int d_model, n_heads, n_layers;  /* of the model */
    const char *score;        /* "scaled_dot", "dot", "additive" */
    const char *command_line; /* the invocation, for image metadata; may be NULL */
    int sentence;             /* the line of standard input the sentence came
                                 from (1-based), 0 for a SENTENCE argument */
    const char *text;         /* the sentence as given, or NULL */
    const char *source_text;  /* --source TEXT, or NULL */
    long long n_params;       /* parameters of the model; 0: unknown */
    int tokens_total;         /* tokens of the whole input when --truncate or
                                 --window show a part of it; 0: all shown */
    int window, n_windows;    /* --window: this window (1-based) of n_windows; 0: none */
    int window_start, window_end; /* --window: the window's tokens that are not
                                 special are [start, end) of the whole token
                                 list; --truncate: 0 and the tokens kept */
    const char *note;         /* a note every view shows (--from: rows that do
                                 not sum to 1), or NULL */
    const char *name;         /* the model's name (config.json's _name_or_path), or NULL */
    int context;              /* the positions it was trained for, or 0 */
    int n_kv_heads, d_head;   /* key/value heads and head size (decoders; else 0) */
    const char *part;         /* encoder-decoders: "encoder", "decoder" or "cross"
                                 (queries are the target's tokens but for "encoder",
                                 keys the source's but for "decoder"); else NULL */
    const char *target_text;  /* encoder-decoders: the output (--target, or generated) */
    int target_generated;     /* 1: the output was generated */
} attn_meta;

typedef struct {
    const attn_tokens *queries;   /* [n_q] */
    const attn_tokens *keys;      /* [n_k] */
    int n_q, n_k;
    int n_layers, n_heads;        /* how many layers / heads are shown */
    int *layers;                  /* [n_layers] 0-based model layer index */
    int *heads;                   /* [n_heads]  0-based model head index */
    float *weights;               /* [n_layers][n_heads][n_q][n_k] */
    int causal;                   /* 1: cells with key > query are masked */
    int *sliding;                 /* [n_layers] sliding window of each shown layer:
                                     cells with query - key >= sliding[li] are
                                     masked (0: none); NULL: no layer has one */
    const char *aggregate;        /* NULL: heads[] are model heads. "mean",
                                     "max" or "rollout": one matrix per layer,
                                     n_heads == 1 and heads[0] == -1 */
    attn_meta meta;
} attn_result;

/* Matrix of shown layer li (0..n_layers-1) and shown head hi. */
static inline const float *result_head(const attn_result *r, int li, int hi)
{
    return r->weights + ((size_t)li * (size_t)r->n_heads + (size_t)hi) *
                            (size_t)r->n_q * (size_t)r->n_k;
}

static inline int result_masked(const attn_result *r, int q, int k)
{
    return r->causal && k > q;
}

/* result_masked() in shown layer li, with its sliding window. */
static inline int result_masked_in(const attn_result *r, int li, int q, int k)
{
    return (r->causal && k > q) || (r->sliding && r->sliding[li] > 0 && q - k >= r->sliding[li]);
}

/* The head's label: "3" (1-based) for a model head, or the aggregate's
 * name ("mean", "max", "rollout"). buf holds at least 16 bytes. */
static inline const char *result_head_label(const attn_result *r, int hi, char *buf)
{
    if (r->aggregate) return r->aggregate;
    int h = r->heads[hi] + 1, i = 15;
    buf[i] = '\0';
    do buf[--i] = (char)('0' + h % 10); while ((h /= 10) && i > 0);
    return buf + i;
}

/* What the rows and columns hold, for labels: "query" and "key", or for
 * an encoder-decoder's part "target" and "source" (cross), "source" twice
 * (encoder) or "target" twice (decoder). */
static inline void result_axes(const attn_result *r, const char **rows, const char **cols)
{
    const char *p = r->meta.part;
    *rows = !p ? "query" : p[0] == 'e' ? "source" : "target";
    *cols = !p ? "key" : p[0] == 'd' ? "target" : "source";
}

void result_free(attn_result *r);

/* Copies src's layers keep[n_keep] (0-based model layer indices, each one
 * src holds; keep NULL: all of them) into dst, with its own weights,
 * layers and heads (result_free(dst)); tokens and meta are shared. */
int result_copy(attn_result *dst, const attn_result *src, const int *keep, int n_keep, attn_error *err);

/* Regroups the rows and columns (words.h): qgroup[n_q] and kgroup[n_k] give
 * each query and key token its group (or -1: left out). Group g's row is
 * the mean of its tokens' rows; group h's column the sum of its tokens'
 * columns, so rows still sum to 1 when nothing is left out. The result then
 * shows queries q[n_qg] and keys k[n_kg] (borrowed). */
int result_regroup(attn_result *r, const int *qgroup, const attn_tokens *q, const int *kgroup,
                   const attn_tokens *k, attn_error *err);

/* Replaces the shown heads by their element-wise mean or max (how = "mean"
 * or "max"): one matrix per shown layer. */
int result_aggregate(attn_result *r, const char *how, attn_error *err);

/* Attention rollout (Abnar & Zuidema, 2020). r must hold layers 0..L-1 in
 * order, with the heads to average; for each layer l the rows of
 * mean_h(A_l) + I are renormalised to Â_l, and layer l's matrix becomes
 * Â_l · Â_(l-1) ··· Â_0. Then only the layers in keep[n_keep] (0-based,
 * sorted) are kept. Needs n_q == n_k. */
int result_rollout(attn_result *r, const int *keep, int n_keep, attn_error *err);

#endif
