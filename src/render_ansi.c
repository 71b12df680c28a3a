/* render_ansi.c — terminal heatmaps and the focus view (see render.h).
 *
 * Design decisions (issue 3):
 * - One heatmap per shown head: a title "layer L · head H" (1-based), key
 *   labels above, query labels on the left (shared by the heads of a band),
 *   then the cells. Rows are queries, columns are keys; the caption says so.
 * - One colour scale for every shown head, 0 to the largest shown unmasked
 *   weight, so heads can be compared (matplotlib would scale each image on its
 *   own; we do not). The colour bar under the maps shows 0 and that maximum.
 * - Geometry: 3 or 2 columns per key (a terminal cell is about twice as tall
 *   as wide, so 2 columns × 1 line is square). Heads go side by side in bands,
 *   as many as fit in o->width, balanced across bands; the fewest bands win,
 *   then the wider cells. If one head does not fit at 2 columns per key, the
 *   map is dense: 1 column per key; in colour with half blocks ▀ (fg = upper
 *   query, bg = lower query), so a line holds two queries; in monochrome one
 *   query per line. If even that is too wide, B×B blocks are max-pooled (the
 *   smallest B that fits) and the caption says so; the layout never breaks.
 * - Labels: a repeated token carries its index as a subscript (the₀, the₄);
 *   labels too long are abbreviated with '…', keeping the subscript. Key
 *   labels go on one line when every label fits in a cell, else vertically
 *   (one glyph per line, at most 8 lines); dense maps use an index ruler and a
 *   legend instead. Widths are display widths (utf8.h: CJK and emoji are 2).
 *   Control characters in tokens are shown as '?', so no token can inject an
 *   escape sequence.
 * - Colour: COLOR_TRUE writes 38;2/48;2 RGB; COLOR_256 the nearest (squared
 *   RGB distance) of the xterm cube 16..231 and grey ramp 232..255;
 *   COLOR_NONE writes no escape byte at all: cells are the shade ramp " ░▒▓█"
 *   (level round(4 · weight/max): blank only below 1/8 of the max). In
 *   colour, cells are background colours.
 * - Masked (causal) cells are a dim '·' on the default background; in half
 *   blocks the masked half keeps the default background. Never the colour of 0.
 * - --values: 5 columns per cell (" 0.41"), black or white text by luminance;
 *   ignored, with a caption note, when the map would not fit.
 * - Focus view (o->query >= 0): per head the o->top unmasked keys by weight
 *   (ties: lower key index first) as "it → animal ██████▍ 0.41"; bars share
 *   one scale, 0 to the largest weight listed.
 * - Everything is appended to out; no line is wider than max(o->width, 20)
 *   display columns, and padding is never written at the end of a line.
 */
#include "render.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define GAP 2       /* columns between heads side by side */
#define VLAB_MAX 8  /* lines of vertical key labels */
#define BAR_MAX 20  /* focus view: bar length */

/* ---- labels -------------------------------------------------------------- */

typedef struct {
    char *s;          /* token text (sanitized) + subscript index if repeated */
    size_t text_len;  /* bytes of the text part of s */
} label;

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

static void labels_free(label *l, int n)
{
    if (!l) return;
    for (int i = 0; i < n; i++) free(l[i].s);
    free(l);
}

/* Labels of t->tok[0..n): repeated texts get their index as subscript. */
static label *labels_build(const attn_tokens *t, int n)
{
    label *l = calloc((size_t)(n > 0 ? n : 1), sizeof *l);
    label_key *k = malloc((size_t)(n > 0 ? n : 1) * sizeof *k); /* [n] sorted texts */
    if (!l || !k) { free(l); free(k); return NULL; }
    for (int i = 0; i < n; i++) { k[i].s = t->tok[i].text; k[i].i = i; }
    qsort(k, (size_t)n, sizeof *k, label_key_cmp);
    for (int a = 0; a < n; a++) {
        int dup = (a > 0 && !strcmp(k[a].s, k[a - 1].s)) ||
                  (a + 1 < n && !strcmp(k[a].s, k[a + 1].s));
        const char *s = k[a].s;
        size_t len = strlen(s);
        attn_buf b;
        buf_init(&b);
        for (size_t p = 0; p < len;) {
            uint32_t cp;
            p += (size_t)utf8_decode(s + p, len - p, &cp);
            if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) cp = '?';
            put_cp(&b, cp);
        }
        size_t text_len = b.len;
        if (dup) {
            char d[16];
            snprintf(d, sizeof d, "%d", k[a].i);
            for (char *c = d; *c; c++) put_cp(&b, 0x2080 + (uint32_t)(*c - '0'));
        }
        buf_putc(&b, '\0');
        if (b.failed) { buf_free(&b); free(k); labels_free(l, n); return NULL; }
        l[k[a].i].s = b.data;
        l[k[a].i].text_len = text_len;
    }
    free(k);
    return l;
}

