/* seq2seq.c — the layers of an encoder-decoder (stack_impl.h): BART and
 * Marian normalise after each block (post-norm),
 *     x ← norm(x + attention(x));  [x ← norm(x + cross(x, encoder))];  x ← norm(x + mlp(x))
 * mBART and T5 before it (pre-norm),
 *     x ← x + attention(norm(x));  [x ← x + cross(norm(x), encoder)];  x ← x + mlp(norm(x))
 * (modeling_bart.py BartEncoderLayer / BartDecoderLayer, modeling_mbart.py,
 * modeling_t5.py T5Block; the cross-attention block only in the decoder). */
#include "compute/stack_impl.h"

/* One block: f is attention, cross-attention or the MLP. */
static int sublayer(stack_run *s, int pre, const float *w, const float *b,
                    int (*f)(stack_run *, const attn_layer_weights *, const float *, float *),
                    const attn_layer_weights *L)
{
    if (pre) {
        block_norm(s, s->h, s->x, w, b);
        if (f(s, L, s->h, s->out)) return -1;
        block_add(s, s->x, s->out);
        return 0;
    }
    if (f(s, L, s->x, s->out)) return -1;
    block_add(s, s->x, s->out);
    block_norm(s, s->x, s->x, w, b);
    return 0;
}

int s2s_encoder_layer(stack_run *s, const attn_layer_weights *L, int pre_norm)
{
    return sublayer(s, pre_norm, L->ln_w, L->ln_b, block_attention, L) ||
           sublayer(s, pre_norm, L->ffn_ln_w, L->ffn_ln_b, block_mlp, L);
}

int s2s_decoder_layer(stack_run *s, const attn_layer_weights *L, int pre_norm)
{
    return sublayer(s, pre_norm, L->ln_w, L->ln_b, block_attention, L) ||
           sublayer(s, pre_norm, L->cross_ln_w, L->cross_ln_b, block_cross_attention, L) ||
           sublayer(s, pre_norm, L->ffn_ln_w, L->ffn_ln_b, block_mlp, L);
}
