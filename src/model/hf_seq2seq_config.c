/* hf_seq2seq_config.c — an encoder-decoder directory's config.json and
 * generation_config.json, as transformers' BartConfig, MBartConfig,
 * MarianConfig, T5Config, MT5Config and GenerationConfig read them (absent
 * keys take the class's default), for hf_seq2seq.c; the stacks' configs
 * for the blocks of compute/stack_impl.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/jsonutil.h"
#include "model/hf.h"

static const char *const s2s_types[] = {"bart", "mbart", "marian", "t5", "mt5", NULL};

int hf_seq2seq_dir(const char *dir)
{
    char path[4096];
    json_doc *doc = NULL;
    attn_error e;
    int yes = 0;
    if (!io_file_in(dir, "config.json", path, sizeof path)) return 0;
    cJSON *j = json_load(path, &doc, &e);
    const cJSON *t = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "model_type") : NULL;
    for (int i = 0; cJSON_IsString(t) && s2s_types[i]; i++) yes |= strcmp(t->valuestring, s2s_types[i]) == 0;
    json_doc_free(doc);
    return yes;
}




/* An id key of config.json or generation_config.json: -1 when absent or
 * null; below vocab otherwise. */
static int id_key(const char *path, const cJSON *j, const char *key, int vocab, int *out, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!v || cJSON_IsNull(v)) return 0;
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) >= 1) v = v->child; /* eos_token_id lists: the first */
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 || v->valuedouble >= vocab)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" must be a token id below vocab_size %d", path, key, vocab);
    *out = (int)v->valuedouble;
    return 0;
}

