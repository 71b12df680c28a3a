/* regex.c — Oniguruma-syntax patterns compiled and matched with PCRE2 (see
 * regex.h for what is rewritten and why).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "text/tokenizer/regex.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "text/tokenizer/unicode.h"

struct tk_regex {
    pcre2_code *code;
};

struct tk_rx_scratch {
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pcre2_jit_stack *js;
};

/* Oniguruma's \s and \w as class contents. */
#define ONIG_SPACE "\\t\\n\\x0B\\f\\r\\x{85}\\p{Z}"
#define ONIG_WORD "\\p{L}\\p{M}\\p{Nd}\\p{Pc}"

static int is_hex4(const char *p)
{
    for (int k = 0; k < 4; k++)
        if (!strchr("0123456789abcdefABCDEF", p[k]) || !p[k]) return 0;
    return 1;
}

/* Rewrites an Oniguruma pattern for PCRE2 into out; returns 0, or -1 with
 * why[] filled for a construct PCRE2 cannot say. */
static int translate(const char *p, size_t len, attn_buf *out, char *why, size_t cap)
{
    int in_class = 0; /* inside [...] */
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < len) {
            char d = p[++i];
            if (in_class) in_class = 1;
            const char *set = d == 's' || d == 'S' ? ONIG_SPACE : d == 'w' || d == 'W' ? ONIG_WORD
                            : d == 'h' || d == 'H'   ? "0-9a-fA-F"
                                                     : NULL;
            if (set) {
                int neg = d == 'S' || d == 'W' || d == 'H';
                if (in_class && neg) {
                    snprintf(why, cap, "\\%c inside a bracket class (at byte %zu) is not supported", d, i - 1);
                    return -1;
                }
                if (in_class) {
                    buf_puts(out, set);
                } else {
                    buf_puts(out, neg ? "[^" : "[");
                    buf_puts(out, set);
                    buf_putc(out, ']');
                }
            } else if ((d == 'b' || d == 'B') && !in_class) {
                buf_puts(out, d == 'b' ? "(?:(?<=[" ONIG_WORD "])(?![" ONIG_WORD "])|(?<![" ONIG_WORD "])(?=[" ONIG_WORD
                                         "]))"
                                       : "(?:(?<=[" ONIG_WORD "])(?=[" ONIG_WORD "])|(?<![" ONIG_WORD "])(?![" ONIG_WORD
                                         "]))");
            } else if (d == 'u' && i + 4 < len && is_hex4(p + i + 1)) {
                buf_printf(out, "\\x{%.4s}", p + i + 1);
                i += 4;
            } else {
                buf_putc(out, '\\');
                buf_putc(out, d);
            }
            continue;
        }
        if (in_class) {
            if (c == '[' && i + 1 < len && p[i + 1] == ':') { /* [:alpha:] */
                const char *e = memchr(p + i + 2, ']', len - i - 2);
                if (e && e[-1] == ':') {
                    buf_put(out, p + i, (size_t)(e - (p + i)) + 1);
                    i = (size_t)(e - p);
                    continue;
                }
            }
            if (c == '[' || (c == '&' && i + 1 < len && p[i + 1] == '&')) {
                snprintf(why, cap, "nested bracket classes (at byte %zu) are not supported", i);
                return -1;
            }
            if (c == ']' && in_class > 1) {
                in_class = 1; /* the first character of a class: a literal ']' */
                buf_putc(out, c);
                continue;
            }
            if (c == ']') in_class = 0;
            else if (in_class > 1) in_class = 1;
            buf_putc(out, c);
            continue;
        }
        if (c == '[') {
            in_class = 2; /* 2: just opened (a ']' now is literal) */
            buf_putc(out, c);
            if (i + 1 < len && p[i + 1] == '^') buf_putc(out, p[++i]);
            continue;
        }
        if (c == '(' && i + 2 < len && p[i + 1] == '?') {
            /* (?imx-imx) or (?imx-imx:...): Oniguruma's m is PCRE2's s */
            size_t k = i + 2;
            while (k < len && strchr("imx-", p[k]) && p[k]) k++;
            if (k > i + 2 && k < len && (p[k] == ')' || p[k] == ':')) {
                buf_puts(out, "(?");
                for (size_t j = i + 2; j < k; j++) buf_putc(out, p[j] == 'm' ? 's' : p[j]);
                i = k - 1;
                continue;
            }
        }
        buf_putc(out, c);
    }
    if (in_class) {
        snprintf(why, cap, "missing ] at the end");
        return -1;
    }
    return 0;
}

