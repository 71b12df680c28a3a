/* hf_decoder.c — the decoder families of a Hugging Face directory
 * (model_type llama, mistral, qwen2, qwen3, gemma, gemma2, gemma3_text,
 * phi3, gpt_neox, olmo2): config.json read as each family's config class
 * reads it (absent keys take the class's defaults), and the family's tensor
 * names, for model_load_hf() (hf.c).
 *
 * Every family is one row of a table: its config class's defaults, how its
 * layer is wired (model.h attn_arch), its norm, its MLP, and which parts of
 * names its layers have. What the families share is read once: sizes,
 * grouped-query heads, head_dim, RoPE (rope_theta and rope_scaling, or
 * transformers 5's rope_parameters; partial rotary), sliding windows per
 * layer (layer_types, or the family's rule), soft-capping, biases, tied
 * embeddings, end-of-sequence ids (generation_config.json first). A key
 * attnviz cannot honour is an error naming it, never a silent difference.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/jsonutil.h"
#include "model/hf.h"

/* ---- tensor names ---- */

static const char *const llama_spaces[] = {"embed_tokens.", "layers.", "norm.", NULL};
static const char *const llama_buffers[] = {"self_attn.rotary_emb.inv_freq", NULL};
static const hf_name_map llama_global[] = {
    {"embed_tokens.weight", "embeddings.token", X_V, X_D, AS_IS, W_ALWAYS},
    {"norm.weight", "final_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const char *const neox_spaces[] = {"embed_in.", "layers.", "final_layer_norm.", NULL};
static const char *const neox_buffers[] = {"attention.bias", "attention.masked_bias", "attention.rotary_emb.inv_freq",
                                           NULL};
static const hf_name_map neox_global[] = {
    {"embed_in.weight", "embeddings.token", X_V, X_D, AS_IS, W_ALWAYS},
    {"final_layer_norm.weight", "final_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"final_layer_norm.bias", "final_ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};

/* Parts of a layer; a family's layer is the concatenation of its parts. */
static const hf_name_map attn_part[] = {
    {"self_attn.q_proj.weight", "attn.q.weight", X_Q, X_D, AS_IS, W_ALWAYS},
    {"self_attn.k_proj.weight", "attn.k.weight", X_K, X_D, AS_IS, W_ALWAYS},
    {"self_attn.v_proj.weight", "attn.v.weight", X_K, X_D, AS_IS, W_ALWAYS},
    {"self_attn.o_proj.weight", "attn.o.weight", X_D, X_Q, AS_IS, W_ALWAYS},
    {"self_attn.q_proj.bias", "attn.q.bias", X_Q, X_NONE, AS_IS, W_BIAS_QKV},
    {"self_attn.k_proj.bias", "attn.k.bias", X_K, X_NONE, AS_IS, W_BIAS_QKV},
    {"self_attn.v_proj.bias", "attn.v.bias", X_K, X_NONE, AS_IS, W_BIAS_QKV},
    {"self_attn.o_proj.bias", "attn.o.bias", X_D, X_NONE, AS_IS, W_BIAS_O},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map qk_head_part[] = { /* Qwen3, Gemma 3: over d_head */
    {"self_attn.q_norm.weight", "attn.q_norm.weight", X_H, X_NONE, AS_IS, W_ALWAYS},
    {"self_attn.k_norm.weight", "attn.k_norm.weight", X_H, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map qk_all_part[] = { /* OLMo 2: over all heads */
    {"self_attn.q_norm.weight", "attn.q_norm.weight", X_Q, X_NONE, AS_IS, W_ALWAYS},
    {"self_attn.k_norm.weight", "attn.k_norm.weight", X_K, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map glu_part[] = {
    {"mlp.gate_proj.weight", "ffn.gate.weight", X_F, X_D, AS_IS, W_ALWAYS},
    {"mlp.up_proj.weight", "ffn.up.weight", X_F, X_D, AS_IS, W_ALWAYS},
    {"mlp.down_proj.weight", "ffn.down.weight", X_D, X_F, AS_IS, W_ALWAYS},
    {"mlp.gate_proj.bias", "ffn.gate.bias", X_F, X_NONE, AS_IS, W_BIAS_MLP},
    {"mlp.up_proj.bias", "ffn.up.bias", X_F, X_NONE, AS_IS, W_BIAS_MLP},
    {"mlp.down_proj.bias", "ffn.down.bias", X_D, X_NONE, AS_IS, W_BIAS_MLP},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map llama_norms[] = { /* post_attention_layernorm is the MLP's input norm */
    {"input_layernorm.weight", "ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"post_attention_layernorm.weight", "ffn_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map gemma2_norms[] = {
    {"input_layernorm.weight", "ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"post_attention_layernorm.weight", "attn_out_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"pre_feedforward_layernorm.weight", "ffn_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"post_feedforward_layernorm.weight", "ffn_out_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map olmo2_norms[] = {
    {"post_attention_layernorm.weight", "attn_out_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"post_feedforward_layernorm.weight", "ffn_out_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map phi3_part[] = { /* fused projections */
    {"self_attn.qkv_proj.weight", "attn.qkv.weight", X_QKV, X_D, AS_IS, W_ALWAYS},
    {"self_attn.o_proj.weight", "attn.o.weight", X_D, X_Q, AS_IS, W_ALWAYS},
    {"mlp.gate_up_proj.weight", "ffn.gate.weight", X_F2, X_D, GATE_UP, W_ALWAYS},
    {"mlp.down_proj.weight", "ffn.down.weight", X_D, X_F, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};
static const hf_name_map neox_part[] = { /* query_key_value: per head q, k, v (block.c reads it so) */
    {"input_layernorm.weight", "ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"input_layernorm.bias", "ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"post_attention_layernorm.weight", "ffn_ln.weight", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"post_attention_layernorm.bias", "ffn_ln.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {"attention.query_key_value.weight", "attn.qkv.weight", X_QKV, X_D, AS_IS, W_ALWAYS},
    {"attention.query_key_value.bias", "attn.qkv.bias", X_QKV, X_NONE, AS_IS, W_BIAS_QKV},
    {"attention.dense.weight", "attn.o.weight", X_D, X_Q, AS_IS, W_ALWAYS},
    {"attention.dense.bias", "attn.o.bias", X_D, X_NONE, AS_IS, W_BIAS_O},
    {"mlp.dense_h_to_4h.weight", "ffn.up.weight", X_F, X_D, AS_IS, W_ALWAYS},
    {"mlp.dense_h_to_4h.bias", "ffn.up.bias", X_F, X_NONE, AS_IS, W_ALWAYS},
    {"mlp.dense_4h_to_h.weight", "ffn.down.weight", X_D, X_F, AS_IS, W_ALWAYS},
    {"mlp.dense_4h_to_h.bias", "ffn.down.bias", X_D, X_NONE, AS_IS, W_ALWAYS},
    {NULL, NULL, 0, 0, 0, 0},
};

/* ---- the families ---- */

enum { SW_NONE, SW_ALL, SW_QWEN, SW_GEMMA2, SW_GEMMA3 }; /* which layers slide without layer_types */

typedef struct {
    const char *type;
    hf_type t;
    attn_arch arch;
    /* the config class's defaults */
    int vocab, d, layers, heads, kv, head_dim, ff, max_pos;
    double theta, eps;
    const char *act;
    int tied, eos;
    /* what the family is */
    int gemma;               /* Gemma: RMSNorm gain 1 + w, embeddings × √d, act key hidden_activation */
    int layer_norm;          /* LayerNorm with biases (gpt_neox), else RMSNorm */
    int glu;
    int sliding;             /* SW_* */
    const hf_name_map *parts[4];
} family;

static const family families[] = {
    {"llama", HF_LLAMA, ARCH_LLAMA, 32000, 4096, 32, 32, 0, 0, 11008, 2048, 10000, 1e-6, "silu", 0, 2,
     0, 0, 1, SW_NONE, {attn_part, glu_part, llama_norms}},
    {"mistral", HF_MISTRAL, ARCH_LLAMA, 32000, 4096, 32, 32, 8, 0, 14336, 131072, 10000, 1e-6, "silu", 0, 2,
     0, 0, 1, SW_ALL, {attn_part, glu_part, llama_norms}},
    {"qwen2", HF_QWEN2, ARCH_LLAMA, 151936, 4096, 32, 32, 32, 0, 22016, 32768, 10000, 1e-6, "silu", 0, -1,
     0, 0, 1, SW_QWEN, {attn_part, glu_part, llama_norms}},
    {"qwen3", HF_QWEN3, ARCH_LLAMA, 151936, 4096, 32, 32, 32, 128, 22016, 32768, 10000, 1e-6, "silu", 0, -1,
     0, 0, 1, SW_QWEN, {attn_part, qk_head_part, glu_part, llama_norms}},
    {"gemma", HF_GEMMA, ARCH_LLAMA, 256000, 3072, 28, 16, 16, 256, 24576, 8192, 10000, 1e-6, "gelu_pytorch_tanh", 1,
     1, 1, 0, 1, SW_NONE, {attn_part, glu_part, llama_norms}},
    {"gemma2", HF_GEMMA2, ARCH_GEMMA2, 256000, 2304, 26, 8, 4, 256, 9216, 8192, 10000, 1e-6, "gelu_pytorch_tanh",
     1, 1, 1, 0, 1, SW_GEMMA2, {attn_part, glu_part, gemma2_norms}},
    {"gemma3_text", HF_GEMMA3, ARCH_GEMMA2, 262208, 2304, 26, 8, 4, 256, 9216, 131072, 1000000, 1e-6,
     "gelu_pytorch_tanh", 1, 1, 1, 0, 1, SW_GEMMA3, {attn_part, qk_head_part, glu_part, gemma2_norms}},
    {"phi3", HF_PHI3, ARCH_LLAMA, 32064, 3072, 32, 32, 0, 0, 8192, 4096, 10000, 1e-5, "silu", 0, 32000,
     0, 0, 1, SW_ALL, {phi3_part, llama_norms}},
    {"gpt_neox", HF_NEOX, ARCH_NEOX, 50432, 6144, 44, 64, 0, 0, 24576, 2048, 10000, 1e-5, "gelu", 0, 2,
     0, 1, 0, SW_NONE, {neox_part}},
    {"olmo2", HF_OLMO2, ARCH_OLMO2, 50304, 4096, 32, 32, 0, 0, 11008, 2048, 10000, 1e-5, "silu", 0, 50279,
     0, 0, 1, SW_NONE, {attn_part, qk_all_part, glu_part, olmo2_norms}},
};
#define N_FAMILIES (int)(sizeof families / sizeof families[0])

int hf_decoder_type(const char *model_type, hf_type *t)
{
    for (int i = 0; i < N_FAMILIES; i++)
        if (strcmp(model_type, families[i].type) == 0) {
            *t = families[i].t;
            return 1;
        }
    return 0;
}

static const family *family_of(hf_type t)
{
    for (int i = 0; i < N_FAMILIES; i++)
        if (families[i].t == t) return &families[i];
    return &families[0];
}

/* info->names for family f: the global tables and the layer's parts joined. */
static int build_names(hf_info *info, const family *f, const char *path, attn_error *err)
{
    const int neox = f->t == HF_NEOX;
    int n = 0;
    for (int p = 0; p < 4 && f->parts[p]; p++)
        for (const hf_name_map *e = f->parts[p]; e->hf; e++) {
            if (n + 1 >= (int)(sizeof info->layer_names / sizeof info->layer_names[0]))
                return attn_fail(err, ATTN_EXIT_RUNTIME, "%s: too many tensor names", path);
            info->layer_names[n++] = *e;
        }
    info->layer_names[n] = (hf_name_map){0};
    info->names = (hf_arch_names){neox ? "gpt_neox." : "model.", neox ? neox_spaces : llama_spaces, "layers.",
                                  neox ? neox_global : llama_global, info->layer_names,
                                  neox ? neox_buffers : llama_buffers, neox ? "embed_out.weight" : "lm_head.weight"};
    return 0;
}

/* ---- keys ---- */

/* A key of a nested object (what: its name, "rope_scaling"): a number in
 * [lo, hi], or dflt when absent or null; NAN dflt: required. */
static int sub_number(const char *path, const char *what, const cJSON *o, const char *key, double lo, double hi,
                      double dflt, double *out, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if ((!v || cJSON_IsNull(v)) && !isnan(dflt)) {
        *out = dflt;
        return 0;
    }
    if (!v || cJSON_IsNull(v))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" has no \"%s\" (its rope_type needs it)", path, what, key);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\": \"%s\" must be a number in [%g, %g]", path, what, key, lo,
                         hi);
    *out = v->valuedouble;
    return 0;
}

/* An integer-or-list key (eos_token_id) into ids[16]. */
static int id_list(const char *path, const cJSON *v, const char *key, int vocab, int *ids, int *n, attn_error *err)
{
    *n = 0;
    if (!v || cJSON_IsNull(v)) return 0;
    const cJSON *e = cJSON_IsArray(v) ? v->child : v;
    for (; e; e = cJSON_IsArray(v) ? e->next : NULL) {
        if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) || e->valuedouble < 0 ||
            e->valuedouble >= vocab)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" must be token ids below vocab_size %d", path, key, vocab);
        if (*n < 16) ids[(*n)++] = (int)e->valuedouble;
    }
    return 0;
}

/* ---- RoPE ---- */

typedef struct {
    const char *path, *what;  /* config.json, "rope_scaling" (for messages) */
    const char *partial_key;  /* "partial_rotary_factor" or "rotary_pct" */
    int head_dim, max_pos, orig_top; /* orig_top: top-level original_max_position_embeddings (phi3), or 0 */
    double partial;
} rope_ctx;

/* r from rope_scaling (or a rope_parameters object) o, theta given. */
static int read_rope(const rope_ctx *x, const cJSON *o, double theta, attn_rope *r, float **factors, attn_error *err)
{
    *r = (attn_rope){.kind = ROPE_DEFAULT, .theta = theta, .max_pos = x->max_pos, .attention_factor = 1.0};
    r->dim = (int)(x->head_dim * x->partial); /* int(head_dim * partial_rotary_factor) */
    if (r->dim % 2 || r->dim < 2)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" %g of head_dim %d gives %d rotary components (an even "
                         "number, 2 or more, is needed)", x->path, x->partial_key, x->partial, x->head_dim, r->dim);
    if (!o || cJSON_IsNull(o)) return 0;
    if (!cJSON_IsObject(o)) return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" must be an object", x->path, x->what);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "rope_type");
    if (!t) t = cJSON_GetObjectItemCaseSensitive(o, "type"); /* its old name */
    const char *type = cJSON_IsString(t) ? t->valuestring : t ? NULL : "default";
    static const char *const kinds[] = {"default", "linear", "dynamic", "yarn", "llama3", "longrope", "su"};
    int k = -1;
    for (int i = 0; type && i < 7; i++)
        if (strcmp(type, kinds[i]) == 0) k = i == 6 ? ROPE_LONGROPE : i;
    if (k < 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\": rope_type %s%.40s%s is not supported (attnviz has "
                         "default, linear, dynamic, yarn, llama3, longrope)", x->path, x->what, type ? "\"" : "",
                         type ? type : "(not a string)", type ? "\"" : "");
    r->kind = (attn_rope_kind)k;
    const double BIG = 1e12;
    double v;
    if (k == ROPE_LINEAR || k == ROPE_DYNAMIC || k == ROPE_YARN || k == ROPE_LLAMA3) {
        if (sub_number(x->path, x->what, o, "factor", 1e-6, BIG, NAN, &r->factor, err)) return -1;
    }
    if (k == ROPE_DYNAMIC && r->dim <= 2)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\": dynamic needs more than 2 rotary components", x->path,
                         x->what);
    if (k == ROPE_LLAMA3) {
        if (sub_number(x->path, x->what, o, "low_freq_factor", 1e-9, BIG, NAN, &r->low_freq_factor, err) ||
            sub_number(x->path, x->what, o, "high_freq_factor", 1e-9, BIG, NAN, &r->high_freq_factor, err) ||
            sub_number(x->path, x->what, o, "original_max_position_embeddings", 1, 1 << 30, NAN, &v, err))
            return -1;
        r->original_max = (int)v;
        if (!(r->high_freq_factor > r->low_freq_factor))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\": high_freq_factor must exceed low_freq_factor", x->path,
                             x->what);
    }
    if (k == ROPE_YARN) {
        double mscale, mscale_all, af;
        const cJSON *tr = cJSON_GetObjectItemCaseSensitive(o, "truncate");
        if (sub_number(x->path, x->what, o, "original_max_position_embeddings", 1, 1 << 30, x->max_pos, &v, err) ||
            sub_number(x->path, x->what, o, "beta_fast", -BIG, BIG, 32, &r->beta_fast, err) ||
            sub_number(x->path, x->what, o, "beta_slow", -BIG, BIG, 1, &r->beta_slow, err) ||
            sub_number(x->path, x->what, o, "mscale", 0, BIG, 0, &mscale, err) ||
            sub_number(x->path, x->what, o, "mscale_all_dim", 0, BIG, 0, &mscale_all, err) ||
            sub_number(x->path, x->what, o, "attention_factor", 0, BIG, -1, &af, err))
            return -1;
        if (tr && !cJSON_IsBool(tr) && !cJSON_IsNull(tr))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\": \"truncate\" must be true or false", x->path, x->what);
        r->truncate = !tr || !cJSON_IsFalse(tr);
        r->original_max = (int)v;
        if (r->beta_fast == 0) r->beta_fast = 32; /* `or 32`, `or 1` */
        if (r->beta_slow == 0) r->beta_slow = 1;
        /* get_mscale(scale, m) = 0.1·m·ln(scale) + 1 for scale > 1 */
#define MSCALE(s, m) ((s) <= 1 ? 1.0 : 0.1 * (m) * log(s) + 1.0)
        if (af >= 0) r->attention_factor = af;
        else if (mscale > 0 && mscale_all > 0) r->attention_factor = MSCALE(r->factor, mscale) / MSCALE(r->factor, mscale_all);
        else r->attention_factor = MSCALE(r->factor, 1.0);
#undef MSCALE
    }
    if (k == ROPE_LONGROPE) {
        double af, factor;
        if (sub_number(x->path, x->what, o, "attention_factor", 0, BIG, -1, &af, err) ||
            sub_number(x->path, x->what, o, "factor", 1e-6, BIG, x->orig_top > 0 ? 1 : NAN, &factor, err))
            return -1;
        r->original_max = x->orig_top > 0 ? x->orig_top : x->max_pos;
        if (x->orig_top > 0) factor = (double)x->max_pos / x->orig_top;
        r->attention_factor = af >= 0 ? af : factor <= 1.0 ? 1.0 : sqrt(1 + log(factor) / log(r->original_max));
        const int half = r->dim / 2;
        if (!(*factors = malloc((size_t)half * 2 * sizeof **factors))) return attn_oom(err, x->path);
        for (int which = 0; which < 2; which++) {
            const char *key = which ? "long_factor" : "short_factor";
            const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
            if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != half)
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\": \"%s\" must be a list of %d numbers (half the "
                                 "rotary components)", x->path, x->what, key, half);
            int i = 0;
            for (const cJSON *e = a->child; e; e = e->next, i++) {
                if (!cJSON_IsNumber(e) || !(e->valuedouble > 0) || e->valuedouble > BIG)
                    return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\": \"%s\"[%d] must be a positive number",
                                     x->path, x->what, key, i);
                (*factors)[which * half + i] = (float)e->valuedouble;
            }
        }
        r->short_factor = *factors;
        r->long_factor = *factors + half;
    }
    return 0;
}

/* ---- sliding windows ---- */

static int read_windows(hf_info *info, const family *f, const char *path, const cJSON *j, int layers,
                        attn_error *err)
{
    int window, use = 1, max_window_layers, pattern;
    if (cfg_int(path, j, "sliding_window", 0, 1 << 30, f->sliding == SW_GEMMA2 || f->sliding == SW_GEMMA3 ||
                f->t == HF_MISTRAL || f->sliding == SW_QWEN ? 4096 : 0, &window, err) ||
        cfg_bool(path, j, "use_sliding_window", 0, &use, err) ||
        cfg_int(path, j, "max_window_layers", 0, 1 << 30, 28, &max_window_layers, err) ||
        cfg_int(path, j, "sliding_window_pattern", 1, 1 << 30, 6, &pattern, err))
        return -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "sliding_window");
    if (v && cJSON_IsNull(v)) window = 0;
    if (f->sliding == SW_QWEN && !use) window = 0;
    /* the config classes that have layer_types (the others ignore the key) */
    const int typed = f->t == HF_QWEN2 || f->t == HF_QWEN3 || f->t == HF_GEMMA2 || f->t == HF_GEMMA3;
    const cJSON *types = typed ? cJSON_GetObjectItemCaseSensitive(j, "layer_types") : NULL;
    if (types && !cJSON_IsNull(types) && (!cJSON_IsArray(types) || cJSON_GetArraySize(types) != layers))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"layer_types\" must list the %d layers", path, layers);
    if (!(info->window = calloc((size_t)layers, sizeof *info->window)) ||
        !(info->local_rope = calloc((size_t)layers, 1)))
        return attn_oom(err, path);
    const cJSON *e = cJSON_IsArray(types) ? types->child : NULL;
    for (int i = 0; i < layers; i++, e = e ? e->next : NULL) {
        int slide;
        if (e) {
            if (!cJSON_IsString(e) || (strcmp(e->valuestring, "sliding_attention") != 0 &&
                                       strcmp(e->valuestring, "full_attention") != 0))
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"layer_types\"[%d] must be \"sliding_attention\" or "
                                 "\"full_attention\"", path, i);
            slide = e->valuestring[0] == 's';
        } else {
            slide = f->sliding == SW_ALL || (f->sliding == SW_QWEN && i >= max_window_layers) ||
                    (f->sliding == SW_GEMMA2 && (i + 1) % 2) || (f->sliding == SW_GEMMA3 && (i + 1) % pattern);
        }
        if (slide && window > 0) info->window[i] = window;
        info->local_rope[i] = slide && f->t == HF_GEMMA3;
    }
    return 0;
}

