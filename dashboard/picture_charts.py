"""Picture page charts: pure functions from snapshots to pixel arrays (st.image shows them, crisp and cheap
to redraw), an SVG of the radial error spectrum while training plays, and its plotly version paused.

A picture's snapshot carries `image` [h, w] (values in [-1, 1]) and radial spectra in freqs / spec_*
(repcore.targets.images.radial_spectra): relative error per ring of the 2-D DFT, in cycles per picture width.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.charts import color
from dashboard.svg import Canvas, _poly, _scale

SHOW = 288                          # pixels a side on screen: pictures are upscaled to about this, nearest-neighbour
# log10 relative error -> colour, Viridis anchors (dark: learned, yellow: not yet)
VIRIDIS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], float)
ERR_LO, ERR_HI = -3.0, 0.5


def _upscale(a: np.ndarray) -> np.ndarray:
    k = max(1, SHOW // max(a.shape[:2]))
    return np.repeat(np.repeat(a, k, 0), k, 1)


def gray(img: np.ndarray) -> np.ndarray:
    """[h, w] in [-1, 1] -> uint8 grayscale, upscaled."""
    return _upscale(np.rint(np.clip((img + 1) / 2, 0, 1) * 255).astype(np.uint8))


def error_rgb(err: np.ndarray, limit: float = 1.0) -> np.ndarray:
    """[h, w] signed error -> uint8 RGB, white at 0, red above, blue below, saturated at +-limit."""
    t = np.clip(err / limit, -1, 1)[..., None]
    red, blue, white = np.array([214, 39, 40.]), np.array([31, 119, 180.]), np.array([255, 255, 255.])
    rgb = np.where(t > 0, white + t * (red - white), white - t * (blue - white))
    return _upscale(np.rint(rgb).astype(np.uint8))


def spectrum_map(history: list) -> np.ndarray:
    """Radial frequency (rows, low at the bottom) x snapshot (columns) of log10 relative error as RGB.
    history: session Points whose spec_rel_err is the radial spectrum."""
    if not history:
        return np.zeros((1, 1, 3), np.uint8)
    err = np.log10(np.clip(np.array([p.spec_rel_err for p in history]).T[::-1], 10 ** ERR_LO, 10 ** ERR_HI))   # [K, T]
    t = (np.nan_to_num(err, nan=ERR_LO) - ERR_LO) / (ERR_HI - ERR_LO) * (len(VIRIDIS) - 1)
    i = np.minimum(t.astype(int), len(VIRIDIS) - 2)
    rgb = VIRIDIS[i] + (t - i)[..., None] * (VIRIDIS[i + 1] - VIRIDIS[i])
    rgb[np.isnan(err)] = 235                              # rings the picture hardly has: no relative error
    rows, cols = rgb.shape[:2]
    return np.repeat(np.repeat(np.rint(rgb).astype(np.uint8), max(1, 160 // rows), 0), max(1, 320 // cols), 1)


def radial_svg(latest: dict, font: int = 15) -> str:
    """Relative error per radial frequency at the current epoch, one line per model (log scale)."""
    x0, y0, x1, y1 = 58, 26, 590, 200
    c = Canvas(600, 232, font)
    c.frame(x0, y0, x1, y1)
    c.text((x0 + x1) / 2, y0 - 8, "relative error per radial frequency (now)")
    top = max((float(s.freqs[-1]) for s in latest.values() if s is not None and len(s.freqs)), default=1.0)
    for e in (-3, -2, -1, 0):
        y = float(_scale(e, ERR_LO, ERR_HI, y1, y0))
        c.text(x0 - 4, y + font / 3, f"{10.0 ** e:g}", "end")
        c.line(x0, y, x1, y, opacity=0.2)
    for label, s in latest.items():
        if s is not None and len(s.freqs):
            y = np.log10(np.clip(s.spec_rel_err, 10 ** ERR_LO, 10 ** ERR_HI))
            c.add(_poly(_scale(s.freqs, 0, top, x0, x1), _scale(y, ERR_LO, ERR_HI, y1, y0), color(label), 2))
    c.text((x0 + x1) / 2, y1 + font + 8, f"radial frequency (cycles per picture width, 0 to {top:g})")
    return c.svg()


def radial(latest: dict) -> go.Figure:
    """The interactive version of radial_svg, with the picture's own spectrum (grey) on a second axis."""
    data = []
    for label, s in latest.items():
        if s is not None and len(s.freqs):
            data.append(dict(type="scatter", x=s.freqs, y=s.spec_rel_err, name=label, mode="lines+markers",
                             line=dict(color=color(label), width=2), marker=dict(size=4)))
    some = next((s for s in latest.values() if s is not None and len(s.freqs)), None)
    if some is not None:
        data.append(dict(type="scatter", x=some.freqs, y=some.spec_true, name="picture", yaxis="y2", fill="tozeroy",
                         line=dict(color="#888888", width=1), opacity=0.2))
    layout = dict(height=300, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12, x=0), uirevision="keep",
                  xaxis=dict(title=dict(text="radial frequency (cycles per picture width)")),
                  yaxis=dict(type="log", range=[ERR_LO, ERR_HI], title=dict(text="relative error")),
                  yaxis2=dict(type="log", overlaying="y", side="right", showgrid=False, title=dict(text="picture |DFT|")))
    return go.Figure(dict(data=data, layout=layout), _validate=False)
