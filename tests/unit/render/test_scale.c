/* test_scale.c — the colour scale (render/scale.h) against its contract,
 * on a hand-built result: 2 layers x 2 heads x 3 queries x 3 keys whose
 * largest weights differ by layer, head and row. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/scale.h"
#include "test.h"

static attn_token tok[3] = {{.text = "a"}, {.text = "b"}, {.text = "c"}};
static attn_tokens toks = {tok, 3};
static int layers[2] = {0, 1}, heads[2] = {0, 1};
static float w[2][2][3][3]; /* [layer][head][q][k] */

static attn_result result(int causal)
{
    attn_result r = {.queries = &toks, .keys = &toks, .n_q = 3, .n_k = 3, .n_layers = 2, .n_heads = 2,
                     .layers = layers, .heads = heads, .weights = &w[0][0][0][0], .causal = causal};
    for (int l = 0; l < 2; l++)
        for (int h = 0; h < 2; h++)
            for (int q = 0; q < 3; q++)
                for (int k = 0; k < 3; k++) /* row max: 0.1 * (1 + l*8 + h*4 + q) at k = q */
                    w[l][h][q][k] = k == q ? 0.1f * (float)(1 + l * 8 + h * 4 + q) : 0.01f * (float)(k + 1);
    return r;
}

