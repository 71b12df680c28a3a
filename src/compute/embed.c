/* embed.c — see embed.h. */
#include "compute/embed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/norm.h"
#include "model/rng.h"

void positional_sinusoidal_add(float *x, int n, int d)
{
    enum { MAX_FREQ = 4096 }; /* frequencies whose divisor is computed once */
    double denom[MAX_FREQ];   /* denom[i / 2] = 10000^(i/d) */
    for (int i = 0; i < d && i / 2 < MAX_FREQ; i += 2) denom[i / 2] = pow(10000.0, (double)i / d);
    for (int pos = 0; pos < n; pos++) {
        float *row = x + (size_t)pos * (size_t)d; /* [d] */
        for (int i = 0; i < d; i += 2) {
            double angle = pos / (i / 2 < MAX_FREQ ? denom[i / 2] : pow(10000.0, (double)i / d));
            row[i] += (float)sin(angle);
            if (i + 1 < d) row[i + 1] += (float)cos(angle);
        }
    }
}

void embedding_hashed(float *out, const char *word, int d)
{
    attn_rng rng;
    rng_seed(&rng, rng_hash(word));
    const float a = 1.7320508f; /* sqrt(3): U(-a, a) has variance 1 */
    for (int i = 0; i < d; i++) out[i] = rng_symmetric(&rng, a);
}

int tokens_assign_ids(attn_tokens *t, const attn_model *m, attn_error *err)
{
    if (m->cfg.positional == POS_LEARNED && t->n > m->cfg.max_positions - m->cfg.pos_offset)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%d tokens, but the model's learned positions stop at %d",
                         t->n, m->cfg.max_positions - m->cfg.pos_offset);
    if (m->tokenizer) return 0; /* the subword tokenizer assigned them */
    for (int i = 0; i < t->n; i++) {
        if (!m->vocab) {
            t->tok[i].id = -1;
            continue;
        }
        int id = vocab_lookup(m, t->tok[i].text);
        if (id < 0) id = m->unk_id;
        if (id < 0)
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "'%s' is not in the model's vocabulary, which has no \"%s\" token",
                             t->tok[i].text, m->unk ? m->unk : "[UNK]");
        t->tok[i].id = id;
    }
    return 0;
}

int embed_forward(float *x, const attn_tokens *t, const attn_model *m, int pos0, attn_error *err)
{
    int d = m->cfg.d_model;
    for (int i = 0; i < t->n; i++) {
        float *row = x + (size_t)i * (size_t)d; /* [d] */
        if (m->tok_emb) {
            if (t->tok[i].id < 0 || t->tok[i].id >= m->n_emb)
                return attn_fail(err, ATTN_EXIT_INPUT, "token '%s' has no vocabulary id", t->tok[i].text);
            size_t at = (size_t)t->tok[i].id * (size_t)d;
            if (m->tok_emb_half) half_to_float(row, (const uint16_t *)(const void *)m->tok_emb + at, (size_t)d,
                                               (half_kind)m->tok_emb_half);
            else memcpy(row, m->tok_emb + at, (size_t)d * sizeof *row);
            if (m->cfg.emb_scale > 0.0) /* Gemma: × √d_model, as a float32 constant */
                for (int j = 0; j < d; j++) row[j] *= (float)m->cfg.emb_scale;
        } else {
            embedding_hashed(row, t->tok[i].text, d);
        }
    }
    if (m->type_emb) /* every token is of type 0 (one segment); added before
                          the positions, as Hugging Face does */
        for (int i = 0; i < t->n; i++)
            for (int j = 0; j < d; j++) x[(size_t)i * (size_t)d + (size_t)j] += m->type_emb[j];
    if (m->cfg.positional == POS_SINUSOIDAL) {
        positional_sinusoidal_add(x, t->n, d);
    } else if (m->cfg.positional == POS_LEARNED) {
        if (pos0 + t->n > m->cfg.max_positions - m->cfg.pos_offset)
            return attn_fail(err, ATTN_EXIT_INPUT, "%d tokens, but the model's learned positions stop at %d",
                             pos0 + t->n, m->cfg.max_positions - m->cfg.pos_offset);
        const float *pe = m->pos_emb + (size_t)(m->cfg.pos_offset + pos0) * (size_t)d; /* [n, d] rows from the offset */
        for (size_t i = 0; i < (size_t)t->n * (size_t)d; i++) x[i] += pe[i];
    }
    if (m->cfg.arch == ARCH_BERT)
        layernorm_forward(x, x, m->emb_ln_w, m->emb_ln_b, t->n, d, m->cfg.ln_eps);
    return 0;
}
