/* finite.c — see finite.h. */
#include "compute/finite.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/parallel.h"
#include "model/safetensors.h"

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

/* ---- the unread weights ---- */

/* Elements a unit of the parallel scan checks: 1 MiB of F32. The scan of
 * BERT-base's last layer (7 M weights the pass does not use) was 2.6 % of
 * its pass at 128 tokens, serial, with the second core idle. */
enum { SCAN_CHUNK = 1 << 18 };

typedef struct {
    const st_tensor *t;
    size_t start, n; /* elements [start, start + n) */
} scan_unit;

typedef struct {
    const scan_unit *u;
    atomic_int bad;  /* a unit found a non-finite element */
} scan_job;

static void scan_units(void *ctx, int u0, int u1)
{
    scan_job *j = ctx;
    for (int i = u0; i < u1 && !atomic_load(&j->bad); i++) {
        const scan_unit *u = &j->u[i];
        if (st_scan_finite(u->t, u->start, u->n) != u->start + u->n) atomic_store(&j->bad, 1);
    }
}

int finite_weights(const attn_model *m, int layer, attn_error *err)
{
    size_t n_units = 0, total = 0;
    for (int i = 0; i < m->n_unchecked; i++) {
        const size_t n = m->unchecked[i].layer == layer ? st_float_elements(m->unchecked[i].st) : 0;
        n_units += (n + SCAN_CHUNK - 1) / SCAN_CHUNK;
        total += n;
    }
    if (n_units == 0) return 0;
    if (total < 4 * (size_t)SCAN_CHUNK) return model_check_weights(m, layer, err); /* waking a thread costs more */
    scan_unit *u = n_units <= (size_t)INT32_MAX ? malloc(n_units * sizeof *u) : NULL; /* [n_units] */
    if (!u) return model_check_weights(m, layer, err);
    size_t k = 0;
    for (int i = 0; i < m->n_unchecked; i++) {
        const st_tensor *t = m->unchecked[i].st;
        const size_t n = m->unchecked[i].layer == layer ? st_float_elements(t) : 0;
        for (size_t s = 0; s < n; s += SCAN_CHUNK)
            u[k++] = (scan_unit){t, s, n - s < SCAN_CHUNK ? n - s : SCAN_CHUNK};
    }
    scan_job j = {.u = u};
    atomic_init(&j.bad, 0);
    parallel_chunks((int)n_units, 1, 2, scan_units, &j);
    free(u);
    return atomic_load(&j.bad) ? model_check_weights(m, layer, err) : 0; /* the serial scan names the element */
}
