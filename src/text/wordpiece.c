/* wordpiece.c — BERT's WordPiece tokenizer (see subword.h), as Hugging Face
 * tokenizers' BertNormalizer + BertPreTokenizer + WordPiece do it.
 *
 * One pass over the text, code point by code point, with the byte span of
 * the original code point carried along:
 *   - clean text: drop NUL, U+FFFD and "control" code points (categories
 *     Cc, Cf, Co, as the unicode_categories crate's is_other(); not TAB, LF,
 *     CR), and turn whitespace (TAB, LF, CR and White_Space) into ' ';
 *   - a CJK ideograph (the ranges of is_chinese_char) is a word by itself;
 *   - strip accents: NFD (canonical decomposition and ordering, libutf8proc),
 *     then drop category Mn; lowercase: Unicode full lowercase mapping, one
 *     code point at a time like Rust's char::to_lowercase (İ -> i + U+0307;
 *     no final-sigma rule: "ΟΔΟΣ" -> "οδοσ"). Accents are stripped before
 *     lowercasing, as BertNormalizer orders them;
 *   - whitespace ends a word; punctuation (ASCII !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
 *     and categories P*) is a word by itself;
 *   - each word: longer than max_chars code points -> unk; else greedy
 *     longest-match-first pieces, every piece after the first looked up with
 *     the "##" prefix; a word some position of which no piece matches is
 *     one unk token.
 * A piece's span runs from the start of its first code point's original
 * character to the end of its last one's.
 */
#include "text/wordpiece.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/textesc.h"
#include "base/utf8.h"

/* ---- loading ---- */

static const char *const bert_added[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

int wordpiece_init(attn_tokenizer *tk, const char *unk, attn_error *err)
{
    if (!unk) return attn_fail(err, ATTN_EXIT_INPUT, "%s: no unknown token given", tk->what);
    tk->unk = tokenizer_token_id(tk, unk);
    if (tk->unk < 0) {
        char q[96]; /* [96] unk, quoted */
        textesc_quote(q, sizeof q, unk, strlen(unk));
        return attn_fail(err, ATTN_EXIT_INPUT, "%s: the unknown token %s is not in the vocabulary", tk->what, q);
    }
    if (!tk->prefix) {
        if (!(tk->prefix = strdup("##"))) return attn_oom(err, "tokenizer");
        tk->prefix_len = 2;
    }
    return 0;
}

/* The settings of BertTokenizer for a vocabulary without a tokenizer.json. */
static attn_tokenizer *finish_plain(attn_tokenizer *tk, int lowercase, const char *unk,
                                    attn_error *err)
{
    tk->lowercase = tk->strip_accents = lowercase ? 1 : 0;
    if (wordpiece_init(tk, unk, err) != 0 ||
        sw_add_present(tk, bert_added, (int)(sizeof bert_added / sizeof *bert_added), err) != 0) {
        tokenizer_free(tk);
        return NULL;
    }
    tk->def_first = tokenizer_token_id(tk, "[CLS]");
    tk->def_last = tokenizer_token_id(tk, "[SEP]");
    return tk;
}

static void where_line(char *dst, size_t cap, const void *ctx, int i)
{
    snprintf(dst, cap, "%s:%d", (const char *)ctx, i + 1);
}

attn_tokenizer *wordpiece_from_vocab_txt(const char *path, int lowercase, const char *unk,
                                         attn_error *err)
{
    size_t len;
    char *text = sw_read_file(path, &len, err);
    if (!text) return NULL;
    attn_tokenizer *tk = sw_new(SUBWORD_WORDPIECE, path, err);
    int n = 0;
    for (size_t i = 0; i < len; i++) n += text[i] == '\n';
    if (len > 0 && text[len - 1] != '\n') n++; /* a last line without newline */
    const char **entries = malloc((size_t)(n ? n : 1) * sizeof *entries); /* [n] line starts */
    size_t *lens = malloc((size_t)(n ? n : 1) * sizeof *lens);            /* [n] line lengths */
    if (!tk || !entries || !lens) {
        if (tk) attn_oom(err, path);
        goto fail;
    }
    size_t p = 0;
    for (int k = 0; k < n; k++) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - text) : len;
        entries[k] = text + p;
        lens[k] = e - p;
        if (lens[k] > 0 && entries[k][lens[k] - 1] == '\r') lens[k]--;
        if (memchr(entries[k], '\0', lens[k])) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s:%d: NUL byte in the entry", path, k + 1);
            goto fail;
        }
        p = e + 1;
    }
    if (sw_vocab_build(tk, entries, lens, n, where_line, path, err) != 0) goto fail;
    free(entries);
    free(lens);
    free(text);
    return finish_plain(tk, lowercase, unk, err);
fail:
    free(entries);
    free(lens);
    free(text);
    tokenizer_free(tk);
    return NULL;
}

