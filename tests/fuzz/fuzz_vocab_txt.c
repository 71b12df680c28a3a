/* fuzz_vocab_txt.c — a WordPiece vocab.txt (BERT).
 *
 * The first byte of the input chooses the settings (bit 0: lowercase and
 * strip accents, as an uncased model; bit 1: unk "<unk>" instead of
 * "[UNK]"); the rest is the file. wordpiece_from_vocab_txt() reads it; a
 * tokenizer that loads gets its default specials ([CLS] and [SEP] when
 * the vocabulary has them) and encodes fuzz_sentences[].
 */
#include <string.h>

#include "fuzz.h"
#include "text/subword.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4400];
    attn_error err = {0};
    if (size < 1) return 0;
    fuzz_setup();
    fuzz_begin();
    fuzz_write("vocab.txt", data + 1, size - 1, path, sizeof path);
    attn_tokenizer *tk = wordpiece_from_vocab_txt(path, data[0] & 1, data[0] & 2 ? "<unk>" : "[UNK]", &err);
    if (!tk) {
        fuzz_check_error(&err);
        return 0;
    }
    const char *first = NULL, *last = NULL;
    tokenizer_default_specials(tk, &first, &last);
    if ((first || last) && tokenizer_set_specials(tk, first, last, &err) != 0) fuzz_check_error(&err);
    for (int i = 0; fuzz_sentences[i]; i++) {
        attn_tokens t = {0};
        size_t len = strlen(fuzz_sentences[i]);
        if (tokenizer_encode(tk, fuzz_sentences[i], len, &t, &err) == 0)
            fuzz_check_tokens(&t, len, tokenizer_vocab_size(tk));
        else
            fuzz_check_error(&err);
        tokens_free(&t);
    }
    tokenizer_free(tk);
    return 0;
}
