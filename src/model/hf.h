/* hf.h — internals of the Hugging Face model loader (hf.c, hf_config.c);
 * the public entry point is model_load_hf() in model.h.
 *
 * Ownership: hf_load_tokenizer() returns a tokenizer the caller frees with
 * tokenizer_free(). Functions return 0 / non-NULL, or -1 / NULL with err
 * filled (ATTN_EXIT_INPUT naming the file for invalid or missing files).
 */
#ifndef ATTN_HF_H
#define ATTN_HF_H

#include <stddef.h>

#include "base/error.h"
#include "base/jsonutil.h"
#include "model/model.h"
#include "model/safetensors.h"
#include "text/subword.h"

typedef enum {
    HF_BERT = 0, HF_ROBERTA, HF_DISTILBERT, HF_GPT2,
    /* the decoder families (hf_decoder.c) */
    HF_LLAMA, HF_MISTRAL, HF_QWEN2, HF_QWEN3, HF_GEMMA, HF_GEMMA2, HF_GEMMA3, HF_PHI3, HF_NEOX, HF_OLMO2,
    HF_SEQ2SEQ /* the encoder-decoders (hf_seq2seq.c) */
} hf_type;

/* How a checkpoint's tensor is stored (hf.c's add_views):
 *   AS_IS    torch.nn.Linear [out, in] or a vector: a view of the file's bytes;
 *   CONV1D   GPT-2's Conv1D [in, out]: a transposed view (in_out);
 *   QKV      GPT-2's fused c_attn [d, 3d] (bias [3d]): three views q, k, v
 *            into the same bytes, rows 3d floats apart;
 *   GATE_UP  Phi-3's gate_up_proj [2 d_ff, d]: views ffn.gate (the first
 *            d_ff rows) and ffn.up (the rest). */
typedef enum { AS_IS, CONV1D, QKV, GATE_UP } hf_layout;
/* The dimensions of a stored shape: none, d_model, d_ff, 3 d_model, the
 * vocabulary, the positions, the token types, n_heads·d_head (Q),
 * n_kv_heads·d_head (K), Q + 2 K, 2 d_ff, d_head. */
typedef enum { X_NONE = 0, X_D, X_F, X_3D, X_V, X_P, X_T, X_Q, X_K, X_QKV, X_F2, X_H } hf_dim;
/* When an entry is in the checkpoint: always, or as config.json says. */
typedef enum { W_ALWAYS = 0, W_BIAS_QKV, W_BIAS_O, W_BIAS_MLP } hf_when;

typedef struct {
    const char *hf;      /* name after the prefix (layer tensors: after "<layers>.<i>.") */
    const char *ours;    /* attnviz's name (layer tensors: after "layers.<i>.") */
    hf_dim rows, cols;   /* stored shape */
    hf_layout how;
    hf_when when;
} hf_name_map;

/* Per architecture: the task models' prefix, the base model's top-level
 * names (anything else is a head and ignored), where the layers are, layer
 * tensors that are buffers, not weights, and the language-model head's full
 * name (read for --generate; NULL: none). */
typedef struct {
    const char *prefix;
    const char *const *spaces;
    const char *layers;       /* "encoder.layer." */
    const hf_name_map *global, *layer;
    const char *const *buffers;
    const char *lm_head;
} hf_arch_names;

/* What config.json says besides attn_config, for the loader (hf.c) to
 * check tensors against and to hand to the model (hf_decoder_finish()). */
typedef struct {
    hf_type type;
    char tokenizer_file[4096]; /* the file the tokenizer came from, for messages */
    int bias_qkv, bias_o, bias_mlp; /* which optional biases the checkpoint has */
    int *window;               /* [n_layers] sliding windows, or NULL; owned */
    unsigned char *local_rope; /* [n_layers], or NULL; owned */
    float *rope_factors;       /* longrope's [dim/2] short then long factors, or NULL; owned */
    int eos[16], n_eos;        /* end-of-sequence ids */
    char *name;                /* _name_or_path, whole, or NULL; owned */
    char model_type[32];
    hf_name_map layer_names[48]; /* a decoder family's layer tensors (hf_decoder.c) */
    hf_arch_names names;       /* its names (global tables are static) */
} hf_info;

