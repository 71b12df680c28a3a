/* normalizer_unicode.c — the normalizers that rewrite characters one by
 * one (see normalizer.h): Unicode normalization forms, lowercase, filters,
 * BertNormalizer, ByteLevel. Each builds the list of (code point, change)
 * that tokenizers' NormalizedString would get, so the spans follow the
 * same rules (nstr.h).
 *
 * Normalization forms: each character decomposed (libutf8proc; the first
 * code point of a decomposition replaces the character, the others are
 * inserted), marks put in canonical order (a stable sort of each run of
 * non-starters by combining class), then, for NFC and NFKC, the canonical
 * composition of UAX #15: a character joins the last starter when nothing
 * between them blocks it (a character of the same or a higher class, or a
 * starter); a character that joins a starter is removed, and the starter
 * takes over its removal. Characters are seen with Unicode 9.0's data, as
 * tokenizers' unicode-normalization-alignments has it (unicode.h).
 */
#include "text/tokenizer/normalizer.h"

#include <string.h>
#include <utf8proc.h>

#include "base/utf8.h"
#include "text/tokenizer/unicode.h"

static int apply(nstr *s, nchanges *ch, size_t skip)
{
    if (ch->failed) return -1;
    return nstr_transform(s, 0, s->len, ch->c, ch->n, skip);
}

/* Calls f on every character of s. */
#define FOR_CHARS(s, cp, body)                                                                     \
    for (size_t p_ = 0; p_ < (s)->len;) {                                                          \
        uint32_t cp = (unsigned char)(s)->b[p_];                                                   \
        p_ += cp < 0x80 ? 1 : (size_t)utf8_decode((s)->b + p_, (s)->len - p_, &cp);               \
        body                                                                                       \
    }

/* ---- normalization forms ---- */

/* 1 when no character of s can change under any normalization form: all
 * below U+00A0 (U+00A0 itself has a compatibility decomposition). */
static int nf_inert(const nstr *s)
{
    for (size_t i = 0; i < s->len; i++)
        if ((unsigned char)s->b[i] >= 0xC2) return 0;
    return 1;
}

