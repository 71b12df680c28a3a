/* result_csv.c — attnviz's CSV read back into an attention result (see
 * result_read.h). Two passes over the text: the first finds the layers,
 * heads, sizes and tokens, the second fills the weights, each cell once.
 * Fields follow RFC 4180 (quoted fields, "" for a quote, CRLF or LF). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "compute/result_read_impl.h"
#include "model/model.h"

/* query_generated and key_generated (--generate) are optional, like sentence and window */
enum { C_SENTENCE, C_WINDOW, C_QG, C_KG, C_LAYER, C_HEAD, C_QI, C_QT, C_KI, C_KT, C_W, N_COLS };
static const char *const col_names[N_COLS] = {"sentence", "window", "query_generated", "key_generated", "layer",
                                              "head", "query_index", "query_token", "key_index", "key_token",
                                              "weight"};
static const char *const agg_names[] = {"mean", "max", "rollout"};

typedef struct {
    const char *p, *end;
    long line;          /* of the record being read (1-based) */
    attn_buf field;     /* the record's fields, each NUL-terminated */
    size_t at[64];      /* offsets of the fields in field.data */
    int n;
} csv_in;

/* Reads one record; returns 1, 0 at the end, -1 with err filled. */
static int next_record(csv_in *c, const char *path, attn_error *err)
{
    if (c->p >= c->end) return 0;
    long start = ++c->line;
    c->field.len = 0;
    c->n = 0;
    for (;;) {
        if (c->n == 64) return attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: more than 64 fields", path, c->line);
        c->at[c->n++] = c->field.len;
        if (c->p < c->end && *c->p == '"') {
            c->p++;
            for (;;) {
                if (c->p >= c->end)
                    return attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: a quoted field does not end", path, start);
                if (*c->p == '"' && c->p + 1 < c->end && c->p[1] == '"') { buf_putc(&c->field, '"'); c->p += 2; }
                else if (*c->p == '"') { c->p++; break; }
                else { if (*c->p == '\n') c->line++; buf_putc(&c->field, *c->p++); }
            }
        } else {
            const char *s = c->p;
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r' && *c->p != '"') c->p++;
            if (c->p < c->end && *c->p == '"')
                return attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: a quote inside an unquoted field", path, c->line);
            buf_put(&c->field, s, (size_t)(c->p - s));
        }
        buf_putc(&c->field, '\0');
        if (c->field.failed) return attn_oom(err, path);
        if (c->p < c->end && *c->p == ',') { c->p++; continue; }
        if (c->p < c->end && *c->p == '\r') c->p++;
        if (c->p < c->end && *c->p == '\n') c->p++;
        else if (c->p < c->end)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: text after a quoted field", path, c->line);
        return 1;
    }
}

static const char *fld(const csv_in *c, int i) { return c->field.data + c->at[i]; }

/* A decimal integer in [lo, hi] (the whole field); -1 if it is none. */
static long to_long(const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return end == s || *end || errno || v < lo || v > hi ? -1 : v;
}

/* Head label: 1-based number, or -1 - index in agg_names; 0 if neither. */
static int head_code(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, agg_names[i]) == 0) return -1 - i;
    long v = to_long(s, 1, ATTN_MAX_HEADS);
    return v > 0 ? (int)v : 0;
}

/* Records the text of token index i (texts grows); conflicts are errors. */
static int note_token(char ***texts, unsigned char **gen, int *cap, int i, const char *s, const char *g,
                      const char *what, const char *path, long line, attn_error *err)
{
    if (i >= *cap) {
        int nc = *cap ? *cap : 64;
        while (nc <= i) nc *= 2;
        char **t = realloc(*texts, (size_t)nc * sizeof *t);
        if (t) *texts = t;
        unsigned char *gn = t ? realloc(*gen, (size_t)nc) : NULL;
        if (!gn) return attn_oom(err, path);
        memset(t + *cap, 0, (size_t)(nc - *cap) * sizeof *t);
        memset(gn + *cap, 0, (size_t)(nc - *cap));
        *gen = gn;
        *cap = nc;
    }
    if (g && strcmp(g, "1") == 0) (*gen)[i] = 1;
    if (!(*texts)[i]) {
        if (!((*texts)[i] = strdup(s))) return attn_oom(err, path);
    } else if (strcmp((*texts)[i], s) != 0) {
        return attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: %s %d is '%s' here but '%s' before", path, line, what, i, s,
                         (*texts)[i]);
    }
    return 0;
}

typedef struct {
    int col[N_COLS];             /* field index of each column, -1: absent */
    int layers[ATTN_MAX_LAYERS]; /* shown layer numbers (1-based), in order */
    int n_layers;
    int heads[ATTN_MAX_HEADS];   /* head codes, in order */
    int n_heads;
    int n_q, n_k;
    char **qt, **kt;             /* token texts by index */
    unsigned char *qg, *kg;      /* 1: generated (--generate), by index */
    int qcap, kcap;
    int n_cols;                  /* columns in the header */
} csv_shape;

