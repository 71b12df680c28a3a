/* result_read.c — --from FILE: the format, the NumPy reader, the tokens of
 * --tokens, the note on row sums, and choosing layers and heads. See
 * result_read.h; CSV is in result_csv.c, JSON in result_json.c. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/io.h"
#include "base/textesc.h"
#include "base/utf8.h"
#include "compute/npy.h"
#include "compute/result_read_impl.h"

void result_read_free(attn_read *r)
{
    result_free(&r->res);
    tokens_free(&r->queries);
    tokens_free(&r->keys);
    free(r->path);
    free(r->text);
    memset(r, 0, sizeof *r);
}

/* ---- --tokens: a file, or the tokens themselves ----------------------- */

static int read_token_arg(attn_tokens *t, const char *arg, attn_error *err)
{
    char *data = NULL, **texts = NULL;
    int n = 0, cap = 0, rc = 0, listed = arg[strcspn(arg, " \t\n")] != '\0';
    if (!listed) {
        if (!(data = io_read_file(arg, NULL, err))) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            return attn_fail(err, err->code, "--tokens: %s (give a file with one token per line, or the "
                             "tokens separated by spaces)", msg);
        }
    } else if (!(data = strdup(arg))) {
        return attn_oom(err, "--tokens");
    }
    char *p = data;
    while (rc == 0 && *p) {
        size_t len = listed ? strcspn(p, " \t\n\r") : strcspn(p, "\n");
        char *next = p + len + (p[len] ? 1 : 0);
        if (!listed && len && p[len - 1] == '\r') len--; /* CRLF */
        p[len] = '\0';
        if (len == 0 && listed) { p = next; continue; }
        if (len == 0 && *next)
            rc = attn_fail(err, ATTN_EXIT_INPUT, "--tokens %s: line %d is empty (one token per line)", arg, n + 1);
        else if (len && n == cap) {
            cap = cap ? 2 * cap : 64;
            char **q = realloc(texts, (size_t)cap * sizeof *q);
            if (!q) rc = attn_oom(err, "--tokens");
            else texts = q;
        }
        if (rc == 0 && len) texts[n++] = p;
        p = next;
    }
    if (rc == 0 && n == 0) rc = attn_fail(err, ATTN_EXIT_INPUT, "--tokens: no tokens");
    if (rc == 0) rc = read_tokens(t, texts, n, "--tokens", err);
    free(texts);
    free(data);
    return rc;
}

/* ---- NumPy ------------------------------------------------------------------ */

static int read_npy(attn_read *r, const unsigned char *bytes, size_t len, const char *tokens, attn_error *err)
{
    npy_array a;
    if (!tokens)
        return attn_fail(err, ATTN_EXIT_INPUT, "--from %s: a .npy array has no tokens; give --tokens FILE (one "
                         "per line) or --tokens \"a b c\"", r->path);
    if (npy_parse(r->path, bytes, len, &a, err)) return -1;
    int rc = 0;
    if (a.ndim < 2 || a.ndim > 4)
        rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: shape has %d dimension%s; want [layers, heads, q, k], [heads, "
                       "q, k] or [q, k]", r->path, a.ndim, a.ndim == 1 ? "" : "s");
    long long q = a.shape[a.ndim - 1 > 0 ? a.ndim - 2 : 0], k = a.shape[a.ndim - 1];
    long long L = a.ndim == 4 ? a.shape[0] : 1, H = a.ndim >= 3 ? a.shape[a.ndim - 3] : 1;
    if (rc == 0 && q != k)
        rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: a %lld × %lld matrix; self-attention is square (q = k)", r->path,
                       q, k);
    if (rc == 0 && (q > READ_MAX_TOKENS || L > 1024 || H > 1024))
        rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: shape too large for a view", r->path);
    if (rc == 0) rc = read_token_arg(&r->queries, tokens, err);
    if (rc == 0 && r->queries.n != q)
        rc = attn_fail(err, ATTN_EXIT_INPUT, "--tokens: %d tokens, but %s has %lld queries and keys", r->queries.n,
                       r->path, q);
    if (rc == 0) rc = read_alloc(r, (int)L, (int)H, (int)q, (int)k, err);
    if (rc == 0) {
        memcpy(r->res.weights, a.data, (size_t)(L * H * q * k) * sizeof *a.data);
        for (int i = 0; i < L; i++) r->res.layers[i] = i;
        for (int i = 0; i < H; i++) r->res.heads[i] = i;
    }
    npy_free(&a);
    return rc;
}

/* ---- the whole read ----------------------------------------------------------- */

