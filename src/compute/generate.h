/* generate.h — greedy decoding over any model that can take tokens one
 * step at a time (a decoder with its KV cache, stack.h; an encoder-decoder's
 * decoder): the model is a step callback, this file the loop.
 *
 * Deterministic: the next token is the first index of the largest logit
 * (as torch.argmax), and a token in eos[] ends the continuation after it is
 * appended (as Hugging Face's generate with do_sample=False).
 *
 * Ownership: the caller owns every array. Returns 0, or -1 with err filled
 * (whatever the step callback reported, or ATTN_EXIT_RUNTIME for memory).
 */
#ifndef ATTN_GENERATE_H
#define ATTN_GENERATE_H

#include "base/error.h"

typedef struct {
    void *ctx;
    int n_vocab;              /* logits per step */
    /* Runs ids[0..n) at the model's next positions (the prompt at once,
     * then one token at a time) and writes the logits of the last of them
     * to logits[n_vocab]. */
    int (*step)(void *ctx, const int *ids, int n, float *logits, attn_error *err);
} attn_lm;

/* The index of the largest of x[n] (the first of equal ones); NaN is never
 * taken. */
int argmax_first(const float *x, int n);

/* Appends up to max_new greedy tokens to prompt[n_prompt] (n_prompt >= 1):
 * out[max_new] receives them, *n_out their number (fewer when an eos token
 * came). */
int generate_greedy(const attn_lm *lm, const int *prompt, int n_prompt, int max_new, const int *eos, int n_eos,
                    int *out, int *n_out, attn_error *err);

#endif
