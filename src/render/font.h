/* font.h — text measurement and anti-aliased rasterization (FreeType).
 *
 * font_open() loads a font file, or with file == NULL asks fontconfig for
 * "DejaVu Sans" (and accepts nothing else, so figures are the same on every
 * machine that has the font). Measurements are unhinted and exactly
 * proportional to the size (font units × size / units-per-em), so a layout
 * computed at one scale is the same layout at any other. Rendering uses
 * FreeType's light (vertical-only) hinting and 8-bit grayscale coverage;
 * glyphs are placed at 1/64-pixel pen positions, so the output depends only
 * on the text, size and fractional offset: deterministic. A code point the
 * font lacks is drawn with a fallback font that fontconfig finds for it
 * (scalable, not colour; looked up once per code point and kept), else with
 * the font's .notdef box; so output depends on the fonts installed.
 *
 * Ownership: the attn_font owns its FreeType library and face
 * (font_close()); a font_mask owns its data (font_mask_free()).
 * Returns: font_open() NULL with err filled (ATTN_EXIT_INPUT for an
 * unreadable --font file, ATTN_EXIT_RUNTIME when fontconfig finds no
 * "DejaVu Sans"); font_render() 0, or -1 with err filled (out of memory,
 * FreeType failure).
 */
#ifndef ATTN_FONT_H
#define ATTN_FONT_H

#include <stdint.h>

#include "base/error.h"

typedef struct attn_font attn_font;

#define FONT_DEFAULT_FAMILY "DejaVu Sans"

attn_font *font_open(const char *file, attn_error *err);
void font_close(attn_font *f);

/* The face's family name ("DejaVu Sans"), for SVG font-family. */
const char *font_family(const attn_font *f);

/* Font-wide ascender (> 0) and descender (< 0) at size px. */
double font_ascent(const attn_font *f, double size);
double font_descent(const attn_font *f, double size);

/* Advance width of UTF-8 text at size px, kerning included. */
double font_width(attn_font *f, const char *text, double size);

/* An 8-bit coverage mask. Pixel (i, j) lands on the canvas at
 * (X - ox + i, Y - oy + j), where (X, Y) is the text origin: the start of the
 * baseline (for rotated text, still the start of the text). */
typedef struct {
    uint8_t *data;   /* [h][w] coverage, 0 = none, 255 = full */
    int w, h;
    int ox, oy;
} font_mask;

/* Renders text at size px with the pen starting frac (0 <= frac < 1) pixels
 * right of the integer origin. */
int font_render(attn_font *f, const char *text, double size, double frac,
                font_mask *m, attn_error *err);

/* Rotates m by 90° counter-clockwise about the origin (text then reads
 * bottom to top). Returns 0, or -1 when memory runs out (m unchanged). */
int font_mask_rotate_ccw(font_mask *m);
void font_mask_free(font_mask *m);

#endif
