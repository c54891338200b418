"""Jobs and their results on disk. A job is a list of trials trained in one process (`run_job`): one
after another, or stacked as one network when batched.plan grouped them; it is what every backend
ships to its workers. TrialStore keeps one JSON file per finished trial, written by the driver as soon
as the trial's job returns: a sweep run again with the same --out runs only what is missing.
Progress prints done / total, elapsed and the time left on stderr.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ..snapshot import Snapshot
from ..train import train
from ..version import engine_version
from . import batched
from .runner import Result
from .trials import Trial


def run_job(trials: list[Trial]) -> list:
    """Train `trials` in this process: stacked as one network if they share a shape and batching
    supports them (batched.py), else one after another. Returns one Result per trial, in order."""
    if len(trials) > 1 and batched.supports([t.cfg for t in trials]):
        return batched.run_batch(trials)
    out = []
    for t in trials:
        res = Result(t.case, t.cfg, float("nan"))
        for snap in train(t.cfg):
            res.record(snap)
        out.append(res)
    return out


_ARRAYS = ("x", "pred", "true", "freqs", "spec_true", "spec_err", "spec_rel_err", "points", "hist_edges", "hist_counts")


class TrialStore:
    """Per-trial result files DIR/KEY.json. Written atomically (a temporary file renamed), so a sweep
    killed mid-write leaves either the whole file or none; a file from other code (its key differs)
    is simply never looked up."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def save(self, trial: Trial, result) -> None:
        data = {"key": trial.key, "engine": engine_version(), "case": trial.case, "config": trial.cfg.to_query(),
                "nu": result.nu, "batch": result.batch, "history": result.history, "final": result.final.to_dict()}
        tmp = self.path(trial.key).with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.path(trial.key))

    def load(self, trial: Trial):
        """The stored Result of `trial` (relabelled with its case), or None if not finished."""
        path = self.path(trial.key)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None                  # unreadable (not ours, or damaged): run the trial again
        final = {k: np.asarray(v, dtype=float) if k in _ARRAYS else v for k, v in data["final"].items()}
        return Result(trial.case, trial.cfg, data["nu"], data["history"], Snapshot.from_fields(final), data.get("batch", 1))

    def count(self) -> int:
        return sum(1 for _ in self.folder.glob("*.json"))


class Progress:
    """'[done/total] what ... elapsed, ETA' lines on stderr. The ETA extrapolates from the trials run
    in this invocation only (reused ones took no time)."""

    def __init__(self, total: int, reused: int, enabled: bool = True):
        self.total, self.done, self.reused, self.enabled = total, reused, reused, enabled
        self.start = time.perf_counter()

    def tick(self, what: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        ran = self.done - self.reused
        eta = elapsed / ran * (self.total - self.done) if ran else float("nan")
        print(f"  [{self.done}/{self.total}] {what}  elapsed {_clock(elapsed)}, ETA {_clock(eta)}", file=sys.stderr, flush=True)


def _clock(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "?"
    m, s = divmod(round(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"
