/* generate.c — see generate.h. */
#include "compute/generate.h"

#include <stdlib.h>

int argmax_first(const float *x, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best] || (x[best] != x[best] && x[i] == x[i])) best = i;
    return best;
}

int generate_greedy(const attn_lm *lm, const int *prompt, int n_prompt, int max_new, const int *eos, int n_eos,
                    int *out, int *n_out, attn_error *err)
{
    *n_out = 0;
    if (max_new <= 0) return 0;
    float *logits = malloc((size_t)lm->n_vocab * sizeof *logits); /* [n_vocab] */
    if (!logits) return attn_oom(err, "--generate");
    int rc = lm->step(lm->ctx, prompt, n_prompt, logits, err);
    while (rc == 0) {
        int next = argmax_first(logits, lm->n_vocab), stop = 0;
        out[(*n_out)++] = next;
        for (int i = 0; i < n_eos; i++) stop |= next == eos[i];
        if (stop || *n_out == max_new) break;
        rc = lm->step(lm->ctx, &next, 1, logits, err);
    }
    free(logits);
    return rc;
}
