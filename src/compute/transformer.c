/* transformer.c — embeddings, positions and the attention layer stack.
 * See transformer.h for the equations. */
#include "compute/transformer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/attention.h"
#include "compute/finite.h"
#include "compute/linalg.h"
#include "model/rng.h"

void positional_sinusoidal_add(float *x, int n, int d)
{
    enum { MAX_FREQ = 4096 }; /* frequencies whose divisor is computed once */
    double denom[MAX_FREQ];   /* denom[i / 2] = 10000^(i/d) */
    for (int i = 0; i < d && i / 2 < MAX_FREQ; i += 2) denom[i / 2] = pow(10000.0, (double)i / d);
    for (int pos = 0; pos < n; pos++) {
        float *row = x + (size_t)pos * (size_t)d; /* [d] */
        for (int i = 0; i < d; i += 2) {
            double angle = pos / (i / 2 < MAX_FREQ ? denom[i / 2] : pow(10000.0, (double)i / d));
            row[i] += (float)sin(angle);
            if (i + 1 < d) row[i + 1] += (float)cos(angle);
        }
    }
}

void embedding_hashed(float *out, const char *word, int d)
{
    attn_rng rng;
    rng_seed(&rng, rng_hash(word));
    const float a = 1.7320508f; /* sqrt(3): U(-a, a) has variance 1 */
    for (int i = 0; i < d; i++) out[i] = rng_symmetric(&rng, a);
}

int tokens_assign_ids(attn_tokens *t, const attn_model *m, attn_error *err)
{
    if (m->cfg.positional == POS_LEARNED && t->n > m->cfg.max_positions - m->cfg.pos_offset)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%d tokens, but the model's learned positions stop at %d",
                         t->n, m->cfg.max_positions - m->cfg.pos_offset);
    if (m->tokenizer) return 0; /* the subword tokenizer assigned them */
    for (int i = 0; i < t->n; i++) {
        if (!m->vocab) {
            t->tok[i].id = -1;
            continue;
        }
        int id = vocab_lookup(m, t->tok[i].text);
        if (id < 0) id = m->unk_id;
        if (id < 0)
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "'%s' is not in the model's vocabulary, which has no \"%s\" token",
                             t->tok[i].text, m->unk ? m->unk : "[UNK]");
        t->tok[i].id = id;
    }
    return 0;
}

int embed_forward(float *x, const attn_tokens *t, const attn_model *m, attn_error *err)
{
    int d = m->cfg.d_model;
    for (int i = 0; i < t->n; i++) {
        float *row = x + (size_t)i * (size_t)d; /* [d] */
        if (m->tok_emb) {
            if (t->tok[i].id < 0 || t->tok[i].id >= m->n_emb)
                return attn_fail(err, ATTN_EXIT_INPUT, "token '%s' has no vocabulary id", t->tok[i].text);
            size_t at = (size_t)t->tok[i].id * (size_t)d;
            if (m->tok_emb_half) half_to_float(row, (const uint16_t *)(const void *)m->tok_emb + at, (size_t)d,
                                               (half_kind)m->tok_emb_half);
            else memcpy(row, m->tok_emb + at, (size_t)d * sizeof *row);
        } else {
            embedding_hashed(row, t->tok[i].text, d);
        }
    }
    if (m->type_emb) /* every token is of type 0 (one segment); added before
                          the positions, as Hugging Face does */
        for (int i = 0; i < t->n; i++)
            for (int j = 0; j < d; j++) x[(size_t)i * (size_t)d + (size_t)j] += m->type_emb[j];
    if (m->cfg.positional == POS_SINUSOIDAL) {
        positional_sinusoidal_add(x, t->n, d);
    } else if (m->cfg.positional == POS_LEARNED) {
        const float *pe = m->pos_emb + (size_t)m->cfg.pos_offset * (size_t)d; /* [n, d] rows from the offset */
        for (size_t i = 0; i < (size_t)t->n * (size_t)d; i++) x[i] += pe[i];
    }
    if (m->cfg.arch == ARCH_BERT)
        layernorm_forward(x, x, m->emb_ln_w, m->emb_ln_b, t->n, d, m->cfg.ln_eps);
    return 0;
}

/* Where shown layer/head index of model index idx is, or -1. */
static int shown_index(const int *list, int n, int idx)
{
    for (int i = 0; i < n; i++)
        if (list[i] == idx) return i;
    return -1;
}

void trace_free(attn_trace *tr)
{
    if (!tr) return;
    free(tr->q);
    free(tr->k);
    free(tr->v);
    memset(tr, 0, sizeof *tr);
}

