/* tkjson.c — typed members of a tokenizer.json with messages naming the
 * file and JSON path (see tkjson.h).
 */
#include "text/tokenizer/tkjson.h"

#include <math.h>
#include <stdint.h>
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
    tkj_at(at, sizeof at, path, key, 0);
    if (!s) return tkj_fail(j, at, "missing (one character)"); /* required: no default */
    uint32_t cp;
    size_t n = strlen(s);
    if (n == 0 || n > 4 || (size_t)utf8_next(s, &cp) != n) return tkj_fail(j, at, "expected one character, not %s", tkj_q(s));
    memcpy(out, s, n + 1);
    return 0;
}

/* ---- the raw text ---- */

static const char *skip_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Past the JSON value at p (which the parse has accepted), or NULL. */
static const char *skip_value(const char *p, const char *e)
{
    int depth = 0;
    do {
        p = skip_ws(p, e);
        if (p >= e) return NULL;
        if (*p == '"') {
            for (p++; p < e && *p != '"'; p++)
                if (*p == '\\') p++;
            if (p >= e) return NULL;
            p++;
        } else if (*p == '{' || *p == '[') {
            depth++;
            p++;
        } else if (*p == '}' || *p == ']') {
            depth--;
            p++;
        } else if (*p == ',' || *p == ':') {
            p++;
        } else {
            while (p < e && !strchr(",:]} \t\n\r", *p)) p++;
        }
    } while (depth > 0);
    return p;
}

int tkj_raw(const tkj *j, const char *const *keys, int n, const char **start, const char **end)
{
    if (!j->text) return -1;
    const char *p = skip_ws(j->text, j->text + j->len), *e = j->text + j->len;
    for (int k = 0; k < n; k++) {
        if (p >= e || *p != '{') return -1;
        p++;
        int found = 0;
        while (!found) {
            p = skip_ws(p, e);
            if (p >= e || *p != '"') return -1;
            const char *ks = ++p;
            while (p < e && *p != '"') p += *p == '\\' ? 2 : 1;
            if (p >= e) return -1;
            size_t kl = (size_t)(p - ks);
            p = skip_ws(p + 1, e);
            if (p >= e || *p != ':') return -1;
            p = skip_ws(p + 1, e);
            found = kl == strlen(keys[k]) && memcmp(ks, keys[k], kl) == 0;
            if (found) break;
            if (!(p = skip_value(p, e))) return -1;
            p = skip_ws(p, e);
            if (p >= e || *p != ',') return -1;
            p++;
        }
    }
    const char *v = skip_value(p, e);
    if (!v) return -1;
    *start = p;
    *end = v;
    return 0;
}

int tkj_serde_f64(const char *p, size_t n, double *out)
{
    const char *e = p + n;
    int neg = p < e && *p == '-';
    if (neg) p++;
    if (p >= e || *p < '0' || *p > '9') return -1;
    uint64_t sig = 0;
    long exp = 0;
    int dropping = 0; /* digits past what a u64 holds */
    for (; p < e && *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (!dropping && sig <= (UINT64_MAX - d) / 10) sig = sig * 10 + d;
        else dropping = 1, exp++; /* an integer part: its dropped digits still count */
    }
    if (p < e && *p == '.') {
        p++;
        if (p >= e || *p < '0' || *p > '9') return -1;
        for (; p < e && *p >= '0' && *p <= '9'; p++) {
            unsigned d = (unsigned)(*p - '0');
            if (dropping || sig > (UINT64_MAX - d) / 10) {
                dropping = 1; /* the rest of the decimals are ignored */
                continue;
            }
            sig = sig * 10 + d;
            exp--;
        }
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = p < e && *p == '-';
        if (p < e && (*p == '-' || *p == '+')) p++;
        if (p >= e || *p < '0' || *p > '9') return -1;
        long x = 0;
        for (; p < e && *p >= '0' && *p <= '9'; p++) x = x < 100000 ? x * 10 + (*p - '0') : x;
        exp += eneg ? -x : x;
    }
    if (p != e) return -1;
    double f = (double)sig;
    for (;;) {
        long a = exp < 0 ? -exp : exp;
        if (a <= 308) {
            char pw[8]; /* [8] "1eNNN" */
            snprintf(pw, sizeof pw, "1e%ld", a);
            double pow10 = strtod(pw, NULL); /* the correctly rounded 10^a, as Rust's literal */
            f = exp >= 0 ? f * pow10 : f / pow10;
            break;
        }
        if (f == 0.0) break;
        if (exp >= 0) return -1; /* out of range */
        f /= 1e308;
        exp += 308;
    }
    *out = neg ? -f : f;
    return 0;
}
