/* model.h — a model: config, tokenizer and named tensors.
 *
 * One struct whatever the container: model_seeded() generates it from a seed,
 * model_load_json() (model_json.c) reads a version-1 JSON weight file, and
 * model_load_hf() (hf.c) a Hugging Face model directory or .safetensors
 * file. Tensors are stored by attnviz's names ("layers.0.attn.q.weight",
 * logical shape [out, in], y = x·Wᵀ + b as in torch.nn.Linear), whatever
 * the container called them; after loading, model_bind() resolves the
 * per-layer pointers in m->layers[] so the forward pass does no name
 * look-ups. A missing bias is bound to NULL (treated as zero).
 *
 * A tensor either owns its data (malloc'd floats, row-major) or is a view
 * into memory the model keeps alive otherwise (a mapped .safetensors file):
 * a view may store a matrix transposed ([in, out], GPT-2's Conv1D) and with
 * a row stride (ld) wider than its rows (q, k and v read in place from
 * GPT-2's fused c_attn). tensor_at() reads any element.
 *
 * Ownership: the model owns every tensor, name, vocabulary string, its
 * tokenizer and its mapped files; model_free() releases all of it.
 * Functions return 0 / non-NULL on success, or -1 / NULL with err filled
 * (ATTN_EXIT_INPUT for invalid files or configurations, ATTN_EXIT_RUNTIME
 * for I/O and memory).
 */
#ifndef ATTN_MODEL_H
#define ATTN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "model/half.h"

#define ATTN_MAX_DIM      65536     /* d_model upper bound */
#define ATTN_MAX_HEADS    1024
#define ATTN_MAX_LAYERS   1024
#define ATTN_MAX_VOCAB    10000000
#define ATTN_MAX_POS      1000000
#define ATTN_MAX_ELEMENTS (1ull << 31) /* per tensor */

typedef enum { SCORE_SCALED_DOT = 0, SCORE_DOT, SCORE_ADDITIVE } attn_score_fn;
/* rope: rotary position embeddings on Q and K (attn_rope below); the
 * embeddings carry no position */
typedef enum { POS_SINUSOIDAL = 0, POS_LEARNED, POS_NONE, POS_ROPE } attn_positional;
typedef enum { LN_NONE = 0, LN_PRE, LN_POST } attn_layer_norm;
/* How a layer wires its blocks (compute/models/): attention: attention-only
 * layers; bert: post-LN encoder layers with a feed-forward block and an
 * embedding layer norm; gpt2: pre-LN decoder layers with a feed-forward block
 * (and a final layer norm); llama: pre-norm decoder layers (Llama, Mistral,
 * Qwen2/3, Phi-3, Gemma); gemma2: pre- and post-norm ("sandwich") layers
 * (Gemma 2 and 3); neox: GPT-NeoX (Pythia), with the parallel residual;
 * olmo2: post-norm layers (OLMo 2). */
typedef enum {
    ARCH_ATTENTION = 0, ARCH_BERT, ARCH_GPT2, ARCH_LLAMA, ARCH_GEMMA2, ARCH_NEOX, ARCH_OLMO2,
    ARCH_SEQ2SEQ /* an encoder-decoder (m->s2s: BART, mBART, Marian, T5) */
} attn_arch;
/* gelu: x·Φ(x) with erf (BERT's "gelu"); gelu_tanh: the tanh approximation
 * (GPT-2's "gelu_new", "gelu_pytorch_tanh"); relu; silu: x·σ(x). */
typedef enum { ACT_GELU = 0, ACT_GELU_TANH, ACT_RELU, ACT_SILU } attn_act;
/* The norm of the decoder families: LayerNorm (weight and bias) or RMSNorm
 * (x / rms(x) · (norm_offset + w); Gemma's offset is 1). */
typedef enum { NORM_LAYERNORM = 0, NORM_RMSNORM } attn_norm_kind;
/* q/k norm: none; per head over d_head (Qwen3, Gemma 3); over all heads
 * (OLMo 2: over n_heads·d_head for q, n_kv_heads·d_head for k). */
typedef enum { QK_NORM_NONE = 0, QK_NORM_HEAD, QK_NORM_ALL } attn_qk_norm;

