/* ansi.c — terminal heatmaps and the entry point render_ansi() (see
 * render.h). The focus view is in focus.c; labels, the pen (colours,
 * lazy padding) and colour codes shared by both are in ansi_common.{h,c}.
 *
 * Design decisions (issue 3):
 * - One heatmap per shown head: a title "layer L · head H" (1-based), key
 *   labels above, query labels on the left (shared by the heads of a band),
 *   then the cells. Rows are queries, columns are keys; the caption says so.
 * - Colours follow the colour scale (scale.h): by default one scale for
 *   every shown head, 0 to the largest shown unmasked weight, so heads can be
 *   compared (matplotlib would scale each image on its own; --norm head
 *   does). The caption says which scale; the colour bar under the maps shows
 *   its ends (or "max" when each head, layer or row has its own).
 * - Geometry: 3 or 2 columns per key (a terminal cell is about twice as tall
 *   as wide, so 2 columns × 1 line is square). Heads go side by side in bands,
 *   as many as fit in o->width, balanced across bands; the fewest bands win,
 *   then the wider cells. If one head does not fit at 2 columns per key, the
 *   map is dense: 1 column per key; in colour with half blocks ▀ (fg = upper
 *   query, bg = lower query), so a line holds two queries; in monochrome one
 *   query per line. If even that is too wide, B×B blocks are max-pooled (the
 *   smallest B that fits) and the caption says so; the layout never breaks.
 * - Labels (ansi_common.h: subscripts for repeated tokens, '…' abbreviation,
 *   display widths, control and bidi characters as \uXXXX): key labels go on one line
 *   when every label fits in a cell, else vertically (one glyph per line, at
 *   most 8 lines); dense maps use an index ruler and a legend instead.
 * - Colour (ansi_common.h: truecolor, xterm 256): in colour, cells are
 *   background colours. COLOR_NONE writes no escape byte at all: cells are
 *   the shade ramp " ░▒▓█" (level round(4 · weight/max): blank only below 1/8
 *   of the max).
 * - Masked (causal) cells are a dim '·' on the default background; in half
 *   blocks the masked half keeps the default background. Never the colour of 0.
 * - --values: 5 columns per cell (" 0.41"), black or white text by luminance;
 *   ignored, with a caption note, when the map would not fit.
 * - Focus view (o->query >= 0): focus.c.
 * - Everything is appended to out; no line is wider than max(o->width, 20)
 *   display columns, and padding is never written at the end of a line.
 */
#include "render/ansi_common.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

#define VLAB_MAX 8  /* lines of vertical key labels */

/* ---- monochrome shades ------------------------------------------------------ */

static const char *const shades[5] = {" ", "░", "▒", "▓", "█"};

static int shade_index(float t)
{
    if (!(t > 0.0f)) return 0;
    int i = (int)(t * 4.0f + 0.5f);
    return i > 4 ? 4 : i;
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
    int n = (L->width - lw - 1 + ANSI_GAP) / (bw + ANSI_GAP);
    return n > L->n_maps ? L->n_maps : n;
}

static void choose_layout(layout *L, const attn_result *r, const ansi_label *ql,
                          const ansi_label *kl, const ansi_opts *o)
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
            int g = ansi_measure(kl[j].s, strlen(kl[j].s), 1);
            if (utf8_width(kl[j].s) > L->cw - 1) L->kmode = K_VERT;
            if (g > L->vh) L->vh = g;
        }
        if (L->vh > VLAB_MAX) L->vh = VLAB_MAX;
    }
}

/* Displayed cell (i, j) of matrix m: the max of its pool×pool block over the
 * unmasked weights; returns 0 when every weight in the block is masked. */
static int cell(const attn_result *r, int li, const float *m, int pool, int i, int j, float *w)
{
    if (pool == 1) {
        if (result_masked_in(r, li, i, j)) return 0;
        *w = m[(size_t)i * (size_t)r->n_k + (size_t)j];
        return 1;
    }
    int any = 0;
    float mx = 0.0f;
    for (int q = i * pool; q < (i + 1) * pool && q < r->n_q; q++)
        for (int k = j * pool; k < (j + 1) * pool && k < r->n_k; k++) {
            if (result_masked_in(r, li, q, k)) continue;
            float v = m[(size_t)q * (size_t)r->n_k + (size_t)k];
            if (!any || v > mx) mx = v;
            any = 1;
        }
    *w = mx;
    return any;
}

