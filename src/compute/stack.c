/* stack.c — the runner of the layer stacks (stack.h): buffers, embeddings,
 * rotary tables, the loop over layers with each architecture's layer
 * function, the result, and sessions with a KV cache for generation.
 * Non-finite arithmetic is an error (finite.h): the embeddings, every layer
 * run in full and the language-model head's logits are checked here, the
 * scores of every head in block.c. */
#include "compute/stack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/attention.h"
#include "compute/embed.h"
#include "compute/finite.h"
#include "compute/generate.h"
#include "compute/linalg.h"
#include "compute/norm.h"
#include "compute/rope.h"
#include "compute/stack_impl.h"

typedef int (*layer_fn)(stack_run *s, const attn_layer_weights *L);

static layer_fn layer_of(attn_arch a)
{
    switch (a) {
    case ARCH_BERT: return bert_layer;
    case ARCH_GEMMA2: return gemma2_layer;
    case ARCH_NEOX: return neox_layer;
    case ARCH_OLMO2: return olmo2_layer;
    default: return llama_layer; /* GPT-2 and the Llama family */
    }
}

/* The buffers of a pass of up to rows tokens against up to n_k keys, and
 * the keys and values of layers layers (1 for a single pass, which reuses
 * them layer after layer). */
typedef struct {
    stack_bufs mem;       /* every buffer below and those of stack_run */
    float *kv;            /* [layers][2][n_k, kw] */
    float *inv, *inv_local; /* [rope.dim / 2], [rope_local.dim / 2] */
    float *cs, *cs_local; /* [rows, rope.dim], [rows, rope_local.dim] */
} buffers;

static float *take(buffers *b, size_t n) { return stack_take(&b->mem, n); }

static void buffers_free(buffers *b) { stack_bufs_free(&b->mem); }

static int buffers_init(buffers *b, stack_run *s, const attn_model *m, int rows, int n_k, int layers, attn_error *err)
{
    const attn_config *c = &m->cfg;
    const size_t r = (size_t)rows, d = (size_t)c->d_model, qw = (size_t)c->n_heads * (size_t)c->d_head;
    const size_t kw = (size_t)c->n_kv_heads * (size_t)c->d_head, f = (size_t)c->d_ff * (c->glu ? 2 : 1);
    const int fused = m->layers[0].qkv.w != NULL;
    memset(b, 0, sizeof *b);
    *s = (stack_run){.m = m, .c = c, .qw = (int)qw, .kw = (int)kw, .err = err};
    s->x = take(b, r * d);
    s->h = take(b, r * d);
    s->out = take(b, r * d);
    s->out2 = take(b, r * d);
    s->q = take(b, fused ? 1 : r * qw);
    s->k = take(b, fused ? 1 : r * kw);
    s->v = take(b, fused ? 1 : r * kw);
    s->qkv = take(b, fused ? r * (qw + 2 * kw) : 1);
    s->ctx = take(b, r * qw);
    s->ff = take(b, r * f);
    s->att_heads = attention_batch_heads(c->n_heads, rows, n_k);
    s->att = take(b, (size_t)s->att_heads * r * (size_t)n_k);
    b->kv = take(b, (size_t)layers * 2 * (size_t)n_k * kw);
    if (c->positional == POS_ROPE) {
        b->inv = take(b, (size_t)c->rope.dim / 2);
        b->cs = take(b, r * (size_t)c->rope.dim);
        if (m->local_rope) {
            b->inv_local = take(b, (size_t)c->rope_local.dim / 2);
            b->cs_local = take(b, r * (size_t)c->rope_local.dim);
        }
    }
    if (!stack_bufs_ok(&b->mem)) {
        double mib = (r * (4 * d + 2 * qw + 2 * kw + f + (size_t)s->att_heads * (size_t)n_k) +
                      (size_t)layers * 2 * (size_t)n_k * kw) *
                     4.0 / (1 << 20);
        return attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory: %d tokens need %.0f MiB of buffers", rows, mib);
    }
    s->cs = b->cs;
    s->cs_local = b->cs_local;
    return 0;
}

/* The rotary tables of rows pos0 .. pos0 + n - 1; seq_len: the longest
 * sequence seen so far (dynamic and longrope frequencies depend on it). */
