"""Every experiment at --quick size through its CLI: tables, finite errors, figures; bad input."""
import math
import sys

import pandas as pd
import pytest

from repcore.experiments import EXPERIMENTS
from repcore.experiments.__main__ import main
from repcore.problems.pinn import PoissonProblem
from repcore import RunConfig


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPERIMENTS.names())
def test_each_experiment_runs_quick_and_writes_its_outputs(name, tmp_path, capsys):
    assert main(["run", name, "--quick", "--seeds", "0,1", "--device", "cpu", "--out", str(tmp_path)]) == 0
    out = tmp_path / name
    table = pd.read_csv(out / "table.csv")
    exp = EXPERIMENTS.get(name)
    cases = {c for c, _ in exp.cases(True)}
    assert set(table["case"]) == cases and set(table["model"]) == set(exp.models)
    for col in exp.errors:
        assert {f"{col}_mean", f"{col}_std", f"{col}_median"} <= set(table.columns)
        assert table[f"{col}_mean"].map(math.isfinite).all()
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == len(cases) * len(exp.models) * 2 and (runs["steps"] > 0).all()
    assert (out / "figures.png").stat().st_size > 10_000 and (out / "history.csv").exists()
    assert "| case | model |" in (out / "table.md").read_text() and "| case | model |" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["run", "nope"], "unknown experiment 'nope'; choose one of: fit1d"),
    (["run", "fit1d", "--seeds", "0,-2"], "seed: -2 is outside"),
    (["run", "fit1d", "--device", "tpu"], "unknown device 'tpu'"),
    (["run", "pinn2d", "--models", "vanilla,siren"], "--models: pinn2d runs vanilla, repnet"),
    (["bogus"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_run_models_replaces_only_those_methods_rows(tmp_path, capsys):
    """`run NAME --models M`: M's rows are retrained and replace M's stored rows; the others stay as stored."""
    base = ["run", "image2d", "--quick", "--seeds", "0", "--device", "cpu", "--parallel", "no", "--out", str(tmp_path)]
    assert main(base) == 0
    before = pd.read_csv(tmp_path / "image2d" / "runs.csv")
    history = pd.read_csv(tmp_path / "image2d" / "history.csv")
    assert main([*base, "--models", "siren,repnet"]) == 0
    after = pd.read_csv(tmp_path / "image2d" / "runs.csv")
    assert list(after["model"]) == list(before["model"]) and list(after["case"]) == list(before["case"])
    mine = after["model"].isin(["siren", "repnet"])
    assert after[mine]["command"].str.endswith("--models siren,repnet").all() and not after[~mine]["command"].str.contains("--models").any()
    pd.testing.assert_frame_equal(after[~mine].drop(columns=["made"]), before[~mine].drop(columns=["made"]))
    assert (after[mine]["rel_l2"].to_numpy() == before[mine]["rel_l2"].to_numpy()).all()      # same seed, same numbers
    again = pd.read_csv(tmp_path / "image2d" / "history.csv")
    assert len(again) == len(history) and list(again["model"]) == list(history["model"])


def test_missing_obspy_is_a_clear_error(monkeypatch, capsys):
    from repcore.cli import main as cli
    monkeypatch.setitem(sys.modules, "obspy", None)          # as if ObsPy were not installed
    assert cli(["fit", "--problem", "earthquake", "--steps", "1", "--width", "8"]) == 2
    assert "ObsPy is not installed" in capsys.readouterr().err


def test_exact_solution_gives_zero_pde_residual():
    """The oracle behind the PINN losses: u_exact itself has (numerically) zero residual."""
    prob = PoissonProblem(RunConfig(problem="poisson", target="multiscale", points=200, dtype="float64"), "cpu",
                          __import__("torch").float64)
    exact = lambda x: prob.target(x)[:, None]                 # noqa: E731  the network replaced by u_exact
    assert float(prob.residual(exact).detach().abs().max()) < 1e-9 * float(prob.f.abs().max())
    wrong = lambda x: 1.01 * prob.target(x)[:, None]          # noqa: E731
    assert float(prob.residual(wrong).detach().abs().max()) > 1e-3 * float(prob.f.abs().max())


def test_exact_solution_gives_zero_residual_in_2d_and_for_the_inverse_problem():
    import torch
    from repcore.problems.pinn import K_TRUE, InverseProblem
    p2 = PoissonProblem(RunConfig(problem="poisson", target="multiscale2d", points=200, dtype="float64"), "cpu", torch.float64)
    assert float(p2.residual(lambda x: p2.target(x)[:, None]).detach().abs().max()) < 1e-8 * float(p2.f.abs().max())
    inv = InverseProblem(RunConfig(problem="inverse", target="multiscale", points=200, dtype="float64"), "cpu", torch.float64)
    with torch.no_grad():
        inv.k.fill_(K_TRUE)
    assert float(inv.residual(lambda x: inv.target(x)[:, None]).detach().abs().max()) < 1e-9 * float(inv.f.abs().max())


@pytest.mark.slow
def test_leaderboard_quick_sweeps_knobs_and_ranks_every_method(tmp_path, capsys):
    """The leaderboard is a registered, tuned experiment: each method's knob swept on its first case and
    seed (a method without a knob runs once there), then every case at the best knobs."""
    from repcore.methods import KNOBS
    lb = EXPERIMENTS.get("leaderboard")
    assert lb.tuned
    assert main(["run", "leaderboard", "--quick", "--seeds", "0", "--parallel", "no", "--out", str(tmp_path)]) == 0
    out = tmp_path / "leaderboard"
    sweep = pd.read_csv(out / "sweep.csv")
    assert len(sweep) == sum(len(KNOBS[m][1]) if m in KNOBS else 1 for m in lb.models)
    table = pd.read_csv(out / "table.csv")
    assert set(table["model"]) == set(lb.models) and table["rel_l2_mean"].map(math.isfinite).all()
    assert (out / "sweep.md").read_text().count("**best**") == len(lb.models)
    runs = pd.read_csv(out / "runs.csv")
    first = runs[runs["case"] == "multiscale 1-D"].set_index("model")["rel_l2"]
    chosen = sweep[sweep["model"].isin(KNOBS)].groupby("model")["rel_l2"].min()
    assert (first[chosen.index] == chosen).all()        # the first case's seed-0 runs are the sweep's best (reused)
