/* tokenizer_json.c — reading a Hugging Face tokenizer.json (see subword.h):
 * the model (BPE, WordPiece, WordLevel, Unigram; a model without "type" is
 * BPE when it has "merges", WordPiece when it has
 * "continuing_subword_prefix", Unigram when its vocab is a list, as older
 * files are), the normalizer, pre-tokenizer, added tokens, post-processor
 * and decoder, each by its stage's reader. "version" must be "1.0" when
 * present. "truncation" cuts the text's tokens as tokenizers does (room
 * kept for the special tokens); "padding" of one sequence to a fixed length
 * or a multiple is refused (attnviz shows the text's tokens, unpadded).
 * Every type or option that would change the ids and is not read is an
 * error naming its JSON path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonutil.h"
#include "text/tokenizer/core.h"
#include "text/tokenizer/decoder.h"
#include "text/tokenizer/models.h"
#include "text/tokenizer/postproc.h"

static int cmp_id(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    double p = cJSON_GetObjectItemCaseSensitive(x, "id")->valuedouble;
    double q = cJSON_GetObjectItemCaseSensitive(y, "id")->valuedouble;
    return (p > q) - (p < q);
}

/* added_tokens: entries already in the vocabulary must have its id; the
 * others extend it, in id order, without gaps. */
static int load_added(attn_tokenizer *tk, const tkj *j, const cJSON *list)
{
    if (!list || cJSON_IsNull(list)) return tk_added_build(tk, j->err);
    if (!cJSON_IsArray(list)) return tkj_fail(j, "added_tokens", "expected an array");
    int n = cJSON_GetArraySize(list), i = 0, n_new = 0, rc = -1;
    const cJSON **fresh = malloc((size_t)(n ? n : 1) * sizeof *fresh); /* [n] not in the vocabulary */
    if (!fresh) return attn_oom(j->err, j->file);
    for (const cJSON *a = list->child; a; a = a->next, i++) {
        char at[64]; /* [64] "added_tokens[i]" */
        snprintf(at, sizeof at, "added_tokens[%d]", i);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(a, "content");
        if (!cJSON_IsObject(a) || !cJSON_IsNumber(id) || id->valuedouble < 0 ||
            id->valuedouble != floor(id->valuedouble) || id->valuedouble > 2147483647.0) {
            tkj_fail(j, at, "expected an object with a non-negative integer \"id\"");
            goto done;
        }
        if (!cJSON_IsString(content) || !content->valuestring[0]) {
            tkj_fail(j, at, "\"content\" must be a non-empty string");
            goto done;
        }
        int have = sw_vocab_find(&tk->v, content->valuestring, strlen(content->valuestring));
        if (have >= 0 && have != (int)id->valuedouble) {
            attn_fail(j->err, ATTN_EXIT_INPUT, "%s: %s: %s has id %d in the vocabulary, not %d", j->file, at,
                      tkj_q(content->valuestring), have, (int)id->valuedouble);
            goto done;
        }
        if (have < 0) fresh[n_new++] = a;
    }
    qsort(fresh, (size_t)n_new, sizeof *fresh, cmp_id);
    for (int k = 0; k < n_new; k++) {
        const char *s = cJSON_GetObjectItemCaseSensitive(fresh[k], "content")->valuestring;
        int id = (int)cJSON_GetObjectItemCaseSensitive(fresh[k], "id")->valuedouble, dup;
        if (id < tk->v.n) {
            attn_fail(j->err, ATTN_EXIT_INPUT, "%s: added_tokens: %s has id %d, which is %s in the vocabulary",
                      j->file, tkj_q(s), id, tkj_q(sw_vocab_str(&tk->v, id)));
            goto done;
        }
        if (id != tk->v.n) {
            attn_fail(j->err, ATTN_EXIT_INPUT,
                      "%s: added_tokens: %s has id %d, but the next free id is %d (ids must have no gaps)", j->file,
                      tkj_q(s), id, tk->v.n);
            goto done;
        }
        int got = sw_vocab_add(&tk->v, s, strlen(s), &dup, j->err);
        if (got == -2) {
            attn_fail(j->err, ATTN_EXIT_INPUT, "%s: added_tokens: %s is listed twice", j->file, tkj_q(s));
            goto done;
        }
        if (got < 0) goto done;
    }
    /* special ones first, as tokenizers orders its automaton's patterns */
    for (int pass = 0; pass < 2; pass++) {
        i = 0;
        for (const cJSON *a = list->child; a; a = a->next, i++) {
            char at[64]; /* [64] "added_tokens[i]" */
            int l, r, w, nz, sp;
            snprintf(at, sizeof at, "added_tokens[%d]", i);
            if (tkj_bool(j, a, "lstrip", at, 0, &l) || tkj_bool(j, a, "rstrip", at, 0, &r) ||
                tkj_bool(j, a, "single_word", at, 0, &w) || tkj_bool(j, a, "special", at, 0, &sp) ||
                tkj_bool(j, a, "normalized", at, !sp, &nz))
                goto done;
            if (sp != (pass == 0)) continue;
            if (sw_add_token(tk, (int)cJSON_GetObjectItemCaseSensitive(a, "id")->valuedouble, l, r, w, nz, sp, j->err))
                goto done;
        }
    }
    rc = tk_added_build(tk, j->err);
done:
    free(fresh);
    return rc;
}

