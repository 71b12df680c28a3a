/* tokenizer_json.c — reading a Hugging Face tokenizer.json (see subword.h).
 *
 * Supported: model "WordPiece" with normalizer BertNormalizer (or none) and
 * pre_tokenizer BertPreTokenizer; model "BPE" with pre_tokenizer ByteLevel
 * and no normalizer (GPT-2, RoBERTa). A model without "type" is WordPiece
 * when it has "continuing_subword_prefix" and no "merges", BPE when it has
 * "merges", as older files are. added_tokens extend the vocabulary (ids
 * after the model's, without gaps) and are matched in the raw text.
 * post_processor (TemplateProcessing, BertProcessing, RobertaProcessing,
 * or a Sequence holding one) gives tokenizer_default_specials().
 * Everything else (truncation, padding, decoder) is ignored. Every other
 * normalizer, pre-tokenizer or model option that would change the tokens
 * is an error naming its JSON path.
 */
#include "text/bpe.h"
#include "text/subword_core.h"
#include "text/wordpiece.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonutil.h"
#include "base/textesc.h"

typedef struct {
    const char *path;
    attn_tokenizer *tk;
    attn_error *err;
} ctx;

static int bad(ctx *c, const char *where, const char *what)
{
    return attn_fail(c->err, ATTN_EXIT_INPUT, "%s: %s: %s", c->path, where, what);
}

/* obj[key] as a boolean (absent or null: def). */
static int get_bool(ctx *c, const cJSON *obj, const char *key, const char *where, int def, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char at[128]; /* [128] where.key */
    *out = def;
    if (!v || cJSON_IsNull(v)) return 0;
    snprintf(at, sizeof at, "%s.%s", where, key);
    if (!cJSON_IsBool(v)) return bad(c, at, "expected true or false");
    *out = cJSON_IsTrue(v);
    return 0;
}

/* obj[key] as a string (absent or null: def). */
static int get_str(ctx *c, const cJSON *obj, const char *key, const char *where, const char *def,
                   const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char at[128]; /* [128] where.key */
    *out = def;
    if (!v || cJSON_IsNull(v)) return 0;
    snprintf(at, sizeof at, "%s.%s", where, key);
    if (!cJSON_IsString(v)) return bad(c, at, "expected a string");
    *out = v->valuestring;
    return 0;
}

/* The "type" of a normalizer / pre-tokenizer / processor, or "" when null. */
static int get_type(ctx *c, const cJSON *obj, const char *where, const char **type)
{
    *type = "";
    if (!obj || cJSON_IsNull(obj)) return 0;
    if (!cJSON_IsObject(obj)) return bad(c, where, "expected an object");
    if (get_str(c, obj, "type", where, NULL, type) != 0) return -1;
    if (!*type) return bad(c, where, "no \"type\"");
    return 0;
}

/* s quoted for a message (one of four rotating buffers, so a message may
 * quote several strings). */
static const char *q(const char *s)
{
    static _Thread_local char buf[4][96]; /* [4][96] */
    static _Thread_local int k;
    k = (k + 1) % 4;
    textesc_quote(buf[k], sizeof buf[k], s, strlen(s));
    return buf[k];
}

static int unsupported(ctx *c, const char *where, const char *type, const char *supported)
{
    return attn_fail(c->err, ATTN_EXIT_INPUT, "%s: %s.type %s is not supported (%s)", c->path, where, q(type),
                     supported);
}

