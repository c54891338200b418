"""Live charts as SVG images: pure functions from snapshots to SVG text (shown with st.image).

While training plays, the live page redraws several times a second. In the browser, a plotly chart
redraw cost ~100 ms of CPU each (Chromium, measured with `top`: ~90% of a core for the live page at
one refresh per second), which starved training on the same machine; these SVGs cost ~10x less
(docs/speed.md, "Dashboard speed"). Paused, the normal page switches back to the interactive plotly charts (charts.py);
presentation mode keeps these, sized for a projector. Same colours, same content.

Every chart takes `width`, the pixels its column has at the page's design size (1280 px wide in
presentation mode), and `font`, the text size in those pixels: the image scales to its column, so text
renders at about `font` px there (the presentation test measures it).
"""
from __future__ import annotations

import html

import numpy as np

from dashboard.charts import MAX_POINTS, TARGET_COLOR, color, decade_label, target_bins

INK = "#8a8a8a"     # readable on the light and the dark theme (an <img> cannot inherit the theme's colour)
GHOST = 0.3         # opacity of the previous run's traces


def scale(v, lo, hi, a, b):
    """v mapped linearly from [lo, hi] to [a, b] (pixels; a flat range maps to a)."""
    span = (hi - lo) or 1.0
    return a + (np.asarray(v, float) - lo) / span * (b - a)


def fitting(font: float, space: float, *texts: str, bold: bool = False) -> str:
    """The first of `texts` that fits `space` px at `font` px: widths estimated at 0.6 em a character (0.66
    bold), about DejaVu Sans, the widest of the usual sans-serif fonts, so text never runs off its chart."""
    per = (0.66 if bold else 0.6) * font
    return next((t for t in texts if len(t) * per <= space), texts[-1])


def polyline(xs, ys, stroke: str, width: float = 2.0, opacity: float = 1.0) -> str:
    """An SVG polyline through the finite points (xs, ys), in pixels."""
    keep = np.isfinite(xs) & np.isfinite(ys)
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs[keep], ys[keep]))
    return f'<polyline fill="none" stroke="{stroke}" stroke-width="{width}" stroke-opacity="{opacity}" points="{pts}"/>'


class Canvas:
    """An SVG of `width` x `height` px with text of `font` px."""

    def __init__(self, width: int, height: int, font: int):
        self.w, self.h, self.font, self.out = width, height, font, []

    def text(self, x, y, text, anchor="middle", fill=INK, size=None, weight="normal") -> None:
        self.out.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-family="sans-serif" '
                        f'font-size="{size or self.font}" font-weight="{weight}" fill="{fill}">{html.escape(str(text))}</text>')

    def frame(self, x0, y0, x1, y1) -> None:
        self.out.append(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="none" stroke="{INK}" '
                        'stroke-opacity="0.5"/>')

    def line(self, x0, y0, x1, y1, stroke=INK, width=1.0, dash="", opacity=1.0) -> None:
        self.out.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{stroke}" stroke-width="{width}" '
                        f'stroke-opacity="{opacity}"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")

    def add(self, piece: str) -> None:
        self.out.append(piece)

    def _key_rows(self, items) -> list[float]:
        """Where each colour key starts (x), a new row wherever the width ends (-1 marks a new row)."""
        xs, x = [], 0.0
        for name, _, _ in items:
            width = self.font * (1.9 + 0.6 * len(name))
            if x and x + width - 0.6 * self.font > self.w:
                xs.append(-1.0)
                x = 0.0
            xs.append(x)
            x += width
        return xs

    def legend_rows(self, items) -> int:
        return 1 + self._key_rows(items).count(-1.0)

    def legend(self, items: list[tuple[str, str, float]], y) -> int:
        """Colour keys from the left edge, the first row at baseline y, wrapped where the width ends; returns the rows."""
        xs = [x for x in self._key_rows(items) if x >= 0]
        rows = 0
        for (name, col, opacity), x in zip(items, xs):
            if x == 0.0:
                y, rows = y + 1.3 * self.font * bool(rows), rows + 1
            self.add(f'<rect x="{x:.1f}" y="{y - self.font * 0.45:.1f}" width="{self.font}" height="4" fill="{col}" '
                     f'fill-opacity="{opacity}"/>')
            self.text(x + self.font * 1.3, y, name, "start")
        return rows

    def svg(self) -> str:
        return (f'<svg viewBox="0 0 {self.w} {self.h}" width="{self.w}" height="{self.h}" '
                f'xmlns="http://www.w3.org/2000/svg">{"".join(self.out)}</svg>')


