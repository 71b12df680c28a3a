/* gemma2.c — the Gemma 2 and Gemma 3 layer, normalised before and after
 * each block ("sandwich"):
 *     x ← x + norm_a(attention(norm(x)));  x ← x + norm_b(mlp(norm₂(x)))
 * (modeling_gemma2.py Gemma2DecoderLayer: input_layernorm,
 * post_attention_layernorm, pre_feedforward_layernorm,
 * post_feedforward_layernorm; all Gemma RMSNorms, gain 1 + w). */
#include "compute/stack_impl.h"

int gemma2_layer(stack_run *s, const attn_layer_weights *L)
{
    block_norm(s, s->h, s->x, L->ln_w, L->ln_b);
    if (block_attention(s, L, s->h, s->out)) return -1;
    if (!s->full) return 0;
    block_norm(s, s->out, s->out, L->attn_out_ln_w, L->attn_out_ln_b);
    block_add(s, s->x, s->out);
    block_norm(s, s->h, s->x, L->ffn_ln_w, L->ffn_ln_b);
    if (block_mlp(s, L, s->h, s->out)) return -1;
    block_norm(s, s->out, s->out, L->ffn_out_ln_w, L->ffn_out_ln_b);
    block_add(s, s->x, s->out);
    return 0;
}
