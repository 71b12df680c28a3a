/* model.c — the model struct: tensors by name, validation, seeded weights.
 * See model.h. The JSON container lives in model_json.c. */
#include "model.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

attn_model *model_new(attn_error *err)
{
    attn_model *m = calloc(1, sizeof *m);
    if (!m) {
        attn_oom(err, "model");
        return NULL;
    }
    m->unk_id = -1;
    m->lowercase = 0;
    m->cfg.n_layers = 1;
    m->cfg.max_positions = 512;
    m->cfg.projections = 1;
    return m;
}

void model_free(attn_model *m)
{
    if (!m) return;
    for (int i = 0; i < m->n_tensors; i++) {
        free(m->tensors[i].name);
        free(m->tensors[i].data);
    }
    free(m->tensors);
    for (int i = 0; i < m->n_vocab; i++) free(m->vocab[i]);
    free(m->vocab);
    free(m->vocab_slots);
    free(m->unk);
    free(m->layers);
    free(m->source);
    free(m);
}

int model_add_tensor(attn_model *m, const char *name, int ndim, const int *shape,
                     float *data, attn_error *err)
{
    if (model_find(m, name)) {
        free(data);
        return attn_fail(err, ATTN_EXIT_INPUT, "tensor '%s' appears twice", name);
    }
    attn_tensor *t = realloc(m->tensors, (size_t)(m->n_tensors + 1) * sizeof *t);
    char *nm = malloc(strlen(name) + 1);
    if (!t || !nm) {
        if (t) m->tensors = t;
        free(nm);
        free(data);
        return attn_oom(err, name);
    }
    m->tensors = t;
    strcpy(nm, name);
    t = &m->tensors[m->n_tensors++];
    t->name = nm;
    t->ndim = ndim;
    t->shape[0] = shape[0];
    t->shape[1] = ndim > 1 ? shape[1] : 0;
    t->data = data;
    return 0;
}

const attn_tensor *model_find(const attn_model *m, const char *name)
{
    for (int i = 0; i < m->n_tensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0) return &m->tensors[i];
    return NULL;
}

/* ---- vocabulary index (FNV-1a, linear probing) --------------------------- */

int model_index_vocab(attn_model *m, const char *what, attn_error *err)
{
    int cap = 16;
    while (cap < 2 * m->n_vocab) cap *= 2;
    free(m->vocab_slots);
    m->vocab_slots = malloc((size_t)cap * sizeof *m->vocab_slots);
    if (!m->vocab_slots) return attn_oom(err, "vocabulary");
    m->vocab_cap = cap;
    for (int i = 0; i < cap; i++) m->vocab_slots[i] = -1;
    for (int id = 0; id < m->n_vocab; id++) {
        size_t s = (size_t)(rng_hash(m->vocab[id]) & (uint64_t)(cap - 1));
        while (m->vocab_slots[s] >= 0) {
            if (strcmp(m->vocab[m->vocab_slots[s]], m->vocab[id]) == 0)
                return attn_fail(err, ATTN_EXIT_INPUT,
                                 "%s: tokenizer.vocab: '%s' appears twice (entries %d and %d)",
                                 what, m->vocab[id], m->vocab_slots[s], id);
            s = (s + 1) & (size_t)(cap - 1);
        }
        m->vocab_slots[s] = id;
    }
    return 0;
}

int vocab_lookup(const attn_model *m, const char *word)
{
    if (!m->vocab_slots) return -1;
    size_t mask = (size_t)(m->vocab_cap - 1);
    for (size_t s = (size_t)(rng_hash(word) & mask); m->vocab_slots[s] >= 0; s = (s + 1) & mask)
        if (strcmp(m->vocab[m->vocab_slots[s]], word) == 0) return m->vocab_slots[s];
    return -1;
}

/* ---- validation and binding ---------------------------------------------- */

static int check_range(const char *what, const char *field, long v, long lo, long hi,
                       attn_error *err)
{
    if (v < lo || v > hi)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: config.%s = %ld is out of range [%ld, %ld]",
                         what, field, v, lo, hi);
    return 0;
}

/* Checks that tensor t has shape [rows] (cols == 0) or [rows, cols]. */
static int check_shape(const char *what, const attn_tensor *t, int rows, int cols,
                       attn_error *err)
{
    int ndim = cols ? 2 : 1;
    if (t->ndim == ndim && t->shape[0] == rows && (ndim == 1 || t->shape[1] == cols)) return 0;
    char got[64], want[64];
    if (t->ndim == 2) snprintf(got, sizeof got, "[%d, %d]", t->shape[0], t->shape[1]);
    else snprintf(got, sizeof got, "[%d]", t->shape[0]);
    if (ndim == 2) snprintf(want, sizeof want, "[%d, %d]", rows, cols);
    else snprintf(want, sizeof want, "[%d]", rows);
    return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' has shape %s, expected %s",
                     what, t->name, got, want);
}

