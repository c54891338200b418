"""Results (stage 4): what a trial gives back, and the trial cache that keeps it.

A Result keeps one trained trial's history (step, rel. L2, losses, problem extras per snapshot) and
its final snapshot; Result.row() is the one source of a trial's table row (runs.csv, sweep.csv).
Results are made in two places only: `Result.start` (a trial about to train: execute.run_job,
stacked.train_stack) and `Result.from_json` (a finished trial read back from the cache).

TrialCache keeps one JSON file per finished trial, DIR/KEY.json, written by the driver as soon as
the trial's job returns: a sweep run again with the same --out runs only what is missing.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config import RunConfig
from ..snapshot import Snapshot
from ..version import engine_version
from .experiment import Trial, query_json, trial_key
from ..methods import method_of

_ARRAYS = ("x", "pred", "true", "freqs", "spec_true", "spec_err", "spec_rel_err", "points", "hist_edges", "hist_counts")


@dataclass
class Result:
    case: str
    cfg: RunConfig
    nu: float
    history: list[dict] = field(default_factory=list)      # one row per snapshot
    final: Snapshot | None = None
    batch: int = 1                                         # trials trained together as one stacked network

    @classmethod
    def start(cls, trial: Trial, batch: int = 1) -> "Result":
        """The empty result of a trial about to train (`record` fills it)."""
        return cls(trial.case, trial.cfg, float("nan"), batch=batch)

    def row(self) -> dict:
        s = self.final
        row = {"case": self.case, "model": method_of(self.cfg), "act": self.cfg.act, "seed": self.cfg.seed,
               "status": s.status, "steps": s.step, "wall_s": s.wall, "ms_per_step": 1e3 * s.wall / max(s.step, 1),
               "rel_l2": s.rel_l2, "knob": self.nu}
        row.update({f"final_{k}": v for k, v in s.losses.items()})     # final loss terms, e.g. final_pde
        row.update({k: v for k, v in s.extra.items()})
        row.update({"batch": self.batch, "key": trial_key(self.cfg), "config": query_json(self.cfg)})
        return row

    def record(self, snap: Snapshot) -> None:
        """Fold in one snapshot: its history row (once per step) and the final snapshot."""
        self.nu = snap.knob
        if not self.history or self.history[-1]["step"] != snap.step:
            self.history.append({"step": snap.step, "wall": snap.wall, "rel_l2": snap.rel_l2, **snap.losses, **snap.extra})
        self.final = snap

    def to_json(self, trial: Trial) -> str:
        return json.dumps({"key": trial.key, "engine": engine_version(), "case": trial.case, "config": trial.cfg.to_query(),
                           "nu": self.nu, "batch": self.batch, "history": self.history, "final": self.final.to_dict()})

    @classmethod
    def from_json(cls, trial: Trial, text: str) -> "Result":
        """The result stored by `to_json`, relabelled with `trial`'s case."""
        data = json.loads(text)
        final = {k: np.asarray(v, dtype=float) if k in _ARRAYS else v for k, v in data["final"].items()}
        return cls(trial.case, trial.cfg, data["nu"], data["history"], Snapshot.from_fields(final), data.get("batch", 1))


class TrialCache:
    """Finished trials as files DIR/KEY.json. Written atomically (a temporary file renamed), so a sweep
    killed mid-write leaves either the whole file or none; a file from other code (its key differs)
    is simply never looked up."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def save(self, trial: Trial, result: Result) -> None:
        tmp = self.path(trial.key).with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(result.to_json(trial))
        os.replace(tmp, self.path(trial.key))

    def load(self, trial: Trial) -> Result | None:
        """The cached Result of `trial` (relabelled with its case), or None if not finished."""
        path = self.path(trial.key)
        if not path.exists():
            return None
        try:
            return Result.from_json(trial, path.read_text())
        except (OSError, ValueError):
            return None                  # unreadable (not ours, or damaged): run the trial again

    def count(self) -> int:
        return sum(1 for _ in self.folder.glob("*.json"))
