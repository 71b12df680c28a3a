/* model_json.c — the version-1 JSON weight file (cJSON): load and save.
 *
 * Loading validates as it goes and names the file and the JSON path in every
 * message: structure and types here, shapes against the config in
 * model_bind(). Nothing is computed from a file until all of it is valid.
 */
#include "model/model.h"

#include <cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/io.h"
#include "base/jsonutil.h"
#include "text/subword.h"

static const char *const top_keys[] = {"attnviz_model", "config", "tokenizer", "tensors", "extra", NULL};
static const char *const config_keys[] = {"architecture", "d_model", "n_heads", "n_layers", "score",
                                          "causal", "positional", "max_positions",
                                          "projections", "layer_norm", "d_ff", "activation",
                                          "layer_norm_eps", "type_vocab_size", "position_offset", NULL};
static const char *const tokenizer_keys[] = {"type", "lowercase", "unk", "vocab", "merges", "special", NULL};

static const char *const arch_names[] = {"attention", "bert", "gpt2", NULL};
static const char *const act_names[] = {"gelu", "gelu_tanh", "relu", NULL};
static const char *const tokenizer_types[] = {"words", "wordpiece", "bpe", NULL};

static const char *const score_names[] = {"scaled_dot", "dot", "additive", NULL};
static const char *const positional_names[] = {"sinusoidal", "learned", "none", NULL};
static const char *const layer_norm_names[] = {"none", "pre", "post", NULL};

static int check_keys(const char *path, const char *where, const cJSON *obj,
                      const char *const *allowed, attn_error *err)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int ok = 0;
        for (const char *const *k = allowed; *k; k++)
            if (strcmp(it->string, *k) == 0) ok = 1;
        if (!ok)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: unknown key \"%s\" in %s%s", path,
                             it->string, where,
                             strcmp(where, "the top level") == 0 ? " (put extra data under \"extra\")" : "");
    }
    return 0;
}

/* Reads an integer field in [lo, hi]; absent: *out = dflt, or an error when
 * dflt < lo (required). */
static int get_int(const char *path, const cJSON *obj, const char *key, long lo, long hi,
                   long dflt, int *out, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (dflt < lo) return attn_fail(err, ATTN_EXIT_INPUT, "%s: config.%s is missing", path, key);
        *out = (int)dflt;
        return 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: config.%s must be an integer", path, key);
    if (v->valuedouble < (double)lo || v->valuedouble > (double)hi)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: config.%s = %.17g is out of range [%ld, %ld]",
                         path, key, v->valuedouble, lo, hi);
    *out = (int)v->valuedouble;
    return 0;
}

/* The index of s in names (NULL-terminated), or -1. */
static int name_index(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

static int get_enum(const char *path, const cJSON *obj, const char *key,
                    const char *const *names, int *out, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return 0;
    int i = cJSON_IsString(v) ? name_index(names, v->valuestring) : -1;
    if (i >= 0) {
        *out = i;
        return 0;
    }
    char list[128] = "";
    for (int i = 0; names[i]; i++) {
        strcat(list, i ? ", " : "");
        strcat(list, names[i]);
    }
    return attn_fail(err, ATTN_EXIT_INPUT, "%s: config.%s must be one of %s", path, key, list);
}

static int get_bool(const char *path, const char *where, const cJSON *obj, const char *key,
                    int *out, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return 0;
    if (!cJSON_IsBool(v))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s.%s must be true or false", path, where, key);
    *out = cJSON_IsTrue(v);
    return 0;
}

static int get_double(const char *path, const cJSON *obj, const char *key, double *out, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return 0;
    if (!cJSON_IsNumber(v))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: config.%s must be a number", path, key);
    *out = v->valuedouble;
    return 0;
}

/* A bert or gpt2 config fixes what the layers look like: a key that says
 * otherwise is an error, an absent one takes the architecture's value. */
static int arch_fixed(const char *path, const cJSON *c, const char *key, const char *const *names,
                      int want, int *out, const char *arch, attn_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
    if (v && *out != want)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: config.%s must be %s%s%s for architecture \"%s\"", path,
                         key, names ? "\"" : "", names ? names[want] : want ? "true" : "false", names ? "\"" : "",
                         arch);
    *out = want;
    return 0;
}

