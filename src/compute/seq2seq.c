/* seq2seq.c — see seq2seq.h. The stacks run on the blocks of stack_impl.h
 * (norms, attention, cross-attention, MLP) with each stack's own config;
 * embeddings, T5's relative position buckets and the generation loop's
 * logits processors are here. Generation reruns the decoder over the whole
 * target at every step (targets are short; no cache). */
#include "compute/seq2seq.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compute/attention.h"
#include "compute/finite.h"
#include "compute/generate.h"
#include "compute/linalg.h"
#include "compute/norm.h"
#include "compute/stack_impl.h"

const char *const s2s_part_names[] = {"cross", "encoder", "decoder", NULL};

void s2s_part_shape(const attn_model *m, s2s_part part, int *n_layers, int *n_heads)
{
    const attn_config *c = part == PART_ENCODER ? &m->s2s->enc.cfg : &m->s2s->dec.cfg;
    *n_layers = c->n_layers;
    *n_heads = c->n_heads;
}

int s2s_max_target(const attn_model *m)
{
    const attn_s2s *s = m->s2s;
    return s->dec.pos ? s->n_pos - s->pos_offset : 1 << 20;
}

static int buffers_init(stack_bufs *b, stack_run *s, const attn_model *m, const attn_config *c, int n, int n_mem,
                        attn_error *err)
{
    const size_t r = (size_t)n, d = (size_t)c->d_model, qw = (size_t)c->n_heads * (size_t)c->d_head;
    const size_t f = (size_t)c->d_ff * (c->glu ? 2 : 1), nk = (size_t)(n > n_mem ? n : n_mem);
    memset(b, 0, sizeof *b);
    *s = (stack_run){.m = m, .c = c, .qw = (int)qw, .kw = (int)qw, .err = err, .n = n, .n_k = n, .full = 1,
                     .n_mem = n_mem};
    s->x = stack_take(b, r * d);        /* [n, d] */
    s->h = stack_take(b, r * d);        /* [n, d] */
    s->out = stack_take(b, r * d);      /* [n, d] */
    s->q = stack_take(b, r * qw);       /* [n, qw] */
    s->k = stack_take(b, r * qw);       /* [n, qw] */
    s->v = stack_take(b, r * qw);       /* [n, qw] */
    s->ctx = stack_take(b, r * qw);     /* [n, qw] */
    s->ff = stack_take(b, r * f);       /* [n, d_ff] or [n, 2 d_ff] */
    s->att_heads = attention_batch_heads(c->n_heads, n, (int)nk);
    s->att = stack_take(b, (size_t)s->att_heads * r * nk); /* [att_heads][n, max(n, n_mem)] */
    s->kc = stack_take(b, r * qw);      /* [n, qw] */
    s->vc = stack_take(b, r * qw);      /* [n, qw] */
    s->ck = stack_take(b, (size_t)n_mem * qw); /* [n_mem, qw] */
    s->cv = stack_take(b, (size_t)n_mem * qw); /* [n_mem, qw] */
    float *bias = m->s2s->family == S2S_T5 ? stack_take(b, (size_t)c->n_heads * r * r) : NULL; /* [H][n, n] */
    s->bias = bias;
    if (!stack_bufs_ok(b)) return attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory: %d x %d tokens", n, n_mem);
    return 0;
}

/* T5's relative position bucket of key - query (T5Attention.
 * _relative_position_bucket), its log and division in float32 as torch
 * computes them. */
static int t5_bucket(int rel, int bidirectional, int buckets, int max_distance)
{
    int b = 0, n = buckets;
    if (bidirectional) {
        n /= 2;
        if (rel > 0) b += n;
        rel = rel < 0 ? -rel : rel;
    } else {
        rel = rel < 0 ? -rel : 0;
    }
    const int exact = n / 2;
    if (rel < exact) return b + rel;
    float den = (float)log((double)max_distance / exact); /* > 0: the loader checks max_distance > exact */
    float v = logf((float)rel / (float)exact) / den * (float)(n - exact);
    /* min(exact + v, n - 1), v converted only when it fits (far past max_distance it need not fit an
     * int; a NaN, which a checked config cannot give, takes the last bucket) */
    const float room = (float)(n - 1 - exact);
    return b + (v < room ? exact + (v > 0.0f ? (int)v : 0) : n - 1);
}

