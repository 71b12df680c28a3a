/* fuzz_hf_dir.c — a Hugging Face model directory (attnviz -m DIR).
 *
 * The input packs the directory's files (fuzz.h): config.json first (the
 * bytes before any "--8<-- NAME" line), then any of model.safetensors,
 * vocab.txt, tokenizer.json, tokenizer_config.json, vocab.json,
 * merges.txt, encoder.json, vocab.bpe, model.safetensors.index.json, two
 * shards and generation_config.json (the decoder families' end tokens).
 * model_load_hf() reads the directory; a model that loads is run over a
 * fixed sentence with every layer and head (fuzz_forward(): weights in
 * [0, 1], rows summing to 1, or one clean error, such as "layer 1 head 1:
 * scores overflow float32"), and a causal language model then continues
 * it by 2 tokens (fuzz_generate(), --generate 2).
 */
#include <stdio.h>

#include "fuzz.h"
#include "model/model.h"

static const char *const names[] = {
    "config.json", "model.safetensors", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
    "vocab.json", "merges.txt", "encoder.json", "vocab.bpe", "model.safetensors.index.json",
    "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "generation_config.json", NULL,
};

#define SENTENCE "The cat sat on the mat, didn't it? Ünïcödé 猫 😀 [MASK] <|endoftext|>"

static int cheap(const attn_model *m)
{
    const attn_config *c = &m->cfg;
    double per_layer = (double)c->d_model * (4.0 * c->d_model + 2.0 * c->d_ff + 64.0);
    return per_layer * c->n_layers <= (double)(1 << 22);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attn_error err = {0};
    fuzz_setup();
    fuzz_begin();
    fuzz_unpack(data, size, names);
    attn_model *m = model_load_hf(fuzz_dir(), &err);
    if (!m) {
        fuzz_check_error(&err);
        return 0;
    }
    if (cheap(m) && fuzz_forward(m, SENTENCE, &err) == 0) fuzz_generate(m, SENTENCE, 2, &err);
    model_free(m);
    return 0;
}