static int load_config(attn_model *m, const char *path, const cJSON *c, attn_error *err)
{
    if (!cJSON_IsObject(c))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"config\" is missing or not an object", path);
    if (check_keys(path, "config", c, config_keys, err)) return -1;
    attn_config *cfg = &m->cfg;
    int score = 0, pos = 0, ln = 0, arch = 0, act = 0;
    if (get_enum(path, c, "architecture", arch_names, &arch, err)) return -1;
    if (arch != ARCH_ATTENTION) { /* the architecture's defaults */
        pos = POS_LEARNED;
        ln = arch == ARCH_BERT ? LN_POST : LN_PRE;
        cfg->causal = arch == ARCH_GPT2;
        act = arch == ARCH_BERT ? ACT_GELU : ACT_GELU_TANH;
        cfg->ln_eps = arch == ARCH_BERT ? 1e-12 : 1e-5;
    }
    if (get_int(path, c, "d_model", 1, ATTN_MAX_DIM, -1, &cfg->d_model, err) ||
        get_int(path, c, "n_heads", 1, ATTN_MAX_HEADS, -1, &cfg->n_heads, err) ||
        get_int(path, c, "n_layers", 1, ATTN_MAX_LAYERS, -1, &cfg->n_layers, err) ||
        get_int(path, c, "max_positions", 1, ATTN_MAX_POS, 512, &cfg->max_positions, err) ||
        (arch != ARCH_ATTENTION && get_int(path, c, "d_ff", 1, 4 * ATTN_MAX_DIM, -1, &cfg->d_ff, err)) ||
        get_int(path, c, "type_vocab_size", 0, ATTN_MAX_VOCAB, 0, &cfg->type_vocab, err) ||
        get_int(path, c, "position_offset", 0, ATTN_MAX_POS, 0, &cfg->pos_offset, err) ||
        get_double(path, c, "layer_norm_eps", &cfg->ln_eps, err) ||
        get_enum(path, c, "score", score_names, &score, err) ||
        get_enum(path, c, "positional", positional_names, &pos, err) ||
        get_enum(path, c, "layer_norm", layer_norm_names, &ln, err) ||
        get_enum(path, c, "activation", act_names, &act, err) ||
        get_bool(path, "config", c, "causal", &cfg->causal, err) ||
        get_bool(path, "config", c, "projections", &cfg->projections, err))
        return -1;
    if (arch == ARCH_ATTENTION) {
        const char *const only[] = {"d_ff", "activation", "layer_norm_eps", "type_vocab_size", NULL};
        for (int i = 0; only[i]; i++)
            if (cJSON_GetObjectItemCaseSensitive(c, only[i]))
                return attn_fail(err, ATTN_EXIT_INPUT,
                                 "%s: config.%s needs config.architecture \"bert\" or \"gpt2\"", path, only[i]);
    } else if (arch_fixed(path, c, "positional", positional_names, POS_LEARNED, &pos, arch_names[arch], err) ||
               arch_fixed(path, c, "layer_norm", layer_norm_names, arch == ARCH_BERT ? LN_POST : LN_PRE, &ln,
                          arch_names[arch], err) ||
               arch_fixed(path, c, "projections", NULL, 1, &cfg->projections, arch_names[arch], err)) {
        return -1;
    }
    cfg->arch = (attn_arch)arch;
    cfg->act = (attn_act)act;
    cfg->score = (attn_score_fn)score;
    cfg->layer_norm = (attn_layer_norm)ln;
    cfg->positional = (attn_positional)pos;
    return 0;
}

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (d) strcpy(d, s);
    return d;
}

/* A JSON array of strings as a malloc'd array of pointers into the parse
 * (valid while the parse is), or NULL with err filled. */
static const char **string_list(const char *path, const cJSON *arr, const char *key, int max, int *n,
                                attn_error *err)
{
    if (!cJSON_IsArray(arr)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: tokenizer.%s must be an array of strings", path, key);
        return NULL;
    }
    *n = cJSON_GetArraySize(arr);
    if (*n < 1 || *n > max) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: tokenizer.%s has %d entries (allowed 1 to %d)", path, key, *n, max);
        return NULL;
    }
    const char **list = malloc((size_t)*n * sizeof *list);
    if (!list) {
        attn_oom(err, path);
        return NULL;
    }
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        if (!cJSON_IsString(it)) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: tokenizer.%s[%d] is not a string", path, key, i);
            free(list);
            return NULL;
        }
        list[i] = it->valuestring;
    }
    return list;
}

