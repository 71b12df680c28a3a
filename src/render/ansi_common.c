/* ansi_common.c — labels, the pen and colours of the terminal renderer
 * (see ansi_common.h; used by ansi.c and focus.c). */
#include "render/ansi_common.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textesc.h"
#include "base/utf8.h"

/* ---- labels -------------------------------------------------------------- */

typedef struct { const char *s; int i; } label_key;

static int label_key_cmp(const void *a, const void *b)
{
    const label_key *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static void put_cp(attn_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    buf_put(b, u, n);
}

void ansi_labels_free(ansi_label *l, int n)
{
    if (!l) return;
    for (int i = 0; i < n; i++) free(l[i].s);
    free(l);
}

/* Labels of t->tok[0..n): repeated texts get their index as subscript. */
ansi_label *ansi_labels_build(const attn_tokens *t, int n)
{
    ansi_label *l = calloc((size_t)(n > 0 ? n : 1), sizeof *l);
    label_key *k = malloc((size_t)(n > 0 ? n : 1) * sizeof *k); /* [n] sorted texts */
    if (!l || !k) { free(l); free(k); return NULL; }
    for (int i = 0; i < n; i++) { k[i].s = t->tok[i].text; k[i].i = i; }
    qsort(k, (size_t)n, sizeof *k, label_key_cmp);
    for (int a = 0; a < n; a++) {
        int dup = (a > 0 && !strcmp(k[a].s, k[a - 1].s)) ||
                  (a + 1 < n && !strcmp(k[a].s, k[a + 1].s));
        attn_buf b;
        buf_init(&b);
        buf_put(&b, "", 0);
        if (t->tok[k[a].i].generated) buf_puts(&b, GENERATED_MARK);
        textesc_put(&b, k[a].s);
        size_t text_len = b.len;
        if (dup) {
            char d[16];
            snprintf(d, sizeof d, "%d", k[a].i);
            for (char *c = d; *c; c++) put_cp(&b, 0x2080 + (uint32_t)(*c - '0'));
        }
        buf_putc(&b, '\0');
        if (b.failed) { buf_free(&b); free(k); ansi_labels_free(l, n); return NULL; }
        l[k[a].i].s = b.data;
        l[k[a].i].text_len = text_len;
    }
    free(k);
    return l;
}

/* Byte length of the glyph at s (a code point and the zero-width ones after
 * it); *w gets its display width. */
size_t ansi_glyph(const char *s, size_t len, int *w)
{
    uint32_t cp;
    size_t n = (size_t)utf8_decode(s, len, &cp);
    *w = utf8_cp_width(cp);
    while (n < len) {
        int m = utf8_decode(s + n, len - n, &cp);
        if (utf8_cp_width(cp) != 0) break;
        n += (size_t)m;
    }
    return n;
}

/* Size of s[0..len) in display columns, or in glyphs. */
int ansi_measure(const char *s, size_t len, int by_glyph)
{
    int total = 0, w;
    for (size_t p = 0; p < len;) { p += ansi_glyph(s + p, len - p, &w); total += by_glyph ? 1 : w; }
    return total;
}

/* Appends text[0..text_len) + suf shortened to at most max units (display
 * columns, or glyphs when by_glyph): all of it, or a prefix of the text +
 * "…" + suf (suf dropped too when there is no room for it). */
void ansi_put_shortened(attn_buf *b, const char *text, size_t text_len, const char *suf,
                        int max, int by_glyph)
{
    size_t suf_len = strlen(suf);
    int tw = ansi_measure(text, text_len, by_glyph), sw = ansi_measure(suf, suf_len, by_glyph);
    if (tw + sw <= max) { buf_put(b, text, text_len); buf_put(b, suf, suf_len); return; }
    if (max < 1) return;
    int room = max - 1 - sw;
    if (room < 0) { room = max - 1; suf = ""; suf_len = 0; }
    int used = 0, w;
    size_t p = 0;
    while (p < text_len) {
        size_t n = ansi_glyph(text + p, text_len - p, &w);
        int u = by_glyph ? 1 : w;
        if (used + u > room) break;
        used += u;
        p += n;
    }
    buf_put(b, text, p);
    buf_puts(b, "…");
    buf_put(b, suf, suf_len);
}

/* A label (text + subscript) shortened to max units. */
static void put_abbrev(attn_buf *b, const ansi_label *l, int max, int by_glyph)
{
    ansi_put_shortened(b, l->s, l->text_len, l->s + l->text_len, max, by_glyph);
}

/* Abbreviations of every label into one malloc'd array of strings. */
char **ansi_abbrevs(const ansi_label *l, int n, int max, int by_glyph)
{
    char **a = calloc((size_t)(n > 0 ? n : 1), sizeof *a); /* [n] */
    if (!a) return NULL;
    for (int i = 0; i < n; i++) {
        attn_buf b;
        buf_init(&b);
        put_abbrev(&b, &l[i], max, by_glyph);
        buf_putc(&b, '\0');
        if (b.failed) {
            buf_free(&b);
            for (int j = 0; j < i; j++) free(a[j]);
            free(a);
            return NULL;
        }
        a[i] = b.data;
    }
    return a;
}

void ansi_strs_free(char **a, int n)
{
    if (!a) return;
    for (int i = 0; i < n; i++) free(a[i]);
    free(a);
}

/* ---- the pen: one output line, colours, lazy padding ---------------------- */

/* Appends v in decimal. */
void ansi_put_int(attn_buf *b, int v)
{
    char d[12];
    int n = 0;
    if (v < 0) { buf_putc(b, '-'); v = -v; }
    do { d[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    char r[12];
    for (int i = 0; i < n; i++) r[i] = d[n - 1 - i];
    buf_put(b, r, (size_t)n);
}

static void flush_pend(ansi_pen *p)
{
    static const char sp[] = "                                ";
    while (p->pend > 0) {
        int n = p->pend < 32 ? p->pend : 32;
        buf_put(p->b, sp, (size_t)n);
        p->pend -= n;
    }
}

static void put_color(ansi_pen *p, int base, int c)
{
    ansi_put_int(p->b, base);
    if (p->depth == COLOR_TRUE) {
        buf_puts(p->b, ";2;");
        ansi_put_int(p->b, c >> 16 & 255); buf_putc(p->b, ';');
        ansi_put_int(p->b, c >> 8 & 255); buf_putc(p->b, ';');
        ansi_put_int(p->b, c & 255);
    } else {
        buf_puts(p->b, ";5;");
        ansi_put_int(p->b, c);
    }
}

/* Sets the SGR state (no-op in monochrome or when unchanged). */
void ansi_pen_sgr(ansi_pen *p, int fg, int bg, int dim, int bold)
{
    if (p->depth == COLOR_NONE) return;
    if (fg == p->fg && bg == p->bg && dim == p->dim && bold == p->bold) return;
    flush_pend(p);
    int reset = (dim != p->dim) || (bold != p->bold) || (fg < 0 && p->fg >= 0) ||
                (bg < 0 && p->bg >= 0);
    int semi = 0;
    buf_puts(p->b, "\x1b[");
    if (reset) { buf_putc(p->b, '0'); semi = 1; }
    if (reset && dim) { buf_puts(p->b, ";2"); }
    if (reset && bold) { buf_puts(p->b, ";1"); }
    if (fg >= 0 && (reset || fg != p->fg)) {
        if (semi) buf_putc(p->b, ';');
        put_color(p, 38, fg);
        semi = 1;
    }
    if (bg >= 0 && (reset || bg != p->bg)) {
        if (semi) buf_putc(p->b, ';');
        put_color(p, 48, bg);
    }
    buf_putc(p->b, 'm');
    p->fg = fg; p->bg = bg; p->dim = dim; p->bold = bold;
}

void ansi_pen_plain(ansi_pen *p) { ansi_pen_sgr(p, -1, -1, 0, 0); }

/* Visible text of display width w (computed when w < 0). */
void ansi_pen_put(ansi_pen *p, const char *s, size_t n, int w)
{
    flush_pend(p);
    buf_put(p->b, s, n);
    p->col += w >= 0 ? w : ansi_measure(s, n, 0);
}

void ansi_pen_text(ansi_pen *p, const char *s, int w) { ansi_pen_put(p, s, strlen(s), w); }

/* Moves to column x with default-background spaces (written lazily, so
 * trailing padding never reaches the output). */
void ansi_pen_goto(ansi_pen *p, int x)
{
    if (x <= p->col) return;
    ansi_pen_plain(p);
    p->pend += x - p->col;
    p->col = x;
}

void ansi_pen_nl(ansi_pen *p)
{
    ansi_pen_plain(p);
    p->pend = 0;
    p->col = 0;
    buf_putc(p->b, '\n');
}

/* Word-wrapped text (words separated by single spaces) from column 0. */
void ansi_pen_wrap(ansi_pen *p, const char *s, int width)
{
    int first = 1;
    while (*s) { /* a word wider than the line gets a line of its own, whole */
        const char *e = strchr(s, ' ');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int w = ansi_measure(s, n, 0);
        if (!first && p->col + 1 + w > width) ansi_pen_nl(p);
        else if (!first) ansi_pen_text(p, " ", 1);
        ansi_pen_put(p, s, n, w);
        first = 0;
        s += n + (e != NULL);
    }
    ansi_pen_nl(p);
}

/* ---- colours --------------------------------------------------------------- */

static int rgb_to_256(const uint8_t c[3])
{
    static const int lv[6] = {0, 95, 135, 175, 215, 255};
    int idx[3], dc = 0;
    for (int j = 0; j < 3; j++) {
        int best = 0;
        for (int i = 1; i < 6; i++)
            if (abs(c[j] - lv[i]) < abs(c[j] - lv[best])) best = i;
        idx[j] = best;
        dc += (c[j] - lv[best]) * (c[j] - lv[best]);
    }
    int mean = (c[0] + c[1] + c[2]) / 3;
    int gi = (mean - 8 + 5) / 10;
    if (mean < 8) gi = 0;
    if (gi > 23) gi = 23;
    int gv = 8 + 10 * gi, dg = 0;
    for (int j = 0; j < 3; j++) dg += (c[j] - gv) * (c[j] - gv);
    return dg < dc ? 232 + gi : 16 + 36 * idx[0] + 6 * idx[1] + idx[2];
}

/* Colour code of scale position t for the pen's depth. */
int ansi_color_code(attn_color_depth depth, attn_colormap cm, float t, int *light)
{
    uint8_t c[3];
    colormap_rgb(cm, t, c);
    if (light) *light = 299 * c[0] + 587 * c[1] + 114 * c[2] > 128000;
    if (depth == COLOR_TRUE) return c[0] << 16 | c[1] << 8 | c[2];
    return rgb_to_256(c);
}

/* A weight as shown: "%.2f", or "%.1e" for tiny nonzero values. */
void ansi_fmt_weight(char *s, size_t n, float w)
{
    if (w != 0.0f && fabsf(w) < 0.005f) snprintf(s, n, "%.1e", (double)w);
    else snprintf(s, n, "%.2f", (double)w);
}

/* "layer 1 · head 2", or for an aggregate "layer 1 · mean" (1-based). */
void ansi_title_of(char *s, size_t n, const attn_result *r, int map)
{
    int li = map / r->n_heads, hi = map % r->n_heads;
    char hb[16];
    snprintf(s, n, "%s%slayer %d · %s%s", r->meta.part ? r->meta.part : "", r->meta.part ? " · " : "",
             r->layers[li] + 1, r->aggregate ? "" : "head ", result_head_label(r, hi, hb));
}