static int read_conf(attn_s2s *s, hf_s2s_conf *k, const cJSON *j, attn_error *err)
{
    const char *p = k->path;
    const long MD = ATTN_MAX_DIM, ML = ATTN_MAX_LAYERS, MH = ATTN_MAX_HEADS, MV = ATTN_MAX_VOCAB;
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(j, "architectures");
    const cJSON *a0 = cJSON_IsArray(arch) ? arch->child : NULL;
    if (cfg_int(p, j, "min_length", 0, 1 << 20, 0, &s->min_length, err) ||
        cfg_int(p, j, "no_repeat_ngram_size", 0, 1 << 20, 0, &s->no_repeat, err))
        return -1;
    k->bare = cJSON_IsString(a0) && strstr(a0->valuestring, "ForConditionalGeneration") == NULL &&
              strstr(a0->valuestring, "MTModel") == NULL;
    if (s->family == S2S_T5) {
        const int mt5 = strcmp(s->type, "mt5") == 0;
        const char *ff;
        if (cfg_int(p, j, "vocab_size", 1, MV, mt5 ? 250112 : 32128, &k->vocab, err) ||
            cfg_int(p, j, "d_model", 1, MD, 512, &k->d, err) || cfg_int(p, j, "d_kv", 1, MD, 64, &k->kv, err) ||
            cfg_int(p, j, "d_ff", 1, 1L << 20, mt5 ? 1024 : 2048, &k->enc_ffn, err) ||
            cfg_int(p, j, "num_layers", 1, ML, mt5 ? 8 : 6, &k->enc_layers, err) ||
            cfg_int(p, j, "num_decoder_layers", 1, ML, k->enc_layers, &k->dec_layers, err) ||
            cfg_int(p, j, "num_heads", 1, MH, mt5 ? 6 : 8, &k->enc_heads, err) ||
            cfg_int(p, j, "relative_attention_num_buckets", 2, 1 << 16, 32, &s->buckets, err) ||
            cfg_int(p, j, "relative_attention_max_distance", 2, 1 << 24, 128, &s->max_distance, err) ||
            cfg_number(p, j, "layer_norm_epsilon", 0, 1, 1e-6, &k->eps, err) ||
            cfg_bool(p, j, "tie_word_embeddings", !mt5, &k->tie, err) ||
            !(ff = cfg_str(p, j, "feed_forward_proj", mt5 ? "gated-gelu" : "relu", err)))
            return -1;
        k->dec_heads = k->enc_heads;
        k->dec_ffn = k->enc_ffn;
        k->glu = strncmp(ff, "gated-", 6) == 0;
        const char *act = k->glu ? ff + 6 : ff;
        if (strcmp(act, "gelu") == 0) act = "gelu_new"; /* T5Config: "gated-gelu" means gelu_new */
        if (activation(p, "feed_forward_proj", act, &k->act, err)) return -1;
        if (s->buckets < 4)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"relative_attention_num_buckets\" must be at least 4", p);
        /* the decoder's buckets past the first half grow with log(distance / (buckets / 2)) /
         * log(max_distance / (buckets / 2)): a divisor of 0 or less (transformers then indexes its table
         * with garbage) */
        if (s->max_distance <= s->buckets / 2)
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "%s: \"relative_attention_max_distance\" %d must be greater than half of "
                             "\"relative_attention_num_buckets\" %d", p, s->max_distance, s->buckets);
        k->pad = 0, k->eos = 1, k->start = 0, k->bos = -1;
        s->forced_bos = s->forced_eos = -1;
        return id_key(p, j, "pad_token_id", k->vocab, &k->pad, err) ||
               id_key(p, j, "eos_token_id", k->vocab, &k->eos, err) ||
               id_key(p, j, "decoder_start_token_id", k->vocab, &k->start, err);
    }
    const int marian = s->family == S2S_MARIAN;
    const char *act;
    int dec_vocab;
    if (cfg_int(p, j, "vocab_size", 1, MV, marian ? 58101 : 50265, &k->vocab, err) ||
        cfg_int(p, j, "d_model", 1, MD, 1024, &k->d, err) ||
        cfg_int(p, j, "encoder_layers", 1, ML, 12, &k->enc_layers, err) ||
        cfg_int(p, j, "decoder_layers", 1, ML, 12, &k->dec_layers, err) ||
        cfg_int(p, j, "encoder_attention_heads", 1, MH, 16, &k->enc_heads, err) ||
        cfg_int(p, j, "decoder_attention_heads", 1, MH, 16, &k->dec_heads, err) ||
        cfg_int(p, j, "encoder_ffn_dim", 1, 1L << 20, 4096, &k->enc_ffn, err) ||
        cfg_int(p, j, "decoder_ffn_dim", 1, 1L << 20, 4096, &k->dec_ffn, err) ||
        cfg_int(p, j, "max_position_embeddings", 1, ATTN_MAX_POS, 1024, &k->max_pos, err) ||
        cfg_bool(p, j, "scale_embedding", 0, &k->scale_emb, err) ||
        cfg_bool(p, j, "tie_word_embeddings", 1, &k->tie, err) ||
        cfg_bool(p, j, "share_encoder_decoder_embeddings", 1, &k->share, err) ||
        !(act = cfg_str(p, j, "activation_function", "gelu", err)) ||
        activation(p, "activation_function", act, &k->act, err) ||
        cfg_int(p, j, "decoder_vocab_size", 1, MV, k->vocab, &dec_vocab, err))
        return -1;
    if (!marian) k->share = 1;
    if (dec_vocab != k->vocab)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"decoder_vocab_size\" %d differs from \"vocab_size\" %d (not "
                         "supported)", p, dec_vocab, k->vocab);
    if (k->d % k->enc_heads || k->d % k->dec_heads)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: d_model %d is not a multiple of the attention heads (%d, %d)", p,
                         k->d, k->enc_heads, k->dec_heads);
    k->eps = 1e-5;
    k->pad = marian ? 58100 : 1, k->bos = marian ? -1 : 0, k->eos = marian ? 0 : 2, k->start = -1;
    s->forced_bos = s->forced_eos = -1;
    if (id_key(p, j, "pad_token_id", k->vocab, &k->pad, err) || id_key(p, j, "bos_token_id", k->vocab, &k->bos, err) ||
        id_key(p, j, "eos_token_id", k->vocab, &k->eos, err) ||
        id_key(p, j, "decoder_start_token_id", k->vocab, &k->start, err) ||
        id_key(p, j, "forced_eos_token_id", k->vocab, &s->forced_eos, err) ||
        id_key(p, j, "forced_bos_token_id", k->vocab, &s->forced_bos, err))
        return -1;
    if (marian) { /* MarianConfig's bad_words_ids of real files: [[pad]] */
        const cJSON *bw = cJSON_GetObjectItemCaseSensitive(j, "bad_words_ids");
        if (cJSON_IsArray(bw) && cJSON_IsArray(bw->child) && cJSON_GetArraySize(bw->child) == 1 &&
            cJSON_IsNumber(bw->child->child) && bw->child->child->valuedouble >= 0 &&
            bw->child->child->valuedouble < k->vocab)
            s->bad_ids[s->n_bad++] = (int)bw->child->child->valuedouble;
    }
    return 0;
}

