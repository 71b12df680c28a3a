/* llama.c — a pre-norm decoder layer: Llama (SmolLM, TinyLlama), Mistral,
 * Qwen2, Qwen3, Phi-3 and Gemma with RMSNorm and a gated MLP, and GPT-2 and
 * GPT-NeoX without the parallel residual with LayerNorm and a plain one:
 *     x ← x + attention(norm(x));  x ← x + mlp(norm₂(x))
 * (modeling_llama.py LlamaDecoderLayer: input_layernorm, self_attn,
 * post_attention_layernorm, mlp). */
#include "compute/stack_impl.h"

int llama_layer(stack_run *s, const attn_layer_weights *L)
{
    block_norm(s, s->h, s->x, L->ln_w, L->ln_b);
    if (block_attention(s, L, s->h, s->out)) return -1;
    if (!s->full) return 0;
    block_add(s, s->x, s->out);
    block_norm(s, s->h, s->x, L->ffn_ln_w, L->ffn_ln_b);
    if (block_mlp(s, L, s->h, s->out)) return -1;
    block_add(s, s->x, s->out);
    return 0;
}
