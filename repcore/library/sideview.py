"""The side-by-side view of a saved run at one step, as a Pillow image (animation.py makes the frames):
the live page's presentation layout, drawn without a browser.

    run name                                                       epoch 1,500 / 2,000
    vanilla            repnet              error at each target frequency
    rel. L2 9.97e-02   rel. L2 3.44e-02    (log axis, 1 = not learned; the strongest bins named k = ...)
    [prediction        [prediction
     over target]       over target]
    ---------------------------- progress ----------------------------

Geometry is in units of 1/720 of the frame's height (a 1280x720 frame: 1 unit = 1 pixel), drawn at
`u` pixels per unit on a canvas `supersample` times the frame's size, halved at the end (smooth lines). Everything that does not change from step to step (axes, labels, targets) is
drawn once on a background; `frame(step)` copies it and draws the predictions, errors and numbers.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from ..palette import TARGET, color
from .canvas import GRID, INK, MUTED, Axes, blend, font, nice_ticks, number, vertical_text
from .runfile import SavedModel, SavedRun

LABELLED = 4                # target frequencies named "k = ..." (the strongest), as on the pages
SPLIT = 0.62                # share of the width for the models; the spectrum takes the rest


def target_bins(s) -> tuple[np.ndarray, np.ndarray]:
    """The target's own frequencies in a snapshot (bins where its relative error is defined, i.e. the
    target has at least 1% of its peak, diagnostics.spectra) and the relative error there."""
    keep = np.isfinite(s.spec_rel_err)
    return s.freqs[keep], s.spec_rel_err[keep]


def _shared_range(models: list[SavedModel]) -> tuple[float, float]:
    """One y range for every model's panel: the targets, widened for the predictions of every frame but
    by at most the targets' span each way (a blow-up must not flatten the rest), padded 8%."""
    true = np.concatenate([m.snapshots[0].true for m in models])
    true = true[np.isfinite(true)]
    lo, hi = (float(true.min()), float(true.max())) if len(true) else (-1.0, 1.0)
    span = max(hi - lo, 1e-12)
    preds = np.concatenate([s.pred for m in models for s in m.snapshots])
    preds = preds[np.isfinite(preds)]
    if len(preds):
        lo, hi = min(lo, max(float(preds.min()), lo - span)), max(hi, min(float(preds.max()), hi + span))
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


