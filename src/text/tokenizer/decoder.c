/* decoder.c — reading a tokenizer.json's "decoder", and the labels of the
 * tokens (see decoder.h).
 */
#include "text/tokenizer/decoder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "text/tokenizer/normalizer.h"

/* ---- reading ---- */

static const char *const dec_names[] = {"ByteLevel", "Metaspace",  "ByteFallback", "WordPiece", "Fuse",
                                        "Strip",     "Replace",    "BPEDecoder",   "CTC"};
#define N_NAMES (int)(sizeof dec_names / sizeof *dec_names)

static int read_one(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *path, int depth);

static int each_dec(void *ctx, const tkj *j, const cJSON *item, const char *path, int depth)
{
    return read_one(ctx, j, item, path, depth);
}

static int read_one(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *path, int depth)
{
    const char *s;
    int t;
    if (tkj_kind(j, node, path, dec_names, N_NAMES,
                 "ByteLevel, Metaspace, ByteFallback, WordPiece, Fuse, Strip, Replace, BPEDecoder, CTC or Sequence",
                 &t) != 0)
        return -1;
    if (t == TKJ_NONE) return 0;
    if (t == TKJ_SEQUENCE) return tkj_each(j, node, "decoders", path, depth, each_dec, tk);
    if (sw_add_decoder(tk, (tk_dec_type)t, j->err) != 0) return -1;
    tk_dec *d = &tk->dec[tk->n_dec - 1];
    long start, stop;
    char c[5], scheme_at[256]; /* [5] one character; [256] path.prepend_scheme */
    switch (d->type) {
    case TD_METASPACE: {
        int aps;
        if (tkj_char(j, node, "replacement", path, "\xE2\x96\x81", c) ||
            tkj_bool(j, node, "add_prefix_space", path, 1, &aps) || tkj_str(j, node, "prepend_scheme", path, NULL, &s))
            return -1;
        tkj_at(scheme_at, sizeof scheme_at, path, "prepend_scheme", 0);
        if (s && strcmp(s, "first") && strcmp(s, "always") && strcmp(s, "never"))
            return tkj_fail(j, scheme_at, "%s is not a prepend scheme (first, always, never)", tkj_q(s));
        d->strip_first = s ? strcmp(s, "never") != 0 : aps;
        return (d->content = strdup(c)) ? 0 : attn_oom(j->err, j->file);
    }
    case TD_STRIP:
        if (tkj_char(j, node, "content", path, " ", c) || tkj_int(j, node, "start", path, 0, 1000000, 0, &start) ||
            tkj_int(j, node, "stop", path, 0, 1000000, 0, &stop))
            return -1;
        d->start = (int)start;
        d->stop = (int)stop;
        return (d->content = strdup(c)) ? 0 : attn_oom(j->err, j->file);
    case TD_REPLACE:
        if (tkj_pattern(j, node, "pattern", path, &d->pat) || tkj_str(j, node, "content", path, "", &s)) return -1;
        return (d->content = strdup(s)) ? 0 : attn_oom(j->err, j->file);
    case TD_BPE:
        if (tkj_str(j, node, "suffix", path, "</w>", &s)) return -1;
        return (d->content = strdup(s)) ? 0 : attn_oom(j->err, j->file);
    default:
        return 0;
    }
}

int tk_decoder_read(attn_tokenizer *tk, const tkj *j, const cJSON *node, const char *path)
{
    if (node && !cJSON_IsNull(node)) return read_one(tk, j, node, path, 0);
    /* no decoder: the one the pre-tokenizers imply, so that labels read
     * as text (tokenizers would show "Ġthe") */
    for (int i = 0; i < tk->pre.count; i++) {
        const tk_pretok *p = &tk->pre.p[i];
        if (p->type == TP_BYTELEVEL && sw_add_decoder(tk, TD_BYTELEVEL, j->err) != 0) return -1;
        if (p->type == TP_METASPACE) {
            if (sw_add_decoder(tk, TD_METASPACE, j->err) != 0) return -1;
            tk_dec *d = &tk->dec[tk->n_dec - 1];
            d->strip_first = p->prepend != TK_PREPEND_NEVER;
            if (!(d->content = strdup(p->repl))) return attn_oom(j->err, j->file);
        }
    }
    return 0;
}