/* Appends "\x{lo}-\x{hi}" for each range Unicode 15.0 added to the
 * property name[0..n) (a general category, one or two letters, L& / LC, or
 * Alphabetic): what PCRE2 10.42 (Unicode 14.0) does not know. */
static void new15_ranges(const char *name, size_t n, attn_buf *out)
{
    int alpha = (n == 10 && !memcmp(name, "Alphabetic", 10)) || (n == 5 && !memcmp(name, "Alpha", 5));
    int cased = n == 2 && (!memcmp(name, "L&", 2) || !memcmp(name, "LC", 2));
    if (!alpha && !cased && n != 1 && n != 2) return;
    for (size_t i = 0; i < uc_new15_count; i++) {
        const uc_range *r = &uc_new15_table[i];
        const char *c = uc_cat_names[r->value & 0x7F];
        int hit = alpha ? (r->value & 0x80) != 0
                : cased ? c[0] == 'L' && (c[1] == 'u' || c[1] == 'l' || c[1] == 't')
                : n == 1 ? c[0] == name[0]
                         : c[0] == name[0] && c[1] == name[1];
        if (hit) buf_printf(out, "\\x{%X}-\\x{%X}", r->lo, r->hi);
    }
}

/* Adds Unicode 15.0's characters to the \p{...} of a PCRE2 pattern:
 * "\p{L}" becomes "[\p{L}\x{11F04}-\x{11F10}...]", inside a class the
 * ranges follow it. (A negated property inside a class keeps PCRE2's
 * Unicode 14.0 meaning.) */
static void expand_props(const char *p, size_t len, attn_buf *out)
{
    int in_class = 0; /* 2: just opened */
    attn_buf r;
    buf_init(&r);
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < len && (p[i + 1] == 'p' || p[i + 1] == 'P')) {
            size_t start = i, ns, ne;
            int neg = p[i + 1] == 'P';
            if (i + 2 < len && p[i + 2] == '{') {
                const char *e = memchr(p + i + 3, '}', len - i - 3);
                if (!e) {
                    buf_put(out, p + i, len - i);
                    break;
                }
                ns = i + 3;
                ne = (size_t)(e - p);
                if (ns < ne && p[ns] == '^') neg = !neg, ns++;
                i = ne;
            } else {
                ns = i + 2;
                ne = i + 3 <= len ? i + 3 : len;
                i = ne - 1;
            }
            r.len = 0;
            new15_ranges(p + ns, ne - ns, &r);
            if (r.len == 0 || (in_class && neg)) {
                buf_put(out, p + start, i + 1 - start);
            } else {
                if (!in_class) buf_puts(out, neg ? "[^" : "[");
                buf_puts(out, "\\p{");
                buf_put(out, p + ns, ne - ns);
                buf_putc(out, '}');
                buf_put(out, r.data, r.len);
                if (!in_class) buf_putc(out, ']');
            }
            if (in_class) in_class = 1;
            continue;
        }
        if (c == '\\' && i + 1 < len) {
            buf_put(out, p + i, 2);
            i++;
            if (in_class) in_class = 1;
            continue;
        }
        if (in_class && c == '[' && i + 1 < len && p[i + 1] == ':') {
            const char *e = memchr(p + i + 2, ']', len - i - 2);
            if (e) {
                buf_put(out, p + i, (size_t)(e - (p + i)) + 1);
                i = (size_t)(e - p);
                in_class = 1;
                continue;
            }
        }
        if (!in_class && c == '[') {
            in_class = 2;
            buf_putc(out, c);
            if (i + 1 < len && p[i + 1] == '^') buf_putc(out, p[++i]);
            continue;
        }
        if (in_class && c == ']' && in_class == 1) in_class = 0;
        else if (in_class) in_class = 1;
        buf_putc(out, c);
    }
    buf_free(&r);
}

