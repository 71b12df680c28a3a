/* hf_tokenizer.c — the tokenizer of a Hugging Face model directory, for
 * model_load_hf() (hf.c): whatever tokenizer the directory holds, for any
 * architecture (a GPT-2 fine-tuned with a SentencePiece vocabulary, a BERT
 * with a Unigram tokenizer), checked only against the vocabulary size (hf.c)
 * and the special tokens the model needs.
 *
 *   tokenizer.json      read whole (text/subword.h); its post-processor's
 *                       special tokens go around the text, unless
 *                       tokenizer_config.json says add_bos_token /
 *                       add_eos_token, which decide that side (bos_token /
 *                       eos_token), as transformers' Llama and Gemma
 *                       tokenizers rebuild their post-processor from them;
 *   spiece.model        SentencePiece (T5): </s> after the text;
 *   tokenizer.model     SentencePiece (Llama): <s> before the text;
 *   source.spm + vocab.json  Marian: MarianTokenizer's ids (vocab.json),
 *                       </s> after the text (unk_token, eos_token,
 *                       pad_token: "<unk>", "</s>", "<pad>");
 *   vocab.txt           WordPiece (do_lower_case, default true; unk_token);
 *   vocab.json + merges.txt (or encoder.json + vocab.bpe): byte-level BPE.
 * An encoder (BERT, DistilBERT, RoBERTa) whose tokenizer adds no special
 * tokens gets its cls / sep (BERT) or bos / eos (RoBERTa) tokens from
 * tokenizer_config.json or their usual spellings; GPT-2 gets none.
 */
#include "model/hf.h"

#include <stdio.h>
#include <string.h>

#include "base/io.h"
#include "base/jsonutil.h"
#include "text/subword.h"

/* A token setting of tokenizer_config.json: a string, or an AddedToken
 * object {"content": ...}; dflt when absent (NULL when null). Copied into
 * buf; returns buf, or dflt. *bad is set when it does not fit. */
static const char *config_token(const cJSON *tc, const char *key, const char *dflt, char *buf, size_t cap, int *bad)
{
    const cJSON *v = tc ? cJSON_GetObjectItemCaseSensitive(tc, key) : NULL;
    if (cJSON_IsObject(v)) v = cJSON_GetObjectItemCaseSensitive(v, "content");
    if (cJSON_IsNull(v)) return NULL;
    if (!cJSON_IsString(v)) return dflt;
    if (strlen(v->valuestring) >= cap) {
        *bad = 1;
        return NULL;
    }
    return strcpy(buf, v->valuestring);
}

/* add_bos_token / add_eos_token: decide one side of the specials. */
static int config_side(attn_tokenizer *tk, const cJSON *tc, const char *flag, const char *key, int after,
                       const char *path, attn_error *err)
{
    const cJSON *v = tc ? cJSON_GetObjectItemCaseSensitive(tc, flag) : NULL;
    char buf[256]; /* [256] the token */
    int bad = 0;
    if (!cJSON_IsBool(v)) return 0;
    const char *tok = cJSON_IsTrue(v) ? config_token(tc, key, NULL, buf, sizeof buf, &bad) : NULL;
    if (cJSON_IsTrue(v) && !tok)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"%s\" is true, but \"%s\" is %s", path, flag, key,
                         bad ? "longer than 255 bytes" : "missing");
    return tokenizer_set_special(tk, after, tok, err); /* its message names the file */
}