/* ---- one token ---- */

/* s with every occurrence of pat replaced by rep, into out. */
static void replace_all(attn_buf *out, const char *s, size_t n, const char *pat, size_t pn, const char *rep)
{
    size_t i = 0;
    while (i < n) {
        if (pn && i + pn <= n && memcmp(s + i, pat, pn) == 0) {
            buf_puts(out, rep);
            i += pn;
        } else {
            buf_putc(out, s[i++]);
        }
    }
}

/* The byte of a "<0xNN>" token, or -1. */
static int fallback_byte(const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return -1;
    const char *h = strchr(hex, s[3] ? s[3] : 'x'), *l = strchr(hex, s[4] ? s[4] : 'x');
    if (!h || !l) return -1;
    return (int)(h - hex) * 16 + (int)(l - hex);
}

/* GPT-2's byte characters back to bytes, when every character is one. */
static void bytelevel(attn_buf *out, const char *s, size_t n)
{
    size_t start = out->len;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += (size_t)utf8_decode(s + i, n - i, &cp);
        int b = tk_char_byte(cp);
        if (b < 0) { /* not a byte-level token: as it is */
            out->len = start;
            buf_put(out, s, n);
            return;
        }
        buf_putc(out, (char)b);
    }
}

/* Strips up to start leading and stop trailing copies of c. */
static void strip(attn_buf *b, const char *c, int start, int stop)
{
    size_t cl = strlen(c), a = 0, e = b->len;
    if (e == 0) return;
    for (int k = 0; k < start && a + cl <= e && memcmp(b->data + a, c, cl) == 0; k++) a += cl;
    for (int k = 0; k < stop && e >= a + cl && memcmp(b->data + e - cl, c, cl) == 0; k++) e -= cl;
    memmove(b->data, b->data + a, e - a);
    b->len = e - a;
}

/* The decoded bytes of one token into out; *byte gets its ByteFallback
 * byte or -1. first / last: the token begins / ends the text. */
static void decode_token(const attn_tokenizer *tk, const char *s, size_t n, int first, int last, tk_scratch *sc,
                         attn_buf *out, attn_buf *tmp, int *byte)
{
    int fused = 0;
    *byte = -1;
    out->len = 0;
    buf_put(out, s, n);
    for (int i = 0; i < tk->n_dec; i++) {
        const tk_dec *d = &tk->dec[i];
        tmp->len = 0;
        switch (d->type) {
        case TD_REPLACE:
            if (d->pat.re) {
                char why[64]; /* [64] */
                if (!tk_scratch_rx(sc) || tk_pattern_matches(&d->pat, sc->rx, out->data, out->len, &sc->m, why,
                                                             sizeof why) != 0)
                    continue;
                for (size_t k = 0; k < sc->m.n; k++) {
                    const nmatch *m = &sc->m.m[k];
                    if (m->match) buf_puts(tmp, d->content);
                    else buf_put(tmp, out->data + m->s, m->e - m->s);
                }
            } else {
                replace_all(tmp, out->data, out->len, d->pat.str, d->pat.len, d->content);
            }
            break;
        case TD_BYTEFALLBACK:
            if ((*byte = fallback_byte(out->data, out->len)) < 0) continue;
            buf_putc(tmp, (char)*byte);
            break;
        case TD_METASPACE:
            replace_all(tmp, out->data, out->len, d->content, strlen(d->content), first && d->strip_first ? "" : " ");
            break;
        case TD_BYTELEVEL:
            if (*byte >= 0) continue;
            bytelevel(tmp, out->data, out->len);
            break;
        case TD_BPE:
            replace_all(tmp, out->data, out->len, d->content, strlen(d->content), last ? "" : " ");
            break;
        case TD_STRIP:
            if (!fused || first || last) strip(out, d->content, !fused || first ? d->start : 0, !fused || last ? d->stop : 0);
            continue;
        case TD_FUSE:
            fused = 1;
            continue;
        default:
            continue;
        }
        attn_buf t = *out; /* tmp holds the result: the two swap */
        *out = *tmp;
        *tmp = t;
    }
}

