/* nstr.c — the normalized string (see nstr.h): creation, slices, the
 * transformations of Hugging Face's NormalizedString (transform_range,
 * prepend, replace, strip) with the same alignment rules, and splitting by
 * a pattern's matches with the five delimiter behaviours.
 *
 * Alignment rules, as tokenizers has them: a character that replaces
 * another (change <= 0) takes the span of the first byte of the one it
 * replaces; an inserted one (change > 0) takes the span of the byte before
 * it in the old string (the string's own start when there is none).
 */
#include "text/tokenizer/nstr.h"

#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "text/tokenizer/unicode.h"

/* ---- growable lists ---- */

int tk_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = c < SIZE_MAX / elem ? realloc(*p, c * elem) : NULL;
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

void nchanges_push(nchanges *l, uint32_t cp, int32_t change)
{
    if (l->failed || (l->failed = tk_grow((void **)&l->c, &l->cap, l->n + 1, sizeof *l->c) != 0)) return;
    l->c[l->n++] = (nchange){cp, change};
}

void nmatches_push(nmatches *l, size_t s, size_t e, int match)
{
    if (l->failed || (l->failed = tk_grow((void **)&l->m, &l->cap, l->n + 1, sizeof *l->m) != 0)) return;
    l->m[l->n++] = (nmatch){s, e, match};
}

/* ---- the string ---- */

static int reserve(nstr *n, size_t len)
{
    if (len + 1 <= n->cap) return 0;
    size_t cap = len + len / 2 + 16;
    char *b = realloc(n->b, cap);
    if (!b) return -1;
    n->b = b;
    nspan *al = realloc(n->al, cap * sizeof *al);
    if (!al) return -1;
    n->al = al;
    n->cap = cap;
    return 0;
}

int nstr_init(nstr *n, const char *s, size_t len, uint32_t off)
{
    memset(n, 0, sizeof *n);
    if (reserve(n, len) != 0) return -1;
    if (len > 0) memcpy(n->b, s, len);
    n->b[len] = '\0';
    n->len = len;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + k > len) k = len - i;
        for (size_t j = 0; j < k; j++) n->al[i + j] = (nspan){off + (uint32_t)i, off + (uint32_t)(i + k)};
        i += k;
    }
    n->os = off;
    n->oe = off + (uint32_t)len;
    return 0;
}

void nstr_free(nstr *n)
{
    free(n->b);
    free(n->al);
    memset(n, 0, sizeof *n);
}

int nstr_slice(const nstr *src, size_t a, size_t b, nstr *out)
{
    memset(out, 0, sizeof *out);
    if (reserve(out, b - a) != 0) {
        nstr_free(out);
        return -1;
    }
    memcpy(out->b, src->b + a, b - a);
    out->b[b - a] = '\0';
    memcpy(out->al, src->al + a, (b - a) * sizeof *out->al);
    out->len = b - a;
    if (b > a) {
        out->os = src->al[a].s;
        out->oe = src->al[b - 1].e;
    } else {
        out->os = out->oe = a < src->len ? src->al[a].s : src->oe;
    }
    return 0;
}

/* The first occurrence of pat[0..pn) (pn > 0) in s[0..n), or NULL (memmem
 * is not in POSIX). */
static const char *find_bytes(const char *s, size_t n, const char *pat, size_t pn)
{
    const char *end = s + n;
    while ((size_t)(end - s) >= pn && (s = memchr(s, pat[0], (size_t)(end - s) - pn + 1)) != NULL) {
        if (memcmp(s, pat, pn) == 0) return s;
        s++;
    }
    return NULL;
}