static int load_wordpiece(ctx *c, const cJSON *root, const cJSON *model, const char **unk)
{
    attn_tokenizer *tk = c->tk;
    const cJSON *mx = cJSON_GetObjectItemCaseSensitive(model, "max_input_chars_per_word");
    const char *prefix, *type;
    if (get_str(c, model, "unk_token", "model", "[UNK]", unk) ||
        get_str(c, model, "continuing_subword_prefix", "model", "##", &prefix))
        return -1;
    if (mx && !cJSON_IsNull(mx)) {
        if (!cJSON_IsNumber(mx) || mx->valuedouble < 1 || mx->valuedouble > 1e9 ||
            mx->valuedouble != floor(mx->valuedouble))
            return bad(c, "model.max_input_chars_per_word", "expected a positive integer");
        tk->max_chars = (int)mx->valuedouble;
    }
    if (!(tk->prefix = strdup(prefix))) return attn_oom(c->err, c->path);
    tk->prefix_len = strlen(prefix);

    const cJSON *norm = cJSON_GetObjectItemCaseSensitive(root, "normalizer");
    if (get_type(c, norm, "normalizer", &type) != 0) return -1;
    tk->clean_text = tk->chinese = tk->strip_accents = tk->lowercase = 0;
    if (strcmp(type, "BertNormalizer") == 0) {
        if (get_bool(c, norm, "clean_text", "normalizer", 1, &tk->clean_text) ||
            get_bool(c, norm, "handle_chinese_chars", "normalizer", 1, &tk->chinese) ||
            get_bool(c, norm, "lowercase", "normalizer", 1, &tk->lowercase))
            return -1;
        /* strip_accents null: the same as lowercase */
        if (get_bool(c, norm, "strip_accents", "normalizer", tk->lowercase, &tk->strip_accents)) return -1;
    } else if (*type) {
        return unsupported(c, "normalizer", type, "BertNormalizer or none");
    }
    if (get_type(c, cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer"), "pre_tokenizer", &type))
        return -1;
    if (strcmp(type, "BertPreTokenizer") != 0)
        return unsupported(c, "pre_tokenizer", *type ? type : "null", "BertPreTokenizer with WordPiece");
    return 0;
}

static int load_bpe(ctx *c, const cJSON *root, const cJSON *model)
{
    attn_tokenizer *tk = c->tk;
    const char *s, *type;
    int on;
    const cJSON *dropout = cJSON_GetObjectItemCaseSensitive(model, "dropout");
    if (dropout && !cJSON_IsNull(dropout) && !(cJSON_IsNumber(dropout) && dropout->valuedouble == 0))
        return bad(c, "model.dropout", "BPE dropout is not supported (null or 0)");
    if (get_str(c, model, "continuing_subword_prefix", "model", "", &s)) return -1;
    if (*s) return bad(c, "model.continuing_subword_prefix", "not supported with BPE (null or \"\")");
    if (get_str(c, model, "end_of_word_suffix", "model", "", &s)) return -1;
    if (*s) return bad(c, "model.end_of_word_suffix", "not supported (null or \"\")");
    if (get_bool(c, model, "byte_fallback", "model", 0, &on)) return -1;
    if (on) return bad(c, "model.byte_fallback", "not supported (false)");
    if (get_bool(c, model, "ignore_merges", "model", 0, &tk->ignore_merges)) return -1;

    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(model, "merges");
    if (!cJSON_IsArray(merges)) return bad(c, "model.merges", "expected an array");
    if (bpe_reserve_merges(tk, cJSON_GetArraySize(merges), c->err) != 0) return -1;
    int i = 0;
    for (const cJSON *m = merges->child; m; m = m->next, i++) {
        const char *a = NULL, *b = NULL;
        size_t al = 0, bl = 0;
        if (cJSON_IsString(m) && (al = bpe_split_merge(m->valuestring, strlen(m->valuestring))) > 0) {
            a = m->valuestring;
            b = a + al + 1;
            bl = strlen(b);
        } else if (cJSON_IsArray(m) && cJSON_GetArraySize(m) == 2 && cJSON_IsString(m->child) &&
                   cJSON_IsString(m->child->next)) {
            a = m->child->valuestring;
            b = m->child->next->valuestring;
            al = strlen(a);
            bl = strlen(b);
        }
        if (!a || !al || !bl)
            return attn_fail(c->err, ATTN_EXIT_INPUT,
                             "%s: model.merges[%d]: not a merge (\"a b\", or [\"a\", \"b\"])", c->path, i);
        if (bpe_add_merge(tk, a, al, b, bl, c->path, "model.merges", i, c->err) != 0) return -1;
    }

    if (get_type(c, cJSON_GetObjectItemCaseSensitive(root, "normalizer"), "normalizer", &type)) return -1;
    if (*type) return unsupported(c, "normalizer", type, "none with BPE");
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer");
    if (get_type(c, pre, "pre_tokenizer", &type)) return -1;
    if (strcmp(type, "ByteLevel") != 0)
        return unsupported(c, "pre_tokenizer", *type ? type : "null", "ByteLevel with BPE");
    if (get_bool(c, pre, "add_prefix_space", "pre_tokenizer", 1, &tk->add_prefix_space) ||
        get_bool(c, pre, "use_regex", "pre_tokenizer", 1, &tk->use_regex))
        return -1;
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    double p = cJSON_GetObjectItemCaseSensitive(x, "id")->valuedouble;
    double q = cJSON_GetObjectItemCaseSensitive(y, "id")->valuedouble;
    return (p > q) - (p < q);
}

/* added_tokens: entries already in the vocabulary must have its id; the
 * others extend it, in id order, without gaps. */
static int load_added(ctx *c, const cJSON *list)
{
    attn_tokenizer *tk = c->tk;
    if (!list || cJSON_IsNull(list)) return 0;
    if (!cJSON_IsArray(list)) return bad(c, "added_tokens", "expected an array");
    int n = cJSON_GetArraySize(list), i = 0, n_new = 0, rc = -1;
    const cJSON **fresh = malloc((size_t)(n ? n : 1) * sizeof *fresh); /* [n] not in the vocabulary */
    if (!fresh) return attn_oom(c->err, c->path);
    for (const cJSON *a = list->child; a; a = a->next, i++) {
        char at[64]; /* [64] "added_tokens[i]" */
        snprintf(at, sizeof at, "added_tokens[%d]", i);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(a, "content");
        if (!cJSON_IsObject(a) || !cJSON_IsNumber(id) || id->valuedouble < 0 ||
            id->valuedouble != floor(id->valuedouble) || id->valuedouble > 2147483647.0) {
            bad(c, at, "expected an object with a non-negative integer \"id\"");
            goto done;
        }
        if (!cJSON_IsString(content) || !content->valuestring[0]) {
            bad(c, at, "\"content\" must be a non-empty string");
            goto done;
        }
        int have = sw_vocab_find(&tk->v, content->valuestring, strlen(content->valuestring));
        if (have >= 0 && have != (int)id->valuedouble) {
            attn_fail(c->err, ATTN_EXIT_INPUT, "%s: %s: %s has id %d in the vocabulary, not %d", c->path,
                      at, q(content->valuestring), have, (int)id->valuedouble);
            goto done;
        }
        if (have < 0) fresh[n_new++] = a;
    }
    qsort(fresh, (size_t)n_new, sizeof *fresh, cmp_id);
    for (int k = 0; k < n_new; k++) {
        const char *s = cJSON_GetObjectItemCaseSensitive(fresh[k], "content")->valuestring;
        int id = (int)cJSON_GetObjectItemCaseSensitive(fresh[k], "id")->valuedouble, dup;
        if (id < tk->v.n) {
            attn_fail(c->err, ATTN_EXIT_INPUT, "%s: added_tokens: %s has id %d, which is %s in the vocabulary",
                      c->path, q(s), id, q(sw_vocab_str(&tk->v, id)));
            goto done;
        }
        if (id != tk->v.n) {
            attn_fail(c->err, ATTN_EXIT_INPUT,
                      "%s: added_tokens: %s has id %d, but the next free id is %d (ids must have no gaps)",
                      c->path, q(s), id, tk->v.n);
            goto done;
        }
        int got = sw_vocab_add(&tk->v, s, strlen(s), &dup, c->err);
        if (got == -2) {
            attn_fail(c->err, ATTN_EXIT_INPUT, "%s: added_tokens: %s is listed twice", c->path, q(s));
            goto done;
        }
        if (got < 0) goto done;
    }
    i = 0;
    for (const cJSON *a = list->child; a; a = a->next, i++) {
        char at[64]; /* [64] "added_tokens[i]" */
        int l, r, w;
        snprintf(at, sizeof at, "added_tokens[%d]", i);
        if (get_bool(c, a, "lstrip", at, 0, &l) || get_bool(c, a, "rstrip", at, 0, &r) ||
            get_bool(c, a, "single_word", at, 0, &w) ||
            sw_add_special(tk, (int)cJSON_GetObjectItemCaseSensitive(a, "id")->valuedouble, l, r, w, c->err))
            goto done;
    }
    rc = 0;
done:
    free(fresh);
    return rc;
}

/* The specials a post_processor adds around a single sequence (only a
 * suggestion: anything unexpected just gives none). */
static void load_specials(attn_tokenizer *tk, const cJSON *pp)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(pp, "type");
    if (!cJSON_IsString(type)) return;
    if (strcmp(type->valuestring, "Sequence") == 0) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(pp, "processors");
        for (const cJSON *p = cJSON_IsArray(list) ? list->child : NULL; p; p = p->next) load_specials(tk, p);
    } else if (strcmp(type->valuestring, "BertProcessing") == 0 ||
               strcmp(type->valuestring, "RobertaProcessing") == 0) {
        const cJSON *cls = cJSON_GetObjectItemCaseSensitive(pp, "cls");
        const cJSON *sep = cJSON_GetObjectItemCaseSensitive(pp, "sep");
        if (cJSON_IsArray(cls) && cJSON_IsString(cls->child))
            tk->def_first = tokenizer_token_id(tk, cls->child->valuestring);
        if (cJSON_IsArray(sep) && cJSON_IsString(sep->child))
            tk->def_last = tokenizer_token_id(tk, sep->child->valuestring);
    } else if (strcmp(type->valuestring, "TemplateProcessing") == 0) {
        const cJSON *single = cJSON_GetObjectItemCaseSensitive(pp, "single");
        const cJSON *map = cJSON_GetObjectItemCaseSensitive(pp, "special_tokens");
        int seen_seq = 0, before = 0, after = 0, first = -1, last = -1;
        for (const cJSON *it = cJSON_IsArray(single) ? single->child : NULL; it; it = it->next) {
            const cJSON *sp = cJSON_GetObjectItemCaseSensitive(it, "SpecialToken");
            if (cJSON_GetObjectItemCaseSensitive(it, "Sequence")) seen_seq = 1;
            if (!sp) continue;
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(sp, "id");
            if (!cJSON_IsString(name)) return;
            const cJSON *ent = cJSON_GetObjectItemCaseSensitive(map, name->valuestring);
            const cJSON *toks = cJSON_GetObjectItemCaseSensitive(ent, "tokens");
            const char *s = cJSON_IsArray(toks) && cJSON_GetArraySize(toks) == 1 && cJSON_IsString(toks->child)
                                ? toks->child->valuestring
                                : name->valuestring;
            *(seen_seq ? &last : &first) = tokenizer_token_id(tk, s);
            *(seen_seq ? &after : &before) += 1;
        }
        if (before <= 1 && after <= 1) {
            tk->def_first = first;
            tk->def_last = last;
        }
    }
}

