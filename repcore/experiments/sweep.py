"""Sweeps (stage 6): any RunConfig field(s) over a grid, for a named case, per model and seed.

    python -m repcore.experiments sweep fit1d/multiscale-tanh --grid repnet.slope_scale=39.3,78.5,157 \
        --grid lr=1e-3,3e-3 --models vanilla,repnet --seeds 0,1 [--set steps=3000] [--out DIR]

A grid entry `FIELD=V1,V2,...` applies to every model, `MODEL.FIELD=...` to that model only; a model's
settings are the product of its grids. Each setting x seed is one trial (experiment.Trial), so a sweep runs on
any backend, resumes from its --out, and batches trials of one shape. Writes DIR/sweep.csv (tidy: one
row per trial, a column per swept field), best.csv (per model the setting with the lowest mean error
over seeds) and best.md. Tuning (tune.py) is two sweeps.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

import pandas as pd

from ..config import ConfigError, RunConfig, format_value, parse_value
from .backends import Execution
from .execute import run_trials
from .experiment import Trial
from ..methods import METHODS, config

Grid = dict[str, dict[str, list]]            # model -> field -> values
_FIELDS = {f.name for f in fields(RunConfig)}
_FIXED = {"model", "seed", "device"}         # set by the sweep itself
METRICS = ("rel_l2", "final_mse", "final_pde", "k_rel_error", "wall_s")   # lower is better


def parse_grid(specs: Sequence[str], models: Sequence[str]) -> Grid:
    """['[MODEL.]FIELD=V1,V2', ...] -> {model: {field: [values]}}; every value checked like a URL's."""
    grid: Grid = {m: {} for m in models}
    for spec in specs:
        head, eq, raw = spec.partition("=")
        model, _, name = head.rpartition(".")
        if not eq or not raw.strip():
            raise ConfigError(f"--grid: {spec!r} is not [MODEL.]FIELD=V1,V2,...")
        if name not in _FIELDS or name in _FIXED:
            raise ConfigError(f"--grid: cannot sweep {name!r}; choose a RunConfig field other than {', '.join(sorted(_FIXED))}")
        if model and model not in models:
            raise ConfigError(f"--grid: model {model!r} is not among --models ({', '.join(models)})")
        values = list(dict.fromkeys(parse_value(name, v) for v in raw.split(",")))
        for m in [model] if model else models:
            grid[m][name] = values
    return grid


def check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ConfigError(f"--metric: {metric!r} is not one of {', '.join(METRICS)}")


def settings(grid: dict[str, list]) -> list[dict]:
    """The product of one model's grids: [{field: value, ...}, ...] ([{}] when nothing is swept)."""
    names = list(grid)
    return [dict(zip(names, combo)) for combo in itertools.product(*(grid[n] for n in names))]


def label(setting: dict) -> str:
    return " ".join(f"{k}={format_value(v)}" for k, v in setting.items()) or "default"


def sweep(base: RunConfig, grid: Grid, seeds: Sequence[int], how: Execution, device: str = "auto",
          metric: str = "rel_l2") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every model x setting x seed from `base`. Returns (runs: one row per trial with a column per
    swept field and `setting`, best: per model the setting with the lowest mean `metric` over seeds;
    a diverged trial (NaN) counts as worst)."""
    for m in grid:
        METHODS.get(m)
    check_metric(metric)
    todo, tags = [], []
    for method, fields_ in grid.items():
        for s in settings(fields_):
            for seed in seeds:
                todo.append(Trial(label(s), config(base, method).replace(seed=seed, device=device, **s)))
                tags.append((method, s))
    results = run_trials(todo, how)
    runs = pd.DataFrame([{**r.row(), "model": m, "setting": r.case, **{k: format_value(v) for k, v in s.items()}}
                         for r, (m, s) in zip(results, tags)])
    return runs, best_settings(runs, metric)


def best_settings(runs: pd.DataFrame, metric: str = "rel_l2") -> pd.DataFrame:
    score = runs.assign(_score=runs[metric].map(lambda v: v if math.isfinite(v) else math.inf))
    means = score.groupby(["model", "setting"], sort=False).agg(mean=("_score", "mean"), median=(metric, "median"),
                                                                seeds=("seed", "nunique")).reset_index()
    best = means.loc[means.groupby("model", sort=False)["mean"].idxmin()]
    return best.rename(columns={"mean": f"{metric}_mean", "median": f"{metric}_median"}).reset_index(drop=True)


def markdown(runs: pd.DataFrame, best: pd.DataFrame, metric: str = "rel_l2") -> str:
    """Per model and setting: mean error over seeds, the best marked."""
    winners = set(zip(best["model"], best["setting"]))
    lines = [f"| model | setting | {metric} mean over seeds | seeds | best |", "|---|---|---|---|---|"]
    for (model, setting), g in runs.groupby(["model", "setting"], sort=False):
        mark = "**best**" if (model, setting) in winners else ""
        lines.append(f"| {model} | {setting} | {g[metric].mean():.3g} | {g['seed'].nunique()} | {mark} |")
    return "\n".join(lines) + "\n"


def write(runs: pd.DataFrame, best: pd.DataFrame, out: Path, metric: str = "rel_l2") -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"runs": out / "sweep.csv", "best": out / "best.csv", "best_md": out / "best.md"}
    runs.to_csv(paths["runs"], index=False)
    best.to_csv(paths["best"], index=False)
    paths["best_md"].write_text(markdown(runs, best, metric))
    return paths


def best_overrides(best: pd.DataFrame, grid: Grid) -> dict[str, dict]:
    """{model: the best setting as RunConfig changes}, from best_settings' labels."""
    out = {}
    for model, setting in zip(best["model"], best["setting"]):
        out[model] = next(s for s in settings(grid[model]) if label(s) == setting)
    return out
