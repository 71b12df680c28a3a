/* vocab.c — the vocabulary of a subword tokenizer: entries in id
 * order in one string arena, and an open-addressing hash table from entry
 * to id (FNV-1a, linear probing, at most half full). Also the checks every
 * loader makes on a vocabulary, and the reader of a JSON {token: id}
 * object (vocab.json / encoder.json, tokenizer.json's model.vocab).
 */
#include "text/tokenizer/vocab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonutil.h"
#include "base/textesc.h"
#include "base/utf8.h"

/* The hash of s[0..len), eight bytes at a time (a multiply-xorshift mix of
 * each word; the last one zero-padded), and in *high whether any byte has
 * its top bit set (the entry is not ASCII). One pass over the entry: a
 * byte-at-a-time hash and a separate ASCII scan were half of building the
 * default model's 7,890-word vocabulary. */
static uint32_t hash_scan(const char *s, size_t len, int *high)
{
    const uint64_t K = 0x9e3779b97f4a7c15ull;
    uint64_t h = (uint64_t)len * K, any = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        any |= w;
        h = (h ^ w) * K;
        h ^= h >> 29;
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, s + i, len - i);
        any |= w;
        h = (h ^ w) * K;
        h ^= h >> 29;
    }
    *high = (any & 0x8080808080808080ull) != 0;
    return (uint32_t)(h ^ h >> 32);
}

static uint32_t hash_bytes(const char *s, size_t len)
{
    int high;
    return hash_scan(s, len, &high);
}

int sw_vocab_init(sw_vocab *v, int n, size_t bytes, attn_error *err)
{
    memset(v, 0, sizeof *v);
    if (n < 16) n = 16;
    uint32_t cap = 64;
    while (cap < (uint32_t)n * 2u) cap *= 2;
    v->n_cap = n;
    v->cap = cap;
    v->str_cap = bytes > (size_t)n * 8 ? bytes : (size_t)n * 8;
    v->str = malloc(v->str_cap);
    v->off = malloc((size_t)n * sizeof *v->off);
    v->len = malloc((size_t)n * sizeof *v->len);
    v->slot = malloc(cap * sizeof *v->slot); /* written now, not calloc: one page fault a page, not a read and a write fault */
    if (v->slot) memset(v->slot, 0, cap * sizeof *v->slot);
    if (!v->str || !v->off || !v->len || !v->slot) {
        sw_vocab_free(v);
        return attn_oom(err, "vocabulary");
    }
    return 0;
}

void sw_vocab_free(sw_vocab *v)
{
    free(v->str);
    free(v->off);
    free(v->len);
    free(v->slot);
    memset(v, 0, sizeof *v);
}

/* The slot of s (hash h): where its id is, or the empty slot it would take. */
static uint32_t probe(const sw_vocab *v, const char *s, size_t len, uint32_t h)
{
    uint32_t mask = v->cap - 1, i = h & mask;
    for (;;) {
        const sw_slot *e = &v->slot[i];
        if (e->id1 == 0) return i;
        if (e->hash == h) {
            const uint32_t id = e->id1 - 1;
            if (v->len[id] == len && memcmp(v->str + v->off[id], s, len) == 0) return i;
        }
        i = (i + 1) & mask;
    }
}

int sw_vocab_find(const sw_vocab *v, const char *s, size_t len)
{
    if (v->n == 0) return -1;
    return (int)v->slot[probe(v, s, len, hash_bytes(s, len))].id1 - 1;
}

static int grow(sw_vocab *v)
{
    int n = v->n_cap * 2;
    uint32_t *off = realloc(v->off, (size_t)n * sizeof *off);
    if (off) v->off = off;
    uint32_t *len = off ? realloc(v->len, (size_t)n * sizeof *len) : NULL;
    if (len) v->len = len;
    sw_slot *slot = len ? calloc((size_t)v->cap * 2, sizeof *slot) : NULL;
    if (!slot) return -1;
    sw_slot *old = v->slot;
    uint32_t ocap = v->cap;
    v->slot = slot;
    v->cap *= 2;
    v->n_cap = n;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i].id1) {
            uint32_t j = old[i].hash & (v->cap - 1);
            while (slot[j].id1) j = (j + 1) & (v->cap - 1);
            slot[j] = old[i];
        }
    free(old);
    return 0;
}

/* sw_vocab_add() of s, whose hash is h */
static int add_hashed(sw_vocab *v, const char *s, size_t len, uint32_t h, int *dup, attn_error *err)
{
    uint32_t i = probe(v, s, len, h);
    if (v->slot[i].id1) {
        *dup = (int)v->slot[i].id1 - 1;
        return -2;
    }
    if (v->n == v->n_cap) {
        if (v->n_cap >= (1 << 29) || grow(v) != 0) return attn_oom(err, "vocabulary");
        i = probe(v, s, len, h);
    }
    if (v->str_len + len + 1 > v->str_cap) {
        size_t cap = v->str_cap * 2 > v->str_len + len + 1 ? v->str_cap * 2 : v->str_len + len + 1;
        char *p = cap <= UINT32_MAX ? realloc(v->str, cap) : NULL;
        if (!p) return attn_oom(err, "vocabulary");
        v->str = p;
        v->str_cap = cap;
    }
    int id = v->n++;
    v->off[id] = (uint32_t)v->str_len;
    v->len[id] = (uint32_t)len;
    memcpy(v->str + v->str_len, s, len);
    v->str[v->str_len + len] = '\0';
    v->str_len += len + 1;
    v->slot[i] = (sw_slot){h, (uint32_t)id + 1};
    return id;
}