class View:
    """A run's view, its background drawn once; `frame(step)` draws one step on a copy."""

    def __init__(self, run: SavedRun, size: tuple[int, int], supersample: int = 2):
        self.run, self.size, self.ss = run, size, supersample
        self.u = size[1] * supersample / 720                  # pixels per unit
        self.wu = 720 * size[0] / size[1]                      # the frame's width in units
        self.budget = max(m.cfg.steps for m in run.models)
        self.background = Image.new("RGB", (size[0] * supersample, size[1] * supersample), "white")
        self._layout(ImageDraw.Draw(self.background))

    # --- geometry helpers
    def p(self, v: float) -> float:
        return v * self.u

    def w(self, v: float) -> int:
        return max(1, round(v * self.u))

    def text(self, draw, xy, text, size, fill=INK, bold=False, anchor="la"):
        draw.text((self.p(xy[0]), self.p(xy[1])), text, fill=fill, font=font(self.w(size), bold), anchor=anchor)

    # --- the background
    def _layout(self, draw: ImageDraw.ImageDraw) -> None:
        run, wu = self.run, self.wu
        name = run.name if len(run.name) <= 60 else run.name[:57] + "..."
        self.text(draw, (24, 22), name, 22, MUTED)
        self.text(draw, (wu - 24, 46), f"/ {self.budget:,}", 22, MUTED, anchor="rs")
        self.epoch_at = wu - 24 - draw.textlength(f"/ {self.budget:,}  ", font=font(self.w(22))) / self.u
        draw.rectangle((self.p(24), self.p(700), self.p(wu - 24), self.p(706)), fill=GRID)
        n = len(run.models)
        rows = 1 if n <= 3 else 2
        cols = math.ceil(n / rows)
        left, right, top, bottom = 24, SPLIT * wu, 76, 684
        cw, ch = (right - left - 28 * (cols - 1)) / cols, (bottom - top - 24 * (rows - 1)) / rows
        self.cells, self.ylim = [], _shared_range(run.models)
        for i, m in enumerate(run.models):
            x0, y0 = left + (i % cols) * (cw + 28), top + (i // cols) * (ch + 24)
            self.cells.append(self._cell(draw, m, (x0, y0, x0 + cw, y0 + ch)))
        self.spectrum = self._spectrum_axes(draw, (SPLIT * wu + 36, top, wu - 24, bottom))

    def _cell(self, draw, m: SavedModel, box) -> dict:
        x0, y0, x1, y1 = box
        c = color(m.label)
        self.text(draw, (x0, y0 + 26), m.label, 26, c, bold=True, anchor="ls")
        name = draw.textlength(m.label, font=font(self.w(26), True)) / self.u
        self.text(draw, (x0, y0 + 66), "rel. L2", 19, MUTED, anchor="ls")
        cell = dict(model=m, value=(x0 + 70, y0 + 66), note=(x0 + name + 14, y0 + 26))
        first = m.snapshots[0]
        self.text(draw, (x0 + 56, y0 + 106), "prediction", 19, c, bold=True, anchor="ls")
        if first.image.size:                                   # a picture target: the predicted picture
            side = min(x1 - x0 - 56, y1 - y0 - 118)
            return dict(cell, picture=(x0 + 56, y0 + 118, x0 + 56 + side, y0 + 118 + side))
        at = x0 + 56 + draw.textlength("prediction ", font=font(self.w(19), True)) / self.u
        self.text(draw, (at, y0 + 106), "vs target", 19, TARGET, bold=True, anchor="ls")
        ax = Axes((self.p(x0 + 56), self.p(y0 + 118), self.p(x1 - 6), self.p(y1 - 44)),
                  float(first.hist_edges[0]), float(first.hist_edges[-1]), *self.ylim)
        ticks = nice_ticks(ax.y0, ax.y1, 4)
        ax.hgrid(draw, ticks, [number(t) for t in ticks], self.w(17), self.w(1))
        ax.frame(draw, self.w(1.2))
        ax.xticks(draw, [ax.x0, ax.x1], [number(ax.x0), number(ax.x1)], self.w(17))
        self.text(draw, ((x0 + 56 + x1 - 6) / 2, y1 - 38), "x", 17, MUTED, anchor="mt")
        ax.curve(draw, first.x, first.true, TARGET, self.w(3.5))
        return dict(cell, axes=ax)

    def _spectrum_axes(self, draw, box) -> Axes:
        x0, y0, x1, y1 = box
        self.text(draw, (x0, y0 + 4), "error at each target frequency", 22, INK, bold=True)
        at, row = x0, y0 + 52
        for m in self.run.models:                              # the legend, wrapped
            width = 34 + draw.textlength(m.label, font=font(self.w(19))) / self.u
            if at > x0 and at + width > x1:
                at, row = x0, row + 28
            draw.line((self.p(at), self.p(row), self.p(at + 22), self.p(row)), fill=color(m.label), width=self.w(4))
            self.text(draw, (at + 28, row), m.label, 19, INK, anchor="lm")
            at += width + 12
        last = max((m.snapshots[-1] for m in self.run.models), key=lambda s: len(s.freqs))
        k_max = float(last.freqs[-1]) if len(last.freqs) else 1.0
        top = row + 52
        ax = Axes((self.p(x0 + 86), self.p(top), self.p(x1 - 6), self.p(y1 - 52)), -0.5, k_max + 0.5, -4.0, 1.0, log=True)
        decades = [10.0 ** d for d in range(-4, 2)]
        ax.hgrid(draw, decades, [number(v) for v in decades], self.w(17), self.w(1))
        ax.hgrid(draw, [1.0], [""], self.w(17), self.w(1.5), dash=self.p(6))
        ax.frame(draw, self.w(1.2))
        vertical_text(self.background, (self.p(x0 + 10), (ax.box[1] + ax.box[3]) / 2), "relative error (1 = not learned)",
                      self.w(17))
        ks, _ = target_bins(last)
        strongest = [float(k) for k in ks[np.argsort(-last.spec_true[np.isfinite(last.spec_rel_err)])[:LABELLED]]]
        named = ax.xticks(draw, strongest, [f"k = {k:g}" for k in strongest], self.w(17), bold=set(strongest), y=self.p(top - 5))
        ax.xticks(draw, [*named, k_max], [f"{k:g}" for k in [*named, k_max]], self.w(17), bold=set(named))
        self.text(draw, ((x0 + 86 + x1 - 6) / 2, y1 - 26), "frequency k (cycles over the domain)", 17, MUTED, anchor="mt")
        gap = float(np.diff(np.sort(ks)).min()) if len(ks) > 1 else 1.0      # closest target frequencies, in bins
        self.stem = min(7.0, 0.8 * gap * (x1 - x0 - 92) / (k_max + 1) / len(self.run.models))   # units between models' stems
        return ax

    # --- one frame
    def frame(self, step: int) -> Image.Image:
        """The view at `step` (each model at its latest snapshot at or before it), at the output size."""
        im = self.background.copy()
        draw = ImageDraw.Draw(im)
        self.text(draw, (self.epoch_at, 46), f"{step:,}", 34, INK, bold=True, anchor="rs")
        self.text(draw, (self.epoch_at - 12 - draw.textlength(f"{step:,}", font=font(self.w(34), True)) / self.u, 46),
                  "epoch", 22, MUTED, anchor="rs")
        done = (self.wu - 48) * min(1.0, step / max(self.budget, 1))
        draw.rectangle((self.p(24), self.p(700), self.p(24 + done), self.p(706)), fill=MUTED)
        n = len(self.cells)
        for i, cell in enumerate(self.cells):
            s = cell["model"].at(step)
            c = color(cell["model"].label)
            rel = f"{s.rel_l2:.2e}" if math.isfinite(s.rel_l2) else "not finite"
            self.text(draw, cell["value"], rel, 26, INK, bold=True, anchor="ls")
            if s.status == "diverged":
                self.text(draw, cell["note"], f"diverged at epoch {s.diverged_at:,}", 19, c, anchor="ls")
            if "picture" in cell:
                self._picture(im, s.image, cell["picture"])
            else:
                cell["axes"].curve(draw, s.x, s.pred, c, self.w(2.5))
            self._errors(draw, s, c, (i - (n - 1) / 2) * self.stem)
        return im.reduce(self.ss) if self.ss > 1 else im

    def _picture(self, im: Image.Image, image: np.ndarray, box) -> None:
        gray = np.rint(np.clip((np.nan_to_num(image) + 1) / 2, 0, 1) * 255).astype(np.uint8)
        side = round(self.p(box[2] - box[0]))
        im.paste(Image.fromarray(gray).resize((side, side), Image.Resampling.NEAREST).convert("RGB"),
                 (round(self.p(box[0])), round(self.p(box[1]))))

    def _errors(self, draw, s, c: str, dx: float) -> None:
        ax = self.spectrum
        peak = max(float(np.max(s.spec_true)), 1e-300) if len(s.spec_true) else 1.0
        ax.curve(draw, s.freqs, s.spec_err / peak, blend(c, 0.3), self.w(1.2))
        ks, errs = target_bins(s)
        per_k = (ax.box[2] - ax.box[0]) / (ax.x1 - ax.x0)             # pixels per frequency bin
        ax.stems(draw, np.asarray(ks, float) + self.p(dx) / per_k, errs, c, self.w(min(3.0, 0.45 * self.stem)),
                 self.p(min(6.0, max(2.5, 0.8 * self.stem))))