/* bias[h][q, k] = rel[bucket(k - q), h] for n rows. */
static void t5_bias(float *bias, const attn_s2s *S, const attn_s2s_stack *st, int n, int bidirectional)
{
    const int H = st->cfg.n_heads;
    for (int q = 0; q < n; q++)
        for (int k = 0; k < n; k++) {
            const float *row = st->rel + (size_t)t5_bucket(k - q, bidirectional, S->buckets, S->max_distance) * H;
            for (int h = 0; h < H; h++) bias[((size_t)h * n + q) * n + k] = row[h];
        }
}

/* x[n, d] = the stack's embeddings of ids at positions 0 .. n - 1. */
static int embed(float *x, const attn_model *m, const attn_s2s_stack *st, const int *ids, int n, attn_error *err)
{
    const attn_s2s *S = m->s2s;
    const int d = st->cfg.d_model;
    if (st->pos && n + S->pos_offset > S->n_pos)
        return attn_fail(err, ATTN_EXIT_INPUT, "%d tokens, but the model's positions stop at %d", n,
                         S->n_pos - S->pos_offset);
    for (int i = 0; i < n; i++) {
        float *xi = x + (size_t)i * d;
        if (ids[i] < 0 || ids[i] >= m->n_emb)
            return attn_fail(err, ATTN_EXIT_INPUT, "token id %d is not below the model's %d embeddings", ids[i],
                             m->n_emb);
        if (st->tok_half)
            half_to_float(xi, (const uint16_t *)st->tok + (size_t)ids[i] * d, (size_t)d, (half_kind)st->tok_half);
        else
            memcpy(xi, (const float *)st->tok + (size_t)ids[i] * d, (size_t)d * sizeof *xi);
        for (int j = 0; j < d; j++) xi[j] *= S->emb_scale;
        if (st->pos) {
            const float *p = st->pos + (size_t)(i + S->pos_offset) * d;
            for (int j = 0; j < d; j++) xi[j] += p[j];
        }
    }
    if (st->emb_ln_w) layernorm_forward(x, x, st->emb_ln_w, st->emb_ln_b, n, d, st->cfg.ln_eps);
    return finite_embeddings(x, (size_t)n * (size_t)d, m->source, err);
}

/* Runs layers 0 .. last of the stack over s->x; the final norm after the
 * last layer of the stack when final. */
static int run_stack(stack_run *s, const attn_model *m, const attn_s2s_stack *st, int decoder, int last, int final)
{
    const attn_s2s *S = m->s2s;
    if (s->bias) t5_bias((float *)s->bias, S, st, s->n, !decoder);
    for (int l = 0; l <= last; l++) {
        s->layer = l;
        const attn_layer_weights *L = &st->layers[l];
        if (decoder ? s2s_decoder_layer(s, L, S->pre_norm) : s2s_encoder_layer(s, L, S->pre_norm)) return -1;
        if (finite_layer(s->x, (size_t)s->n * (size_t)st->cfg.d_model, l, "activations", m->source, s->err))
            return -1;
    }
    if (final && st->final_ln_w) block_norm(s, s->x, s->x, st->final_ln_w, st->final_ln_b);
    return 0;
}

