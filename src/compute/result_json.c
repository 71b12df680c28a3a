/* result_json.c — attnviz's JSON read back into an attention result (see
 * result_read.h). One object; JSON Lines of more than one line are
 * refused. Paths in messages are JSON paths ("layers[2].heads[0].weights[3]"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonutil.h"
#include "compute/result_read_impl.h"
#include "model/model.h"

static const char *const agg_names[] = {"mean", "max", "rollout"};

/* tokens: [{"text": ...}, ...] into t. */
static int tokens_of(attn_read *r, const cJSON *arr, const char *key, attn_tokens *t, attn_error *err)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" is not a non-empty array of tokens", r->path, key);
    int n = cJSON_GetArraySize(arr), i = 0;
    if (n > READ_MAX_TOKENS) return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\": too many tokens", r->path, key);
    char **texts = calloc((size_t)n, sizeof *texts); /* [n] borrowed */
    if (!texts) return attn_oom(err, r->path);
    const cJSON *tok;
    cJSON_ArrayForEach(tok, arr) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(tok, "text");
        if (!cJSON_IsString(s)) {
            free(texts);
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s[%d].text is not a string", r->path, key, i);
        }
        texts[i++] = s->valuestring;
    }
    int rc = read_tokens(t, texts, n, r->path, err);
    free(texts);
    i = 0;
    cJSON_ArrayForEach(tok, arr) { /* what the views use besides the text */
        if (rc) break;
        t->tok[i].special = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tok, "special"));
        t->tok[i].generated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tok, "generated"));
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(tok, "start"), *en = cJSON_GetObjectItemCaseSensitive(tok, "end");
        if (cJSON_IsNumber(st) && cJSON_IsNumber(en) && st->valuedouble >= 0 && en->valuedouble >= st->valuedouble &&
            en->valuedouble < 1e15) {
            t->tok[i].start = (size_t)st->valuedouble;
            t->tok[i].end = (size_t)en->valuedouble;
        }
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(tok, "id");
        if (cJSON_IsNumber(id) && id->valuedouble >= 0 && id->valuedouble < 2e9) t->tok[i].id = (int32_t)id->valuedouble;
        i++;
    }
    return rc;
}

/* A head's label: number (1-based) or -1 - index in agg_names; 0: neither. */
static int head_code(const cJSON *h)
{
    if (cJSON_IsNumber(h) && h->valuedouble >= 1 && h->valuedouble <= ATTN_MAX_HEADS &&
        h->valuedouble == (int)h->valuedouble)
        return (int)h->valuedouble;
    for (int i = 0; cJSON_IsString(h) && i < 3; i++)
        if (strcmp(h->valuestring, agg_names[i]) == 0) return -1 - i;
    return 0;
}

/* One head's weights [n_q][n_k] at dst. */
static int matrix(attn_read *r, const cJSON *w, int li, int hi, float *dst, attn_error *err)
{
    const int n_q = r->res.n_q, n_k = r->res.n_k;
    if (!cJSON_IsArray(w) || cJSON_GetArraySize(w) != n_q)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[%d].heads[%d].weights: not %d rows (one per token)",
                         r->path, li, hi, n_q);
    int q = 0;
    const cJSON *row, *v;
    cJSON_ArrayForEach(row, w) {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != n_k)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[%d].heads[%d].weights[%d]: not %d numbers", r->path,
                             li, hi, q, n_k);
        int k = 0;
        cJSON_ArrayForEach(v, row) {
            if (!cJSON_IsNumber(v) || !isfinite((float)v->valuedouble))
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[%d].heads[%d].weights[%d][%d]: not a finite "
                                 "float32", r->path, li, hi, q, k);
            dst[(size_t)q * (size_t)n_k + (size_t)k++] = (float)v->valuedouble;
        }
        q++;
    }
    return 0;
}

