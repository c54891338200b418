"""Sweeps as data: trial keys, the trial cache and its reuse, knob grids and the best setting,
batched trials equal to unbatched ones (per supported model), and the sweep CLI. Ray: test_ray.py."""
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import interrupt_after_first_trial, interruptible

from repcore import RunConfig
from repcore.errors import UserError
from repcore.experiments import experiment, plan, stacked
from repcore.experiments.__main__ import main
from repcore.experiments.backends import Execution, run_job
from repcore.experiments.execute import Progress, run_trials
from repcore.experiments.experiment import Trial
from repcore.experiments.results import TrialCache
from repcore.methods import config
from repcore.experiments.sweep import (
    best_overrides,
    best_settings,
    parse_grid,
    settings,
)

ROOT = Path(__file__).resolve().parent.parent
TINY = RunConfig(width=8, depth=2, steps=20, every=10, points=64, grid=64, test_points=64, device="cpu")


def test_trial_key_is_stable_and_changes_with_any_setting_or_the_engine(monkeypatch):
    a = Trial("x", TINY)
    assert a.key == Trial("another label", RunConfig.from_query(TINY.to_query())[0]).key   # label is not the trial
    keys = {TINY.replace(**c) for c in ({}, {"seed": 1}, {"lr": 2e-3}, {"model": "vanilla"}, {"act": "relu"})}
    assert len({experiment.trial_key(c) for c in keys}) == 5
    before = a.key
    monkeypatch.setattr(experiment, "engine_version", lambda: "other-code")
    assert a.key != before


def test_cached_result_comes_back_equal(tmp_path):
    t = Trial("case", TINY)
    res = run_job([t])[0]
    cache = TrialCache(tmp_path)
    cache.save(t, res)
    back = cache.load(Trial("relabelled", TINY))
    assert back.case == "relabelled" and back.cfg == TINY and back.history == res.history
    assert {k: v for k, v in back.row().items() if k != "case"} == {k: v for k, v in res.row().items() if k != "case"}
    np.testing.assert_array_equal(back.final.pred, res.final.pred)
    assert cache.load(Trial("case", TINY.replace(seed=5))) is None
    cache.path(t.key).write_text("{not json")
    assert cache.load(t) is None                      # a damaged file means: run it again


def test_rerun_with_the_same_cache_trains_nothing_and_says_so(tmp_path, capsys, monkeypatch):
    todo = [Trial(f"s{s}", TINY.replace(seed=s, model=m)) for s in (0, 1) for m in ("vanilla", "repnet")]
    how = Execution(cache=tmp_path, batch="no")
    first = run_trials(todo, how)
    assert TrialCache(tmp_path).count() == 4 and "0 of 4 trials reused" in capsys.readouterr().err
    monkeypatch.setattr("repcore.experiments.backends.train", lambda cfg: pytest.fail("trained a cached trial"))
    again = run_trials(todo, how)
    assert "4 of 4 trials reused" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.DataFrame([r.row() for r in again]), pd.DataFrame([r.row() for r in first]))


def test_progress_says_done_total_elapsed_and_eta(capsys):
    p = Progress(total=4, reused=1)
    p.tick("a")
    err = capsys.readouterr().err
    assert "[2/4] a" in err and "elapsed 0:00" in err and "ETA 0:00" in err


def test_grid_parsing_checks_fields_models_and_values():
    grid = parse_grid(["lr=1e-3,3e-3", "repnet.slope_scale=10,20,20"], ["vanilla", "repnet"])
    assert grid == {"vanilla": {"lr": [1e-3, 3e-3]}, "repnet": {"lr": [1e-3, 3e-3], "slope_scale": [10.0, 20.0]}}
    assert len(settings(grid["repnet"])) == 4 and settings({}) == [{}]
    for bad, message in (("nope=1", "cannot sweep 'nope'"), ("seed=1,2", "cannot sweep 'seed'"),
                         ("siren.knob=3", "model 'siren' is not among"), ("lr=fast", "lr: 'fast' is not a number"),
                         ("width", "is not [MODEL.]FIELD=")):
        with pytest.raises(UserError, match=re.escape(message)):
            parse_grid([bad], ["vanilla", "repnet"])


