/* hf_config.c — a Hugging Face model directory's config.json, for
 * model_load_hf() (hf.c); its tokenizer is hf_tokenizer.c's.
 *
 * config.json is read as transformers' config classes read it: a key that
 * is absent takes the class's default (BertConfig: hidden_size 768 …), so a
 * minimal config works, and the tensors' shapes are then checked against
 * the result. Keys attnviz cannot honour (relative position embeddings,
 * GPT-2's scale_attn_by_inverse_layer_idx) are errors, not silently wrong
 * attention.
 */
#include "model/hf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/jsonutil.h"
#include "text/subword.h"

int hf_read_config(hf_info *info, const char *dir, attn_config *c, int *vocab_size, attn_error *err)
{
    char path[4096];
    if (!io_file_in(dir, "config.json", path, sizeof path))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: no config.json (a Hugging Face model directory has "
                                               "config.json, model.safetensors and the tokenizer's files)", dir);
    json_doc *doc;
    cJSON *j = json_load(path, &doc, err);
    if (!j) return -1;
    int rc = -1;
    const char *type;
    if (!cJSON_IsObject(j)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: not a JSON object", path);
        goto done;
    }
    if (!(type = cfg_str(path, j, "model_type", NULL, err))) {
        if (!cJSON_GetObjectItemCaseSensitive(j, "model_type"))
            attn_fail(err, ATTN_EXIT_INPUT, "%s: no \"model_type\"", path);
        goto done;
    }
    static const char *const types[] = {"bert", "roberta", "distilbert", "gpt2"};
    int t = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(type, types[i]) == 0) t = i;
    info->type = (hf_type)(t < 0 ? 0 : t);
    if (t < 0 && hf_decoder_type(type, &info->type)) { /* the decoder families: hf_decoder.c */
        rc = hf_decoder_config(info, path, dir, j, c, vocab_size, err);
        goto done;
    }
    if (t < 0) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: model_type \"%.64s\" is not supported (attnviz reads bert, roberta, "
                  "distilbert, gpt2, %s, %s)", path, type, HF_DECODER_TYPES, HF_SEQ2SEQ_TYPES);
        goto done;
    }
    *c = (attn_config){.positional = POS_LEARNED, .projections = 1, .score = SCORE_SCALED_DOT};
    const long MD = ATTN_MAX_DIM, MV = ATTN_MAX_VOCAB;
    if (info->type == HF_GPT2) {
        int inner, scale = 1, by_layer = 0, n_ctx;
        c->arch = ARCH_GPT2;
        c->layer_norm = LN_PRE;
        c->causal = 1;
        if (cfg_int(path, j, "n_embd", 1, MD, 768, &c->d_model, err) ||
            cfg_int(path, j, "n_layer", 1, ATTN_MAX_LAYERS, 12, &c->n_layers, err) ||
            cfg_int(path, j, "n_head", 1, ATTN_MAX_HEADS, 12, &c->n_heads, err) ||
            cfg_int(path, j, "n_ctx", 1, ATTN_MAX_POS, 1024, &n_ctx, err) ||
            cfg_int(path, j, "n_positions", 1, ATTN_MAX_POS, n_ctx, &c->max_positions, err) ||
            cfg_int(path, j, "n_inner", 1, 4 * MD, 0, &inner, err) ||
            cfg_int(path, j, "vocab_size", 1, MV, 50257, vocab_size, err) ||
            cfg_double(path, j, "layer_norm_epsilon", 1e-5, &c->ln_eps, err) ||
            activation(path, "activation_function", cfg_str(path, j, "activation_function", "gelu_new", err),
                       &c->act, err) ||
            cfg_bool(path, j, "scale_attn_weights", 1, &scale, err) ||
            cfg_bool(path, j, "scale_attn_by_inverse_layer_idx", 0, &by_layer, err))
            goto done;
        c->d_ff = inner ? inner : 4 * c->d_model;
        if (!scale) c->score = SCORE_DOT;
        if (hf_read_eos(info, path, dir, j, *vocab_size, 50256, err)) goto done;
        if (by_layer) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: \"scale_attn_by_inverse_layer_idx\": true is not supported", path);
            goto done;
        }
    } else if (info->type == HF_DISTILBERT) {
        int sinus;
        c->arch = ARCH_BERT;
        c->layer_norm = LN_POST;
        c->ln_eps = 1e-12;
        if (cfg_int(path, j, "dim", 1, MD, 768, &c->d_model, err) ||
            cfg_int(path, j, "n_layers", 1, ATTN_MAX_LAYERS, 6, &c->n_layers, err) ||
            cfg_int(path, j, "n_heads", 1, ATTN_MAX_HEADS, 12, &c->n_heads, err) ||
            cfg_int(path, j, "hidden_dim", 1, 4 * MD, 3072, &c->d_ff, err) ||
            cfg_int(path, j, "max_position_embeddings", 1, ATTN_MAX_POS, 512, &c->max_positions, err) ||
            cfg_int(path, j, "vocab_size", 1, MV, 30522, vocab_size, err) ||
            cfg_bool(path, j, "sinusoidal_pos_embds", 0, &sinus, err) || /* stored as weights either way */
            activation(path, "activation", cfg_str(path, j, "activation", "gelu", err), &c->act, err))
            goto done;
    } else { /* bert, roberta */
        const int roberta = info->type == HF_ROBERTA;
        int pad;
        c->arch = ARCH_BERT;
        c->layer_norm = LN_POST;
        const char *pos;
        if (cfg_int(path, j, "hidden_size", 1, MD, 768, &c->d_model, err) ||
            cfg_int(path, j, "num_hidden_layers", 1, ATTN_MAX_LAYERS, 12, &c->n_layers, err) ||
            cfg_int(path, j, "num_attention_heads", 1, ATTN_MAX_HEADS, 12, &c->n_heads, err) ||
            cfg_int(path, j, "intermediate_size", 1, 4 * MD, 3072, &c->d_ff, err) ||
            cfg_int(path, j, "max_position_embeddings", 1, ATTN_MAX_POS, 512, &c->max_positions, err) ||
            cfg_int(path, j, "type_vocab_size", 0, MV, roberta ? 1 : 2, &c->type_vocab, err) ||
            cfg_int(path, j, "vocab_size", 1, MV, roberta ? 50265 : 30522, vocab_size, err) ||
            cfg_int(path, j, "pad_token_id", 0, MV, roberta ? 1 : 0, &pad, err) ||
            cfg_double(path, j, "layer_norm_eps", 1e-12, &c->ln_eps, err) ||
            activation(path, "hidden_act", cfg_str(path, j, "hidden_act", "gelu", err), &c->act, err) ||
            !(pos = cfg_str(path, j, "position_embedding_type", "absolute", err)))
            goto done;
        if (strcmp(pos, "absolute") != 0) {
            attn_fail(err, ATTN_EXIT_INPUT,
                      "%s: \"position_embedding_type\": \"%.32s\" is not supported (only \"absolute\")", path, pos);
            goto done;
        }
        /* RoBERTa numbers positions from padding_idx + 1 */
        c->pos_offset = roberta ? pad + 1 : 0;
        if (c->pos_offset >= c->max_positions) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: pad_token_id %d leaves no positions of %d", path, pad,
                      c->max_positions);
            goto done;
        }
    }
    if (c->d_model % c->n_heads != 0) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: hidden size %d is not divisible by %d heads", path, c->d_model,
                  c->n_heads);
        goto done;
    }
    c->d_head = c->d_model / c->n_heads;
    rc = 0;
done:
    json_doc_free(doc);
    return rc;
}
