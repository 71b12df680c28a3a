"""mpl_colours.py — matplotlib's colormap tables and colormap.h's lookup,
written independently of attnviz, for the figure and scale suites."""
import matplotlib
import numpy as np


def lut(name):
    """The 256-entry float table of a colormap, as published by matplotlib."""
    mpl = {"grays": "Greys"}.get(name, name)
    cm = matplotlib.colormaps[mpl]
    if hasattr(cm, "colors") and len(cm.colors) == 256:
        return np.asarray(cm.colors, dtype=np.float64)[:, :3]
    return cm(np.linspace(0, 1, 256))[:, :3]


def expected_rgb(table, t):
    """colormap.h's definition: linear interpolation between the two nearest
    of the 256 entries, rounded to 8 bits."""
    x = np.clip(t, 0, 1) * 255.0
    i = np.minimum(np.floor(x).astype(int), 254)
    f = (x - i)[..., None]
    v = table[i] + (table[i + 1] - table[i]) * f
    return np.floor(v * 255.0 + 0.5).astype(int)