/* Byte length of the glyph at s (a code point and the zero-width ones after
 * it); *w gets its display width. */
static size_t glyph(const char *s, size_t len, int *w)
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
static int measure(const char *s, size_t len, int by_glyph)
{
    int total = 0, w;
    for (size_t p = 0; p < len;) { p += glyph(s + p, len - p, &w); total += by_glyph ? 1 : w; }
    return total;
}

/* Appends text[0..text_len) + suf shortened to at most max units (display
 * columns, or glyphs when by_glyph): all of it, or a prefix of the text +
 * "…" + suf (suf dropped too when there is no room for it). */
static void put_shortened(attn_buf *b, const char *text, size_t text_len, const char *suf,
                          int max, int by_glyph)
{
    size_t suf_len = strlen(suf);
    int tw = measure(text, text_len, by_glyph), sw = measure(suf, suf_len, by_glyph);
    if (tw + sw <= max) { buf_put(b, text, text_len); buf_put(b, suf, suf_len); return; }
    if (max < 1) return;
    int room = max - 1 - sw;
    if (room < 0) { room = max - 1; suf = ""; suf_len = 0; }
    int used = 0, w;
    size_t p = 0;
    while (p < text_len) {
        size_t n = glyph(text + p, text_len - p, &w);
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
static void put_abbrev(attn_buf *b, const label *l, int max, int by_glyph)
{
    put_shortened(b, l->s, l->text_len, l->s + l->text_len, max, by_glyph);
}

/* Abbreviations of every label into one malloc'd array of strings. */
static char **abbrevs(const label *l, int n, int max, int by_glyph)
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

static void strs_free(char **a, int n)
{
    if (!a) return;
    for (int i = 0; i < n; i++) free(a[i]);
    free(a);
}

/* ---- the pen: one output line, colours, lazy padding ---------------------- */

typedef struct {
    attn_buf *b;
    attn_color_depth depth;
    int fg, bg, dim, bold;  /* current SGR state; colours -1 = default */
    int col;                /* display column of the next byte */
    int pend;               /* spaces owed before the next visible byte */
} pen;

static void put_int(attn_buf *b, int v)
{
    char d[12];
    int n = 0;
    if (v < 0) { buf_putc(b, '-'); v = -v; }
    do { d[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    char r[12];
    for (int i = 0; i < n; i++) r[i] = d[n - 1 - i];
    buf_put(b, r, (size_t)n);
}

static void flush_pend(pen *p)
{
    static const char sp[] = "                                ";
    while (p->pend > 0) {
        int n = p->pend < 32 ? p->pend : 32;
        buf_put(p->b, sp, (size_t)n);
        p->pend -= n;
    }
}

static void put_color(pen *p, int base, int c)
{
    put_int(p->b, base);
    if (p->depth == COLOR_TRUE) {
        buf_puts(p->b, ";2;");
        put_int(p->b, c >> 16 & 255); buf_putc(p->b, ';');
        put_int(p->b, c >> 8 & 255); buf_putc(p->b, ';');
        put_int(p->b, c & 255);
    } else {
        buf_puts(p->b, ";5;");
        put_int(p->b, c);
    }
}

/* Sets the SGR state (no-op in monochrome or when unchanged). */
static void pen_sgr(pen *p, int fg, int bg, int dim, int bold)
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

static void pen_plain(pen *p) { pen_sgr(p, -1, -1, 0, 0); }

/* Visible text of display width w (computed when w < 0). */
static void pen_text(pen *p, const char *s, int w)
{
    flush_pend(p);
    buf_puts(p->b, s);
    p->col += w >= 0 ? w : utf8_width(s);
}

/* Moves to column x with default-background spaces (written lazily, so
 * trailing padding never reaches the output). */
static void pen_goto(pen *p, int x)
{
    if (x <= p->col) return;
    pen_plain(p);
    p->pend += x - p->col;
    p->col = x;
}

static void pen_nl(pen *p)
{
    pen_plain(p);
    p->pend = 0;
    p->col = 0;
    buf_putc(p->b, '\n');
}

/* Word-wrapped text (words separated by single spaces) from column 0. */
static void pen_wrap(pen *p, const char *s, int width)
{
    int first = 1;
    while (*s) {
        const char *e = strchr(s, ' ');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char word[256];
        if (n >= sizeof word) n = sizeof word - 1;
        memcpy(word, s, n);
        word[n] = '\0';
        int w = utf8_width(word);
        if (!first && p->col + 1 + w > width) pen_nl(p);
        else if (!first) pen_text(p, " ", 1);
        pen_text(p, word, w);
        first = 0;
        s = e ? e + 1 : s + strlen(s);
    }
    pen_nl(p);
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
static int color_code(attn_color_depth depth, attn_colormap cm, float t, int *light)
{
    uint8_t c[3];
    colormap_rgb(cm, t, c);
    if (light) *light = 299 * c[0] + 587 * c[1] + 114 * c[2] > 128000;
    if (depth == COLOR_TRUE) return c[0] << 16 | c[1] << 8 | c[2];
    return rgb_to_256(c);
}

static const char *const shades[5] = {" ", "░", "▒", "▓", "█"};

static int shade_index(float t)
{
    if (!(t > 0.0f)) return 0;
    int i = (int)(t * 4.0f + 0.5f);
    return i > 4 ? 4 : i;
}

static void fmt_weight(char *s, size_t n, float w)
{
    if (w != 0.0f && fabsf(w) < 0.005f) snprintf(s, n, "%.1e", (double)w);
    else snprintf(s, n, "%.2f", (double)w);
}

/* ---- heatmaps -------------------------------------------------------------- */

enum { M_VALUES, M_BLOCK, M_HALF, M_DENSE };   /* cell modes */
enum { K_HORIZ, K_VERT, K_INDEX };             /* key label modes */

typedef struct {
    int width, n_maps;
    int mode, cw, pool;   /* cell mode, columns per key, pooling block */
    int dq, dk;           /* displayed rows / columns */
    int rpl;              /* displayed rows per text line (2: half blocks) */
    int lw;               /* row label width */
    int hpb, bands;       /* heads per band, bands */
    int blockw, tw;       /* columns per head block; widest title */
    int kmode, vh;        /* key label mode; vertical label lines */
    int values_dropped;
} layout;

static int digits(int v) { int d = 1; while (v >= 10) { v /= 10; d++; } return d; }

/* Heads per band at cw columns per key and row label width lw (0: none fit). */
static int per_band(const layout *L, int dk, int cw, int lw)
{
    int bw = dk * cw > L->tw ? dk * cw : L->tw;
    int n = (L->width - lw - 1 + GAP) / (bw + GAP);
    return n > L->n_maps ? L->n_maps : n;
}

static void choose_layout(layout *L, const attn_result *r, const label *ql,
                          const label *kl, const ansi_opts *o)
{
    int maxw = 0, cap = L->width / 5;
    if (cap < 6) cap = 6;
    if (cap > 16) cap = 16;
    for (int i = 0; i < r->n_q; i++) {
        int w = utf8_width(ql[i].s);
        if (w > maxw) maxw = w;
    }
    L->lw = maxw < cap ? maxw : cap;
    if (L->lw < 1) L->lw = 1;
    L->pool = 1; L->dq = r->n_q; L->dk = r->n_k; L->rpl = 1;
    L->hpb = 0;
    if (o->values) {
        L->hpb = per_band(L, r->n_k, 5, L->lw);
        if (L->hpb) { L->mode = M_VALUES; L->cw = 5; }
        else L->values_dropped = 1;
    }
    for (int pass = 0; pass < 2 && !L->hpb; pass++) {
        if (pass == 1 && L->lw > 6) L->lw = 6;
        int best = 0, best_bands = 0;
        for (int cw = 3; cw >= 2; cw--) {
            int h = per_band(L, r->n_k, cw, L->lw);
            if (!h) continue;
            int bands = (L->n_maps + h - 1) / h;
            if (!best || bands < best_bands) { best = cw; best_bands = bands; }
        }
        if (best) { L->mode = M_BLOCK; L->cw = best; L->hpb = per_band(L, r->n_k, best, L->lw); }
    }
    if (!L->hpb) {  /* dense: indices for labels, maybe pooled */
        L->mode = o->color == COLOR_NONE ? M_DENSE : M_HALF;
        L->rpl = L->mode == M_HALF ? 2 : 1;
        L->cw = 1;
        L->lw = digits(r->n_q > 0 ? r->n_q - 1 : 0);
        int avail = L->width - L->lw - 1;
        L->pool = (r->n_k + avail - 1) / avail;
        if (L->pool < 1) L->pool = 1;
        L->dk = (r->n_k + L->pool - 1) / L->pool;
        L->dq = (r->n_q + L->pool - 1) / L->pool;
        L->hpb = per_band(L, L->dk, 1, L->lw);
        if (L->hpb < 1) L->hpb = 1;
    }
    L->bands = (L->n_maps + L->hpb - 1) / L->hpb;
    L->hpb = (L->n_maps + L->bands - 1) / L->bands;
    L->blockw = L->dk * L->cw > L->tw ? L->dk * L->cw : L->tw;
    L->kmode = K_INDEX;
    L->vh = 0;
    if (L->mode == M_VALUES || L->mode == M_BLOCK) {
        L->kmode = K_HORIZ;
        for (int j = 0; j < r->n_k; j++) {
            int g = measure(kl[j].s, strlen(kl[j].s), 1);
            if (utf8_width(kl[j].s) > L->cw - 1) L->kmode = K_VERT;
            if (g > L->vh) L->vh = g;
        }
        if (L->vh > VLAB_MAX) L->vh = VLAB_MAX;
    }
}

/* Displayed cell (i, j) of matrix m: the max of its pool×pool block over the
 * unmasked weights; returns 0 when every weight in the block is masked. */
static int cell(const attn_result *r, const float *m, int pool, int i, int j, float *w)
{
    if (pool == 1) {
        if (result_masked(r, i, j)) return 0;
        *w = m[(size_t)i * (size_t)r->n_k + (size_t)j];
        return 1;
    }
    int any = 0;
    float mx = 0.0f;
    for (int q = i * pool; q < (i + 1) * pool && q < r->n_q; q++)
        for (int k = j * pool; k < (j + 1) * pool && k < r->n_k; k++) {
            if (result_masked(r, q, k)) continue;
            float v = m[(size_t)q * (size_t)r->n_k + (size_t)k];
            if (!any || v > mx) mx = v;
            any = 1;
        }
    *w = mx;
    return any;
}

/* "layer 1 · head 2", or for an aggregate "layer 1 · mean" (1-based). */
static void title_of(char *s, size_t n, const attn_result *r, int map)
{
    int li = map / r->n_heads, hi = map % r->n_heads;
    char hb[16];
    snprintf(s, n, "layer %d · %s%s", r->layers[li] + 1, r->aggregate ? "" : "head ",
             result_head_label(r, hi, hb));
}

/* The cells of one text line y of one map, starting at the pen's column. */
static void draw_cells(pen *p, const attn_result *r, const layout *L, const ansi_opts *o,
                       const float *m, float vmax, int y)
{
    int color = o->color != COLOR_NONE;
    for (int j = 0; j < L->dk; j++) {
        float w = 0.0f, w2 = 0.0f;
        int i = y * L->rpl;
        int on = cell(r, m, L->pool, i, j, &w);
        float t = w / vmax;
        if (L->mode == M_HALF) {
            int on2 = i + 1 < L->dq && cell(r, m, L->pool, i + 1, j, &w2);
            int c1 = on ? color_code(o->color, o->cmap, t, NULL) : -1;
            int c2 = on2 ? color_code(o->color, o->cmap, w2 / vmax, NULL) : -1;
            if (!on && !on2) { pen_sgr(p, -1, -1, 1, 0); pen_text(p, "·", 1); }
            else if (!on) { pen_sgr(p, c2, -1, 0, 0); pen_text(p, "▄", 1); }
            else { pen_sgr(p, c1, c2, 0, 0); pen_text(p, "▀", 1); }
            continue;
        }
        if (!on) {  /* masked: a dim dot on the default background */
            int at = (L->cw - 1) / 2;
            pen_goto(p, p->col + at);
            pen_sgr(p, -1, -1, 1, 0);
            pen_text(p, "·", 1);
            pen_goto(p, p->col + L->cw - 1 - at);
            continue;
        }
        if (L->mode == M_VALUES) {
            char s[32];
            int light;
            int bg = color ? color_code(o->color, o->cmap, t, &light) : -1;
            snprintf(s, sizeof s, "%5.2f", (double)w);
            if (strlen(s) > 5) snprintf(s, sizeof s, "%5s", w > 0 ? "  >9" : "  <0");
            if (color) pen_sgr(p, light ? (o->color == COLOR_TRUE ? 0 : 16)
                                        : (o->color == COLOR_TRUE ? 0xFFFFFF : 231), bg, 0, 0);
            pen_text(p, s, 5);
        } else if (color) {
            pen_sgr(p, -1, color_code(o->color, o->cmap, t, NULL), 0, 0);
            pen_text(p, L->cw == 3 ? "   " : L->cw == 2 ? "  " : " ", L->cw);
        } else {
            int si = shade_index(t);
            if (si == 0) pen_goto(p, p->col + L->cw);  /* blank: lazy spaces */
            for (int c = 0; si && c < L->cw; c++) pen_text(p, shades[si], 1);
        }
    }
    pen_plain(p);
}

/* Key labels of one map at column x, header line v. */
static void draw_keys(pen *p, const layout *L, char **kab, int n_k, int x, int v)
{
    int off = L->mode == M_VALUES;  /* over the number, not its leading space */
    for (int j = 0; j < n_k; j++) {
        const char *s = kab[j];
        size_t len = strlen(s), at = 0;
        int w = 0;
        if (L->kmode == K_HORIZ) {
            if (v == 0) { pen_goto(p, x + j * L->cw + off); pen_text(p, s, -1); }
            continue;
        }
        for (int g = 0; at < len; g++) {
            size_t n = glyph(s + at, len - at, &w);
            if (g == v) {
                char gl[64];
                if (n >= sizeof gl) n = sizeof gl - 1;
                memcpy(gl, s + at, n);
                gl[n] = '\0';
                pen_goto(p, x + j * L->cw + off);
                pen_text(p, gl, w);
                break;
            }
            at += n;
        }
    }
}

/* Index ruler of a dense map at column x. */
static void draw_ruler(pen *p, const layout *L, int x)
{
    int step = digits((L->dk - 1) * L->pool) + 1 <= 5 ? 5 : 10;
    for (int c = 0; c < L->dk; c += step) {
        char s[16];
        snprintf(s, sizeof s, "%d", c * L->pool);
        int w = (int)strlen(s);
        if (x + c < p->col || x + c + w > x + L->blockw) continue;
        pen_goto(p, x + c);
        pen_text(p, s, w);
    }
}

static void draw_legend(pen *p, const char *what, const label *l, int n, int width)
{
    pen_text(p, what, -1);
    for (int i = 0; i < n; i++) {
        attn_buf b;
        buf_init(&b);
        put_int(&b, i);
        buf_putc(&b, ' ');
        /* the index already tells repeats apart: the text without subscript */
        put_shortened(&b, l[i].s, l[i].text_len, "", width / 3, 0);
        if (!b.failed) {
            int w = utf8_width(b.data);
            if (p->col + 2 + w > width) pen_nl(p);
            else pen_goto(p, p->col + 2);
            pen_text(p, b.data, w);
        }
        buf_free(&b);
    }
    pen_nl(p);
}

static void draw_colorbar(pen *p, const ansi_opts *o, float vmax, int width)
{
    char mx[32];
    fmt_weight(mx, sizeof mx, vmax);
    const char *name = colormap_name(o->cmap);
    int tail = 2 + (int)strlen(mx);
    int bw = width - 6 - tail - 2 - (int)strlen(name);
    if (bw > 30) bw = 30;
    if (bw < 5) bw = width - 6 - tail;
    if (o->color == COLOR_NONE) bw = bw / 5 * 5;
    pen_text(p, "0.00 ▕", 6);
    for (int i = 0; i < bw; i++) {
        if (o->color == COLOR_NONE) {
            pen_text(p, shades[shade_index(((float)i + 0.5f) / (float)bw)], 1);
        } else {
            pen_sgr(p, color_code(o->color, o->cmap, (float)i / (float)(bw - 1), NULL), -1, 0, 0);
            pen_text(p, "█", 1);
        }
    }
    pen_plain(p);
    pen_text(p, "▏ ", 2);
    pen_text(p, mx, -1);
    if (o->color != COLOR_NONE && p->col + 2 + (int)strlen(name) <= width) {
        pen_goto(p, p->col + 2);
        pen_text(p, name, -1);
    }
    pen_nl(p);
}

static void render_maps(pen *p, const attn_result *r, const ansi_opts *o, const label *ql,
                        const label *kl, float vmax, char **qab, char **kab, const layout *L)
{
    char caption[512];
    int x0 = L->lw + 1;
    for (int band = 0; band < L->bands; band++) {
        int first = band * L->hpb, last = first + L->hpb;
        if (last > L->n_maps) last = L->n_maps;
        if (band) pen_nl(p);
        for (int m = first; m < last; m++) {  /* titles */
            char t[64];
            title_of(t, sizeof t, r, m);
            int w = utf8_width(t), x = x0 + (m - first) * (L->blockw + GAP);
            if (x + w > L->width) x = L->width - w;
            pen_goto(p, x);
            pen_sgr(p, -1, -1, 0, 1);
            pen_text(p, t, w);
            pen_plain(p);
        }
        pen_nl(p);
        int hl = L->kmode == K_VERT ? L->vh : 1;
        for (int v = 0; v < hl; v++) {
            for (int m = first; m < last; m++) {
                int x = x0 + (m - first) * (L->blockw + GAP);
                if (L->kmode == K_INDEX) draw_ruler(p, L, x);
                else draw_keys(p, L, kab, r->n_k, x, v);
            }
            pen_nl(p);
        }
        int lines = (L->dq + L->rpl - 1) / L->rpl;
        for (int y = 0; y < lines; y++) {
            const char *lab;
            char num[16];
            if (L->kmode == K_INDEX) {
                snprintf(num, sizeof num, "%d", y * L->rpl * L->pool);
                lab = num;
            } else {
                lab = qab[y];
            }
            int w = utf8_width(lab);
            pen_goto(p, L->lw - w);
            pen_text(p, lab, w);
            for (int m = first; m < last; m++) {
                pen_goto(p, x0 + (m - first) * (L->blockw + GAP));
                draw_cells(p, r, L, o, result_head(r, m / r->n_heads, m % r->n_heads), vmax, y);
            }
            pen_nl(p);
        }
    }
    pen_nl(p);
    if (L->kmode == K_INDEX) {
        if (r->keys == r->queries) draw_legend(p, "tokens:", ql, r->n_q, L->width);
        else {
            draw_legend(p, "queries:", ql, r->n_q, L->width);
            draw_legend(p, "keys:", kl, r->n_k, L->width);
        }
    }
    snprintf(caption, sizeof caption,
             "rows = queries, columns = keys (each row sums to 1); colour scale 0 to max "
             "weight, %s%s%s%s%s",
             L->n_maps > 1 ? "shared by all heads" : "of this head",
             r->causal ? "; · = masked (causal)" : "",
             L->mode == M_HALF ? "; each line holds two queries (upper and lower half)" : "",
             L->pool > 1 ? "; downsampled: each cell is the max of a block of " : "",
             L->values_dropped ? "; --values ignored: the map is too wide" : "");
    if (L->pool > 1) {
        size_t n = strlen(caption);
        snprintf(caption + n, sizeof caption - n, "%d×%d weights", L->pool, L->pool);
    }
    pen_wrap(p, caption, L->width);
    draw_colorbar(p, o, vmax, L->width);
}

/* ---- focus view -------------------------------------------------------------- */

typedef struct { float w; int k; } ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->w > y->w) return -1;
    if (x->w < y->w) return 1;
    return (x->k > y->k) - (x->k < y->k);
}

static int render_focus(pen *p, const attn_result *r, const ansi_opts *o, const label *ql,
                        const label *kl, int width, attn_error *err)
{
    int q = o->query, n_maps = r->n_layers * r->n_heads;
    int top = o->top < 1 ? 1 : o->top;
    if (top > r->n_k) top = r->n_k;
    ranked *rk = malloc((size_t)n_maps * (size_t)(r->n_k > 0 ? r->n_k : 1) * sizeof *rk); /* [maps][n_k] */
    int *cnt = calloc((size_t)(n_maps > 0 ? n_maps : 1), sizeof *cnt);                    /* [maps] */
    int cap = width / 6 < 4 ? 4 : width / 6 > 14 ? 14 : width / 6;
    char **kab = abbrevs(kl, r->n_k, cap, 0), **qab = abbrevs(ql + q, 1, cap, 0);
    int rc = -1;
    if (!rk || !cnt || !kab || !qab) { attn_oom(err, "focus view"); goto done; }
    float vmax = 0.0f;
    int kw = 1, tw = 0;
    for (int m = 0; m < n_maps; m++) {
        const float *w = result_head(r, m / r->n_heads, m % r->n_heads) + (size_t)q * (size_t)r->n_k;
        ranked *row = rk + (size_t)m * (size_t)r->n_k;
        int n = 0;
        for (int k = 0; k < r->n_k; k++)
            if (!result_masked(r, q, k)) { row[n].w = isnan(w[k]) ? -INFINITY : w[k]; row[n].k = k; n++; }
        qsort(row, (size_t)n, sizeof *row, ranked_cmp);
        cnt[m] = n < top ? n : top;
        if (cnt[m] && row[0].w > vmax) vmax = row[0].w;
        for (int i = 0; i < cnt[m]; i++) {
            int w2 = utf8_width(kab[row[i].k]);
            if (w2 > kw) kw = w2;
        }
        char t[64];
        title_of(t, sizeof t, r, m);
        if (utf8_width(t) > tw) tw = utf8_width(t);
    }
    if (!(vmax > 0.0f)) vmax = 1.0f;
    int qw = utf8_width(qab[0]), fixed = qw + 3 + kw + 1 + 1 + 4;
    int bar = BAR_MAX;
    if (fixed + bar > width) bar = width - fixed;
    if (bar < 1) bar = 1;
    int bw = fixed + bar > tw ? fixed + bar : tw;
    int hpb = (width + GAP) / (bw + GAP);
    if (hpb < 1) hpb = 1;
    int bands = (n_maps + hpb - 1) / hpb;
    hpb = (n_maps + bands - 1) / bands;

    char head[600], mx[32];
    fmt_weight(mx, sizeof mx, vmax);
    snprintf(head, sizeof head, "focus: query \"%s\" (index %d); the %d key%s it attends to most in "
             "each head; bars 0 to %s, one scale for all heads",
             qab[0], q, top, top > 1 ? "s" : "", mx);
    pen_wrap(p, head, width);
    for (int band = 0; band < bands; band++) {
        int first = band * hpb, last = first + hpb < n_maps ? first + hpb : n_maps;
        pen_nl(p);
        for (int m = first; m < last; m++) {
            char t[64];
            title_of(t, sizeof t, r, m);
            pen_goto(p, (m - first) * (bw + GAP));
            pen_sgr(p, -1, -1, 0, 1);
            pen_text(p, t, -1);
            pen_plain(p);
        }
        pen_nl(p);
        for (int i = 0; i < top; i++) {
            for (int m = first; m < last; m++) {
                if (i >= cnt[m]) continue;
                const ranked *e = rk + (size_t)m * (size_t)r->n_k + i;
                int x = (m - first) * (bw + GAP);
                pen_goto(p, x);
                pen_text(p, qab[0], qw);
                pen_text(p, " → ", 3);
                pen_text(p, kab[e->k], -1);
                pen_goto(p, x + qw + 3 + kw + 1);
                float wv = e->w > 0.0f ? e->w : 0.0f;
                int n8 = (int)(wv / vmax * (float)bar * 8.0f + 0.5f);
                if (n8 > bar * 8) n8 = bar * 8;
                if (o->color != COLOR_NONE)
                    pen_sgr(p, color_code(o->color, o->cmap, wv / vmax, NULL), -1, 0, 0);
                static const char *const eighth[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
                for (int c = 0; c < n8 / 8; c++) pen_text(p, "█", 1);
                if (n8 % 8) pen_text(p, eighth[n8 % 8], 1);
                pen_plain(p);
                char v[32];
                fmt_weight(v, sizeof v, e->w);
                pen_goto(p, x + qw + 3 + kw + 1 + bar + 1);
                pen_text(p, v, -1);
            }
            pen_nl(p);
        }
    }
    rc = 0;
done:
    free(rk);
    free(cnt);
    strs_free(kab, r->n_k);
    strs_free(qab, 1);
    return rc;
}

/* ---- entry point ------------------------------------------------------------- */

int render_ansi(attn_buf *out, const attn_result *r, const ansi_opts *o, attn_error *err)
{
    int width = o->width < 20 ? 20 : o->width;
    if (o->query >= r->n_q)
        return attn_fail(err, ATTN_EXIT_INPUT, "query index %d out of range (%d tokens)",
                         o->query, r->n_q);
    if (r->n_q <= 0 || r->n_k <= 0 || r->n_layers <= 0 || r->n_heads <= 0) {
        buf_puts(out, "(nothing to show)\n");
        return out->failed ? attn_oom(err, "ansi output") : 0;
    }
    pen p = {out, o->color, -1, -1, 0, 0, 0, 0};
    label *ql = labels_build(r->queries, r->n_q);
    label *kl = r->keys == r->queries ? ql : labels_build(r->keys, r->n_k);
    char **qab = NULL, **kab = NULL;
    int rc = -1;
    if (!ql || !kl) { attn_oom(err, "labels"); goto done; }
    if (o->query >= 0) {
        rc = render_focus(&p, r, o, ql, kl, width, err);
        goto done;
    }
    layout L;
    memset(&L, 0, sizeof L);
    L.width = width;
    L.n_maps = r->n_layers * r->n_heads;
    for (int m = 0; m < L.n_maps; m++) {
        char t[64];
        title_of(t, sizeof t, r, m);
        if (utf8_width(t) > L.tw) L.tw = utf8_width(t);
    }
    choose_layout(&L, r, ql, kl, o);
    float vmax = 0.0f;  /* the shared scale: max over every shown unmasked weight */
    for (int m = 0; m < L.n_maps; m++) {
        const float *w = result_head(r, m / r->n_heads, m % r->n_heads);
        for (int q = 0; q < r->n_q; q++)
            for (int k = 0; k < r->n_k; k++)
                if (!result_masked(r, q, k) && w[(size_t)q * (size_t)r->n_k + (size_t)k] > vmax)
                    vmax = w[(size_t)q * (size_t)r->n_k + (size_t)k];
    }
    if (!(vmax > 0.0f)) vmax = 1.0f;
    qab = abbrevs(ql, r->n_q, L.lw, 0);
    kab = abbrevs(kl, r->n_k, L.kmode == K_VERT ? L.vh : L.cw - 1, L.kmode == K_VERT);
    if (!qab || !kab) { attn_oom(err, "labels"); goto done; }
    render_maps(&p, r, o, ql, kl, vmax, qab, kab, &L);
    rc = 0;
done:
    strs_free(qab, r->n_q);
    strs_free(kab, r->n_k);
    if (kl != ql) labels_free(kl, r->n_k);
    labels_free(ql, r->n_q);
    if (rc == 0 && out->failed) rc = attn_oom(err, "ansi output");
    return rc;
}
