/* explain.c — see explain.h. */
#include "render/explain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textesc.h"
#include "base/utf8.h"
#include "render/ansi_common.h"
#include "render/render.h"

/* The numbers of one head for the explained query. */
typedef struct {
    int li;            /* shown layer index (masks) */
    int layer, head;   /* 0-based model indices */
    int dh;
    const float *q;    /* [dh] the query's slice */
    double *proj_q;    /* [dh] W_q·q (additive only) */
    double *proj_k;    /* [n_k, dh] W_k·k_j (additive only) */
    double *tanh_v;    /* [n_k, dh] tanh(W_q·q + W_k·k_j) (additive only) */
    double *raw;       /* [n_k] raw score */
    double *scaled;    /* [n_k] after scaling */
    double *expv;      /* [n_k] exp(scaled - max), 0 when masked */
    double *out;       /* [dh] Σ_j w_j v_j */
    double scale, max, sum;
    const float *w;    /* [n_k] the result's weights for this query */
} head_steps;

static void steps_free(head_steps *s)
{
    free(s->proj_q);
    free(s->proj_k);
    free(s->tanh_v);
    free(s->raw);
    free(s->scaled);
    free(s->expv);
    free(s->out);
}

static int steps_compute(head_steps *s, const attn_result *r, const attn_trace *tr,
                         const attn_model *m, int li, int hi, int query, attn_error *err)
{
    const attn_config *c = &m->cfg;
    const int nk = r->n_k, d = tr->d_model, dh = c->d_head, l = r->layers[li], h = r->heads[hi];
    memset(s, 0, sizeof *s);
    s->li = li;
    s->layer = l;
    s->head = h;
    s->dh = dh;
    s->raw = malloc((size_t)nk * sizeof *s->raw);
    s->scaled = malloc((size_t)nk * sizeof *s->scaled);
    s->expv = malloc((size_t)nk * sizeof *s->expv);
    s->out = calloc((size_t)dh, sizeof *s->out);
    s->proj_q = calloc((size_t)dh, sizeof *s->proj_q);
    if (c->score == SCORE_ADDITIVE) {
        s->proj_k = calloc((size_t)nk * dh, sizeof *s->proj_k);
        s->tanh_v = calloc((size_t)nk * dh, sizeof *s->tanh_v);
    }
    if (!s->raw || !s->scaled || !s->expv || !s->out || !s->proj_q ||
        (c->score == SCORE_ADDITIVE && (!s->proj_k || !s->tanh_v)))
        return attn_oom(err, "--explain");
    const float *Q = tr->q + (size_t)l * tr->n_q * d, *K = tr->k + (size_t)l * nk * d;
    const float *V = tr->v + (size_t)l * nk * d;
    s->q = Q + (size_t)query * d + (size_t)h * dh;
    s->scale = tr->scale > 0.0 ? tr->scale : c->score == SCORE_SCALED_DOT ? 1.0 / sqrt((double)dh) : 1.0;
    const attn_layer_weights *L = &m->layers[l];
    if (c->score == SCORE_ADDITIVE)
        for (int a = 0; a < dh; a++)
            for (int b = 0; b < dh; b++)
                s->proj_q[a] += (double)L->add_wq[((size_t)h * dh + a) * dh + b] * s->q[b];
    s->max = -INFINITY;
    for (int j = 0; j < nk; j++) {
        const float *kj = K + (size_t)j * d + (size_t)h * dh;
        double raw = 0.0;
        if (c->score == SCORE_ADDITIVE) {
            double *pk = s->proj_k + (size_t)j * dh, *th = s->tanh_v + (size_t)j * dh;
            for (int a = 0; a < dh; a++) {
                for (int b = 0; b < dh; b++) pk[a] += (double)L->add_wk[((size_t)h * dh + a) * dh + b] * kj[b];
                th[a] = tanh(s->proj_q[a] + pk[a]);
                raw += (double)L->add_v[(size_t)h * dh + a] * th[a];
            }
        } else {
            for (int a = 0; a < dh; a++) raw += (double)s->q[a] * kj[a];
        }
        s->raw[j] = raw;
        s->scaled[j] = raw * s->scale;
        if (tr->softcap > 0.0) s->scaled[j] = tr->softcap * tanh(s->scaled[j] / tr->softcap); /* Gemma 2 */
        if (!result_masked_in(r, li, query, j) && s->scaled[j] > s->max) s->max = s->scaled[j];
    }
    s->sum = 0.0;
    for (int j = 0; j < nk; j++) {
        s->expv[j] = result_masked_in(r, li, query, j) ? 0.0 : exp(s->scaled[j] - s->max);
        s->sum += s->expv[j];
    }
    s->w = result_head(r, li, hi) + (size_t)query * nk;
    for (int j = 0; j < nk; j++)
        for (int a = 0; a < dh; a++) s->out[a] += (double)s->w[j] * V[(size_t)j * d + (size_t)h * dh + a];
    return 0;
}

