/* font.c — see font.h. */
#include "render/font.h"

#include "base/io.h"
#include "base/utf8.h"
#include "render/libs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FACES   8     /* the font and the fallbacks fontconfig found */
#define MAX_MISSING 64    /* code points no font has (not searched again) */

struct attn_font {
    FT_Library lib;
    FT_Face face[MAX_FACES];     /* [n_faces]; face[0] is the font itself */
    int n_faces;
    FcConfig *fc;                /* for fallback lookups; NULL until needed */
    int fc_failed;
    uint32_t missing[MAX_MISSING];
    int n_missing;
    char family[128];
};

/* Asks fontconfig for FONT_DEFAULT_FAMILY; fills path (the file) and index. */
static int find_default(char *path, size_t cap, int *index, attn_error *err)
{
    FcConfig *cfg = lib_font->FcInitLoadConfigAndFonts();
    if (!cfg)
        return attn_fail(err, ATTN_EXIT_RUNTIME, "font \"%s\" not found: fontconfig failed "
                         "to initialize", FONT_DEFAULT_FAMILY);
    FcPattern *pat = lib_font->FcNameParse((const FcChar8 *)FONT_DEFAULT_FAMILY);
    FcPattern *match = NULL;
    int ok = 0;
    if (pat && lib_font->FcConfigSubstitute(cfg, pat, FcMatchPattern)) {
        lib_font->FcDefaultSubstitute(pat);
        FcResult res;
        match = lib_font->FcFontMatch(cfg, pat, &res);
    }
    if (match) {
        FcChar8 *fam = NULL, *file = NULL;
        int same = 0;
        for (int i = 0; lib_font->FcPatternGetString(match, FC_FAMILY, i, &fam) == FcResultMatch; i++)
            if (strcasecmp((const char *)fam, FONT_DEFAULT_FAMILY) == 0) same = 1;
        if (same && lib_font->FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch &&
            strlen((const char *)file) < cap) {
            snprintf(path, cap, "%s", (const char *)file);
            if (lib_font->FcPatternGetInteger(match, FC_INDEX, 0, index) != FcResultMatch) *index = 0;
            ok = 1;
        }
        lib_font->FcPatternDestroy(match);
    }
    if (pat) lib_font->FcPatternDestroy(pat);
    lib_font->FcConfigDestroy(cfg);
    if (!ok)
        return attn_fail(err, ATTN_EXIT_RUNTIME, "font \"%s\" not found (install "
                         "fonts-dejavu-core, or pass --font FILE)", FONT_DEFAULT_FAMILY);
    return 0;
}

attn_font *font_open(const char *file, attn_error *err)
{
    char path[4096];
    int index = 0, from_user = file != NULL;
    if (!font_lib(err)) return NULL;
    if (from_user) {
        if (io_check_regular(file, err) != 0) return NULL; /* no hanging on a FIFO */
        if (strlen(file) >= sizeof path) {
            attn_fail(err, ATTN_EXIT_INPUT, "%s: path too long", file);
            return NULL;
        }
        snprintf(path, sizeof path, "%s", file);
    } else if (find_default(path, sizeof path, &index, err) != 0) {
        return NULL;
    }
    attn_font *f = calloc(1, sizeof *f);
    if (!f) { attn_oom(err, "font"); return NULL; }
    if (lib_font->FT_Init_FreeType(&f->lib) != 0) {
        free(f);
        attn_fail(err, ATTN_EXIT_RUNTIME, "FreeType failed to initialize");
        return NULL;
    }
    if (lib_font->FT_New_Face(f->lib, path, index, &f->face[0]) != 0 || !FT_IS_SCALABLE(f->face[0])) {
        attn_fail(err, from_user ? ATTN_EXIT_INPUT : ATTN_EXIT_RUNTIME,
                  "%s: not a scalable font FreeType can read", path);
        font_close(f);
        return NULL;
    }
    f->n_faces = 1;
    lib_font->FT_Select_Charmap(f->face[0], FT_ENCODING_UNICODE);
    snprintf(f->family, sizeof f->family, "%s",
             f->face[0]->family_name ? f->face[0]->family_name : FONT_DEFAULT_FAMILY);
    return f;
}

void font_close(attn_font *f)
{
    if (!f) return;
    for (int i = 0; i < f->n_faces; i++) lib_font->FT_Done_Face(f->face[i]);
    if (f->lib) lib_font->FT_Done_FreeType(f->lib);
    if (f->fc) lib_font->FcConfigDestroy(f->fc);
    free(f);
}

static double upem(FT_Face face) { return face->units_per_EM > 0 ? face->units_per_EM : 2048.0; }

/* Asks fontconfig for a scalable, non-colour font that has cp and adds it
 * as a fallback face; 0 when one was added. */