/* tokenizer.special: [first, last], each a string or null; default by the
 * tokenizer type and architecture: [CLS] … [SEP] for WordPiece, <s> … </s>
 * for a BPE encoder (bert), none for gpt2. */
static int load_specials(attn_model *m, const char *path, const cJSON *t, int type, attn_error *err)
{
    const char *first = NULL, *last = NULL;
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(t, "special");
    if (sp) {
        const cJSON *a = cJSON_GetArrayItem(sp, 0), *b = cJSON_GetArrayItem(sp, 1);
        if (!cJSON_IsArray(sp) || cJSON_GetArraySize(sp) != 2 || !(cJSON_IsString(a) || cJSON_IsNull(a)) ||
            !(cJSON_IsString(b) || cJSON_IsNull(b)))
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "%s: tokenizer.special must be [first, last], each a token or null", path);
        first = cJSON_IsString(a) ? a->valuestring : NULL;
        last = cJSON_IsString(b) ? b->valuestring : NULL;
    } else if (m->cfg.arch == ARCH_BERT) {
        first = type == 1 ? "[CLS]" : "<s>";
        last = type == 1 ? "[SEP]" : "</s>";
    }
    return tokenizer_set_specials(m->tokenizer, first, last, err); /* its message names the file */
}

/* A subword tokenizer (type 1 wordpiece, 2 bpe) from tokenizer.vocab (and
 * .merges). */
static int load_subword(attn_model *m, const char *path, const cJSON *t, int type, attn_error *err)
{
    if (m->cfg.arch == ARCH_ATTENTION)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "%s: tokenizer.type \"%s\" needs config.architecture \"bert\" or \"gpt2\"", path,
                         tokenizer_types[type]);
    int n = 0, n_merges = 0;
    const char **vocab = string_list(path, cJSON_GetObjectItemCaseSensitive(t, "vocab"), "vocab",
                                     ATTN_MAX_VOCAB, &n, err);
    if (!vocab) return -1;
    const char **merges = NULL;
    const cJSON *mj = cJSON_GetObjectItemCaseSensitive(t, "merges");
    if (type == 1) {
        const cJSON *unk = cJSON_GetObjectItemCaseSensitive(t, "unk");
        if (mj) {
            free(vocab);
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tokenizer.merges is for \"bpe\", not \"wordpiece\"",
                             path);
        }
        if (unk && !cJSON_IsString(unk)) {
            free(vocab);
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tokenizer.unk must be a string", path);
        }
        m->tokenizer = wordpiece_from_list(vocab, n, m->lowercase, unk ? unk->valuestring : "[UNK]", path, err);
    } else {
        if (cJSON_GetObjectItemCaseSensitive(t, "unk") || cJSON_GetObjectItemCaseSensitive(t, "lowercase")) {
            free(vocab);
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "%s: tokenizer.unk and .lowercase are not used by \"bpe\" (byte-level: no unknown "
                             "words, no case folding)", path);
        }
        if (!(merges = string_list(path, mj, "merges", ATTN_MAX_VOCAB, &n_merges, err))) {
            free(vocab);
            return -1;
        }
        m->tokenizer = bpe_from_lists(vocab, n, merges, n_merges, path, err);
    }
    free(vocab);
    free(merges);
    if (!m->tokenizer) return -1;
    return load_specials(m, path, t, type, err);
}

