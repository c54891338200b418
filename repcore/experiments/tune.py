"""Tuning (stage 6, sweeps): a fair tuning of one case. Every method's knob (methods.KNOBS) is swept on
the first seed, then each method's best setting is trained on every seed.

    python -m repcore.experiments tune pinn1d/poisson-1-d-u-sin-2-x-0-1-sin-50-x --models repnet,repnet-direct,msffn \
        --seeds 0,1,2 --out docs/results

Both steps are sweeps (sweep.py) sharing one trial cache, so the first seed's best run is reused, not
retrained. Writes DIR/tune/CASE/: sweep.csv and sweep.md (the first seed, every setting), tune.csv (the
best settings on every seed) and tune.md: per method the knob values tried, the best, and the error's
mean ± std (median) over the seeds at that setting. Choosing on seed 0 and reporting seeds 1, 2 as well
keeps most of the reported seeds out of the choice.

A tuned experiment (Experiment.tuned: the leaderboard) makes the same choice on its first case and seed
(`tuned`) and then runs every case with each method at its chosen knob.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ..config import RunConfig, format_value
from .backends import Execution
from .experiment import Experiment
from ..methods import KNOBS
from .report import cell
from .sweep import best_overrides, markdown as sweep_markdown, sweep


def grid(methods: Sequence[str]) -> dict[str, dict[str, list]]:
    """{method: {knob field: values}}; a method without a knob runs once, at its defaults (sweep checks the names)."""
    return {m: ({KNOBS[m][0]: list(KNOBS[m][1])} if m in KNOBS else {}) for m in methods}


def choose(base: RunConfig, methods: Sequence[str], seed: int, how: Execution, device: str = "auto",
           metric: str = "rel_l2") -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict]]:
    """Every method's knob grid on one seed: (the sweep's runs, its best settings, {method: the best
    setting as RunConfig changes}; {} for a method without a knob)."""
    g = grid(methods)
    first, best = sweep(base, g, [seed], how, device, metric)
    return first, best, best_overrides(best, g)


def tune(base: RunConfig, methods: Sequence[str], seeds: Sequence[int], how: Execution, device: str = "auto",
         metric: str = "rel_l2") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(first-seed sweep runs, its best settings, every seed's runs at each method's best setting)."""
    first, best, chosen = choose(base, methods, seeds[0], how, device, metric)
    runs, _ = sweep(base, {m: {k: [v] for k, v in chosen[m].items()} for m in methods}, seeds, how, device, metric)
    return first, best, runs


def tuned(exp: Experiment, quick: bool, seeds: Sequence[int], how: Execution, device: str, out: Path) -> Experiment:
    """`exp` with each method's knob chosen on its first case and first seed (`choose`) as that method's
    override for every case; the choice's sweep written to out/sweep.csv and sweep.md."""
    _, base = exp.cases(quick)[0]
    first, best, chosen = choose(base, exp.models, seeds[0], how, device)
    write_choice(first, best, out)
    return replace(exp, overrides={m: {**exp.overrides.get(m, {}), **chosen[m]} for m in exp.models})


def markdown(first: pd.DataFrame, runs: pd.DataFrame, metric: str = "rel_l2") -> str:
    lines = [f"| method | values tried (seed {first['seed'].iloc[0]}) | best | {metric} mean ± std (median) | seeds |",
             "|---|---|---|---|---|"]
    for method, g in runs.groupby("model", sort=False):
        field, values = KNOBS.get(method, ("", ()))
        tried = f"{field}: " + ", ".join(format_value(v) for v in values) if field else "(no knob)"
        e = g[metric]
        lines.append(f"| {method} | {tried} | {g['setting'].iloc[0]} | "
                     f"{cell(e.mean())} ± {cell(e.std(ddof=0))} ({cell(e.median())}) | {g['seed'].nunique()} |")
    return "\n".join(lines) + "\n"


def write_choice(first: pd.DataFrame, best: pd.DataFrame, out: Path, metric: str = "rel_l2") -> dict[str, Path]:
    """The first seed's sweep: out/sweep.csv (every setting) and sweep.md (the best marked)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"sweep": out / "sweep.csv", "sweep_md": out / "sweep.md"}
    first.to_csv(paths["sweep"], index=False)
    paths["sweep_md"].write_text(sweep_markdown(first, best, metric))
    return paths


def write(first: pd.DataFrame, best: pd.DataFrame, runs: pd.DataFrame, out: Path, command: str,
          metric: str = "rel_l2") -> dict[str, Path]:
    paths = {**write_choice(first, best, out, metric), "runs": out / "tune.csv", "md": out / "tune.md"}
    runs.to_csv(paths["runs"], index=False)
    paths["md"].write_text(f"`{command}`\n\n" + markdown(first, runs, metric))
    return paths
