/* png_encode.h — RGBA pixels to PNG bytes in memory, with libpng; private
 * to the renderers: png.c writes figures with it (pHYs, text chunks), svg.c
 * the matrices it embeds as images.
 *
 * px holds h rows of w RGBA pixels; with alpha 0 the alpha bytes are
 * dropped (8-bit RGB), else the PNG is RGBA. A text chunk whose text is not
 * ASCII is written as iTXt (UTF-8). No tIME chunk: the same pixels give the
 * same bytes. filter 0 writes no row filter (best for flat colour areas:
 * figures), 1 lets libpng choose per row (smaller for images of cells).
 * Returns 0, or -1 with err filled (ATTN_EXIT_RUNTIME).
 */
#ifndef ATTN_PNG_ENCODE_H
#define ATTN_PNG_ENCODE_H

#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"

typedef struct {
    const char *key;   /* Latin-1 keyword, 1 to 79 bytes */
    const char *text;  /* UTF-8 */
} png_note;

/* dpi 0: no pHYs chunk. */
int png_encode(const uint8_t *px, int w, int h, int alpha, int dpi, int filter, const png_note *notes,
               int n_notes, attn_buf *out, attn_error *err);

#endif