attn_tokenizer *hf_load_tokenizer(hf_info *info, const char *dir, attn_error *err)
{
    char path[4096], path2[4096], cfg[4096], first[256], last[256], unk[256];
    cJSON *tc = NULL;
    json_doc *doc = NULL;
    attn_tokenizer *tk = NULL;
    int lower = 1, bad = 0, bert = info->type == HF_BERT || info->type == HF_DISTILBERT;
    int encoder = bert || info->type == HF_ROBERTA ||
                  (info->type == HF_SEQ2SEQ && strcmp(info->model_type, "bart") == 0); /* <s> X </s> */
    cfg[0] = '\0';
    if (io_file_in(dir, "tokenizer_config.json", cfg, sizeof cfg)) {
        if (!(tc = json_load(cfg, &doc, err))) return NULL;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(tc, "do_lower_case");
        if (cJSON_IsBool(v)) lower = cJSON_IsTrue(v);
    }
    const char *f = config_token(tc, bert ? "cls_token" : "bos_token", bert ? "[CLS]" : "<s>", first, sizeof first, &bad);
    const char *l = config_token(tc, bert ? "sep_token" : "eos_token", bert ? "[SEP]" : "</s>", last, sizeof last, &bad);
    const char *u = config_token(tc, "unk_token", "[UNK]", unk, sizeof unk, &bad);
    if (bad) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: a special token is longer than 255 bytes", cfg);
        goto done;
    }
    const int from_json = io_file_in(dir, "tokenizer.json", path, sizeof path);
    int spm = 0; /* a SentencePiece model file, whose specials are its family's */
    if (from_json) {
        tk = tokenizer_from_json(path, err);
    } else if ((spm = io_file_in(dir, "spiece.model", path, sizeof path)) ||
               (spm = io_file_in(dir, "tokenizer.model", path, sizeof path) ? 2 : 0)) {
        tk = tokenizer_from_spm(path, spm == 2, spm == 1, err);
    } else if (io_file_in(dir, "source.spm", path, sizeof path) && io_file_in(dir, "vocab.json", path2, sizeof path2)) {
        char pad[256], m_unk[256], m_eos[256]; /* [256] Marian's padding, unknown and end tokens */
        const char *p = config_token(tc, "pad_token", "<pad>", pad, sizeof pad, &bad);
        const char *mu = config_token(tc, "unk_token", "<unk>", m_unk, sizeof m_unk, &bad);
        const char *me = config_token(tc, "eos_token", "</s>", m_eos, sizeof m_eos, &bad);
        if (bad) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: a special token is longer than 255 bytes", cfg);
            goto done;
        }
        spm = 3;
        tk = tokenizer_from_marian(path, path2, mu, me, p, err);
        memcpy(path, path2, sizeof path); /* its entries are vocab.json's */
    } else if (io_file_in(dir, "vocab.txt", path, sizeof path)) {
        tk = wordpiece_from_vocab_txt(path, lower, u ? u : "[UNK]", err);
    } else if ((io_file_in(dir, "vocab.json", path, sizeof path) || io_file_in(dir, "encoder.json", path, sizeof path)) &&
               (io_file_in(dir, "merges.txt", path2, sizeof path2) || io_file_in(dir, "vocab.bpe", path2, sizeof path2))) {
        /* OpenAI's original names, encoder.json and vocab.bpe, also work */
        tk = bpe_from_files(path, path2, err);
    } else {
        attn_fail(err, ATTN_EXIT_INPUT,
                  "%s: no tokenizer.json, spiece.model, tokenizer.model, source.spm and vocab.json, vocab.txt, or "
                  "vocab.json and merges.txt", dir);
        goto done;
    }
    if (!tk) goto done;
    snprintf(info->tokenizer_file, sizeof info->tokenizer_file, "%s", path);
    /* the specials: the post-processor's (tokenizer.json), else an
     * encoder's usual ones; then tokenizer_config.json's add_*_token */
    const char *df = NULL, *dl = NULL;
    if (from_json || spm) {
        if (tokenizer_use_default_specials(tk, err) != 0) goto fail;
        tokenizer_default_specials(tk, &df, &dl);
    }
    if (encoder && !df && !dl && tokenizer_set_specials(tk, f, l, err) != 0) /* its message names the file */
        goto fail;
    if (config_side(tk, tc, "add_bos_token", "bos_token", 0, cfg, err) != 0 ||
        config_side(tk, tc, "add_eos_token", "eos_token", 1, cfg, err) != 0)
        goto fail;
    goto done;
fail:
    tokenizer_free(tk);
    tk = NULL;
done:
    json_doc_free(doc);
    return tk;
}