/* Rotary position embeddings as Hugging Face's modeling_rope_utils.py
 * computes their inverse frequencies (rope_type default, linear, dynamic,
 * yarn, llama3, longrope), applied with rotate_half to the first dim
 * components of every query and key head (partial rotary: dim < d_head). */
typedef enum {
    ROPE_DEFAULT = 0, ROPE_LINEAR, ROPE_DYNAMIC, ROPE_YARN, ROPE_LLAMA3, ROPE_LONGROPE
} attn_rope_kind;
typedef struct {
    attn_rope_kind kind;
    double theta;            /* rope_theta (base) */
    int dim;                 /* rotated components of a head: even, 2 .. d_head */
    double factor;           /* linear, dynamic, yarn, llama3 */
    double attention_factor; /* cos and sin are multiplied by it (yarn, longrope; else 1) */
    double low_freq_factor, high_freq_factor; /* llama3 */
    double beta_fast, beta_slow; /* yarn */
    int truncate;            /* yarn: correction range rounded outwards */
    int original_max;        /* original_max_position_embeddings (llama3, yarn, longrope) */
    int max_pos;             /* max_position_embeddings (dynamic, longrope) */
    const float *short_factor, *long_factor; /* longrope: [dim / 2] each, owned by the model */
} attn_rope;

typedef struct {
    int d_model;             /* width of the residual stream */
    int n_heads;             /* d_model % n_heads == 0 */
    int n_layers;            /* >= 1 */
    int d_head;              /* head_dim, or d_model / n_heads (derived) */
    attn_score_fn score;
    int causal;              /* 1: key j > query i is masked */
    attn_positional positional;
    int max_positions;       /* rows of embeddings.position when learned */
    int projections;         /* 1: Q/K/V/O projections; 0: plain, Q = K = V = x */
    attn_layer_norm layer_norm; /* none; pre: x + Attn(LN(x)); post: LN(x + Attn(x)) */
    attn_arch arch;
    int d_ff;                /* feed-forward width (bert, gpt2); 0 without one */
    attn_act act;            /* feed-forward activation */
    double ln_eps;           /* layer norm epsilon (default 1e-5; BERT 1e-12) */
    int type_vocab;          /* rows of embeddings.token_type (bert; 0: none) */
    int pos_offset;          /* position of token 0 in the learned table
                                (RoBERTa: padding_idx + 1 = 2) */

    /* decoder language models (arch llama, gemma2, neox, olmo2; gpt2 leaves
     * them 0 except tied): */
    int n_kv_heads;          /* key/value heads (GQA, MQA), n_heads % n_kv_heads == 0;
                                0: n_heads */
    int head_dim;            /* d_head when it is not d_model / n_heads (0: derived) */
    attn_norm_kind norm;
    float norm_offset;       /* RMSNorm gain = norm_offset + w */
    int glu;                 /* MLP down(act(gate(x)) ⊙ up(x)) instead of down(act(up(x))) */
    int parallel_residual;   /* neox: x + attn(ln(x)) + mlp(ln2(x)) */
    double attn_scale;       /* scores = q·k · attn_scale (0: 1/√d_head) */
    double attn_softcap;     /* scores ← cap·tanh(scores/cap) (0: none) */
    double final_softcap;    /* the same on the logits (generation) */
    double emb_scale;        /* token embeddings are multiplied by it (0: 1) */
    attn_qk_norm qk_norm;
    int tied;                /* the language-model head is embeddings.token */
    attn_rope rope;          /* positional == POS_ROPE */
    attn_rope rope_local;    /* sliding-window layers with local_rope (Gemma 3) */
} attn_config;

typedef struct {
    char *name;
    int ndim;                /* 1 or 2 */
    int shape[2];            /* logical: [out, in] for a weight */
    float *data;             /* owned: [shape[0]] or [shape[0], shape[1]], row-major */
    int owned;               /* 1: data is malloc'd and freed with the model */
    int ld;                  /* row stride of the storage, in floats */
    int in_out;              /* 1: stored transposed, [shape[1]] rows of ld floats */
    int half;                /* 0: floats; HALF_F16 or HALF_BF16 (half.h): data
                                holds 16-bit values, row-major (embeddings.token
                                of a 16-bit checkpoint: only the rows a sentence
                                uses are converted) */
} attn_tensor;

