/* overview.c — the first screen of the terminal (see render.h): the header
 * naming the model and the tokens, the note on what part of the input a
 * result holds, and the overview of the heads.
 *
 * The overview ranks the shown heads by focus, the mean over query rows of
 * the row's largest (unmasked) weight: 1 when every row puts all its weight
 * on one key, 1/n for uniform rows. Each head gets its dominant pattern in
 * words. Each row counts in the group of the key its largest weight goes
 * to (ties: the lowest key): the first token ("[CLS]", or "first token"),
 * the last token ("[SEP]", "</s>", or "last token"), punctuation (any key
 * that is punctuation or symbols, token_text.h), or that key itself ("to
 * animal"); and, for self-attention, also in the group of its relation to
 * the query when it has one: itself (k = q), previous token (k = q − 1),
 * next token (k = q + 1). The group with the most rows wins (ties: the
 * larger sum of weights, then the order just given); a head whose focus is
 * below 0.25 or whose winning group has fewer than a quarter of the rows
 * is "broad". The example shown for the pattern is the row of the winning
 * group with the largest weight, where weights equal at the two decimals
 * shown count as equal and then the shortest query label wins (the line
 * stays short), then the first; rows of special or punctuation tokens
 * only when there is no other.
 * Without ov->all, at most OVERVIEW_LINES heads are listed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "render/ansi_common.h"
#include "text/token_text.h"

#define OVERVIEW_LINES 16
#define BROAD_FOCUS 0.25f

enum { C_FIRST, C_LAST, C_PUNCT, C_TOKEN, C_SELF, C_PREV, C_NEXT, C_NONE };

typedef struct {
    int map;              /* shown map: layer index * n_heads + head index */
    float focus;
    int cls, key;         /* winning class; its key for C_TOKEN */
    int count;            /* rows of the winning class */
    int ex_q, ex_k;       /* example row and its key (-1: none) */
    float ex_w;
    int broad;
} head_sum;

int render_note(const attn_result *r, char *buf, size_t cap)
{
    const attn_meta *m = &r->meta;
    size_t n = 0;
    buf[0] = '\0';
    if (m->tokens_total && m->n_windows)
        n += (size_t)snprintf(buf, cap, "window %d of %d: tokens %d–%d of %d (--window)", m->window,
                              m->n_windows, m->window_start, m->window_end - 1, m->tokens_total);
    else if (m->tokens_total)
        n += (size_t)snprintf(buf, cap, "truncated: the first %d of %d tokens (--truncate)", m->window_end,
                              m->tokens_total);
    if (m->note && n < cap) snprintf(buf + n, cap - n, "%s%s", n ? "; " : "", m->note);
    return buf[0] != '\0';
}

/* "1.8 M", "16.6 K", "40". */
static void fmt_count(char *s, size_t cap, long long v)
{
    if (v >= 1000000000LL) snprintf(s, cap, "%.1f G", (double)v / 1e9);
    else if (v >= 1000000LL) snprintf(s, cap, "%.1f M", (double)v / 1e6);
    else if (v >= 10000LL) snprintf(s, cap, "%.1f K", (double)v / 1e3);
    else snprintf(s, cap, "%lld", v);
}

/* The model's name: the last part of its path. */
static const char *base_name(const char *path, char *buf, size_t cap)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/') start--;
    snprintf(buf, cap, "%.*s", (int)utf8_prefix(path + start, len - start, cap - 1), path + start);
    return buf;
}

