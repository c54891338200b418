"""What the Run library gives to take home, made when its download button is clicked (Streamlit runs the
callable on a thread of its own, not the page's): a saved run as a portable zip (`runs import` reads it) or
as an animated GIF of its side-by-side replay (repcore/library/animation.py), for slides or a room with no
server."""
from __future__ import annotations

import os
import re
import tempfile

from repcore.library import Library
from repcore.library import animation

SIZES = {"1280x720": (1280, 720), "960x540": (960, 540), "640x360": (640, 360)}     # 16:9, a slide's shape
GIF_FRAMES = 100       # at most: ~0.5-1 MB and a few seconds to draw at 960x540 (docs/library.md)


def file_stem(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name) or "run"


def zip_bytes(run_id: int) -> bytes:
    with tempfile.TemporaryDirectory() as tmp, Library() as lib:
        path = os.path.join(tmp, "run.zip")
        lib.export(run_id, path)
        with open(path, "rb") as f:
            return f.read()


def gif_bytes(run_id: int, size: str) -> bytes:
    """The run's replay as a looping GIF at `size` (a SIZES key), at most GIF_FRAMES frames."""
    with Library() as lib:
        run = lib.load(run_id)
    return animation.render(run, size=SIZES[size], frames=GIF_FRAMES)
