"""engine_version(): a short hash of the code that decides a run's numbers (the engine's training path:
config, models, problems, loop) and of the torch version. Stored beside every result, it tells a
result made by this code from one made by another (experiments' trial keys, stored tables)."""
from __future__ import annotations

import functools
import hashlib
import pathlib

import torch

_ROOT = pathlib.Path(__file__).resolve().parent
# Not on the training path: how runs are driven, shown, stored or timed.
_OUTSIDE = {"cli.py", "workers.py", "palette.py", "version.py", "__main__.py"}
_OUTSIDE_DIRS = {"experiments", "library", "bench"}


@functools.lru_cache(maxsize=1)
def engine_version() -> str:
    h = hashlib.sha256(torch.__version__.encode())
    for path in sorted(_ROOT.rglob("*.py")):
        rel = path.relative_to(_ROOT)
        if rel.name in _OUTSIDE or rel.parts[0] in _OUTSIDE_DIRS:
            continue
        h.update(str(rel).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]
