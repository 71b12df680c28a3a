/* fuzz_bpe_files.c — a GPT-2 vocab.json + merges.txt.
 *
 * The input packs the two files (fuzz.h: "--8<-- merges.txt" starts the
 * second; bytes before it are vocab.json). bpe_from_files() reads them; a
 * tokenizer that loads encodes fuzz_sentences[].
 */
#include <stdio.h>

#include "fuzz.h"
#include "text/subword.h"

static const char *const names[] = {"vocab.json", "merges.txt", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char vocab[4400], merges[4400];
    attn_error err = {0};
    fuzz_setup();
    fuzz_begin();
    fuzz_unpack(data, size, names);
    snprintf(vocab, sizeof vocab, "%s/%s", fuzz_dir(), names[0]);
    snprintf(merges, sizeof merges, "%s/%s", fuzz_dir(), names[1]);
    attn_tokenizer *tk = bpe_from_files(vocab, merges, &err);
    if (!tk) {
        fuzz_check_error(&err);
        return 0;
    }
    fuzz_encode_sentences(tk, 0, &err);
    return 0;
}
