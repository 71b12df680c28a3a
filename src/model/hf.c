/* hf.c — Hugging Face checkpoints: tensor names and layouts mapped onto
 * attnviz's model (model.h), weights used in place from the mapped
 * safetensors file.
 *
 * Each architecture has a table of its tensors: the Hugging Face name (after
 * the task model's prefix, "bert." of BertForMaskedLM or "transformer." of
 * GPT2LMHeadModel, is removed), attnviz's name, the stored shape in terms of
 * the config, and how it is stored:
 *   AS_IS   torch.nn.Linear [out, in] or a vector: a view of the file's bytes;
 *   CONV1D  GPT-2's Conv1D [in, out]: a transposed view (in_out);
 *   QKV     GPT-2's fused c_attn [d, 3d] (bias [3d]): three views q, k, v
 *           into the same bytes, rows 3d floats apart.
 * Tensors outside the base model (pooler, MLM and classification heads,
 * buffers such as position_ids) are ignored; an unknown tensor inside it
 * is an error, and so is a missing one, named as the checkpoint names it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/hf.h"
#include "base/io.h"
#include "model/safetensors.h"


static const hf_name_map bert_global[] = {
    {"embeddings.word_embeddings.weight", "embeddings.token", X_V, X_D, AS_IS, W_ALWAYS},
    {"embeddings.position_embeddings.weight", "embeddings.position", X_P, X_D, AS_IS, W_ALWAYS},
    {"embeddings.token_type_embeddings.weight", "embeddings.token_type", X_T, X_D, AS_IS, W_ALWAYS},
    {"embeddings.LayerNorm.weight", "embeddings.ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"embeddings.LayerNorm.bias", "embeddings.ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map bert_layer[] = {
    {"attention.self.query.weight", "attn.q.weight", X_D, X_D, AS_IS, W_ALWAYS},
    {"attention.self.query.bias", "attn.q.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attention.self.key.weight", "attn.k.weight", X_D, X_D, AS_IS, W_ALWAYS},
    {"attention.self.key.bias", "attn.k.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attention.self.value.weight", "attn.v.weight", X_D, X_D, AS_IS, W_ALWAYS},
    {"attention.self.value.bias", "attn.v.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attention.output.dense.weight", "attn.o.weight", X_D, X_D, AS_IS, W_ALWAYS},
    {"attention.output.dense.bias", "attn.o.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attention.output.LayerNorm.weight", "ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attention.output.LayerNorm.bias", "ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"intermediate.dense.weight", "ffn.up.weight", X_F, X_D, AS_IS, W_ALWAYS},
    {"intermediate.dense.bias", "ffn.up.bias", X_F, X_NONE, AS_IS, W_ALWAYS},
    {"output.dense.weight", "ffn.down.weight", X_D, X_F, AS_IS, W_ALWAYS},
    {"output.dense.bias", "ffn.down.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"output.LayerNorm.weight", "ffn_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"output.LayerNorm.bias", "ffn_ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map distil_global[] = {
    {"embeddings.word_embeddings.weight", "embeddings.token", X_V, X_D, AS_IS, W_ALWAYS},
    {"embeddings.position_embeddings.weight", "embeddings.position", X_P, X_D, AS_IS, W_ALWAYS},
    {"embeddings.LayerNorm.weight", "embeddings.ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"embeddings.LayerNorm.bias", "embeddings.ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map distil_layer[] = {
    {"attention.q_lin.weight", "attn.q.weight", X_D, X_D, AS_IS, W_ALWAYS},
    {"attention.q_lin.bias", "attn.q.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attention.k_lin.weight", "attn.k.weight", X_D, X_D, AS_IS, W_ALWAYS},
    {"attention.k_lin.bias", "attn.k.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attention.v_lin.weight", "attn.v.weight", X_D, X_D, AS_IS, W_ALWAYS},
    {"attention.v_lin.bias", "attn.v.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attention.out_lin.weight", "attn.o.weight", X_D, X_D, AS_IS, W_ALWAYS},
    {"attention.out_lin.bias", "attn.o.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"sa_layer_norm.weight", "ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"sa_layer_norm.bias", "ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"ffn.lin1.weight", "ffn.up.weight", X_F, X_D, AS_IS, W_ALWAYS},
    {"ffn.lin1.bias", "ffn.up.bias", X_F, X_NONE, AS_IS, W_ALWAYS},
    {"ffn.lin2.weight", "ffn.down.weight", X_D, X_F, AS_IS, W_ALWAYS},
    {"ffn.lin2.bias", "ffn.down.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"output_layer_norm.weight", "ffn_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"output_layer_norm.bias", "ffn_ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map gpt2_global[] = {
    {"wte.weight", "embeddings.token", X_V, X_D, AS_IS, W_ALWAYS},
    {"wpe.weight", "embeddings.position", X_P, X_D, AS_IS, W_ALWAYS},
    {"ln_f.weight", "final_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"ln_f.bias", "final_ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map gpt2_layer[] = {
    {"ln_1.weight", "ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"ln_1.bias", "ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attn.c_attn.weight", "attn.%c.weight", X_D, X_3D, QKV, W_ALWAYS},
    {"attn.c_attn.bias", "attn.%c.bias", X_3D, X_NONE, QKV, W_ALWAYS},
    {"attn.c_proj.weight", "attn.o.weight", X_D, X_D, CONV1D, W_ALWAYS},
    {"attn.c_proj.bias", "attn.o.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"ln_2.weight", "ffn_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"ln_2.bias", "ffn_ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"mlp.c_fc.weight", "ffn.up.weight", X_D, X_F, CONV1D, W_ALWAYS},
    {"mlp.c_fc.bias", "ffn.up.bias", X_F, X_NONE, AS_IS, W_ALWAYS},
    {"mlp.c_proj.weight", "ffn.down.weight", X_F, X_D, CONV1D, W_ALWAYS},
    {"mlp.c_proj.bias", "ffn.down.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};


static const char *const bert_spaces[] = {"embeddings.", "encoder.", NULL};
static const char *const distil_spaces[] = {"embeddings.", "transformer.", NULL};
static const char *const gpt2_spaces[] = {"wte.", "wpe.", "h.", "ln_f.", NULL};
static const char *const no_buffers[] = {"embeddings.position_ids", "embeddings.token_type_ids", NULL};
static const char *const gpt2_buffers[] = {"attn.bias", "attn.masked_bias", NULL};

static const hf_arch_names archs[] = {
    [HF_BERT] = {"bert.", bert_spaces, "encoder.layer.", bert_global, bert_layer, no_buffers, NULL},
    [HF_ROBERTA] = {"roberta.", bert_spaces, "encoder.layer.", bert_global, bert_layer, no_buffers, NULL},
    [HF_DISTILBERT] = {"distilbert.", distil_spaces, "transformer.layer.", distil_global, distil_layer, no_buffers, NULL},
    [HF_GPT2] = {"transformer.", gpt2_spaces, "h.", gpt2_global, gpt2_layer, gpt2_buffers, "lm_head.weight"},
};

static int dim_of(hf_dim k, const attn_config *c, int vocab)
{
    const int q = c->n_heads * c->d_head, kv = c->n_kv_heads * c->d_head;
    switch (k) {
    case X_NONE: return 0;
    case X_D: return c->d_model;
    case X_F: return c->d_ff;
    case X_3D: return 3 * c->d_model;
    case X_V: return vocab;
    case X_P: return c->max_positions;
    case X_T: return c->type_vocab;
    case X_Q: return q;
    case X_K: return kv;
    case X_QKV: return q + 2 * kv;
    case X_F2: return 2 * c->d_ff;
    case X_H: return c->d_head;
    }
    return 0;
}

static const hf_name_map *find_map(const hf_name_map *t, const char *name)
{
    for (; t->hf; t++)
        if (strcmp(t->hf, name) == 0) return t;
    return NULL;
}

static int in_list(const char *const *list, const char *name, int prefix)
{
    for (; *list; list++)
        if (prefix ? strncmp(name, *list, strlen(*list)) == 0 : strcmp(name, *list) == 0) return 1;
    return 0;
}

/* "x.LayerNorm.gamma" / ".beta" (checkpoints converted from TensorFlow) as
 * ".weight" / ".bias", into buf. */
