/* figure.h — the layout of a heatmap figure, shared by the PNG and SVG
 * renderers.
 *
 * figure_build() turns one head (or, for --grid, every shown head) of an
 * attn_result into a display list in output pixels (1 unit = 1/96 inch at
 * scale 1; --scale multiplies every size): filled rectangles, heatmap
 * matrices, the colour bar, hatched "masked" swatches and text items anchored
 * on their baseline. png.c rasterizes the list and svg.c writes
 * it as SVG elements, so both formats have the same layout. Text is measured
 * with the font (font.h); nothing here depends on libpng.
 *
 * Layout: title on top; query labels on the left (right-aligned, "query ↓"
 * above them); key labels below the matrix, rotated to read bottom to top
 * ("key →" under them); a vertical colour bar with ticks on the right, and
 * below it, for causal results, a hatched swatch "masked". A grid has one
 * row per shown layer and one column per shown head, each panel titled
 * "Layer L · Head H", sharing the labels (left column, bottom row) and one
 * colour bar. Colours follow the colour scale (scale.h), by default 0 to the
 * largest weight over all shown heads (masked cells excluded), so heads are
 * comparable and the largest weight gets the colormap's top entry exactly.
 * The colour bar is labelled with the scale's values when the figure's
 * heads share one range, else as a fraction of each head's (layer's, row's)
 * maximum; a caption line under the figure names a scale other than the
 * default, and another the note of the result (render_note(): --truncate,
 * --window, --from).
 *
 * Cell size: single figures fit the matrix into ~480 units, grids each panel
 * into 760 / heads units (160 to 480), at most 40 units a cell; but a cell
 * is never smaller than the minimum (o->cell, default FIGURE_CELL units), so
 * figures grow with the input, until the matrices of a figure would span
 * more than FIGURE_MAX_PX pixels in either direction: then cells shrink to
 * fit (at least 1 pixel). Label text is 13 units, 0.8 of the cell when that
 * is smaller, and at least 8: every label is drawn while cells are 10 units
 * or more, only every k-th one below that. Matrices with more than
 * FIGURE_MAX_TOKENS tokens on a side are refused (ATTN_EXIT_INPUT, pointing
 * to -f csv).
 *
 * Ownership: the figure owns its items and their strings (figure_free()).
 * Returns: figure_build() 0, or -1 with err filled.
 */
#ifndef ATTN_FIGURE_H
#define ATTN_FIGURE_H

#include <stdint.h>

#include "render/font.h"
#include "render/render.h"
#include "render/scale.h"

#define FIGURE_MAX_TOKENS 1000
#define FIGURE_CELL       10    /* least cell side, units (--cell) */
#define FIGURE_MAX_PX     6000  /* matrices of a figure span at most this, pixels */

typedef enum { FIG_RECT, FIG_MATRIX, FIG_COLORBAR, FIG_HATCH, FIG_TEXT } fig_kind;
typedef enum { FIG_START, FIG_MIDDLE, FIG_END } fig_anchor;

typedef struct {
    fig_kind kind;
    int x, y, w, h;       /* box in pixels (not for text) */
    uint8_t rgb[3];       /* rect and text colour */
    int li, hi;           /* matrix: shown layer and head (result_head()) */
    int cell;             /* matrix: cell side in pixels */
    double tx, ty;        /* text: anchor point on the baseline */
    double size;          /* text: font size in pixels */
    int rot;              /* text: 0, or 90 = rotated to read bottom to top */
    fig_anchor anchor;    /* text: which part of the text sits at (tx, ty) */
    char *text;           /* text: UTF-8, owned */
    const char *role;     /* text: "title", "panel", "qlabel", "klabel",
                             "tick", "caption", "legend" (SVG class) */
} fig_item;

typedef struct {
    int w, h;             /* canvas size in pixels */
    double scale;
    attn_colormap cmap;
    attn_scale sc;        /* the colour scale (owned) */
    int single;           /* 1: the figure's heads share one range [vmin, vmax] */
    float vmin, vmax;
    int transparent;
    double hatch_period;  /* masked hatch: line spacing and width, pixels */
    double hatch_width;
    char *title;          /* the figure's title, owned */
    fig_item *items;      /* [n], in drawing order */
    int n, cap;
} figure;

/* Colours shared by both renderers. */
extern const uint8_t FIGURE_TEXT_RGB[3];
extern const uint8_t FIGURE_MASK_BG[3];
extern const uint8_t FIGURE_MASK_FG[3];

/* Layout of shown layer li, head hi; li = hi = -1 lays out the grid. */
int figure_build(figure *fig, const attn_result *r, const figure_opts *o,
                 attn_font *font, int li, int hi, attn_error *err);
void figure_free(figure *fig);

/* Colour of cell (query q) of shown layer li, head hi holding weight v. */
void figure_cell_rgb(const figure *fig, int li, int hi, int q, float v, uint8_t rgb[3]);

/* "Layer 1 · Head 2" for shown layer li, head hi (1-based model indices). */
void figure_head_title(const attn_result *r, int li, int hi, char *buf, int cap);

/* Writes one figure into out (PNG or SVG bytes). */
typedef int (*figure_emit)(const figure *fig, const attn_result *r, const figure_opts *o,
                           attn_font *font, attn_buf *out, attn_error *err);

/* The loop both renderers share: opens the font, builds one figure per shown
 * head ("layer<L>-head<H>.<ext>", 1-based) or with o->grid one "grid.<ext>",
 * and calls emit for each. On failure nothing is returned (*files = NULL). */
/* What the figure's metadata says of the model besides its path: "NAME,
 * ARCH, N parameters, L layers x H heads (K key/value heads), context C"
 * (the parts it knows), appended to b. */
void figure_model_info(attn_buf *b, const attn_meta *m);

int figure_files(const attn_result *r, const figure_opts *o, const char *ext,
                 figure_emit emit, attn_file **files, int *n_files, attn_error *err);

#endif
