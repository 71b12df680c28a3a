/* html_sets.c — the matrices an HTML page holds: the shown heads, the
 * aggregates asked for, regrouped by word. See html_sets.h. */
#include "render/html_sets.h"

#include <stdlib.h>
#include <string.h>

#include "text/words.h"

void html_sets_free(html_sets *s)
{
    for (int i = 0; i < s->n_sets; i++) {
        result_free(&s->set[i].r);
        tokens_free(&s->set[i].q);
        tokens_free(&s->set[i].k);
    }
    memset(s, 0, sizeof *s);
}

/* Appends the columns of x (same layers, tokens) after those of *all. */
static int append_columns(attn_result *all, const attn_result *x, attn_error *err)
{
    const size_t nn = (size_t)all->n_q * (size_t)all->n_k;
    const int c0 = all->n_heads, c1 = all->n_heads + x->n_heads;
    float *w = malloc((size_t)all->n_layers * (size_t)c1 * nn * sizeof *w + 1); /* [layers][c1][n_q, n_k] */
    int *heads = malloc((size_t)c1 * sizeof *heads);
    if (!w || !heads) {
        free(w);
        free(heads);
        return attn_oom(err, "HTML page");
    }
    for (int li = 0; li < all->n_layers; li++) {
        float *dst = w + (size_t)li * (size_t)c1 * nn;
        memcpy(dst, result_head(all, li, 0), (size_t)c0 * nn * sizeof *w);
        memcpy(dst + (size_t)c0 * nn, result_head(x, li, 0), (size_t)x->n_heads * nn * sizeof *w);
    }
    memcpy(heads, all->heads, (size_t)c0 * sizeof *heads);
    for (int c = c0; c < c1; c++) heads[c] = -1;
    free(all->weights);
    free(all->heads);
    all->weights = w;
    all->heads = heads;
    all->n_heads = c1;
    return 0;
}

/* One extra column per layer: the aggregate (how = "mean", "max") of the
 * shown heads, or their rollout (how = "rollout"; r has every layer up to
 * the last shown). */
static int add_extra(html_sets *s, attn_result *all, const attn_result *r, const html_opts *o,
                     const char *how, attn_error *err)
{
    attn_result x = {0};
    int rc;
    if (strcmp(how, "rollout") == 0) {
        rc = result_copy(&x, r, NULL, 0, err);
        if (rc == 0) rc = result_rollout(&x, o->layers, o->n_layers, err);
    } else {
        rc = result_copy(&x, r, o->layers, o->n_layers, err);
        if (rc == 0) rc = result_aggregate(&x, how, err);
    }
    if (rc == 0) rc = append_columns(all, &x, err);
    if (rc == 0) s->extra[s->n_extra++] = x.aggregate;
    result_free(&x);
    return rc;
}

/* Set i: all regrouped by word (by_word) and/or without special tokens. */
static int regrouped(html_set *set, const attn_result *all, const html_opts *o, int by_word, int query,
                     attn_error *err)
{
    int *qg = NULL, *kg = NULL;
    const int cross = all->keys != all->queries;
    int rc = tokens_group(all->queries, o->sentence, by_word, o->no_special, &set->q, &qg, err);
    if (rc == 0 && cross) rc = tokens_group(all->keys, o->source, by_word, o->no_special, &set->k, &kg, err);
    if (rc == 0 && (set->q.n == 0 || (cross && set->k.n == 0)))
        rc = attn_fail(err, ATTN_EXIT_INPUT, "--no-special: nothing left to show");
    if (rc == 0) rc = result_copy(&set->r, all, NULL, 0, err);
    if (rc == 0) rc = result_regroup(&set->r, qg, &set->q, cross ? kg : qg, cross ? &set->k : &set->q, err);
    set->query = rc == 0 && query >= 0 ? qg[query] : -1;
    free(qg);
    free(kg);
    return rc;
}

int html_sets_build(html_sets *s, const attn_result *r, const html_opts *o, attn_error *err)
{
    memset(s, 0, sizeof *s);
    attn_result all = {0}; /* the token-level columns */
    int rc = result_copy(&all, r, o->layers, o->n_layers, err);
    s->n_heads = r->aggregate ? 0 : all.n_heads; /* r may hold an aggregate already (--from) */
    if (r->aggregate) s->extra[s->n_extra++] = r->aggregate;
    if (rc == 0 && o->aggregate) rc = add_extra(s, &all, r, o, o->aggregate, err);
    if (rc == 0 && o->rollout) rc = add_extra(s, &all, r, o, "rollout", err);
    all.aggregate = NULL;
    s->set[0].name = "tokens";
    s->set[1].name = "words";
    s->n_sets = 1 + (o->words != 0);
    if (rc == 0 && o->words) rc = regrouped(&s->set[1], &all, o, 1, o->query, err);
    if (rc == 0 && o->no_special) {
        rc = regrouped(&s->set[0], &all, o, 0, o->query, err);
    } else if (rc == 0) {
        s->set[0].r = all; /* the set takes the weights */
        s->set[0].query = o->query;
        memset(&all, 0, sizeof all);
    }
    result_free(&all);
    if (rc != 0) html_sets_free(s);
    return rc;
}
