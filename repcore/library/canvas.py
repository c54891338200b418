"""Charts drawn with Pillow, for pictures made without a browser (animation.py): fonts, and axes that map
data to pixels and draw ticks, curves and stems. No plotly here: the engine never imports the UI.

Fonts: the first TrueType font found among FONTS (DejaVu on Debian, Arial or Helvetica on macOS and
Windows, Liberation elsewhere), else Pillow's own scalable default font (Pillow >= 10.1).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = {False: ("DejaVuSans.ttf", "Arial.ttf", "Helvetica.ttc", "LiberationSans-Regular.ttf"),
         True: ("DejaVuSans-Bold.ttf", "Arial Bold.ttf", "Arial-Bold.ttf", "Helvetica.ttc", "LiberationSans-Bold.ttf")}
INK, MUTED, GRID, FRAME = "#262730", "#808495", "#e6e6ea", "#b9bbc6"     # text, axis labels, grid lines, axes box


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A TrueType font of `size` pixels (FONTS), else Pillow's default font at that size."""
    for name in FONTS[bold]:
        try:
            return ImageFont.truetype(name, size, index=1 if bold and name.endswith(".ttc") else 0)
        except OSError:
            continue
    return ImageFont.load_default(size)


@dataclass
class Axes:
    """A plot box (pixels: left, top, right, bottom) showing x0..x1 by y0..y1 (y in log10 when `log`)."""
    box: tuple[float, float, float, float]
    x0: float
    x1: float
    y0: float
    y1: float
    log: bool = False

    def px(self, x) -> np.ndarray:
        left, _, right, _ = self.box
        return left + (np.asarray(x, float) - self.x0) * (right - left) / (self.x1 - self.x0)

    def py(self, y) -> np.ndarray:
        _, top, _, bottom = self.box
        y = np.asarray(y, float)
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(y)
        y = np.clip(y, self.y0, self.y1)          # a value off the chart sits on its edge
        return bottom - (y - self.y0) * (bottom - top) / (self.y1 - self.y0)

    def frame(self, draw: ImageDraw.ImageDraw, width: int) -> None:
        draw.rectangle(self.box, outline=FRAME, width=width)

    def hgrid(self, draw: ImageDraw.ImageDraw, values, labels, size: int, width: int, dash: float | None = None) -> None:
        """Horizontal grid lines at `values` (data units), labelled left of the box."""
        left, _, right, _ = self.box
        for v, text in zip(values, labels):
            y = float(self.py(v))
            if dash:
                dashed(draw, left, y, right, y, MUTED, width, dash)
            else:
                draw.line((left, y, right, y), fill=GRID, width=width)
            draw.text((left - size * 0.4, y), text, fill=MUTED, font=font(size), anchor="rm")

    def xticks(self, draw: ImageDraw.ImageDraw, values, labels, size: int, bold=(), y: float | None = None) -> list:
        """Tick labels centred under (or at height `y` above) the box, those in `bold` in bold; a label that
        would touch one placed before it is left out (put the important ones first). Returns the values shown."""
        shown, spans = [], []
        for v, text in zip(values, labels):
            f = font(size, v in bold)
            x, half = float(self.px(v)), draw.textlength(text, font=f) / 2 + size * 0.4
            if any(a < x + half and x - half < b for a, b in spans):
                continue
            spans.append((x - half, x + half))
            shown.append(v)
            at = (x, self.box[3] + size * 0.35) if y is None else (x, y)
            draw.text(at, text, fill=MUTED, font=f, anchor="mt" if y is None else "md")
        return shown

    def curve(self, draw: ImageDraw.ImageDraw, x, y, color: str, width: int) -> None:
        """A polyline through the finite points, broken where a value is not finite."""
        x, y = np.asarray(x, float), np.asarray(y, float)
        ok = np.isfinite(x) & np.isfinite(y)
        for run in np.split(np.arange(len(x)), np.flatnonzero(np.diff(ok.astype(int))) + 1):
            run = run[ok[run]]
            if len(run) > 1:
                draw.line(list(zip(self.px(x[run]).tolist(), self.py(y[run]).tolist())), fill=color, width=width, joint="curve")

    def stems(self, draw: ImageDraw.ImageDraw, x, y, color: str, width: int, radius: float) -> None:
        """A stem from the bottom of the box up to each (x, y), with a dot on top (skips non-finite y)."""
        bottom = self.box[3]
        for xi, yi in zip(self.px(x).tolist(), self.py(y).tolist()):
            if math.isfinite(yi):
                draw.line((xi, bottom, xi, yi), fill=color, width=width)
                draw.ellipse((xi - radius, yi - radius, xi + radius, yi + radius), fill=color)


def vertical_text(im, xy: tuple[float, float], text: str, size: int, fill: str = MUTED) -> None:
    """`text` turned a quarter left (reading upwards), centred on xy: an axis title."""
    f = font(size)
    left, top, right, bottom = f.getbbox(text)
    label = Image.new("RGBA", (right - left, bottom - top))
    ImageDraw.Draw(label).text((-left, -top), text, fill=fill, font=f)
    turned = label.rotate(90, expand=True)
    im.paste(turned, (round(xy[0] - turned.width / 2), round(xy[1] - turned.height / 2)), turned)


def dashed(draw: ImageDraw.ImageDraw, x0: float, y0: float, x1: float, y1: float, color: str, width: int, dash: float) -> None:
    length = math.hypot(x1 - x0, y1 - y0)
    for start in np.arange(0, length, 2 * dash):
        a, b = start / length, min(start + dash, length) / length
        draw.line((x0 + a * (x1 - x0), y0 + a * (y1 - y0), x0 + b * (x1 - x0), y0 + b * (y1 - y0)), fill=color, width=width)


def blend(color: str, alpha: float, background: str = "#ffffff") -> str:
    """`color` at opacity `alpha` over `background`, as one opaque colour (a GIF has no translucency)."""
    c, b = (np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)], float) for h in (color, background))
    return "#" + "".join(f"{int(round(v)):02x}" for v in alpha * c + (1 - alpha) * b)


def nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """About `n` round values (1, 2 or 5 times a power of ten apart) within [lo, hi]."""
    raw = (hi - lo) / max(n, 1)
    base = 10.0 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1, 2, 5, 10) if m * base >= raw)
    return [round(v, 12) for v in np.arange(math.ceil(lo / step) * step, hi + step * 1e-9, step)]


def number(v: float) -> str:
    """A tick label as a person writes it: 0, 0.5, -1, 1e-4."""
    return f"{v:g}" if v == 0 or 1e-3 <= abs(v) < 1e5 else f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e")
