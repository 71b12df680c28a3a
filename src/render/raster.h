/* raster.h — an RGBA canvas for the PNG renderer.
 *
 * Straight (non-premultiplied) 8-bit RGBA, rows top to bottom. Fills replace
 * pixels (opaque); glyph masks and hatching are blended with the "over"
 * operator in integer arithmetic, so the result is deterministic. Every
 * drawing call clips to the canvas.
 *
 * Ownership: raster_init() allocates px, raster_free() releases it.
 * Returns: raster_init() 0, or -1 with err filled (out of memory, or a
 * canvas larger than RASTER_MAX_PIXELS).
 */
#ifndef ATTN_RASTER_H
#define ATTN_RASTER_H

#include <stdint.h>

#include "base/error.h"
#include "render/font.h"

#define RASTER_MAX_PIXELS (64L * 1024 * 1024)   /* 256 MB of RGBA */

typedef struct {
    uint8_t *px;   /* [h][w][4] RGBA */
    int w, h;
} raster;

int raster_init(raster *c, int w, int h, const uint8_t bg[4], attn_error *err);
void raster_free(raster *c);

/* Sets the pixels of [x0, x1) × [y0, y1) to rgb, opaque. */
void raster_fill(raster *c, int x0, int y0, int x1, int y1, const uint8_t rgb[3]);

/* Blends rgb over the canvas with the mask's coverage as alpha; (x, y) is
 * the text origin (see font_mask). */
void raster_mask(raster *c, const font_mask *m, int x, int y, const uint8_t rgb[3]);

/* Fills [x0, x1) × [y0, y1) with bg and anti-aliased diagonal lines of
 * colour fg ("/" direction), period and line width in pixels, anchored to the
 * canvas so neighbouring rectangles continue the pattern. */
void raster_hatch(raster *c, int x0, int y0, int x1, int y1, const uint8_t bg[3],
                  const uint8_t fg[3], double period, double width);

#endif
