/* fuzz_json_model.c — a JSON weight file (attnviz -m FILE.json).
 *
 * The input is the file. model_load_json() reads it; a model that loads is
 * run over a fixed sentence (fuzz_forward(): every layer and head, the
 * weights checked) and saved with model_save_json(), as --save-model does,
 * and the saved file must load back with the same config, vocabulary and
 * bit-identical tensors (a model without a subword tokenizer; one with is
 * refused with an error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "model/model.h"

#define SENTENCE "The animal didn't cross the street, because it was too tired. Ünïcödé 猫 😀 [UNK] a b"

/* Multiply-adds of the forward pass per token, roughly: models past this
 * are valid but slow, so the fuzzer skips their forward pass. */
static int cheap(const attn_model *m)
{
    const attn_config *c = &m->cfg;
    double per_layer = (double)c->d_model * ((c->projections ? 4.0 : 0.0) * c->d_model + 2.0 * c->d_ff + 64.0);
    return per_layer * c->n_layers <= (double)(1 << 22);
}

static void same_model(const attn_model *a, const attn_model *b)
{
    const attn_config *x = &a->cfg, *y = &b->cfg;
    fuzz_assert(x->d_model == y->d_model && x->n_heads == y->n_heads && x->n_layers == y->n_layers &&
                    x->score == y->score && x->causal == y->causal && x->positional == y->positional &&
                    x->max_positions == y->max_positions && x->projections == y->projections &&
                    x->layer_norm == y->layer_norm && x->arch == y->arch,
                "saved model's config differs");
    if (x->arch != ARCH_ATTENTION)
        fuzz_assert(x->d_ff == y->d_ff && x->act == y->act && x->ln_eps == y->ln_eps &&
                        x->type_vocab == y->type_vocab && x->pos_offset == y->pos_offset,
                    "saved model's feed-forward config differs");
    fuzz_assert(a->lowercase == b->lowercase && a->n_vocab == b->n_vocab, "saved vocabulary differs");
    for (int i = 0; i < a->n_vocab; i++)
        fuzz_assert(strcmp(a->vocab[i], b->vocab[i]) == 0, "saved vocabulary entry %d differs", i);
    fuzz_assert(a->n_tensors == b->n_tensors, "saved model has %d tensors, not %d", b->n_tensors, a->n_tensors);
    for (int i = 0; i < a->n_tensors; i++) {
        const attn_tensor *t = &a->tensors[i], *u = model_find(b, t->name);
        fuzz_assert(u && u->ndim == t->ndim && u->shape[0] == t->shape[0] &&
                        (t->ndim < 2 || u->shape[1] == t->shape[1]),
                    "saved tensor %s differs in shape", t->name);
        int cols = t->ndim > 1 ? t->shape[1] : 1;
        for (int r = 0; r < t->shape[0]; r++)
            for (int c = 0; c < cols; c++) {
                float v = tensor_at(t, r, c), w = tensor_at(u, r, c);
                fuzz_assert(memcmp(&v, &w, sizeof v) == 0, "saved %s[%d, %d] is %.9g, not %.9g", t->name, r, c,
                            (double)w, (double)v);
            }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4400], saved[4400];
    attn_error err = {0};
    fuzz_setup();
    fuzz_begin();
    fuzz_write("model.json", data, size, path, sizeof path);
    attn_model *m = model_load_json(path, &err);
    if (!m) {
        fuzz_check_error(&err);
        return 0;
    }
    if (cheap(m)) fuzz_forward(m, SENTENCE, NULL, &err);
    snprintf(saved, sizeof saved, "%s/saved.json", fuzz_dir());
    if (model_save_json(m, saved, &err) == 0) {
        attn_model *back = model_load_json(saved, &err);
        fuzz_assert(back != NULL, "a saved model does not load: %s", err.msg);
        same_model(m, back);
        model_free(back);
    } else {
        fuzz_check_error(&err);
        fuzz_assert(m->tokenizer != NULL, "save failed: %s", err.msg);
    }
    unlink(saved);
    model_free(m);
    return 0;
}