def test_best_setting_is_the_lowest_mean_over_seeds_and_a_diverged_trial_counts_as_worst():
    runs = pd.DataFrame({"model": ["m"] * 6, "seed": [0, 1] * 3, "setting": ["a", "a", "b", "b", "c", "c"],
                         "rel_l2": [0.1, 0.5, 0.2, 0.3, 0.01, float("nan")]})
    best = best_settings(runs)
    assert list(best["setting"]) == ["b"] and best["rel_l2_mean"][0] == pytest.approx(0.25)
    assert best_overrides(best.assign(setting=["lr=0.003"]), {"m": {"lr": [1e-3, 3e-3]}}) == {"m": {"lr": 3e-3}}


def _pairs(method: str, act: str, dtype: str):
    base = config(TINY, method).replace(act=act, dtype=dtype, width=16, depth=3, steps=60, every=20, points=128)
    todo = [Trial("c", base.replace(seed=s, target=t)) for s in (0, 1) for t in ("multiscale", "sines")]
    return stacked.train_stack(todo), [run_job([t])[0] for t in todo]


@pytest.mark.parametrize("model", sorted(stacked.FIRST_LAYERS.names()))
@pytest.mark.parametrize("act, dtype, tol", [("tanh", "float32", 1e-5), ("relu", "float64", 1e-10), ("tanh", "float64", 1e-10)])
def test_batched_trials_equal_their_unbatched_runs(model, act, dtype, tol):
    """Every snapshot of each stacked trial matches its own run (ReLU only in float64: a float32
    rounding difference that moves a unit across its kink grows over training, as between any two
    float32 orders of summation)."""
    stacked, alone = _pairs(model, act, dtype)
    for b, u in zip(stacked, alone):
        assert b.batch == 4 and u.batch == 1 and b.final.status == u.final.status == "done"
        assert [h["step"] for h in b.history] == [h["step"] for h in u.history]
        for hb, hu in zip(b.history, u.history):
            assert hb["rel_l2"] == pytest.approx(hu["rel_l2"], rel=tol) and hb["mse"] == pytest.approx(hu["mse"], rel=10 * tol, abs=1e-12)
        np.testing.assert_allclose(b.final.pred, u.final.pred, rtol=0, atol=10 * tol)
        np.testing.assert_allclose(b.final.points, u.final.points, rtol=10 * tol)


def test_plan_stacks_only_trials_of_one_supported_shape():
    narrow = [Trial("c", TINY.replace(seed=s)) for s in range(5)]
    wide = [Trial("c", TINY.replace(seed=s, width=100)) for s in range(2)]
    other = [Trial("c", TINY.replace(seed=s, model="vanilla")) for s in range(2)]
    pinn = [Trial("c", TINY.replace(problem="poisson", seed=s)) for s in range(2)]
    jobs = plan.jobs(narrow + wide + other + pinn, "auto")
    assert sorted(len(j) for j in jobs) == [1, 1, 1, 1, 2, 5]          # wide and PINN alone on the CPU
    assert all(len(j) == 1 for j in plan.jobs(narrow, "no"))
    assert sorted(len(j) for j in plan.jobs(narrow + wide, "yes")) == [2, 5]
    many = [Trial("c", TINY.replace(seed=s)) for s in range(plan.MAX_K + 1)]
    assert sorted(len(j) for j in plan.jobs(many, "yes")) == [32, 33]


def test_sweep_cli_writes_one_row_per_trial_and_the_best_per_model_then_reuses_them(tmp_path, capsys):
    args = ["sweep", "fit1d/multiscale-tanh", "--quick", "--grid", "repnet.slope_scale=20,80", "--grid", "lr=1e-3,1e-2",
            "--set", "steps=20", "--seeds", "0,1", "--device", "cpu", "--out", str(tmp_path)]
    assert main(args) == 0
    out = tmp_path / "sweep" / "fit1d-multiscale-tanh"
    runs, best = pd.read_csv(out / "sweep.csv"), pd.read_csv(out / "best.csv")
    assert len(runs) == (2 + 4) * 2 and runs["key"].is_unique and set(runs["steps"]) == {20}
    assert {"lr", "slope_scale", "setting", "config", "batch"} <= set(runs.columns)
    assert list(best["model"]) == ["vanilla", "repnet"]
    for model, setting in zip(best["model"], best["setting"]):
        means = runs[runs["model"] == model].groupby("setting")["rel_l2"].mean()
        assert means[setting] == means.min()
    assert "**best**" in capsys.readouterr().out
    assert main(args) == 0 and "12 of 12 trials reused" in capsys.readouterr().err