/* "[a, b, c, d, …, z]": at most 4 leading and 1 trailing component. */
static void vec_text(attn_buf *out, const float *f, const double *dv, int n)
{
    buf_putc(out, '[');
    for (int i = 0; i < n; i++) {
        if (i) buf_puts(out, ", ");
        if (n > 6 && i == 4) {
            buf_puts(out, "…, ");
            i = n - 1;
        }
        buf_printf(out, "%.4f", f ? (double)f[i] : dv[i]);
    }
    buf_putc(out, ']');
    if (n > 6) buf_printf(out, "  (%d values, 5 shown)", n);
}

/* Pads s to display width w (labels may hold CJK or emoji). */
static void pad(attn_buf *out, const char *s, int w)
{
    buf_puts(out, s);
    for (int i = utf8_width(s); i < w; i++) buf_putc(out, ' ');
}

static const char *const score_names[] = {"scaled_dot", "dot", "additive"};

static void head_text(attn_buf *out, const head_steps *s, const attn_result *r, const attn_trace *tr,
                      const attn_model *m, int query)
{
    const attn_config *c = &m->cfg;
    const int nk = r->n_k, dh = s->dh, rope = c->positional == POS_ROPE;
    const double usual = c->score == SCORE_SCALED_DOT ? 1.0 / sqrt((double)dh) : 1.0;
    buf_printf(out, "── layer %d · head %d  (%s, d_head %d: components %d–%d of %d) ──\n\n",
               s->layer + 1, s->head + 1, score_names[c->score], dh, s->head * dh + 1,
               (s->head + 1) * dh, tr->d_model);
    const char *x = c->arch == ARCH_OLMO2 ? "x" : model_is_decoder(c) ? "norm(x)"
                  : m->s2s ? (m->s2s->pre_norm ? "norm(x)" : "x") : c->layer_norm == LN_PRE ? "LN(x)" : "x";
    /* keys and values: the source's embeddings (--source), or an encoder-decoder's encoder output */
    const char *kx = r->keys == r->queries ? x : m->s2s ? "enc" : "source ";
    buf_printf(out, "1. Query vector of \"%s\": q = %s%s%s%s\n   q = ", r->queries->tok[query].text,
               rope ? "rotary(position, " : "", x, c->projections ? "·W_qᵀ + b_q" : " (no projections)",
               rope ? ")" : "");
    vec_text(out, s->q, NULL, dh);
    buf_puts(out, "\n\n");
    if (c->score == SCORE_ADDITIVE) {
        buf_puts(out, "2. Additive score of each key: s_j = vᵀ · tanh(W_q·q + W_k·k_j)\n   W_q·q = ");
        vec_text(out, NULL, s->proj_q, dh);
        buf_puts(out, "\n   v     = ");
        vec_text(out, m->layers[s->layer].add_v + (size_t)s->head * dh, NULL, dh);
        buf_putc(out, '\n');
        for (int j = 0; j < nk; j++) {
            if (result_masked_in(r, s->li, query, j)) continue;
            buf_printf(out, "   key %d \"%s\": W_k·k = ", j, r->keys->tok[j].text);
            vec_text(out, NULL, s->proj_k + (size_t)j * dh, dh);
            buf_puts(out, "\n      tanh(W_q·q + W_k·k) = ");
            vec_text(out, NULL, s->tanh_v + (size_t)j * dh, dh);
            buf_printf(out, "  → s = %.4f\n", s->raw[j]);
        }
        buf_puts(out, "3. No scaling for the additive score.\n");
    } else {
        buf_printf(out, "2. Raw score of each key: s_j = q · k_j, with k_j = %s%s%s%s%s\n", rope ? "rotary(j, " : "",
                   kx, c->projections ? "_j·W_kᵀ + b_k" : "_j", rope ? ")" : "",
                   c->n_kv_heads && c->n_kv_heads < c->n_heads ? " (the head's key/value head)" : "");
        if (fabs(s->scale - usual) > 1e-6 * usual)
            buf_printf(out, "3. Scale: multiply by %.6g (the model's scaling)\n", s->scale);
        else if (c->score == SCORE_SCALED_DOT)
            buf_printf(out, "3. Scale: divide by √d_head = √%d = %.4f\n", dh, sqrt((double)dh));
        else
            buf_puts(out, "3. No scaling (score \"dot\"): large d_head makes the softmax peaky.\n");
        if (tr->softcap > 0.0)
            buf_printf(out, "   then soft-cap: %g · tanh(score / %g)\n", tr->softcap, tr->softcap);
    }
    buf_printf(out, "4. Softmax: subtract the largest score (m = %.4f), exponentiate, divide by\n"
                    "   the sum of the exponentials (Σ = %.4f)%s\n\n",
               s->max, s->sum, r->sliding && r->sliding[s->li] ? "; keys after the query or outside its sliding "
                                                              "window are masked"
                               : r->causal ? "; keys after the query are masked (causal)" : "");
    int kw = 3;
    for (int j = 0; j < nk; j++) kw = utf8_width(r->keys->tok[j].text) > kw ? utf8_width(r->keys->tok[j].text) : kw;
    if (kw > 16) kw = 16;
    buf_puts(out, "     j  ");
    pad(out, "key", kw);
    buf_puts(out, c->score == SCORE_ADDITIVE ? "   vᵀtanh(·)" : "       q·k_j");
    if (c->score == SCORE_SCALED_DOT) buf_printf(out, "  ÷ %-7.4f", 1.0 / s->scale);
    buf_puts(out, "       − m      exp(·)    weight\n");
    for (int j = 0; j < nk; j++) {
        attn_buf label; /* the key's text shortened to kw columns, whole characters */
        const char *kt = r->keys->tok[j].text;
        buf_init(&label);
        ansi_put_shortened(&label, kt, strlen(kt), "", kw, 0);
        buf_putc(&label, '\0');
        buf_printf(out, "  %4d  ", j);
        pad(out, label.failed ? "" : label.data, kw);
        buf_free(&label);
        if (result_masked_in(r, s->li, query, j)) {
            buf_puts(out, j > query ? "      masked (key after the query)            0\n"
                                    : "      masked (outside the sliding window)     0\n");
            continue;
        }
        buf_printf(out, "  %10.4f", s->raw[j]);
        if (c->score == SCORE_SCALED_DOT) buf_printf(out, "  %9.4f", s->scaled[j]);
        buf_printf(out, "  %9.4f  %10.4f  %8.4f\n", s->scaled[j] - s->max, s->expv[j], (double)s->w[j]);
    }
    double total = 0.0;
    for (int j = 0; j < nk; j++) total += s->w[j];
    buf_printf(out, "  %*sΣ exp = %.4f   Σ weight = %.4f\n\n", kw + 33 + (c->score == SCORE_SCALED_DOT ? 11 : 0),
               "", s->sum, total);
    buf_printf(out, m->s2s ? "5. Output of the head: Σ_j weight_j · v_j, with v_j = %s%s\n"
                           : "5. Output of the head: Σ_j weight_j · v_j, with v_j = %s%s\n   out = ",
               kx, c->projections ? "_j·W_vᵀ + b_v" : "_j");
    if (m->s2s) buf_puts(out, "   (x: the decoder's stream at the target token; enc_j: the encoder's output at\n"
                              "   source token j)\n   out = ");
    vec_text(out, NULL, s->out, dh);
    buf_puts(out, "\n\n");
}

