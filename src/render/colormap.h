/* colormap.h — perceptual colormaps shared by every renderer.
 *
 * viridis, magma, inferno, plasma and cividis are matplotlib's published
 * 256-entry tables (the data in matplotlib's _cm_listed.py, CC0); grays runs
 * from white (0) to black (1), matplotlib's "Greys". A value t in [0, 1] is
 * mapped by linear interpolation between the two nearest of the 256 entries,
 * so t = 0 gives entry 0 and t = 1 gives entry 255 exactly. Static data;
 * nothing allocates.
 */
#ifndef ATTN_COLORMAP_H
#define ATTN_COLORMAP_H

#include <stdint.h>

typedef enum { CMAP_VIRIDIS = 0, CMAP_MAGMA, CMAP_INFERNO, CMAP_PLASMA,
               CMAP_CIVIDIS, CMAP_GRAYS, CMAP_COUNT } attn_colormap;

/* Index of the colormap called name (any case), or -1. */
int colormap_find(const char *name);
const char *colormap_name(attn_colormap c);
/* "viridis, magma, inferno, plasma, cividis, grays" */
const char *colormap_list(void);

/* t is clamped to [0, 1]; NaN maps to 0. rgb gets 8-bit sRGB components
 * (rounded to nearest). */
void colormap_rgb(attn_colormap c, float t, uint8_t rgb[3]);

/* The float table entry i (0..255) as published, components in [0, 1]. */
void colormap_entry(attn_colormap c, int i, float rgb[3]);

#endif