/* config.json's keys, as transformers' config classes read them: absent
 * (or null) gives dflt; a wrong type or a value out of range fails naming
 * the file and the key. cfg_double takes (0, 1], cfg_number [lo, hi]. */
int cfg_int(const char *path, const cJSON *c, const char *key, long lo, long hi, long dflt, int *out,
            attn_error *err);
int cfg_double(const char *path, const cJSON *c, const char *key, double dflt, double *out, attn_error *err);
int cfg_number(const char *path, const cJSON *c, const char *key, double lo, double hi, double dflt, double *out,
               attn_error *err);
const char *cfg_str(const char *path, const cJSON *c, const char *key, const char *dflt, attn_error *err);
int cfg_bool(const char *path, const cJSON *c, const char *key, int dflt, int *out, attn_error *err);
/* A hidden_act-style name (gelu, gelu_new, gelu_pytorch_tanh, relu, silu). */
int activation(const char *path, const char *key, const char *name, attn_act *out, attn_error *err);

/* ---- the decoder families (hf_decoder.c) ---- */

#define HF_DECODER_TYPES "llama, mistral, qwen2, qwen3, gemma, gemma2, gemma3_text, phi3, gpt_neox, olmo2"
/* 1 and *t set when model_type is one of HF_DECODER_TYPES. */
int hf_decoder_type(const char *model_type, hf_type *t);
/* Reads the family's config.json (j, at path; dir for generation_config.json)
 * into c, *vocab_size and info (info->names: its tensor names). */
int hf_decoder_config(hf_info *info, const char *path, const char *dir, const cJSON *j, attn_config *c,
                      int *vocab_size, attn_error *err);
/* The end-of-sequence ids of --generate into info: generation_config.json's
 * eos_token_id (an id or a list), else config.json's (j, at path), else
 * dflt (when >= 0); each must be below vocab. */
int hf_read_eos(hf_info *info, const char *path, const char *dir, const cJSON *j, int vocab, int dflt,
                attn_error *err);
/* Moves info's windows, rotary factors, end-of-sequence ids and names into
 * m (after model_bind; GPT-2: its end-of-sequence ids). */
int hf_decoder_finish(hf_info *info, attn_model *m, attn_error *err);
void hf_info_free(hf_info *info);

/* The weights of path (a .safetensors or index file), or in dir
 * model.safetensors, else model.safetensors.index.json (hf.c). */
st_set *hf_open_weights(const char *path, const char *dir, int is_dir, attn_error *err);

/* ---- the encoder-decoders (hf_seq2seq.c) ---- */

#define HF_SEQ2SEQ_TYPES "bart, mbart, marian, t5, mt5"
/* 1 when dir/config.json names one of HF_SEQ2SEQ_TYPES (hf_seq2seq_config.c). */
int hf_seq2seq_dir(const char *dir);
/* What config.json says of an encoder-decoder besides m->s2s, for the loader. */
typedef struct {
    const char *path;
    int vocab, d, kv, enc_layers, dec_layers, enc_heads, dec_heads, enc_ffn, dec_ffn, max_pos;
    int tie, share, scale_emb, bare;
    attn_act act;
    int glu;
    double eps;
    int pad, bos, eos, start;
} hf_s2s_conf;
/* Reads config.json (j, at k->path) and dir's generation_config.json into
 * m->s2s (family and type set), m->eos and k (hf_seq2seq_config.c). */
int hf_seq2seq_config(attn_model *m, hf_s2s_conf *k, const char *dir, const cJSON *j, attn_error *err);
/* The model of such a directory (path as model_load_hf() got it; hf_seq2seq.c). */
attn_model *hf_load_seq2seq(const char *path, const char *dir, int is_dir, attn_error *err);

/* Reads dir/config.json into c (architecture, sizes, layer norm, positions)
 * and the embedding rows into *vocab_size. */
int hf_read_config(hf_info *info, const char *dir, attn_config *c, int *vocab_size, attn_error *err);

/* The model's tokenizer from dir (hf_tokenizer.c): tokenizer.json when
 * present, else vocab.txt (WordPiece; tokenizer_config.json's
 * do_lower_case, default true) or vocab.json + merges.txt (or encoder.json
 * + vocab.bpe; byte-level BPE), whatever the architecture, with the
 * model's special tokens around the text. */
attn_tokenizer *hf_load_tokenizer(hf_info *info, const char *dir, attn_error *err);

#endif