/* The per-layer tensors: suffix after "layers.<i>.", slot, shape kind. */
enum { SHAPE_DD, SHAPE_D, SHAPE_DH, SHAPE_HH };
static const struct {
    const char *suffix;
    size_t offset; /* of the pointer in attn_layer_weights */
    int shape;
} layer_tensors[] = {
    {"attn.q.weight", offsetof(attn_layer_weights, wq), SHAPE_DD},
    {"attn.k.weight", offsetof(attn_layer_weights, wk), SHAPE_DD},
    {"attn.v.weight", offsetof(attn_layer_weights, wv), SHAPE_DD},
    {"attn.o.weight", offsetof(attn_layer_weights, wo), SHAPE_DD},
    {"attn.q.bias", offsetof(attn_layer_weights, bq), SHAPE_D},
    {"attn.k.bias", offsetof(attn_layer_weights, bk), SHAPE_D},
    {"attn.v.bias", offsetof(attn_layer_weights, bv), SHAPE_D},
    {"attn.o.bias", offsetof(attn_layer_weights, bo), SHAPE_D},
    {"attn.additive.q.weight", offsetof(attn_layer_weights, add_wq), SHAPE_DH},
    {"attn.additive.k.weight", offsetof(attn_layer_weights, add_wk), SHAPE_DH},
    {"attn.additive.v", offsetof(attn_layer_weights, add_v), SHAPE_HH},
    {"ln.weight", offsetof(attn_layer_weights, ln_w), SHAPE_D},
    {"ln.bias", offsetof(attn_layer_weights, ln_b), SHAPE_D},
};
#define N_LAYER_TENSORS (sizeof layer_tensors / sizeof layer_tensors[0])

/* Parses "layers.<i>.<suffix>"; returns the index in layer_tensors or -1. */
static int parse_layer_name(const char *name, long *layer)
{
    if (strncmp(name, "layers.", 7) != 0) return -1;
    const char *p = name + 7;
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9')) return -1;
    char *end;
    *layer = strtol(p, &end, 10);
    if (*end != '.') return -1;
    for (size_t i = 0; i < N_LAYER_TENSORS; i++)
        if (strcmp(end + 1, layer_tensors[i].suffix) == 0) return (int)i;
    return -1;
}

int model_check_config(attn_config *c, const char *what, attn_error *err)
{
    if (check_range(what, "d_model", c->d_model, 1, ATTN_MAX_DIM, err) ||
        check_range(what, "n_heads", c->n_heads, 1, ATTN_MAX_HEADS, err) ||
        check_range(what, "n_layers", c->n_layers, 1, ATTN_MAX_LAYERS, err) ||
        check_range(what, "max_positions", c->max_positions, 1, ATTN_MAX_POS, err))
        return -1;
    if (c->d_model % c->n_heads != 0)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: config.d_model = %d is not divisible by n_heads = %d",
                         what, c->d_model, c->n_heads);
    c->d_head = c->d_model / c->n_heads;
    return 0;
}

int model_bind(attn_model *m, const char *what, attn_error *err)
{
    attn_config *c = &m->cfg;
    if (model_check_config(c, what, err)) return -1;
    int d = c->d_model;

    free(m->layers);
    m->layers = calloc((size_t)c->n_layers, sizeof *m->layers);
    if (!m->layers) return attn_oom(err, "layers");
    m->tok_emb = m->pos_emb = NULL;

    for (int i = 0; i < m->n_tensors; i++) {
        const attn_tensor *t = &m->tensors[i];
        long layer;
        int kind;
        if (strcmp(t->name, "embeddings.token") == 0) {
            if (!m->vocab)
                return attn_fail(err, ATTN_EXIT_INPUT,
                                 "%s: tensor 'embeddings.token' needs tokenizer.vocab", what);
            if (check_shape(what, t, m->n_vocab, d, err)) return -1;
            m->tok_emb = t->data;
        } else if (strcmp(t->name, "embeddings.position") == 0) {
            if (c->positional != POS_LEARNED)
                return attn_fail(err, ATTN_EXIT_INPUT,
                                 "%s: tensor 'embeddings.position' needs config.positional = \"learned\"",
                                 what);
            if (check_shape(what, t, c->max_positions, d, err)) return -1;
            m->pos_emb = t->data;
        } else if ((kind = parse_layer_name(t->name, &layer)) >= 0 && layer < c->n_layers) {
            int sh = layer_tensors[kind].shape;
            int rows = sh == SHAPE_HH ? c->n_heads : d;
            int cols = sh == SHAPE_DD ? d : sh == SHAPE_D ? 0 : c->d_head;
            if (!c->projections && strncmp(layer_tensors[kind].suffix, "attn.", 5) == 0 &&
                strncmp(layer_tensors[kind].suffix, "attn.additive.", 14) != 0)
                return attn_fail(err, ATTN_EXIT_INPUT,
                                 "%s: tensor '%s' is not used by a model without projections "
                                 "(config.projections = false)", what, t->name);
            if (c->score != SCORE_ADDITIVE && sh >= SHAPE_DH)
                return attn_fail(err, ATTN_EXIT_INPUT,
                                 "%s: tensor '%s' is only used with config.score = \"additive\"",
                                 what, t->name);
            if (c->layer_norm == LN_NONE && strncmp(layer_tensors[kind].suffix, "ln.", 3) == 0)
                return attn_fail(err, ATTN_EXIT_INPUT,
                                 "%s: tensor '%s' needs config.layer_norm = \"pre\" or \"post\"",
                                 what, t->name);
            if (check_shape(what, t, rows, cols, err)) return -1;
            *(const float **)((char *)&m->layers[layer] + layer_tensors[kind].offset) = t->data;
        } else {
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: unknown tensor '%s'", what, t->name);
        }
    }
    if (m->vocab && !m->tok_emb)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tokenizer.vocab given but tensor 'embeddings.token' is missing", what);
    if (c->positional == POS_LEARNED && !m->pos_emb)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: config.positional is \"learned\" but tensor 'embeddings.position' is missing",
                         what);
    for (int l = 0; l < c->n_layers; l++) {
        const attn_layer_weights *L = &m->layers[l];
        for (size_t j = 0; j < N_LAYER_TENSORS; j++) {
            int sh = layer_tensors[j].shape;
            int needed = sh == SHAPE_DD ? c->projections : sh >= SHAPE_DH ? c->score == SCORE_ADDITIVE : 0;
            if (needed && !*(const float *const *)((const char *)L + layer_tensors[j].offset))
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor 'layers.%d.%s' is missing%s", what, l,
                                 layer_tensors[j].suffix,
                                 sh >= SHAPE_DH ? " (the additive score needs it)" : "");
        }
    }
    for (int i = 0; i < m->n_tensors; i++) {
        const attn_tensor *t = &m->tensors[i];
        size_t n = (size_t)t->shape[0] * (size_t)(t->ndim > 1 ? t->shape[1] : 1);
        for (size_t j = 0; j < n; j++)
            if (!isfinite(t->data[j]))
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': element %zu is not finite",
                                 what, t->name, j);
    }
    return 0;
}