static const char *normalise(const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name);
    const char *suffix = NULL;
    size_t cut = 0;
    if (n > 6 && strcmp(name + n - 6, ".gamma") == 0) suffix = ".weight", cut = 6;
    else if (n > 5 && strcmp(name + n - 5, ".beta") == 0) suffix = ".bias", cut = 5;
    if (!suffix || n - cut + strlen(suffix) >= cap) return name;
    snprintf(buf, cap, "%.*s%s", (int)(n - cut), name, suffix);
    return buf;
}

/* The loader's state: the model being filled, which table entries were
 * seen (for the missing-tensor check). */
typedef struct {
    attn_model *m;
    const hf_arch_names *a;
    const hf_info *info;
    int vocab;
    int n_global, n_layer;      /* table sizes */
    unsigned char *seen_global; /* [n_global] */
    unsigned char *seen_layer;  /* [n_layers][n_layer] */
} loader;

static int shape_text(char *buf, size_t cap, const int64_t *shape, int ndim)
{
    int o = snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && o < (int)cap; i++)
        o += snprintf(buf + o, cap - (size_t)o, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (o < (int)cap) o += snprintf(buf + o, cap - (size_t)o, "]");
    return o;
}

/* 1 when the config says entry e is in the checkpoint. */
static int expected(const loader *L, const hf_name_map *e)
{
    switch (e->when) {
    case W_ALWAYS: return 1;
    case W_BIAS_QKV: return L->info->bias_qkv;
    case W_BIAS_O: return L->info->bias_o;
    case W_BIAS_MLP: return L->info->bias_mlp;
    }
    return 1;
}

