/* tkjson.c — typed members of a tokenizer.json with messages naming the
 * file and JSON path (see tkjson.h).
 */
#include "text/tokenizer/tkjson.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "text/tokenizer/vocab.h"

int tkj_fail(const tkj *j, const char *path, const char *fmt, ...)
{
    char msg[400]; /* [400] the message after the path */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return attn_fail(j->err, ATTN_EXIT_INPUT, "%s: %s: %s", j->file, path, msg);
}

const char *tkj_q(const char *s)
{
    static _Thread_local char buf[4][96]; /* [4][96] */
    static _Thread_local int k;
    k = (k + 1) % 4;
    sw_quote(buf[k], sizeof buf[k], s, strlen(s));
    return buf[k];
}

int tkj_unsupported(const tkj *j, const char *path, const char *type, const char *supported)
{
    return attn_fail(j->err, ATTN_EXIT_INPUT, "%s: %s.type %s is not supported (%s)", j->file, path, tkj_q(type),
                     supported);
}

void tkj_at(char *dst, size_t cap, const char *base, const char *key, int i)
{
    if (key) snprintf(dst, cap, "%s.%s", base, key);
    else snprintf(dst, cap, "%s[%d]", base, i);
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return v && !cJSON_IsNull(v) ? v : NULL;
}

int tkj_bool(const tkj *j, const cJSON *obj, const char *key, const char *path, int def, int *out)
{
    const cJSON *v = member(obj, key);
    char at[256]; /* [256] path.key */
    *out = def;
    if (!v) return 0;
    tkj_at(at, sizeof at, path, key, 0);
    if (!cJSON_IsBool(v)) return tkj_fail(j, at, "expected true or false");
    *out = cJSON_IsTrue(v);
    return 0;
}

int tkj_str(const tkj *j, const cJSON *obj, const char *key, const char *path, const char *def, const char **out)
{
    const cJSON *v = member(obj, key);
    char at[256]; /* [256] path.key */
    *out = def;
    if (!v) return 0;
    tkj_at(at, sizeof at, path, key, 0);
    if (!cJSON_IsString(v)) return tkj_fail(j, at, "expected a string");
    *out = v->valuestring;
    return 0;
}

int tkj_int(const tkj *j, const cJSON *obj, const char *key, const char *path, long lo, long hi, long def,
            long *out)
{
    const cJSON *v = member(obj, key);
    char at[256]; /* [256] path.key */
    *out = def;
    if (!v) return 0;
    tkj_at(at, sizeof at, path, key, 0);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < (double)lo ||
        v->valuedouble > (double)hi)
        return tkj_fail(j, at, "expected an integer from %ld to %ld", lo, hi);
    *out = (long)v->valuedouble;
    return 0;
}

int tkj_type(const tkj *j, const cJSON *obj, const char *path, const char **type)
{
    *type = "";
    if (!obj || cJSON_IsNull(obj)) return 0;
    if (!cJSON_IsObject(obj)) return tkj_fail(j, path, "expected an object");
    if (tkj_str(j, obj, "type", path, NULL, type) != 0) return -1;
    if (!*type) return tkj_fail(j, path, "no \"type\"");
    return 0;
}

int tkj_kind(const tkj *j, const cJSON *node, const char *path, const char *const *names, int n, const char *supported,
             int *kind)
{
    const char *type;
    *kind = TKJ_NONE;
    if (tkj_type(j, node, path, &type) != 0) return -1;
    if (!*type) return 0;
    if (strcmp(type, "Sequence") == 0) {
        *kind = TKJ_SEQUENCE;
        return 0;
    }
    for (int t = 0; t < n; t++)
        if (strcmp(type, names[t]) == 0) {
            *kind = t;
            return 0;
        }
    return tkj_unsupported(j, path, type, supported);
}

int tkj_array(const tkj *j, const cJSON *obj, const char *key, const char *path, const cJSON **out)
{
    const cJSON *v = member(obj, key);
    char at[256]; /* [256] path.key */
    *out = NULL;
    if (!v) return 0;
    tkj_at(at, sizeof at, path, key, 0);
    if (!cJSON_IsArray(v)) return tkj_fail(j, at, "expected an array");
    *out = v;
    return 0;
}

int tkj_each(const tkj *j, const cJSON *node, const char *key, const char *path, int depth, tkj_each_fn fn,
             void *ctx)
{
    const cJSON *list;
    char at[256]; /* [256] path.key */
    if (tkj_array(j, node, key, path, &list) != 0) return -1;
    if (depth > 32) return tkj_fail(j, path, "Sequence nested too deeply");
    tkj_at(at, sizeof at, path, key, 0);
    int i = 0;
    for (const cJSON *e = list ? list->child : NULL; e; e = e->next, i++) {
        char ai[300]; /* [300] path.key[i] */
        tkj_at(ai, sizeof ai, at, NULL, i);
        if (cJSON_IsNull(e)) return tkj_fail(j, ai, "expected an object, not null");
        if (fn(ctx, j, e, ai, depth + 1) != 0) return -1;
    }
    return 0;
}

int tkj_pattern(const tkj *j, const cJSON *obj, const char *key, const char *path, tk_pattern *out)
{
    const cJSON *v = member(obj, key);
    char at[256], at2[300], why[300]; /* [256] path.key; [300] path.key.Regex; [300] PCRE2's complaint */
    memset(out, 0, sizeof *out);
    tkj_at(at, sizeof at, path, key, 0);
    if (!v) return tkj_fail(j, at, "missing (expected {\"String\": ...} or {\"Regex\": ...})");
    const cJSON *s = member(v, "String"), *r = member(v, "Regex");
    if (!cJSON_IsObject(v) || (!s == !r) || cJSON_GetArraySize(v) != 1)
        return tkj_fail(j, at, "expected {\"String\": ...} or {\"Regex\": ...}");
    tkj_at(at2, sizeof at2, at, s ? "String" : "Regex", 0);
    const cJSON *str = s ? s : r;
    if (!cJSON_IsString(str)) return tkj_fail(j, at2, "expected a string");
    if (s) {
        if (!(out->str = strdup(str->valuestring))) return attn_oom(j->err, j->file);
        out->len = strlen(out->str);
        return 0;
    }
    if (!(out->re = tk_regex_new(str->valuestring, strlen(str->valuestring), why, sizeof why)))
        return tkj_fail(j, at2, "invalid regular expression: %s", why);
    return 0;
}

int tkj_char(const tkj *j, const cJSON *obj, const char *key, const char *path, const char *def, char out[5])
{
    const char *s;
    char at[256]; /* [256] path.key */
    if (tkj_str(j, obj, key, path, def, &s) != 0) return -1;
    uint32_t cp;
    size_t n = strlen(s);
    if (n == 0 || n > 4 || (size_t)utf8_next(s, &cp) != n) {
        tkj_at(at, sizeof at, path, key, 0);
        return tkj_fail(j, at, "expected one character, not %s", tkj_q(s));
    }
    memcpy(out, s, n + 1);
    return 0;
}