static int add_fallback(attn_font *f, uint32_t cp)
{
    if (f->fc_failed || f->n_faces == MAX_FACES) return -1;
    if (!f->fc && !(f->fc = lib_font->FcInitLoadConfigAndFonts())) { f->fc_failed = 1; return -1; }
    FcPattern *pat = lib_font->FcPatternCreate(), *match = NULL;
    FcCharSet *cs = lib_font->FcCharSetCreate();
    int rc = -1;
    if (pat && cs && lib_font->FcCharSetAddChar(cs, cp) && lib_font->FcPatternAddCharSet(pat, FC_CHARSET, cs) &&
        lib_font->FcPatternAddBool(pat, FC_SCALABLE, FcTrue) &&
        lib_font->FcConfigSubstitute(f->fc, pat, FcMatchPattern)) {
        lib_font->FcDefaultSubstitute(pat);
        FcResult res;
        match = lib_font->FcFontMatch(f->fc, pat, &res);
    }
    FcCharSet *has;
    FcChar8 *file;
    int index = 0;
    if (match && lib_font->FcPatternGetCharSet(match, FC_CHARSET, 0, &has) == FcResultMatch &&
        lib_font->FcCharSetHasChar(has, cp) &&
        lib_font->FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch) {
        lib_font->FcPatternGetInteger(match, FC_INDEX, 0, &index);
        FT_Face face;
        if (lib_font->FT_New_Face(f->lib, (const char *)file, index, &face) == 0) {
            if (FT_IS_SCALABLE(face) && !FT_HAS_COLOR(face) &&
                lib_font->FT_Select_Charmap(face, FT_ENCODING_UNICODE) == 0 && lib_font->FT_Get_Char_Index(face, cp)) {
                f->face[f->n_faces++] = face;
                rc = 0;
            } else {
                lib_font->FT_Done_Face(face);
            }
        }
    }
    if (match) lib_font->FcPatternDestroy(match);
    if (pat) lib_font->FcPatternDestroy(pat);
    if (cs) lib_font->FcCharSetDestroy(cs);
    return rc;
}

/* The face to draw cp with and its glyph index there: the font, else a
 * fallback (found once, then kept), else the font's .notdef (gid 0). */
static int lookup(attn_font *f, uint32_t cp, FT_UInt *gid)
{
    for (int i = 0; i < f->n_faces; i++)
        if ((*gid = lib_font->FT_Get_Char_Index(f->face[i], cp)) != 0) return i;
    /* no fallback search for ASCII, nor once MAX_MISSING code points failed */
    int known = cp < 0x80 || f->n_missing == MAX_MISSING;
    for (int i = 0; i < f->n_missing && !known; i++) known = f->missing[i] == cp;
    if (!known && add_fallback(f, cp) == 0) {
        *gid = lib_font->FT_Get_Char_Index(f->face[f->n_faces - 1], cp);
        return f->n_faces - 1;
    }
    if (!known) f->missing[f->n_missing++] = cp;
    *gid = 0;
    return 0;
}

const char *font_family(const attn_font *f) { return f->family; }

double font_ascent(const attn_font *f, double size)
{
    return f->face[0]->ascender * size / upem(f->face[0]);
}

double font_descent(const attn_font *f, double size)
{
    return f->face[0]->descender * size / upem(f->face[0]);
}

/* Unscaled advance of glyph gid plus the kerning after prev (font units). */
static long advance_units(FT_Face face, FT_UInt prev, FT_UInt gid, long *kern)
{
    FT_Fixed adv = 0;
    lib_font->FT_Get_Advance(face, gid, FT_LOAD_NO_SCALE, &adv);
    *kern = 0;
    if (prev && FT_HAS_KERNING(face)) {
        FT_Vector d;
        if (lib_font->FT_Get_Kerning(face, prev, gid, FT_KERNING_UNSCALED, &d) == 0) *kern = d.x;
    }
    return (long)adv;
}

double font_width(attn_font *f, const char *text, double size)
{
    const unsigned char *s = (const unsigned char *)text;
    double w = 0;
    FT_UInt prev = 0;
    int prev_face = -1;
    while (*s) {
        uint32_t cp;
        FT_UInt gid;
        s += utf8_next((const char *)s, &cp);
        int fi = lookup(f, cp, &gid);
        long kern, adv = advance_units(f->face[fi], fi == prev_face ? prev : 0, gid, &kern);
        w += (double)(kern + adv) * size / upem(f->face[fi]);
        prev = gid;
        prev_face = fi;
    }
    return w;
}