/* The encoder's output for src[n] into *mem ([n, d], malloc'd). */
static int encode(float **mem, const attn_model *m, const int *src, int n, stack_run *keep, attn_error *err)
{
    const attn_s2s_stack *st = &m->s2s->enc;
    stack_run s;
    stack_bufs b;
    *mem = NULL;
    if (buffers_init(&b, &s, m, &st->cfg, n, 1, err)) return -1;
    if (keep) s.keep = keep->keep, s.keep_ctx = keep->keep_ctx, s.trace = keep->trace;
    int rc = embed(s.x, m, st, src, n, err);
    if (rc == 0) rc = run_stack(&s, m, st, 0, st->cfg.n_layers - 1, 1);
    if (rc == 0) {
        *mem = s.x; /* the buffer becomes the result */
        for (int i = 0; i < b.n_all; i++)
            if (b.all[i] == s.x) b.all[i] = NULL;
    }
    stack_bufs_free(&b);
    return rc;
}

static int *token_ids(const attn_tokens *t, attn_error *err)
{
    int *ids = malloc((size_t)t->n * sizeof *ids);
    if (!ids) {
        attn_oom(err, "tokens");
        return NULL;
    }
    for (int i = 0; i < t->n; i++) ids[i] = t->tok[i].id;
    return ids;
}

typedef struct {
    attn_result *res;
    const forward_opts *fo;
} keep_ctx;

static int keep_head(void *ctx, int layer, int head, const float *att, attn_error *err)
{
    const keep_ctx *k = ctx;
    return forward_keep(k->res, k->fo, layer, head, att, err);
}

int s2s_forward(attn_result *res, const attn_model *m, const attn_tokens *src, const attn_tokens *tgt,
                s2s_part part, const int *layers, int n_layers, const int *heads, int n_heads,
                const forward_opts *fo, attn_error *err)
{
    const attn_s2s *S = m->s2s;
    const attn_tokens *q = part == PART_ENCODER ? src : tgt, *k = part == PART_DECODER ? tgt : src;
    const attn_s2s_stack *st = part == PART_ENCODER ? &S->enc : &S->dec;
    attn_trace *tr = fo ? fo->trace : NULL;
    int last = 0;
    for (int i = 0; i < n_layers; i++) last = layers[i] > last ? layers[i] : last;
    if (forward_result_init(res, layers, n_layers, heads, n_heads, q, k, part == PART_DECODER, fo, err)) return -1;
    keep_ctx kc = {res, fo};
    stack_run kr = {.keep = keep_head, .keep_ctx = &kc};
    int *sid = token_ids(src, err), *tid = part == PART_ENCODER ? NULL : token_ids(tgt, err);
    float *mem = NULL;
    int rc = !sid || (part != PART_ENCODER && !tid) ? -1 : 0;
    if (rc == 0 && tr) {
        rc = trace_init(tr, last + 1, q->n, k->n, st->cfg.n_heads * st->cfg.d_head, err);
        tr->scale = st->cfg.score == SCORE_DOT ? 1.0 : 1.0 / sqrt((double)st->cfg.d_head);
        kr.trace = tr;
    }
    if (rc == 0) rc = encode(&mem, m, sid, src->n, part == PART_ENCODER ? &kr : NULL, err);
    if (rc == 0 && part != PART_ENCODER) {
        stack_run s;
        stack_bufs b;
        rc = buffers_init(&b, &s, m, &st->cfg, tgt->n, src->n, err);
        if (rc == 0) {
            s.mem = mem;
            s.keep = keep_head, s.keep_ctx = &kc, s.trace = tr;
            s.cross_kept = part == PART_CROSS;
            rc = embed(s.x, m, st, tid, tgt->n, err);
            if (rc == 0) rc = run_stack(&s, m, st, 1, last, 0);
            stack_bufs_free(&b);
        }
    }
    free(mem);
    free(sid);
    free(tid);
    if (rc != 0) {
        result_free(res);
        trace_free(tr);
    }
    return rc;
}

/* ---- generation ---- */

typedef struct {
    const attn_model *m;
    const float *mem;
    int n_src;
    int *ids;        /* [cap] the target so far */
    int n, cap;
    int max_length;  /* 1 + max_new */
} gen_ctx;

