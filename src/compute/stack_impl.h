/* stack_impl.h — internals of the layer stacks (stack.h): the state of a
 * pass that the runner (stack.c) owns, the blocks a layer is wired from
 * (block.c) and the layer function of each architecture (one file each in models/).
 *
 * A pass runs n tokens at positions pos0 .. pos0 + n - 1 against keys at
 * 0 .. pos0 + n - 1 (the cache holds the earlier ones). A layer function
 * reads and updates s->x; blocks write their output to the buffer they are
 * given. Blocks and layers return 0, or -1 with s->err filled (memory for a
 * 16-bit weight's conversion, or what keep returns).
 */
#ifndef ATTN_STACK_IMPL_H
#define ATTN_STACK_IMPL_H

#include "base/error.h"
#include "compute/forward.h"
#include "model/model.h"

typedef struct {
    const attn_model *m;
    const attn_config *c;
    int n, pos0, n_k;      /* rows of this pass, position of row 0, keys = pos0 + n */
    int qw, kw;            /* n_heads·d_head, n_kv_heads·d_head */
    int layer;             /* the layer being run */
    int full;              /* 0: only this layer's attention weights are needed */
    float *x;              /* [n, d] residual stream */
    float *h;              /* [n, d] a block's normalised input */
    float *out, *out2;     /* [n, d] block outputs */
    float *q, *k, *v;      /* [n, qw], [n, kw], [n, kw] projections */
    float *qkv;            /* [n, qw + 2 kw] fused projection */
    float *ctx;            /* [n, qw] the heads' outputs */
    float *ff;             /* [n, d_ff], or [n, 2 d_ff] (glu: gate | up) */
    float *att;            /* [att_heads][n, n_k] weights of a batch of heads */
    int att_heads;         /* heads at a time (attention_batch_heads) */
    float *kc, *vc;        /* [cap, kw] this layer's keys and values by position */
    const float *cs;       /* [n, rope.dim] cos | sin of each row (rope_table) */
    const float *cs_local; /* [n, rope_local.dim] */
    /* each head's weights, when set (layer, head, att[n, n_k]) */
    int (*keep)(void *ctx, int layer, int head, const float *att, attn_error *err);
    void *keep_ctx;
    attn_trace *trace;     /* Q, K, V per layer (--explain), or NULL */
    attn_error *err;
    /* encoder-decoders (seq2seq.c) */
    const float *bias;     /* [n_heads][n, n_k] position bias of each head (T5), or NULL */
    const float *mem;      /* [n_mem, d] the encoder's output, for cross-attention */
    int n_mem;
    float *ck, *cv;        /* [n_mem, qw] cross-attention keys and values */
    int cross_kept;        /* 1: keep and trace serve block_cross_attention, not block_attention */
} stack_run;

/* ---- a pass's buffers (stack_bufs.c) ---- */

/* Up to 16 buffers, each malloc'd by stack_take, all freed by
 * stack_bufs_free (which leaves b empty, ready for reuse). */
typedef struct {
    float *all[16];
    int n_all;
} stack_bufs;

/* n floats (at least 1), recorded in b; NULL when out of memory, which
 * stack_bufs_ok tells once every buffer is taken. */
float *stack_take(stack_bufs *b, size_t n);
/* 1 if every buffer taken was allocated; otherwise frees them all and returns 0. */
int stack_bufs_ok(stack_bufs *b);
void stack_bufs_free(stack_bufs *b);

/* ---- blocks (block.c) ---- */

/* out[n, d] = the model's norm (LayerNorm or RMSNorm) of in, gain w, bias b. */
void block_norm(stack_run *s, float *out, const float *in, const float *w, const float *b);
/* x[n, d] += y[n, d] */
void block_add(stack_run *s, float *x, const float *y);
/* The attention block on in[n, d]: projections, q/k norms, RoPE, keys and
 * values into the cache, each head's weights (to keep), and when s->full
 * their values through the output projection into out[n, d]. */
int block_attention(stack_run *s, const attn_layer_weights *L, const float *in, float *out);
/* Cross-attention of in[n, d] (queries, L->cq) to s->mem (keys and values,
 * L->ck, L->cv), no mask, each head's weights to keep when s->cross_kept,
 * through L->co into out[n, d]. */
int block_cross_attention(stack_run *s, const attn_layer_weights *L, const float *in, float *out);
/* out[n, d] = down(act(up(in))) or down(act(gate(in)) ⊙ up(in)) (glu). */
int block_mlp(stack_run *s, const attn_layer_weights *L, const float *in, float *out);

/* ---- one layer of each architecture (models/) ---- */

int bert_layer(stack_run *s, const attn_layer_weights *L);   /* bert.c */
int llama_layer(stack_run *s, const attn_layer_weights *L);  /* llama.c (also GPT-2) */
int gemma2_layer(stack_run *s, const attn_layer_weights *L); /* gemma2.c */
int neox_layer(stack_run *s, const attn_layer_weights *L);   /* neox.c */
int olmo2_layer(stack_run *s, const attn_layer_weights *L);  /* olmo2.c */
/* seq2seq.c: an encoder-decoder's encoder and decoder layers (BART,
 * Marian: post-norm; mBART, T5: pre-norm) */
int s2s_encoder_layer(stack_run *s, const attn_layer_weights *L, int pre_norm);
int s2s_decoder_layer(stack_run *s, const attn_layer_weights *L, int pre_norm);

#endif