/* An architecture as people write it. */
static const char *arch_label(const char *arch)
{
    static const char *const names[][2] = {{"bert", "BERT"}, {"gpt2", "GPT-2"}, {"attention", "attention only"},
                                           {"roberta", "RoBERTa"}, {"distilbert", "DistilBERT"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(arch, names[i][0]) == 0) return names[i][1];
    return arch;
}

const char *render_model_name(const attn_meta *m, char *buf, size_t cap)
{
    if (m->seeded) snprintf(buf, cap, "generated (--seed %llu)", (unsigned long long)m->seed);
    else if (m->name) /* config.json's _name_or_path, whole characters */
        snprintf(buf, cap, "%.*s", (int)utf8_prefix(m->name, strlen(m->name), cap - 1), m->name);
    else base_name(m->model ? m->model : "?", buf, cap);
    return buf;
}

void render_model_line(attn_buf *b, const attn_result *r)
{
    const attn_meta *m = &r->meta;
    char name[256], params[32];
    if (m->seeded) {
        buf_printf(b, "model: generated, random weights (--seed %llu; ", (unsigned long long)m->seed);
    } else if (!m->architecture) {
        buf_puts(b, "attention read from ");
        textesc_put(b, render_model_name(m, name, sizeof name));
        buf_puts(b, " (");
    } else {
        buf_puts(b, "model: ");
        textesc_put(b, render_model_name(m, name, sizeof name));
        buf_puts(b, " (");
    }
    if (m->architecture) buf_printf(b, "%s, ", arch_label(m->architecture));
    buf_printf(b, "%d layer%s × %d head%s", m->n_layers, m->n_layers == 1 ? "" : "s", m->n_heads,
               m->n_heads == 1 ? "" : "s");
    if (m->n_kv_heads && m->n_kv_heads != m->n_heads) /* grouped-query attention */
        buf_printf(b, " sharing %d key/value head%s", m->n_kv_heads, m->n_kv_heads == 1 ? "" : "s");
    if (m->n_params) {
        fmt_count(params, sizeof params, m->n_params);
        buf_printf(b, ", %s parameters", params);
    }
    if (m->n_kv_heads && m->context) buf_printf(b, ", context %d", m->context);
    int total = m->tokens_total ? m->tokens_total : r->n_q;
    buf_printf(b, ") · %d token%s", total, total == 1 ? "" : "s");
}

int render_header(attn_buf *out, const attn_result *r, const ansi_opts *o, attn_error *err)
{
    int width = o->width < 20 ? 20 : o->width;
    attn_buf b; /* the model line, whole (a copy into a fixed array could cut a character) */
    buf_init(&b);
    render_model_line(&b, r);
    buf_putc(&b, ':');
    /* the tokens, each as the terminal labels it, on at most 3 lines */
    ansi_label *l = ansi_labels_build(r->queries, r->n_q);
    if (!l) {
        buf_free(&b);
        return attn_oom(err, "header");
    }
    ansi_pen p = {out, o->color, -1, -1, 0, 0, 0, 0};
    ansi_pen_sgr(&p, -1, -1, 0, 1);
    ansi_pen_text(&p, b.data ? b.data : "", -1);
    ansi_pen_plain(&p);
    int lines = 0;
    for (int i = 0; i < r->n_q; i++) {
        int w = utf8_width(l[i].s);
        if (p.col + 1 + w > width) {
            if (++lines == 3) {
                ansi_pen_text(&p, " …", 2);
                break;
            }
            ansi_pen_nl(&p);
            ansi_pen_text(&p, l[i].s, w);
        } else {
            ansi_pen_text(&p, " ", 1);
            ansi_pen_text(&p, l[i].s, w);
        }
    }
    ansi_pen_nl(&p);
    ansi_labels_free(l, r->n_q);
    buf_free(&b);
    return out->failed ? attn_oom(err, "header") : 0;
}

static int by_focus(const void *a, const void *b)
{
    const head_sum *x = a, *y = b;
    if (x->focus != y->focus) return x->focus > y->focus ? -1 : 1;
    return (x->map > y->map) - (x->map < y->map);
}

/* The key group (C_FIRST … C_TOKEN) of key k. */
static int key_group(const attn_result *r, int k)
{
    return k == 0 ? C_FIRST : k == r->n_k - 1 ? C_LAST : token_is_punct(r->keys->tok[k].text) ? C_PUNCT
                                                                                              : C_TOKEN;
}

/* 1 when row q (largest weight on key[q]) is in group (c, kk). */
static int in_group(const attn_result *r, int q, const int *key, const int *rel, int c, int kk)
{
    if (key[q] < 0) return 0;
    if (c >= C_SELF) return rel[q] == c;
    if (c == C_TOKEN) return key[q] == kk && key_group(r, key[q]) == C_TOKEN;
    return key_group(r, key[q]) == c;
}

/* Summary of one map (see the top of the file); rel[n_q], key[n_q] and
 * wmax[n_q] are scratch. */
static void summarize(head_sum *h, const attn_result *r, int map, const ansi_label *ql, int *rel,
                      int *key, float *wmax)
{
    const float *w = result_head(r, map / r->n_heads, map % r->n_heads);
    const int self = r->keys == r->queries;
    int rows = 0;
    double focus = 0.0;
    memset(h, 0, sizeof *h);
    h->map = map;
    for (int q = 0; q < r->n_q; q++) {
        int best = -1;
        for (int k = 0; k < r->n_k; k++) {
            float v = w[(size_t)q * (size_t)r->n_k + (size_t)k];
            if (result_masked_in(r, map / r->n_heads, q, k) || !isfinite(v)) continue;
            if (best < 0 || v > wmax[q]) { best = k; wmax[q] = v; }
        }
        key[q] = best;
        rel[q] = C_NONE;
        if (best < 0) continue;
        rows++;
        focus += wmax[q];
        if (self) rel[q] = best == q ? C_SELF : best == q - 1 ? C_PREV : best == q + 1 ? C_NEXT : C_NONE;
    }
    h->focus = rows ? (float)(focus / rows) : 0.0f;
    /* the winning group: C_TOKEN counts per key */
    int best_n = 0;
    float best_s = 0.0f;
    h->cls = -1;
    for (int c = C_FIRST; c < C_NONE; c++) {
        int kmax = c == C_TOKEN ? r->n_k : 1;
        for (int kk = 0; kk < kmax; kk++) {
            int n = 0;
            float s = 0.0f;
            for (int q = 0; q < r->n_q; q++)
                if (in_group(r, q, key, rel, c, kk)) { n++; s += wmax[q]; }
            if (n > best_n || (n == best_n && n > 0 && s > best_s)) {
                best_n = n; best_s = s; h->cls = c; h->key = kk;
            }
        }
    }
    h->count = best_n;
    h->broad = h->focus < BROAD_FOCUS || best_n * 4 < rows || best_n == 0;
    /* the example row */
    h->ex_q = -1;
    int ex_plain = 0, ex_pct = -1, ex_len = 0;
    for (int q = 0; q < r->n_q && h->cls >= 0; q++) {
        if (!in_group(r, q, key, rel, h->cls, h->key)) continue;
        int plain = !r->queries->tok[q].special && !token_is_punct(r->queries->tok[q].text);
        int pct = (int)lroundf(wmax[q] * 100.0f), len = utf8_width(ql[q].s);
        int better = h->ex_q < 0 || plain > ex_plain ||
                     (plain == ex_plain && (pct > ex_pct || (pct == ex_pct && len < ex_len)));
        if (better) {
            h->ex_q = q; h->ex_k = key[q]; h->ex_w = wmax[q];
            ex_plain = plain; ex_pct = pct; ex_len = len;
        }
    }
}

/* The pattern of a head in words, into b. */
static void put_pattern(attn_buf *b, const head_sum *h, const attn_result *r, const ansi_label *ql,
                        const ansi_label *kl)
{
    if (h->broad) {
        buf_puts(b, "broad: weight spread over many keys");
        return;
    }
    switch (h->cls) {
    case C_SELF: buf_puts(b, "itself"); break;
    case C_PREV: buf_puts(b, "previous token"); break;
    case C_NEXT: buf_puts(b, "next token"); break;
    case C_FIRST:
        if (r->keys->tok[0].special) buf_puts(b, kl[0].s);
        else buf_puts(b, "first token");
        break;
    case C_LAST:
        if (r->keys->tok[r->n_k - 1].special) buf_puts(b, kl[r->n_k - 1].s);
        else buf_puts(b, "last token");
        break;
    case C_PUNCT: buf_puts(b, "punctuation"); break;
    default: buf_printf(b, "to %s", kl[h->key].s);
    }
    char w[32];
    ansi_fmt_weight(w, sizeof w, h->ex_w);
    buf_printf(b, ": %s → %s %s (%d of %d rows)", ql[h->ex_q].s, kl[h->ex_k].s, w, h->count, r->n_q);
}

/* A token as typed after -q: plain when it is one word, else quoted. */
static void put_arg(attn_buf *b, const char *s)
{
    if (s[strcspn(s, " \t'\"\\$`*?;&|<>()!#~")] == '\0' && s[0] != '-' && s[0]) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'') buf_puts(b, "'\\''");
        else buf_putc(b, *s);
    }
    buf_putc(b, '\'');
}

