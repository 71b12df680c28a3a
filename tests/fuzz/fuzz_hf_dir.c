/* fuzz_hf_dir.c — a Hugging Face model directory (attnviz -m DIR).
 *
 * The input packs the directory's files (fuzz.h): config.json first (the
 * bytes before any "--8<-- NAME" line), then any of model.safetensors,
 * vocab.txt, tokenizer.json, tokenizer_config.json, vocab.json,
 * merges.txt, encoder.json, vocab.bpe, model.safetensors.index.json, two
 * shards, generation_config.json (the decoder families' end tokens, the
 * encoder-decoders' generation settings) and the SentencePiece models
 * spiece.model (T5), tokenizer.model (Llama) and source.spm (Marian, with
 * vocab.json). model_load_hf() reads the directory; a model that loads is
 * run over a fixed sentence with every layer and head (fuzz_forward():
 * weights in [0, 1], rows summing to 1, or one clean error, such as
 * "layer 1 head 1: scores overflow float32"); an encoder-decoder gets a
 * fixed --target and shows each part (cross-attention, encoder, decoder).
 * A causal language model then continues the sentence by 2 tokens
 * (fuzz_generate(), --generate 2), an encoder-decoder generates 2 target
 * tokens (--max-new 2).
 */
#include <stdio.h>

#include "fuzz.h"
#include "model/model.h"

static const char *const names[] = {
    "config.json", "model.safetensors", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
    "vocab.json", "merges.txt", "encoder.json", "vocab.bpe", "model.safetensors.index.json",
    "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "generation_config.json", "spiece.model",
    "tokenizer.model", "source.spm", NULL,
};

#define SENTENCE "The cat sat on the mat, didn't it? Ünïcödé 猫 😀 [MASK] <|endoftext|>"
#define TARGET "Die Katze saß auf der Matte. </s> <pad>"

/* A stack's multiply-adds per token, roughly. */
static double per_token(const attn_config *c)
{
    return (double)c->n_layers * (double)c->d_model * (4.0 * c->d_model + 2.0 * c->d_ff + 64.0);
}

static int cheap(const attn_model *m)
{
    const double cost = m->s2s ? per_token(&m->s2s->enc.cfg) + 2.0 * per_token(&m->s2s->dec.cfg) : per_token(&m->cfg);
    return cost <= (double)(1 << 22);
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
    if (cheap(m) && fuzz_forward(m, SENTENCE, TARGET, &err) == 0) fuzz_generate(m, SENTENCE, 2, &err);
    model_free(m);
    return 0;
}
