/* forward.c — see forward.h. */
#include "compute/forward.h"

#include <stdlib.h>
#include <string.h>

void trace_free(attn_trace *tr)
{
    if (!tr) return;
    free(tr->q);
    free(tr->k);
    free(tr->v);
    memset(tr, 0, sizeof *tr);
}

int trace_init(attn_trace *tr, int n_layers, int n_q, int n_k, int width, attn_error *err)
{
    *tr = (attn_trace){.n_layers = n_layers, .n_q = n_q, .n_k = n_k, .d_model = width};
    size_t qd = (size_t)n_q * (size_t)width, kd = (size_t)n_k * (size_t)width;
    tr->q = malloc((size_t)n_layers * qd * sizeof *tr->q);
    tr->k = malloc((size_t)n_layers * kd * sizeof *tr->k);
    tr->v = malloc((size_t)n_layers * kd * sizeof *tr->v);
    if (!tr->q || !tr->k || !tr->v) {
        trace_free(tr);
        return attn_oom(err, "--explain");
    }
    return 0;
}

int forward_result_init(attn_result *res, const int *layers, int n_layers, const int *heads, int n_heads,
                        const attn_tokens *q, const attn_tokens *k, int causal, const forward_opts *fo,
                        attn_error *err)
{
    attn_meta meta = res->meta;
    memset(res, 0, sizeof *res);
    res->meta = meta;
    const int streaming = fo && fo->sink;
    size_t nn = (size_t)q->n * (size_t)k->n, shown = streaming ? 1 : (size_t)n_layers * (size_t)n_heads;
    res->layers = malloc((size_t)n_layers * sizeof *res->layers);
    res->heads = malloc((size_t)n_heads * sizeof *res->heads);
    if (!streaming && (!shown || nn <= (size_t)-1 / sizeof(float) / shown))
        res->weights = malloc(shown * nn * sizeof *res->weights); /* [layers][heads][n_q][n_k] */
    if (!res->layers || !res->heads || (!streaming && !res->weights)) {
        result_free(res);
        return attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory: %d x %d tokens need %.1f GiB here for %d layers x "
                         "%d heads%s", q->n, k->n, (double)shown * (double)nn * 4.0 / (1 << 30), n_layers, n_heads,
                         streaming ? "" : " (-f csv, json or none keep one head at a time)");
    }
    memcpy(res->layers, layers, (size_t)n_layers * sizeof *layers);
    memcpy(res->heads, heads, (size_t)n_heads * sizeof *heads);
    res->n_layers = n_layers;
    res->n_heads = n_heads;
    res->queries = q;
    res->keys = k;
    res->n_q = q->n;
    res->n_k = k->n;
    res->causal = causal;
    return 0;
}

/* Where model index idx is in a shown list, or -1. */
static int shown_index(const int *list, int n, int idx)
{
    for (int i = 0; i < n; i++)
        if (list[i] == idx) return i;
    return -1;
}

int forward_keep(attn_result *res, const forward_opts *fo, int l, int h, const float *att, attn_error *err)
{
    int li = shown_index(res->layers, res->n_layers, l), hi = li >= 0 ? shown_index(res->heads, res->n_heads, h) : -1;
    if (hi < 0) return 0;
    if (fo && fo->sink) return fo->sink(fo->sink_ctx, res, li, hi, att, err);
    size_t nn = (size_t)res->n_q * (size_t)res->n_k;
    memcpy(res->weights + ((size_t)li * (size_t)res->n_heads + (size_t)hi) * nn, att, nn * sizeof *att);
    return 0;
}