/* ---- config.json ---- */

/* rope_theta, rope_scaling / rope_parameters of c->rope (and Gemma 3's
 * local rope) */
static int read_ropes(hf_info *info, const family *f, const char *path, const cJSON *j, attn_config *c,
                      attn_error *err)
{
    double partial, theta, local_theta;
    int orig;
    const int neox = f->t == HF_NEOX;
    if (cfg_number(path, j, neox ? "rotary_pct" : "partial_rotary_factor", 1e-9, 1, neox ? 0.25 : 1, &partial, err) ||
        (neox && cJSON_GetObjectItemCaseSensitive(j, "partial_rotary_factor") &&
         cfg_number(path, j, "partial_rotary_factor", 1e-9, 1, partial, &partial, err)) ||
        cfg_number(path, j, neox ? "rotary_emb_base" : "rope_theta", 1e-9, 1e300, f->theta, &theta, err) ||
        cfg_number(path, j, "rope_local_base_freq", 1e-9, 1e300, 10000, &local_theta, err) ||
        cfg_int(path, j, "original_max_position_embeddings", 1, 1 << 30, 0, &orig, err))
        return -1;
    const char *what = "rope_scaling";
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, what), *local = NULL;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(j, "rope_parameters"); /* transformers 5 */
    if (params && !cJSON_IsNull(params)) {
        what = "rope_parameters";
        o = params;
        const cJSON *full = cJSON_GetObjectItemCaseSensitive(params, "full_attention");
        if (cJSON_IsObject(full)) { /* per layer type */
            local = cJSON_GetObjectItemCaseSensitive(params, "sliding_attention");
            o = full;
        }
        if (neox && cfg_number(path, o, "partial_rotary_factor", 1e-9, 1, partial, &partial, err)) return -1;
        if (cfg_number(path, o, "rope_theta", 1e-9, 1e300, theta, &theta, err) ||
            (cJSON_IsObject(local) && cfg_number(path, local, "rope_theta", 1e-9, 1e300, local_theta, &local_theta, err)))
            return -1;
    }
    rope_ctx x = {path, what, neox ? "rotary_pct" : "partial_rotary_factor", c->d_head, c->max_positions, orig,
                  partial};
    if (read_rope(&x, o, theta, &c->rope, &info->rope_factors, err)) return -1;
    if (f->t == HF_GEMMA3) { /* sliding layers: rope_local_base_freq, no scaling */
        float *unused = NULL;
        int rc = read_rope(&x, cJSON_IsObject(local) ? local : NULL, local_theta, &c->rope_local, &unused, err);
        free(unused);
        if (rc) return -1;
    }
    return 0;
}

