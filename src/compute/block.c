/* block.c — the blocks a layer is wired from (stack_impl.h): norm,
 * residual add, attention, MLP. The attention block follows Hugging Face's
 * attention classes and eager_attention_forward: q, k and v projections
 * (or one fused projection: q | k | v rows, or GPT-NeoX's per-head q, k, v),
 * q/k RMSNorm (Qwen3, Gemma 3: per head; OLMo 2: over all heads), rotary
 * embeddings, keys and values appended to the cache, then for every query
 * head h its key/value head h / (n_heads / n_kv_heads) (grouped-query and
 * multi-query attention): scores q·k · scaling, soft-capping, the causal and
 * sliding-window masks, softmax, the weighted values, the output projection.
 * Scores that overflow float32 (and, for --explain, values) are an error
 * (finite.h); the runner checks the embeddings and each layer's output.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/attention.h"
#include "compute/finite.h"
#include "compute/linalg.h"
#include "compute/norm.h"
#include "compute/rope.h"
#include "compute/stack_impl.h"

void block_norm(stack_run *s, float *out, const float *in, const float *w, const float *b)
{
    const attn_config *c = s->c;
    if (c->norm == NORM_RMSNORM) rmsnorm_forward(out, in, w, c->norm_offset, s->n, c->d_model, c->d_model, c->ln_eps);
    else layernorm_forward(out, in, w, b, s->n, c->d_model, c->ln_eps);
}

void block_add(stack_run *s, float *x, const float *y)
{
    for (size_t i = 0; i < (size_t)s->n * (size_t)s->c->d_model; i++) x[i] += y[i];
}

static int linear(stack_run *s, float *out, const float *in, const attn_linear *lin, int d_in, int d_out)
{
    if (linear_forward(out, in, lin, s->n, d_in, d_out) == 0) return 0;
    return attn_fail(s->err, ATTN_EXIT_RUNTIME, "out of memory (converting 16-bit weights of layer %d)",
                     s->layer + 1);
}

/* Where the heads of q, k and v are after the projections: head h of
 * row i starts at base + i·ld + h·step. */
typedef struct {
    float *q, *k, *v;
    int ld_q, ld_kv, step_q, step_kv;
} qkv_view;

static int project(stack_run *s, const attn_layer_weights *L, const float *in, qkv_view *o)
{
    const attn_config *c = s->c;
    const int d = c->d_model, dh = c->d_head, qw = s->qw, kw = s->kw;
    if (L->qkv.w) {
        const int w = qw + 2 * kw;
        if (linear(s, s->qkv, in, &L->qkv, d, w)) return -1;
        if (c->arch == ARCH_NEOX) /* [n, heads, 3, d_head]: q, k, v of a head side by side */
            *o = (qkv_view){s->qkv, s->qkv + dh, s->qkv + 2 * dh, w, w, 3 * dh, 3 * dh};
        else
            *o = (qkv_view){s->qkv, s->qkv + qw, s->qkv + qw + kw, w, w, dh, dh};
        return 0;
    }
    *o = (qkv_view){s->q, s->k, s->v, qw, kw, dh, dh};
    /* the values of a layer whose output nothing reads are not needed */
    return linear(s, s->q, in, &L->q, d, qw) || linear(s, s->k, in, &L->k, d, kw) ||
           ((s->full || s->trace) && linear(s, s->v, in, &L->v, d, kw));
}

/* q/k norms and rotary embeddings, in place. */
static void position(stack_run *s, const attn_layer_weights *L, const qkv_view *o)
{
    const attn_config *c = s->c;
    const int dh = c->d_head, H = c->n_heads, KV = c->n_kv_heads;
    if (c->qk_norm == QK_NORM_ALL) {
        rmsnorm_forward(o->q, o->q, L->q_norm, c->norm_offset, s->n, s->qw, o->ld_q, c->ln_eps);
        rmsnorm_forward(o->k, o->k, L->k_norm, c->norm_offset, s->n, s->kw, o->ld_kv, c->ln_eps);
    } else if (c->qk_norm == QK_NORM_HEAD) {
        for (int i = 0; i < s->n; i++) {
            rmsnorm_forward(o->q + (size_t)i * o->ld_q, o->q + (size_t)i * o->ld_q, L->q_norm, c->norm_offset, H,
                            dh, o->step_q, c->ln_eps);
            rmsnorm_forward(o->k + (size_t)i * o->ld_kv, o->k + (size_t)i * o->ld_kv, L->k_norm, c->norm_offset,
                            KV, dh, o->step_kv, c->ln_eps);
        }
    }
    if (c->positional != POS_ROPE) return;
    const int local = s->m->local_rope && s->m->local_rope[s->layer];
    const float *cs = local ? s->cs_local : s->cs;
    const int dim = local ? c->rope_local.dim : c->rope.dim;
    rope_apply(o->q, o->ld_q, s->n, H, o->step_q, cs, dim);
    rope_apply(o->k, o->ld_kv, s->n, KV, o->step_kv, cs, dim);
}

