/* fuzz_tokenizer_json.c — a Hugging Face tokenizer.json.
 *
 * The input is the file. tokenizer_from_json() reads it; a tokenizer that
 * loads gets the specials its post-processor names (as the Hugging Face
 * loader does) and encodes fuzz_sentences[]; every token list is checked
 * (fuzz_check_tokens) and every refusal is one clean error line.
 */
#include <string.h>

#include "fuzz.h"
#include "text/subword.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4400];
    attn_error err = {0};
    fuzz_setup();
    fuzz_begin();
    fuzz_write("tokenizer.json", data, size, path, sizeof path);
    attn_tokenizer *tk = tokenizer_from_json(path, &err);
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
