/* Unit tests: finite.h, the forward pass's check for non-finite values, and
 * what attention.c does with scores that overflow (a row of NaN for
 * finite_scores() to find, and no NaN turned into an integer). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/attention.h"
#include "compute/finite.h"
#include "test.h"

int main(void)
{
    float x[1000];
    for (int i = 0; i < 1000; i++) x[i] = (float)(i - 500) * 1e35f;
    CHECK("finite: large finite values", finite_all(x, 1000));
    x[0] = 3.4028235e38f;
    x[1] = -3.4028235e38f;
    x[2] = 1e-45f; /* subnormal */
    x[3] = -0.0f;
    CHECK("finite: max, -max, subnormal, -0", finite_all(x, 1000));
    const float bad[] = {INFINITY, -INFINITY, NAN, -NAN};
    for (int k = 0; k < 4; k++) {
        for (int at = 0; at < 1000; at += 333) {
            float save = x[at];
            x[at] = bad[k];
            char name[64];
            snprintf(name, sizeof name, "finite: %s at %d", k == 0 ? "inf" : k == 1 ? "-inf" : "nan", at);
            CHECK(name, !finite_all(x, 1000));
            x[at] = save;
        }
    }
    CHECK("finite: empty", finite_all(x, 0));
    for (int n = 1; n <= 20; n++) { /* every position of short buffers (the tail after the 8-wide loop) */
        int bad = 0;
        for (int at = 0; at < n; at++) {
            float y[20] = {0};
            y[at] = NAN;
            bad += finite_all(y, (size_t)n);
            y[at] = -INFINITY;
            bad += finite_all(y, (size_t)n);
        }
        char name[64];
        snprintf(name, sizeof name, "finite: NaN and -inf at every index of %d", n);
        CHECK(name, bad == 0);
    }

    attn_error err = {0};
    CHECK("scores: finite passes", finite_scores(x, 10, 100, 2, 1, "m", &err) == 0);
    x[700] = NAN; /* row 7 as attention.c leaves a row that overflowed: NaN from column 0 */
    CHECK("scores: a NaN row fails", finite_scores(x, 10, 100, 2, 1, "dir", &err) == -1 && err.code == ATTN_EXIT_INPUT);
    CHECK_STR("scores: message", err.msg, "dir: layer 3 head 2: scores overflow float32; the weights are too large");
    CHECK("layer: fails", finite_layer(x, 1000, 0, "activations", NULL, &err) == -1);
    CHECK_STR("layer: message", err.msg, "layer 1: activations overflow float32; the weights are too large");
    CHECK("embeddings: fails", finite_embeddings(x, 1000, "m.json", &err) == -1);
    CHECK_STR("embeddings: message", err.msg, "m.json: embeddings: activations overflow float32; the weights are too large");
    CHECK("logits: finite passes", finite_logits(x, 700, "d", &err) == 0);
    CHECK("logits: fail", finite_logits(x, 1000, "d", &err) == -1 && err.code == ATTN_EXIT_INPUT);
    CHECK_STR("logits: message", err.msg, "d: the language-model head: logits overflow float32; the weights are too large");

    /* scores that overflow: q·k = inf for a row; the softmax leaves that
     * row all NaN (and converts no NaN to an integer: under UBSan's
     * float-cast-overflow this is the check of exp_neg), the other rows
     * sum to 1 */
    for (int simd = 0; simd <= 2; simd++) {
        softmax_use_simd(simd);
        float q[3 * 4] = {1, 0, 0, 0, 3e38f, 3e38f, 0, 0, 0, 1, 0, 0}; /* [3, 4] */
        float k[3 * 4] = {1, 0, 0, 0, 3e38f, 1, 0, 0, -3e38f, 0, 0, 0};
        float att[3 * 3];
        attention_head_forward(att, q, 4, k, 4, 3, 3, 4, 0.5f, 0);
        char name[64];
        snprintf(name, sizeof name, "overflowing row is NaN (simd %d)", simd);
        CHECK(name, isnan(att[3]) && isnan(att[4]) && isnan(att[5]));
        snprintf(name, sizeof name, "first row is finite: scores up to ±1.5e38 (simd %d)", simd);
        CHECK(name, finite_all(att, 3) && fabs((double)att[0] + att[1] + att[2] - 1.0) < 1e-6 && att[1] == 1.0f);
        double sum = att[6] + att[7] + att[8];
        snprintf(name, sizeof name, "finite row sums to 1 (simd %d)", simd);
        CHECK(name, fabs(sum - 1.0) < 1e-6 && finite_all(att + 6, 3));
        snprintf(name, sizeof name, "finite_scores reports it (simd %d)", simd);
        CHECK(name, finite_scores(att, 3, 3, 0, 0, NULL, &err) == -1);

        /* causal: an overflow in a masked cell is not an error */
        float qc[2 * 4] = {1, 0, 0, 0, 1, 0, 0, 0}, kc[2 * 4] = {1, 0, 0, 0, INFINITY, 0, 0, 0};
        float ac[2 * 2];
        attention_head_forward(ac, qc, 4, kc, 4, 2, 2, 4, 1.0f, 1);
        snprintf(name, sizeof name, "causal: masked overflow ignored in row 0 (simd %d)", simd);
        CHECK(name, ac[0] == 1.0f && ac[1] == 0.0f);
        snprintf(name, sizeof name, "causal: row 1 sees it (simd %d)", simd);
        CHECK(name, isnan(ac[2]) && isnan(ac[3]));

        /* the decoder families' masks (attention_scores_forward): an
         * overflow outside a query's sliding window is not an error, one
         * inside it is; soft-capping makes inf finite, not NaN */
        float qw[3 * 4] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}, kw[3 * 4] = {INFINITY, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
        float aw[3 * 3];
        attn_score_opts so = {.scale = 1.0f, .causal = 1, .window = 2};
        attention_scores_forward(aw, qw, 4, kw, 4, 3, 3, 4, &so);
        snprintf(name, sizeof name, "window: rows 0 and 1 see the inf key (simd %d)", simd);
        CHECK(name, isnan(aw[0]) && isnan(aw[3]));
        snprintf(name, sizeof name, "window: row 2 does not (simd %d)", simd);
        CHECK(name, aw[6] == 0.0f && aw[7] == 0.5f && aw[8] == 0.5f);
        so.window = 0;
        so.softcap = 50.0f;
        attention_scores_forward(aw, qw, 4, kw, 4, 3, 3, 4, &so);
        snprintf(name, sizeof name, "softcap: inf capped, finite weights (simd %d)", simd);
        CHECK(name, finite_all(aw, 9) && finite_scores(aw, 3, 3, 0, 0, NULL, &err) == 0);
        so.softcap = 0.0f;
        so.q_pos0 = 1; /* the query rows at positions 1..2 of a cache (generation) */
        attention_scores_forward(aw, qw, 4, kw + 4, 4, 2, 2, 4, &so);
        snprintf(name, sizeof name, "q_pos0: finite keys pass (simd %d)", simd);
        CHECK(name, finite_scores(aw, 2, 2, 0, 0, NULL, &err) == 0);

        /* softmax_forward itself on NaN and inf: no undefined behaviour,
         * finite results where the row is finite */
        float row[9] = {NAN, 1, 2, INFINITY, -INFINITY, 0, 3, 4, 5};
        softmax_forward(row, 1, 9, 0, 0);
        float all_inf[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
        softmax_forward(all_inf, 1, 4, 0, 0);
        snprintf(name, sizeof name, "softmax of NaN/inf runs (simd %d)", simd);
        CHECK(name, 1);
    }
    softmax_use_simd(2);
    return test_done();
}
