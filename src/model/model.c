/* model.c — the model struct: tensors by name, validation, seeded weights.
 * See model.h. The JSON container lives in model_json.c. */
#include "model/model.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/rng.h"
#include "model/safetensors.h"
#include "text/subword.h"

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
    m->cfg.ln_eps = 1e-5;
    return m;
}

int model_check_weights(const attn_model *m, int layer, attn_error *err)
{
    for (int i = 0; i < m->n_unchecked; i++)
        if ((layer < 0 || m->unchecked[i].layer == layer) && st_check_finite(m->unchecked[i].st, err)) return -1;
    return 0;
}

void model_free(attn_model *m)
{
    if (!m) return;
    for (int i = 0; i < m->n_tensors; i++) {
        free(m->tensors[i].name);
        if (m->tensors[i].owned) free(m->tensors[i].data);
    }
    free(m->tensors);
    tokenizer_free(m->tokenizer);
    st_close(m->weights_file);
    for (int i = 0; i < m->n_bufs; i++) free(m->bufs[i]);
    free(m->bufs);
    free(m->unchecked);
    for (int i = 0; i < m->n_vocab; i++) free(m->vocab[i]);
    free(m->vocab);
    free(m->vocab_slots);
    free(m->unk);
    free(m->layers);
    free(m->source);
    free(m->window);
    free(m->local_rope);
    free(m->rope_factors);
    free(m->name);
    free(m->model_type);
    if (m->s2s) {
        free(m->s2s->enc.layers);
        free(m->s2s->dec.layers);
        free(m->s2s);
    }
    free(m);
}

/* Appends a tensor record; data is freed on failure when owned. */
static int add_record(attn_model *m, const char *name, int ndim, const int *shape, float *data,
                      int owned, int ld, int in_out, int half, attn_error *err)
{
    if (model_find(m, name)) {
        if (owned) free(data);
        return attn_fail(err, ATTN_EXIT_INPUT, "tensor '%s' appears twice", name);
    }
    attn_tensor *t = realloc(m->tensors, (size_t)(m->n_tensors + 1) * sizeof *t);
    char *nm = malloc(strlen(name) + 1);
    if (!t || !nm) {
        if (t) m->tensors = t;
        free(nm);
        if (owned) free(data);
        return attn_oom(err, name);
    }
    m->tensors = t;
    strcpy(nm, name);
    t = &m->tensors[m->n_tensors++];
    *t = (attn_tensor){.name = nm, .ndim = ndim, .shape = {shape[0], ndim > 1 ? shape[1] : 0},
                       .data = data, .owned = owned, .ld = ld, .in_out = in_out, .half = half};
    return 0;
}

int model_add_tensor(attn_model *m, const char *name, int ndim, const int *shape,
                     float *data, attn_error *err)
{
    return add_record(m, name, ndim, shape, data, 1, ndim > 1 ? shape[1] : 1, 0, 0, err);
}

int model_add_view(attn_model *m, const char *name, int ndim, const int *shape,
                   const void *data, int ld, int in_out, int half, attn_error *err)
{
    return add_record(m, name, ndim, shape, (float *)(uintptr_t)data, 0, ld, in_out, half, err);
}