/* The layer's keys and values by position: rows pos0 .. pos0 + n - 1 of
 * the cache; with --explain, Q, K and V (per query head) into the trace. */
static void cache(stack_run *s, const qkv_view *o)
{
    const int dh = s->c->d_head, KV = s->c->n_kv_heads, H = s->c->n_heads;
    for (int i = 0; i < s->n; i++)
        for (int g = 0; g < KV; g++) {
            size_t at = (size_t)(s->pos0 + i) * (size_t)s->kw + (size_t)g * (size_t)dh;
            memcpy(s->kc + at, o->k + (size_t)i * o->ld_kv + (size_t)g * o->step_kv, (size_t)dh * sizeof(float));
            if (s->full || s->trace)
                memcpy(s->vc + at, o->v + (size_t)i * o->ld_kv + (size_t)g * o->step_kv, (size_t)dh * sizeof(float));
        }
    attn_trace *tr = s->cross_kept ? NULL : s->trace;
    if (!tr) return;
    size_t qd = (size_t)tr->n_q * (size_t)s->qw;
    float *tq = tr->q + (size_t)s->layer * qd, *tk = tr->k + (size_t)s->layer * qd, *tv = tr->v + (size_t)s->layer * qd;
    for (int i = 0; i < s->n; i++)
        for (int h = 0; h < H; h++) {
            size_t at = (size_t)i * (size_t)s->qw + (size_t)h * (size_t)dh;
            size_t kv = (size_t)i * (size_t)s->kw + (size_t)(h / (H / KV)) * (size_t)dh;
            memcpy(tq + at, o->q + (size_t)i * o->ld_q + (size_t)h * o->step_q, (size_t)dh * sizeof(float));
            memcpy(tk + at, s->kc + kv, (size_t)dh * sizeof(float));
            memcpy(tv + at, s->vc + kv, (size_t)dh * sizeof(float));
        }
}

/* q·k scaling: query_pre_attn_scalar^-1/2 (Gemma 2/3), 1 for --score dot,
 * else 1/√d_head. */
static float score_scale(const attn_config *c)
{
    if (c->attn_scale > 0.0) return (float)c->attn_scale;
    return c->score == SCORE_DOT ? 1.0f : (float)(1.0 / sqrt((double)c->d_head));
}

/* Every head's weights against n_k keys and, when values is set, its
 * output in s->ctx: s->att_heads heads at a time on every thread
 * (attention_heads_forward), then each one's check and keep in head order.
 * Head h reads q + h·step_q (row stride ld_q) and the keys and values of
 * its group, kc and vc + (h / group)·d_head (row stride ld_kv); bias, when
 * set, is [n_heads][n, n_k]. kept: this block's weights are the ones kept. */
typedef struct {
    const float *q, *kc, *vc, *bias;
    int ld_q, step_q, ld_kv, group, n_k;
} heads_in;

static int heads_forward(stack_run *s, const heads_in *in, const attn_score_opts *so, int kept, int values)
{
    const int dh = s->c->d_head, H = s->c->n_heads;
    const int B = s->att_heads < 1 ? 1 : s->att_heads > ATTN_MAX_BATCH ? ATTN_MAX_BATCH : s->att_heads;
    const size_t nn = (size_t)s->n * (size_t)in->n_k;
    attn_head_io io[ATTN_MAX_BATCH]; /* [B] */
    for (int h0 = 0; h0 < H; h0 += B) {
        const int nb = H - h0 < B ? H - h0 : B;
        for (int i = 0; i < nb; i++) {
            const int h = h0 + i;
            const size_t kv = (size_t)(h / in->group) * (size_t)dh;
            io[i] = (attn_head_io){.att = s->att + (size_t)i * nn, .q = in->q + (size_t)h * (size_t)in->step_q,
                                   .k = in->kc + kv, .v = in->vc + kv,
                                   .out = values ? s->ctx + (size_t)h * (size_t)dh : NULL,
                                   .bias = in->bias ? in->bias + (size_t)h * nn : NULL};
        }
        attention_heads_forward(io, nb, in->ld_q, in->ld_kv, in->ld_kv, s->qw, s->n, in->n_k, dh, so);
        for (int i = 0; i < nb; i++) {
            if (finite_scores(io[i].att, s->n, in->n_k, s->layer, h0 + i, s->m->source, s->err)) return -1;
            if (s->keep && kept && s->keep(s->keep_ctx, s->layer, h0 + i, io[i].att, s->err)) return -1;
        }
    }
    return 0;
}

