/* colormap.c — see colormap.h. */
#include "render/colormap.h"

#include <string.h>
#include <strings.h>

#include "render/colormap_data.h"

static const char *const names[CMAP_COUNT] = {
    "viridis", "magma", "inferno", "plasma", "cividis", "grays",
};

int colormap_find(const char *name)
{
    for (int i = 0; i < CMAP_COUNT; i++)
        if (strcasecmp(name, names[i]) == 0) return i;
    if (strcasecmp(name, "greys") == 0 || strcasecmp(name, "gray") == 0) return CMAP_GRAYS;
    return -1;
}

const char *colormap_name(attn_colormap c) { return names[c]; }

const char *colormap_list(void) { return "viridis, magma, inferno, plasma, cividis, grays"; }

void colormap_entry(attn_colormap c, int i, float rgb[3])
{
    memcpy(rgb, attn_colormap_data[c][i], 3 * sizeof(float));
}

void colormap_rgb(attn_colormap c, float t, uint8_t rgb[3])
{
    if (!(t > 0.0f)) t = 0.0f; /* also NaN */
    if (t > 1.0f) t = 1.0f;
    float x = t * 255.0f;
    int i = (int)x;
    if (i > 254) i = 254;
    float f = x - (float)i;
    const float *a = attn_colormap_data[c][i], *b = attn_colormap_data[c][i + 1];
    for (int j = 0; j < 3; j++) {
        float v = a[j] + (b[j] - a[j]) * f;
        rgb[j] = (uint8_t)(v * 255.0f + 0.5f);
    }
}