/* Notes tensor t (of layer l, or -1) as not read: model_check_weights()
 * scans it when the forward pass needs it to (model.h). */
static int unchecked(loader *L, const st_tensor *t, int l, attn_error *err)
{
    attn_model *m = L->m;
    void *u = realloc(m->unchecked, (size_t)(m->n_unchecked + 1) * sizeof *m->unchecked);
    if (!u) return attn_oom(err, t->name);
    m->unchecked = u;
    m->unchecked[m->n_unchecked].st = t;
    m->unchecked[m->n_unchecked++].layer = l;
    return 0;
}

/* Keeps a converted tensor alive as long as the model. */
static int keep_buffer(loader *L, const float *data, const st_tensor *t, attn_error *err)
{
    float **b = realloc(L->m->bufs, (size_t)(L->m->n_bufs + 1) * sizeof *b);
    if (!b) {
        free((void *)data);
        return attn_oom(err, t->name);
    }
    L->m->bufs = b;
    b[L->m->n_bufs++] = (float *)data;
    return 0;
}

/* Adds the views of st tensor t (table entry e; layer l or -1). Matrices
 * stored in 16 bits stay so (converted as they are used); everything else
 * is viewed or converted to float. Views into the file are not read here
 * (model_check_weights); converted tensors are checked as they convert. */