/* The cells of one text line y of shown map `map`, starting at the pen's
 * column; colours by the scale sc (a pooled cell: its first query's range). */
static void draw_cells(ansi_pen *p, const attn_result *r, const layout *L, const ansi_opts *o,
                       int map, const attn_scale *sc, int y)
{
    int color = o->color != COLOR_NONE;
    int li = map / r->n_heads, hi = map % r->n_heads;
    const float *m = result_head(r, li, hi);
    for (int j = 0; j < L->dk; j++) {
        float w = 0.0f, w2 = 0.0f;
        int i = y * L->rpl;
        int on = cell(r, li, m, L->pool, i, j, &w);
        float t = scale_t(sc, li, hi, i * L->pool, w);
        if (L->mode == M_HALF) {
            int on2 = i + 1 < L->dq && cell(r, li, m, L->pool, i + 1, j, &w2);
            int c1 = on ? ansi_color_code(o->color, o->cmap, t, NULL) : -1;
            int c2 = on2 ? ansi_color_code(o->color, o->cmap, scale_t(sc, li, hi, (i + 1) * L->pool, w2), NULL)
                         : -1;
            if (!on && !on2) { ansi_pen_sgr(p, -1, -1, 1, 0); ansi_pen_text(p, "·", 1); }
            else if (!on) { ansi_pen_sgr(p, c2, -1, 0, 0); ansi_pen_text(p, "▄", 1); }
            else { ansi_pen_sgr(p, c1, c2, 0, 0); ansi_pen_text(p, "▀", 1); }
            continue;
        }
        if (!on) {  /* masked: a dim dot on the default background */
            int at = (L->cw - 1) / 2;
            ansi_pen_goto(p, p->col + at);
            ansi_pen_sgr(p, -1, -1, 1, 0);
            ansi_pen_text(p, "·", 1);
            ansi_pen_goto(p, p->col + L->cw - 1 - at);
            continue;
        }
        if (L->mode == M_VALUES) {
            char s[32];
            int light;
            int bg = color ? ansi_color_code(o->color, o->cmap, t, &light) : -1;
            snprintf(s, sizeof s, "%5.2f", (double)w);
            if (strlen(s) > 5) snprintf(s, sizeof s, "%5s", w > 0 ? "  >9" : "  <0");
            if (color) ansi_pen_sgr(p, light ? (o->color == COLOR_TRUE ? 0 : 16)
                                             : (o->color == COLOR_TRUE ? 0xFFFFFF : 231), bg, 0, 0);
            ansi_pen_text(p, s, 5);
        } else if (color) {
            ansi_pen_sgr(p, -1, ansi_color_code(o->color, o->cmap, t, NULL), 0, 0);
            ansi_pen_text(p, L->cw == 3 ? "   " : L->cw == 2 ? "  " : " ", L->cw);
        } else {
            int si = shade_index(t);
            if (si == 0) ansi_pen_goto(p, p->col + L->cw);  /* blank: lazy spaces */
            for (int c = 0; si && c < L->cw; c++) ansi_pen_text(p, shades[si], 1);
        }
    }
    ansi_pen_plain(p);
}

/* Key labels of one map at column x, header line v. */
static void draw_keys(ansi_pen *p, const layout *L, char **kab, int n_k, int x, int v)
{
    int off = L->mode == M_VALUES;  /* over the number, not its leading space */
    for (int j = 0; j < n_k; j++) {
        const char *s = kab[j];
        size_t len = strlen(s), at = 0;
        int w = 0;
        if (L->kmode == K_HORIZ) {
            if (v == 0) { ansi_pen_goto(p, x + j * L->cw + off); ansi_pen_text(p, s, -1); }
            continue;
        }
        for (int g = 0; at < len; g++) {
            size_t n = ansi_glyph(s + at, len - at, &w);
            if (g == v) { /* the whole glyph, however many combining marks it has */
                ansi_pen_goto(p, x + j * L->cw + off);
                ansi_pen_put(p, s + at, n, w);
                break;
            }
            at += n;
        }
    }
}

