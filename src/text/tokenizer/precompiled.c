/* precompiled.c — SentencePiece's normalization rules as a tokenizer.json
 * carries them ("Precompiled": a base64 precompiled_charsmap), read and
 * applied as Hugging Face's spm_precompiled crate and Precompiled
 * normalizer do (see normalizer.h).
 *
 * The charsmap is a little-endian u32 giving the byte size of a darts-clone
 * double array, the array's u32 units, then the replacement strings, each
 * NUL-terminated. Looking up a string walks the array over its bytes and
 * collects the value of every prefix that is a key; tokenizers takes the
 * first (shortest). The text is taken one extended grapheme cluster at a
 * time (libutf8proc's boundaries): a cluster under 6 bytes that has a
 * replacement is replaced whole; otherwise each of its characters is looked
 * up alone. A replacement's first character gets the change new - old
 * characters, its others the changes 1, 2, ... (tokenizers' own numbers,
 * kept so that spans match).
 */
#include "text/tokenizer/normalizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/utf8.h"

static int b64(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Standard base64 with padding into a new buffer; NULL if not base64. */
static unsigned char *base64_decode(const char *s, size_t *out_len)
{
    size_t n = strlen(s);
    if (n % 4 != 0) return NULL;
    unsigned char *out = malloc(n / 4 * 3 + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64(s[i + k])) < 0) {
                free(out);
                return NULL;
            }
        }
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[o++] = (unsigned char)(x >> 16);
        if (pad < 2) out[o++] = (unsigned char)(x >> 8);
        if (pad < 1) out[o++] = (unsigned char)x;
    }
    *out_len = o;
    return out;
}

int tk_charsmap_read(tk_charsmap *m, const char *base64, char *why, size_t cap)
{
    memset(m, 0, sizeof *m);
    size_t n;
    unsigned char *d = base64_decode(base64, &n);
    if (!d) {
        snprintf(why, cap, "not base64 (or out of memory)");
        return -1;
    }
    uint32_t size = n >= 4 ? (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24 : 0;
    size_t units = size / 4;
    size_t bad;
    if (n < 4 || units == 0 || units > (n - 4) / 4) {
        snprintf(why, cap, "the charsmap's trie size (%u bytes) does not fit its %zu bytes", size, n);
        free(d);
        return -1;
    }
    size_t rest = n - 4 - units * 4;
    const unsigned char *r = d + 4 + units * 4;
    if (rest > 0 && utf8_validate((const char *)r, rest, &bad) != 0) {
        snprintf(why, cap, "the charsmap's replacements are not UTF-8 (byte %zu)", bad);
        free(d);
        return -1;
    }
    m->unit = malloc(units * sizeof *m->unit);
    m->repl = malloc(rest + 1);
    if (!m->unit || !m->repl) {
        snprintf(why, cap, "out of memory");
        free(d);
        tk_charsmap_free(m);
        return -1;
    }
    for (size_t i = 0; i < units; i++) {
        const unsigned char *u = d + 4 + 4 * i;
        m->unit[i] = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
    }
    memcpy(m->repl, r, rest);
    m->repl[rest] = '\0';
    m->n_unit = units;
    m->n_repl = rest;
    free(d);
    return 0;
}

void tk_charsmap_free(tk_charsmap *m)
{
    free(m->unit);
    free(m->repl);
    memset(m, 0, sizeof *m);
}

/* The replacement of the shortest key that is a prefix of s[0..len), or
 * NULL (*rlen its length). */
static const char *lookup(const tk_charsmap *m, const char *s, size_t len, size_t *rlen)
{
#define OFFSET(u) (((u) >> 10) << (((u) & (1u << 9)) >> 6))
    size_t pos = 0;
    uint32_t unit = m->unit[0];
    pos ^= OFFSET(unit);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0) break;
        pos ^= c;
        if (pos >= m->n_unit) return NULL;
        unit = m->unit[pos];
        if ((unit & ((1u << 31) | 0xFFu)) != c) return NULL;
        pos ^= OFFSET(unit);
        if ((unit >> 8) & 1) {
            if (pos >= m->n_unit) return NULL;
            size_t at = m->unit[pos] & ((1u << 31) - 1);
            if (at > m->n_repl) return NULL;
            *rlen = strlen(m->repl + at);
            return m->repl + at;
        }
    }
    return NULL;
#undef OFFSET
}

static size_t count_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Pushes the changes of replacing old_chars characters by r[0..rn). */
static void push_repl(nchanges *ch, const char *r, size_t rn, size_t old_chars)
{
    long n_new = (long)count_chars(r, rn);
    uint32_t cp;
    long i = 0;
    for (size_t p = 0; p < rn; i++) {
        p += (size_t)utf8_decode(r + p, rn - p, &cp);
        nchanges_push(ch, cp, (int32_t)(i == 0 ? n_new - (long)old_chars : i));
    }
}

int tk_norm_precompiled(nstr *s, const tk_charsmap *m, nchanges *ch)
{
    ch->n = 0;
    int modified = 0;
    size_t p = 0;
    while (p < s->len) {
        /* the extended grapheme cluster at p: [p, q) */
        utf8proc_int32_t state = 0;
        uint32_t prev;
        size_t q = p + (size_t)utf8_decode(s->b + p, s->len - p, &prev);
        while (q < s->len) {
            uint32_t cp;
            int k = utf8_decode(s->b + q, s->len - q, &cp);
            if (utf8proc_grapheme_break_stateful((utf8proc_int32_t)prev, (utf8proc_int32_t)cp, &state)) break;
            prev = cp;
            q += (size_t)k;
        }
        size_t rn;
        const char *r = q - p < 6 ? lookup(m, s->b + p, q - p, &rn) : NULL;
        if (r) {
            modified = 1;
            push_repl(ch, r, rn, count_chars(s->b + p, q - p));
            p = q;
            continue;
        }
        while (p < q) {
            uint32_t cp;
            size_t k = (size_t)utf8_decode(s->b + p, q - p, &cp);
            if ((r = lookup(m, s->b + p, k, &rn)) != NULL) {
                modified = 1;
                push_repl(ch, r, rn, 1);
            } else {
                nchanges_push(ch, cp, 0);
            }
            p += k;
        }
    }
    if (ch->failed) return -1;
    return modified ? nstr_transform(s, 0, s->len, ch->c, ch->n, 0) : 0;
}