static int add_views(loader *L, const st_tensor *t, const char *hf_name, const hf_name_map *e, int l,
                     attn_error *err)
{
    const attn_config *c = &L->m->cfg;
    int rows = dim_of(e->rows, c, L->vocab), cols = dim_of(e->cols, c, L->vocab);
    int ndim = cols ? 2 : 1;
    if (!expected(L, e))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' is there, but config.json gives %s no such bias "
                         "(\"%s\")", t->file, t->name, L->info->model_type,
                         e->when == W_BIAS_MLP ? "mlp_bias" : "attention_bias");
    if (t->ndim != ndim || t->shape[0] != rows || (ndim == 2 && t->shape[1] != cols)) {
        char got[96], want[64];
        shape_text(got, sizeof got, t->shape, t->ndim);
        if (ndim == 2) snprintf(want, sizeof want, "[%d, %d]", rows, cols);
        else snprintf(want, sizeof want, "[%d]", rows);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' has shape %s, but config.json implies %s",
                         t->file, t->name, got, want);
    }
    char name[160], pre[32] = "";
    if (l >= 0) snprintf(pre, sizeof pre, "layers.%d.", l);
    snprintf(name, sizeof name, "%s%s", pre,
             e->how == QKV ? (ndim == 1 ? "attn.q.bias" : "attn.q.weight") : e->how == GATE_UP ? "ffn.gate.weight"
                                                                                                : e->ours);
    if (model_find(L->m, name))
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tensor '%s' is a second copy of '%s' (two names for one weight, once the "
                         "'%s' prefix and legacy gamma/beta names are set aside)", t->file, t->name, hf_name,
                         L->a->prefix);
    if (ndim == 2 && (t->dtype == ST_F16 || t->dtype == ST_BF16) && (l >= 0 || e->rows == X_V)) {
        /* 16-bit matrices stay in the mapped file (model.h, linalg.h) */
        const int half = t->dtype == ST_F16 ? HALF_F16 : HALF_BF16;
        const uint16_t *h = t->data;
        if (unchecked(L, t, l, err)) return -1;
        if (e->how == GATE_UP) { /* rows [0, d_ff) gate, [d_ff, 2 d_ff) up */
            int sh[2] = {rows / 2, cols};
            snprintf(name, sizeof name, "%sffn.up.weight", pre);
            return model_add_view(L->m, name, 2, sh, h + (size_t)sh[0] * (size_t)cols, cols, 0, half, err) ||
                   (snprintf(name, sizeof name, "%sffn.gate.weight", pre),
                    model_add_view(L->m, name, 2, sh, h, cols, 0, half, err));
        }
        if (e->how == QKV) { /* [d, 3d] Conv1D: columns j·d.. are q, k, v */
            for (int j = 0; j < 3; j++) {
                snprintf(name, sizeof name, "%sattn.%c.weight", pre, "qkv"[j]);
                int sh[2] = {rows, rows};
                if (model_add_view(L->m, name, 2, sh, h + (size_t)j * (size_t)rows, cols, 1, half, err)) return -1;
            }
            return 0;
        }
        int sh[2] = {e->how == CONV1D ? cols : rows, e->how == CONV1D ? rows : cols};
        return model_add_view(L->m, name, 2, sh, h, cols, e->how == CONV1D, half, err);
    }
    const float *data;
    int owned = 0;
    if (st_to_float_unchecked(t, &data, &owned, err)) return -1;
    if (owned ? keep_buffer(L, data, t, err) : unchecked(L, t, l, err)) return -1;
    if (e->how == QKV) { /* three [d, d] (or [d]) views, columns j·d.. of the fused [d, 3d] */
        const int d = c->d_model;
        for (int j = 0; j < 3; j++) {
            char part[32];
            snprintf(part, sizeof part, e->ours, "qkv"[j]);
            snprintf(name, sizeof name, "%s%s", pre, part);
            int sh[2] = {d, d};
            if (model_add_view(L->m, name, ndim, sh, data + (size_t)j * (size_t)d, ndim == 2 ? 3 * d : 1,
                               ndim == 2, 0, err))
                return -1;
        }
        return 0;
    }
    if (e->how == GATE_UP) {
        int sh[2] = {rows / 2, cols};
        snprintf(name, sizeof name, "%sffn.up.weight", pre);
        if (model_add_view(L->m, name, 2, sh, data + (size_t)sh[0] * (size_t)cols, cols, 0, 0, err)) return -1;
        snprintf(name, sizeof name, "%sffn.gate.weight", pre);
        return model_add_view(L->m, name, 2, sh, data, cols, 0, 0, err);
    }
    snprintf(name, sizeof name, "%s%s", pre, e->ours);
    if (e->how == CONV1D) { /* stored [in, out]: logically [out, in] */
        int sh[2] = {cols, rows};
        return model_add_view(L->m, name, 2, sh, data, cols, 1, 0, err);
    }
    int sh[2] = {rows, cols};
    return model_add_view(L->m, name, ndim, sh, data, ndim == 2 ? cols : 1, 0, 0, err);
}

/* Maps one checkpoint tensor, or ignores it. */
static int map_tensor(loader *L, const st_tensor *t, attn_error *err)
{
    char buf[512];
    const char *name = t->name;
    size_t np = strlen(L->a->prefix);
    if (L->a->lm_head && strcmp(name, L->a->lm_head) == 0) { /* the language-model head, for --generate */
        static const hf_name_map head = {"", "lm_head.weight", X_V, X_D, AS_IS, W_ALWAYS};
        /* tied (and GPT-2): the embeddings serve, and transformers ignores a copy */
        return L->m->cfg.tied || L->m->cfg.arch == ARCH_GPT2 ? 0 : add_views(L, t, name, &head, -1, err);
    }
    if (strncmp(name, L->a->prefix, np) == 0) name += np;
    name = normalise(name, buf, sizeof buf);
    if (!in_list(L->a->spaces, name, 1) || in_list(no_buffers, name, 0)) return 0; /* a head or a buffer */
    const hf_name_map *e = find_map(L->a->global, name);
    if (e) {
        L->seen_global[e - L->a->global] = 1;
        return add_views(L, t, name, e, -1, err);
    }
    size_t nl = strlen(L->a->layers);
    if (strncmp(name, L->a->layers, nl) == 0 && name[nl] >= '0' && name[nl] <= '9') {
        char *end;
        long l = strtol(name + nl, &end, 10);
        if (*end == '.') {
            if (in_list(L->a->buffers, end + 1, 0)) return 0;
            if ((e = find_map(L->a->layer, end + 1))) {
                if (l >= L->m->cfg.n_layers)
                    return attn_fail(err, ATTN_EXIT_INPUT,
                                     "%s: tensor '%s' is in layer %ld, but config.json has %d layers", t->file,
                                     t->name, l, L->m->cfg.n_layers);
                L->seen_layer[(size_t)l * (size_t)L->n_layer + (size_t)(e - L->a->layer)] = 1;
                return add_views(L, t, name, e, (int)l, err);
            }
        }
    }
    return attn_fail(err, ATTN_EXIT_INPUT, "%s: unexpected tensor '%s' (not part of the model attnviz knows)",
                     t->file, t->name);
}