int sw_vocab_add(sw_vocab *v, const char *s, size_t len, int *dup, attn_error *err)
{
    return add_hashed(v, s, len, hash_bytes(s, len), dup, err);
}

void sw_quote(char *dst, size_t cap, const char *s, size_t len)
{
    textesc_quote(dst, cap, s, len); /* the one escaping of untrusted text */
}

int sw_vocab_put(sw_vocab *v, const char *s, size_t len, int i, sw_where_fn where, const void *ctx,
                 attn_error *err)
{
    char at[256], q[96]; /* [256] where the entry is; [96] the entry, quoted */
    size_t bad;
    int high;
    if (len == 0) {
        where(at, sizeof at, ctx, i);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: empty vocabulary entry", at);
    }
    const uint32_t h = hash_scan(s, len, &high);
    if (high && utf8_validate(s, len, &bad) != 0) {
        where(at, sizeof at, ctx, i);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: invalid UTF-8 at byte %zu of the entry", at, bad);
    }
    int dup, id = add_hashed(v, s, len, h, &dup, err);
    if (id == -1) return -1;
    if (id == -2) {
        where(at, sizeof at, ctx, i);
        sw_quote(q, sizeof q, s, len);
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: duplicate vocabulary entry %s (also id %d)", at, q, dup);
    }
    return 0;
}

int sw_vocab_build(sw_vocab *v, const char *what, const char *const *entries, const size_t *lens, int n,
                   sw_where_fn where, const void *ctx, attn_error *err)
{
    if (n <= 0) return attn_fail(err, ATTN_EXIT_INPUT, "%s: empty vocabulary", what);
    size_t bytes = 0;
    for (int i = 0; i < n; i++) bytes += lens[i] + 1;
    if (sw_vocab_init(v, n, bytes + 64, err) != 0) return -1;
    for (int i = 0; i < n; i++)
        if (sw_vocab_put(v, entries[i], lens[i], i, where, ctx, err) != 0) return -1;
    return 0;
}

/* ---- {token: id} objects ---- */

typedef struct {
    const char *path;
    const char *const *entries;
    const size_t *lens;
} json_where;

static void where_key(char *dst, size_t cap, const void *ctx, int i)
{
    const json_where *w = ctx;
    char q[96]; /* [96] the key, quoted */
    sw_quote(q, sizeof q, w->entries[i], w->lens[i]);
    snprintf(dst, cap, "%s: key %s", w->path, q);
}

int sw_vocab_from_json(sw_vocab *v, const cJSON *obj, const char *path, attn_error *err)
{
    char q[96], q2[96]; /* [96] keys, quoted */
    if (!cJSON_IsObject(obj))
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: not a JSON object of token -> id", path);
    int n = cJSON_GetArraySize(obj);
    if (n == 0) return attn_fail(err, ATTN_EXIT_INPUT, "%s: empty vocabulary", path);
    const cJSON **by_id = calloc((size_t)n, sizeof *by_id); /* [n] member of each id */
    const char **entries = malloc((size_t)n * sizeof *entries); /* [n] */
    size_t *lens = malloc((size_t)n * sizeof *lens);               /* [n] */
    int rc = -1;
    if (!by_id || !entries || !lens) {
        attn_oom(err, path);
        goto done;
    }
    for (const cJSON *m = obj->child; m; m = m->next) {
        double d = m->valuedouble;
        if (cJSON_IsNumber(m) && d >= 0 && d < n && d == (int)d && !by_id[(int)d]) {
            by_id[(int)d] = m; /* the common case, checked once */
            continue;
        }
        sw_quote(q, sizeof q, m->string, strlen(m->string));
        if (!cJSON_IsNumber(m) || d < 0 || d != floor(d) || d > 2147483647.0) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: key %s: the id must be a non-negative integer", path, q);
            goto done;
        }
        int id = (int)d;
        if (id >= n) {
            attn_fail(err, ATTN_EXIT_INPUT,
                      "%s: key %s: id %d is beyond the vocabulary's %d entries (ids must be 0..%d, "
                      "without gaps)",
                      path, q, id, n, n - 1);
            goto done;
        }
        if (by_id[id]) {
            sw_quote(q2, sizeof q2, by_id[id]->string, strlen(by_id[id]->string));
            attn_fail(err, ATTN_EXIT_INPUT, "%s: keys %s and %s have the same id %d", path, q2, q, id);
            goto done;
        }
    }
    for (int i = 0; i < n; i++) {
        entries[i] = by_id[i]->string;
        lens[i] = strlen(entries[i]);
    }
    json_where w = {path, entries, lens};
    rc = sw_vocab_build(v, path, entries, lens, n, where_key, &w, err);
