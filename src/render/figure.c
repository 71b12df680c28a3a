/* figure.c — see figure.h. */
#include "render/figure.h"

#include "base/textesc.h"
#include "base/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint8_t FIGURE_TEXT_RGB[3] = {0x1a, 0x1a, 0x1a};
const uint8_t FIGURE_MASK_BG[3] = {0xe6, 0xe6, 0xe6};
const uint8_t FIGURE_MASK_FG[3] = {0xa0, 0xa0, 0xa0};

/* Sizes in units (1/96 inch at scale 1). */
#define U_MARGIN     16.0
#define U_TITLE      16.0   /* figure title */
#define U_PANEL      13.0   /* grid panel titles */
#define U_LABEL      13.0   /* token labels, at most */
#define U_LABEL_MIN   8.0
#define U_LABEL_MAXW 150.0  /* longer labels are cut with "…" */
#define U_TICKTEXT   11.0
#define U_CAPTION    12.0
#define U_TICK        4.0
#define U_PAD         3.0
#define U_CB_GAP     20.0
#define U_CB_W       14.0
#define U_CB_MINH   160.0
#define U_SINGLE    480.0   /* matrix side to aim for, single figure */

void figure_cell_rgb(const figure *fig, int li, int hi, int q, float v, uint8_t rgb[3])
{
    /* with the default scale, v == max gives exactly 1.0f, the colormap's top entry */
    colormap_rgb(fig->cmap, scale_t(&fig->sc, li, hi, q, v), rgb);
}

void figure_head_title(const attn_result *r, int li, int hi, char *buf, int cap)
{
    char label[16], part[32] = "";
    if (r->meta.part) /* an encoder-decoder: "Cross-attention · Layer 2 · Head 1" */
        snprintf(part, sizeof part, "%s \xC2\xB7 ", r->meta.part[0] == 'c' ? "Cross-attention"
                                                   : r->meta.part[0] == 'e' ? "Encoder" : "Decoder");
    if (r->aggregate) /* "Layer 2 · mean" */
        snprintf(buf, (size_t)cap, "%sLayer %d \xC2\xB7 %s", part, r->layers[li] + 1, r->aggregate);
    else
        snprintf(buf, (size_t)cap, "%sLayer %d \xC2\xB7 Head %s", part, r->layers[li] + 1,
                 result_head_label(r, hi, label));
}

/* The label of token t: its text, after GENERATED_MARK when the model
 * generated it (--generate); fitted as fit_text() below. */
static char *fit_text(attn_font *font, const char *s, double size, double maxw);
static char *token_label(attn_font *font, const attn_token *t, double size, double maxw)
{
    if (!t->generated) return fit_text(font, t->text, size, maxw);
    size_t n = strlen(t->text);
    char *m = malloc(n + sizeof GENERATED_MARK);
    if (!m) return NULL;
    memcpy(m, GENERATED_MARK, sizeof GENERATED_MARK - 1);
    memcpy(m + sizeof GENERATED_MARK - 1, t->text, n + 1);
    char *out = fit_text(font, m, size, maxw);
    free(m);
    return out;
}

/* An escaped copy of s (textesc.h) cut (with "…") to at most maxw pixels at size. The
 * cut adds up single code point widths (no kerning), so it stays linear in
 * the length of very long tokens. */
static char *fit_text(attn_font *font, const char *s, double size, double maxw)
{
    char *t = textesc_dup(s);
    if (!t || font_width(font, t, size) <= maxw) return t;
    double w = font_width(font, "\xE2\x80\xA6", size);
    size_t keep = 0; /* bytes of t kept, on a code point boundary */
    while (t[keep]) {
        uint32_t cp;
        char one[5] = {0};
        int len = utf8_next(t + keep, &cp);
        memcpy(one, t + keep, (size_t)len);
        double cw = font_width(font, one, size);
        if (w + cw > maxw) break;
        w += cw;
        keep += (size_t)len;
    }
    memcpy(t + keep, "\xE2\x80\xA6", 4); /* t has room: the cut removed >= 1 code point */
    return t;
}

