/* from.c — see from.h. */
#include "cli/from.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "compute/result_read.h"
#include "model/model.h"

/* The positions in have[n] (the file's 0-based numbers) of the 1-based
 * numbers spec lists (NULL: all); *out malloc'd. */
static int choose(const char *opt, const char *spec, const int *have, int n, const char *noun, const char *path,
                  int **out, int *n_out, attn_error *err)
{
    int *list = NULL, n_list = 0, rc = 0;
    if (!spec || strcmp(spec, "all") == 0) {
        if (!(*out = malloc((size_t)n * sizeof **out))) return attn_oom(err, opt);
        for (int i = 0; i < n; i++) (*out)[i] = i;
        *n_out = n;
        return 0;
    }
    if (cli_list(opt, spec, ATTN_MAX_LAYERS, noun, &list, &n_list, err)) return -1;
    *out = malloc((size_t)(n_list > 0 ? n_list : 1) * sizeof **out);
    if (!*out) rc = attn_oom(err, opt);
    *n_out = 0;
    for (int j = 0; rc == 0 && j < n_list; j++) {
        int i = 0;
        while (i < n && have[i] != list[j]) i++;
        if (i < n) {
            (*out)[(*n_out)++] = i;
            continue;
        }
        attn_buf b;
        buf_init(&b);
        for (int k = 0; k < n; k++) buf_printf(&b, "%s%d", k ? ", " : "", have[k] + 1);
        rc = attn_fail(err, ATTN_EXIT_INPUT, "%s %s: %s has no %s %d (it has %s%s %s)", opt, spec, path, noun,
                       list[j] + 1, noun, n == 1 ? "" : "s", b.data ? b.data : "");
        buf_free(&b);
    }
    free(list);
    return rc;
}

int run_from(run_state *s, const options *o, attn_error *err)
{
    attn_read rd;
    if (result_read(&rd, o->from, o->tokens, err)) return -1;
    attn_result *res = &rd.res;
    int *kl = NULL, *kh = NULL, nl = 0, nh = 0, rc = 0;
    if (res->aggregate && (o->head_list || o->aggregate || o->rollout))
        rc = attn_fail(err, ATTN_EXIT_INPUT, "--from %s: holds the %s of the heads, not the heads themselves",
                       rd.path, res->aggregate);
    if (rc == 0) rc = choose("--head", o->head_list, res->heads, res->n_heads, "head", rd.path, &kh, &nh, err);
    if (rc == 0 && o->rollout) {
        for (int i = 0; rc == 0 && i < res->n_layers; i++)
            if (res->layers[i] != i)
                rc = attn_fail(err, ATTN_EXIT_INPUT, "--rollout: needs every layer from 1 in order, and %s has "
                               "layer %d in place %d", rd.path, res->layers[i] + 1, i + 1);
        if (rc == 0 && res->n_q != res->n_k)
            rc = attn_fail(err, ATTN_EXIT_INPUT, "--rollout: needs self-attention, not cross-attention");
        int *all = malloc((size_t)res->n_layers * sizeof *all), *keep = NULL, nkeep = 0;
        if (!all && rc == 0) rc = attn_oom(err, "--rollout");
        for (int i = 0; all && i < res->n_layers; i++) all[i] = i;
        if (rc == 0) rc = result_select(res, all, res->n_layers, kh, nh, err);
        if (rc == 0) rc = choose("--layer", o->layer_list, res->layers, res->n_layers, "layer", rd.path, &keep,
                                 &nkeep, err);
        for (int i = 0; rc == 0 && i < nkeep; i++) keep[i] = res->layers[keep[i]];
        if (rc == 0) rc = result_rollout(res, keep, nkeep, err);
        free(all);
        free(keep);
    } else {
        if (rc == 0) rc = choose("--layer", o->layer_list, res->layers, res->n_layers, "layer", rd.path, &kl, &nl, err);
        if (rc == 0) rc = result_select(res, kl, nl, kh, nh, err);
        if (rc == 0 && o->aggregate) rc = result_aggregate(res, o->aggregate, err);
    }
    res->meta.command_line = s->cmdline;
    if (rc == 0) rc = run_render(s, o, res, NULL, err);
    free(kl);
    free(kh);
    result_read_free(&rd);
    return rc;
}
