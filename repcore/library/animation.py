"""A saved run as an animated GIF of its side-by-side view, to drop into slides or show where there is no
server: one frame per step of the run's timeline (SavedRun.steps; at most `frames` of them, evenly
spread, always the first and the last), each showing

    model by model: its prediction over the target (a picture target: the predicted picture) and its
    relative L2 error, in the model's colour (repcore.palette, as on every page);
    the error at each of the target's frequencies, every model on one log axis (1 = not learned);
    the epoch, and a progress bar along the bottom.

`render(run, ...)` returns the GIF's bytes, `write(run, path, ...)` writes them; bad options raise
LibraryError with one line. The frames are drawn at twice the size and halved (smooth lines), on a
background drawn once; all frames share one 64-colour palette. Sizes and times: docs/library.md.
"""
from __future__ import annotations

import io
import math
import os

import numpy as np
from PIL import Image, ImageColor

from ..palette import TARGET, color
from .canvas import FRAME, GRID, INK, MUTED
from .gif import GifWriter
from .runfile import LibraryError, SavedRun
from .sideview import View

SIZE, FPS, HOLD_S = (1280, 720), 10.0, 2.0      # defaults: a 16:9 slide, 10 frames a second, the end held 2 s
FPS_RANGE, HOLD_RANGE, WIDTH_RANGE = (1.0, 50.0), (0.0, 60.0), (320, 3840)   # a GIF counts time in 1/100 s
SUPERSAMPLE, COLORS = 2, 63                     # colour index 63 stays free: GifWriter's transparent index


def check(fps: float = FPS, size: tuple[int, int] = SIZE, hold: float = HOLD_S, frames: int | None = None) -> None:
    """LibraryError (one line) for an option out of range."""
    if not (isinstance(fps, (int, float)) and math.isfinite(fps) and FPS_RANGE[0] <= fps <= FPS_RANGE[1]):
        raise LibraryError(f"fps: {fps!r} is outside [{FPS_RANGE[0]:g}, {FPS_RANGE[1]:g}] frames per second")
    if not (isinstance(hold, (int, float)) and math.isfinite(hold) and HOLD_RANGE[0] <= hold <= HOLD_RANGE[1]):
        raise LibraryError(f"hold: {hold!r} is outside [{HOLD_RANGE[0]:g}, {HOLD_RANGE[1]:g}] seconds")
    w, h = size
    if not (WIDTH_RANGE[0] <= w <= WIDTH_RANGE[1] and 0.3 <= h / w <= 1.0):
        raise LibraryError(f"size: {w}x{h} is not WIDTHxHEIGHT with a width in [{WIDTH_RANGE[0]}, {WIDTH_RANGE[1]}] "
                           f"and a height 0.3-1 times it (e.g. 1280x720, 960x540)")
    if frames is not None and not (isinstance(frames, int) and frames >= 2):
        raise LibraryError(f"frames: {frames!r} is not a whole number of at least 2")


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720); LibraryError otherwise."""
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise LibraryError(f"size: {text!r} is not WIDTHxHEIGHT, e.g. 1280x720")
    size = (int(parts[0]), int(parts[1]))
    check(size=size)
    return size


def timeline(run: SavedRun, frames: int | None = None) -> list[int]:
    """The steps the animation shows: every saved step, or `frames` of them evenly spread (first and last kept)."""
    steps = run.steps()
    if frames is None or len(steps) <= frames:
        return steps
    return [steps[i] for i in sorted({round(i) for i in np.linspace(0, len(steps) - 1, frames)})]


def render(run: SavedRun, fps: float = FPS, size: tuple[int, int] = SIZE, hold: float = HOLD_S,
           frames: int | None = None) -> bytes:
    """The GIF's bytes: one frame per timeline step, 1/fps s each, the last held `hold` s more, looping."""
    check(fps, size, hold, frames)
    steps = timeline(run, frames)
    view = View(run, size, SUPERSAMPLE)
    palette = _palette(view.frame(steps[-1]), [m.label for m in run.models])
    tick = max(2, round(100 / fps))                        # hundredths of a second: a GIF's clock
    out = io.BytesIO()
    gif = GifWriter(out, size, transparent=COLORS)
    for i, step in enumerate(steps):
        delay = tick + (round(hold * 100) if i == len(steps) - 1 else 0)
        gif.add(view.frame(step).quantize(palette=palette, dither=Image.Dither.NONE), delay)
    gif.close()
    return out.getvalue()


def _palette(im: Image.Image, labels: list[str]) -> Image.Image:
    """COLORS colours fitted to a frame (median cut), then each ink exact: a median cut averages (white
    came out 252, 252, 253), and Pillow maps pixels to a palette through a cache of 6 bits per channel,
    so every entry within 6 levels of an ink becomes that ink too (else white could still map to 252)."""
    fitted = im.quantize(COLORS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    table = np.array(fitted.getpalette()[:3 * COLORS], float).reshape(-1, 3)
    for ink in ["#ffffff", INK, MUTED, GRID, FRAME, TARGET, *map(color, labels)]:
        rgb = np.array(ImageColor.getrgb(ink), float)
        table[np.argmin(((table - rgb) ** 2).sum(1))] = rgb
        table[np.abs(table - rgb).max(1) <= 6] = rgb
    fitted.putpalette(table.astype(np.uint8).ravel().tolist())
    return fitted


def check_path(path: str) -> None:
    """LibraryError unless `path` names a .gif file in a folder that exists."""
    if not path.lower().endswith(".gif"):
        raise LibraryError(f"{path}: an animation is written as a .gif file")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise LibraryError(f"{path}: no folder {os.path.dirname(os.path.abspath(path))}")


def write(run: SavedRun, path: str, **options) -> int:
    """Write render(run, **options) to `path` (via a temporary name); returns its size in bytes."""
    check_path(path)
    data = render(run, **options)
    tmp = f"{path}.part"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as err:
        raise LibraryError(f"{path}: cannot write ({err.strerror or err})") from None
    return len(data)
