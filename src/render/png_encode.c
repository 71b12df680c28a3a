/* png_encode.c — see png_encode.h. */
#include "render/png_encode.h"

#include "render/libs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void on_error(png_structp png, png_const_charp msg)
{
    attn_error *err = lib_png->png_get_error_ptr(png);
    attn_fail(err, ATTN_EXIT_RUNTIME, "PNG encoder: %s", msg);
    lib_png->png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static void on_write(png_structp png, png_bytep data, size_t n)
{
    if (buf_put(lib_png->png_get_io_ptr(png), data, n) != 0) lib_png->png_error(png, "out of memory");
}

static void on_flush(png_structp png) { (void)png; }

/* The libpng part: everything it needs is allocated by the caller, so a
 * longjmp out of libpng leaks nothing (GCC never inlines a function that
 * calls setjmp, so no caller local can be clobbered). */
static int write_png(int w, int h, int alpha, int dpi, int filter, png_text *text, int nt, png_bytep *rows,
                     attn_buf *out, attn_error *err)
{
    png_structp png = lib_png->png_create_write_struct(PNG_LIBPNG_VER_STRING, err, on_error, on_warning);
    png_infop info = png ? lib_png->png_create_info_struct(png) : NULL;
    if (!info) {
        lib_png->png_destroy_write_struct(&png, NULL);
        return attn_oom(err, "PNG encoder");
    }
    /* png_jmpbuf(png), a macro naming the library's function */
    if (setjmp(*lib_png->png_set_longjmp_fn(png, longjmp, sizeof(jmp_buf)))) { /* err was filled by on_error */
        lib_png->png_destroy_write_struct(&png, &info);
        return -1;
    }
    lib_png->png_set_write_fn(png, out, on_write, on_flush);
    lib_png->png_set_filter(png, PNG_FILTER_TYPE_BASE, filter ? PNG_ALL_FILTERS : PNG_FILTER_NONE);
    lib_png->png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                          alpha ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                          PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (dpi > 0) {
        png_uint_32 ppm = (png_uint_32)lround(dpi / 0.0254);
        lib_png->png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    if (nt > 0) lib_png->png_set_text(png, info, text, nt);
    lib_png->png_write_info(png, info);
    if (!alpha) lib_png->png_set_filler(png, 0, PNG_FILLER_AFTER); /* drop the alpha byte */
    lib_png->png_write_image(png, rows);
    lib_png->png_write_end(png, NULL);
    lib_png->png_destroy_write_struct(&png, &info);
    return 0;
}

int png_encode(const uint8_t *px, int w, int h, int alpha, int dpi, int filter, const png_note *notes,
               int n_notes, attn_buf *out, attn_error *err)
{
    if (!png_lib(err)) return -1;
    png_bytep *rows = malloc((size_t)(h > 0 ? h : 1) * sizeof *rows);            /* [h] into px */
    png_text *text = calloc((size_t)(n_notes > 0 ? n_notes : 1), sizeof *text); /* [n_notes] */
    if (!rows || !text) {
        free(rows);
        free(text);
        return attn_oom(err, "PNG");
    }
    for (int y = 0; y < h; y++) rows[y] = (png_bytep)(uintptr_t)(px + (size_t)y * (size_t)w * 4);
    for (int i = 0; i < n_notes; i++) {
        int ascii = 1;
        for (const char *c = notes[i].text; *c; c++)
            if ((unsigned char)*c >= 0x80) ascii = 0;
        text[i].compression = ascii ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
        text[i].key = (png_charp)(uintptr_t)notes[i].key;
        text[i].text = (png_charp)(uintptr_t)notes[i].text;
        text[i].lang = (png_charp)"";
        text[i].lang_key = (png_charp)"";
    }
    int rc = write_png(w, h, alpha, dpi, filter, text, n_notes, rows, out, err);
    free(rows);
    free(text);
    return rc;
}