int64_t model_parameters(const attn_model *m)
{
    int64_t n = 0;
    for (int i = 0; i < m->n_tensors; i++)
        n += (int64_t)m->tensors[i].shape[0] * (m->tensors[i].ndim > 1 ? m->tensors[i].shape[1] : 1);
    return n;
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

/* The per-layer tensors: suffix after "layers.<i>.", where the pointer goes,
 * shape kind, and what the tensor belongs to (which configs may have it).
 * Shapes in terms of d = d_model, f = d_ff, q = n_heads·d_head, kv =
 * n_kv_heads·d_head (q = kv = d for the models with d_head = d / heads and
 * no GQA), h = d_head. */
enum {
    SHAPE_QD, SHAPE_KD, SHAPE_DQ, SHAPE_Q, SHAPE_K, SHAPE_D, SHAPE_DH, SHAPE_HH, SHAPE_FD, SHAPE_DF, SHAPE_F,
    SHAPE_3D, SHAPE_3, SHAPE_QN, SHAPE_KN, N_SHAPES
};
enum { SLOT_PTR, SLOT_LIN_W, SLOT_LIN_B };   /* const float *, attn_linear.w, attn_linear.b */
enum { PART_PROJ, PART_ADDITIVE, PART_LN, PART_FFN, PART_FUSED, PART_GLU, PART_QKNORM, PART_POSTNORM };
#define LIN(f) offsetof(attn_layer_weights, f)
static const struct {
    const char *suffix;
    size_t offset; /* of the const float * or attn_linear in attn_layer_weights */
    int slot, shape, part;
} layer_tensors[] = {
    {"attn.q.weight", LIN(q), SLOT_LIN_W, SHAPE_QD, PART_PROJ},
    {"attn.k.weight", LIN(k), SLOT_LIN_W, SHAPE_KD, PART_PROJ},
    {"attn.v.weight", LIN(v), SLOT_LIN_W, SHAPE_KD, PART_PROJ},
    {"attn.o.weight", LIN(o), SLOT_LIN_W, SHAPE_DQ, PART_PROJ},
    {"attn.q.bias", LIN(q), SLOT_LIN_B, SHAPE_Q, PART_PROJ},
    {"attn.k.bias", LIN(k), SLOT_LIN_B, SHAPE_K, PART_PROJ},
    {"attn.v.bias", LIN(v), SLOT_LIN_B, SHAPE_K, PART_PROJ},
    {"attn.o.bias", LIN(o), SLOT_LIN_B, SHAPE_D, PART_PROJ},
    {"attn.qkv.weight", LIN(qkv), SLOT_LIN_W, SHAPE_3D, PART_FUSED},
    {"attn.qkv.bias", LIN(qkv), SLOT_LIN_B, SHAPE_3, PART_FUSED},
    {"attn.additive.q.weight", LIN(add_wq), SLOT_PTR, SHAPE_DH, PART_ADDITIVE},
    {"attn.additive.k.weight", LIN(add_wk), SLOT_PTR, SHAPE_DH, PART_ADDITIVE},
    {"attn.additive.v", LIN(add_v), SLOT_PTR, SHAPE_HH, PART_ADDITIVE},
    {"attn.q_norm.weight", LIN(q_norm), SLOT_PTR, SHAPE_QN, PART_QKNORM},
    {"attn.k_norm.weight", LIN(k_norm), SLOT_PTR, SHAPE_KN, PART_QKNORM},
    {"ln.weight", LIN(ln_w), SLOT_PTR, SHAPE_D, PART_LN},
    {"ln.bias", LIN(ln_b), SLOT_PTR, SHAPE_D, PART_LN},
    {"ffn.gate.weight", LIN(ffn_gate), SLOT_LIN_W, SHAPE_FD, PART_GLU},
    {"ffn.gate.bias", LIN(ffn_gate), SLOT_LIN_B, SHAPE_F, PART_GLU},
    {"ffn.up.weight", LIN(ffn_up), SLOT_LIN_W, SHAPE_FD, PART_FFN},
    {"ffn.up.bias", LIN(ffn_up), SLOT_LIN_B, SHAPE_F, PART_FFN},
    {"ffn.down.weight", LIN(ffn_down), SLOT_LIN_W, SHAPE_DF, PART_FFN},
    {"ffn.down.bias", LIN(ffn_down), SLOT_LIN_B, SHAPE_D, PART_FFN},
    {"ffn_ln.weight", LIN(ffn_ln_w), SLOT_PTR, SHAPE_D, PART_FFN},
    {"ffn_ln.bias", LIN(ffn_ln_b), SLOT_PTR, SHAPE_D, PART_FFN},
    {"attn_out_ln.weight", LIN(attn_out_ln_w), SLOT_PTR, SHAPE_D, PART_POSTNORM},
    {"attn_out_ln.bias", LIN(attn_out_ln_b), SLOT_PTR, SHAPE_D, PART_POSTNORM},
    {"ffn_out_ln.weight", LIN(ffn_out_ln_w), SLOT_PTR, SHAPE_D, PART_POSTNORM},
    {"ffn_out_ln.bias", LIN(ffn_out_ln_b), SLOT_PTR, SHAPE_D, PART_POSTNORM},
};
#undef LIN
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

/* The slot of layer_tensors[j] in L, as the pointer it holds. */
static const float **layer_slot(attn_layer_weights *L, size_t j)
{
    char *base = (char *)L + layer_tensors[j].offset;
    if (layer_tensors[j].slot == SLOT_LIN_W) return &((attn_linear *)(void *)base)->w;
    if (layer_tensors[j].slot == SLOT_LIN_B) return &((attn_linear *)(void *)base)->b;
    return (const float **)(void *)base;
}

int model_is_decoder(const attn_config *c)
{
    return c->arch >= ARCH_LLAMA && c->arch != ARCH_SEQ2SEQ;
}

int model_check_config(attn_config *c, const char *what, attn_error *err)
{
    if (check_range(what, "d_model", c->d_model, 1, ATTN_MAX_DIM, err) ||
        check_range(what, "n_heads", c->n_heads, 1, ATTN_MAX_HEADS, err) ||
        check_range(what, "n_layers", c->n_layers, 1, ATTN_MAX_LAYERS, err) ||
        check_range(what, "max_positions", c->max_positions, 1, c->positional == POS_ROPE ? 1 << 30 : ATTN_MAX_POS,
                    err) ||
        check_range(what, "position_offset", c->pos_offset, 0, c->max_positions - 1, err) ||
        check_range(what, "type_vocab_size", c->type_vocab, 0, ATTN_MAX_VOCAB, err) ||
        (c->arch != ARCH_ATTENTION && check_range(what, "d_ff", c->d_ff, 1, 4 * ATTN_MAX_DIM, err)) ||
        check_range(what, "n_kv_heads", c->n_kv_heads, 0, c->n_heads, err) ||
        check_range(what, "head_dim", c->head_dim, 0, ATTN_MAX_DIM, err))
        return -1;
    if (c->n_kv_heads == 0) c->n_kv_heads = c->n_heads;
    if (c->n_heads % c->n_kv_heads != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: config.n_heads = %d is not divisible by n_kv_heads = %d",
                         what, c->n_heads, c->n_kv_heads);
    if (c->head_dim == 0 && c->d_model % c->n_heads != 0)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: config.d_model = %d is not divisible by n_heads = %d",
                         what, c->d_model, c->n_heads);
    if (!(c->ln_eps > 0.0) || !isfinite(c->ln_eps) || c->ln_eps > 1.0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: config.layer_norm_eps = %g is not in (0, 1]", what,
                         c->ln_eps);
    c->d_head = c->head_dim ? c->head_dim : c->d_model / c->n_heads;
    if ((double)c->n_heads * c->d_head > ATTN_MAX_DIM)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %d heads of %d exceed %d components", what, c->n_heads,
                         c->d_head, ATTN_MAX_DIM);
    if (c->positional == POS_ROPE && (c->rope.dim < 2 || c->rope.dim > c->d_head || c->rope.dim % 2))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %d rotary components do not fit a head of %d (an even "
                         "number from 2 to d_head)", what, c->rope.dim, c->d_head);
    return 0;
}