static int load_tokenizer(attn_model *m, const char *path, const cJSON *t, attn_error *err)
{
    if (!t) return 0;
    if (!cJSON_IsObject(t))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: \"tokenizer\" must be an object", path);
    if (check_keys(path, "tokenizer", t, tokenizer_keys, err)) return -1;
    int type = 0;
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(t, "type");
    if (ty && !(cJSON_IsString(ty) && (type = name_index(tokenizer_types, ty->valuestring)) >= 0))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tokenizer.type must be \"words\", \"wordpiece\" or \"bpe\"",
                         path);
    if (get_bool(path, "tokenizer", t, "lowercase", &m->lowercase, err)) return -1;
    if (type != 0) return load_subword(m, path, t, type, err);
    if (cJSON_GetObjectItemCaseSensitive(t, "merges") || cJSON_GetObjectItemCaseSensitive(t, "special"))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tokenizer.%s is not used by the \"words\" tokenizer", path,
                         cJSON_GetObjectItemCaseSensitive(t, "merges") ? "merges" : "special");
    const cJSON *unk = cJSON_GetObjectItemCaseSensitive(t, "unk");
    if (unk && !cJSON_IsString(unk))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tokenizer.unk must be a string", path);
    free(m->unk);
    m->unk = dup_str(unk ? unk->valuestring : "[UNK]");
    if (!m->unk) return attn_oom(err, path);
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(t, "vocab");
    if (!vocab) return 0;
    int n = 0;
    const char **list = string_list(path, vocab, "vocab", ATTN_MAX_VOCAB, &n, err);
    if (!list) return -1;
    m->vocab = calloc((size_t)n, sizeof *m->vocab);
    if (!m->vocab) {
        free(list);
        return attn_oom(err, path);
    }
    for (; m->n_vocab < n; m->n_vocab++)
        if (!(m->vocab[m->n_vocab] = dup_str(list[m->n_vocab]))) break;
    free(list);
    if (m->n_vocab < n) return attn_oom(err, path);
    if (model_index_vocab(m, path, err)) return -1;
    m->unk_id = vocab_lookup(m, m->unk);
    return 0;
}

/* Shape of a nested array: descends through first elements. */
static int nested_shape(const cJSON *a, int *ndim, long shape[2])
{
    *ndim = 0;
    while (cJSON_IsArray(a)) {
        if (*ndim == 2) return -1;
        shape[(*ndim)++] = cJSON_GetArraySize(a);
        a = a->child;
    }
    return 0;
}

static int read_number(const char *path, const char *name, const cJSON *v, size_t i, float *out,
                       attn_error *err)
{
    if (!cJSON_IsNumber(v))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': element %zu is not a number", path,
                         name, i);
    double d = v->valuedouble;
    if (!isfinite(d) || fabs(d) > 3.4028234663852886e38)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': element %zu is not a finite float32 (%g)",
                         path, name, i, d);
    *out = (float)d;
    return 0;
}

static int load_tensor(attn_model *m, const char *path, const cJSON *t, attn_error *err)
{
    const char *name = t->string;
    if (model_find(m, name))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' appears twice", path, name);
    int ndim = 0;
    long shape[2] = {0, 0};
    const cJSON *data = t;
    if (cJSON_IsObject(t)) {
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(t, "shape");
        data = cJSON_GetObjectItemCaseSensitive(t, "data");
        if (!cJSON_IsArray(sh) || !cJSON_IsArray(data) || cJSON_GetArraySize(t) != 2)
            return attn_fail(err, ATTN_EXIT_INPUT,
                             "%s: tensor '%s' must be a nested array or {\"shape\": [...], \"data\": [...]}",
                             path, name);
        for (const cJSON *d = sh->child; d; d = d->next) {
            if (ndim == 2)
                return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' has more than 2 dimensions", path, name);
            if (!cJSON_IsNumber(d) || d->valuedouble != floor(d->valuedouble) || d->valuedouble < 1 ||
                d->valuedouble > 2147483647.0)
                return attn_fail(err, ATTN_EXIT_INPUT,
                                 "%s: tensor '%s': shape entries must be positive integers", path, name);
            shape[ndim++] = (long)d->valuedouble;
        }
        if (ndim == 0)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': empty shape", path, name);
    } else if (cJSON_IsArray(t)) {
        if (nested_shape(t, &ndim, shape) != 0)
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' has more than 2 dimensions", path, name);
        if (shape[0] == 0 || (ndim == 2 && shape[1] == 0))
            return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' is empty", path, name);
    } else {
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' must be an array or an object", path, name);
    }
    double total = (double)shape[0] * (double)(ndim == 2 ? shape[1] : 1);
    if (total > (double)ATTN_MAX_ELEMENTS)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s' has %.0f elements (limit %llu)", path,
                         name, total, (unsigned long long)ATTN_MAX_ELEMENTS);
    size_t n = (size_t)total;
    if (data != t && (size_t)cJSON_GetArraySize(data) != n) /* before allocating what the shape claims */
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: tensor '%s': shape needs %zu values but data has %zu", path,
                         name, n, (size_t)cJSON_GetArraySize(data));
    float *buf = malloc(n * sizeof *buf); /* [shape[0] * shape[1]] row-major */
    if (!buf) return attn_oom(err, name);
    size_t i = 0;
    int rc = 0;
    if (data != t) { /* {"shape", "data"}: flat, n values (checked above) */
        for (const cJSON *v = data->child; rc == 0 && v; v = v->next, i++)
            rc = read_number(path, name, v, i, &buf[i], err);
    } else if (ndim == 1) {
        for (const cJSON *v = t->child; rc == 0 && v; v = v->next, i++)
            rc = read_number(path, name, v, i, &buf[i], err);
    } else {
        long r = 0;
        for (const cJSON *row = t->child; rc == 0 && row; row = row->next, r++) {
            if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != shape[1]) {
                rc = attn_fail(err, ATTN_EXIT_INPUT,
                               "%s: tensor '%s': row %ld has %d entries, row 0 has %ld (ragged array)",
                               path, name, r, cJSON_IsArray(row) ? cJSON_GetArraySize(row) : 0, shape[1]);
                break;
            }
            for (const cJSON *v = row->child; rc == 0 && v; v = v->next, i++)
                rc = read_number(path, name, v, i, &buf[i], err);
        }
    }
    if (rc != 0) {
        free(buf);
        return -1;
    }
    int sh[2] = {(int)shape[0], (int)shape[1]};
    return model_add_tensor(m, name, ndim, sh, buf, err);
}

