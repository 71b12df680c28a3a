/* fuzz_from.c — attention computed elsewhere (attnviz --from FILE
 * [--tokens T]): CSV, JSON and NumPy .npy files, then the views.
 *
 * The first byte chooses, the rest packs the files (fuzz.h: the attention
 * file first, then "--8<-- tokens.txt"):
 *   bits 0-1 the file's name, which decides its format as result_read.h
 *            says: attention.csv, attention.json, attention.npy, or
 *            attention (no extension: the first bytes decide);
 *   bits 2-3 --tokens: none, the file tokens.txt, "the cat sat"
 *            (a list with spaces), "x";
 *   bits 4-6 what from.c then does: 0 CSV, 1 JSON, 2 the terminal
 *            heatmap, 3 the focus view of query 0, 4 SVG, 5 HTML,
 *            6 --aggregate mean and the heatmap, 7 --rollout and CSV;
 *   bit 7    -l 1 -H 1 (only the file's first layer and head).
 * result_read() reads the file; a result that reads has finite weights
 * and as many tokens as rows and columns (checked), and goes through
 * result_select(), result_aggregate() or result_rollout() and the view, as
 * from.c sends it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/result_read.h"
#include "fuzz.h"
#include "render/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const files[] = {"attention.csv", "attention.json", "attention.npy", "attention"};
    static const char *const inline_tokens[] = {NULL, NULL, "the cat sat", "x"};
    if (size < 1) return 0;
    const uint8_t o = data[0];
    const char *names[] = {files[o & 3], "tokens.txt", NULL};
    char path[4400], tokens[4400];
    attn_error err = {0};
    fuzz_setup();
    fuzz_begin();
    fuzz_unpack(data + 1, size - 1, names);
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), names[0]);
    snprintf(tokens, sizeof tokens, "%s/tokens.txt", fuzz_dir());
    attn_read rd;
    if (result_read(&rd, path, (o >> 2 & 3) == 1 ? tokens : inline_tokens[o >> 2 & 3], &err) != 0) {
        fuzz_check_error(&err);
        return 0;
    }
    attn_result *r = &rd.res;
    fuzz_assert(r->n_q >= 1 && r->n_k >= 1 && r->n_layers >= 1 && r->n_heads >= 1, "empty result");
    fuzz_assert(r->queries->n == r->n_q && r->keys->n == r->n_k, "%d x %d weights for %d x %d tokens", r->n_q,
                r->n_k, r->queries->n, r->keys->n);
    size_t cells = (size_t)r->n_layers * (size_t)r->n_heads * (size_t)r->n_q * (size_t)r->n_k;
    for (size_t i = 0; i < cells; i++) fuzz_assert(isfinite(r->weights[i]), "weight %zu is %g", i, (double)r->weights[i]);

    const int what = o >> 4 & 7, one = o >> 7;
    int rc = 0;
    int first = 0, *all = malloc((size_t)r->n_layers * sizeof *all), *heads = malloc((size_t)r->n_heads * sizeof *heads);
    fuzz_assert(all && heads, "out of memory");
    for (int i = 0; i < r->n_layers; i++) all[i] = i;
    for (int i = 0; i < r->n_heads; i++) heads[i] = i;
    if (what == 7) { /* --rollout: from.c's conditions, then every layer, the heads, the rollout */
        for (int i = 0; i < r->n_layers && !rc; i++) rc = r->layers[i] != i;
        if (!rc && r->n_q == r->n_k && !r->aggregate) {
            int keep = r->layers[0];
            if ((rc = result_select(r, all, r->n_layers, heads, one ? 1 : r->n_heads, &err)) == 0)
                rc = result_rollout(r, one ? &keep : r->layers, one ? 1 : r->n_layers, &err);
            if (rc) fuzz_check_error(&err);
        } else {
            rc = -1;
        }
    } else {
        rc = result_select(r, one ? &first : all, one ? 1 : r->n_layers, one ? &first : heads,
                           one ? 1 : r->n_heads, &err);
        if (rc == 0 && what == 6 && !r->aggregate) rc = result_aggregate(r, "mean", &err);
        if (rc) fuzz_check_error(&err);
    }
    if (rc == 0) {
        attn_buf out;
        buf_init(&out);
        attn_file *figs = NULL;
        int n = 0;
        ansi_opts ao = {.color = COLOR_TRUE, .width = 80, .query = what == 3 ? 0 : -1, .top = 5};
        figure_opts fo = {.scale = 0.5, .dpi = 48};
        html_opts ho = {.layers = r->layers, .n_layers = r->n_layers, .query = -1};
        switch (what) {
        case 0: case 7: rc = render_csv(&out, r, 1, &err); break;
        case 1: rc = render_json(&out, r, &err); break;
        case 4: rc = render_svg(r, &fo, &figs, &n, &err); break;
        case 5: rc = render_html(&out, r, &ho, &err); break;
        default: rc = render_ansi(&out, r, &ao, &err);
        }
        if (rc) fuzz_check_error(&err);
        fuzz_assert(!out.failed, "out of memory");
        files_free(figs, n);
        buf_free(&out);
    }
    free(all);
    free(heads);
    result_read_free(&rd);
    return 0;
}