attn_tokenizer *wordpiece_from_list(const char *const *vocab, int n, int lowercase,
                                    const char *unk, const char *what, attn_error *err)
{
    attn_tokenizer *tk = sw_from_list(SUBWORD_WORDPIECE, vocab, n, what, err);
    return tk ? finish_plain(tk, lowercase, unk, err) : NULL;
}

/* ---- Unicode classes ---- */

static int is_control(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r') return 0;
    if (cp < 0x20 || cp == 0x7F) return 1;
    if (cp < 0xA0) return cp >= 0x80;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF || c == UTF8PROC_CATEGORY_CO;
}

static int is_chinese(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
           (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

static int is_punct(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
               (cp >= 123 && cp <= 126);
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

static int ccc(uint32_t cp)
{
    return cp < 0x300 ? 0 : utf8proc_get_property((utf8proc_int32_t)cp)->combining_class;
}

/* ---- encoding ---- */

/* Code points with the original byte span of each. */
typedef struct {
    uint32_t *cp;  /* [n] */
    size_t *s, *e; /* [n] span [s, e) of the character each came from */
    size_t n, cap;
} cp_list;

/* The word being built (raw: cleaned, NFD), the finished word (fin:
 * stripped, lowercased) and the scratch of its pieces. */
typedef struct {
    cp_list raw, fin;
    char *u;           /* [fin.n * 4] the finished word in UTF-8 ... */
    size_t *upos;      /* [fin.n + 1] ... and where each code point starts */
    char *cand;        /* [prefix_len + fin.n * 4] a piece looked up */
    int *piece_id;     /* [fin.n] pieces found */
    size_t *piece_end; /* [fin.n] code point index after each piece */
    size_t pcap;       /* code points the four buffers above have room for */
    int oom;
} wp_word;

/* Appends cp; with reorder, moves it before marks of a higher combining
 * class (canonical ordering, as NFD does). Returns -1 when memory runs out. */
static int list_add(cp_list *l, uint32_t cp, size_t s, size_t e, int reorder)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        uint32_t *c = realloc(l->cp, cap * sizeof *c);
        if (c) l->cp = c;
        size_t *ss = c ? realloc(l->s, cap * sizeof *ss) : NULL;
        if (ss) l->s = ss;
        size_t *ee = ss ? realloc(l->e, cap * sizeof *ee) : NULL;
        if (!ee) return -1;
        l->e = ee;
        l->cap = cap;
    }
    size_t k = l->n++;
    int c = reorder ? ccc(cp) : 0;
    while (c > 0 && k > 0 && ccc(l->cp[k - 1]) > c) {
        l->cp[k] = l->cp[k - 1];
        l->s[k] = l->s[k - 1];
        l->e[k] = l->e[k - 1];
        k--;
    }
    l->cp[k] = cp;
    l->s[k] = s;
    l->e[k] = e;
    return 0;
}

static void list_free(cp_list *l)
{
    free(l->cp);
    free(l->s);
    free(l->e);
}

/* The original byte span of code points [a, b) of l. */
static void span(const cp_list *l, size_t a, size_t b, size_t *s, size_t *e)
{
    *s = l->s[a];
    *e = l->e[a];
    for (size_t k = a + 1; k < b; k++) {
        if (l->s[k] < *s) *s = l->s[k];
        if (l->e[k] > *e) *e = l->e[k];
    }
}

static int push_unk(const attn_tokenizer *tk, const cp_list *f, sw_out *o)
{
    size_t s, e;
    span(f, 0, f->n, &s, &e);
    return sw_out_push(o, tk->unk, s, e, sw_vocab_str(&tk->v, tk->unk), (long)tk->v.len[tk->unk]);
}

static int reserve_pieces(const attn_tokenizer *tk, wp_word *w, size_t n)
{
    if (n <= w->pcap) return 0;
    size_t cap = n * 2;
    char *u = realloc(w->u, cap * 4);
    if (u) w->u = u;
    char *c = u ? realloc(w->cand, tk->prefix_len + cap * 4) : NULL;
    if (c) w->cand = c;
    size_t *up = c ? realloc(w->upos, (cap + 1) * sizeof *up) : NULL;
    if (up) w->upos = up;
    int *pid = up ? realloc(w->piece_id, cap * sizeof *pid) : NULL;
    if (pid) w->piece_id = pid;
    size_t *pe = pid ? realloc(w->piece_end, cap * sizeof *pe) : NULL;
    if (!pe) return w->oom = 1, -1;
    w->piece_end = pe;
    w->pcap = cap;
    return 0;
}

/* Greedy longest-match-first over the finished word. */
static int word_pieces(const attn_tokenizer *tk, wp_word *w, sw_out *o)
{
    const cp_list *f = &w->fin;
    if (f->n > (size_t)tk->max_chars) return push_unk(tk, f, o);
    if (reserve_pieces(tk, w, f->n) != 0) return -1;
    size_t p = 0;
    for (size_t k = 0; k < f->n; k++) {
        w->upos[k] = p;
        p += (size_t)utf8_encode(f->cp[k], w->u + p);
    }
    w->upos[f->n] = p;
    memcpy(w->cand, tk->prefix, tk->prefix_len);
    size_t start = 0;
    int np = 0;
    while (start < f->n) {
        size_t end = f->n;
        int id = -1;
        for (; end > start; end--) {
            size_t a = w->upos[start], b = w->upos[end];
            if (start == 0) {
                id = sw_vocab_find(&tk->v, w->u, b);
            } else {
                memcpy(w->cand + tk->prefix_len, w->u + a, b - a);
                id = sw_vocab_find(&tk->v, w->cand, tk->prefix_len + b - a);
            }
            if (id >= 0) break;
        }
        if (id < 0) return push_unk(tk, f, o);
        w->piece_id[np] = id;
        w->piece_end[np++] = end;
        start = end;
    }
    start = 0;
    for (int i = 0; i < np; i++) {
        size_t s, e;
        span(f, start, w->piece_end[i], &s, &e);
        int id = w->piece_id[i];
        if (sw_out_push(o, id, s, e, sw_vocab_str(&tk->v, id), (long)tk->v.len[id]) != 0) return -1;
        start = w->piece_end[i];
    }
    return 0;
}

/* Ends the current word: drops Mn (strip accents), lowercases, and emits
 * its pieces. */
static void word_flush(const attn_tokenizer *tk, wp_word *w, sw_out *o)
{
    cp_list *r = &w->raw, *f = &w->fin;
    f->n = 0;
    for (size_t k = 0; k < r->n && !w->oom; k++) {
        uint32_t cp = r->cp[k];
        if (tk->strip_accents && cp >= 0x300 &&
            utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_MN)
            continue;
        if (tk->lowercase && cp == 0x130) { /* the one unconditional full mapping that differs */
            if (list_add(f, 'i', r->s[k], r->e[k], 0) != 0) w->oom = 1;
            cp = 0x307;
        } else if (tk->lowercase) {
            cp = cp < 0x80 ? (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp)
                           : (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
        }
        if (list_add(f, cp, r->s[k], r->e[k], 0) != 0) w->oom = 1;
    }
    r->n = 0;
    if (f->n > 0 && !w->oom) word_pieces(tk, w, o);
}

static void word_add(wp_word *w, uint32_t cp, size_t s, size_t e, int reorder)
{
    if (list_add(&w->raw, cp, s, e, reorder) != 0) w->oom = 1;
}

/* One normalized code point (after cleaning and NFD) into the word. */
static void add_cp(const attn_tokenizer *tk, wp_word *w, uint32_t cp, size_t s, size_t e, sw_out *o)
{
    if (sw_is_whitespace(cp)) {
        word_flush(tk, w, o);
    } else if (is_punct(cp)) {
        word_flush(tk, w, o);
        word_add(w, cp, s, e, 0);
        word_flush(tk, w, o);
    } else {
        word_add(w, cp, s, e, tk->strip_accents);
    }
}

int wordpiece_segment(const attn_tokenizer *tk, const char *text, size_t start, size_t end,
                      sw_out *o, attn_error *err)
{
    wp_word w = {0};
    utf8proc_int32_t d[32]; /* [32] the NFD of one code point (at most 4 in Unicode 15) */
    for (size_t i = start; i < end && !w.oom;) {
        uint32_t cp;
        size_t s = i;
        i += (size_t)utf8_decode(text + i, end - i, &cp);
        if (tk->clean_text) {
            if (cp == 0 || cp == 0xFFFD || is_control(cp)) continue;
            if (sw_is_whitespace(cp)) cp = ' ';
        }
        int chinese = tk->chinese && is_chinese(cp);
        if (chinese) word_flush(tk, &w, o);
        utf8proc_ssize_t nd = 1;
        d[0] = (utf8proc_int32_t)cp;
        if (tk->strip_accents && cp >= 0xC0) {
            int bound = 0;
            nd = utf8proc_decompose_char(d[0], d, 32, UTF8PROC_DECOMPOSE, &bound);
            if (nd < 1 || nd > 32) {
                nd = 1;
                d[0] = (utf8proc_int32_t)cp;
            }
        }
        for (utf8proc_ssize_t k = 0; k < nd; k++) add_cp(tk, &w, (uint32_t)d[k], s, i, o);
        if (chinese) word_flush(tk, &w, o);
    }
    word_flush(tk, &w, o);
    int oom = w.oom;
    list_free(&w.raw);
    list_free(&w.fin);
    free(w.u);
    free(w.upos);
    free(w.cand);
    free(w.piece_id);
    free(w.piece_end);
    return oom ? attn_oom(err, "tokens") : 0;
}
