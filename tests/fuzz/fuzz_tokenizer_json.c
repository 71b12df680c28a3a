/* fuzz_tokenizer_json.c — a Hugging Face tokenizer.json.
 *
 * The input is the file. tokenizer_from_json() reads it; a tokenizer that
 * loads gets the specials its post-processor names (as the Hugging Face
 * loader does) and encodes fuzz_sentences[]; every token list is checked
 * (fuzz_check_tokens) and every refusal is one clean error line.
 */

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
    fuzz_encode_sentences(tk, 1, &err);
    return 0;
}
