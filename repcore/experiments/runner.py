"""Experiments: named lists of cases, each trained for every model and seed through the one training
loop, summarised as tables (report.py).

An Experiment says which cases (a label and a RunConfig) to run at full and at --quick size; `trials`
expands it into trials (case x seed x model; models share the seed, data and body, see models.py),
which execute.py runs. Each Result keeps the run's history (step, rel. L2, losses, problem extras) and
its final snapshot; Result.row() is the one source of a trial's table row (runs.csv).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..config import RunConfig
from ..registry import Registry
from ..snapshot import Snapshot
from .methods import config, method_of
from .trials import Trial, config_json, trial_key


@dataclass(frozen=True)
class Experiment:
    title: str
    cases: Callable[[bool], list[tuple[str, RunConfig]]]   # quick -> [(case label, config)]
    models: tuple[str, ...] = ("vanilla", "repnet")        # methods (methods.py): a model and its options
    errors: tuple[str, ...] = ("rel_l2",)                   # columns summarised as mean +- std
    note: str = ""                                         # what the reader should know about the setup
    overrides: dict = field(default_factory=dict)          # method -> RunConfig changes for that method only


@dataclass
class Result:
    case: str
    cfg: RunConfig
    nu: float
    history: list[dict] = field(default_factory=list)      # one row per snapshot
    final: Snapshot | None = None
    batch: int = 1                                         # trials trained together as one stacked network

    def row(self) -> dict:
        s = self.final
        row = {"case": self.case, "model": method_of(self.cfg), "act": self.cfg.act, "seed": self.cfg.seed,
               "status": s.status, "steps": s.step, "wall_s": s.wall, "ms_per_step": 1e3 * s.wall / max(s.step, 1),
               "rel_l2": s.rel_l2, "knob": self.nu}
        row.update({f"final_{k}": v for k, v in s.losses.items()})     # final loss terms, e.g. final_pde
        row.update({k: v for k, v in s.extra.items()})
        row.update({"batch": self.batch, "key": trial_key(self.cfg), "config": config_json(self.cfg)})
        return row

    def record(self, snap: Snapshot) -> None:
        """Fold in one snapshot: its history row (once per step) and the final snapshot."""
        self.nu = snap.knob
        if not self.history or self.history[-1]["step"] != snap.step:
            self.history.append({"step": snap.step, "wall": snap.wall, "rel_l2": snap.rel_l2, **snap.losses, **snap.extra})
        self.final = snap


EXPERIMENTS: Registry[Experiment] = Registry("experiment")


def trials(exp: Experiment, quick: bool, seeds: Sequence[int], device: str = "auto") -> list[Trial]:
    """Every case x seed x method, in table order."""
    return [Trial(case, config(base, m).replace(seed=seed, device=device, **exp.overrides.get(m, {})))
            for case, base in exp.cases(quick) for seed in seeds for m in exp.models]
