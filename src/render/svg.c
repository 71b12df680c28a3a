/* svg.c — SVG figures: the layout of figure.c written as SVG 1.1.
 *
 * Same layout as the PNG (text is measured with the same font, so labels fit
 * when the viewer has that font too); text is real <text> elements, so it
 * stays selectable and sharp at any zoom. Each cell is a <rect>, with a
 * <title> tooltip "query → key: weight" while a matrix has at most
 * SVG_TOOLTIP_CELLS cells (beyond that they would dominate the file size).
 * A matrix of more than SVG_RASTER_CELLS cells is instead one <image>: a
 * PNG of the cells (the same colours; masked cells transparent over a
 * rectangle of the hatch pattern), each cell as many pixels as it is wide
 * in the figure (fewer when the image would pass SVG_IMAGE_SIDE pixels), so
 * that it shows at its size without scaling, embedded as a data: URI and
 * marked to be scaled without smoothing (image-rendering optimizeSpeed /
 * pixelated; librsvg smooths anyway, which then blurs only cell edges),
 * so a 1,000-token head is a few MB instead of a million elements (which
 * rsvg-convert refuses) and draws at once in browsers and Inkscape.
 * The colour bar is a linearGradient
 * with 65 stops from the colormap; masked cells use a hatch <pattern>.
 * Metadata goes into <title>, <desc> (software, model, seed, command line)
 * and <metadata> (the tokens as JSON). Deterministic: no dates, and every
 * number is printed with a fixed precision.
 */
#include <stdlib.h>
#include <string.h>

#include "render/figure.h"
#include "render/png_encode.h"
#include "render/render.h"

#define SVG_TOOLTIP_CELLS 4096
#define SVG_RASTER_CELLS  4096
#define SVG_IMAGE_SIDE    4096  /* embedded images: cells of up to their pixel size, at most this */

#ifndef ATTNVIZ_VERSION
#define ATTNVIZ_VERSION "unknown"
#endif

/* Appends s with XML escapes (text content and attribute values); text
 * figure.c cleaned already stays as it is (textesc.h). */
static void esc(attn_buf *b, const char *s)
{
    textesc_markup(b, s);
}

/* Appends s with textesc.h's escapes, then XML's; -1 when memory runs out. */
static int esc_clean(attn_buf *b, const char *s)
{
    textesc_markup(b, s);
    return b->failed ? -1 : 0;
}

