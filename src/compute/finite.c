/* finite.c — see finite.h. */
#include "compute/finite.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int finite_all(const float *x, size_t n)
{
    /* x·0 is ±0 for a finite x and NaN for inf and NaN, and a sum holding
     * a NaN stays NaN: eight independent sums, which the compiler turns
     * into vector instructions (no reordering of one sum is needed). */
    float acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += x[i + k] * 0.0f;
    for (; i < n; i++) acc[0] += x[i] * 0.0f;
    int ok = 1;
    for (int k = 0; k < 8; k++) ok &= acc[k] == acc[k];
    return ok;
}

/* The one message: "MODEL: PLACE: WHAT overflow float32; ...". */
static int overflow(const char *model, const char *place, const char *what, attn_error *err)
{
    return attn_fail(err, ATTN_EXIT_INPUT, "%s%s%s: %s overflow float32; the weights are too large",
                     model ? model : "", model ? ": " : "", place, what);
}

int finite_embeddings(const float *x, size_t n, const char *model, attn_error *err)
{
    return finite_all(x, n) ? 0 : overflow(model, "embeddings", "activations", err);
}

int finite_layer(const float *x, size_t n, int layer, const char *what, const char *model,
                 attn_error *err)
{
    if (finite_all(x, n)) return 0;
    char place[32];
    snprintf(place, sizeof place, "layer %d", layer + 1);
    return overflow(model, place, what, err);
}

int finite_logits(const float *logits, size_t n, const char *model, attn_error *err)
{
    return finite_all(logits, n) ? 0 : overflow(model, "the language-model head", "logits", err);
}

int finite_scores(const float *att, int n_q, int n_k, int layer, int head, const char *model,
                  attn_error *err)
{
    int ok = 1;
    for (int q = 0; q < n_q; q++) ok &= att[(size_t)q * (size_t)n_k] == att[(size_t)q * (size_t)n_k];
    if (ok) return 0;
    char place[48];
    snprintf(place, sizeof place, "layer %d head %d", layer + 1, head + 1);
    return overflow(model, place, "scores", err);
}
