/* png.c — PNG figures: the layout of figure.c rasterized (raster.c,
 * font.c) and encoded with libpng into memory.
 *
 * Opaque figures are 8-bit RGB, --transparent ones RGBA (alpha 0 outside
 * the drawn parts). Metadata: pHYs from the dpi, and text chunks "Title",
 * "Software", "attnviz:tokens" (JSON array; "attnviz:keys" too for
 * cross-attention), "attnviz:model", "attnviz:seed" (seeded models),
 * "attnviz:colormap", "attnviz:vmax" (the weight drawn with the top colour,
 * when the figure's heads share one range),
 * "attnviz:cells" (one line "layer head x y cell n_q n_k" per matrix: where
 * its cells are, in pixels), "Comment" (the command line), "attnviz:scale"
 * (the colour scale in words, scale_caption()) and "attnviz:note" (the
 * note of the result, render_note(), when there is one). Control and
 * bidi characters are escaped in every chunk (textesc.h; JSON \u escapes in
 * the token arrays). A chunk whose text is not ASCII is written as iTXt
 * (UTF-8). No tIME chunk: the same input gives the same bytes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/figure.h"
#include "render/png_encode.h"
#include "render/raster.h"
#include "render/render.h"

#ifndef ATTNVIZ_VERSION
#define ATTNVIZ_VERSION "unknown"
#endif

/* Draws one text item. */
static int draw_text(raster *c, const fig_item *it, attn_font *font, attn_error *err)
{
    double wd = font_width(font, it->text, it->size);
    double off = it->anchor == FIG_START ? 0 : it->anchor == FIG_MIDDLE ? wd / 2 : wd;
    font_mask m;
    int x, y;
    if (it->rot == 0) {
        double sx = it->tx - off;
        x = (int)floor(sx);
        y = (int)lround(it->ty);
        if (font_render(font, it->text, it->size, sx - x, &m, err) != 0) return -1;
    } else {
        double sy = it->ty + off; /* the start of the text is at the bottom */
        x = (int)lround(it->tx);
        y = (int)ceil(sy);
        if (font_render(font, it->text, it->size, y - sy, &m, err) != 0) return -1;
        if (font_mask_rotate_ccw(&m) != 0) {
            font_mask_free(&m);
            return attn_oom(err, "text");
        }
    }
    raster_mask(c, &m, x, y, it->rgb);
    font_mask_free(&m);
    return 0;
}

static void draw_matrix(raster *c, const figure *fig, const fig_item *it, const attn_result *r)
{
    const float *w = result_head(r, it->li, it->hi);
    for (int q = 0; q < r->n_q; q++)
        for (int k = 0; k < r->n_k; k++) {
            int x = it->x + k * it->cell, y = it->y + q * it->cell;
            if (result_masked_in(r, it->li, q, k)) {
                raster_hatch(c, x, y, x + it->cell, y + it->cell, FIGURE_MASK_BG,
                             FIGURE_MASK_FG, fig->hatch_period, fig->hatch_width);
            } else {
                uint8_t rgb[3];
                figure_cell_rgb(fig, it->li, it->hi, q, w[(size_t)q * r->n_k + k], rgb);
                raster_fill(c, x, y, x + it->cell, y + it->cell, rgb);
            }
        }
}

static int draw(raster *c, const figure *fig, const attn_result *r, attn_font *font,
                attn_error *err)
{
    for (int i = 0; i < fig->n; i++) {
        const fig_item *it = &fig->items[i];
        switch (it->kind) {
        case FIG_RECT:
            raster_fill(c, it->x, it->y, it->x + it->w, it->y + it->h, it->rgb);
            break;
        case FIG_MATRIX:
            draw_matrix(c, fig, it, r);
            break;
        case FIG_COLORBAR:
            for (int y = 0; y < it->h; y++) { /* top row: 1, bottom row: 0 */
                uint8_t rgb[3];
                float t = it->h > 1 ? (float)(it->h - 1 - y) / (float)(it->h - 1) : 1.0f;
                colormap_rgb(fig->cmap, t, rgb);
                raster_fill(c, it->x, it->y + y, it->x + it->w, it->y + y + 1, rgb);
            }
            break;
        case FIG_HATCH:
            raster_hatch(c, it->x, it->y, it->x + it->w, it->y + it->h, FIGURE_MASK_BG,
                         FIGURE_MASK_FG, fig->hatch_period, fig->hatch_width);
            break;
        case FIG_TEXT:
            if (draw_text(c, it, font, err) != 0) return -1;
            break;
        }
    }
    return 0;
}