/* Every tensor of the base model must be there (token types only when the
 * config has them). */
static int check_complete(const loader *L, const st_set *s, attn_error *err)
{
    const char *file = st_count(s) > 0 ? st_at(s, 0)->file : "checkpoint";
    for (int i = 0; i < L->n_global; i++)
        if (!L->seen_global[i] && expected(L, &L->a->global[i]) &&
            !(L->a->global[i].rows == X_T && L->m->cfg.type_vocab == 0))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s%s' is missing", file,
                             st_find(s, L->a->global[0].hf) ? "" : L->a->prefix, L->a->global[i].hf);
    for (int l = 0; l < L->m->cfg.n_layers; l++)
        for (int i = 0; i < L->n_layer; i++)
            if (!L->seen_layer[(size_t)l * (size_t)L->n_layer + (size_t)i] && expected(L, &L->a->layer[i]))
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s%s%d.%s' is missing", file,
                                 st_find(s, L->a->global[0].hf) ? "" : L->a->prefix, L->a->layers, l,
                                 L->a->layer[i].hf);
    return 0;
}

attn_model *model_load_hf(const char *path, attn_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: no such file or directory", path);
        return NULL;
    }
    const int is_dir = S_ISDIR(st.st_mode);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    if (!is_dir) { /* the files beside a .safetensors file */
        char *slash = strrchr(dir, '/');
        if (slash) *(slash == dir ? slash + 1 : slash) = '\0';
        else strcpy(dir, ".");
    }
    if (hf_seq2seq_dir(dir)) return hf_load_seq2seq(path, dir, is_dir, err); /* hf_seq2seq.c */
    hf_info info = {0};
    loader L = {.info = &info};
    attn_model *m = model_new(err);
    if (!m) return NULL;
    L.m = m;
    if (hf_read_config(&info, dir, &m->cfg, &L.vocab, err)) goto fail;
    L.a = info.type >= HF_LLAMA ? &info.names : &archs[info.type];
    while (L.a->global[L.n_global].hf) L.n_global++;
    while (L.a->layer[L.n_layer].hf) L.n_layer++;
    L.seen_global = calloc((size_t)L.n_global, 1);
    L.seen_layer = calloc((size_t)m->cfg.n_layers * (size_t)L.n_layer, 1);
    if (!L.seen_global || !L.seen_layer) {
        attn_oom(err, path);
        goto fail;
    }
    if (!(m->tokenizer = hf_load_tokenizer(&info, dir, err))) goto fail;
    if (tokenizer_vocab_size(m->tokenizer) > L.vocab) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: %d entries, but config.json's vocab_size is %d (the rows of the "
                                        "word embeddings)", info.tokenizer_file, tokenizer_vocab_size(m->tokenizer),
                  L.vocab);
        goto fail;
    }
    if (!(m->weights_file = hf_open_weights(path, dir, is_dir, err))) goto fail;
    m->n_emb = L.vocab;
    for (int i = 0; i < st_count(m->weights_file); i++)
        if (map_tensor(&L, st_at(m->weights_file, i), err)) goto fail;
    if (check_complete(&L, m->weights_file, err) || model_bind(m, path, err) || hf_decoder_finish(&info, m, err))
        goto fail;
    if (!(m->source = malloc(strlen(path) + 1))) {
        attn_oom(err, path);
        goto fail;
    }
    strcpy(m->source, path);
    free(L.seen_global);
    free(L.seen_layer);
    hf_info_free(&info);
    return m;
fail:
    free(L.seen_global);
    free(L.seen_layer);
    hf_info_free(&info);
    model_free(m);
    return NULL;
}
