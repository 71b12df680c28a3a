/* fuzz_spm.c — a SentencePiece model file (T5's spiece.model, Llama's
 * tokenizer.model, Marian's source.spm), as Debian's libsentencepiece
 * reads it behind tokenizer/spm_lib.cc.
 *
 * The input is the .model file (a protobuf), optionally followed by a
 * packed vocab.json (fuzz.h: a line "--8<-- vocab.json"). Without
 * vocab.json, tokenizer_from_spm() loads the model with both of its
 * specials (<s> before, </s> after, where the model has them); with it,
 * tokenizer_from_marian() loads the pair as MarianTokenizer does (unk
 * "<unk>", eos "</s>", pad "<pad>"). A tokenizer that loads gets its
 * default specials and encodes fuzz_sentences[] (fuzz_encode_sentences:
 * spans inside the text, ids inside the vocabulary); a refusal is one
 * clean error line. The parser is SentencePiece's own (C++): a crash
 * inside it is reported as a finding all the same.
 */
#include <stdio.h>

#include "fuzz.h"
#include "text/subword.h"

static const char *const names[] = {"spiece.model", "vocab.json", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char model[4400], vocab[4400];
    attn_error err = {0};
    fuzz_setup();
    fuzz_begin();
    const unsigned got = fuzz_unpack(data, size, names);
    snprintf(model, sizeof model, "%s/%s", fuzz_dir(), names[0]);
    snprintf(vocab, sizeof vocab, "%s/%s", fuzz_dir(), names[1]);
    attn_tokenizer *tk = (got & 2u) ? tokenizer_from_marian(model, vocab, "<unk>", "</s>", "<pad>", &err)
                                    : tokenizer_from_spm(model, 1, 1, &err);
    if (!tk) {
        fuzz_check_error(&err);
        return 0;
    }
    fuzz_encode_sentences(tk, 1, &err);
    return 0;
}