int render_overview(attn_buf *out, const attn_result *r, const ansi_opts *o, const overview_opts *ov,
                    attn_error *err)
{
    int width = o->width < 20 ? 20 : o->width;
    int maps = r->n_layers * r->n_heads, rc = -1;
    head_sum *hs = calloc((size_t)(maps > 0 ? maps : 1), sizeof *hs);     /* [maps] */
    int *rel = malloc((size_t)(r->n_q > 0 ? r->n_q : 1) * sizeof *rel);   /* [n_q] */
    int *key = malloc((size_t)(r->n_q > 0 ? r->n_q : 1) * sizeof *key);   /* [n_q] */
    float *wmax = malloc((size_t)(r->n_q > 0 ? r->n_q : 1) * sizeof *wmax); /* [n_q] */
    ansi_label *ql = ansi_labels_build(r->queries, r->n_q);
    ansi_label *kl = r->keys == r->queries ? ql : ansi_labels_build(r->keys, r->n_k);
    attn_buf line;
    buf_init(&line);
    if (!hs || !rel || !key || !wmax || !ql || !kl) { attn_oom(err, "overview"); goto done; }
    for (int m = 0; m < maps; m++) summarize(&hs[m], r, m, ql, rel, key, wmax);
    qsort(hs, (size_t)maps, sizeof *hs, by_focus);
    ansi_pen p = {out, o->color, -1, -1, 0, 0, 0, 0};
    ansi_pen_sgr(&p, -1, -1, 0, 1);
    ansi_pen_wrap(&p, "Heads by focus (the mean of each row's largest weight; 1: one key per row)",
                  width);
    ansi_pen_plain(&p);
    int shown = ov->all || maps <= OVERVIEW_LINES ? maps : OVERVIEW_LINES - 1;
    int lw = 0; /* width of "layer 3 · head 1" */
    for (int i = 0; i < maps; i++) {
        char t[64];
        ansi_title_of(t, sizeof t, r, hs[i].map);
        if (utf8_width(t) > lw) lw = utf8_width(t);
    }
    for (int i = 0; i < shown; i++) {
        const head_sum *h = &hs[i];
        char t[64], f[16];
        ansi_title_of(t, sizeof t, r, h->map);
        ansi_pen_goto(&p, 2 + lw - utf8_width(t));
        ansi_pen_text(&p, t, -1);
        snprintf(f, sizeof f, "%.2f", (double)h->focus);
        ansi_pen_goto(&p, p.col + 2);
        ansi_pen_text(&p, f, -1);
        line.len = 0;
        put_pattern(&line, h, r, ql, kl);
        ansi_pen_goto(&p, p.col + 2);
        int room = width - p.col;
        attn_buf cut;
        buf_init(&cut);
        ansi_put_shortened(&cut, line.data ? line.data : "", line.len, "", room, 0);
        if (cut.data) ansi_pen_text(&p, cut.data, -1);
        buf_free(&cut);
        ansi_pen_nl(&p);
    }
    if (shown < maps) {
        char more[96];
        snprintf(more, sizeof more, "  … %d more head%s (--overview lists every head)", maps - shown,
                 maps - shown == 1 ? "" : "s");
        ansi_pen_wrap(&p, more, width);
    }
    /* the next command */
    const head_sum *top = &hs[0];
    if (!r->aggregate && maps > 1) {
        char hb[16];
        int li = top->map / r->n_heads, hi = top->map % r->n_heads;
        line.len = 0;
        buf_printf(&line, "Next: -l %d -H %s shows layer %d head %s alone", r->layers[li] + 1,
                   result_head_label(r, hi, hb), r->layers[li] + 1, result_head_label(r, hi, hb));
        if (!ov->query && !top->broad && top->ex_q >= 0) {
            buf_puts(&line, ", -q ");
            put_arg(&line, ql[top->ex_q].s);
            buf_printf(&line, " what \"%s\" attends to in every head", ql[top->ex_q].s);
        }
        buf_puts(&line, ".");
        if (!line.failed) ansi_pen_wrap(&p, line.data, width);
    }
    rc = 0;
done:
    buf_free(&line);
    if (kl && kl != ql) ansi_labels_free(kl, r->n_k);
    ansi_labels_free(ql, r->n_q);
    free(hs);
    free(rel);
    free(key);
    free(wmax);
    if (rc == 0 && out->failed) rc = attn_oom(err, "overview");
    return rc;
}
