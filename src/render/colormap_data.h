/* colormap_data.h — the raw tables behind colormap.h (generated data). */
#ifndef ATTN_COLORMAP_DATA_H
#define ATTN_COLORMAP_DATA_H

/* [colormap][entry][r, g, b], components in [0, 1], order of attn_colormap. */
extern const float attn_colormap_data[6][256][3];

#endif
