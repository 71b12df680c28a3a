/* libs.h — the rendering libraries, opened when a figure or a page first
 * needs them (base/dynlib.h) instead of being linked: FreeType and
 * fontconfig (font.c), libpng (png_encode.c), zlib (html.c). Loading them
 * and their dependencies (expat, brotli) cost every process 0.5 ms, a
 * quarter of the example's run, though only PNG, SVG and HTML use them.
 *
 * font_lib(), png_lib() and zlib_lib() return the table of the functions
 * attnviz calls, the same table on every call (call sites read
 * F->FT_New_Face(...) where they would read FT_New_Face(...)); or NULL with
 * err filled (ATTN_EXIT_RUNTIME, "PNG output is not available
 * (libpng16.so.16: cannot open shared object file: ...)"), again on every
 * call. Thread-safe; the libraries stay loaded for the process.
 */
#ifndef ATTN_RENDER_LIBS_H
#define ATTN_RENDER_LIBS_H

#include "base/error.h"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_ADVANCES_H
#include <png.h>
#include <zlib.h>

/* the functions of each library that attnviz calls */
#define FREETYPE_FUNCS(X)                                                                                        \
    X(FT_Init_FreeType) X(FT_Done_FreeType) X(FT_New_Face) X(FT_Done_Face) X(FT_Select_Charmap)                 \
    X(FT_Set_Char_Size) X(FT_Get_Char_Index) X(FT_Get_Advance) X(FT_Get_Kerning) X(FT_Load_Glyph)              \
    X(FT_Render_Glyph) X(FT_Outline_Translate)
#define FONTCONFIG_FUNCS(X)                                                                                      \
    X(FcInitLoadConfigAndFonts) X(FcConfigDestroy) X(FcConfigSubstitute) X(FcDefaultSubstitute) X(FcFontMatch) \
    X(FcNameParse) X(FcPatternCreate) X(FcPatternDestroy) X(FcPatternAddBool) X(FcPatternAddCharSet)           \
    X(FcPatternGetCharSet) X(FcPatternGetInteger) X(FcPatternGetString) X(FcCharSetCreate)                     \
    X(FcCharSetDestroy) X(FcCharSetAddChar) X(FcCharSetHasChar)
#define LIBPNG_FUNCS(X)                                                                                          \
    X(png_create_write_struct) X(png_create_info_struct) X(png_destroy_write_struct) X(png_set_longjmp_fn)     \
    X(png_longjmp) X(png_error) X(png_get_error_ptr) X(png_get_io_ptr) X(png_set_write_fn) X(png_set_filter)   \
    X(png_set_IHDR) X(png_set_pHYs) X(png_set_text) X(png_write_info) X(png_set_filler) X(png_write_image)     \
    X(png_write_end)
#define ZLIB_FUNCS(X) X(deflateInit2_) X(deflate) X(deflateBound) X(deflateEnd)

#define LIBS_MEMBER(f) __typeof__(f) *f;
typedef struct {
    FREETYPE_FUNCS(LIBS_MEMBER)
    FONTCONFIG_FUNCS(LIBS_MEMBER)
} font_lib_t;
typedef struct {
    LIBPNG_FUNCS(LIBS_MEMBER)
} png_lib_t;
typedef struct {
    ZLIB_FUNCS(LIBS_MEMBER)
} zlib_lib_t;
#undef LIBS_MEMBER

/* The tables themselves, to be read only after the function above returned
 * non-NULL in this process (font.c: the attn_font exists) */
extern const font_lib_t *const lib_font;
extern const png_lib_t *const lib_png;
extern const zlib_lib_t *const lib_z;

const font_lib_t *font_lib(attn_error *err);
const png_lib_t *png_lib(attn_error *err);
const zlib_lib_t *zlib_lib(attn_error *err);

#endif