/* Where a tensor outside the layers goes, and what it needs. */
static int bind_global(attn_model *m, const attn_tensor *t, const char *what, attn_error *err)
{
    const attn_config *c = &m->cfg;
    const int d = c->d_model;
    if (strcmp(t->name, "embeddings.token") == 0) {
        if (!m->vocab && !m->tokenizer)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor 'embeddings.token' needs a tokenizer vocabulary",
                             what);
        int rows = m->vocab ? m->n_vocab : m->n_emb ? m->n_emb : t->shape[0];
        if (check_shape(what, t, rows, d, err)) return -1;
        m->n_emb = rows;
        m->tok_emb = t->data;
        m->tok_emb_half = t->half;
    } else if (strcmp(t->name, "embeddings.position") == 0) {
        if (c->positional != POS_LEARNED)
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "%s: tensor 'embeddings.position' needs config.positional = \"learned\"", what);
        if (check_shape(what, t, c->max_positions, d, err)) return -1;
        m->pos_emb = t->data;
    } else if (strcmp(t->name, "embeddings.token_type") == 0) {
        if (c->type_vocab < 1)
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "%s: tensor 'embeddings.token_type' needs config.type_vocab_size >= 1", what);
        if (check_shape(what, t, c->type_vocab, d, err)) return -1;
        m->type_emb = t->data;
    } else if (strcmp(t->name, "lm_head.weight") == 0) {
        if (!model_is_decoder(c) || c->tied)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor 'lm_head.weight' needs an untied decoder", what);
        if (check_shape(what, t, m->n_emb ? m->n_emb : t->shape[0], d, err)) return -1;
        m->lm_head = (attn_linear){.w = t->data, .ld = t->ld, .in_out = t->in_out, .half = t->half};
        return 0;
    } else if (strncmp(t->name, "embeddings.ln.", 14) == 0 || strncmp(t->name, "final_ln.", 9) == 0) {
        int emb = t->name[0] == 'e';
        const char *field = t->name + (emb ? 14 : 9);
        if (strcmp(field, "weight") != 0 && strcmp(field, "bias") != 0)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: unknown tensor '%s'", what, t->name);
        if (emb ? c->arch != ARCH_BERT : c->arch != ARCH_GPT2 && !model_is_decoder(c))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' needs config.architecture = \"%s\"",
                             what, t->name, emb ? "bert" : "gpt2");
        if (check_shape(what, t, d, 0, err)) return -1;
        const float **slot = emb ? (field[0] == 'w' ? &m->emb_ln_w : &m->emb_ln_b)
                                 : (field[0] == 'w' ? &m->final_ln_w : &m->final_ln_b);
        *slot = t->data;
    } else {
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: unknown tensor '%s'", what, t->name);
    }
    if ((t->ndim == 2 && (t->in_out || t->ld != t->shape[1])) || (t->half && strcmp(t->name, "embeddings.token")))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' must be stored row-major as float", what, t->name);
    return 0;
}