/* The tokens of t with their texts escaped for the screen (textesc.h): a
 * new array of t->n tokens, each text malloc'd; NULL when memory runs out. */
static attn_token *escaped_tokens(const attn_tokens *t)
{
    attn_token *e = calloc((size_t)t->n + 1, sizeof *e); /* [n] */
    for (int i = 0; e && i < t->n; i++) {
        e[i] = t->tok[i];
        if (!(e[i].text = textesc_dup(t->tok[i].text))) {
            while (i--) free(e[i].text);
            free(e);
            e = NULL;
        }
    }
    return e;
}

static void escaped_free(attn_token *e, int n)
{
    for (int i = 0; e && i < n; i++) free(e[i].text);
    free(e);
}

int explain_text(attn_buf *out, const attn_result *res, const attn_trace *tr, const attn_model *m,
                 int query, attn_error *err)
{
    /* the same result, with token texts shown escaped */
    attn_result view = *res;
    attn_tokens qt = {escaped_tokens(res->queries), res->queries->n};
    attn_tokens kt = {res->keys != res->queries ? escaped_tokens(res->keys) : qt.tok, res->keys->n};
    const attn_result *r = &view;
    int rc = qt.tok && kt.tok ? 0 : attn_oom(err, "--explain");
    view.queries = &qt;
    view.keys = res->keys != res->queries ? &kt : &qt;
    if (rc == 0)
        buf_printf(out, "Explaining the attention of query %d \"%s\" (rows are queries, columns keys)\n\n",
                   query, r->queries->tok[query].text);
    for (int li = 0; rc == 0 && li < r->n_layers; li++)
        for (int hi = 0; rc == 0 && hi < r->n_heads; hi++) {
            head_steps s;
            rc = steps_compute(&s, r, tr, m, li, hi, query, err);
            if (rc == 0) head_text(out, &s, r, tr, m, query);
            steps_free(&s);
        }
    if (kt.tok != qt.tok) escaped_free(kt.tok, kt.n);
    escaped_free(qt.tok, qt.n);
    if (rc) return -1;
    return out->failed ? attn_oom(err, "--explain") : 0;
}

