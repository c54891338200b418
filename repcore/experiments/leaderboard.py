"""Every method on the same data, budget and seeds (issue: peers compared fairly).

Protocol: equal parameter count (within 2%, tests/test_peers.py), equal steps, data, optimizer (Adam,
lr 1e-3), width 100 x 3 hidden layers, tanh wherever the method does not fix its own activation.
1. Sweep each method's frequency knob (SWEEPS) on the classic 1-D multiscale target, seed 0 only
   (sweep.py: the same trials, store and backends as any sweep).
2. With each method's best knob, train every method on each BENCHMARKS case over the seeds.
`python -m repcore.experiments leaderboard [--quick] [--seeds 0,1,2] [--out DIR] [--backend ...]` writes
DIR/leaderboard/{sweep.md, sweep.csv, table.md, table.csv, runs.csv} and trials/ (rerun: reused).
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ..config import RunConfig
from .backends import Execution
from .execute import run
from .methods import EVERY, KNOBS
from .report import markdown, runs_frame, summary
from .runner import Experiment
from .sweep import best_overrides, sweep
from .sweep import markdown as sweep_markdown

METHODS = EVERY                 # every method of methods.py: RepNet's variants and the peers, msffn included
SWEEPS = KNOBS                  # each method's knob grid (methods.py)
BASE = RunConfig(act="tanh", steps=3000, every=500)
BENCHMARKS = (("multiscale 1-D", BASE.replace(target="multiscale")),
              ("sines 1-D", BASE.replace(target="sines")),
              ("multiscale 4-D", BASE.replace(target="multiscale4d", points=4000, steps=2000, test_points=4096)),
              ("PINN Poisson 1-D", BASE.replace(problem="poisson", target="multiscale")))
QUICK = {"width": 16, "depth": 2, "steps": 20, "every": 10, "points": 100, "grid": 64, "test_points": 256}


def benchmark_cases(quick: bool) -> list[tuple[str, RunConfig]]:
    return [(name, cfg.replace(**QUICK) if quick else cfg) for name, cfg in BENCHMARKS]


def tune(quick: bool, how: Execution, device: str = "auto") -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Step 1: each method's knob grid on the 1-D multiscale target, seed 0 (sweep.py). Returns the
    sweep's runs, its best settings and the overrides {method: {field: best value}}."""
    grid = {m: {name: list(values)} for m, (name, values) in SWEEPS.items()}
    base = BASE.replace(target="multiscale", **(QUICK if quick else {}))
    runs, best = sweep(base, grid, [0], how, device)
    return runs, best, best_overrides(best, grid)


def main(quick: bool, seeds: list[int], out: Path, how: Execution | None = None, device: str = "auto") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    how = how or Execution()
    how = replace(how, store=how.store or out / "trials")
    sweeps, best, overrides = tune(quick, how, device)
    sweeps.to_csv(out / "sweep.csv", index=False)
    (out / "sweep.md").write_text(sweep_markdown(sweeps, best))
    cases = benchmark_cases(quick)
    exp = Experiment("leaderboard", lambda q: cases, models=METHODS, overrides=overrides)
    results = run(exp, quick, seeds, device, how=how)
    runs = runs_frame(results)
    table = summary(exp, runs)
    runs.to_csv(out / "runs.csv", index=False)
    table.to_csv(out / "table.csv", index=False)
    (out / "table.md").write_text(markdown(exp, table))
    print((out / "sweep.md").read_text() + "\n" + (out / "table.md").read_text())
    print(f"best knobs: {overrides}", file=sys.stderr)
    return out