done:
    free(by_id);
    free(entries);
    free(lens);
    return rc;
}

/* ---- vocab.json without a tree ----
 * A vocab.json is one flat object of "string": integer members. Parsing
 * that with cJSON builds two nodes a member (some megabytes for GPT-2,
 * most of the load time), so scan_flat() reads this exact shape directly:
 * JSON whitespace, strings with every JSON escape (surrogate pairs
 * joined), ids written as plain non-negative integers. Anything else, and
 * any id that is not new and below the member count, makes it give up, and
 * the file goes through cJSON and sw_vocab_from_json(), whose messages say
 * what is wrong. */

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static int hex4(const char *p, const char *end, uint32_t *v)
{
    if (end - p < 4) return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (d < 0) return -1;
        *v = *v << 4 | (uint32_t)d;
    }
    return 0;
}

/* Decodes the JSON string at p (just after its opening quote) into out;
 * returns the position after the closing quote, or NULL. */
static const char *scan_string(const char *p, const char *end, char *out, size_t *n)
{
    size_t o = 0;
    while (p < end && *p != '"') {
        unsigned char c = (unsigned char)*p++;
        if (c < 0x20) return NULL;
        if (c != '\\') {
            out[o++] = (char)c;
            continue;
        }
        if (p >= end) return NULL;
        char e = *p++;
        uint32_t cp, lo;
        switch (e) {
        case '"': case '\\': case '/': out[o++] = e; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u':
            if (hex4(p, end, &cp) != 0) return NULL;
            p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return NULL;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, end, &lo) != 0 || lo < 0xDC00 ||
                    lo > 0xDFFF)
                    return NULL;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0) return NULL; /* cJSON's strings end there: let it decide */
            o += (size_t)utf8_encode(cp, out + o);
            break;
        default: return NULL;
        }
    }
    if (p >= end) return NULL;
    *n = o;
    return p + 1;
}

/* Returns 1 with v built, 0 when text is not the simple shape (or an
 * id is out of place), -1 with err filled (a bad entry, or memory). */
static int scan_flat(sw_vocab *v, const char *text, size_t len, const char *path, attn_error *err)
{
    const char *p = text, *end = text + len;
    size_t cap = 1, n = 0, used = 0;
    for (const char *q = text; (q = memchr(q, ',', (size_t)(end - q))) != NULL; q++) cap++;
    if (cap > 100000000) return 0;
    char *strs = malloc(len + 1);                   /* [len] decoded keys, back to back */
    uint32_t *off = malloc(cap * sizeof *off);      /* [cap] key offsets in strs */
    uint32_t *klen = malloc(cap * sizeof *klen);    /* [cap] key lengths */
    uint32_t *ids = malloc(cap * sizeof *ids);      /* [cap] */
    const char **entries = NULL;                    /* [n] in id order */
    size_t *lens = NULL;                            /* [n] */
    int rc = 0;
    if (!strs || !off || !klen || !ids) goto oom;
    p = skip_ws(p, end);
    if (p == end || *p++ != '{') goto done;
    p = skip_ws(p, end);
    if (p < end && *p == '}') goto done; /* empty: the slow path says so */
    for (;;) {
        size_t kl;
        if (n == cap || len > UINT32_MAX || p == end || *p++ != '"') goto done;
        if (!(p = scan_string(p, end, strs + used, &kl))) goto done;
        off[n] = (uint32_t)used;
        klen[n] = (uint32_t)kl;
        used += kl;
        p = skip_ws(p, end);
        if (p == end || *p++ != ':') goto done;
        p = skip_ws(p, end);
        const char *d = p;
        uint32_t id = 0;
        while (p < end && *p >= '0' && *p <= '9' && id < 100000000) id = id * 10 + (uint32_t)(*p++ - '0');
        if (p == d || (*d == '0' && p - d > 1) || id >= cap ||
            (p < end && (*p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9'))))
            goto done;
        ids[n++] = id;
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p == end || *p++ != '}') goto done;
        break;
    }
    if (skip_ws(p, end) != end) goto done;
    entries = calloc(n, sizeof *entries);
    lens = malloc(n * sizeof *lens);
    if (!entries || !lens) goto oom;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] >= n || entries[ids[i]]) goto done;
        entries[ids[i]] = strs + off[i];
        lens[ids[i]] = klen[i];
    }
    json_where w = {path, entries, lens};
    rc = sw_vocab_build(v, path, entries, lens, (int)n, where_key, &w, err) != 0 ? -1 : 1;
    goto done;
oom:
    rc = attn_oom(err, path);
done:
    free(entries);
    free(lens);
    free(strs);
    free(off);
    free(klen);
    free(ids);
    return rc;
}

int sw_vocab_from_json_text(sw_vocab *v, const char *text, size_t len, const char *path, attn_error *err)
{
    int rc = scan_flat(v, text, len, path, err);
    if (rc != 0) return rc < 0 ? -1 : 0;
    json_doc *doc = NULL;
    cJSON *root = json_parse_doc(path, text, len, &doc, err);
    rc = root ? sw_vocab_from_json(v, root, path, err) : -1;
    json_doc_free(doc);
    return rc;
}