/* The processed logits of the decoder's last row (generate()'s logits
 * processors). */
static int gen_step(void *ctx, const int *ids, int n, float *logits, attn_error *err)
{
    gen_ctx *g = ctx;
    const attn_model *m = g->m;
    const attn_s2s *S = m->s2s;
    const attn_s2s_stack *st = &S->dec;
    const int d = st->cfg.d_model, V = m->n_emb;
    if (g->n + n > g->cap) return attn_fail(err, ATTN_EXIT_RUNTIME, "generation: %d tokens", g->n + n);
    memcpy(g->ids + g->n, ids, (size_t)n * sizeof *ids);
    g->n += n;
    stack_run s;
    stack_bufs b;
    if (buffers_init(&b, &s, m, &st->cfg, g->n, g->n_src, err)) return -1;
    s.mem = g->mem;
    int rc = embed(s.x, m, st, g->ids, g->n, err);
    if (rc == 0) rc = run_stack(&s, m, st, 1, st->cfg.n_layers - 1, 0);
    if (rc == 0) {
        float *x = s.h; /* [1, d] the last row, normalised and scaled */
        memcpy(x, s.x + (size_t)(g->n - 1) * d, (size_t)d * sizeof *x);
        s.n = 1;
        if (st->final_ln_w) block_norm(&s, x, x, st->final_ln_w, st->final_ln_b);
        for (int j = 0; j < d; j++) x[j] *= S->out_scale;
        if (linear_forward(logits, x, &S->lm_head, 1, d, V))
            rc = attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory (the language-model head)");
    }
    stack_bufs_free(&b);
    if (rc) return -1;
    if (S->logits_bias)
        for (int i = 0; i < V; i++) logits[i] += S->logits_bias[i];
    if (finite_logits(logits, (size_t)V, m->source, err)) return -1;
    for (int i = 0; i < S->n_bad; i++) logits[S->bad_ids[i]] = -INFINITY;
    if (S->no_repeat > 0 && g->n + 1 >= S->no_repeat) { /* a token completing an n-gram seen before */
        const int nr = S->no_repeat, *t = g->ids;
        for (int j = 0; j + nr <= g->n; j++)
            if (memcmp(t + j, t + g->n - nr + 1, (size_t)(nr - 1) * sizeof *t) == 0) logits[t[j + nr - 1]] = -INFINITY;
    }
    if (g->n < S->min_length)
        for (int i = 0; i < m->n_eos; i++) logits[m->eos[i]] = -INFINITY;
    int forced = g->n == 1 && S->forced_bos >= 0 ? S->forced_bos
               : g->n == g->max_length - 1 && S->forced_eos >= 0 ? S->forced_eos : -1;
    if (forced >= 0)
        for (int i = 0; i < V; i++)
            if (i != forced) logits[i] = -INFINITY;
    return 0;
}

int s2s_generate(const attn_model *m, const int *src, int n_src, int max_new, int *out, int *n_out,
                 attn_error *err)
{
    const attn_s2s *S = m->s2s;
    *n_out = 0;
    if (!S->lm_head.w)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: generation needs the language-model head (a bare %s model has "
                         "none; give the output with --target)", m->source ? m->source : "model", S->type);
    float *mem;
    if (encode(&mem, m, src, n_src, NULL, err)) return -1;
    gen_ctx g = {m, mem, n_src, malloc((size_t)(max_new + 1) * sizeof(int)), 0, max_new + 1, max_new + 1};
    int rc = g.ids ? 0 : attn_oom(err, "generation");
    if (rc == 0) {
        attn_lm lm = {&g, m->n_emb, gen_step};
        rc = generate_greedy(&lm, &S->start_id, 1, max_new, m->eos, m->n_eos, out, n_out, err);
    }
    free(g.ids);
    free(mem);
    return rc;
}