/* Element (r, c) of a tensor's logical shape (c = 0 for 1-d). */
static inline float tensor_at(const attn_tensor *t, int r, int c)
{
    if (t->half) {
        float v;
        half_to_float(&v, (const uint16_t *)(const void *)t->data + (size_t)r * (size_t)t->ld + (size_t)c, 1,
                      (half_kind)t->half);
        return v;
    }
    return t->in_out ? t->data[(size_t)c * (size_t)t->ld + (size_t)r]
                     : t->data[(size_t)r * (size_t)t->ld + (size_t)c];
}

/* A linear layer as stored: y = x·Wᵀ + b, W logically [out, in]. */
typedef struct {
    const float *w;          /* NULL: absent */
    const float *b;          /* [out] or NULL (zero) */
    int ld;                  /* row stride of w's storage, in floats */
    int in_out;              /* 0: stored [out, in] (torch.nn.Linear); 1: [in,
                                out] (GPT-2's Conv1D) */
    int half;                /* 0: floats; HALF_F16 or HALF_BF16: w holds 16-bit
                                values (ld counts them), converted as used */
} attn_linear;

/* Resolved pointers for one layer; biases may be NULL. */
typedef struct {
    attn_linear q, k, v, o;           /* each [d_model, d_model]; w NULL when plain */
    attn_linear ffn_up;               /* [d_ff, d_model] (bert, gpt2) */
    attn_linear ffn_down;             /* [d_model, d_ff] */
    /* additive (Bahdanau) score, per head h: rows h*d_head.. of add_wq/add_wk
     * are that head's [d_head, d_head] matrices, row h of add_v its vector */
    const float *add_wq, *add_wk;     /* each [d_model, d_head] */
    const float *add_v;               /* [n_heads, d_head] */
    const float *ln_w, *ln_b;         /* [d_model] layer norm of the attention block
                                         (before it: pre; after it: post), or NULL (1, 0) */
    const float *ffn_ln_w, *ffn_ln_b; /* [d_model] layer norm of the feed-forward block */
    /* decoder families (n_q = n_heads·d_head, n_kv = n_kv_heads·d_head):
     * q [n_q, d], k and v [n_kv, d], o [d, n_q]; or one fused qkv */
    attn_linear qkv;                  /* [n_q + 2·n_kv, d]: q | k | v rows, or per head
                                         q, k, v (neox); w NULL when separate */
    attn_linear ffn_gate;             /* [d_ff, d_model] (glu) */
    const float *q_norm, *k_norm;     /* [d_head] (QK_NORM_HEAD), [n_q] / [n_kv] (ALL) */
    const float *attn_out_ln_w, *attn_out_ln_b; /* [d_model] norm of the attention block's
                                         output, before the residual add (gemma2, olmo2) */
    const float *ffn_out_ln_w, *ffn_out_ln_b;   /* [d_model] the same for the MLP */
    /* encoder-decoder decoder layers: the cross-attention (queries from the
     * decoder, keys and values from the encoder's output) and its norm */
    attn_linear cq, ck, cv, co;       /* [n_q, d], [n_q, d], [n_q, d], [d, n_q] */
    const float *cross_ln_w, *cross_ln_b;
} attn_layer_weights;

/* An encoder-decoder model (arch seq2seq), as modeling_bart.py,
 * modeling_mbart.py, modeling_marian.py and modeling_t5.py compute it.
 * Each stack has its own config (heads, d_ff, causal) for the blocks of
 * compute/stack_impl.h. */