static fig_item *push(figure *fig, fig_kind kind)
{
    if (fig->n == fig->cap) {
        int cap = fig->cap ? 2 * fig->cap : 64;
        fig_item *p = realloc(fig->items, (size_t)cap * sizeof *p);
        if (!p) return NULL;
        fig->items = p;
        fig->cap = cap;
    }
    fig_item *it = &fig->items[fig->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    return it;
}

static int add_box(figure *fig, fig_kind kind, int x, int y, int w, int h, const uint8_t *rgb)
{
    fig_item *it = push(fig, kind);
    if (!it) return -1;
    it->x = x; it->y = y; it->w = w; it->h = h;
    if (rgb) memcpy(it->rgb, rgb, 3);
    return 0;
}

/* Adds a frame of width lw just outside the box. */
static int add_frame(figure *fig, int x, int y, int w, int h, int lw)
{
    const uint8_t *c = FIGURE_TEXT_RGB;
    return add_box(fig, FIG_RECT, x - lw, y - lw, w + 2 * lw, lw, c) |
           add_box(fig, FIG_RECT, x - lw, y + h, w + 2 * lw, lw, c) |
           add_box(fig, FIG_RECT, x - lw, y, lw, h, c) |
           add_box(fig, FIG_RECT, x + w, y, lw, h, c);
}

/* Adds text (taken over: owned by the figure from here on, even on failure). */
static int add_text(figure *fig, char *text, double x, double y, double size, int rot,
                    fig_anchor anchor, const char *role)
{
    fig_item *it = text ? push(fig, FIG_TEXT) : NULL;
    if (!it) { free(text); return -1; }
    it->text = text;
    it->tx = x; it->ty = y; it->size = size; it->rot = rot;
    it->anchor = anchor; it->role = role;
    memcpy(it->rgb, FIGURE_TEXT_RGB, 3);
    return 0;
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* Ticks of the colour bar (values, see colorbar_pos()) and its caption.
 * *decimals: digits for "%.*f", -1 for "%g", -2 for labels "min"/"max"
 * (or the fixed --vmin) at the ends only. */
static int colorbar_ticks(const figure *fig, double *vals, int cap, int *decimals, char *caption,
                          size_t ccap)
{
    const scale_opts *o = &fig->sc.o;
    if (fig->single) {
        snprintf(caption, ccap, "attention weight%s", o->log ? " (log scale)" : "");
        return scale_ticks(fig->vmin, fig->vmax, o->log, vals, cap, decimals);
    }
    const char *group = o->norm == NORM_LAYER ? "layer" : o->norm == NORM_ROW ? "row" : "head";
    int zero = 1;
    for (int g = 0; g < fig->sc.groups; g++) zero &= fig->sc.lo[g] == 0.0f;
    snprintf(caption, ccap, "weight \xC3\xB7 max of each %s", group);
    if (!o->log && zero) return scale_ticks(0.0, 1.0, 0, vals, cap, decimals);
    if (o->log && !o->has_vmin) return scale_ticks(0.001, 1.0, 1, vals, cap, decimals);
    snprintf(caption, ccap, "attention weight, per %s", group);
    vals[0] = 0.0;
    vals[1] = 1.0;
    *decimals = -2;
    return 2;
}

/* Position (0 bottom, 1 top) on the colour bar of a tick value. */
static double colorbar_pos(const figure *fig, double v)
{
    const scale_opts *o = &fig->sc.o;
    if (fig->single) return scale_pos(fig->vmin, fig->vmax, o->log, v);
    if (o->log && !o->has_vmin) return scale_pos(0.001, 1.0, 1, v);
    return v; /* fractions of each group's maximum, or the two ends */
}

static double box_h(const attn_font *f, double size)
{
    return font_ascent(f, size) - font_descent(f, size);
}

/* Baseline offset that centres text of this size on a line. */
static double centre(const attn_font *f, double size)
{
    return (font_ascent(f, size) + font_descent(f, size)) / 2.0;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }
static double maxd(double a, double b) { return a > b ? a : b; }

int figure_build(figure *fig, const attn_result *r, const figure_opts *o,
                 attn_font *font, int li, int hi, attn_error *err)
{
    memset(fig, 0, sizeof *fig);
    int grid = li < 0;
    if (r->n_q <= 0 || r->n_k <= 0 || r->n_layers <= 0 || r->n_heads <= 0)
        return attn_fail(err, ATTN_EXIT_INPUT, "nothing to draw (no tokens or no heads)");
    if (r->n_q > FIGURE_MAX_TOKENS || r->n_k > FIGURE_MAX_TOKENS)
        return attn_fail(err, ATTN_EXIT_INPUT, "%d × %d tokens: too many for a figure "
                         "(at most %d a side); use -f csv or -f json",
                         r->n_q, r->n_k, FIGURE_MAX_TOKENS);
    double s = o->scale > 0 ? o->scale : 1.0;
    if (s < 0.1 || s > 20.0)
        return attn_fail(err, ATTN_EXIT_INPUT, "--scale %g: out of range (0.1 to 20)", s);
    fig->scale = s;
    fig->cmap = o->cmap;
    fig->transparent = o->transparent;
    fig->hatch_period = 6.0 * s;
    fig->hatch_width = 1.2 * s;
    if (scale_build(&fig->sc, r, 0, r->n_q, o->colour, err)) return -1;
    fig->single = scale_single(&fig->sc, li, hi, &fig->vmin, &fig->vmax);

    int R = grid ? r->n_layers : 1, C = grid ? r->n_heads : 1;
    int nmax = r->n_q > r->n_k ? r->n_q : r->n_k;
    double side = grid ? clampd(floor(760.0 / C), 160.0, U_SINGLE) : U_SINGLE;
    double cell_u = clampd(floor(side / nmax), 1.0, 40.0);
    int least = o->cell > 0 ? o->cell : FIGURE_CELL;
    if (cell_u < least) cell_u = least;
    int cell = (int)lround(cell_u * s);
    int cap = FIGURE_MAX_PX / (C * r->n_k) < FIGURE_MAX_PX / (R * r->n_q) ? FIGURE_MAX_PX / (C * r->n_k)
                                                                         : FIGURE_MAX_PX / (R * r->n_q);
    if (cell > cap) {
        cell = cap;
        cell_u = cell / s;
    }
    if (cell < 1) cell = 1;
    double fs_u = cell_u * 0.8 < U_LABEL ? cell_u * 0.8 : U_LABEL;
    int stride = 1;
    if (fs_u < U_LABEL_MIN) { fs_u = U_LABEL_MIN; stride = (int)ceil(10.0 / cell_u); }
    double fs = fs_u * s, tsz = U_TITLE * s, psz = U_PANEL * s, csz = U_CAPTION * s;
    double ksz = U_TICKTEXT * s, tick = U_TICK * s, pad = U_PAD * s, margin = U_MARGIN * s;
    int lw = (int)lround(s) > 0 ? (int)lround(s) : 1;

    /* widths of the label columns */
    const char *rows, *cols;
    char qcap[24], kcap[24]; /* "query ↓", "key →" (encoder-decoders: "target ↓", "source →") */
    result_axes(r, &rows, &cols);
    snprintf(qcap, sizeof qcap, "%s \xE2\x86\x93", rows);
    snprintf(kcap, sizeof kcap, "%s \xE2\x86\x92", cols);
    double qlab_w = 0, klab_w = 0;
    for (int q = 0; q < r->n_q; q += stride) {
        char *t = token_label(font, &r->queries->tok[q], fs, U_LABEL_MAXW * s);
        if (!t) {
            figure_free(fig);
            return attn_oom(err, "figure");
        }
        qlab_w = maxd(qlab_w, font_width(font, t, fs));
        free(t);
    }
    for (int k = 0; k < r->n_k; k += stride) {
        char *t = token_label(font, &r->keys->tok[k], fs, U_LABEL_MAXW * s);
        if (!t) {
            figure_free(fig);
            return attn_oom(err, "figure");
        }
        klab_w = maxd(klab_w, font_width(font, t, fs));
        free(t);
    }
    double colw = maxd(qlab_w + tick + pad + lw, font_width(font, qcap, csz));
    int mx0 = (int)lround(margin + colw);
    double title_base = margin + font_ascent(font, tsz);
    double y = margin + box_h(font, tsz) + 8.0 * s;
    double head_h = maxd(box_h(font, csz), grid ? box_h(font, psz) : 0) + 6.0 * s;
    int my0 = (int)lround(y + head_h);
    int mw = r->n_k * cell, mh = r->n_q * cell;
    int hgap = grid ? (int)lround(16.0 * s) : 0;
    int vgap = grid ? (int)lround(box_h(font, psz) + 18.0 * s) : 0;
    int gx1 = mx0 + C * mw + (C - 1) * hgap, gy1 = my0 + R * mh + (R - 1) * vgap;
    double right = gx1, bottom = gy1;
    int rc = 0;

    /* panels: frame, matrix, panel title */
    for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++) {
            int px = mx0 + j * (mw + hgap), py = my0 + i * (mh + vgap);
            rc |= add_frame(fig, px, py, mw, mh, lw);
            fig_item *m = push(fig, FIG_MATRIX);
            if (!m) { rc = -1; continue; }
            m->x = px; m->y = py; m->w = mw; m->h = mh; m->cell = cell;
            m->li = grid ? i : li;
            m->hi = grid ? j : hi;
            if (grid) {
                char t[64];
                figure_head_title(r, i, j, t, sizeof t);
                rc |= add_text(fig, dup(t), px + mw / 2.0,
                               py - 6.0 * s + font_descent(font, psz), psz, 0, FIG_MIDDLE, "panel");
            }
        }

    /* query labels and ticks, for every row of panels */
    for (int i = 0; i < R; i++) {
        int py = my0 + i * (mh + vgap);
        for (int q = 0; q < r->n_q; q += stride) {
            double cy = py + (q + 0.5) * cell;
            rc |= add_box(fig, FIG_RECT, mx0 - lw - (int)lround(tick),
                          (int)lround(cy - lw / 2.0), (int)lround(tick), lw, FIGURE_TEXT_RGB);
            rc |= add_text(fig, token_label(font, &r->queries->tok[q], fs, U_LABEL_MAXW * s),
                           mx0 - lw - tick - pad, cy + centre(font, fs), fs, 0, FIG_END, "qlabel");
        }
    }
    rc |= add_text(fig, dup(qcap), mx0 - lw - tick - pad, my0 - 6.0 * s + font_descent(font, csz),
                   csz, 0, FIG_END, "caption");

    /* key labels (rotated) and ticks, under every column of the bottom row */
    double ktop = gy1 + lw + tick + pad;
    for (int j = 0; j < C; j++) {
        int px = mx0 + j * (mw + hgap);
        for (int k = 0; k < r->n_k; k += stride) {
            double cx = px + (k + 0.5) * cell;
            rc |= add_box(fig, FIG_RECT, (int)lround(cx - lw / 2.0), gy1 + lw, lw,
                          (int)lround(tick), FIGURE_TEXT_RGB);
            rc |= add_text(fig, token_label(font, &r->keys->tok[k], fs, U_LABEL_MAXW * s),
                           cx + centre(font, fs), ktop, fs, 90, FIG_END, "klabel");
        }
    }
    double kcap_base = ktop + klab_w + 8.0 * s + font_ascent(font, csz);
    rc |= add_text(fig, dup(kcap), (mx0 + gx1) / 2.0, kcap_base, csz, 0, FIG_MIDDLE, "caption");
    bottom = maxd(bottom, kcap_base - font_descent(font, csz));
    /* caption lines: a scale other than the default, and the result's note */
    char line[600];
    for (int pass = 0; pass < 2; pass++) {
        const scale_opts *so = &fig->sc.o;
        if (pass == 0) {
            if (so->norm == NORM_ALL && !so->log && !so->has_vmin && !so->has_vmax) continue;
            char sc[256];
            scale_caption(&fig->sc, grid ? r->n_layers * r->n_heads : 1, sc, sizeof sc);
            snprintf(line, sizeof line, "colour scale: %s", sc);
        } else if (!render_note(r, line, sizeof line)) {
            continue;
        }
        double base = bottom + 6.0 * s + font_ascent(font, csz);
        double tw = font_width(font, line, csz);
        double cx = maxd((mx0 + gx1) / 2.0, margin + tw / 2.0);
        rc |= add_text(fig, dup(line), cx, base, csz, 0, FIG_MIDDLE, "note");
        right = maxd(right, cx + tw / 2.0);
        bottom = base - font_descent(font, csz);
    }

    /* colour bar with ticks and its caption */
    int cbx = gx1 + (int)lround(U_CB_GAP * s), cbw = (int)lround(U_CB_W * s);
    int cby = my0, cbh = gy1 - my0;
    if (cbh < U_CB_MINH * s) cbh = (int)lround(U_CB_MINH * s);
    rc |= add_frame(fig, cbx, cby, cbw, cbh, lw);
    rc |= add_box(fig, FIG_COLORBAR, cbx, cby, cbw, cbh, NULL);
    double vals[16], tl_w = 0;
    char bar_cap[128];
    int dec, nt = colorbar_ticks(fig, vals, 16, &dec, bar_cap, sizeof bar_cap);
    for (int t = 0; t < nt; t++) {
        double ty = cby + cbh - colorbar_pos(fig, vals[t]) * cbh;
        char txt[32];
        if (dec == -2 && t == 0 && fig->sc.o.has_vmin) snprintf(txt, sizeof txt, "%g", fig->sc.o.vmin);
        else if (dec == -2) snprintf(txt, sizeof txt, "%s", t == 0 ? "min" : "max");
        else if (dec < 0) snprintf(txt, sizeof txt, "%g", vals[t]);
        else snprintf(txt, sizeof txt, "%.*f", dec, vals[t]);
        tl_w = maxd(tl_w, font_width(font, txt, ksz));
        rc |= add_box(fig, FIG_RECT, cbx + cbw + lw, (int)lround(ty - lw / 2.0),
                      (int)lround(tick), lw, FIGURE_TEXT_RGB);
        rc |= add_text(fig, dup(txt), cbx + cbw + lw + tick + pad, ty + centre(font, ksz),
                       ksz, 0, FIG_START, "tick");
    }
    double cap_x = cbx + cbw + lw + tick + pad + tl_w + 8.0 * s + font_ascent(font, csz);
    rc |= add_text(fig, dup(bar_cap), cap_x, cby + cbh / 2.0, csz, 90, FIG_MIDDLE, "caption");
    right = maxd(right, cap_x - font_descent(font, csz));
    bottom = maxd(bottom, cby + cbh + lw);

    /* legend for masked cells */
    if (r->causal) {
        int sw = (int)lround(U_CB_W * s), sy = cby + cbh + lw + (int)lround(12.0 * s);
        rc |= add_frame(fig, cbx, sy, sw, sw, lw);
        rc |= add_box(fig, FIG_HATCH, cbx, sy, sw, sw, NULL);
        double lx = cbx + sw + lw + 6.0 * s;
        rc |= add_text(fig, dup("masked"), lx, sy + sw / 2.0 + centre(font, ksz), ksz, 0,
                       FIG_START, "legend");
        right = maxd(right, lx + font_width(font, "masked", ksz));
        bottom = maxd(bottom, sy + sw + lw);
    }
    if (r->queries->n && r->queries->tok[r->queries->n - 1].generated) { /* --generate: what the mark means */
        const char *note = GENERATED_MARK " generated";
        double ny = bottom + 12.0 * s + font_ascent(font, ksz);
        rc |= add_text(fig, dup(note), cbx, ny, ksz, 0, FIG_START, "legend");
        right = maxd(right, cbx + font_width(font, note, ksz));
        bottom = maxd(bottom, ny + font_descent(font, ksz));
    }

    /* title, centred over the panels but kept inside the margins */
    char deft[64];
    if (!o->title) {
        if (grid) snprintf(deft, sizeof deft, "Attention weights");
        else figure_head_title(r, li, hi, deft, sizeof deft);
    }
    fig->title = textesc_dup(o->title ? o->title : deft);
    if (!fig->title) rc = -1;
    else {
        double tw = font_width(font, fig->title, tsz);
        double cx = maxd((mx0 + gx1) / 2.0, margin + tw / 2.0);
        rc |= add_text(fig, dup(fig->title), cx, title_base, tsz, 0, FIG_MIDDLE, "title");
        right = maxd(right, cx + tw / 2.0);
    }

    fig->w = (int)ceil(right + margin);
    fig->h = (int)ceil(bottom + margin);
    if (rc != 0) {
        figure_free(fig);
        return attn_oom(err, "figure");
    }
    return 0;
}

void figure_free(figure *fig)
{
    scale_free(&fig->sc);
    for (int i = 0; i < fig->n; i++) free(fig->items[i].text);
    free(fig->items);
    free(fig->title);
    memset(fig, 0, sizeof *fig);
}

int figure_files(const attn_result *r, const figure_opts *o, const char *ext,
                 figure_emit emit, attn_file **files, int *n_files, attn_error *err)
{
    *files = NULL;
    *n_files = 0;
    int n = o->grid ? 1 : r->n_layers * r->n_heads;
    if (n <= 0) return attn_fail(err, ATTN_EXIT_INPUT, "nothing to draw (no heads shown)");
    attn_font *font = font_open(o->font, err);
    if (!font) return -1;
    attn_file *out = calloc((size_t)n, sizeof *out); /* [n] */
    if (!out) { font_close(font); return attn_oom(err, "figure"); }
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        int li = o->grid ? -1 : i / r->n_heads, hi = o->grid ? -1 : i % r->n_heads;
        char name[64];
        if (o->grid) snprintf(name, sizeof name, "grid.%s", ext);
        else if (r->aggregate) snprintf(name, sizeof name, "layer%d-%s.%s", r->layers[li] + 1,
                                        r->aggregate, ext);
        else snprintf(name, sizeof name, "layer%d-head%d.%s", r->layers[li] + 1,
                      r->heads[hi] + 1, ext);
        out[i].name = dup(name);
        if (!out[i].name) { rc = attn_oom(err, "figure"); break; }
        figure fig;
        rc = figure_build(&fig, r, o, font, li, hi, err);
        if (rc != 0) break;
        rc = emit(&fig, r, o, font, &out[i].data, err);
        if (rc == 0 && out[i].data.failed) rc = attn_oom(err, name);
        figure_free(&fig);
    }
    font_close(font);
    if (rc != 0) {
        files_free(out, n);
        return -1;
    }
    *files = out;
    *n_files = n;
    return 0;
}

void figure_model_info(attn_buf *b, const attn_meta *m)
{
    size_t start = b->len;
    if (m->name) textesc_put(b, m->name);
    if (m->architecture) buf_printf(b, "%s%s", b->len > start ? ", " : "", m->architecture);
    if (m->n_params) buf_printf(b, "%s%lld parameters", b->len > start ? ", " : "", (long long)m->n_params);
    buf_printf(b, "%s%d layers x %d heads", b->len > start ? ", " : "", m->n_layers, m->n_heads);
    if (m->n_kv_heads && m->n_kv_heads != m->n_heads) buf_printf(b, " (%d key/value heads)", m->n_kv_heads);
    if (m->context) buf_printf(b, ", context %d", m->context);
}