def test_tune_sweeps_each_knob_on_the_first_seed_then_runs_the_best_on_every_seed(tmp_path, capsys):
    from repcore.methods import KNOBS
    args = ["tune", "fit1d/multiscale-tanh", "--quick", "--models", "vanilla,repnet-direct,siren", "--seeds", "0,1",
            "--device", "cpu", "--parallel", "no", "--out", str(tmp_path)]
    assert main(args) == 0
    out = tmp_path / "tune" / "fit1d-multiscale-tanh"
    first, runs = pd.read_csv(out / "sweep.csv"), pd.read_csv(out / "tune.csv")
    assert set(first["seed"]) == {0} and len(first) == 1 + 2 * len(KNOBS["siren"][1])
    assert (runs.groupby("model")["seed"].nunique() == 2).all() and len(runs) == 3 * 2
    for method in ("repnet-direct", "siren"):
        means = first[first["model"] == method].groupby("setting")["rel_l2"].mean()
        chosen = set(runs[runs["model"] == method]["setting"])
        assert chosen == {means.idxmin()}
        seed0 = runs[(runs["model"] == method) & (runs["seed"] == 0)]["rel_l2"].iloc[0]
        assert seed0 == means.min()                   # the first seed's best run, reused from the store
    assert len(list((out / "trials").glob("*.json"))) == len(first) + 3    # seed 1 of each method only
    table = (out / "tune.md").read_text()
    assert table.startswith("`python -m repcore.experiments tune fit1d/multiscale-tanh") and "| vanilla | (no knob) | default |" in table
    assert main([*args[:3], "--models", "nope", *args[5:]]) == 2 and "unknown method 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["sweep", "nope/case"], "unknown case 'nope/case'"),
    (["sweep", "fit1d/multiscale-tanh", "--grid", "width=0"], "width: 0 is outside"),
    (["sweep", "fit1d/multiscale-tanh", "--set", "bogus=1"], "unknown setting 'bogus'"),
    (["sweep", "fit1d/multiscale-tanh", "--metric", "speed"], "--metric: 'speed'"),
    (["run", "fit1d", "--backend", "slurm"], "unknown backend 'slurm'"),
    (["run", "fit1d", "--batch", "maybe"], "unknown batching 'maybe'"),
    (["run", "fit1d", "--gpus-per-trial", "-1"], "--gpus-per-trial: -1 is negative"),
])
def test_bad_sweep_input_exits_2_with_one_line(args, message, capsys, tmp_path):
    assert main([*args, "--quick", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_cases_lists_every_experiment_case_and_the_leaderboard(capsys):
    assert main(["cases", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "fit1d/multiscale-tanh " in out and "leaderboard/multiscale-1-d " in out and "pinn2d/" in out


@pytest.mark.slow
def test_local_sweep_interrupted_by_sigint_keeps_finished_trials_and_a_rerun_reuses_them(tmp_path):
    args = ["sweep", "fit1d/multiscale-tanh", "--quick", "--models", "repnet",
            "--grid", "slope_scale=10,20,40,80,160,320", "--set", "steps=400", "--seeds", "0", "--device", "cpu",
            "--batch", "no", "--parallel", "no", "--out", str(tmp_path)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    store = tmp_path / "sweep" / "fit1d-multiscale-tanh" / "trials"
    proc = interruptible("repcore.experiments", args, cwd=ROOT, env=env)
    err, kept = interrupt_after_first_trial(proc, store)
    assert proc.returncode == 2 and "interrupted" in err.splitlines()[-1] and 1 <= kept < 6, err
    again = subprocess.run([sys.executable, "-m", "repcore.experiments", *args], check=False, cwd=ROOT, capture_output=True,
                           text=True, env=env)
    assert again.returncode == 0 and f"{kept} of 6 trials reused" in again.stderr
    runs = pd.read_csv(store.parent / "sweep.csv")
    assert len(runs) == 6 and runs["key"].is_unique and runs["rel_l2"].map(math.isfinite).all()


def test_batched_benchmark_row_reports_both_rates_per_width_and_k(capsys):
    from repcore.bench.__main__ import main as bench
    assert bench(["--batched", "--quick", "--json"]) == 0
    out = __import__("json").loads(capsys.readouterr().out)
    assert [(r["width"], r["K"]) for r in out["batched"]] == [(32, 1), (32, 4), (32, 16)]
    for r in out["batched"]:
        assert r["unbatched_trials_per_s"] > 0 and r["batched_trials_per_s"] > 0
        assert r["speedup"] == pytest.approx(r["batched_trials_per_s"] / r["unbatched_trials_per_s"])
