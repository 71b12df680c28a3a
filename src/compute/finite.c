/* finite.c — see finite.h. */
#include "compute/finite.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int finite_all(const float *x, size_t n)
{
    /* inf and NaN are the floats whose exponent bits are all ones: the
     * largest of the magnitudes' bit patterns is below 0x7f800000 exactly
     * when every one is finite. Integer max: no branch, and the compiler
     * vectorises it. */
    enum { CHUNK = 1024 };
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        size_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
        uint32_t top = 0;
        for (size_t i = 0; i < m; i++) {
            uint32_t u;
            memcpy(&u, x + i0 + i, sizeof u);
            u &= 0x7fffffffu;
            top = u > top ? u : top;
        }
        if (top >= 0x7f800000u) return 0;
    }
    return 1;
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

int finite_scores(const float *att, size_t n, int layer, int head, const char *model,
                  attn_error *err)
{
    if (finite_all(att, n)) return 0;
    char place[48];
    snprintf(place, sizeof place, "layer %d head %d", layer + 1, head + 1);
    return overflow(model, place, "scores", err);
}
