"""Experiments: named lists of cases, each trained for every model and seed through the one training
loop (train.lockstep), summarised as tables (report.py).

An Experiment says which cases (a label and a RunConfig) to run at full and at --quick size; the
runner builds the runs (models share the seed, data and body, see models.py), steps them in lockstep
and keeps each run's history (step, rel. L2, losses, problem extras) and its final snapshot.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..config import RunConfig
from ..registry import Registry
from ..snapshot import Snapshot
from ..workers import side_by_side


@dataclass(frozen=True)
class Experiment:
    title: str
    cases: Callable[[bool], list[tuple[str, RunConfig]]]   # quick -> [(case label, config)]
    models: tuple[str, ...] = ("vanilla", "repnet")
    errors: tuple[str, ...] = ("rel_l2",)                   # columns summarised as mean +- std
    note: str = ""                                         # what the reader should know about the setup
    overrides: dict = field(default_factory=dict)          # model -> RunConfig changes for that model only


@dataclass
class Result:
    case: str
    cfg: RunConfig
    nu: float
    history: list[dict] = field(default_factory=list)      # one row per snapshot
    final: Snapshot | None = None

    def row(self) -> dict:
        s = self.final
        row = {"case": self.case, "model": self.cfg.model, "act": self.cfg.act, "seed": self.cfg.seed,
               "status": s.status, "steps": s.step, "wall_s": s.wall, "ms_per_step": 1e3 * s.wall / max(s.step, 1),
               "rel_l2": s.rel_l2, "knob": self.nu}
        row.update({f"final_{k}": v for k, v in s.losses.items()})     # final loss terms, e.g. final_pde
        row.update({k: v for k, v in s.extra.items()})
        return row


EXPERIMENTS: Registry[Experiment] = Registry("experiment")


def run(exp: Experiment, quick: bool, seeds: Sequence[int], device: str = "auto", progress: bool = True,
        parallel: str = "auto") -> list[Result]:
    """Every case x seed, the models side by side (one process per model when `parallel` says so;
    the results are identical either way)."""
    cases = exp.cases(quick)
    results: list[Result] = []
    for i, (case, base) in enumerate(cases):
        for seed in seeds:
            start = time.perf_counter()
            cfgs = [base.replace(model=m, seed=seed, device=device, **exp.overrides.get(m, {})) for m in exp.models]
            stream = side_by_side(cfgs, parallel)
            group = [Result(case, c, float("nan")) for c in cfgs]
            for snaps in stream:
                for res, s in zip(group, snaps):
                    res.nu = s.knob
                    if not res.history or res.history[-1]["step"] != s.step:
                        res.history.append({"step": s.step, "wall": s.wall, "rel_l2": s.rel_l2, **s.losses, **s.extra})
                    res.final = s
            results += group
            if progress:
                errs = "  ".join(f"{r.cfg.model} {r.final.rel_l2:.3g}" for r in group)
                print(f"  [{i + 1}/{len(cases)}] {case} seed {seed}: {errs}  ({time.perf_counter() - start:.1f} s)",
                      file=sys.stderr, flush=True)
    return results