attn_tokenizer *tokenizer_from_json(const char *path, attn_error *err)
{
    size_t len;
    json_doc *doc = NULL;
    char *text = sw_read_file(path, &len, err);
    attn_tokenizer *tk = text ? sw_new(SUBWORD_WORDPIECE, path, err) : NULL;
    ctx c = {path, tk, err};
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
    const char *type;
    if (get_str(&c, model, "type", "model", NULL, &type)) goto fail;
    if (!type) /* older files: no type */
        type = cJSON_GetObjectItemCaseSensitive(model, "merges")                      ? "BPE"
               : cJSON_GetObjectItemCaseSensitive(model, "continuing_subword_prefix") ? "WordPiece"
                                                                                      : "(none)";
    int wp = strcmp(type, "WordPiece") == 0;
    if (!wp && strcmp(type, "BPE") != 0) {
        unsupported(&c, "model", type, "WordPiece or BPE");
        goto fail;
    }
    tk->kind = wp ? SUBWORD_WORDPIECE : SUBWORD_BPE;
    char where[300]; /* [300] "PATH: model.vocab" */
    snprintf(where, sizeof where, "%s: model.vocab", path);
    if (sw_vocab_from_json(tk, cJSON_GetObjectItemCaseSensitive(model, "vocab"), where, err) != 0) goto fail;
    const char *unk = NULL;
    if (wp ? load_wordpiece(&c, root, model, &unk) : load_bpe(&c, root, model)) goto fail;
    if (load_added(&c, cJSON_GetObjectItemCaseSensitive(root, "added_tokens")) != 0) goto fail;
    if (wp) {
        if (wordpiece_init(tk, unk, err) != 0) goto fail;
    } else {
        if (get_str(&c, model, "unk_token", "model", NULL, &unk)) goto fail;
        if (unk && (tk->unk = tokenizer_token_id(tk, unk)) < 0) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: model.unk_token %s is not in the vocabulary", path, q(unk));
            goto fail;
        }
        if (bpe_init(tk, err) != 0) goto fail;
    }
    load_specials(tk, cJSON_GetObjectItemCaseSensitive(root, "post_processor"));
    json_doc_free(doc);
    free(text);
    return tk;
fail:
    json_doc_free(doc);
    free(text);
    tokenizer_free(tk);
    return NULL;
}