static size_t char_len(const char *s, size_t at)
{
    unsigned char c = (unsigned char)s[at];
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* The new bytes of a rewrite, built before they replace the old ones. */
typedef struct {
    char *b;
    nspan *al;
    size_t len, cap;
    int failed;
} nbuild;

static void build_put(nbuild *w, uint32_t cp, nspan sp)
{
    if (w->failed) return;
    if (w->len + 4 > w->cap) {
        size_t cap = w->cap * 2 + 64;
        char *b = realloc(w->b, cap);
        nspan *al = b ? realloc(w->al, cap * sizeof *al) : NULL;
        if (b) w->b = b;
        if (!al) {
            w->failed = 1;
            return;
        }
        w->al = al;
        w->cap = cap;
    }
    int k = utf8_encode(cp, w->b + w->len);
    for (int j = 0; j < k; j++) w->al[w->len + (size_t)j] = sp;
    w->len += (size_t)k;
}

/* Puts the built bytes in place of n's bytes [a, b). */
static int build_splice(nstr *n, size_t a, size_t b, nbuild *w)
{
    if (w->failed) return -1;
    size_t len = n->len - (b - a) + w->len;
    if (reserve(n, len) != 0) return -1;
    memmove(n->b + a + w->len, n->b + b, n->len - b);
    memmove(n->al + a + w->len, n->al + b, (n->len - b) * sizeof *n->al);
    if (w->len > 0) { /* (w->b is NULL when nothing was built) */
        memcpy(n->b + a, w->b, w->len);
        memcpy(n->al + a, w->al, w->len * sizeof *n->al);
    }
    n->len = len;
    n->b[len] = '\0';
    return 0;
}

static nspan span_at(const nstr *n, size_t idx, int inserted)
{
    if (inserted) {
        if (idx < 1) return (nspan){n->os, n->os};
        idx--;
    }
    if (idx < n->len) return n->al[idx];
    return n->len ? n->al[n->len - 1] : (nspan){n->os, n->oe};
}

int nstr_transform(nstr *n, size_t a, size_t b, const nchange *ch, size_t nch, size_t initial_skip)
{
    size_t rd = a; /* the next old character to be replaced */
    for (size_t k = 0; k < initial_skip && rd < b; k++) rd += char_len(n->b, rd);
    size_t offset = rd;
    nbuild w = {0};
    for (size_t i = 0; i < nch; i++) {
        int32_t c = ch[i].change;
        nspan sp = span_at(n, offset, c > 0);
        if (c <= 0 && rd < b) { /* the replaced character */
            size_t k = char_len(n->b, rd);
            rd += k;
            offset += k;
        }
        for (int32_t r = 0; r < -c && rd < b; r++) { /* the removed ones */
            size_t k = char_len(n->b, rd);
            rd += k;
            offset += k;
        }
        build_put(&w, ch[i].cp, sp);
    }
    int rc = build_splice(n, a, b, &w);
    free(w.b);
    free(w.al);
    return rc;
}

int nstr_prepend(nstr *n, const char *s)
{
    if (n->len == 0 || !*s) return 0;
    nchange ch[64]; /* [64] the prepended code points and the first character */
    size_t k = 0;
    uint32_t cp;
    for (const char *p = s; *p && k < 63;) {
        p += utf8_next(p, &cp);
        ch[k] = (nchange){cp, k == 0 ? 0 : 1};
        k++;
    }
    size_t first = char_len(n->b, 0);
    utf8_decode(n->b, first, &cp);
    ch[k++] = (nchange){cp, 1};
    return nstr_transform(n, 0, first, ch, k, 0);
}

int nstr_replace_matches(nstr *n, const nmatches *m, const char *rep)
{
    int any = 0;
    for (size_t i = 0; i < m->n && !any; i++) any = m->m[i].match;
    if (!any) return 0;
    nbuild w = {0};
    for (size_t i = 0; i < m->n; i++) {
        const nmatch *x = &m->m[i];
        if (!x->match) {
            for (size_t p = x->s; p < x->e;) {
                size_t k = char_len(n->b, p);
                uint32_t cp;
                utf8_decode(n->b + p, k, &cp);
                build_put(&w, cp, n->al[p]);
                p += k;
            }
            continue;
        }
        /* every character of rep is inserted after the removed match: it
         * takes the span of the match's last byte */
        nspan sp = x->e > x->s ? n->al[x->e - 1] : span_at(n, x->s, 1);
        uint32_t cp;
        for (const char *p = rep; *p;) {
            p += utf8_next(p, &cp);
            build_put(&w, cp, sp);
        }
    }
    int rc = build_splice(n, 0, n->len, &w);
    free(w.b);
    free(w.al);
    return rc;
}

int nstr_replace_str(nstr *n, const char *pat, size_t plen, const char *rep)
{
    if (plen == 0 || n->len < plen || !find_bytes(n->b, n->len, pat, plen)) return 0;
    nmatches m = {0};
    nstr_find_str(n->b, n->len, pat, plen, &m);
    int rc = m.failed ? -1 : nstr_replace_matches(n, &m, rep);
    free(m.m);
    return rc;
}

int nstr_strip(nstr *n, int left, int right, nchanges *scratch)
{
    size_t a = 0, b = n->len;
    uint32_t cp;
    while (left && a < b) {
        size_t k = char_len(n->b, a);
        utf8_decode(n->b + a, k, &cp);
        if (!uc_whitespace(cp)) break;
        a += k;
    }
    while (right && b > a) {
        size_t s = b - 1;
        while (s > a && ((unsigned char)n->b[s] & 0xC0) == 0x80) s--;
        utf8_decode(n->b + s, b - s, &cp);
        if (!uc_whitespace(cp)) break;
        b = s;
    }
    if (a == 0 && b == n->len) return 0;
    /* the kept characters replace themselves; the first takes the span of
     * the first kept byte (the leading ones are skipped), the last removes
     * the trailing ones */
    scratch->n = 0;
    for (size_t p = a; p < b;) {
        size_t k = char_len(n->b, p);
        utf8_decode(n->b + p, k, &cp);
        nchanges_push(scratch, cp, 0);
        p += k;
    }
    if (scratch->failed) return -1;
    if (scratch->n > 0 && b < n->len) {
        int32_t trailing = 0;
        for (size_t p = b; p < n->len; p += char_len(n->b, p)) trailing++;
        scratch->c[scratch->n - 1].change = -trailing;
    }
    size_t skip = 0;
    for (size_t p = 0; p < a; p += char_len(n->b, p)) skip++;
    return nstr_transform(n, 0, n->len, scratch->c, scratch->n, skip);
}

/* ---- patterns and splits ---- */

void nstr_find_chars(const nstr *n, int (*pred)(uint32_t cp, const void *arg), const void *arg, nmatches *m)
{
    m->n = 0;
    if (n->len == 0) {
        nmatches_push(m, 0, 0, 0);
        return;
    }
    size_t last = 0;
    for (size_t p = 0; p < n->len;) {
        size_t k = char_len(n->b, p);
        uint32_t cp = (unsigned char)n->b[p];
        if (k > 1) utf8_decode(n->b + p, k, &cp);
        if (pred(cp, arg)) {
            if (last < p) nmatches_push(m, last, p, 0);
            nmatches_push(m, p, p + k, 1);
            last = p + k;
        }
        p += k;
    }
    if (last < n->len) nmatches_push(m, last, n->len, 0);
}

void nstr_find_str(const char *s, size_t len, const char *pat, size_t plen, nmatches *m)
{
    m->n = 0;
    if (len == 0) {
        nmatches_push(m, 0, 0, 0);
        return;
    }
    size_t last = 0;
    if (plen > 0) {
        const char *p = s;
        while ((size_t)(p - s) + plen <= len && (p = find_bytes(p, len - (size_t)(p - s), pat, plen)) != NULL) {
            size_t at = (size_t)(p - s);
            if (last < at) nmatches_push(m, last, at, 0);
            nmatches_push(m, at, at + plen, 1);
            last = at + plen;
            p += plen;
        }
    }
    if (last < len) nmatches_push(m, last, len, 0);
}

int nstr_push_slice(const nstr *n, size_t a, size_t b, nstr **out, size_t *nout, size_t *cap)
{
    if (a >= b) return 0;
    if (tk_grow((void **)out, cap, *nout + 1, sizeof **out) != 0) return -1;
    if (nstr_slice(n, a, b, &(*out)[*nout]) != 0) return -1;
    (*nout)++;
    return 0;
}

int nstr_split(const nstr *n, const nmatches *m, nsplit_how how, int invert, nstr **out, size_t *nout,
               size_t *cap)
{
    if (m->failed) return -1;
    /* the pieces, folded as NormalizedString::split does */
    size_t i;
    size_t ps = 0, pe = 0; /* the piece being built */
    int have = 0, prev = 0;
#define FLUSH()                                                                                    \
    do {                                                                                           \
        if (have && nstr_push_slice(n, ps, pe, out, nout, cap) != 0) return -1;                         \
        have = 0;                                                                                  \
    } while (0)
    switch (how) {
    case NSPLIT_REMOVED:
    case NSPLIT_ISOLATED:
        for (i = 0; i < m->n; i++) {
            int match = m->m[i].match != invert;
            if (how == NSPLIT_REMOVED && match) continue;
            if (nstr_push_slice(n, m->m[i].s, m->m[i].e, out, nout, cap) != 0) return -1;
        }
        break;
    case NSPLIT_CONTIGUOUS:
        for (i = 0; i < m->n; i++) {
            int match = m->m[i].match != invert;
            if (have && match == prev) {
                pe = m->m[i].e;
            } else {
                FLUSH();
                ps = m->m[i].s, pe = m->m[i].e, have = 1;
            }
            prev = match;
        }
        FLUSH();
        break;
    case NSPLIT_MERGED_PREV:
    case NSPLIT_MERGED_NEXT: {
        /* a match joins the piece before it (folded from the start) or
         * after it (folded from the end, then put back in order) */
        int back = how == NSPLIT_MERGED_NEXT;
        size_t first = *nout;
        for (size_t k = 0; k < m->n; k++) {
            i = back ? m->n - 1 - k : k;
            int match = m->m[i].match != invert;
            if (have && match && !prev) {
                *(back ? &ps : &pe) = back ? m->m[i].s : m->m[i].e;
            } else {
                FLUSH();
                ps = m->m[i].s, pe = m->m[i].e, have = 1;
            }
            prev = match;
        }
        FLUSH();
        for (size_t a = first, b = *nout; back && a + 1 < b; a++, b--) {
            nstr t = (*out)[a];
            (*out)[a] = (*out)[b - 1];
            (*out)[b - 1] = t;
        }
        break;
    }
    }
#undef FLUSH
    return 0;
}
