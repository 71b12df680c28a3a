/* stack.h — the layer stacks of real models: BERT (and RoBERTa,
 * DistilBERT), GPT-2 and the decoder families (Llama, Mistral, Qwen2/3,
 * Phi-3, Gemma 1/2/3, GPT-NeoX, OLMo 2), as Hugging Face's modeling code
 * computes them; and their KV-cached greedy generation.
 *
 * One runner (stack.c) embeds the tokens, runs the layers and keeps what is
 * shown; a layer is wired from shared blocks (block.c: norms, attention
 * with RoPE, grouped-query heads, masks and soft-capping, MLPs) by the small
 * file of its architecture (models/). Layers after the last shown one
 * are not run, and the last runs only as far as its attention weights.
 * Weights stored in 16 bits stay so in the mapped file (linalg.h).
 *
 * A session keeps the keys and values of every layer (a KV cache) so that
 * generation runs one new token at a time; stack_generate() is the greedy
 * loop of generate.h over it.
 *
 * Ownership: results as transformer.h; a session owns its cache and
 * buffers (stack_session_free()). Functions return 0 / non-NULL, or -1 /
 * NULL with err filled (ATTN_EXIT_INPUT for tokens the model cannot take,
 * ATTN_EXIT_RUNTIME for memory).
 */
#ifndef ATTN_STACK_H
#define ATTN_STACK_H

#include "base/error.h"
#include "compute/forward.h"
#include "model/model.h"
#include "text/tokenize.h"

/* transformer_forward() for models with arch != ARCH_ATTENTION. */
int stack_forward(attn_result *res, const attn_model *m, const attn_tokens *t, const int *layers, int n_layers,
                  const int *heads, int n_heads, const forward_opts *fo, attn_error *err);

typedef struct stack_session stack_session;

/* A session for up to cap positions (prompt and generated tokens). */
stack_session *stack_session_new(const attn_model *m, int cap, attn_error *err);
/* Runs ids[0..n) at the session's next positions through every layer,
 * keeping their keys and values; logits[n_emb] (may be NULL) receives the
 * language-model head's scores of the last of them (final soft-capping
 * applied). */
int stack_session_step(void *session, const int *ids, int n, float *logits, attn_error *err);
void stack_session_free(stack_session *s);

/* Greedy continuation of prompt[n_prompt] by up to max_new tokens,
 * stopping after one of the model's end-of-sequence ids: the new ids go
 * to out[max_new], their number to *n_out. */
int stack_generate(const attn_model *m, const int *prompt, int n_prompt, int max_new, int *out, int *n_out,
                   attn_error *err);

#endif