/* Shrinks m to the bounding box of its nonzero pixels (keeps at least 1×1). */
static void crop(font_mask *m)
{
    int x0 = m->w, y0 = m->h, x1 = -1, y1 = -1;
    for (int y = 0; y < m->h; y++)
        for (int x = 0; x < m->w; x++)
            if (m->data[(size_t)y * m->w + x]) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
    if (x1 < 0) { x0 = y0 = 0; x1 = y1 = 0; }
    int w = x1 - x0 + 1, h = y1 - y0 + 1;
    for (int y = 0; y < h; y++)
        memmove(m->data + (size_t)y * w, m->data + (size_t)(y + y0) * m->w + x0, (size_t)w);
    m->w = w;
    m->h = h;
    m->ox -= x0;
    m->oy -= y0;
}

int font_render(attn_font *f, const char *text, double size, double frac,
                font_mask *m, attn_error *err)
{
    memset(m, 0, sizeof *m);
    double wd = font_width(f, text, size); /* also loads any fallback face needed */
    /* room for the tallest and deepest glyph of every face */
    int pad = (int)ceil(size) + 2, asc = pad, desc = 2;
    for (int i = 0; i < f->n_faces; i++) {
        double k = size / upem(f->face[i]);
        int a = (int)ceil(f->face[i]->bbox.yMax * k) + 2, d = (int)ceil(-f->face[i]->bbox.yMin * k) + 2;
        if (a > asc) asc = a;
        if (d > desc) desc = d;
    }
    m->w = (int)ceil(wd + frac) + 2 * pad;
    m->h = asc + desc;
    m->ox = pad;
    m->oy = asc;
    m->data = calloc((size_t)m->w * (size_t)m->h, 1); /* [h][w] */
    if (!m->data) return attn_oom(err, "text mask");

    unsigned sized = 0; /* bit i: face i set to this size */
    const unsigned char *s = (const unsigned char *)text;
    double pen_x = frac; /* pixels */
    FT_UInt prev = 0;
    int prev_face = -1;
    while (*s) {
        uint32_t cp;
        FT_UInt gid;
        s += utf8_next((const char *)s, &cp);
        int fi = lookup(f, cp, &gid);
        FT_Face face = f->face[fi];
        double k = size / upem(face);
        long kern, adv = advance_units(face, fi == prev_face ? prev : 0, gid, &kern);
        prev = gid;
        prev_face = fi;
        pen_x += (double)kern * k;
        long pen = lround(pen_x * 64.0); /* 26.6 */
        pen_x += (double)adv * k;
        if (!(sized & (1u << fi))) {
            if (lib_font->FT_Set_Char_Size(face, 0, (FT_F26Dot6)lround(size * 64.0), 72, 72) != 0) {
                font_mask_free(m);
                return attn_fail(err, ATTN_EXIT_RUNTIME, "FreeType cannot set size %.1f", size);
            }
            sized |= 1u << fi;
        }
        if (lib_font->FT_Load_Glyph(face, gid, FT_LOAD_TARGET_LIGHT | FT_LOAD_NO_BITMAP) != 0 ||
            face->glyph->format != FT_GLYPH_FORMAT_OUTLINE)
            continue;
        lib_font->FT_Outline_Translate(&face->glyph->outline, pen & 63, 0);
        if (lib_font->FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL) != 0) continue;
        const FT_Bitmap *b = &face->glyph->bitmap;
        int bx = m->ox + (int)(pen >> 6) + face->glyph->bitmap_left;
        int by = m->oy - face->glyph->bitmap_top;
        for (unsigned y = 0; y < b->rows; y++) {
            int cy = by + (int)y;
            if (cy < 0 || cy >= m->h) continue;
            const unsigned char *src = b->buffer + (long)y * b->pitch;
            uint8_t *dst = m->data + (size_t)cy * m->w;
            for (unsigned x = 0; x < b->width; x++) {
                int cx = bx + (int)x;
                if (cx >= 0 && cx < m->w && src[x] > dst[cx]) dst[cx] = src[x];
            }
        }
    }
    crop(m);
    return 0;
}

int font_mask_rotate_ccw(font_mask *m)
{
    uint8_t *r = malloc((size_t)m->w * (size_t)m->h); /* [w][h]: new rows = old columns */
    if (!r) return -1;
    /* old pixel (i, j) goes to new (j, w - 1 - i); new w = h, new h = w */
    for (int j = 0; j < m->h; j++)
        for (int i = 0; i < m->w; i++)
            r[(size_t)(m->w - 1 - i) * m->h + j] = m->data[(size_t)j * m->w + i];
    int ox = m->ox, oy = m->oy, w = m->w;
    free(m->data);
    m->data = r;
    m->w = m->h;
    m->h = w;
    m->ox = oy;
    m->oy = w - ox;
    return 0;
}

void font_mask_free(font_mask *m)
{
    free(m->data);
    m->data = NULL;
    m->w = m->h = 0;
}
