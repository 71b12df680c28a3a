/* transformer.c — the attention-only layers of generated and JSON models,
 * and the dispatch to the layer stacks of real models (stack.h). See
 * transformer.h for the equations. */
#include "compute/transformer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/attention.h"
#include "compute/finite.h"
#include "compute/linalg.h"
#include "compute/norm.h"
#include "compute/seq2seq.h"
#include "compute/stack.h"

/* Scratch buffers of one forward pass. */
typedef struct {
    float *x;     /* [n_q, d] residual stream */
    float *h;     /* [n_q, d] layer input after pre layer norm */
    float *xs;    /* [n_k, d] source embeddings (cross-attention) */
    float *q;     /* [n_q, d] */
    float *k, *v; /* [n_k, d] */
    float *ctx;   /* [n_q, d] concatenated head outputs */
    float *proj;  /* [n_q, d] output projection */
    float *att;   /* [n_q, n_k] one head's weights */
    float *add;   /* [(n_q + n_k) * d_head] additive-score scratch */
} workspace;

static void workspace_free(workspace *w)
{
    float *all[] = {w->x, w->h, w->xs, w->q, w->k, w->v, w->ctx, w->proj, w->att, w->add};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
}

/* One layer's Q, K and (when need_v) V into w->q, w->k, w->v, from w->h
 * and the key input. The last layer shown needs no V: its weights are the
 * result, and nothing reads its output. */
static void qkv_forward(workspace *w, const attn_layer_weights *L, const float *kv_in, int n_q,
                        int n_k, int d, int projections, int need_v)
{
    if (projections) { /* float weights (attention-only models): cannot fail */
        linear_forward(w->q, w->h, &L->q, n_q, d, d);
        linear_forward(w->k, kv_in, &L->k, n_k, d, d);
        if (need_v) linear_forward(w->v, kv_in, &L->v, n_k, d, d);
    } else {
        memcpy(w->q, w->h, (size_t)n_q * d * sizeof *w->q);
        memcpy(w->k, kv_in, (size_t)n_k * d * sizeof *w->k);
        if (need_v) memcpy(w->v, kv_in, (size_t)n_k * d * sizeof *w->v);
    }
}

static void trace_layer(attn_trace *tr, const workspace *w, int l)
{
    size_t qd = (size_t)tr->n_q * tr->d_model, kd = (size_t)tr->n_k * tr->d_model;
    memcpy(tr->q + (size_t)l * qd, w->q, qd * sizeof *w->q);
    memcpy(tr->k + (size_t)l * kd, w->k, kd * sizeof *w->k);
    memcpy(tr->v + (size_t)l * kd, w->v, kd * sizeof *w->v);
}