static void rope_tables(buffers *b, const attn_config *c, int pos0, int n, int seq_len)
{
    float scale;
    if (c->positional != POS_ROPE) return;
    rope_inv_freq(b->inv, &scale, &c->rope, seq_len);
    rope_table(b->cs, b->inv, scale, c->rope.dim, pos0, n);
    if (!b->cs_local) return;
    rope_inv_freq(b->inv_local, &scale, &c->rope_local, seq_len);
    rope_table(b->cs_local, b->inv_local, scale, c->rope_local.dim, pos0, n);
}

/* Runs layers 0 .. last on s->x (rows s->n at s->pos0); layer l's keys
 * and values go to kv + (kv_layers > 1 ? l : 0). */
static int run_layers(stack_run *s, buffers *b, int last, int all_full, int kv_layers, int cap)
{
    const size_t kv = (size_t)cap * (size_t)s->kw;
    layer_fn fn = layer_of(s->c->arch);
    for (int l = 0; l <= last; l++) {
        s->layer = l;
        s->full = all_full || l < last;
        s->kc = b->kv + (kv_layers > 1 ? (size_t)l : 0) * 2 * kv;
        s->vc = s->kc + kv;
        if (fn(s, &s->m->layers[l])) return -1;
        if (s->full && finite_layer(s->x, (size_t)s->n * (size_t)s->c->d_model, l, "activations", s->m->source,
                                    s->err))
            return -1;
    }
    return 0;
}

/* After a pass failed on its input (activations or scores not finite: the
 * only input errors of a pass), the weights the loader left unread are
 * scanned, so that the error names the tensor and element holding NaN or
 * inf, as loading did when it read them all (model_check_weights). */
static void name_cause(const attn_model *m, attn_error *err)
{
    if (err && err->code == ATTN_EXIT_INPUT) model_check_weights(m, -1, err);
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

int stack_forward(attn_result *res, const attn_model *m, const attn_tokens *t, const int *layers, int n_layers,
                  const int *heads, int n_heads, const forward_opts *fo, attn_error *err)
{
    const attn_config *c = &m->cfg;
    attn_trace *tr = fo ? fo->trace : NULL;
    int last = 0;
    for (int i = 0; i < n_layers; i++) last = layers[i] > last ? layers[i] : last;
    stack_run s;
    buffers b;
    if (forward_result_init(res, layers, n_layers, heads, n_heads, t, t, c->causal, fo, err)) return -1;
    if (m->window && !(res->sliding = malloc((size_t)n_layers * sizeof *res->sliding))) {
        result_free(res);
        return attn_oom(err, "windows");
    }
    for (int i = 0; res->sliding && i < n_layers; i++) res->sliding[i] = m->window[layers[i]];
    if (buffers_init(&b, &s, m, t->n, t->n, 1, err)) {
        result_free(res);
        return -1;
    }
    keep_ctx kc = {res, fo};
    s.n = s.n_k = t->n;
    s.keep = keep_head;
    s.keep_ctx = &kc;
    int rc = tr ? trace_init(tr, last + 1, t->n, t->n, s.qw, err) : 0;
    if (tr && rc == 0) {
        s.trace = tr;
        tr->scale = c->attn_scale > 0.0 ? c->attn_scale
                  : c->score == SCORE_DOT ? 1.0 : 1.0 / sqrt((double)c->d_head);
        tr->softcap = c->attn_softcap;
    }
    if (rc == 0) rc = embed_forward(s.x, t, m, 0, err);
    if (rc == 0) rc = finite_embeddings(s.x, (size_t)t->n * (size_t)c->d_model, m->source, err);
    if (rc == 0) {
        rope_tables(&b, c, 0, t->n, t->n);
        rc = run_layers(&s, &b, last, 0, 1, t->n);
    }
    /* the last layer's weights past its attention were not used: read them */
    if (rc == 0) rc = finite_weights(m, last, err);
    buffers_free(&b);
    if (rc != 0) {
        name_cause(m, err);
        result_free(res);
        trace_free(tr);
    }
    return rc;
}

/* ---- sessions and generation ---- */

struct stack_session {
    const attn_model *m;
    stack_run s;
    buffers b;
    int cap;         /* positions the cache holds */
    int pos;         /* positions filled */
    int seq;         /* the longest sequence the rotary frequencies were made for */
    float *last;     /* [d_model] the final norm of the last row */
};

stack_session *stack_session_new(const attn_model *m, int cap, attn_error *err)
{
    if (!m->lm_head.w) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: --generate needs the language-model head (lm_head.weight, or tied "
                                        "embeddings)", m->source ? m->source : "model");
        return NULL;
    }
    if (m->cfg.arch == ARCH_BERT || !m->cfg.causal) {
        attn_fail(err, ATTN_EXIT_INPUT, "--generate: %s is not a causal language model",
                  m->source ? m->source : "the model");
        return NULL;
    }
    stack_session *ss = calloc(1, sizeof *ss);
    if (!ss) {
        attn_oom(err, "--generate");
        return NULL;
    }
    ss->m = m;
    ss->cap = cap;
    ss->last = malloc((size_t)m->cfg.d_model * sizeof *ss->last);
    if (!ss->last || buffers_init(&ss->b, &ss->s, m, cap, cap, m->cfg.n_layers, err)) {
        if (!ss->last) attn_oom(err, "--generate");
        free(ss->last);
        free(ss);
        return NULL;
    }
    return ss;
}