static uint32_t compose_pair(uint32_t a, uint32_t b)
{
    if (uc_age(b) > 90) return 0; /* Unicode 9.0's data, as tokenizers' */
    if (utf8proc_get_property((utf8proc_int32_t)b)->comb_index == UINT16_MAX &&
        !(b >= 0x1161 && b <= 0x1175) && !(b >= 0x11A8 && b <= 0x11C2))
        return 0;
    utf8proc_int32_t buf[2] = {(utf8proc_int32_t)a, (utf8proc_int32_t)b};
    utf8proc_ssize_t n = utf8proc_normalize_utf32(buf, 2, (utf8proc_option_t)(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
    return n == 1 && uc_age((uint32_t)buf[0]) <= 90 ? (uint32_t)buf[0] : 0;
}

int tk_norm_nf(nstr *s, int compat, int compose, nchanges *ch)
{
    if (nf_inert(s)) return 0;
    ch->n = 0;
    utf8proc_option_t opt = (utf8proc_option_t)(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
    FOR_CHARS(s, cp, {
        utf8proc_int32_t d[32]; /* [32] one character's decomposition (at most 18 in Unicode 15) */
        int bound = 0;
        utf8proc_ssize_t n = cp < 0xA0 || uc_age(cp) > 90 ? 0 : utf8proc_decompose_char((utf8proc_int32_t)cp, d, 32, opt, &bound);
        if (n < 1 || n > 32) {
            n = 1;
            d[0] = (utf8proc_int32_t)cp;
        }
        for (utf8proc_ssize_t k = 0; k < n; k++) nchanges_push(ch, (uint32_t)d[k], k == 0 ? 0 : 1);
    })
    if (ch->failed) return -1;
    /* canonical ordering: insertion sort of each run of non-starters */
    nchange *c = ch->c;
    for (size_t i = 1; i < ch->n; i++) {
        int cc = uc_ccc(c[i].cp);
        if (cc == 0) continue;
        nchange x = c[i];
        size_t k = i;
        while (k > 0 && uc_ccc(c[k - 1].cp) > cc) {
            c[k] = c[k - 1];
            k--;
        }
        c[k] = x;
    }
    if (compose) {
        size_t w = 0;           /* characters kept so far */
        long starter = -1;      /* index (in the kept ones) of the last starter */
        int last_cc = -1;       /* class of the last kept character after it */
        for (size_t i = 0; i < ch->n; i++) {
            nchange x = c[i];
            int cc = uc_ccc(x.cp);
            if (starter >= 0 && (last_cc == -1 || (last_cc != 0 && last_cc < cc))) {
                uint32_t comp = compose_pair(c[starter].cp, x.cp);
                if (comp) {
                    c[starter].cp = comp;
                    c[starter].change += x.change - 1;
                    continue;
                }
            }
            c[w] = x;
            if (cc == 0) {
                starter = (long)w;
                last_cc = -1;
            } else {
                last_cc = cc;
            }
            w++;
        }
        ch->n = w;
    }
    return apply(s, ch, 0);
}

/* ---- one character at a time ---- */

int tk_norm_lowercase(nstr *s, nchanges *ch)
{
    ch->n = 0;
    int any = 0;
    FOR_CHARS(s, cp, {
        uint32_t lo[3]; /* [3] */
        int n = uc_lower(cp, lo);
        any |= n != 1 || lo[0] != cp;
        for (int k = 0; k < n; k++) nchanges_push(ch, lo[k], k == 0 ? 0 : 1);
    })
    return any ? apply(s, ch, 0) : 0;
}

int tk_norm_filter(nstr *s, int (*keep)(uint32_t cp), nchanges *ch)
{
    ch->n = 0;
    size_t leading = 0;
    int dropped = 0;
    FOR_CHARS(s, cp, {
        if (keep(cp)) {
            nchanges_push(ch, cp, 0);
        } else {
            dropped = 1;
            if (ch->n == 0) leading++;
            else if (!ch->failed) ch->c[ch->n - 1].change--; /* removes the characters after it */
        }
    })
    return dropped ? apply(s, ch, leading) : 0;
}

static int bert_keep(uint32_t cp) { return !(cp == 0 || cp == 0xFFFD || uc_bert_control(cp)); }
static int not_mn(uint32_t cp) { return !uc_mark_nonspacing(cp); }

int tk_norm_bert(nstr *s, const tk_norm *n, nchanges *ch)
{
    if (n->clean_text) {
        if (tk_norm_filter(s, bert_keep, ch) != 0) return -1;
        ch->n = 0;
        int any = 0;
        FOR_CHARS(s, cp, {
            int ws = uc_whitespace(cp);
            any |= ws && cp != ' ';
            nchanges_push(ch, ws ? ' ' : cp, 0);
        })
        if (any && apply(s, ch, 0) != 0) return -1;
    }
    if (n->chinese) {
        ch->n = 0;
        int any = 0;
        FOR_CHARS(s, cp, {
            if (uc_bert_chinese(cp)) {
                any = 1;
                nchanges_push(ch, ' ', 1);
                nchanges_push(ch, cp, 0);
                nchanges_push(ch, ' ', 1);
            } else {
                nchanges_push(ch, cp, 0);
            }
        })
        if (any && apply(s, ch, 0) != 0) return -1;
    }
    if (n->strip_accents && (tk_norm_nf(s, 0, 0, ch) != 0 || tk_norm_filter(s, not_mn, ch) != 0)) return -1;
    if (n->lowercase && tk_norm_lowercase(s, ch) != 0) return -1;
    return 0;
}

static int nmt_keep(uint32_t cp)
{
    return !((cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F || cp == 0x8F ||
             cp == 0x9F);
}

int tk_norm_nmt(nstr *s, nchanges *ch)
{
    if (tk_norm_filter(s, nmt_keep, ch) != 0) return -1;
    ch->n = 0;
    int any = 0;
    FOR_CHARS(s, cp, {
        int sp = cp == 0x09 || cp == 0x0A || cp == 0x0C || cp == 0x0D || cp == 0x1680 || (cp >= 0x200B && cp <= 0x200F) ||
                 cp == 0x2028 || cp == 0x2029 || cp == 0x2581 || cp == 0xFEFF || cp == 0xFFFD;
        any |= sp;
        nchanges_push(ch, sp ? ' ' : cp, 0);
    })
    return any ? apply(s, ch, 0) : 0;
}

uint32_t tk_byte_char(int b)
{
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) return (uint32_t)b;
    /* 256 + the number of non-printable bytes below b: 0x00-0x20 (33), 0x7F-0xA0 (34), 0xAD */
    return 256u + (uint32_t)(b <= 0x20 ? b : b <= 0xA0 ? 33 + (b - 0x7F) : 67);
}

int tk_char_byte(uint32_t cp)
{
    if (cp < 0x100) return tk_byte_char((int)cp) == cp ? (int)cp : -1;
    if (cp >= 0x100 + 68) return -1;
    int n = (int)(cp - 0x100); /* the n-th byte that is not printable */
    return n <= 32 ? n : n <= 66 ? 0x7F + (n - 33) : 0xAD;
}

int tk_norm_bytelevel(nstr *s, nchanges *ch)
{
    ch->n = 0;
    for (size_t p = 0; p < s->len;) {
        unsigned char c = (unsigned char)s->b[p];
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        for (size_t j = 0; j < k && p + j < s->len; j++)
            nchanges_push(ch, tk_byte_char((unsigned char)s->b[p + j]), j == 0 ? 0 : 1);
        p += k;
    }
    return apply(s, ch, 0);
}