/* ---- seeded model ----------------------------------------------------------- */

/* Appends a [rows, cols] tensor of U(-a, a) draws named layers.<l>.<suffix>. */
static int add_uniform(attn_model *m, attn_rng *rng, int l, const char *suffix, int rows, int cols,
                       float a, attn_error *err)
{
    size_t nel = (size_t)rows * (size_t)cols;
    float *w = malloc(nel * sizeof *w); /* [rows, cols] */
    if (!w) return attn_oom(err, "seeded weights");
    for (size_t i = 0; i < nel; i++) w[i] = rng_symmetric(rng, a);
    char name[96];
    snprintf(name, sizeof name, "layers.%d.%s", l, suffix);
    int shape[2] = {rows, cols};
    return model_add_tensor(m, name, 2, shape, w, err);
}

attn_model *model_seeded(uint64_t seed, const attn_config *cfg, attn_error *err)
{
    attn_model *m = model_new(err);
    if (!m) return NULL;
    m->seeded = 1;
    m->seed = seed;
    m->cfg = *cfg;
    m->cfg.positional = POS_SINUSOIDAL;
    m->cfg.max_positions = 512;
    /* validate the shape first, so absurd sizes fail before allocating */
    if (model_check_config(&m->cfg, "seeded model", err) != 0) {
        model_free(m);
        return NULL;
    }
    const int d = m->cfg.d_model, dh = m->cfg.d_head, L = m->cfg.n_layers;
    double total = (m->cfg.projections ? 4.0 : 0.0) * L * (double)d * (double)d;
    if (total > (double)ATTN_MAX_ELEMENTS) {
        model_free(m);
        attn_fail(err, ATTN_EXIT_INPUT,
                  "seeded model: %d layers of d_model %d need %.0f weights (limit %llu)",
                  L, d, total, (unsigned long long)ATTN_MAX_ELEMENTS);
        return NULL;
    }

    attn_rng rng;
    rng_seed(&rng, seed);
    /* Xavier (Glorot) uniform for a [d, d] matrix: U(-a, a), a = sqrt(6 / (d + d)) */
    float a = (float)sqrt(6.0 / (2.0 * d));
    int rc = 0;
    for (int l = 0; rc == 0 && m->cfg.projections && l < L; l++)
        for (int j = 0; rc == 0 && j < 4; j++) {
            char suffix[32];
            snprintf(suffix, sizeof suffix, "attn.%c.weight", "qkvo"[j]);
            rc = add_uniform(m, &rng, l, suffix, d, d, a, err);
        }
    if (m->cfg.score == SCORE_ADDITIVE) {
        float ah = (float)sqrt(6.0 / (2.0 * dh)), av = (float)sqrt(6.0 / (dh + 1.0));
        for (int l = 0; rc == 0 && l < L; l++) {
            rc = add_uniform(m, &rng, l, "attn.additive.q.weight", d, dh, ah, err);
            if (rc == 0) rc = add_uniform(m, &rng, l, "attn.additive.k.weight", d, dh, ah, err);
            if (rc == 0) rc = add_uniform(m, &rng, l, "attn.additive.v", m->cfg.n_heads, dh, av, err);
        }
    }
    if (rc != 0 || model_bind(m, "seeded model", err) != 0) {
        model_free(m);
        return NULL;
    }
    return m;
}