void stack_session_free(stack_session *ss)
{
    if (!ss) return;
    buffers_free(&ss->b);
    free(ss->last);
    free(ss);
}

static int session_step(void *session, const int *ids, int n, float *logits, attn_error *err)
{
    stack_session *ss = session;
    const attn_model *m = ss->m;
    const attn_config *c = &m->cfg;
    stack_run *s = &ss->s;
    if (n < 1 || ss->pos + n > ss->cap)
        return attn_fail(err, ATTN_EXIT_RUNTIME, "--generate: %d positions, but the cache holds %d", ss->pos + n,
                         ss->cap);
    attn_token *tok = calloc((size_t)n, sizeof *tok);
    if (!tok) return attn_oom(err, "--generate");
    for (int i = 0; i < n; i++) tok[i] = (attn_token){.text = (char *)"", .id = ids[i]};
    attn_tokens t = {tok, n};
    s->err = err;
    s->n = n;
    s->pos0 = ss->pos;
    s->n_k = ss->pos + n;
    int rc = embed_forward(s->x, &t, m, ss->pos, err);
    free(tok);
    if (rc || finite_embeddings(s->x, (size_t)n * (size_t)c->d_model, m->source, err)) return -1;
    if (ss->pos + n > ss->seq) ss->seq = ss->pos + n;
    rope_tables(&ss->b, c, ss->pos, n, ss->seq);
    if (run_layers(s, &ss->b, c->n_layers - 1, 1, c->n_layers, ss->cap)) return -1;
    ss->pos += n;
    if (!logits) return 0;
    const int d = c->d_model;
    const float *x = s->x + (size_t)(n - 1) * (size_t)d; /* [d] the last row */
    if (c->norm == NORM_RMSNORM) rmsnorm_forward(ss->last, x, m->final_ln_w, c->norm_offset, 1, d, d, c->ln_eps);
    else layernorm_forward(ss->last, x, m->final_ln_w, m->final_ln_b, 1, d, c->ln_eps);
    if (linear_forward(logits, ss->last, &m->lm_head, 1, d, m->n_emb))
        return attn_fail(err, ATTN_EXIT_RUNTIME, "out of memory (the language-model head)");
    if (c->final_softcap > 0.0)
        for (int i = 0; i < m->n_emb; i++)
            logits[i] = tanhf(logits[i] / (float)c->final_softcap) * (float)c->final_softcap;
    return finite_logits(logits, (size_t)m->n_emb, m->source, err);
}

int stack_session_step(void *session, const int *ids, int n, float *logits, attn_error *err)
{
    if (session_step(session, ids, n, logits, err) == 0) return 0;
    name_cause(((const stack_session *)session)->m, err);
    return -1;
}

int stack_generate(const attn_model *m, const int *prompt, int n_prompt, int max_new, int *out, int *n_out,
                   attn_error *err)
{
    *n_out = 0;
    stack_session *ss = stack_session_new(m, n_prompt + max_new, err);
    if (!ss) return -1;
    attn_lm lm = {ss, m->n_emb, stack_session_step};
    int rc = generate_greedy(&lm, prompt, n_prompt, max_new, m->eos, m->n_eos, out, n_out, err);
    stack_session_free(ss);
    return rc;
}