static int header(csv_shape *sh, const csv_in *c, const char *path, attn_error *err)
{
    for (int j = 0; j < N_COLS; j++) sh->col[j] = -1;
    for (int i = 0; i < c->n; i++) {
        int j = 0;
        while (j < N_COLS && strcmp(fld(c, i), col_names[j]) != 0) j++;
        if (j == N_COLS)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s:1: unknown column '%s' (attnviz's CSV has layer, head, "
                             "query_index, query_token, key_index, key_token, weight)", path, fld(c, i));
        if (sh->col[j] >= 0) return attn_fail(err, ATTN_EXIT_INPUT, "%s:1: column '%s' twice", path, col_names[j]);
        sh->col[j] = i;
    }
    for (int j = C_LAYER; j < N_COLS; j++)
        if (sh->col[j] < 0) return attn_fail(err, ATTN_EXIT_INPUT, "%s:1: no column '%s'", path, col_names[j]);
    sh->n_cols = 0;
    for (int j = 0; j < N_COLS; j++) sh->n_cols += sh->col[j] >= 0;
    return 0;
}

/* Pass 1: layers, heads, sizes and tokens; one sentence and window. */
static int survey(csv_shape *sh, csv_in *c, const char *path, attn_error *err)
{
    char first[2][32] = {"", ""};
    int rc;
    while ((rc = next_record(c, path, err)) == 1) {
        if (c->n == 1 && !fld(c, 0)[0] && c->p >= c->end) break; /* a last empty line */
        if (c->n != sh->n_cols)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: %d fields, the header has %d", path, c->line, c->n,
                             sh->n_cols);
        for (int j = C_SENTENCE; j <= C_WINDOW; j++) {
            if (sh->col[j] < 0) continue;
            const char *v = fld(c, sh->col[j]);
            if (!first[j][0]) snprintf(first[j], sizeof first[j], "%s", v);
            else if (strcmp(first[j], v) != 0)
                return attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: a second %s (%s after %s); --from shows one: keep "
                                 "its rows (e.g. awk -F, '$1 == %s')", path, c->line, col_names[j], v, first[j],
                                 first[j]);
        }
        long layer = to_long(fld(c, sh->col[C_LAYER]), 1, ATTN_MAX_LAYERS);
        int head = head_code(fld(c, sh->col[C_HEAD]));
        long qi = to_long(fld(c, sh->col[C_QI]), 0, READ_MAX_TOKENS - 1);
        long ki = to_long(fld(c, sh->col[C_KI]), 0, READ_MAX_TOKENS - 1);
        const char *bad = layer < 0 ? "layer" : head == 0 ? "head" : qi < 0 ? "query_index" : ki < 0 ? "key_index" : NULL;
        if (bad)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: %s '%s' is not a %s", path, c->line, bad,
                             fld(c, sh->col[bad[0] == 'l' ? C_LAYER : bad[0] == 'h' ? C_HEAD : bad[0] == 'q' ? C_QI : C_KI]),
                             bad[0] == 'h' ? "head number or mean, max, rollout" : "number in range");
        int i = 0;
        while (i < sh->n_layers && sh->layers[i] != layer) i++;
        if (i == sh->n_layers) sh->layers[sh->n_layers++] = (int)layer;
        i = 0;
        while (i < sh->n_heads && sh->heads[i] != head) i++;
        if (i == sh->n_heads) sh->heads[sh->n_heads++] = head;
        if (qi + 1 > sh->n_q) sh->n_q = (int)qi + 1;
        if (ki + 1 > sh->n_k) sh->n_k = (int)ki + 1;
        if (note_token(&sh->qt, &sh->qg, &sh->qcap, (int)qi, fld(c, sh->col[C_QT]),
                       sh->col[C_QG] >= 0 ? fld(c, sh->col[C_QG]) : NULL, "query", path, c->line, err) ||
            note_token(&sh->kt, &sh->kg, &sh->kcap, (int)ki, fld(c, sh->col[C_KT]),
                       sh->col[C_KG] >= 0 ? fld(c, sh->col[C_KG]) : NULL, "key", path, c->line, err))
            return -1;
    }
    if (rc < 0) return -1;
    if (sh->n_layers == 0) return attn_fail(err, ATTN_EXIT_INPUT, "%s: a header and no rows", path);
    int agg = sh->heads[0] < 0;
    for (int h = 0; h < sh->n_heads; h++)
        if ((sh->heads[h] < 0) != agg || (agg && sh->n_heads > 1))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: heads mix numbers and aggregates (%s)", path,
                             "mean, max or rollout come one per layer");
    for (int i = 0; i < sh->n_q; i++)
        if (!sh->qt[i]) return attn_fail(err, ATTN_EXIT_INPUT, "%s: no row for query %d", path, i);
    for (int i = 0; i < sh->n_k; i++)
        if (!sh->kt[i]) return attn_fail(err, ATTN_EXIT_INPUT, "%s: no row for key %d", path, i);
    return 0;
}