def prediction(s, label: str, width: int = 560, height: int = 300, font: int = 15, ghost=None, points: bool = False) -> str:
    """The model's prediction over the target on the display line (the ghost's faded), optionally with
    the first-layer partition points as a histogram and rug below."""
    cv, c = Canvas(width, height, font), color(label)
    L, R, T = 3.2 * font, width - font, 1.6 * font
    B = height - (5.5 if points else 2.2) * font - (height * 0.22 if points else 0)
    lo, hi = float(s.x[0]), float(s.x[-1] + (s.x[1] - s.x[0]) if len(s.x) > 1 else s.x[0] + 1)
    step = max(1, len(s.x) // MAX_POINTS)
    x, true, pred = s.x[::step], s.true[::step], s.pred[::step]
    ymin, ymax = float(min(true.min(), -1e-9)), float(max(true.max(), 1e-9))
    pad = 0.12 * (ymax - ymin)
    ymin, ymax = ymin - pad, ymax + pad
    X = lambda v: scale(v, lo, hi, L, R)                                   # noqa: E731
    Y = lambda v: scale(np.clip(v, ymin, ymax), ymin, ymax, B, T)          # noqa: E731
    cv.text(0.2 * font, T - 0.45 * font, fitting(font, width - 0.4 * font, f"{label}: prediction vs target", "prediction vs target",
                                                 "prediction", bold=True), "start", fill=c, weight="bold")
    cv.frame(L, T, R, B)
    cv.add(polyline(X(x), Y(true), TARGET_COLOR, 2.5))
    if ghost is not None and len(ghost.pred) == len(s.pred):
        cv.add(polyline(X(x), Y(ghost.pred[::step]), c, 2, GHOST))
    cv.add(polyline(X(x), Y(pred), c, 2))
    for v in (ymax - pad, 0.0, ymin + pad):
        cv.text(L - 0.3 * font, float(Y(v)) + 0.35 * font, f"{v:.2g}", "end")
    cv.text(L, B + 1.2 * font, f"{lo:g}"), cv.text(R, B + 1.2 * font, f"{hi:g}", "end"), cv.text((L + R) / 2, B + 1.2 * font, "x")
    if points:
        top, bottom = B + 2.6 * font, height - 2.2 * font
        counts, most = s.hist_counts, max(int(s.hist_counts.max()), 1)
        bw = (R - L) / len(counts)
        cv.text(L, top - 0.35 * font, "partition points (first layer)", "start")
        cv.frame(L, top, R, bottom)
        for i, n in enumerate(counts):
            if n:
                h = (bottom - top) * n / most
                cv.add(f'<rect x="{L + i * bw + 0.5:.1f}" y="{bottom - h:.1f}" width="{max(bw - 1, 0.5):.1f}" '
                       f'height="{h:.1f}" fill="{c}"/>')
        inside = s.points[(s.points >= lo) & (s.points <= hi)]
        for v in X(inside):
            cv.line(v, bottom, v, bottom + 0.4 * font, stroke=c)
        cv.text(L, height - 0.3 * font, f"{lo:g}"), cv.text(R, height - 0.3 * font, f"{hi:g}", "end")
    return cv.svg()


def spectrum(snaps: dict, width: int = 560, height: int = 330, font: int = 15, ghost: dict | None = None) -> str:
    """Each model's relative error at each of the target's frequencies (stems, labelled "k = 25"); the
    full DFT error (÷ the target's peak) faint behind; the run before the last restart as hollow rings."""
    cv = Canvas(width, height, font)
    rows = cv.legend([(lab, color(lab), 1.0) for lab in snaps] + ([("before restart (rings)", INK, 0.6)] if ghost else []),
                     2.4 * font)
    L, R, T, B = 4.6 * font, width - 0.8 * font, (4.5 + 1.3 * (rows - 1)) * font, height - 2.4 * font
    first = next(iter(snaps.values()))
    fmax = max(float(first.freqs[-1]), 1.0)
    X = lambda f: scale(f, -0.5, fmax + 0.5, L, R)                        # noqa: E731
    Y = lambda e: scale(np.log10(np.clip(e, 1e-4, 10)), -4, 1, B, T)      # noqa: E731
    cv.text(0.2 * font, 1.0 * font, fitting(font, width - 0.4 * font, "error at each target frequency", "error at each frequency k",
                                            "error at each k", bold=True), "start", weight="bold")
    cv.frame(L, T, R, B)
    for d in range(-4, 2):
        y = float(Y(10.0 ** d))
        cv.line(L, y, R, y, opacity=0.25)
        cv.text(L - 0.3 * font, y + 0.35 * font, decade_label(d), "end")
    y1 = float(Y(1.0))
    cv.line(L, y1, R, y1, dash="6 4", opacity=0.8)
    mid = (T + B) / 2
    cv.add(f'<text transform="translate({0.9 * font:.1f},{mid:.1f}) rotate(-90)" text-anchor="middle" font-family="sans-serif" '
           f'font-size="{font}" fill="{INK}">{fitting(font, B - T + 2 * font, "relative error (1 = not learned)", "relative error")}</text>')
    n = len(snaps)
    gap = min(0.9 * font, (R - L) / max(fmax, 1) / (n + 1))
    for i, (label, s) in enumerate(snaps.items()):
        c = color(label)
        peak = max(float(np.max(s.spec_true)), 1e-300)
        cv.add(polyline(X(s.freqs), Y(s.spec_err / peak), c, 1.2, 0.25))
        ks, errs, _ = target_bins(s)
        dx = (i - (n - 1) / 2) * gap
        old = ghost.get(label) if ghost else None
        if old is not None:
            for k, e in zip(*target_bins(old.latest)[:2]):
                cv.add(f'<circle cx="{float(X(k)) + dx:.1f}" cy="{float(Y(e)):.1f}" r="{font * 0.38:.1f}" fill="none" '
                       f'stroke="{c}" stroke-width="2" stroke-opacity="{GHOST + 0.2}"/>')
        for k, e in zip(ks, errs):
            x, y = float(X(k)) + dx, float(Y(e))
            cv.line(x, B, x, y, stroke=c, width=max(2.0, gap * 0.6))
            cv.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{font * 0.32:.1f}" fill="{c}"/>')
    ks, _, labelled = target_bins(first)
    for k in labelled:
        cv.text(float(X(k)), T - 0.35 * font, f"k = {k:g}", weight="bold")
    ticks = sorted({0.0, fmax, *labelled})
    for k in ticks:
        if all(abs(float(X(k)) - float(X(o))) > 2.2 * font for o in ticks if o != k) or k in labelled:
            cv.text(float(X(k)), B + 1.2 * font, f"{k:g}")
    space = 2 * min((L + R) / 2, width - (L + R) / 2)
    cv.text((L + R) / 2, height - 0.35 * font, fitting(font, space, "frequency (cycles over the domain)", "frequency k (cycles)", "k"))
    return cv.svg()


def curves(histories: dict[str, list], width: int = 1120, height: int = 250, font: int = 15, ghost: dict | None = None) -> str:
    """Training loss and rel. L2 against epoch (log y, decade ticks), every model on the same axes;
    the run before the last restart faded."""
    cv = Canvas(width, height, font)
    series = {lab: h for lab, h in histories.items() if h}
    old = {lab: g.history for lab, g in (ghost or {}).items() if g.history}
    last = max((h[-1].step for h in [*series.values(), *old.values()]), default=1) or 1
    half = width / 2
    keys = [(lab, color(lab), 1.0) for lab in series] + [(f"{lab} before restart", color(lab), GHOST) for lab in old]
    below = 1.3 * font * (cv.legend_rows(keys) - 1)           # a legend wrapped onto more rows lifts the charts
    measures = (("training loss", lambda p: sum(p.losses.values())), ("rel. L2 error (test)", lambda p: p.rel_l2))
    for k, (title, get) in enumerate(measures):
        x0, x1, T, B = 3.2 * font + k * half, half - font + k * half, 1.8 * font, height - 3.6 * font - below
        logs = lambda h, get=get: np.log10(np.clip([get(p) for p in h], 1e-12, None))   # noqa: E731
        vals, ghosts = {lab: logs(h) for lab, h in series.items()}, {lab: logs(h) for lab, h in old.items()}
        allv = np.concatenate([*vals.values(), *ghosts.values()]) if vals or ghosts else np.zeros(1)
        allv = allv[np.isfinite(allv)] if np.isfinite(allv).any() else np.zeros(1)
        lo, hi = float(np.floor(allv.min())), float(np.ceil(allv.max()))
        hi = hi if hi > lo else lo + 1
        cv.text(x0, T - 0.45 * font, title, "start", weight="bold")
        cv.frame(x0, T, x1, B)
        for lab, v in ghosts.items():
            cv.add(polyline(scale([p.step for p in old[lab]], 0, last, x0, x1), scale(v, lo, hi, B, T), color(lab), 2, GHOST))
        for lab, v in vals.items():
            cv.add(polyline(scale([p.step for p in series[lab]], 0, last, x0, x1), scale(v, lo, hi, B, T), color(lab), 2))
        every = max(1, int(np.ceil((hi - lo) / 4)))
        for d in range(int(lo), int(hi) + 1, every):
            cv.text(x0 - 0.3 * font, float(scale(d, lo, hi, B, T)) + 0.35 * font, decade_label(d), "end")
        cv.text(x0, B + 1.2 * font, "0"), cv.text(x1, B + 1.2 * font, f"{last:,}", "end")
        cv.text((x0 + x1) / 2, B + 1.2 * font, "epoch")
    cv.legend(keys, height - 0.5 * font - below)
    return cv.svg()
