"""Tables and figures of one run of an experiment (stage 4, results): runs.csv (one row per run, with its provenance: see
store.py), history.csv (one row per snapshot), table.csv / table.md (mean +- std over seeds per case
and model), figures.png. Written with `--out docs/results`, runs.csv and history.csv are the stored
results the docs' tables are generated from (publish.py).

Figures are static PNGs drawn with matplotlib's Agg backend (a dependency of ObsPy, which the
earthquake experiment needs anyway): the engine stays free of the dashboard's plotly.
"""
from __future__ import annotations

import datetime
import math
from pathlib import Path

import pandas as pd

from ..palette import color
from ..version import behaviour_version, engine_version
from ..methods import method_of
from .experiment import Experiment
from .results import Result
from .store import config_json, device_name, read_csv


def runs_frame(results: list[Result], command: str = "", quick: bool = False) -> pd.DataFrame:
    """One row per run: Result.row() plus the provenance a stored row keeps (store.PROVENANCE)."""
    made = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    return pd.DataFrame([{**r.row(), "config": config_json(r.cfg), "engine_version": engine_version(),
                          "behaviour_version": behaviour_version(r.cfg.problem), "device": device_name(r.final.device), "command": command, "made": made, "quick": quick} for r in results])


def history_frame(results: list[Result]) -> pd.DataFrame:
    rows = [{"case": r.case, "model": m, "seed": r.cfg.seed, **h} for r in results for m in [method_of(r.cfg)] for h in r.history]
    return pd.DataFrame(rows)


def summary(exp: Experiment, runs: pd.DataFrame) -> pd.DataFrame:
    """Per case and model: mean, std and median of each error column over seeds, time per step."""
    out = []
    for (case, model), g in runs.groupby(["case", "model"], sort=False):
        row = {"case": case, "model": model, "seeds": len(g), "diverged": int((g["status"] == "diverged").sum())}
        for col in exp.errors:
            row[f"{col}_mean"], row[f"{col}_std"], row[f"{col}_median"] = g[col].mean(), g[col].std(ddof=0), g[col].median()
        row["ms_per_step"] = g["ms_per_step"].mean()
        out.append(row)
    table = pd.DataFrame(out)
    first = exp.errors[0]
    base = table[table["model"] == exp.models[0]].set_index("case")[f"{first}_median"]
    table[f"{first}_median_vs_{exp.models[0]}"] = [m / base[c] if base.get(c, 0) else float("nan")
                                                   for c, m in zip(table["case"], table[f"{first}_median"])]
    return table


def cell(x: float) -> str:
    """A number as a results-table cell: three decimals, or three significant digits outside [0.01, 1000)."""
    return "nan" if not math.isfinite(x) else f"{x:.2e}" if abs(x) < 1e-2 or abs(x) >= 1e3 else f"{x:.3f}"


def _ratio(x: float) -> str:
    """Two decimals, or two significant digits below 0.01 (a ratio of 0.004 must not read 0.00)."""
    return f"{x:.2f}" if not math.isfinite(x) or abs(x) >= 0.01 else f"{x:.1e}"


def markdown(exp: Experiment, table: pd.DataFrame) -> str:
    """A GitHub table: error mean +- std (median), ratio of medians to the first model, ms per step."""
    first, ref = exp.errors[0], exp.models[0]
    head = ["case", "model"] + [f"{c} mean ± std (median)" for c in exp.errors] + [f"median / {ref}", "ms/step", "seeds"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in table.iterrows():
        errs = [f"{cell(r[f'{c}_mean'])} ± {cell(r[f'{c}_std'])} ({cell(r[f'{c}_median'])})" for c in exp.errors]
        seeds = f"{r['seeds']}" + (f" ({r['diverged']} diverged)" if r["diverged"] else "")
        lines.append("| " + " | ".join([r["case"], r["model"], *errs, _ratio(r[f'{first}_median_vs_{ref}']),
                                        f"{r['ms_per_step']:.2f}", seeds]) + " |")
    return "\n".join(lines) + "\n"


def figures(exp: Experiment, results: list[Result], path: Path) -> Path:
    """Per case: prediction vs exact along x1 (first seed), and rel. L2 over training (mean over seeds)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = list(dict.fromkeys(r.case for r in results))
    fig, axes = plt.subplots(len(cases), 2, figsize=(11, 2.4 * len(cases)), squeeze=False)
    colors = {m: color(m) for m in exp.models}
    for ax_pred, ax_err, case in zip(axes[:, 0], axes[:, 1], cases):
        mine = [r for r in results if r.case == case]
        seed0 = min(r.cfg.seed for r in mine)
        first = next(r for r in mine if r.cfg.seed == seed0)
        ax_pred.plot(first.final.x, first.final.true, color="black", lw=1.6, label="exact")
        for r in mine:
            m = method_of(r.cfg)
            if r.cfg.seed == seed0:
                ax_pred.plot(r.final.x, r.final.pred, color=colors[m], lw=1, label=m)
            steps = [h["step"] for h in r.history]
            ax_err.semilogy(steps, [h["rel_l2"] for h in r.history], color=colors[m], lw=1, alpha=0.7)
        ax_pred.set_title(f"{case}: prediction (seed {seed0})", fontsize=9)
        ax_err.set_title(f"{case}: rel. L2 error vs step (each seed)", fontsize=9)
        ax_pred.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _merged(path: Path, new: pd.DataFrame, only: list[str], exp: Experiment) -> pd.DataFrame:
    """The rows stored at `path` of the methods not in `only`, with `new` (those methods' rows), in table order:
    case, seed, then the experiment's method order."""
    old = read_csv(path) if path.exists() else new.iloc[:0]
    both = pd.concat([old[~old["model"].isin(only)], new], ignore_index=True)
    cases = {c: i for i, c in enumerate(dict.fromkeys(both["case"]))}
    rank = {m: i for i, m in enumerate(exp.models)}
    order = sorted(range(len(both)), key=lambda i: (cases[both["case"][i]], both["seed"][i], rank.get(both["model"][i], len(rank))))
    return both.iloc[order].reset_index(drop=True)


def write(exp: Experiment, results: list[Result], out: Path, *, command: str, quick: bool,
          only: list[str] | None = None) -> dict[str, Path]:
    """`command` (the command line that made the results) and `quick` (--quick sizes) are stored in
    every row: required, so that no caller stores results without saying how they were made. `only`:
    the results are these methods', replacing their rows in the stored runs.csv and history.csv (others kept)."""
    out.mkdir(parents=True, exist_ok=True)
    runs, history = runs_frame(results, command, quick), history_frame(results)
    paths = {"runs": out / "runs.csv", "history": out / "history.csv", "table_csv": out / "table.csv",
             "table_md": out / "table.md", "figures": out / "figures.png"}
    if only:
        runs, history = _merged(paths["runs"], runs, only, exp), _merged(paths["history"], history, only, exp)
    table = summary(exp, runs)
    runs.to_csv(paths["runs"], index=False)
    history.to_csv(paths["history"], index=False)
    table.to_csv(paths["table_csv"], index=False)
    paths["table_md"].write_text(markdown(exp, table))
    figures(exp, results, paths["figures"])
    return paths
