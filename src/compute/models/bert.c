/* bert.c — a BERT encoder layer (also RoBERTa and DistilBERT), post-norm:
 *     x ← LN(x + attention(x));  x ← LN(x + mlp(x))
 * (modeling_bert.py BertLayer: BertSelfOutput and BertOutput add the
 * residual, then normalise). */
#include "compute/stack_impl.h"

int bert_layer(stack_run *s, const attn_layer_weights *L)
{
    if (block_attention(s, L, s->x, s->out)) return -1;
    if (!s->full) return 0;
    block_add(s, s->x, s->out);
    block_norm(s, s->x, s->x, L->ln_w, L->ln_b);
    if (block_mlp(s, L, s->x, s->out)) return -1;
    block_add(s, s->x, s->out);
    block_norm(s, s->x, s->x, L->ffn_ln_w, L->ffn_ln_b);
    return 0;
}
