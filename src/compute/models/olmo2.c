/* olmo2.c — the OLMo 2 layer, normalised after each block only:
 *     x ← x + norm(attention(x));  x ← x + norm₂(mlp(x))
 * (modeling_olmo2.py Olmo2DecoderLayer: post_attention_layernorm,
 * post_feedforward_layernorm; q and k normalised over all heads). */
#include "compute/stack_impl.h"

int olmo2_layer(stack_run *s, const attn_layer_weights *L)
{
    if (block_attention(s, L, s->x, s->out)) return -1;
    if (!s->full) return 0;
    block_norm(s, s->out, s->out, L->attn_out_ln_w, L->attn_out_ln_b);
    block_add(s, s->x, s->out);
    if (block_mlp(s, L, s->x, s->out)) return -1;
    block_norm(s, s->out, s->out, L->ffn_out_ln_w, L->ffn_out_ln_b);
    block_add(s, s->x, s->out);
    return 0;
}