static int read_truncation(attn_tokenizer *tk, const tkj *j, const cJSON *root)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "truncation");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "padding");
    const char *dir, *strategy;
    if (t && !cJSON_IsNull(t)) {
        if (!cJSON_IsObject(t)) return tkj_fail(j, "truncation", "expected an object or null");
        if (tkj_int(j, t, "max_length", "truncation", 0, 1L << 30, -2, &tk->trunc_max) ||
            tkj_str(j, t, "direction", "truncation", "Right", &dir) ||
            tkj_str(j, t, "strategy", "truncation", "LongestFirst", &strategy))
            return -1;
        if (tk->trunc_max == -2) return tkj_fail(j, "truncation.max_length", "missing");
        if (strcmp(dir, "Right") && strcmp(dir, "Left"))
            return tkj_fail(j, "truncation.direction", "%s is not Left or Right", tkj_q(dir));
        tk->trunc_left = strcmp(dir, "Left") == 0;
        tk->trunc_strategy = !strcmp(strategy, "LongestFirst") ? 0 : !strcmp(strategy, "OnlyFirst") ? 1
                           : !strcmp(strategy, "OnlySecond") ? 2 : -1;
        if (tk->trunc_strategy < 0)
            return tkj_fail(j, "truncation.strategy", "%s is not LongestFirst, OnlyFirst or OnlySecond",
                            tkj_q(strategy));
    }
    if (p && !cJSON_IsNull(p)) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(p, "strategy");
        const cJSON *mul = cJSON_GetObjectItemCaseSensitive(p, "pad_to_multiple_of");
        if (!cJSON_IsObject(p)) return tkj_fail(j, "padding", "expected an object or null");
        if (st && !(cJSON_IsString(st) && strcmp(st->valuestring, "BatchLongest") == 0))
            return tkj_fail(j, "padding.strategy", "padding to a fixed length is not supported (attnviz shows "
                                                   "the text's tokens unpadded; BatchLongest or null)");
        if (mul && !cJSON_IsNull(mul) && !(cJSON_IsNumber(mul) && mul->valuedouble <= 1))
            return tkj_fail(j, "padding.pad_to_multiple_of", "padding is not supported (attnviz shows the "
                                                            "text's tokens unpadded; null)");
    }
    return 0;
}

static int read_model(attn_tokenizer *tk, const tkj *j, const cJSON *model)
{
    const char *type;
    if (tkj_str(j, model, "type", "model", NULL, &type)) return -1;
    if (!type) { /* older files: no type */
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(model, "vocab");
        type = cJSON_GetObjectItemCaseSensitive(model, "merges")                        ? "BPE"
               : cJSON_GetObjectItemCaseSensitive(model, "continuing_subword_prefix") ? "WordPiece"
               : cJSON_IsArray(v)                                                     ? "Unigram"
                                                                                      : "WordLevel";
    }
    if (strcmp(type, "BPE") == 0) {
        tk->model = TM_BPE;
        if (bpe_read_json(tk, j, model) != 0) return -1;
        bpe_init(tk);
        return 0;
    }
    if (strcmp(type, "WordPiece") == 0) {
        tk->model = TM_WORDPIECE;
        return wordpiece_read_json(tk, j, model);
    }
    if (strcmp(type, "WordLevel") == 0) {
        tk->model = TM_WORDLEVEL;
        return wordlevel_read_json(tk, j, model);
    }
    if (strcmp(type, "Unigram") == 0) {
        tk->model = TM_UNIGRAM;
        return unigram_read_json(tk, j, model);
    }
    return tkj_unsupported(j, "model", type, "BPE, WordPiece, WordLevel or Unigram");
}

attn_tokenizer *tokenizer_from_json(const char *path, attn_error *err)
{
    size_t len;
    json_doc *doc = NULL;
    char *text = sw_read_file(path, &len, err);
    attn_tokenizer *tk = text ? sw_new(path, err) : NULL;
    tkj j = {path, err, text, len};
    cJSON *root = tk ? json_parse_doc(path, text, len, &doc, err) : NULL;
    if (!root) goto fail;
    if (!cJSON_IsObject(root)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: not a tokenizer.json (top level is not an object)", path);
        goto fail;
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    if (!cJSON_IsObject(model)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: not a tokenizer.json (no \"model\" object)", path);
        goto fail;
    }
    const char *version;
    if (tkj_str(&j, root, "version", "tokenizer", NULL, &version)) goto fail;
    if (version && strcmp(version, "1.0") != 0) {
        tkj_fail(&j, "version", "%s is not a version this reader knows (\"1.0\")", tkj_q(version));
        goto fail;
    }
    if (read_model(tk, &j, model) != 0 || read_truncation(tk, &j, root) != 0 ||
        tk_normalizer_read(&tk->norm, &j, cJSON_GetObjectItemCaseSensitive(root, "normalizer"), "normalizer") != 0 ||
        tk_pretokenizer_read(&tk->pre, &j, cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer"), "pre_tokenizer") ||
        load_added(tk, &j, cJSON_GetObjectItemCaseSensitive(root, "added_tokens")) != 0 ||
        tk_postproc_read(tk, &j, cJSON_GetObjectItemCaseSensitive(root, "post_processor"), "post_processor") != 0 ||
        tk_decoder_read(tk, &j, cJSON_GetObjectItemCaseSensitive(root, "decoder"), "decoder") != 0)
        goto fail;
    json_doc_free(doc);
    free(text);
    return tk;
fail:
    json_doc_free(doc);
    free(text);
    tokenizer_free(tk);
    return NULL;
}
