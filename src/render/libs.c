/* libs.c — see libs.h. */
#include "render/libs.h"

#include "base/dynlib.h"

#include <pthread.h>

/* The libraries' sonames, from the build machine's development links
 * (Makefile); these are Debian 12's. */
#ifndef ATTNVIZ_FREETYPE_LIB
#define ATTNVIZ_FREETYPE_LIB "libfreetype.so.6"
#endif
#ifndef ATTNVIZ_FONTCONFIG_LIB
#define ATTNVIZ_FONTCONFIG_LIB "libfontconfig.so.1"
#endif
#ifndef ATTNVIZ_PNG_LIB
#define ATTNVIZ_PNG_LIB "libpng16.so.16"
#endif
#ifndef ATTNVIZ_ZLIB_LIB
#define ATTNVIZ_ZLIB_LIB "libz.so.1"
#endif

#define SYM_FONT(f) DYNLIB_SYM(font_lib_t, f),
#define SYM_PNG(f) DYNLIB_SYM(png_lib_t, f),
#define SYM_ZLIB(f) DYNLIB_SYM(zlib_lib_t, f),
static const dynlib_sym freetype_syms[] = {FREETYPE_FUNCS(SYM_FONT)};
static const dynlib_sym fontconfig_syms[] = {FONTCONFIG_FUNCS(SYM_FONT)};
static const dynlib_sym png_syms[] = {LIBPNG_FUNCS(SYM_PNG)};
static const dynlib_sym zlib_syms[] = {ZLIB_FUNCS(SYM_ZLIB)};
#define COUNT(a) ((int)(sizeof a / sizeof *a))

/* One library's table: filled once; why says what failed. */
typedef struct {
    pthread_once_t once;
    int ok;
    char why[512];
} lib_state;

static font_lib_t font_t;
static png_lib_t png_t;
static zlib_lib_t zlib_t;
const font_lib_t *const lib_font = &font_t;
const png_lib_t *const lib_png = &png_t;
const zlib_lib_t *const lib_z = &zlib_t;
static lib_state font_s = {PTHREAD_ONCE_INIT, 0, ""}, png_s = {PTHREAD_ONCE_INIT, 0, ""},
                 zlib_s = {PTHREAD_ONCE_INIT, 0, ""};

static void open_font(void)
{
    font_s.ok = dynlib_open(ATTNVIZ_FREETYPE_LIB, freetype_syms, COUNT(freetype_syms), &font_t, font_s.why,
                            sizeof font_s.why) == 0 &&
                dynlib_open(ATTNVIZ_FONTCONFIG_LIB, fontconfig_syms, COUNT(fontconfig_syms), &font_t, font_s.why,
                            sizeof font_s.why) == 0;
}

static void open_png(void)
{
    png_s.ok = dynlib_open(ATTNVIZ_PNG_LIB, png_syms, COUNT(png_syms), &png_t, png_s.why, sizeof png_s.why) == 0;
}

static void open_zlib(void)
{
    zlib_s.ok = dynlib_open(ATTNVIZ_ZLIB_LIB, zlib_syms, COUNT(zlib_syms), &zlib_t, zlib_s.why,
                            sizeof zlib_s.why) == 0;
}

static const void *get(lib_state *s, void (*open)(void), const void *table, const char *what, attn_error *err)
{
    pthread_once(&s->once, open);
    if (s->ok) return table;
    if (err) attn_fail(err, ATTN_EXIT_RUNTIME, "%s is not available (%s)", what, s->why);
    return NULL;
}

const font_lib_t *font_lib(attn_error *err)
{
    return get(&font_s, open_font, &font_t, "text in figures", err);
}

const png_lib_t *png_lib(attn_error *err)
{
    return get(&png_s, open_png, &png_t, "PNG output", err);
}

const zlib_lib_t *zlib_lib(attn_error *err)
{
    return get(&zlib_s, open_zlib, &zlib_t, "HTML output", err);
}
