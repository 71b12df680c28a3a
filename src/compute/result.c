/* result.c — the attention result: freeing, head aggregation and rollout.
 * See result.h. */
#include "compute/result.h"

#include <stdlib.h>
#include <string.h>

#include "compute/linalg.h"

void result_free(attn_result *r)
{
    if (!r) return;
    free(r->weights);
    free(r->layers);
    free(r->heads);
    free(r->sliding);
    memset(r, 0, sizeof *r);
}

int result_copy(attn_result *dst, const attn_result *src, const int *keep, int n_keep, attn_error *err)
{
    const int nl = keep ? n_keep : src->n_layers;
    const size_t per_layer = (size_t)src->n_heads * (size_t)src->n_q * (size_t)src->n_k;
    *dst = *src;
    dst->n_layers = nl;
    dst->layers = malloc(((size_t)nl + 1) * sizeof *dst->layers);
    dst->heads = malloc(((size_t)src->n_heads + 1) * sizeof *dst->heads);
    dst->weights = malloc((size_t)nl * per_layer * sizeof *dst->weights + 1); /* [nl][heads][n_q, n_k] */
    if (!dst->layers || !dst->heads || !dst->weights) {
        result_free(dst);
        return attn_oom(err, "copy of the attention");
    }
    memcpy(dst->heads, src->heads, (size_t)src->n_heads * sizeof *dst->heads);
    for (int i = 0; i < nl; i++) {
        int li = i;
        if (keep)
            for (li = 0; li < src->n_layers && src->layers[li] != keep[i]; li++) {}
        if (li == src->n_layers) {
            result_free(dst);
            return attn_fail(err, ATTN_EXIT_RUNTIME, "copy of the attention: layer %d not computed", keep[i] + 1);
        }
        dst->layers[i] = src->layers[li];
        memcpy(dst->weights + (size_t)i * per_layer, result_head(src, li, 0), per_layer * sizeof *dst->weights);
    }
    return 0;
}

int result_regroup(attn_result *r, const int *qgroup, const attn_tokens *q, const int *kgroup,
                   const attn_tokens *k, attn_error *err)
{
    const size_t mats = (size_t)r->n_layers * (size_t)r->n_heads, nn = (size_t)q->n * (size_t)k->n;
    free(r->sliding); /* a group's cells mix tokens in and out of a window */
    r->sliding = NULL;
    float *w = calloc(mats * nn + 1, sizeof *w); /* [layers][heads][q->n, k->n] */
    int *size = calloc((size_t)q->n + 1, sizeof *size); /* [q->n] tokens per query group */
    if (!w || !size) {
        free(w);
        free(size);
        return attn_oom(err, "grouping");
    }
    for (int i = 0; i < r->n_q; i++)
        if (qgroup[i] >= 0) size[qgroup[i]]++;
    for (size_t m = 0; m < mats; m++) {
        const float *src = r->weights + m * (size_t)r->n_q * (size_t)r->n_k; /* [n_q, n_k] */
        float *dst = w + m * nn;                                               /* [q->n, k->n] */
        for (int i = 0; i < r->n_q; i++) {
            if (qgroup[i] < 0) continue;
            float *row = dst + (size_t)qgroup[i] * (size_t)k->n;
            for (int j = 0; j < r->n_k; j++)
                if (kgroup[j] >= 0) row[kgroup[j]] += src[(size_t)i * (size_t)r->n_k + (size_t)j];
        }
        for (int g = 0; g < q->n; g++)
            for (int h = 0; h < k->n; h++) dst[(size_t)g * (size_t)k->n + (size_t)h] /= (float)size[g];
    }
    free(size);
    free(r->weights);
    r->weights = w;
    r->queries = q;
    r->keys = k;
    r->n_q = q->n;
    r->n_k = k->n;
    return 0;
}

/* Shrinks r to one head per layer, given the new weights [n_layers][n_q, n_k]. */
static void set_single_head(attn_result *r, float *w, const char *label)
{
    free(r->weights);
    r->weights = w;
    r->n_heads = 1;
    r->heads[0] = -1;
    r->aggregate = label;
}

int result_aggregate(attn_result *r, const char *how, attn_error *err)
{
    int is_max = strcmp(how, "max") == 0;
    size_t nn = (size_t)r->n_q * r->n_k;
    float *w = malloc((size_t)r->n_layers * nn * sizeof *w); /* [layers][n_q, n_k] */
    if (!w) return attn_oom(err, "--aggregate");
    for (int li = 0; li < r->n_layers; li++) {
        float *dst = w + (size_t)li * nn;
        memcpy(dst, result_head(r, li, 0), nn * sizeof *dst);
        for (int hi = 1; hi < r->n_heads; hi++) {
            const float *src = result_head(r, li, hi);
            for (size_t i = 0; i < nn; i++)
                dst[i] = is_max ? (src[i] > dst[i] ? src[i] : dst[i]) : dst[i] + src[i];
        }
        if (!is_max)
            for (size_t i = 0; i < nn; i++) dst[i] /= (float)r->n_heads;
    }
    set_single_head(r, w, is_max ? "max" : "mean");
    return 0;
}

int result_rollout(attn_result *r, const int *keep, int n_keep, attn_error *err)
{
    if (r->n_q != r->n_k)
        return attn_fail(err, ATTN_EXIT_INPUT, "--rollout: needs self-attention (not --source)");
    const int n = r->n_q;
    const size_t nn = (size_t)n * n;
    free(r->sliding); /* the product reaches past every window */
    r->sliding = NULL;
    float *hat = malloc(nn * sizeof *hat);  /* [n, n] Â_l */
    float *roll = malloc(nn * sizeof *roll); /* [n, n] running product */
    float *tmp = malloc(nn * sizeof *tmp);  /* [n, n] */
    float *w = malloc((size_t)n_keep * nn * sizeof *w); /* [n_keep][n, n] */
    if (!hat || !roll || !tmp || !w) {
        free(hat);
        free(roll);
        free(tmp);
        free(w);
        return attn_oom(err, "--rollout");
    }
    int k = 0;
    for (int l = 0; l < r->n_layers; l++) {
        memset(hat, 0, nn * sizeof *hat);
        for (int hi = 0; hi < r->n_heads; hi++) {
            const float *a = result_head(r, l, hi);
            for (size_t i = 0; i < nn; i++) hat[i] += a[i];
        }
        for (int i = 0; i < n; i++) {
            float *row = hat + (size_t)i * n, sum = 0.0f;
            for (int j = 0; j < n; j++) sum += row[j] /= (float)r->n_heads;
            row[i] += 1.0f;
            sum += 1.0f;
            for (int j = 0; j < n; j++) row[j] /= sum;
        }
        if (l == 0) {
            memcpy(roll, hat, nn * sizeof *roll);
        } else {
            matmul_nn(tmp, n, hat, n, roll, n, n, n, n);
            memcpy(roll, tmp, nn * sizeof *roll);
        }
        if (k < n_keep && keep[k] == r->layers[l]) memcpy(w + (size_t)k++ * nn, roll, nn * sizeof *w);
    }
    free(hat);
    free(roll);
    free(tmp);
    memcpy(r->layers, keep, (size_t)n_keep * sizeof *keep);
    r->n_layers = n_keep;
    set_single_head(r, w, "rollout");
    return 0;
}