/* ---- encoding ------------------------------------------------------------ */

enum { N_META = 13 };

/* The text chunks; their strings live in the bufs (freed by the caller). */
static int metadata(const figure *fig, const attn_result *r, attn_buf *bufs, png_note *t)
{
    static const char *const keys[N_META] = {
        "Title", "Software", "attnviz:tokens", "attnviz:keys", "attnviz:model",
        "attnviz:seed", "attnviz:colormap", "attnviz:vmax", "attnviz:cells", "Comment", "attnviz:scale",
        "attnviz:note", "attnviz:model-info"};
    buf_puts(&bufs[0], fig->title);
    buf_puts(&bufs[1], "attnviz " ATTNVIZ_VERSION);
    for (int pass = 0; pass < 2; pass++) {
        const attn_tokens *tk = pass ? r->keys : r->queries;
        if (pass && r->keys == r->queries) break;
        attn_buf *b = &bufs[2 + pass];
        buf_putc(b, '[');
        for (int i = 0; i < tk->n; i++) {
            if (i) buf_puts(b, ", ");
            json_string(b, tk->tok[i].text);
        }
        buf_putc(b, ']');
    }
    if (r->meta.model) textesc_put(&bufs[4], r->meta.model);
    if (r->meta.seeded) buf_printf(&bufs[5], "%llu", (unsigned long long)r->meta.seed);
    buf_puts(&bufs[6], colormap_name(fig->cmap));
    if (fig->single) buf_printf(&bufs[7], "%.9g", (double)fig->vmax);
    for (int i = 0; i < fig->n; i++) {
        const fig_item *it = &fig->items[i];
        char label[16];
        if (it->kind == FIG_MATRIX)
            buf_printf(&bufs[8], "%s%d %s %d %d %d %d %d", bufs[8].len ? "\n" : "",
                       r->layers[it->li] + 1, result_head_label(r, it->hi, label), it->x, it->y,
                       it->cell, r->n_q, r->n_k);
    }
    if (r->meta.command_line) textesc_put(&bufs[9], r->meta.command_line);
    char sc[256], note[512];
    scale_caption(&fig->sc, r->n_layers * r->n_heads, sc, sizeof sc);
    buf_puts(&bufs[10], sc);
    if (render_note(r, note, sizeof note)) textesc_put(&bufs[11], note);
    if (r->meta.n_kv_heads) figure_model_info(&bufs[12], &r->meta); /* the decoder families */
    int n = 0;
    for (int i = 0; i < N_META; i++) {
        if (bufs[i].failed) return -1;
        if (!bufs[i].data || bufs[i].len == 0) continue;
        t[n].key = keys[i];
        t[n].text = bufs[i].data;
        n++;
    }
    return n;
}

static int encode(const raster *c, const figure *fig, const attn_result *r, const figure_opts *o,
                  attn_buf *out, attn_error *err)
{
    attn_buf bufs[N_META];
    png_note text[N_META];
    for (int i = 0; i < N_META; i++) buf_init(&bufs[i]);
    int nt = metadata(fig, r, bufs, text), rc;
    int dpi = o->dpi > 0 ? o->dpi : (int)lround(96.0 * fig->scale);
    /* Flat colour areas: no row filter compresses best and is fastest
     * (12 heads × 32 tokens: 415 kB in ~70 ms, against 458 kB in ~135 ms
     * with libpng's adaptive filter choice). */
    if (nt < 0) rc = attn_oom(err, "PNG");
    else rc = png_encode(c->px, c->w, c->h, fig->transparent, dpi, 0, text, nt, out, err);
    for (int i = 0; i < N_META; i++) buf_free(&bufs[i]);
    return rc;
}

static int emit_png(const figure *fig, const attn_result *r, const figure_opts *o,
                    attn_font *font, attn_buf *out, attn_error *err)
{
    static const uint8_t white[4] = {255, 255, 255, 255}, clear[4] = {255, 255, 255, 0};
    raster c;
    if (raster_init(&c, fig->w, fig->h, fig->transparent ? clear : white, err) != 0) return -1;
    int rc = draw(&c, fig, r, font, err);
    if (rc == 0) rc = encode(&c, fig, r, o, out, err);
    raster_free(&c);
    return rc;
}

int render_png(const attn_result *r, const figure_opts *o, attn_file **files,
               int *n_files, attn_error *err)
{
    return figure_files(r, o, "png", emit_png, files, n_files, err);
}