static int read_doc(attn_read *r, const cJSON *root, attn_error *err)
{
    if (!cJSON_IsObject(root)) return attn_fail(err, ATTN_EXIT_INPUT, "%s: not a JSON object", r->path);
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
    if (tokens_of(r, cJSON_GetObjectItemCaseSensitive(root, "tokens"), "tokens", &r->queries, err) ||
        (keys && tokens_of(r, keys, "keys", &r->keys, err)))
        return -1;
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(root, "text");
    if (cJSON_IsString(text) && !(r->text = strdup(text->valuestring))) return attn_oom(err, r->path);
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers"), *lay, *heads, *h;
    if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) == 0 || cJSON_GetArraySize(layers) > ATTN_MAX_LAYERS)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"layers\" is not a non-empty array", r->path);
    heads = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(layers, 0), "heads");
    int n_heads = cJSON_IsArray(heads) ? cJSON_GetArraySize(heads) : 0;
    if (n_heads == 0 || n_heads > ATTN_MAX_HEADS)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[0].heads is not a non-empty array", r->path);
    int n_k = r->keys.n ? r->keys.n : r->queries.n;
    if (read_alloc(r, cJSON_GetArraySize(layers), n_heads, r->queries.n, n_k, err)) return -1;
    size_t nn = (size_t)r->queries.n * (size_t)n_k;
    int li = 0, first_code[ATTN_MAX_HEADS];
    cJSON_ArrayForEach(lay, layers) {
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(lay, "layer");
        if (!cJSON_IsNumber(num) || num->valuedouble < 1 || num->valuedouble > ATTN_MAX_LAYERS ||
            num->valuedouble != (int)num->valuedouble)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[%d].layer is not a layer number", r->path, li);
        r->res.layers[li] = (int)num->valuedouble - 1;
        for (int j = 0; j < li; j++)
            if (r->res.layers[j] == r->res.layers[li])
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[%d]: layer %d twice", r->path, li,
                                 r->res.layers[li] + 1);
        heads = cJSON_GetObjectItemCaseSensitive(lay, "heads");
        if (!cJSON_IsArray(heads) || cJSON_GetArraySize(heads) != n_heads)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[%d].heads: not the %d heads of layers[0]", r->path,
                             li, n_heads);
        int hi = 0;
        cJSON_ArrayForEach(h, heads) {
            int code = head_code(cJSON_GetObjectItemCaseSensitive(h, "head"));
            if (!code)
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[%d].heads[%d].head is not a head number or "
                                 "mean, max, rollout", r->path, li, hi);
            if (li == 0) {
                for (int j = 0; j < hi; j++)
                    if (first_code[j] == code)
                        return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[0].heads[%d]: a head twice", r->path, hi);
                first_code[hi] = code;
                if ((code < 0) != (first_code[0] < 0) || (code < 0 && n_heads > 1))
                    return attn_fail(err, ATTN_EXIT_INPUT, "%s: heads mix numbers and aggregates", r->path);
                r->res.heads[hi] = code > 0 ? code - 1 : -1;
            } else if (code != first_code[hi]) {
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: layers[%d].heads[%d]: not the head of layers[0]",
                                 r->path, li, hi);
            }
            float *dst = r->res.weights + ((size_t)li * (size_t)n_heads + (size_t)hi) * nn;
            if (matrix(r, cJSON_GetObjectItemCaseSensitive(h, "weights"), li, hi, dst, err)) return -1;
            hi++;
        }
        li++;
    }
    if (first_code[0] < 0) r->res.aggregate = agg_names[-1 - first_code[0]];
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    r->res.causal = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(model, "causal"));
    if (r->res.causal && r->keys.n)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: model.causal with separate keys (cross-attention)", r->path);
    return 0;
}

int read_json(attn_read *r, const char *text, size_t len, attn_error *err)
{
    json_doc *doc = NULL;
    cJSON *root = json_parse_doc(r->path, text, len, &doc, err);
    if (!root) { /* JSON Lines of several objects? */
        const char *end = NULL;
        cJSON *first = cJSON_ParseWithOpts(text, &end, 0);
        while (first && end && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')) end++;
        if (first && end && *end == '{')
            attn_fail(err, ATTN_EXIT_INPUT, "%s: more than one JSON object (JSON Lines of several sentences); "
                      "--from shows one: keep its line (e.g. sed -n 2p)", r->path);
        cJSON_Delete(first);
        return -1;
    }
    int rc = read_doc(r, root, err);
    json_doc_free(doc);
    return rc;
}