int main(void)
{
    attn_error err = {0};
    attn_scale s;
    attn_result r = result(0);
    float lo, hi;

    /* all: one range, 0 to the largest weight (layer 2 head 2 row 3: 0.1 * 15) */
    CHECK("all: builds", scale_build(&s, &r, 0, 3, NULL, &err) == 0);
    CHECK("all: one range for every head", scale_single(&s, -1, -1, &lo, &hi) && lo == 0.0f && hi == w[1][1][2][2]);
    CHECK("all: the largest weight is t = 1 exactly", scale_t(&s, 1, 1, 2, w[1][1][2][2]) == 1.0f);
    CHECK("all: t is the float quotient v / max", scale_t(&s, 0, 0, 0, w[0][0][0][0]) == w[0][0][0][0] / hi);
    CHECK("all: NaN is 0", scale_t(&s, 0, 0, 0, NAN) == 0.0f);
    char cap[256];
    scale_caption(&s, 4, cap, sizeof cap);
    CHECK_STR("all: caption", cap, "0 to max weight, shared by all heads");
    scale_caption(&s, 1, cap, sizeof cap);
    CHECK_STR("all: caption, one head", cap, "0 to max weight, of this head");
    scale_free(&s);

    scale_opts o = {NORM_LAYER, 0, 0, 0, 0, 0};
    scale_build(&s, &r, 0, 3, &o, &err);
    scale_range(&s, 0, 1, 0, &lo, &hi);
    CHECK("layer: layer 1's range ends at its largest weight", hi == w[0][1][2][2]);
    CHECK("layer: layers differ, so no single range", !scale_single(&s, -1, -1, &lo, &hi));
    CHECK("layer: within one head, a single range", scale_single(&s, 0, 0, &lo, &hi));
    scale_caption(&s, 4, cap, sizeof cap);
    CHECK_STR("layer: caption", cap, "0 to max weight of each layer");
    scale_free(&s);

    o.norm = NORM_HEAD;
    scale_build(&s, &r, 0, 3, &o, &err);
    CHECK("head: every head's largest weight is t = 1", scale_t(&s, 0, 0, 2, w[0][0][2][2]) == 1.0f &&
                                                        scale_t(&s, 1, 0, 2, w[1][0][2][2]) == 1.0f);
    scale_free(&s);

    o.norm = NORM_ROW;
    scale_build(&s, &r, 0, 3, &o, &err);
    CHECK("row: every row's largest weight is t = 1", scale_t(&s, 0, 0, 0, w[0][0][0][0]) == 1.0f &&
                                                      scale_t(&s, 1, 1, 1, w[1][1][1][1]) == 1.0f);
    CHECK("row: a head has several ranges", !scale_single(&s, 0, 0, &lo, &hi));
    scale_free(&s);
    scale_build(&s, &r, 1, 2, &o, &err); /* one row, as the focus view builds it */
    CHECK("row: built on row 1 only, the head has one range", scale_single(&s, 0, 0, &lo, &hi) && hi == w[0][0][1][1]);
    scale_free(&s);

    scale_opts fixed = {NORM_ROW, 1, 1, 0.0, 1.0, 0};
    scale_build(&s, &r, 0, 3, &fixed, &err);
    CHECK("fixed: --vmin 0 --vmax 1 is one range whatever the norm",
          scale_single(&s, -1, -1, &lo, &hi) && lo == 0.0f && hi == 1.0f);
    CHECK("fixed: above vmax is clamped to 1", scale_t(&s, 1, 1, 2, 1.5f) == 1.0f);
    scale_caption(&s, 4, cap, sizeof cap);
    CHECK_STR("fixed: caption", cap, "fixed, 0 to 1");
    scale_free(&s);

    scale_opts lg = {NORM_ALL, 0, 0, 0, 0, 1};
    scale_build(&s, &r, 0, 3, &lg, &err);
    scale_single(&s, -1, -1, &lo, &hi);
    CHECK_NEAR("log: from max/1000", lo, hi / 1000.0f, 1e-9);
    CHECK_NEAR("log: a decade below the max is t = 2/3", scale_t(&s, 0, 0, 0, hi / 10.0f), 2.0 / 3.0, 1e-6);
    CHECK("log: at or below lo is 0", scale_t(&s, 0, 0, 0, lo) == 0.0f && scale_t(&s, 0, 0, 0, 0.0f) == 0.0f);
    scale_caption(&s, 4, cap, sizeof cap);
    CHECK_STR("log: caption", cap, "log, max/1000 to max weight, shared by all heads");
    scale_free(&s);

    /* masked cells do not count */
    attn_result c = result(1);
    w[0][0][0][2] = 9.0f; /* key 2 > query 0: masked */
    scale_build(&s, &c, 0, 3, NULL, &err);
    scale_single(&s, -1, -1, &lo, &hi);
    CHECK("masked cells do not count", hi == w[1][1][2][2]);
    scale_free(&s);

    /* negative weights (a difference of maps from --from): lo is the minimum */
    r = result(0);
    w[0][0][1][0] = -0.5f;
    scale_build(&s, &r, 0, 3, NULL, &err);
    scale_single(&s, -1, -1, &lo, &hi);
    CHECK("a negative weight lowers lo to it", lo == -0.5f && scale_t(&s, 0, 0, 1, -0.5f) == 0.0f);
    scale_caption(&s, 4, cap, sizeof cap);
    CHECK_STR("negative: caption", cap, "min weight to max weight, shared by all heads");
    scale_free(&s);

    /* validation */
    scale_opts bad = {NORM_ALL, 1, 1, 0.5, 0.2, 0};
    CHECK("vmin above vmax is refused", scale_check(&bad, &err) != 0 && err.code == ATTN_EXIT_INPUT);
    scale_opts badlog = {NORM_ALL, 1, 0, 0.0, 0, 1};
    CHECK("--log with --vmin 0 is refused", scale_check(&badlog, &err) != 0);

    /* ticks */
    double v[16];
    int dec, n = scale_ticks(0.0, 1.0, 0, v, 16, &dec);
    CHECK("ticks 0..1: 0, 0.2, ..., 1 with 1 decimal", n == 6 && v[5] == 1.0 && dec == 1);
    n = scale_ticks(0.001, 1.0, 1, v, 16, &dec);
    CHECK("log ticks: 0.001, 0.01, 0.1, 1", n == 4 && fabs(v[0] - 0.001) < 1e-12 && v[3] == 1.0 && dec == -1);
    n = scale_ticks(0.2, 0.5, 0, v, 16, &dec);
    CHECK("ticks from a lo above 0 start at a multiple", n >= 3 && v[0] >= 0.2 - 1e-12 && v[n - 1] <= 0.5 + 1e-12);
    return test_done();
}
