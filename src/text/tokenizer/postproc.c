/* postproc.c — reading a tokenizer.json's "post_processor" (see
 * postproc.h).
 */
#include "text/tokenizer/postproc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SPECIALS 64

typedef struct {
    int first[MAX_SPECIALS], last[MAX_SPECIALS];
    int n_first, n_last;
    int have;            /* a processor that adds specials was read */
} specials;

/* The ids of special token name (special_tokens[name].ids) appended to the
 * list before or after the sequence. */
static int template_special(attn_tokenizer *tk, const tkj *j, const cJSON *map, const char *name, const char *path,
                            int after, specials *sp)
{
    const cJSON *ent = cJSON_IsObject(map) ? cJSON_GetObjectItemCaseSensitive(map, name) : NULL;
    const cJSON *ids = ent ? cJSON_GetObjectItemCaseSensitive(ent, "ids") : NULL;
    if (!cJSON_IsArray(ids))
        return tkj_fail(j, path, "special token %s is not in special_tokens (with its \"ids\")", tkj_q(name));
    for (const cJSON *x = ids->child; x; x = x->next) {
        if (!cJSON_IsNumber(x) || x->valuedouble < 0 || x->valuedouble >= tk->v.n || x->valuedouble != floor(x->valuedouble))
            return tkj_fail(j, path, "special token %s: an id is not in the vocabulary", tkj_q(name));
        int *n = after ? &sp->n_last : &sp->n_first;
        if (*n == MAX_SPECIALS) return tkj_fail(j, path, "more than %d special tokens", MAX_SPECIALS);
        (after ? sp->last : sp->first)[(*n)++] = (int)x->valuedouble;
    }
    return 0;
}

static int read_template(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *path, specials *sp)
{
    const cJSON *single = cJSON_GetObjectItemCaseSensitive(node, "single");
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(node, "special_tokens");
    char at[256], ai[300]; /* [256] path.single; [300] path.single[i] */
    int seen = 0, i = 0;
    tkj_at(at, sizeof at, path, "single", 0);
    if (cJSON_IsArray(single)) {
        for (const cJSON *it = single->child; it; it = it->next, i++) {
            tkj_at(ai, sizeof ai, at, NULL, i);
            const cJSON *tok = cJSON_GetObjectItemCaseSensitive(it, "SpecialToken");
            if (cJSON_GetObjectItemCaseSensitive(it, "Sequence")) {
                if (seen) return tkj_fail(j, ai, "more than one sequence");
                seen = 1;
                continue;
            }
            const cJSON *name = tok ? cJSON_GetObjectItemCaseSensitive(tok, "id") : NULL;
            if (!cJSON_IsString(name)) return tkj_fail(j, ai, "expected {\"SpecialToken\": {\"id\": ...}} or {\"Sequence\": ...}");
            if (template_special(tk, j, map, name->valuestring, ai, seen, sp) != 0) return -1;
        }
    } else {
        return tkj_fail(j, at, "expected a list of pieces");
    }
    if (!seen) return tkj_fail(j, at, "no sequence ($A) in the template");
    return 0;
}

/* [token, id] of BertProcessing and RobertaProcessing. */
static int pair(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *key, const char *path, int *id)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(node, key);
    char at[256]; /* [256] path.key */
    tkj_at(at, sizeof at, path, key, 0);
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 || !cJSON_IsString(v->child) ||
        !cJSON_IsNumber(v->child->next))
        return tkj_fail(j, at, "expected [\"token\", id]");
    double d = v->child->next->valuedouble;
    if (d < 0 || d >= tk->v.n || d != floor(d)) return tkj_fail(j, at, "id %g is not in the vocabulary", d);
    *id = (int)d;
    return 0;
}

typedef struct {
    attn_tokenizer *tk;
    specials *sp;
} post_ctx;

static int read_one(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *path, specials *sp, int depth);

static int each_post(void *ctx, const tkj *j, const cJSON *item, const char *path, int depth)
{
    post_ctx *c = ctx;
    return read_one(c->tk, j, item, path, c->sp, depth);
}

static int read_one(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *path, specials *sp, int depth)
{
    static const char *const names[] = {"ByteLevel", "RobertaProcessing", "BertProcessing", "TemplateProcessing"};
    int t;
    if (tkj_kind(j, node, path, names, 4, "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel or Sequence",
                 &t) != 0)
        return -1;
    post_ctx ctx = {tk, sp};
    if (t == TKJ_NONE) return 0;
    if (t == TKJ_SEQUENCE) return tkj_each(j, node, "processors", path, depth, each_post, &ctx);
    const char *type = names[t];
    int roberta = strcmp(type, "RobertaProcessing") == 0;
    if (strcmp(type, "ByteLevel") == 0 || roberta) {
        int trim, aps;
        /* absent: false (tokenizers' RobertaProcessing; its ByteLevel needs both) */
        if (tkj_bool(j, node, "trim_offsets", path, 0, &trim) || tkj_bool(j, node, "add_prefix_space", path, 0, &aps))
            return -1;
        if (trim) {
            tk->trim_offsets = 1;
            tk->trim_prefix_space = aps;
        }
        if (!roberta) return 0;
    }
    if (roberta || strcmp(type, "BertProcessing") == 0) {
        int cls, sep;
        if (sp->have) return tkj_fail(j, path, "a second processor that adds special tokens");
        if (pair(tk, j, node, "cls", path, &cls) || pair(tk, j, node, "sep", path, &sep)) return -1;
        sp->first[sp->n_first++] = cls;
        sp->last[sp->n_last++] = sep;
        sp->have = 1;
        return 0;
    }
    if (strcmp(type, "TemplateProcessing") == 0) {
        if (sp->have) return tkj_fail(j, path, "a second processor that adds special tokens");
        sp->have = 1;
        return read_template(tk, j, node, path, sp);
    }
    return 0;
}

int tk_postproc_read(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *path)
{
    specials sp = {.n_first = 0};
    if (read_one(tk, j, node, path, &sp, 0) != 0) return -1;
    return sw_set_default_specials(tk, sp.first, sp.n_first, sp.last, sp.n_last, j->err);
}