attn_model *model_load_json(const char *path, attn_error *err)
{
    size_t len = 0;
    char *text = io_read_file(path, &len, err);
    if (!text) return NULL;
    attn_model *m = NULL;
    json_doc *doc = NULL;
    cJSON *root = json_parse_doc(path, text, len, &doc, err);
    if (!root) goto done;
    if (!cJSON_IsObject(root)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: not an attnviz weight file (top level is not an object)", path);
        goto done;
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "attnviz_model");
    if (!ver) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: not an attnviz weight file (no \"attnviz_model\" key)", path);
        goto done;
    }
    if (!cJSON_IsNumber(ver) || ver->valuedouble != 1.0) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: unsupported \"attnviz_model\" version (this attnviz reads 1)",
                  path);
        goto done;
    }
    if (check_keys(path, "the top level", root, top_keys, err)) goto done;
    if (!(m = model_new(err))) goto done;
    if (load_config(m, path, cJSON_GetObjectItemCaseSensitive(root, "config"), err) ||
        load_tokenizer(m, path, cJSON_GetObjectItemCaseSensitive(root, "tokenizer"), err))
        goto fail;
    const cJSON *tensors = cJSON_GetObjectItemCaseSensitive(root, "tensors");
    if (!cJSON_IsObject(tensors)) {
        attn_fail(err, ATTN_EXIT_INPUT, "%s: \"tensors\" is missing or not an object", path);
        goto fail;
    }
    for (const cJSON *t = tensors->child; t; t = t->next)
        if (load_tensor(m, path, t, err)) goto fail;
    if (model_bind(m, path, err)) goto fail;
    if (!(m->source = dup_str(path))) {
        attn_oom(err, path);
        goto fail;
    }
    goto done;
fail:
    model_free(m);
    m = NULL;
done:
    json_doc_free(doc); /* frees root and every node under it */
    free(text);
    return m;
}

/* ---- save ------------------------------------------------------------------- */

/* A float as the shortest of %.6g..%.9g that reads back to the same value. */
static cJSON *float_item(float v)
{
    char s[32];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, (double)v);
        if (strtof(s, NULL) == v) break;
    }
    return cJSON_CreateRaw(s);
}