typedef enum { S2S_BART = 0, S2S_MBART, S2S_MARIAN, S2S_T5 } attn_s2s_family;
typedef struct {
    attn_config cfg;            /* d_model, n_heads, d_head, d_ff, norm, act, glu, causal, score */
    attn_layer_weights *layers; /* [cfg.n_layers], owned */
    const void *tok;            /* [n_emb, d_model] token embeddings (16-bit when tok_half) */
    int tok_half;
    const float *pos;           /* [n_pos, d_model] learned (BART: row = position + 2) or
                                   Marian's sinusoids; NULL: none (T5) */
    const float *emb_ln_w, *emb_ln_b;     /* layernorm_embedding (BART, mBART), or NULL */
    const float *final_ln_w, *final_ln_b; /* after the last layer (mBART, T5), or NULL */
    const float *rel;           /* [buckets, n_heads] T5's relative_attention_bias, or NULL */
} attn_s2s_stack;
typedef struct attn_s2s {
    attn_s2s_family family;
    const char *type;           /* config.json's model_type */
    int pre_norm;               /* x + f(norm(x)) (mBART, T5); else norm(x + f(x)) */
    float emb_scale;            /* token embeddings · emb_scale (scale_embedding: √d) */
    int pos_offset, n_pos;      /* rows of pos; row of position p = p + pos_offset */
    int buckets, max_distance;  /* T5's relative positions */
    attn_s2s_stack enc, dec;
    attn_linear lm_head;        /* [n_emb, d_model]; w NULL: a bare *Model (no generation) */
    const float *logits_bias;   /* [n_emb] final_logits_bias, or NULL */
    float out_scale;            /* decoder output · out_scale before lm_head (T5 tied: d^-1/2) */
    int start_id;               /* decoder_start_token_id */
    int forced_bos, forced_eos; /* -1: none */
    int min_length;             /* generation_config's min_length (0: none) */
    int no_repeat;              /* no_repeat_ngram_size (0: none) */
    int bad_ids[16], n_bad;     /* bad_words_ids of one token (Marian: pad) */
} attn_s2s;

struct attn_tokenizer;
struct st_set;

typedef struct {
    attn_config cfg;

    /* tokenizer settings */
    int lowercase;           /* fold case before vocabulary look-up */
    char **vocab;            /* [n_vocab] or NULL: hashed embeddings */
    int n_vocab;
    int unk_id;              /* index of the unk token in vocab, or -1 */
    char *unk;               /* the unk token's spelling, default "[UNK]" */
    int *vocab_slots;        /* [vocab_cap] open-addressing index into vocab, -1 empty */
    int vocab_cap;           /* power of two >= 2 * n_vocab */

    struct attn_tokenizer *tokenizer; /* subword tokenizer (subword.h), or NULL:
                                         the words tokenizer with vocab above */
    int n_emb;               /* rows of embeddings.token (config vocab_size) */

    attn_tensor *tensors;    /* [n_tensors], owned */
    int n_tensors;
    struct st_set *weights_file; /* mapped safetensors the views point into */
    float **bufs;            /* [n_bufs] converted (F16, BF16, unaligned) tensors the views point into */
    int n_bufs;
    struct {
        const void *st;      /* the st_tensor (safetensors.h) of a view into weights_file */
        int layer;           /* its layer, or -1 (embeddings, final norm, head) */
    } *unchecked;            /* [n_unchecked] views whose values were not read at load
                                (model_check_weights), in load order */
    int n_unchecked;

    /* bound by model_bind() */
    const float *tok_emb;    /* [n_emb, d_model] or NULL (hashed); 16-bit
                                values when tok_emb_half */
    int tok_emb_half;        /* 0, HALF_F16 or HALF_BF16 */
    const float *pos_emb;    /* [max_positions, d_model] when learned */
    const float *type_emb;   /* [type_vocab, d_model] (bert) or NULL */
    const float *emb_ln_w, *emb_ln_b; /* [d_model] embedding layer norm (bert) */
    const float *final_ln_w, *final_ln_b; /* [d_model] (decoders; not on the
                                             attention's path) */
    attn_linear lm_head;     /* [n_emb, d_model] (generation; w NULL: tied or none) */
    attn_layer_weights *layers; /* [n_layers] */

    /* decoder language models, set by their loader (NULL / 0: none) */
    int *window;             /* [n_layers] sliding window of each layer: a query
                                sees the keys at most window - 1 before it (0: all) */
    unsigned char *local_rope; /* [n_layers] 1: the layer uses cfg.rope_local */
    float *rope_factors;     /* longrope's short and long factors (cfg.rope points in) */
    int eos[16];             /* token ids that end --generate */
    int n_eos;
    char *name;              /* the model's name (config.json's _name_or_path, or the
                                directory's), or NULL */
    char *model_type;        /* config.json's model_type, or NULL */
    attn_s2s *s2s;           /* encoder-decoder models, owned; NULL otherwise */

    /* provenance, for metadata in outputs */
    int seeded;              /* 1 if generated by model_seeded() */
    uint64_t seed;
    char *source;            /* file path, or NULL when seeded */
} attn_model;