/* Index ruler of a dense map at column x. */
static void draw_ruler(ansi_pen *p, const layout *L, int x)
{
    int step = digits((L->dk - 1) * L->pool) + 1 <= 5 ? 5 : 10;
    for (int c = 0; c < L->dk; c += step) {
        char s[16];
        snprintf(s, sizeof s, "%d", c * L->pool);
        int w = (int)strlen(s);
        if (x + c < p->col || x + c + w > x + L->blockw) continue;
        ansi_pen_goto(p, x + c);
        ansi_pen_text(p, s, w);
    }
}

static void draw_legend(ansi_pen *p, const char *what, const ansi_label *l, int n, int width)
{
    ansi_pen_text(p, what, -1);
    for (int i = 0; i < n; i++) {
        attn_buf b;
        buf_init(&b);
        ansi_put_int(&b, i);
        buf_putc(&b, ' ');
        /* the index already tells repeats apart: the text without subscript */
        ansi_put_shortened(&b, l[i].s, l[i].text_len, "", width / 3, 0);
        if (!b.failed) {
            int w = utf8_width(b.data);
            if (p->col + 2 + w > width) ansi_pen_nl(p);
            else ansi_pen_goto(p, p->col + 2);
            ansi_pen_text(p, b.data, w);
        }
        buf_free(&b);
    }
    ansi_pen_nl(p);
}

/* The colour bar: the range's ends when every map shares one range, else
 * "0" (or the fixed --vmin) and "max". */
static void draw_colorbar(ansi_pen *p, const ansi_opts *o, const attn_scale *sc, int width)
{
    char mn[32], mx[32];
    float lo, hi;
    if (scale_single(sc, -1, -1, &lo, &hi)) {
        ansi_fmt_weight(mn, sizeof mn, lo);
        ansi_fmt_weight(mx, sizeof mx, hi);
    } else {
        snprintf(mx, sizeof mx, "max");
        if (sc->o.has_vmin) ansi_fmt_weight(mn, sizeof mn, (float)sc->o.vmin);
        else snprintf(mn, sizeof mn, "%s", sc->o.log ? "max/1000" : lo < 0.0f ? "min" : "0");
    }
    const char *name = colormap_name(o->cmap);
    int head = (int)strlen(mn) + 2, tail = 2 + (int)strlen(mx);
    int bw = width - head - tail - 2 - (int)strlen(name);
    if (bw > 30) bw = 30;
    if (bw < 5) bw = width - head - tail;
    if (o->color == COLOR_NONE) bw = bw / 5 * 5;
    ansi_pen_text(p, mn, -1);
    ansi_pen_text(p, " ▕", 2);
    for (int i = 0; i < bw; i++) {
        if (o->color == COLOR_NONE) {
            ansi_pen_text(p, shades[shade_index(((float)i + 0.5f) / (float)bw)], 1);
        } else {
            int c = ansi_color_code(o->color, o->cmap, (float)i / (float)(bw - 1), NULL);
            ansi_pen_sgr(p, c, -1, 0, 0);
            ansi_pen_text(p, "█", 1);
        }
    }
    ansi_pen_plain(p);
    ansi_pen_text(p, "▏ ", 2);
    ansi_pen_text(p, mx, -1);
    if (o->color != COLOR_NONE && p->col + 2 + (int)strlen(name) <= width) {
        ansi_pen_goto(p, p->col + 2);
        ansi_pen_text(p, name, -1);
    }
    ansi_pen_nl(p);
}