int hf_decoder_config(hf_info *info, const char *path, const char *dir, const cJSON *j, attn_config *c,
                      int *vocab_size, attn_error *err)
{
    const family *f = family_of(info->type);
    const int neox = f->t == HF_NEOX, MD = ATTN_MAX_DIM;
    int kv, head_dim, bias = neox, mlp_bias = 0, bidir = 0;
    double eps, qscale, attn_cap, final_cap;
    snprintf(info->model_type, sizeof info->model_type, "%s", f->type);
    *c = (attn_config){.arch = f->arch, .positional = POS_ROPE, .projections = 1, .score = SCORE_SCALED_DOT,
                       .layer_norm = LN_PRE,
                       .causal = 1, .glu = f->glu, .norm = f->layer_norm ? NORM_LAYERNORM : NORM_RMSNORM,
                       .norm_offset = f->gemma ? 1.0f : 0.0f};
    const char *act = cfg_str(path, j, f->gemma && f->t != HF_GEMMA ? "hidden_activation" : "hidden_act", f->act, err);
    if (f->t == HF_GEMMA) { /* hidden_activation overrides hidden_act where present */
        const cJSON *ha = cJSON_GetObjectItemCaseSensitive(j, "hidden_activation");
        if (ha && !cJSON_IsNull(ha)) act = cfg_str(path, j, "hidden_activation", act, err);
    }
    if (!act ||
        cfg_int(path, j, "vocab_size", 1, ATTN_MAX_VOCAB, f->vocab, vocab_size, err) ||
        cfg_int(path, j, "hidden_size", 1, MD, f->d, &c->d_model, err) ||
        cfg_int(path, j, "num_hidden_layers", 1, ATTN_MAX_LAYERS, f->layers, &c->n_layers, err) ||
        cfg_int(path, j, "num_attention_heads", 1, ATTN_MAX_HEADS, f->heads, &c->n_heads, err) ||
        cfg_int(path, j, "num_key_value_heads", 1, ATTN_MAX_HEADS, f->kv ? f->kv : c->n_heads, &kv, err) ||
        cfg_int(path, j, "head_dim", 1, MD, f->head_dim, &head_dim, err) ||
        cfg_int(path, j, "intermediate_size", 1, 4 * MD, f->ff, &c->d_ff, err) ||
        cfg_int(path, j, "max_position_embeddings", 1, 1 << 30, f->max_pos, &c->max_positions, err) ||
        cfg_double(path, j, neox ? "layer_norm_eps" : "rms_norm_eps", f->eps, &eps, err) ||
        activation(path, f->gemma && f->t != HF_GEMMA ? "hidden_activation" : "hidden_act", act, &c->act, err) ||
        cfg_bool(path, j, "tie_word_embeddings", f->tied, &c->tied, err) ||
        cfg_bool(path, j, "attention_bias", bias, &bias, err) ||
        cfg_bool(path, j, "mlp_bias", 0, &mlp_bias, err) ||
        cfg_bool(path, j, "use_parallel_residual", 1, &c->parallel_residual, err) ||
        cfg_bool(path, j, "use_bidirectional_attention", 0, &bidir, err) ||
        cfg_number(path, j, "query_pre_attn_scalar", 1e-30, 1e30, 256, &qscale, err) ||
        cfg_number(path, j, "attn_logit_softcapping", 0, 1e30, f->t == HF_GEMMA2 ? 50 : 0, &attn_cap, err) ||
        cfg_number(path, j, "final_logit_softcapping", 0, 1e30, f->t == HF_GEMMA2 ? 30 : 0, &final_cap, err))
        return -1;
    c->ln_eps = eps;
    c->n_kv_heads = kv;
    c->qk_norm = f->t == HF_QWEN3 || f->t == HF_GEMMA3 ? QK_NORM_HEAD : f->t == HF_OLMO2 ? QK_NORM_ALL : QK_NORM_NONE;
    if (!neox) c->parallel_residual = 0;
    if (bidir)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"use_bidirectional_attention\": true is not supported (an "
                         "embedding model, not a causal decoder)", path);
    if (f->gemma) {
        c->emb_scale = (float)sqrt((double)c->d_model);
        if (f->t != HF_GEMMA) c->attn_scale = 1.0 / sqrt(qscale);
    }
    if (f->t == HF_GEMMA2) c->attn_softcap = attn_cap; /* Gemma 3's attention does not pass it on */
    c->final_softcap = f->t == HF_GEMMA2 || f->t == HF_GEMMA3 ? final_cap : 0;
    if (!head_dim && c->d_model % c->n_heads != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"hidden_size\" %d is not divisible by %d heads "
                         "(\"num_attention_heads\"; or give \"head_dim\")", path, c->d_model, c->n_heads);
    if (c->n_heads % kv != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"num_attention_heads\" %d is not divisible by "
                         "\"num_key_value_heads\" %d", path, c->n_heads, kv);
    c->head_dim = head_dim;
    c->d_head = head_dim ? head_dim : c->d_model / c->n_heads;
    if ((double)c->n_heads * c->d_head > MD)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %d heads of \"head_dim\" %d are more than %d components", path,
                         c->n_heads, c->d_head, MD);
    if (neox && head_dim == 0) c->head_dim = 0; /* GPT-NeoX has no head_dim key */
    info->bias_qkv = f->t == HF_QWEN2 ? 1 : f->t == HF_PHI3 || f->t == HF_MISTRAL ? 0 : bias;
    info->bias_o = f->t == HF_QWEN2 || f->t == HF_PHI3 || f->t == HF_MISTRAL ? 0 : bias;
    info->bias_mlp = f->t == HF_LLAMA && mlp_bias;
    if (read_ropes(info, f, path, j, c, err) || read_windows(info, f, path, j, c->n_layers, err) ||
        build_names(info, f, path, err))
        return -1;
    /* _name_or_path names the model */
    const char *name = cfg_str(path, j, "_name_or_path", "", err);
    if (!name) return -1;
    if (name[0] && !(info->name = strdup(name))) return attn_oom(err, path);
    return hf_read_eos(info, path, dir, j, *vocab_size, f->eos, err);
}