/* Generates a model: vocabulary-free (hashed embeddings), sinusoidal
 * positions, post layer norm (gain 1, bias 0), Xavier-uniform Q/K/V/O
 * weights and zero biases drawn from rng.h in the order layer 0..L-1, q, k,
 * v, o, row-major; then, for the additive score, layer 0..L-1 add_wq, add_wk
 * (Xavier over [d_head, d_head]) and add_v (U(-a, a), a = sqrt(6/(d_head+1))).
 * cfg gives d_model, n_heads, n_layers, score, causal, projections and
 * layer_norm. Same seed and shape give bit-identical weights on every
 * platform. */
attn_model *model_seeded(uint64_t seed, const attn_config *cfg, attn_error *err);

/* Reads a version-1 JSON weight file (model_json.c). */
attn_model *model_load_json(const char *path, attn_error *err);

/* Reads a Hugging Face model (hf.c): path is a directory with config.json,
 * model.safetensors (or model.safetensors.index.json and its shards) and the
 * tokenizer's files, or a .safetensors / .index.json file with those beside
 * it. model_type bert, roberta, distilbert or gpt2. */
attn_model *model_load_hf(const char *path, attn_error *err);

/* 1 if path names something model_load_hf() reads (a directory, or a file
 * ending in .safetensors or .safetensors.index.json). */
int model_is_hf_path(const char *path);

/* Writes m as a version-1 JSON weight file, atomically. Floats are written
 * with 9 significant digits so that loading gives bit-identical weights. */
int model_save_json(const attn_model *m, const char *path, attn_error *err);

/* Validates the config (limits, divisibility), checks every tensor's shape
 * against it, rejects unknown names, and fills tok_emb/pos_emb/layers.
 * what names the model in messages (a path, or "seeded model"). */
int model_bind(attn_model *m, const char *what, attn_error *err);

/* Checks config limits and divisibility and sets d_head (and n_kv_heads
 * when 0). */
int model_check_config(attn_config *c, const char *what, attn_error *err);

/* 1 for the decoder families (arch llama, gemma2, neox, olmo2). */
int model_is_decoder(const attn_config *c);

/* The number of parameters: the elements of every tensor (a tied head
 * counted once). */
int64_t model_parameters(const attn_model *m);

/* Adds a tensor (takes ownership of data, copies name). */
int model_add_tensor(attn_model *m, const char *name, int ndim, const int *shape,
                     float *data, attn_error *err);
/* Adds a view: data is not owned and stays valid as long as the model
 * (m->weights_file); ld, in_out and half as in attn_tensor. */
int model_add_view(attn_model *m, const char *name, int ndim, const int *shape,
                   const void *data, int ld, int in_out, int half, attn_error *err);
const attn_tensor *model_find(const attn_model *m, const char *name);

/* Builds the vocabulary index (after m->vocab / n_vocab are set); fails on a
 * duplicate entry. vocab_lookup() returns the id of word, or -1. */
int model_index_vocab(attn_model *m, const char *what, attn_error *err);
int vocab_lookup(const attn_model *m, const char *word);

/* Allocates an empty model (all zero, unk_id -1). */
attn_model *model_new(attn_error *err);
void model_free(attn_model *m);

/* The weights a loader left unread (m->unchecked: a Hugging Face
 * checkpoint stays in the mapped file, and the forward pass touches only
 * the pages it needs), those of layer (0-based; -1: all of them) scanned in
 * load order for NaN and infinity: 0 when all are finite, or -1 with err
 * naming the first bad element as loading would have ("FILE: tensor 'NAME'
 * (F32): element 29 is NaN", ATTN_EXIT_INPUT). The forward pass checks
 * the activations every weight it uses feeds; it calls this for all
 * weights when they are not finite, so that the error names the cause,
 * and for the last layer it computes, whose weights past the shown
 * attention it does not use. */
int model_check_weights(const attn_model *m, int layer, attn_error *err);

#endif