/* Binds layers.<layer>.<layer_tensors[kind]> after checking the config has
 * a use for it and its shape. */
static int bind_layer(attn_model *m, const attn_tensor *t, long layer, int kind, const char *what,
                      attn_error *err)
{
    const attn_config *c = &m->cfg;
    const int d = c->d_model, part = layer_tensors[kind].part, sh = layer_tensors[kind].shape;
    if (part == PART_PROJ && !c->projections)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tensor '%s' is not used by a model without projections "
                         "(config.projections = false)", what, t->name);
    if (part == PART_ADDITIVE && c->score != SCORE_ADDITIVE)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tensor '%s' is only used with config.score = \"additive\"", what, t->name);
    if (part == PART_LN && c->layer_norm == LN_NONE)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tensor '%s' needs config.layer_norm = \"pre\" or \"post\"", what, t->name);
    if (part == PART_FFN && c->arch == ARCH_ATTENTION)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tensor '%s' needs config.architecture = \"bert\" or \"gpt2\"", what, t->name);
    if ((part == PART_FUSED || part == PART_GLU || part == PART_QKNORM || part == PART_POSTNORM) &&
        !model_is_decoder(c))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' belongs to a decoder family (llama, ...)", what,
                         t->name);
    if ((part == PART_GLU && !c->glu) || (part == PART_QKNORM && !c->qk_norm))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' is not used by this configuration", what,
                         t->name);
    const int q = c->n_heads * c->d_head, kv = c->n_kv_heads * c->d_head, all = c->qk_norm == QK_NORM_ALL;
    static const signed char row_of[N_SHAPES] = {[SHAPE_QD] = 'q', [SHAPE_KD] = 'k', [SHAPE_DQ] = 'd', [SHAPE_Q] = 'q',
                                         [SHAPE_K] = 'k', [SHAPE_D] = 'd', [SHAPE_DH] = 'd', [SHAPE_HH] = 'H',
                                         [SHAPE_FD] = 'f', [SHAPE_DF] = 'd', [SHAPE_F] = 'f', [SHAPE_3D] = '3',
                                         [SHAPE_3] = '3', [SHAPE_QN] = 'Q', [SHAPE_KN] = 'K'};
    static const signed char col_of[N_SHAPES] = {[SHAPE_QD] = 'd', [SHAPE_KD] = 'd', [SHAPE_DQ] = 'q', [SHAPE_DH] = 'h',
                                         [SHAPE_HH] = 'h', [SHAPE_FD] = 'd', [SHAPE_DF] = 'f', [SHAPE_3D] = 'd'};
    int dims[2];
    for (int i = 0; i < 2; i++) {
        switch (i ? col_of[sh] : row_of[sh]) {
        case 'q': dims[i] = q; break;
        case 'k': dims[i] = kv; break;
        case 'd': dims[i] = d; break;
        case 'f': dims[i] = c->d_ff; break;
        case 'h': dims[i] = c->d_head; break;
        case 'H': dims[i] = c->n_heads; break;
        case '3': dims[i] = q + 2 * kv; break;
        case 'Q': dims[i] = all ? q : c->d_head; break;
        case 'K': dims[i] = all ? kv : c->d_head; break;
        default: dims[i] = 0;
        }
    }
    if (check_shape(what, t, dims[0], dims[1], err)) return -1;
    attn_layer_weights *L = &m->layers[layer];
    if (t->half && layer_tensors[kind].slot != SLOT_LIN_W)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' must be stored as float", what, t->name);
    if (layer_tensors[kind].slot == SLOT_LIN_W) {
        attn_linear *lin = (attn_linear *)(void *)((char *)L + layer_tensors[kind].offset);
        lin->ld = t->ld;
        lin->in_out = t->in_out;
        lin->half = t->half;
    } else if (t->ndim == 2 && (t->in_out || t->ld != t->shape[1])) {
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' must be stored row-major", what, t->name);
    }
    *layer_slot(L, (size_t)kind) = t->data;
    return 0;
}

