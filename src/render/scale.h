/* scale.h — the colour scale: which weight gets which colour, in every view.
 *
 * The terminal heatmaps and focus bars (ansi.c, focus.c), the PNG and SVG
 * figures (figure.c, png.c, svg.c) and any later view (the HTML view) map a
 * weight to a colour only through this module, so that one set of options
 * gives the same colours everywhere. The options (cli: --norm, --vmin,
 * --vmax, --log) are a scale_opts; scale_build() turns them and a result
 * into ranges; scale_t() gives a cell's position t in [0, 1] along the
 * colormap (colormap.h: t = 0 is the first entry, t = 1 the last).
 *
 * Semantics (the contract other views must follow exactly):
 *
 *  - Groups. --norm decides which cells share one range [lo, hi]:
 *      all    (default) every shown cell of every shown head;
 *      layer  the cells of one shown layer (all its shown heads);
 *      head   the cells of one shown head (one matrix);
 *      row    the cells of one query row of one head.
 *    Only the weights a view shows count: the shown layers and heads, and
 *    the query rows [q0, q1) it was built for (the focus view builds on its
 *    one query row). Masked cells (result_masked()) and non-finite weights
 *    never count, and are never coloured by the scale (views draw masked
 *    cells as masked).
 *  - Range of a group. hi = --vmax when given, else the largest counted
 *    weight of the group. lo = --vmin when given; else, linear: 0, or the
 *    smallest counted weight when that is negative (attention from --from
 *    may be a difference of maps); log: hi / 1000 (three decades).
 *    When a group has no counted weight, or hi <= lo, hi becomes lo + 1
 *    (linear) or lo · 1000 (log), so every view can still draw it.
 *    Given both --vmin and --vmax, every group has that one fixed range and
 *    --norm changes nothing (e.g. --vmin 0 --vmax 1 for comparable slides).
 *  - Position. linear: t = (v − lo) / (hi − lo), log (--log):
 *    t = ln(v / lo) / ln(hi / lo) with t = 0 for v <= lo; computed in double
 *    and clamped to [0, 1] (NaN gives 0), then rounded to float for a cell,
 *    so with lo = 0 the largest weight gets exactly t = 1 (the colormap's
 *    top entry) and t is the float quotient v / hi.
 *  - Validation (scale_check): vmin < vmax when both are given; with --log,
 *    vmin and vmax must be > 0.
 *  - Labels. When every cell a colour bar serves shares one range
 *    (scale_single()), the bar is labelled with that range's values;
 *    otherwise (norm layer/head/row over several groups) it is labelled
 *    0 … 1 as a fraction of each group's hi ("× max"), and the caption says
 *    which groups. scale_caption() is the one wording of the scale used by
 *    every caption; scale_ticks() the tick values of a bar.
 *
 * Ownership: scale_build() allocates the ranges, scale_free() releases
 * them. Returns: scale_build() and scale_check() 0, or -1 with err filled
 * (ATTN_EXIT_INPUT for invalid options, ATTN_EXIT_RUNTIME out of memory).
 */
#ifndef ATTN_SCALE_H
#define ATTN_SCALE_H

#include <stddef.h>

#include "base/error.h"
#include "compute/result.h"

typedef enum { NORM_ALL = 0, NORM_LAYER, NORM_HEAD, NORM_ROW } scale_norm;

/* "all", "layer", "head", "row", NULL: the values of --norm, by scale_norm */
extern const char *const scale_norm_names[];

typedef struct {
    scale_norm norm;
    int has_vmin, has_vmax;   /* 1: vmin / vmax were given */
    double vmin, vmax;
    int log;                  /* 1: logarithmic */
} scale_opts;

typedef struct {
    scale_opts o;
    int n_layers, n_heads, q0, q1; /* the result and rows it was built for */
    int groups;
    float *lo, *hi;           /* [groups] */
} attn_scale;

int scale_check(const scale_opts *o, attn_error *err);

/* Ranges of r's shown heads over query rows [q0, q1). o may be NULL (the
 * default: norm all, linear, no fixed bound). */
int scale_build(attn_scale *s, const attn_result *r, int q0, int q1, const scale_opts *o,
                attn_error *err);
void scale_free(attn_scale *s);

/* Range of the cell group of shown layer li, head hi, query q. */
void scale_range(const attn_scale *s, int li, int hi, int q, float *lo, float *hi_out);

/* Position in [0, 1] of weight v in cell (li, hi, q). */
float scale_t(const attn_scale *s, int li, int hi, int q, float v);

/* Position of v in the range [lo, hi] (the function scale_t() applies,
 * before rounding to float). */
double scale_pos(double lo, double hi, int log_scale, double v);

/* 1 when every shown cell of head (li, hi) shares one range (li = hi = -1:
 * every shown head), which then goes to *lo, *hi; else 0. */
int scale_single(const attn_scale *s, int li, int hi, float *lo, float *hi_out);

/* The scale in words, for captions: "0 to max weight, shared by all heads",
 * "0 to max weight of each head", "log, max/1000 to max weight of each
 * row", "fixed, 0 to 1". n_maps: how many heads the view shows (one head:
 * "of this head"). */
void scale_caption(const attn_scale *s, int n_maps, char *buf, size_t cap);

/* Tick values for a bar over [lo, hi]: linear, multiples of 1, 2, 2.5 or 5
 * × 10^k giving about 6 ticks from the first multiple >= lo; log, the
 * powers of ten within [lo, hi] (lo and hi themselves when there are fewer
 * than two). *decimals gets the digits after the point that print them
 * exactly enough ("%.*f"; -1: print with "%g"). Returns the count (<= cap). */
int scale_ticks(double lo, double hi, int log, double *vals, int cap, int *decimals);

#endif