static void render_maps(ansi_pen *p, const attn_result *r, const ansi_opts *o, const ansi_label *ql,
                        const ansi_label *kl, const attn_scale *sc, char **qab, char **kab, const layout *L)
{
    char caption[768], scale[256];
    int x0 = L->lw + 1;
    for (int band = 0; band < L->bands; band++) {
        int first = band * L->hpb, last = first + L->hpb;
        if (last > L->n_maps) last = L->n_maps;
        if (band) ansi_pen_nl(p);
        for (int m = first; m < last; m++) {  /* titles */
            char t[64];
            ansi_title_of(t, sizeof t, r, m);
            int w = utf8_width(t), x = x0 + (m - first) * (L->blockw + ANSI_GAP);
            if (x + w > L->width) x = L->width - w;
            ansi_pen_goto(p, x);
            ansi_pen_sgr(p, -1, -1, 0, 1);
            ansi_pen_text(p, t, w);
            ansi_pen_plain(p);
        }
        ansi_pen_nl(p);
        int hl = L->kmode == K_VERT ? L->vh : 1;
        for (int v = 0; v < hl; v++) {
            for (int m = first; m < last; m++) {
                int x = x0 + (m - first) * (L->blockw + ANSI_GAP);
                if (L->kmode == K_INDEX) draw_ruler(p, L, x);
                else draw_keys(p, L, kab, r->n_k, x, v);
            }
            ansi_pen_nl(p);
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
            ansi_pen_goto(p, L->lw - w);
            ansi_pen_text(p, lab, w);
            for (int m = first; m < last; m++) {
                ansi_pen_goto(p, x0 + (m - first) * (L->blockw + ANSI_GAP));
                draw_cells(p, r, L, o, m, sc, y);
            }
            ansi_pen_nl(p);
        }
    }
    ansi_pen_nl(p);
    if (L->kmode == K_INDEX) {
        if (r->keys == r->queries) draw_legend(p, "tokens:", ql, r->n_q, L->width);
        else {
            draw_legend(p, r->meta.part ? "target:" : "queries:", ql, r->n_q, L->width);
            draw_legend(p, r->meta.part ? "source:" : "keys:", kl, r->n_k, L->width);
        }
    }
    scale_caption(sc, L->n_maps, scale, sizeof scale);
    const char *rows, *cols, *part = r->meta.part; /* encoder-decoders: target and source tokens */
    result_axes(r, &rows, &cols);
    snprintf(caption, sizeof caption,
             "rows = %s%s, columns = %s%s (each row sums to 1); colour scale %s%s%s%s%s%s",
             part ? rows : "queries", part ? " tokens" : "", part ? cols : "keys", part ? " tokens" : "", scale,
             r->queries->n && r->queries->tok[r->queries->n - 1].generated ? "; " GENERATED_MARK " = generated" : "",
             r->sliding ? "; · = masked (causal, sliding window)" : r->causal ? "; · = masked (causal)" : "",
             L->mode == M_HALF ? "; each line holds two queries (upper and lower half)" : "",
             L->pool > 1 ? "; downsampled: each cell is the max of a block of " : "",
             L->values_dropped ? "; --values ignored: the map is too wide" : "");
    if (L->pool > 1) {
        size_t n = strlen(caption);
        snprintf(caption + n, sizeof caption - n, "%d×%d weights", L->pool, L->pool);
    }
    ansi_pen_wrap(p, caption, L->width);
    draw_colorbar(p, o, sc, L->width);
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
    ansi_pen p = {out, o->color, -1, -1, 0, 0, 0, 0};
    ansi_label *ql = ansi_labels_build(r->queries, r->n_q);
    ansi_label *kl = r->keys == r->queries ? ql : ansi_labels_build(r->keys, r->n_k);
    char **qab = NULL, **kab = NULL;
    attn_scale sc = {0};
    int rc = -1;
    if (!ql || !kl) { attn_oom(err, "labels"); goto done; }
    if (o->query >= 0) {
        rc = ansi_render_focus(&p, r, o, ql, kl, width, err);
        goto done;
    }
    layout L;
    memset(&L, 0, sizeof L);
    L.width = width;
    L.n_maps = r->n_layers * r->n_heads;
    for (int m = 0; m < L.n_maps; m++) {
        char t[64];
        ansi_title_of(t, sizeof t, r, m);
        if (utf8_width(t) > L.tw) L.tw = utf8_width(t);
    }
    choose_layout(&L, r, ql, kl, o);
    if (scale_build(&sc, r, 0, r->n_q, o->colour, err)) goto done;
    qab = ansi_abbrevs(ql, r->n_q, L.lw, 0);
    kab = ansi_abbrevs(kl, r->n_k, L.kmode == K_VERT ? L.vh : L.cw - 1, L.kmode == K_VERT);
    if (!qab || !kab) { attn_oom(err, "labels"); goto done; }
    render_maps(&p, r, o, ql, kl, &sc, qab, kab, &L);
    rc = 0;
done:
    scale_free(&sc);
    ansi_strs_free(qab, r->n_q);
    ansi_strs_free(kab, r->n_k);
    if (kl != ql) ansi_labels_free(kl, r->n_k);
    ansi_labels_free(ql, r->n_q);
    if (rc == 0 && out->failed) rc = attn_oom(err, "ansi output");
    return rc;
}