int hf_read_eos(hf_info *info, const char *path, const char *dir, const cJSON *j, int vocab, int dflt,
                attn_error *err)
{
    char gpath[4096];
    json_doc *doc = NULL;
    const cJSON *eos = cJSON_GetObjectItemCaseSensitive(j, "eos_token_id");
    if (io_file_in(dir, "generation_config.json", gpath, sizeof gpath)) {
        cJSON *g = json_load(gpath, &doc, err);
        if (!g) return -1;
        const cJSON *ge = cJSON_IsObject(g) ? cJSON_GetObjectItemCaseSensitive(g, "eos_token_id") : NULL;
        if (ge && !cJSON_IsNull(ge)) {
            int rc = id_list(gpath, ge, "eos_token_id", vocab, info->eos, &info->n_eos, err);
            json_doc_free(doc);
            return rc;
        }
    }
    json_doc_free(doc);
    if (!eos && dflt >= 0 && dflt < vocab) {
        info->eos[0] = dflt;
        info->n_eos = 1;
        return 0;
    }
    return id_list(path, eos, "eos_token_id", vocab, info->eos, &info->n_eos, err);
}

int hf_decoder_finish(hf_info *info, attn_model *m, attn_error *err)
{
    if (info->type < HF_GPT2) return 0;
    memcpy(m->eos, info->eos, sizeof m->eos);
    m->n_eos = info->n_eos;
    if (info->type == HF_GPT2) return 0;
    m->window = info->window;
    m->local_rope = info->local_rope;
    m->rope_factors = info->rope_factors;
    info->window = NULL;
    info->local_rope = NULL;
    info->rope_factors = NULL;
    int any_local = 0, any_window = 0;
    for (int l = 0; l < m->cfg.n_layers; l++) any_local |= m->local_rope[l], any_window |= m->window[l] > 0;
    if (!any_local) {
        free(m->local_rope);
        m->local_rope = NULL;
    }
    if (!any_window) {
        free(m->window);
        m->window = NULL;
    }
    size_t nt = strlen(info->model_type);
    if (!(m->model_type = malloc(nt + 1))) return attn_oom(err, "model");
    memcpy(m->model_type, info->model_type, nt + 1);
    m->name = info->name; /* the model owns it now */
    info->name = NULL;
    return 0;
}

void hf_info_free(hf_info *info)
{
    free(info->window);
    free(info->local_rope);
    free(info->rope_factors);
    free(info->name);
    info->name = NULL;
    info->window = NULL;
    info->local_rope = NULL;
    info->rope_factors = NULL;
}