static void hex(attn_buf *b, const uint8_t rgb[3])
{
    buf_printf(b, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

static void defs(attn_buf *b, const figure *fig)
{
    buf_puts(b, "<defs>\n<linearGradient id=\"colorbar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\n");
    for (int i = 0; i <= 64; i++) {
        uint8_t rgb[3];
        colormap_rgb(fig->cmap, (float)i / 64.0f, rgb);
        buf_printf(b, "<stop offset=\"%.4f\" stop-color=\"", i / 64.0);
        hex(b, rgb);
        buf_puts(b, "\"/>\n");
    }
    double p = fig->hatch_period, a = fig->hatch_width;
    buf_printf(b, "</linearGradient>\n<pattern id=\"masked\" patternUnits=\"userSpaceOnUse\" "
                  "width=\"%.2f\" height=\"%.2f\">\n<rect width=\"%.2f\" height=\"%.2f\" fill=\"",
               p, p, p, p);
    hex(b, FIGURE_MASK_BG);
    buf_printf(b, "\"/>\n<path d=\"M0,%.2f L%.2f,0 M%.2f,%.2f L%.2f,%.2f M%.2f,%.2f L%.2f,%.2f\" "
                  "stroke=\"", p, p, -a, a, a, -a, p - a, p + a, p + a, p - a);
    hex(b, FIGURE_MASK_FG);
    buf_printf(b, "\" stroke-width=\"%.2f\"/>\n</pattern>\n</defs>\n", a);
}

/* Appends data in base64 (RFC 4648, with padding). */
static void base64(attn_buf *b, const unsigned char *d, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (buf_reserve(b, (n + 2) / 3 * 4 + 1) != 0) return;
    char *p = b->data + b->len;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
        *p++ = a[v >> 18]; *p++ = a[v >> 12 & 63]; *p++ = a[v >> 6 & 63]; *p++ = a[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0);
        *p++ = a[v >> 18]; *p++ = a[v >> 12 & 63];
        *p++ = i + 1 < n ? a[v >> 6 & 63] : '=';
        *p++ = '=';
    }
    b->len = (size_t)(p - b->data);
    b->data[b->len] = '\0';
}

/* A large matrix as one embedded PNG, one pixel per cell. */
static int matrix_image(attn_buf *b, const figure *fig, const fig_item *it, const attn_result *r,
                        attn_error *err)
{
    const float *w = result_head(r, it->li, it->hi);
    int n = r->n_q > r->n_k ? r->n_q : r->n_k;
    int f = it->cell < SVG_IMAGE_SIDE / n ? it->cell : SVG_IMAGE_SIDE / n; /* pixels a cell */
    if (f < 1) f = 1;
    size_t iw = (size_t)r->n_k * (size_t)f, ih = (size_t)r->n_q * (size_t)f;
    uint8_t *px = malloc(iw * ih * 4); /* [ih][iw] RGBA */
    if (!px) return attn_oom(err, "SVG");
    for (int q = 0; q < r->n_q; q++) {
        uint8_t *row = px + (size_t)q * (size_t)f * iw * 4; /* the first pixel row of query q */
        for (int k = 0; k < r->n_k; k++) {
            uint8_t c[4] = {0, 0, 0, 0};
            if (!result_masked(r, q, k)) {
                figure_cell_rgb(fig, it->li, it->hi, q, w[(size_t)q * r->n_k + k], c);
                c[3] = 255;
            }
            for (int x = 0; x < f; x++) memcpy(row + ((size_t)k * (size_t)f + (size_t)x) * 4, c, 4);
        }
        for (int y = 1; y < f; y++) memcpy(row + (size_t)y * iw * 4, row, iw * 4);
    }
    attn_buf png;
    buf_init(&png);
    int rc = png_encode(px, (int)iw, (int)ih, r->causal, 0, 1, NULL, 0, &png, err);
    free(px);
    if (rc == 0) {
        if (r->causal)
            buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"url(#masked)\"/>\n", it->x,
                       it->y, it->w, it->h);
        buf_printf(b, "<image x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" preserveAspectRatio=\"none\" "
                      "image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" "
                      "xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"data:image/png;base64,",
                   it->x, it->y, it->w, it->h);
        base64(b, (const unsigned char *)png.data, png.len);
        buf_puts(b, "\"/>\n");
    }
    buf_free(&png);
    return rc;
}

static int matrix(attn_buf *b, const figure *fig, const fig_item *it, const attn_result *r, attn_error *err)
{
    const float *w = result_head(r, it->li, it->hi);
    if ((long)r->n_q * r->n_k > SVG_RASTER_CELLS) {
        char label[16];
        buf_printf(b, "<g class=\"matrix\" data-layer=\"%d\" data-head=\"%s\" data-cells=\"image\">\n",
                   r->layers[it->li] + 1, result_head_label(r, it->hi, label));
        if (matrix_image(b, fig, it, r, err) != 0) return -1;
        buf_puts(b, "</g>\n");
        return 0;
    }
    int tips = (long)r->n_q * r->n_k <= SVG_TOOLTIP_CELLS;
    char label[16];
    buf_printf(b, "<g class=\"matrix\" data-layer=\"%d\" data-head=\"%s\" "
                  "shape-rendering=\"crispEdges\">\n", r->layers[it->li] + 1,
               result_head_label(r, it->hi, label));
    for (int q = 0; q < r->n_q; q++)
        for (int k = 0; k < r->n_k; k++) {
            buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"",
                       it->x + k * it->cell, it->y + q * it->cell, it->cell, it->cell);
            int masked = result_masked_in(r, it->li, q, k);
            if (masked) {
                buf_puts(b, "url(#masked)");
            } else {
                uint8_t rgb[3];
                figure_cell_rgb(fig, it->li, it->hi, q, w[(size_t)q * r->n_k + k], rgb);
                hex(b, rgb);
            }
            if (!tips) {
                buf_puts(b, "\"/>\n");
                continue;
            }
            buf_puts(b, "\"><title>");
            if (esc_clean(b, r->queries->tok[q].text) != 0) return attn_oom(err, "SVG");
            buf_puts(b, " \xE2\x86\x92 ");
            if (esc_clean(b, r->keys->tok[k].text) != 0) return attn_oom(err, "SVG");
            if (masked) buf_puts(b, ": masked</title></rect>\n");
            else buf_printf(b, ": %.4f</title></rect>\n", (double)w[(size_t)q * r->n_k + k]);
        }
    buf_puts(b, "</g>\n");
    return 0;
}

