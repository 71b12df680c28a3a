/* safetensors_json.c — the JSON texts of safetensors (a file's header, a
 * shard index): the checks cJSON does not make, and exact integers.
 *
 * cJSON stops at a NUL byte (the rest of the text would go unread), ends a
 * string at "\u0000", keeps both members of {"a": 1, "a": 2}, and holds
 * numbers as doubles (not every 64-bit offset is one). st_parse_json()
 * refuses the first three and reads every number literal exactly from the
 * text, so "2.0" or "1e3" is not taken for an integer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonutil.h"
#include "base/utf8.h"
#include "model/safetensors_impl.h"

const char *st_show(const char *name, char buf[ST_SHOW])
{
    size_t n = strlen(name), keep = n < ST_SHOW ? n : utf8_prefix(name, n, ST_SHOW - 4); /* then "..." */
    for (size_t i = 0; i < keep; i++) {
        unsigned char c = (unsigned char)name[i];
        buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    strcpy(buf + keep, keep < n ? "..." : "");
    return buf;
}

const char *st_json_type(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsBool(v)) return "a boolean";
    return "null";
}

static int push_num(st_json *j, size_t *cap, size_t at, size_t len)
{
    if (j->n_nums == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        st_num *p = realloc(j->nums, nc * sizeof *p);
        if (!p) return -1;
        j->nums = p;
        *cap = nc;
    }
    st_num *n = &j->nums[j->n_nums++];
    const char *t = j->text + at;
    n->at = at;
    n->len = len;
    n->value = 0;
    n->kind = ST_NUM_OK;
    if (t[0] == '-') {
        n->kind = ST_NUM_NEGATIVE;
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (t[i] < '0' || t[i] > '9') {
            n->kind = ST_NUM_NOT_INTEGER;    /* 2.5, 1e300, 4.0 */
            return 0;
        }
        unsigned d = (unsigned)(t[i] - '0');
        if (n->value > (UINT64_MAX - d) / 10) n->kind = ST_NUM_TOO_BIG;
        else n->value = n->value * 10 + d;
    }
    return 0;
}

/* Lists the number literals of a JSON text cJSON accepted, in file order,
 * and refuses the escape \u0000 (cJSON would cut the string there). */
static int lex_numbers(const char *path, const char *what, st_json *j, size_t len, attn_error *err)
{
    const char *t = j->text;
    size_t cap = 0;
    for (size_t i = 0; i < len;) {
        if (t[i] == '"') {
            for (i++; i < len && t[i] != '"'; i++) {
                if (t[i] != '\\') continue;
                if (t[i + 1] == 'u' && strncmp(t + i + 2, "0000", 4) == 0)
                    return attn_fail(err, ATTN_EXIT_INPUT,
                                     "%s: %s byte %zu: the escape \\u0000 (a NUL character) is not "
                                     "allowed in a string", path, what, i);
                i++;                                /* skip the escaped character */
            }
            i++;
        } else if (t[i] == '-' || (t[i] >= '0' && t[i] <= '9')) {
            size_t b = i;
            while (i < len && t[i] && strchr("0123456789+-.eE", t[i])) i++;
            if (push_num(j, &cap, b, i - b)) return attn_oom(err, path);
        } else {
            i++;
        }
    }
    return 0;
}

/* Numbers the number nodes of the tree depth first (= file order). */
static size_t tag_numbers(cJSON *node, size_t k)
{
    if (cJSON_IsNumber(node)) node->valueint = (int)k++;
    for (cJSON *c = node->child; c && (cJSON_IsArray(node) || cJSON_IsObject(node)); c = c->next)
        k = tag_numbers(c, k);
    return k;
}

int st_parse_json(const char *path, const char *what, const unsigned char *bytes, size_t len,
                  st_json *j, attn_error *err)
{
    memset(j, 0, sizeof *j);
    const unsigned char *nul = memchr(bytes, 0, len);
    if (nul)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s byte %zu is a NUL byte (not JSON text)", path,
                         what, (size_t)(nul - bytes));
    size_t bad;
    if (utf8_validate((const char *)bytes, len, &bad) != 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s is not valid UTF-8 (byte %zu)", path, what, bad);
    j->text = malloc(len + 1);
    if (!j->text) return attn_oom(err, path);
    memcpy(j->text, bytes, len);
    j->text[len] = '\0';
    const char *end = NULL;
    j->root = cJSON_ParseWithOpts(j->text, &end, 1);
    if (!j->root) {
        size_t at = end && end >= j->text ? (size_t)(end - j->text) : 0;
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s is not valid JSON (error at byte %zu of %zu)",
                         path, what, at, len);
    }
    if (lex_numbers(path, what, j, len, err)) return -1;
    if (tag_numbers(j->root, 0) != j->n_nums)       /* cannot happen for text cJSON accepted */
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s: numbers could not be read exactly", path, what);
    char dup[256];
    int rc = json_duplicate_key(j->root, dup, sizeof dup);
    if (rc < 0) return attn_oom(err, path);
    if (rc > 0) {
        char shown[ST_SHOW];
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: %s: key \"%s\" appears twice", path, what,
                         st_show(dup, shown));
    }
    return 0;
}

void st_json_free(st_json *j)
{
    cJSON_Delete(j->root);
    free(j->text);
    free(j->nums);
    memset(j, 0, sizeof *j);
}