/* Pass 2: the weights, each cell once. */
static int fill(attn_read *r, const csv_shape *sh, csv_in *c, const char *path, attn_error *err)
{
    attn_result *res = &r->res;
    size_t nn = (size_t)sh->n_q * (size_t)sh->n_k;
    size_t cells = (size_t)sh->n_layers * (size_t)sh->n_heads * nn;
    unsigned char *seen = calloc(cells ? cells : 1, 1); /* [cells] */
    int rc, lpos[ATTN_MAX_LAYERS + 1];
    if (!seen) return attn_oom(err, path);
    for (int i = 0; i < sh->n_layers; i++) lpos[sh->layers[i]] = i;
    while ((rc = next_record(c, path, err)) == 1) {
        if (c->n == 1 && !fld(c, 0)[0] && c->p >= c->end) break;
        int li = lpos[to_long(fld(c, sh->col[C_LAYER]), 1, ATTN_MAX_LAYERS)];
        int code = head_code(fld(c, sh->col[C_HEAD])), hi = 0;
        while (sh->heads[hi] != code) hi++;
        long q = to_long(fld(c, sh->col[C_QI]), 0, READ_MAX_TOKENS), k = to_long(fld(c, sh->col[C_KI]), 0,
                                                                                   READ_MAX_TOKENS);
        const char *ws = fld(c, sh->col[C_W]);
        char *end;
        errno = 0;
        float w = strtof(ws, &end);
        if (end == ws || *end || !isfinite(w)) {
            rc = attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: weight '%s' is not a finite number", path, c->line, ws);
            break;
        }
        size_t at = ((size_t)li * (size_t)sh->n_heads + (size_t)hi) * nn + (size_t)q * (size_t)sh->n_k + (size_t)k;
        if (seen[at]++) {
            rc = attn_fail(err, ATTN_EXIT_INPUT, "%s:%ld: a second weight for layer %d, head %s, query %ld, key %ld",
                           path, c->line, sh->layers[li], fld(c, sh->col[C_HEAD]), q, k);
            break;
        }
        res->weights[at] = w;
    }
    for (size_t i = 0; rc == 0 && i < cells; i++)
        if (!seen[i]) {
            size_t m = i / nn, qk = i % nn;
            rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: no weight for layer %d, head %d of the file, query %zu, key %zu",
                           path, sh->layers[m / (size_t)sh->n_heads], (int)(m % (size_t)sh->n_heads) + 1,
                           qk / (size_t)sh->n_k, qk % (size_t)sh->n_k);
        }
    free(seen);
    return rc < 0 ? -1 : 0;
}

int read_csv(attn_read *r, const char *text, size_t len, attn_error *err)
{
    csv_in c = {text, text + len, 0, {0}, {0}, 0};
    csv_shape *sh = calloc(1, sizeof *sh);
    int rc;
    if (!sh) return attn_oom(err, r->path);
    buf_init(&c.field);
    rc = next_record(&c, r->path, err) == 1 ? header(sh, &c, r->path, err)
                                           : attn_fail(err, ATTN_EXIT_INPUT, "%s: no header", r->path);
    const char *body = c.p;
    long body_line = c.line;
    if (rc == 0) rc = survey(sh, &c, r->path, err);
    int self = 0;
    if (rc == 0) {
        self = sh->n_q == sh->n_k;
        for (int i = 0; self && i < sh->n_q; i++) self = strcmp(sh->qt[i], sh->kt[i]) == 0;
        rc = read_tokens(&r->queries, sh->qt, sh->n_q, r->path, err);
        if (rc == 0 && !self) rc = read_tokens(&r->keys, sh->kt, sh->n_k, r->path, err);
        for (int i = 0; rc == 0 && i < sh->n_q; i++) r->queries.tok[i].generated = sh->qg[i];
        for (int i = 0; rc == 0 && !self && i < sh->n_k; i++) r->keys.tok[i].generated = sh->kg[i];
    }
    if (rc == 0) rc = read_alloc(r, sh->n_layers, sh->n_heads, sh->n_q, sh->n_k, err);
    if (rc == 0) {
        for (int i = 0; i < sh->n_layers; i++) r->res.layers[i] = sh->layers[i] - 1;
        for (int i = 0; i < sh->n_heads; i++) r->res.heads[i] = sh->heads[i] > 0 ? sh->heads[i] - 1 : -1;
        if (sh->heads[0] < 0) r->res.aggregate = agg_names[-1 - sh->heads[0]];
        c.p = body;
        c.line = body_line;
        rc = fill(r, sh, &c, r->path, err);
    }
    for (int i = 0; i < sh->qcap; i++) free(sh->qt[i]);
    for (int i = 0; i < sh->kcap; i++) free(sh->kt[i]);
    free(sh->qt);
    free(sh->kt);
    free(sh->qg);
    free(sh->kg);
    free(sh);
    buf_free(&c.field);
    return rc;
}