/* generation_config.json wins over config.json for what generate() reads. */
static int read_generation(attn_model *m, attn_s2s *s, hf_s2s_conf *k, const char *dir, attn_error *err)
{
    char gp[4096];
    json_doc *doc = NULL;
    int rc = 0;
    if (io_file_in(dir, "generation_config.json", gp, sizeof gp)) {
        cJSON *g = json_load(gp, &doc, err);
        if (!g) return -1;
        if (!cJSON_IsObject(g)) {
            rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: not a JSON object", gp);
        } else {
            const cJSON *eos = cJSON_GetObjectItemCaseSensitive(g, "eos_token_id");
            if (cJSON_IsArray(eos)) {
                m->n_eos = 0;
                for (const cJSON *e = eos->child; e && m->n_eos < 16; e = e->next) {
                    if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble >= k->vocab) {
                        rc = attn_fail(err, ATTN_EXIT_INPUT, "%s: \"eos_token_id\" must be token ids below "
                                       "vocab_size %d", gp, k->vocab);
                        break;
                    }
                    m->eos[m->n_eos++] = (int)e->valuedouble;
                }
            } else if (rc == 0 && eos && !cJSON_IsNull(eos)) {
                rc = id_key(gp, g, "eos_token_id", k->vocab, &k->eos, err);
                m->eos[0] = k->eos, m->n_eos = 1;
            }
            if (rc == 0)
                rc = id_key(gp, g, "decoder_start_token_id", k->vocab, &k->start, err) ||
                     id_key(gp, g, "bos_token_id", k->vocab, &k->bos, err) ||
                     id_key(gp, g, "forced_eos_token_id", k->vocab, &s->forced_eos, err) ||
                     id_key(gp, g, "forced_bos_token_id", k->vocab, &s->forced_bos, err) ||
                     cfg_int(gp, g, "min_length", 0, 1 << 20, s->min_length, &s->min_length, err) ||
                     cfg_int(gp, g, "no_repeat_ngram_size", 0, 1 << 20, s->no_repeat, &s->no_repeat, err);
            const cJSON *bw = cJSON_GetObjectItemCaseSensitive(g, "bad_words_ids");
            if (rc == 0 && cJSON_IsArray(bw)) {
                s->n_bad = 0;
                for (const cJSON *w = bw->child; w && s->n_bad < 16; w = w->next)
                    if (cJSON_IsArray(w) && cJSON_GetArraySize(w) == 1 && cJSON_IsNumber(w->child) &&
                        w->child->valuedouble >= 0 && w->child->valuedouble < k->vocab)
                        s->bad_ids[s->n_bad++] = (int)w->child->valuedouble;
            }
        }
    }
    json_doc_free(doc);
    if (rc) return -1;
    if (m->n_eos == 0) m->eos[0] = k->eos, m->n_eos = 1;
    s->start_id = k->start >= 0 ? k->start : k->bos >= 0 ? k->bos : k->eos; /* generate()'s fallback: bos */
    return 0;
}

/* The stacks' configs, for the blocks of compute/stack_impl.h. */
static void stack_configs(attn_s2s *s, const hf_s2s_conf *k)
{
    const int t5 = s->family == S2S_T5;
    attn_config c = {.d_model = k->d, .projections = 1, .arch = ARCH_SEQ2SEQ, .act = k->act, .glu = k->glu,
                     .ln_eps = k->eps, .positional = POS_NONE, .norm = t5 ? NORM_RMSNORM : NORM_LAYERNORM,
                     .score = t5 ? SCORE_DOT : SCORE_SCALED_DOT};
    s->enc.cfg = s->dec.cfg = c;
    s->enc.cfg.n_layers = k->enc_layers, s->enc.cfg.n_heads = s->enc.cfg.n_kv_heads = k->enc_heads;
    s->dec.cfg.n_layers = k->dec_layers, s->dec.cfg.n_heads = s->dec.cfg.n_kv_heads = k->dec_heads;
    s->enc.cfg.d_ff = k->enc_ffn, s->dec.cfg.d_ff = k->dec_ffn;
    s->enc.cfg.d_head = t5 ? k->kv : k->d / k->enc_heads;
    s->dec.cfg.d_head = t5 ? k->kv : k->d / k->dec_heads;
    s->dec.cfg.causal = 1;
}

int hf_seq2seq_config(attn_model *m, hf_s2s_conf *k, const char *dir, const cJSON *j, attn_error *err)
{
    attn_s2s *s = m->s2s;
    if (read_conf(s, k, j, err) || read_generation(m, s, k, dir, err)) return -1;
    stack_configs(s, k);
    return 0;
}
