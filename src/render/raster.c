/* raster.c — see raster.h. */
#include "render/raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int raster_init(raster *c, int w, int h, const uint8_t bg[4], attn_error *err)
{
    c->px = NULL;
    c->w = c->h = 0;
    if (w <= 0 || h <= 0 || (long)w * (long)h > RASTER_MAX_PIXELS)
        return attn_fail(err, ATTN_EXIT_INPUT, "figure too large (%d × %d pixels, at most "
                         "%ld million); use a smaller --scale", w, h,
                         RASTER_MAX_PIXELS / (1024 * 1024));
    c->px = malloc((size_t)w * (size_t)h * 4); /* [h][w][4] */
    if (!c->px) return attn_oom(err, "image");
    c->w = w;
    c->h = h;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) memcpy(c->px + 4 * i, bg, 4);
    return 0;
}

void raster_free(raster *c)
{
    free(c->px);
    c->px = NULL;
}

static int clip(raster *c, int *x0, int *y0, int *x1, int *y1)
{
    if (*x0 < 0) *x0 = 0;
    if (*y0 < 0) *y0 = 0;
    if (*x1 > c->w) *x1 = c->w;
    if (*y1 > c->h) *y1 = c->h;
    return *x0 < *x1 && *y0 < *y1;
}

void raster_fill(raster *c, int x0, int y0, int x1, int y1, const uint8_t rgb[3])
{
    if (!clip(c, &x0, &y0, &x1, &y1)) return;
    for (int y = y0; y < y1; y++) {
        uint8_t *p = c->px + ((size_t)y * c->w + x0) * 4;
        for (int x = x0; x < x1; x++, p += 4) {
            p[0] = rgb[0];
            p[1] = rgb[1];
            p[2] = rgb[2];
            p[3] = 255;
        }
    }
}

/* p = rgb with alpha a (0..255) over p, straight alpha, rounded. */
static void over(uint8_t *p, const uint8_t rgb[3], unsigned a)
{
    if (a == 0) return;
    unsigned da = p[3];
    unsigned den = a * 255 + da * (255 - a); /* = out_alpha * 255 */
    for (int j = 0; j < 3; j++) {
        unsigned num = rgb[j] * a * 255 + p[j] * da * (255 - a);
        p[j] = (uint8_t)((num + den / 2) / den);
    }
    p[3] = (uint8_t)((den + 127) / 255);
}

void raster_mask(raster *c, const font_mask *m, int x, int y, const uint8_t rgb[3])
{
    int bx = x - m->ox, by = y - m->oy;
    for (int j = 0; j < m->h; j++) {
        int cy = by + j;
        if (cy < 0 || cy >= c->h) continue;
        const uint8_t *src = m->data + (size_t)j * m->w;
        for (int i = 0; i < m->w; i++) {
            int cx = bx + i;
            if (cx >= 0 && cx < c->w && src[i])
                over(c->px + ((size_t)cy * c->w + cx) * 4, rgb, src[i]);
        }
    }
}

void raster_hatch(raster *c, int x0, int y0, int x1, int y1, const uint8_t bg[3],
                  const uint8_t fg[3], double period, double width)
{
    raster_fill(c, x0, y0, x1, y1, bg);
    if (!clip(c, &x0, &y0, &x1, &y1) || period <= 0) return;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            /* lines x + y = k·period through pixel centres (x + .5, y + .5) */
            double u = fmod((double)x + (double)y + 1.0, period);
            double d = (u < period - u ? u : period - u) / sqrt(2.0);
            double cov = width / 2 + 0.5 - d;
            if (cov <= 0) continue;
            if (cov > 1) cov = 1;
            over(c->px + ((size_t)y * c->w + x) * 4, fg, (unsigned)lround(cov * 255));
        }
}
