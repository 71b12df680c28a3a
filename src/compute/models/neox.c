/* neox.c — the GPT-NeoX (Pythia) layer with use_parallel_residual: the
 * attention and the MLP both read the layer's input,
 *     x ← x + attention(LN(x)) + mlp(LN₂(x))
 * (modeling_gpt_neox.py GPTNeoXLayer; without the parallel residual the
 * layer is llama.c's). */
#include "compute/stack_impl.h"

int neox_layer(stack_run *s, const attn_layer_weights *L)
{
    if (!s->c->parallel_residual) return llama_layer(s, L);
    block_norm(s, s->h, s->x, L->ln_w, L->ln_b);
    if (block_attention(s, L, s->h, s->out)) return -1;
    if (!s->full) return 0;
    block_norm(s, s->h, s->x, L->ffn_ln_w, L->ffn_ln_b);
    if (block_mlp(s, L, s->h, s->out2)) return -1;
    block_add(s, s->out, s->out2); /* mlp_output + attn_output + hidden_states, in that order */
    block_add(s, s->out, s->x);
    float *t = s->x; /* the sum is the new residual stream */
    s->x = s->out;
    s->out = t;
    return 0;
}