static tk_regex *compile(const char *pattern, size_t len, char *why, size_t cap)
{
    int code;
    PCRE2_SIZE at;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc) {
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    attn_buf x;
    buf_init(&x);
    expand_props(pattern, len, &x);
    pcre2_code *c = x.failed ? NULL
                             : pcre2_compile((PCRE2_SPTR)(x.data ? x.data : ""), x.len,
                                             PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &code, &at, cc);
    int oom = x.failed;
    buf_free(&x);
    pcre2_compile_context_free(cc);
    if (!c && oom) {
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    if (!c) {
        char msg[256]; /* [256] PCRE2's message */
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof msg);
        snprintf(why, cap, "%s (at byte %zu)", msg, (size_t)at);
        return NULL;
    }
    pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* without JIT, the interpreter matches */
    tk_regex *re = malloc(sizeof *re);
    if (!re) {
        pcre2_code_free(c);
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    re->code = c;
    return re;
}

tk_regex *tk_regex_new(const char *pattern, size_t len, char *why, size_t cap)
{
    attn_buf b;
    buf_init(&b);
    tk_regex *re = NULL;
    if (translate(pattern, len, &b, why, cap) == 0) {
        if (b.failed) snprintf(why, cap, "out of memory");
        else re = compile(b.data ? b.data : "", b.len, why, cap);
    }
    buf_free(&b);
    return re;
}

tk_regex *tk_regex_new_pcre(const char *pattern, char *why, size_t cap)
{
    return compile(pattern, strlen(pattern), why, cap);
}

void tk_regex_free(tk_regex *re)
{
    if (!re) return;
    pcre2_code_free(re->code);
    free(re);
}

tk_rx_scratch *tk_rx_scratch_new(void)
{
    tk_rx_scratch *sc = calloc(1, sizeof *sc);
    if (!sc) return NULL;
    sc->md = pcre2_match_data_create(1, NULL);
    sc->mc = pcre2_match_context_create(NULL);
    sc->js = pcre2_jit_stack_create(32 << 10, 16 << 20, NULL);
    if (!sc->md || !sc->mc) {
        tk_rx_scratch_free(sc);
        return NULL;
    }
    if (sc->js) pcre2_jit_stack_assign(sc->mc, NULL, sc->js);
    return sc;
}

void tk_rx_scratch_free(tk_rx_scratch *sc)
{
    if (!sc) return;
    pcre2_match_data_free(sc->md);
    pcre2_match_context_free(sc->mc);
    pcre2_jit_stack_free(sc->js);
    free(sc);
}

/* One search from byte at: 1 with [*ms, *me), 0 for none, -1 on failure. */
static int search(const tk_regex *re, tk_rx_scratch *sc, const char *s, size_t len, size_t at, size_t *ms,
                  size_t *me, char *why, size_t cap)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, at, PCRE2_NO_UTF_CHECK, sc->md, sc->mc);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) /* the interpreter keeps its backtracking on the heap */
        rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, at, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, sc->md, sc->mc);
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc < 0) {
        char msg[200]; /* [200] PCRE2's message */
        pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof msg);
        snprintf(why, cap, "regular expression match failed: %s", msg);
        return -1;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
    *ms = ov[0];
    *me = ov[1];
    return 1;
}

int tk_regex_matches(const tk_regex *re, tk_rx_scratch *sc, const char *s, size_t len, nmatches *m,
                     char *why, size_t cap)
{
    m->n = 0;
    if (len == 0) {
        nmatches_push(m, 0, 0, 0);
        return 0;
    }
    size_t prev = 0, at = 0, ms, me;
    int last_end_set = 0;
    size_t last_end = 0;
    while (at <= len) {
        int rc = search(re, sc, s, len, at, &ms, &me, why, cap);
        if (rc < 0) return -1;
        if (rc == 0) break;
        if (ms == me && last_end_set && last_end == me) { /* no empty match right after a match */
            if (at >= len) break;
            at += 1;
            while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80) at++;
            continue;
        }
        if (prev != ms) nmatches_push(m, prev, ms, 0);
        nmatches_push(m, ms, me, 1);
        prev = me;
        last_end = me;
        last_end_set = 1;
        if (me == ms) {
            if (me >= len) break;
            at = me + 1;
            while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80) at++;
        } else {
            at = me;
        }
    }
    if (prev != len) nmatches_push(m, prev, len, 0);
    if (m->failed) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    return 0;
}

void tk_pattern_free(tk_pattern *p)
{
    free(p->str);
    tk_regex_free(p->re);
    p->str = NULL;
    p->re = NULL;
}

int tk_pattern_matches(const tk_pattern *p, tk_rx_scratch *sc, const char *s, size_t len, nmatches *m, char *why,
                       size_t cap)
{
    if (p->re) return tk_regex_matches(p->re, sc, s, len, m, why, cap);
    nstr_find_str(s, len, p->str, p->len, m);
    if (m->failed) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    return 0;
}