int model_bind(attn_model *m, const char *what, attn_error *err)
{
    attn_config *c = &m->cfg;
    if (model_check_config(c, what, err)) return -1;

    free(m->layers);
    m->layers = calloc((size_t)c->n_layers, sizeof *m->layers);
    if (!m->layers) return attn_oom(err, "layers");
    m->tok_emb = m->pos_emb = m->type_emb = NULL;
    m->emb_ln_w = m->emb_ln_b = m->final_ln_w = m->final_ln_b = NULL;

    for (int i = 0; i < m->n_tensors; i++) {
        const attn_tensor *t = &m->tensors[i];
        long layer;
        int kind = parse_layer_name(t->name, &layer);
        if (kind >= 0 && layer < c->n_layers) {
            if (bind_layer(m, t, layer, kind, what, err)) return -1;
        } else if (kind >= 0 || strncmp(t->name, "layers.", 7) == 0) {
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: unknown tensor '%s'%s", what, t->name,
                             kind >= 0 ? " (past config.n_layers)" : "");
        } else if (bind_global(m, t, what, err)) {
            return -1;
        }
    }
    if ((m->vocab || m->tokenizer) && !m->tok_emb)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: the model has a vocabulary but tensor 'embeddings.token' is missing", what);
    if (m->tokenizer && tokenizer_vocab_size(m->tokenizer) > m->n_emb)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: the tokenizer has %d entries but embeddings.token only %d rows", what,
                         tokenizer_vocab_size(m->tokenizer), m->n_emb);
    if (c->positional == POS_LEARNED && !m->pos_emb)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: config.positional is \"learned\" but tensor 'embeddings.position' is missing",
                         what);
    if (((model_is_decoder(c) && c->tied) || c->arch == ARCH_GPT2) && m->tok_emb) /* the head reads the embeddings' rows */
        m->lm_head = (attn_linear){.w = m->tok_emb, .ld = c->d_model, .half = m->tok_emb_half};
    for (int l = 0; l < c->n_layers; l++) {
        attn_layer_weights *L = &m->layers[l];
        if (L->qkv.w && (L->q.w || L->k.w || L->v.w))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: layer %d has both a fused attn.qkv and attn.q/k/v", what, l);
        for (size_t j = 0; j < N_LAYER_TENSORS; j++) {
            int part = layer_tensors[j].part, needed = 0;
            if (layer_tensors[j].slot == SLOT_LIN_W)
                needed = part == PART_PROJ ? c->projections && (!L->qkv.w || strcmp(layer_tensors[j].suffix, "attn.o.weight") == 0)
                       : part == PART_FFN ? c->arch != ARCH_ATTENTION : part == PART_GLU && c->glu;
            else if (part == PART_ADDITIVE)
                needed = c->score == SCORE_ADDITIVE;
            if (needed && !*layer_slot(L, j))
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor 'layers.%d.%s' is missing%s", what, l,
                                 layer_tensors[j].suffix,
                                 part == PART_ADDITIVE ? " (the additive score needs it)" : "");
        }
    }
    for (int i = 0; i < m->n_tensors; i++) {
        const attn_tensor *t = &m->tensors[i];
        if (!t->owned) continue; /* views: their loader checked them (st_to_float) */
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
    if (m->cfg.ln_eps == 0.0) m->cfg.ln_eps = 1e-5;
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
