"""Live charts as SVG images: pure functions from snapshots to SVG text (shown with st.image).

While training plays, the live page redraws several times a second. In the browser, a plotly chart
redraw cost ~100 ms of CPU each (Chromium, measured with `top`: ~90% of a core for the live page at
one refresh per second), which starved training on the same machine; these SVGs cost ~10x less
(README "Speed"). Paused, the page switches back to the interactive plotly charts (charts.py), with
zoom and PNG download. Same colours, same content.
"""
from __future__ import annotations

import html

import numpy as np

from dashboard.charts import MAX_POINTS, TARGET_COLOR, color

W = 600            # viewBox width; the SVG scales to its column
INK = "#8a8a8a"     # readable on the light and the dark theme (an <img> cannot inherit the theme's colour)
FONT = f'font-family="sans-serif" font-size="11" fill="{INK}"'


def _scale(v, lo, hi, a, b):
    span = (hi - lo) or 1.0
    return a + (np.asarray(v, float) - lo) / span * (b - a)


def _poly(xs, ys, stroke: str, width: float = 1.5) -> str:
    keep = np.isfinite(xs) & np.isfinite(ys)
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs[keep], ys[keep]))
    return f'<polyline fill="none" stroke="{stroke}" stroke-width="{width}" points="{pts}"/>'


def _frame(x0, y0, x1, y1, title: str) -> str:
    return (f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="none" stroke="{INK}" stroke-opacity="0.5"/>'
            f'<text x="{(x0 + x1) / 2}" y="{y0 - 5}" text-anchor="middle" {FONT}>{html.escape(title)}</text>')


def _label(x, y, text, anchor="middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {FONT}>{html.escape(text)}</text>'


def _svg(body: str, height: int, width: int = W) -> str:
    return f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{body}</svg>'


def panel(s, label: str) -> str:
    """Prediction over the target, partition-point histogram with a rug, Fourier amplitude of target
    and error per frequency (log scale)."""
    c, L, R = color(label), 40, W - 10
    lo, hi = float(s.hist_edges[0]), float(s.hist_edges[-1])
    step = max(1, len(s.x) // MAX_POINTS)
    x, true, pred = s.x[::step], s.true[::step], s.pred[::step]
    ymin, ymax = float(min(true.min(), -1e-9)), float(max(true.max(), 1e-9))
    pad = 0.15 * (ymax - ymin)
    ymin, ymax = ymin - pad, ymax + pad
    X = lambda v: _scale(v, lo, hi, L, R)                                   # noqa: E731
    Y = lambda v: _scale(np.clip(v, ymin, ymax), ymin, ymax, 210, 25)        # noqa: E731
    out = [_frame(L, 25, R, 210, "prediction vs target"), _poly(X(x), Y(true), TARGET_COLOR, 2), _poly(X(x), Y(pred), c),
           _label(L - 4, 29, f"{ymax:.2g}", "end"), _label(L - 4, 210, f"{ymin:.2g}", "end")]
    counts = s.hist_counts
    top = max(int(counts.max()), 1)
    bw = (R - L) / len(counts)
    out.append(_frame(L, 240, R, 300, "partition points (first layer)"))
    out += [f'<rect x="{L + i * bw + 0.5:.1f}" y="{300 - 55 * n / top:.1f}" width="{bw - 1:.1f}" height="{55 * n / top:.1f}" fill="{c}"/>'
            for i, n in enumerate(counts) if n]
    inside = s.points[(s.points >= lo) & (s.points <= hi)]
    out += [f'<line x1="{v:.1f}" x2="{v:.1f}" y1="300" y2="306" stroke="{c}"/>' for v in X(inside)]
    out += [_label(L, 318, f"{lo:g}"), _label(R, 318, f"{hi:g}"), _label((L + R) / 2, 318, "x")]
    F = lambda v: _scale(v, 0, max(float(s.freqs[-1]), 1.0), L, R)           # noqa: E731
    A = lambda v: _scale(np.log10(np.clip(v, 1e-5, 1)), -5, 0, 470, 345)     # noqa: E731
    out += [_frame(L, 345, R, 470, "Fourier amplitude: target (grey) and error (colour)"),
            _poly(F(s.freqs), A(s.spec_true), TARGET_COLOR, 1), _poly(F(s.freqs), A(s.spec_err), c),
            _label(L - 4, 349, "1", "end"), _label(L - 4, 470, "1e-5", "end"),
            _label(L, 486, "0"), _label(R, 486, f"{s.freqs[-1]:g}"), _label((L + R) / 2, 486, "frequency (cycles)")]
    return _svg("".join(out), 495)


def curves(histories: dict[str, list]) -> str:
    """Training loss and rel. L2 against epoch (log y), every model on the same axes."""
    out, half = [], W
    series = {lab: h for lab, h in histories.items() if h}
    last = max((h[-1].step for h in series.values()), default=1) or 1
    for k, (title, get) in enumerate((("training loss", lambda p: sum(p.losses.values())), ("rel. L2 error", lambda p: p.rel_l2))):
        x0, x1 = 40 + k * half, half - 10 + k * half
        vals = {lab: np.log10(np.clip([get(p) for p in h], 1e-12, None)) for lab, h in series.items()}
        allv = np.concatenate(list(vals.values())) if vals else np.zeros(1)
        allv = allv[np.isfinite(allv)] if np.isfinite(allv).any() else np.zeros(1)
        lo, hi = float(np.floor(allv.min())), float(np.ceil(allv.max()))
        hi = hi if hi > lo else lo + 1
        out.append(_frame(x0, 20, x1, 170, title))
        for lab, v in vals.items():
            steps = np.array([p.step for p in series[lab]], float)
            out.append(_poly(_scale(steps, 0, last, x0, x1), _scale(v, lo, hi, 170, 20), color(lab)))
        out += [_label(x0 - 4, 24, f"1e{int(hi)}", "end"), _label(x0 - 4, 170, f"1e{int(lo)}", "end"),
                _label(x0, 185, "0"), _label(x1, 185, f"{last:,}"), _label((x0 + x1) / 2, 185, "epoch")]
    legend = "".join(f'<rect x="{40 + 90 * i}" y="196" width="12" height="3" fill="{color(lab)}"/>' + _label(56 + 90 * i, 201, lab, "start")
                     for i, lab in enumerate(series))
    return _svg("".join(out) + legend, 206, 2 * W)