int transformer_forward(attn_result *res, const attn_model *m, const attn_tokens *t,
                        const int *layers, int n_layers, const int *heads,
                        int n_heads, const forward_opts *fo, attn_error *err)
{
    if (m->s2s && (!fo || !fo->target))
        return attn_fail(err, ATTN_EXIT_INPUT, "an encoder-decoder needs the target's tokens");
    if (m->s2s)
        return s2s_forward(res, m, t, fo->target, (s2s_part)fo->part, layers, n_layers, heads, n_heads, fo, err);
    if (m->cfg.arch != ARCH_ATTENTION) return stack_forward(res, m, t, layers, n_layers, heads, n_heads, fo, err);
    const attn_config *c = &m->cfg;
    const attn_tokens *src = fo && fo->source ? fo->source : t;
    attn_trace *tr = fo ? fo->trace : NULL;
    const int n_q = t->n, n_k = src->n, d = c->d_model, dh = c->d_head;
    const float scale = c->score == SCORE_DOT ? 1.0f : 1.0f / sqrtf((float)dh);
    int last = 0;
    for (int i = 0; i < n_layers; i++) last = layers[i] > last ? layers[i] : last;
    if (forward_result_init(res, layers, n_layers, heads, n_heads, t, src, c->causal, fo, err)) return -1;
    size_t qd = (size_t)n_q * d, kd = (size_t)n_k * d, nn = (size_t)n_q * n_k;
    workspace w = {0};
    w.x = malloc(qd * sizeof *w.x);
    w.h = c->layer_norm == LN_PRE ? malloc(qd * sizeof *w.h) : w.x;
    w.xs = src != t ? malloc(kd * sizeof *w.xs) : NULL;
    w.q = malloc(qd * sizeof *w.q);
    w.k = malloc(kd * sizeof *w.k);
    w.v = malloc(kd * sizeof *w.v);
    w.ctx = malloc(qd * sizeof *w.ctx);
    w.proj = malloc(qd * sizeof *w.proj);
    w.att = malloc(nn * sizeof *w.att);
    w.add = c->score == SCORE_ADDITIVE ? malloc(((size_t)n_q + n_k) * dh * sizeof *w.add) : NULL;
    int rc = 0;
    if (!w.x || !w.h || (src != t && !w.xs) || !w.q || !w.k || !w.v || !w.ctx || !w.proj || !w.att ||
        (c->score == SCORE_ADDITIVE && !w.add)) {
        double gib = ((double)nn + 6.0 * (double)qd + 2.0 * (double)kd) * 4.0 / (1 << 30);
        rc = attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory: %d x %d tokens need %.1f GiB here", n_q, n_k, gib);
        goto done;
    }
    if (tr && (rc = trace_init(tr, last + 1, n_q, n_k, d, err)) != 0) goto done;
    if (tr) tr->scale = c->score == SCORE_ADDITIVE ? 1.0 : scale;
    if ((rc = embed_forward(w.x, t, m, 0, err)) != 0) goto done;
    if (w.xs && (rc = embed_forward(w.xs, src, m, 0, err)) != 0) goto done;
    /* non-finite arithmetic is an error (finite.h) */
    if ((rc = finite_embeddings(w.x, qd, m->source, err)) != 0 ||
        (w.xs && (rc = finite_embeddings(w.xs, kd, m->source, err)) != 0))
        goto done;
    for (int l = 0; l <= last; l++) {
        const attn_layer_weights *L = &m->layers[l];
        if (c->layer_norm == LN_PRE) layernorm_forward(w.h, w.x, L->ln_w, L->ln_b, n_q, d, c->ln_eps);
        qkv_forward(&w, L, w.xs ? w.xs : w.h, n_q, n_k, d, c->projections, l < last || tr != NULL);
        if (tr) trace_layer(tr, &w, l);
        for (int h = 0; h < c->n_heads; h++) {
            const float *qh = w.q + h * dh, *kh = w.k + h * dh;
            if (c->score == SCORE_ADDITIVE)
                attention_additive_forward(w.att, qh, d, kh, d, L->add_wq + (size_t)h * dh * dh,
                                           L->add_wk + (size_t)h * dh * dh, L->add_v + (size_t)h * dh,
                                           n_q, n_k, dh, c->causal, w.add);
            else
                attention_head_forward(w.att, qh, d, kh, d, n_q, n_k, dh, scale, c->causal);
            if ((rc = finite_scores(w.att, n_q, n_k, l, h, m->source, err)) != 0) goto done;
            if ((rc = forward_keep(res, fo, l, h, w.att, err)) != 0) goto done;
            if (l < last) attention_values_forward(w.ctx + h * dh, d, w.att, w.v + h * dh, d, n_q, n_k, dh);
        }
        if ((l < last || tr) && (rc = finite_layer(w.v, kd, l, "values", m->source, err)) != 0) goto done;
        if (l < last) {
            const float *out = w.ctx;
            if (c->projections) {
                linear_forward(w.proj, w.ctx, &L->o, n_q, d, d);
                out = w.proj;
            }
            for (size_t i = 0; i < qd; i++) w.x[i] += out[i];
            if (c->layer_norm == LN_POST) layernorm_forward(w.x, w.x, L->ln_w, L->ln_b, n_q, d, c->ln_eps);
            if ((rc = finite_layer(w.x, qd, l, "activations", m->source, err)) != 0) goto done;
        }
    }
done:
    if (w.h == w.x) w.h = NULL;
    workspace_free(&w);
    if (rc != 0) {
        result_free(res);
        trace_free(tr);
    }
    return rc;
}