static void text(attn_buf *b, const fig_item *it)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    buf_printf(b, "<text class=\"%s\" x=\"%.2f\" y=\"%.2f\" font-size=\"%.2f\"", it->role,
               it->tx, it->ty, it->size);
    if (it->anchor != FIG_START) buf_printf(b, " text-anchor=\"%s\"", anchors[it->anchor]);
    if (it->rot) buf_printf(b, " transform=\"rotate(-90 %.2f %.2f)\"", it->tx, it->ty);
    buf_puts(b, ">");
    esc(b, it->text); /* figure.c cleaned it already */
    buf_puts(b, "</text>\n");
}

static void meta(attn_buf *b, const figure *fig, const attn_result *r)
{
    buf_puts(b, "<title>");
    esc(b, fig->title);
    buf_puts(b, "</title>\n<desc>attnviz " ATTNVIZ_VERSION);
    if (r->meta.model) {
        attn_buf info;
        buf_init(&info);
        figure_model_info(&info, &r->meta);
        buf_puts(b, "; model ");
        esc_clean(b, r->meta.model);
        if (r->meta.n_kv_heads) { /* the decoder families: what the model is */
            buf_puts(b, " (");
            if (info.data) esc_clean(b, info.data);
            buf_puts(b, ")");
        }
        buf_free(&info);
    }
    if (r->meta.seeded) buf_printf(b, "; seed %llu", (unsigned long long)r->meta.seed);
    char sc[256];
    scale_caption(&fig->sc, r->n_layers * r->n_heads, sc, sizeof sc);
    if (fig->single && fig->sc.o.norm == NORM_ALL && !fig->sc.o.log && !fig->sc.o.has_vmin &&
        !fig->sc.o.has_vmax && fig->vmin == 0.0f)
        buf_printf(b, "; colormap %s, 0 to %.6g", colormap_name(fig->cmap), (double)fig->vmax);
    else
        buf_printf(b, "; colormap %s, colour scale %s", colormap_name(fig->cmap), sc);
    if (r->meta.command_line) {
        buf_puts(b, "; command: ");
        esc_clean(b, r->meta.command_line);
    }
    buf_puts(b, "</desc>\n<metadata id=\"attnviz\">");
    attn_buf j;
    buf_init(&j);
    buf_puts(&j, "{\"tokens\": [");
    for (int i = 0; i < r->queries->n; i++) {
        if (i) buf_puts(&j, ", ");
        json_string(&j, r->queries->tok[i].text);
    }
    buf_puts(&j, "]");
    if (r->keys != r->queries) {
        buf_puts(&j, ", \"keys\": [");
        for (int i = 0; i < r->keys->n; i++) {
            if (i) buf_puts(&j, ", ");
            json_string(&j, r->keys->tok[i].text);
        }
        buf_puts(&j, "]");
    }
    buf_puts(&j, "}");
    if (j.failed) b->failed = 1;
    else esc_clean(b, j.data);
    buf_free(&j);
    buf_puts(b, "</metadata>\n");
}

static int emit_svg(const figure *fig, const attn_result *r, const figure_opts *o,
                    attn_font *font, attn_buf *b, attn_error *err)
{
    (void)o;
    buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
                  "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"",
               fig->w, fig->h, fig->w, fig->h);
    esc(b, font_family(font));
    buf_puts(b, ", sans-serif\" fill=\"");
    hex(b, FIGURE_TEXT_RGB);
    buf_puts(b, "\">\n");
    meta(b, fig, r);
    defs(b, fig);
    if (!fig->transparent)
        buf_printf(b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", fig->w, fig->h);
    for (int i = 0; i < fig->n; i++) {
        const fig_item *it = &fig->items[i];
        switch (it->kind) {
        case FIG_RECT:
            buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"",
                       it->x, it->y, it->w, it->h);
            hex(b, it->rgb);
            buf_puts(b, "\" shape-rendering=\"crispEdges\"/>\n");
            break;
        case FIG_MATRIX:
            if (matrix(b, fig, it, r, err) != 0) return -1;
            break;
        case FIG_COLORBAR:
        case FIG_HATCH:
            buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"url(#%s)\"/>\n",
                       it->x, it->y, it->w, it->h,
                       it->kind == FIG_COLORBAR ? "colorbar" : "masked");
            break;
        case FIG_TEXT:
            text(b, it);
            break;
        }
    }
    buf_puts(b, "</svg>\n");
    return b->failed ? attn_oom(err, "SVG") : 0;
}

int render_svg(const attn_result *r, const figure_opts *o, attn_file **files,
               int *n_files, attn_error *err)
{
    return figure_files(r, o, "svg", emit_svg, files, n_files, err);
}