int model_save_json(const attn_model *m, const char *path, attn_error *err)
{
    const attn_config *c = &m->cfg;
    if (m->tokenizer)
        return attn_fail(err, ATTN_EXIT_INPUT,
                         "--save-model: %s has a subword tokenizer, which a weight file cannot hold yet; "
                         "its directory is the model to share", m->source ? m->source : "the model");
    if (model_check_weights(m, -1, err)) return -1; /* every weight is written: all must be finite */
    cJSON *root = cJSON_CreateObject();
    cJSON *cfg = NULL, *tensors = NULL;
    int ok = root && cJSON_AddNumberToObject(root, "attnviz_model", 1) &&
             (cfg = cJSON_AddObjectToObject(root, "config"));
    ok = ok && cJSON_AddStringToObject(cfg, "architecture", arch_names[c->arch]);
    ok = ok && cJSON_AddNumberToObject(cfg, "d_model", c->d_model);
    ok = ok && cJSON_AddNumberToObject(cfg, "n_heads", c->n_heads);
    ok = ok && cJSON_AddNumberToObject(cfg, "n_layers", c->n_layers);
    ok = ok && cJSON_AddStringToObject(cfg, "score", score_names[c->score]);
    ok = ok && cJSON_AddBoolToObject(cfg, "causal", c->causal);
    ok = ok && cJSON_AddStringToObject(cfg, "positional", positional_names[c->positional]);
    ok = ok && cJSON_AddNumberToObject(cfg, "max_positions", c->max_positions);
    ok = ok && cJSON_AddBoolToObject(cfg, "projections", c->projections);
    ok = ok && cJSON_AddStringToObject(cfg, "layer_norm", layer_norm_names[c->layer_norm]);
    if (c->arch != ARCH_ATTENTION) {
        ok = ok && cJSON_AddNumberToObject(cfg, "d_ff", c->d_ff);
        ok = ok && cJSON_AddStringToObject(cfg, "activation", act_names[c->act]);
        ok = ok && cJSON_AddNumberToObject(cfg, "layer_norm_eps", c->ln_eps);
        ok = ok && cJSON_AddNumberToObject(cfg, "type_vocab_size", c->type_vocab);
        ok = ok && cJSON_AddNumberToObject(cfg, "position_offset", c->pos_offset);
    }
    if (ok) {
        cJSON *tok = cJSON_AddObjectToObject(root, "tokenizer");
        ok = tok && cJSON_AddStringToObject(tok, "type", "words") &&
             cJSON_AddBoolToObject(tok, "lowercase", m->lowercase) &&
             cJSON_AddStringToObject(tok, "unk", m->unk ? m->unk : "[UNK]");
        if (ok && m->vocab) {
            cJSON *v = cJSON_CreateStringArray((const char *const *)m->vocab, m->n_vocab);
            ok = v && cJSON_AddItemToObject(tok, "vocab", v);
        }
    }
    if (ok && m->seeded) {
        cJSON *extra = cJSON_AddObjectToObject(root, "extra");
        char seed[32];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
        ok = extra && cJSON_AddStringToObject(extra, "generated_by", "attnviz " ATTNVIZ_VERSION) &&
             cJSON_AddStringToObject(extra, "seed", seed);
    }
    ok = ok && (tensors = cJSON_AddObjectToObject(root, "tensors"));
    for (int i = 0; ok && i < m->n_tensors; i++) {
        const attn_tensor *t = &m->tensors[i];
        cJSON *obj = cJSON_CreateObject();
        cJSON *shape = cJSON_CreateIntArray(t->shape, t->ndim);
        cJSON *data = cJSON_CreateArray();
        ok = obj && shape && data;
        int cols = t->ndim > 1 ? t->shape[1] : 1;
        for (int r = 0; ok && r < t->shape[0]; r++)
            for (int col = 0; ok && col < cols; col++) {
                cJSON *v = float_item(tensor_at(t, r, col));
                ok = v && cJSON_AddItemToArray(data, v);
            }
        if (ok) {
            cJSON_AddItemToObject(obj, "shape", shape);
            cJSON_AddItemToObject(obj, "data", data);
            ok = cJSON_AddItemToObject(tensors, t->name, obj);
        } else {
            cJSON_Delete(obj);
            cJSON_Delete(shape);
            cJSON_Delete(data);
        }
    }
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text) return attn_oom(err, path);
    attn_buf out;
    buf_init(&out);
    buf_puts(&out, text);
    buf_putc(&out, '\n');
    cJSON_free(text);
    int rc = out.failed ? attn_oom(err, path) : io_write_atomic(path, out.data, out.len, err);
    buf_free(&out);
    return rc;
}
