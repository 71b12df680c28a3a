/* hf.h — internals of the Hugging Face model loader (hf.c, hf_config.c);
 * the public entry point is model_load_hf() in model.h.
 *
 * Ownership: hf_load_tokenizer() returns a tokenizer the caller frees with
 * tokenizer_free(). Functions return 0 / non-NULL, or -1 / NULL with err
 * filled (ATTN_EXIT_INPUT naming the file for invalid or missing files).
 */
#ifndef ATTN_HF_H
#define ATTN_HF_H

#include <stddef.h>

#include "base/error.h"
#include "model/model.h"
#include "text/subword.h"

typedef enum { HF_BERT = 0, HF_ROBERTA, HF_DISTILBERT, HF_GPT2 } hf_type;

typedef struct {
    hf_type type;
    char tokenizer_file[4096]; /* the file the tokenizer came from, for messages */
} hf_info;

/* Reads dir/config.json into c (architecture, sizes, layer norm, positions)
 * and the embedding rows into *vocab_size. */
int hf_read_config(hf_info *info, const char *dir, attn_config *c, int *vocab_size, attn_error *err);

/* The model's tokenizer from dir (hf_tokenizer.c): tokenizer.json when
 * present, else vocab.txt (WordPiece; tokenizer_config.json's
 * do_lower_case, default true) or vocab.json + merges.txt (or encoder.json
 * + vocab.bpe; byte-level BPE), whatever the architecture, with the
 * model's special tokens around the text. */
attn_tokenizer *hf_load_tokenizer(hf_info *info, const char *dir, attn_error *err);

#endif