static void json_vec(attn_buf *out, const char *key, const float *f, const double *d, int n)
{
    buf_printf(out, ",\"%s\":[", key);
    for (int i = 0; i < n; i++) buf_printf(out, "%s%.9g", i ? "," : "", f ? (double)f[i] : d[i]);
    buf_putc(out, ']');
}

int explain_json(attn_buf *out, const attn_result *r, const attn_trace *tr, const attn_model *m,
                 int query, attn_error *err)
{
    const attn_config *c = &m->cfg;
    buf_printf(out, "{\"query\":{\"index\":%d,\"token\":", query);
    json_string(out, r->queries->tok[query].text);
    buf_printf(out, "},\"score\":\"%s\",\"d_head\":%d,\"causal\":%s,\"layers\":[", score_names[c->score],
               c->d_head, r->causal ? "true" : "false");
    for (int li = 0; li < r->n_layers; li++) {
        buf_printf(out, "%s{\"layer\":%d,\"heads\":[", li ? "," : "", r->layers[li] + 1);
        for (int hi = 0; hi < r->n_heads; hi++) {
            head_steps s;
            if (steps_compute(&s, r, tr, m, li, hi, query, err)) {
                steps_free(&s);
                return -1;
            }
            buf_printf(out, "%s{\"head\":%d,\"scale\":%.9g", hi ? "," : "", s.head + 1, s.scale);
            json_vec(out, "q", s.q, NULL, s.dh);
            if (c->score == SCORE_ADDITIVE) {
                json_vec(out, "Wq_q", NULL, s.proj_q, s.dh);
                json_vec(out, "v", m->layers[s.layer].add_v + (size_t)s.head * s.dh, NULL, s.dh);
            }
            buf_puts(out, ",\"keys\":[");
            for (int j = 0; j < r->n_k; j++) {
                buf_printf(out, "%s{\"index\":%d,\"token\":", j ? "," : "", j);
                json_string(out, r->keys->tok[j].text);
                if (result_masked_in(r, li, query, j))
                    buf_puts(out, ",\"masked\":true,\"weight\":0}");
                else {
                    if (c->score == SCORE_ADDITIVE) {
                        json_vec(out, "Wk_k", NULL, s.proj_k + (size_t)j * s.dh, s.dh);
                        json_vec(out, "tanh", NULL, s.tanh_v + (size_t)j * s.dh, s.dh);
                    }
                    buf_printf(out, ",\"masked\":false,\"raw\":%.9g,\"scaled\":%.9g,\"shifted\":%.9g,"
                                    "\"exp\":%.9g,\"weight\":%.9g}",
                               s.raw[j], s.scaled[j], s.scaled[j] - s.max, s.expv[j], (double)s.w[j]);
                }
            }
            buf_printf(out, "],\"max\":%.9g,\"sum_exp\":%.9g", s.max, s.sum);
            json_vec(out, "output", NULL, s.out, s.dh);
            buf_putc(out, '}');
            steps_free(&s);
        }
        buf_puts(out, "]}");
    }
    buf_puts(out, "]}\n");
    return out->failed ? attn_oom(err, "--explain") : 0;
}