/* Scratch buffers of one forward pass. */
typedef struct {
    float *x;     /* [n_q, d] residual stream */
    float *h;     /* [n_q, d] layer input after pre layer norm */
    float *xs;    /* [n_k, d] source embeddings (cross-attention) */
    float *q;     /* [n_q, d] */
    float *k, *v; /* [n_k, d] */
    float *ctx;   /* [n_q, d] concatenated head outputs */
    float *proj;  /* [n_q, d] output projection */
    float *ff;    /* [n_q, d_ff] feed-forward hidden layer (bert, gpt2) */
    float *att;   /* [n_q, n_k] one head's weights */
    float *add;   /* [(n_q + n_k) * d_head] additive-score scratch */
} workspace;

static void workspace_free(workspace *w)
{
    float *all[] = {w->x, w->h, w->xs, w->q, w->k, w->v, w->ctx, w->proj, w->ff, w->att, w->add};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
}

/* One layer's Q, K and (when need_v) V into w->q, w->k, w->v, from w->h
 * and the key input. The last layer shown needs no V: its weights are the
 * result, and nothing reads its output. */
static void qkv_forward(workspace *w, const attn_layer_weights *L, const float *kv_in, int n_q,
                        int n_k, int d, int projections, int need_v)
{
    if (projections) {
        linear_forward(w->q, w->h, &L->q, n_q, d, d);
        linear_forward(w->k, kv_in, &L->k, n_k, d, d);
        if (need_v) linear_forward(w->v, kv_in, &L->v, n_k, d, d);
    } else {
        memcpy(w->q, w->h, (size_t)n_q * d * sizeof *w->q);
        memcpy(w->k, kv_in, (size_t)n_k * d * sizeof *w->k);
        if (need_v) memcpy(w->v, kv_in, (size_t)n_k * d * sizeof *w->v);
    }
}

/* The feed-forward block of layer L on the residual stream w->x [n, d]:
 *   pre (GPT-2):  x ← x + down(act(up(LN(x))))
 *   post (BERT):  x ← LN(x + down(act(up(x))))
 * with the block's own layer norm (ffn_ln). */
static void ffn_forward(workspace *w, const attn_layer_weights *L, const attn_config *c, int n)
{
    const int d = c->d_model, f = c->d_ff;
    const float *in = w->x;
    if (c->layer_norm == LN_PRE) {
        layernorm_forward(w->proj, w->x, L->ffn_ln_w, L->ffn_ln_b, n, d, c->ln_eps);
        in = w->proj;
    }
    linear_forward(w->ff, in, &L->ffn_up, n, d, f);           /* [n, d_ff] */
    activation_forward(w->ff, (size_t)n * (size_t)f, c->act);
    linear_forward(w->proj, w->ff, &L->ffn_down, n, f, d);    /* [n, d] */
    for (size_t i = 0; i < (size_t)n * (size_t)d; i++) w->x[i] += w->proj[i];
    if (c->layer_norm == LN_POST) layernorm_forward(w->x, w->x, L->ffn_ln_w, L->ffn_ln_b, n, d, c->ln_eps);
}

static int trace_layer(attn_trace *tr, const workspace *w, int l)
{
    size_t qd = (size_t)tr->n_q * tr->d_model, kd = (size_t)tr->n_k * tr->d_model;
    memcpy(tr->q + (size_t)l * qd, w->q, qd * sizeof *w->q);
    memcpy(tr->k + (size_t)l * kd, w->k, kd * sizeof *w->k);
    memcpy(tr->v + (size_t)l * kd, w->v, kd * sizeof *w->v);
    return 0;
}

