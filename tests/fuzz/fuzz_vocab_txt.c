/* fuzz_vocab_txt.c — a WordPiece vocab.txt (BERT).
 *
 * The first byte of the input chooses the settings (bit 0: lowercase and
 * strip accents, as an uncased model; bit 1: unk "<unk>" instead of
 * "[UNK]"); the rest is the file. wordpiece_from_vocab_txt() reads it; a
 * tokenizer that loads gets its default specials ([CLS] and [SEP] when
 * the vocabulary has them) and encodes fuzz_sentences[].
 */

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
    fuzz_encode_sentences(tk, 1, &err);
    return 0;
}