/* "csv", "json" or "npy" from the extension, else from the first bytes. */
static const char *format_of(const char *path, const char *data, size_t len)
{
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/')) {
        if (strcasecmp(dot, ".csv") == 0) return "csv";
        if (strcasecmp(dot, ".json") == 0 || strcasecmp(dot, ".jsonl") == 0) return "json";
        if (strcasecmp(dot, ".npy") == 0) return "npy";
    }
    if (len >= 6 && memcmp(data, "\x93NUMPY", 6) == 0) return "npy";
    size_t i = 0;
    while (i < len && isspace((unsigned char)data[i])) i++;
    return i < len && data[i] == '{' ? "json" : "csv";
}

/* The note when some row does not sum to 1. */
static void row_note(attn_read *r)
{
    const attn_result *res = &r->res;
    double lo = INFINITY, hi = -INFINITY;
    for (int li = 0; li < res->n_layers; li++)
        for (int hi_ = 0; hi_ < res->n_heads; hi_++) {
            const float *w = result_head(res, li, hi_);
            for (int q = 0; q < res->n_q; q++) {
                double s = 0;
                for (int k = 0; k < res->n_k; k++)
                    if (!result_masked(res, q, k)) s += w[(size_t)q * (size_t)res->n_k + (size_t)k];
                if (s < lo) lo = s;
                if (s > hi) hi = s;
            }
        }
    if (lo < 1.0 - 1e-3 || hi > 1.0 + 1e-3)
        snprintf(r->note, sizeof r->note, "rows do not sum to 1 (from %.3g to %.3g); shown as they are", lo, hi);
}

int result_read(attn_read *out, const char *path, const char *tokens, attn_error *err)
{
    memset(out, 0, sizeof *out);
    const int std_in = strcmp(path, "-") == 0;
    if (!(out->path = strdup(std_in ? "standard input" : path))) return attn_oom(err, path);
    size_t len = 0;
    char *data = io_read_file(std_in ? "/dev/stdin" : path, &len, err);
    if (!data) {
        if (std_in) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            attn_fail(err, err->code, "--from -: %s", msg);
        }
        result_read_free(out);
        return -1;
    }
    const char *fmt = format_of(path, data, len);
    int rc;
    if (tokens && strcmp(fmt, "npy") != 0)
        rc = attn_fail(err, ATTN_EXIT_INPUT, "--tokens: for a .npy array; %s holds its tokens", out->path);
    else if (len == 0)
        rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: empty", out->path);
    else if (strcmp(fmt, "npy") == 0)
        rc = read_npy(out, (const unsigned char *)data, len, tokens, err);
    else if (strcmp(fmt, "json") == 0)
        rc = read_json(out, data, len, err);
    else
        rc = read_csv(out, data, len, err);
    free(data);
    if (rc != 0) {
        result_read_free(out);
        return -1;
    }
    attn_result *res = &out->res;
    res->queries = &out->queries;
    res->keys = out->keys.n ? &out->keys : &out->queries;
    res->meta.model = out->path;
    res->meta.n_layers = res->n_layers;
    res->meta.n_heads = res->n_heads;
    res->meta.text = out->text;
    row_note(out);
    if (out->note[0]) res->meta.note = out->note;
    return 0;
}

int result_select(attn_result *r, const int *keep_l, int n_l, const int *keep_h, int n_h, attn_error *err)
{
    size_t nn = (size_t)r->n_q * (size_t)r->n_k;
    float *w = malloc(((size_t)n_l * (size_t)n_h * nn + 1) * sizeof *w); /* [n_l][n_h][n_q, n_k] */
    int *layers = malloc((size_t)(n_l > 0 ? n_l : 1) * sizeof *layers), *heads = malloc((size_t)(n_h > 0 ? n_h : 1) * sizeof *heads);
    if (!w || !layers || !heads) {
        free(w);
        free(layers);
        free(heads);
        return attn_oom(err, "selection");
    }
    for (int a = 0; a < n_l; a++) {
        layers[a] = r->layers[keep_l[a]];
        for (int b = 0; b < n_h; b++)
            memcpy(w + ((size_t)a * (size_t)n_h + (size_t)b) * nn, result_head(r, keep_l[a], keep_h[b]),
                   nn * sizeof *w);
    }
    for (int b = 0; b < n_h; b++) heads[b] = r->heads[keep_h[b]];
    free(r->weights);
    free(r->layers);
    free(r->heads);
    r->weights = w;
    r->layers = layers;
    r->heads = heads;
    r->n_layers = n_l;
    r->n_heads = n_h;
    return 0;
}
