"""Two versions of the engine, for two questions.

engine_version()     a short hash of the code on the training path (config, models, problems, loop) and
                     of the torch version: "was this made by exactly this code?" Keys of cached trials use
                     it, so a sweep never reuses a result from other code.
behaviour_version(problem)  a short hash of what that code computes for one problem: a few tiny runs of
                     that problem (`probes`: each model's own, models.ModelSpec.probes, then the problem's,
                     Problem.probes) trained on the CPU, their snapshots hashed.
                     It changes exactly when a change to the engine changes results on these runs (a
                     refactor, a new option or a comment does not move it, nor does a change to another
                     problem), so a stored result table is marked stale when it differs from its rows'.
"""
from __future__ import annotations

import functools
import hashlib
import pathlib

import numpy as np
import torch

_ROOT = pathlib.Path(__file__).resolve().parent
# Not on the training path: how runs are driven, shown, stored or timed.
_OUTSIDE = {"cli.py", "workers.py", "palette.py", "version.py", "__main__.py"}
_OUTSIDE_DIRS = {"experiments", "library", "bench"}
_TINY = dict(steps=12, every=6, width=12, depth=2, points=48, grid=64, test_points=96)


def probes(problem: str) -> list[dict]:
    """The tiny runs behaviour_version(problem) trains, as RunConfig changes: every model's probes of
    this problem (a model's probe is of problem fit unless it names one), then the problem's own."""
    from .models import MODELS
    from .problems import PROBLEMS
    if problem not in PROBLEMS:
        return []
    own = [{"model": m, **p} for m in MODELS for p in MODELS.get(m).probes if p.get("problem", "fit") == problem]
    return own + [{"problem": problem, **p} if problem != "fit" else dict(p) for p in PROBLEMS.get(problem).probes]


@functools.lru_cache(maxsize=1)
def engine_version() -> str:
    h = hashlib.sha256(torch.__version__.encode())
    for path in sorted(_ROOT.rglob("*.py")):
        rel = path.relative_to(_ROOT)
        if rel.name in _OUTSIDE or rel.parts[0] in _OUTSIDE_DIRS:
            continue
        h.update(str(rel).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


@functools.lru_cache(maxsize=None)
def behaviour_version(problem: str = "fit") -> str:
    """~1-3 s on one CPU core per problem; float32 results rounded to 6 significant digits, so the hash
    is about the numbers, not the last bit of a reduction order. A problem without probes: ''."""
    from .config import RunConfig
    from .train import train
    h, runs = hashlib.sha256(), probes(problem)
    for probe in runs:
        for s in train(RunConfig(device="cpu", **{**_TINY, **probe})):
            h.update(np.format_float_positional(s.rel_l2, precision=6, fractional=False).encode())
            h.update(np.array2string(s.pred, precision=5, floatmode="maxprec").encode())
    return h.hexdigest()[:12] if runs else ""