int transformer_forward(attn_result *res, const attn_model *m, const attn_tokens *t,
                        const int *layers, int n_layers, const int *heads,
                        int n_heads, const forward_opts *fo, attn_error *err)
{
    const attn_config *c = &m->cfg;
    const attn_tokens *src = fo && fo->source ? fo->source : t;
    attn_trace *tr = fo ? fo->trace : NULL;
    const int n_q = t->n, n_k = src->n, d = c->d_model, dh = c->d_head;
    const float scale = c->score == SCORE_DOT ? 1.0f : 1.0f / sqrtf((float)dh);
    attn_meta meta = res->meta;
    memset(res, 0, sizeof *res);
    res->meta = meta;
    int last = 0;
    for (int i = 0; i < n_layers; i++) last = layers[i] > last ? layers[i] : last;

    size_t qd = (size_t)n_q * d, kd = (size_t)n_k * d, nn = (size_t)n_q * n_k;
    const int streaming = fo && fo->sink;
    size_t shown = streaming ? 1 : (size_t)n_layers * (size_t)n_heads;
    if (shown && nn > (size_t)-1 / sizeof(float) / shown)
        return attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory (%d tokens)", n_q);
    workspace w = {0};
    w.x = malloc(qd * sizeof *w.x);
    w.h = c->layer_norm == LN_PRE ? malloc(qd * sizeof *w.h) : w.x;
    w.xs = src != t ? malloc(kd * sizeof *w.xs) : NULL;
    w.q = malloc(qd * sizeof *w.q);
    w.k = malloc(kd * sizeof *w.k);
    w.v = malloc(kd * sizeof *w.v);
    w.ctx = malloc(qd * sizeof *w.ctx);
    w.proj = malloc(qd * sizeof *w.proj);
    w.ff = c->d_ff > 0 && c->arch != ARCH_ATTENTION ? malloc((size_t)n_q * (size_t)c->d_ff * sizeof *w.ff) : NULL;
    w.att = malloc(nn * sizeof *w.att);
    w.add = c->score == SCORE_ADDITIVE ? malloc(((size_t)n_q + n_k) * dh * sizeof *w.add) : NULL;
    res->weights = streaming ? NULL : malloc(shown * nn * sizeof *res->weights); /* [layers][heads][n_q][n_k] */
    res->layers = malloc((size_t)n_layers * sizeof *res->layers);
    res->heads = malloc((size_t)n_heads * sizeof *res->heads);
    if (tr) {
        *tr = (attn_trace){.n_layers = last + 1, .n_q = n_q, .n_k = n_k, .d_model = d};
        tr->q = malloc((size_t)(last + 1) * qd * sizeof *tr->q);
        tr->k = malloc((size_t)(last + 1) * kd * sizeof *tr->k);
        tr->v = malloc((size_t)(last + 1) * kd * sizeof *tr->v);
    }
    int rc = 0;
    if (!w.x || !w.h || (src != t && !w.xs) || !w.q || !w.k || !w.v || !w.ctx || !w.proj || !w.att ||
        (c->arch != ARCH_ATTENTION && !w.ff) ||
        (c->score == SCORE_ADDITIVE && !w.add) || (!streaming && !res->weights) || !res->layers || !res->heads ||
        (tr && (!tr->q || !tr->k || !tr->v))) {
        double gib = ((double)shown * (double)nn + 6.0 * (double)qd + 2.0 * (double)kd) * 4.0 / (1 << 30);
        rc = attn_fail(err, ATTN_EXIT_RUNTIME,
                       "out of memory: %d x %d tokens need %.1f GiB here%s", n_q, n_k, gib,
                       streaming ? "" : " (-f csv, json or none keep one head at a time)");
        goto done;
    }
    memcpy(res->layers, layers, (size_t)n_layers * sizeof *layers);
    memcpy(res->heads, heads, (size_t)n_heads * sizeof *heads);
    res->n_layers = n_layers;
    res->n_heads = n_heads;
    res->queries = t;
    res->keys = src;
    res->n_q = n_q;
    res->n_k = n_k;
    res->causal = c->causal;

    if ((rc = embed_forward(w.x, t, m, err)) != 0) goto done;
    if (w.xs && (rc = embed_forward(w.xs, src, m, err)) != 0) goto done;
    /* non-finite arithmetic is an error (finite.h) */
    if ((rc = finite_embeddings(w.x, qd, m->source, err)) != 0 ||
        (w.xs && (rc = finite_embeddings(w.xs, kd, m->source, err)) != 0))
        goto done;
    for (int l = 0; l <= last; l++) {
        const attn_layer_weights *L = &m->layers[l];
        if (c->layer_norm == LN_PRE) layernorm_forward(w.h, w.x, L->ln_w, L->ln_b, n_q, d, c->ln_eps);
        qkv_forward(&w, L, w.xs ? w.xs : w.h, n_q, n_k, d, c->projections, l < last || tr != NULL);
        if (tr) trace_layer(tr, &w, l);
        int li = shown_index(layers, n_layers, l);
        for (int h = 0; h < c->n_heads; h++) {
            const float *qh = w.q + h * dh, *kh = w.k + h * dh;
            if (c->score == SCORE_ADDITIVE)
                attention_additive_forward(w.att, qh, d, kh, d, L->add_wq + (size_t)h * dh * dh,
                                           L->add_wk + (size_t)h * dh * dh, L->add_v + (size_t)h * dh,
                                           n_q, n_k, dh, c->causal, w.add);
            else
                attention_head_forward(w.att, qh, d, kh, d, n_q, n_k, dh, scale, c->causal);
            if ((rc = finite_scores(w.att, n_q, n_k, l, h, m->source, err)) != 0) goto done;
            int hi = li >= 0 ? shown_index(heads, n_heads, h) : -1;
            if (hi >= 0 && streaming && (rc = fo->sink(fo->sink_ctx, res, li, hi, w.att, err)) != 0)
                goto done;
            if (hi >= 0 && !streaming)
                memcpy(res->weights + ((size_t)li * (size_t)n_heads + (size_t)hi) * nn, w.att,
                       nn * sizeof *w.att);
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
            if (w.ff) ffn_forward(&w, L, c, n_q);
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