int block_attention(stack_run *s, const attn_layer_weights *L, const float *in, float *out)
{
    const attn_config *c = s->c;
    qkv_view o;
    if (project(s, L, in, &o)) return -1;
    position(s, L, &o);
    cache(s, &o);
    if (s->trace && finite_layer(s->vc + (size_t)s->pos0 * (size_t)s->kw, (size_t)s->n * (size_t)s->kw, s->layer,
                                 "values", s->m->source, s->err))
        return -1;
    attn_score_opts so = {.scale = score_scale(c), .softcap = (float)c->attn_softcap, .causal = c->causal,
                          .window = s->m->window ? s->m->window[s->layer] : 0, .q_pos0 = s->pos0};
    heads_in hi = {.q = o.q, .kc = s->kc, .vc = s->vc, .bias = s->bias, .ld_q = o.ld_q, .step_q = o.step_q,
                   .ld_kv = s->kw, .group = c->n_heads / c->n_kv_heads, .n_k = s->n_k};
    if (heads_forward(s, &hi, &so, !s->cross_kept, s->full)) return -1;
    return s->full ? linear(s, out, s->ctx, &L->o, s->qw, c->d_model) : 0;
}

int block_cross_attention(stack_run *s, const attn_layer_weights *L, const float *in, float *out)
{
    const attn_config *c = s->c;
    const int d = c->d_model, dh = c->d_head, qw = s->qw, nm = s->n_mem;
    stack_run km = *s; /* the keys and values have the encoder's rows */
    km.n = nm;
    if (linear(s, s->q, in, &L->cq, d, qw) || linear(&km, s->ck, s->mem, &L->ck, d, qw) ||
        linear(&km, s->cv, s->mem, &L->cv, d, qw))
        return -1;
    attn_trace *tr = s->cross_kept ? s->trace : NULL;
    if (tr) { /* --explain: Q of the decoder, K and V of the encoder's output */
        memcpy(tr->q + (size_t)s->layer * (size_t)tr->n_q * (size_t)qw, s->q, (size_t)s->n * (size_t)qw * sizeof(float));
        memcpy(tr->k + (size_t)s->layer * (size_t)tr->n_k * (size_t)qw, s->ck, (size_t)nm * (size_t)qw * sizeof(float));
        memcpy(tr->v + (size_t)s->layer * (size_t)tr->n_k * (size_t)qw, s->cv, (size_t)nm * (size_t)qw * sizeof(float));
    }
    attn_score_opts so = {.scale = score_scale(c)};
    heads_in hi = {.q = s->q, .kc = s->ck, .vc = s->cv, .ld_q = qw, .step_q = dh, .ld_kv = qw, .group = 1, .n_k = nm};
    if (heads_forward(s, &hi, &so, s->cross_kept, 1)) return -1;
    return linear(s, out, s->ctx, &L->co, qw, d);
}

int block_mlp(stack_run *s, const attn_layer_weights *L, const float *in, float *out)
{
    const attn_config *c = s->c;
    const int d = c->d_model, f = c->d_ff;
    if (!c->glu) {
        if (linear(s, s->ff, in, &L->ffn_up, d, f)) return -1;
        activation_forward(s->ff, (size_t)s->n * (size_t)f, c->act);
    } else { /* gate and up side by side, then act(gate) ⊙ up in place of gate */
        float *gate = s->ff, *up = s->ff + (size_t)s->n * (size_t)f; /* [n, f] each */
        if (linear(s, gate, in, &L->ffn_gate, d, f) || linear(s, up, in, &L->ffn_up, d, f)) return -1;
        glu_forward(gate, gate, up, f, s->n, f, c->act);
    }
    return linear(s, out, s->ff, &L->ffn_down, f, d);
}