/* ---- display ---- */

static const char hex[] = "0123456789ABCDEF";

static void put_escape(attn_buf *b, unsigned char c)
{
    if (c == '\n' || c == '\t' || c == '\r') {
        buf_put(b, c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r", 2);
        return;
    }
    char esc[] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
    buf_put(b, esc, 4);
}

/* Appends bytes p[0..n) as a label (see decoder.h). */
static void put_display(attn_buf *b, const unsigned char *p, size_t n)
{
    for (size_t k = 0; k < n;) {
        unsigned char c = p[k];
        uint32_t cp = c;
        size_t len = 1, bad;
        if (c >= 0x80) {
            len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (len == 1 || k + len > n || utf8_validate((const char *)p + k, len, &bad) != 0) len = 0;
            else utf8_decode((const char *)p + k, len, &cp);
        }
        if (c == ' ') {
            buf_puts(b, "\xE2\x90\xA3");
        } else if (len == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            if (len == 0) len = 1;
            for (size_t j = 0; j < len; j++) put_escape(b, p[k + j]); /* a C1 control: each byte */
        } else {
            buf_put(b, p + k, len);
        }
        k += len;
    }
}

int tk_labels(const attn_tokenizer *tk, const attn_token *tok, int n, tk_scratch *sc, attn_buf *labels, size_t *off,
              attn_error *err)
{
    attn_buf cur, tmp;
    buf_init(&cur);
    buf_init(&tmp);
    int first = -1, last = -1;
    for (int i = 0; i < n; i++)
        if (!tok[i].special) {
            if (first < 0) first = i;
            last = i;
        }
    for (int i = 0; i < n;) {
        const char *s = sw_vocab_str(&tk->v, tok[i].id);
        size_t sn = tk->v.len[tok[i].id];
        off[i] = labels->len;
        if (tok[i].special) {
            buf_put(labels, s, sn);
            buf_putc(labels, '\0');
            i++;
            continue;
        }
        int byte;
        decode_token(tk, s, sn, i == first, i == last, sc, &cur, &tmp, &byte);
        if (byte < 0) {
            if (cur.len == 0 && sn > 0) decode_token(tk, s, sn, 0, 0, sc, &cur, &tmp, &byte);
            put_display(labels, (const unsigned char *)cur.data, cur.len);
            buf_putc(labels, '\0');
            i++;
            continue;
        }
        /* a run of byte tokens: each character made of several is shown as
         * the character and its piece */
        int j = i;
        unsigned char run[64]; /* [64] the bytes of up to 64 tokens */
        int nb = 0;
        while (j < n && !tok[j].special && nb < 64) {
            int bj;
            decode_token(tk, sw_vocab_str(&tk->v, tok[j].id), tk->v.len[tok[j].id], j == first, j == last, sc, &cur,
                         &tmp, &bj);
            if (bj < 0) break;
            run[nb++] = (unsigned char)bj;
            j++;
        }
        for (int k = 0; k < nb;) {
            unsigned char c = run[k];
            size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0, bad;
            if (len > 1 && (k + (int)len > nb || utf8_validate((const char *)run + k, len, &bad) != 0)) len = 0;
            if (len <= 1) { /* one byte: as it is, or escaped */
                off[i + k] = labels->len;
                put_display(labels, run + k, 1);
                buf_putc(labels, '\0');
                k++;
                continue;
            }
            for (size_t q = 0; q < len; q++) {
                off[i + k + (int)q] = labels->len;
                put_display(labels, run + k, len);
                buf_printf(labels, "(%zu/%zu)", q + 1, len);
                buf_putc(labels, '\0');
            }
            k += (int)len;
        }
        i += nb;
    }
    int failed = labels->failed || cur.failed || tmp.failed;
    buf_free(&cur);
    buf_free(&tmp);
    return failed ? attn_oom(err, "token labels") : 0;
}
