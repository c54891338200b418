"""Methods (repcore/methods.py): a RepNet variant is a named method with its options, in every
table, sweep and trial; the methods x benchmarks table picks the best of each column."""
from pathlib import Path

import pandas as pd
import pytest

from repcore import RunConfig
from repcore.experiments import publish, stacked
from repcore.methods import EVERY, EVERY_1D, config, method_of
from repcore.experiments.experiment import Experiment
from repcore.experiments.plan import trials
from repcore.experiments.store import Stored
from repcore.experiments.sweep import parse_grid
from repcore.version import behaviour_version


@pytest.mark.parametrize("name", EVERY)
def test_every_method_names_itself_back(name):
    cfg = config(RunConfig(seed=3, steps=7), name)
    assert method_of(cfg) == name
    assert (cfg.seed, cfg.steps) == (3, 7)                  # only the method's own options change


def test_a_combination_nobody_registered_is_named_by_its_options():
    cfg = RunConfig(model="repnet", slope_param="reparam", slope_law="log-uniform")
    assert method_of(cfg) == "repnet+log-uniform+reparam"
    assert method_of(RunConfig(model="siren", slope_param="reparam")) == "siren+reparam"


def test_experiment_trials_carry_each_variants_options():
    exp = Experiment("every method", lambda quick: [("c", RunConfig(target="multiscale4d"))], models=EVERY)
    cfgs = {method_of(t.cfg): t.cfg for t in trials(exp, True, [0], "cpu")}
    assert list(cfgs) == list(EVERY)
    assert cfgs["repnet-reparam"].slope_param == "reparam" and cfgs["repnet-direct"].slope_param == "direct"
    assert cfgs["repnet-multiscale"].slope_law == "log-uniform" and cfgs["repnet-per-dim"].slope_rule == "pi-k-per-dim"
    assert cfgs["repnet"].slope_param == "factorized" and cfgs["msffn"].model == "msffn"
    for name in ("repnet-multiscale", "repnet-estimate", "repnet-per-dim"):      # variants of the default layer
        assert cfgs[name].slope_param == "factorized"
    assert "repnet-per-dim" not in EVERY_1D


def test_variants_whose_parameters_differ_are_never_stacked_together():
    tiny = RunConfig(model="repnet", width=16, depth=2)
    shapes = {name: stacked.stack_key(config(tiny, name)) for name in ("repnet", "repnet-direct", "repnet-reparam")}
    assert None not in (shapes["repnet"], shapes["repnet-direct"]) and shapes["repnet"] != shapes["repnet-direct"]
    assert shapes["repnet-reparam"] is None


def test_a_sweep_grid_takes_method_names():
    grid = parse_grid(["repnet-direct.slope_scale=40,80", "lr=1e-3"], ["repnet-direct", "msffn"])
    assert grid == {"repnet-direct": {"slope_scale": [40.0, 80.0], "lr": [1e-3]}, "msffn": {"lr": [1e-3]}}


def _stored(name, medians, quick=False):
    """A made-up stored experiment: one case, three seeds around each method's median, current engine."""
    rows = [{"case": "c", "model": m, "seed": s, "rel_l2": v * (1 + 0.1 * (s - 1)), "quick": quick,
             "behaviour_version": behaviour_version("fit"), "config": "{}"} for m, v in medians.items() for s in range(3)]
    return Stored(name, Path("."), pd.DataFrame(rows), None)


def test_the_methods_table_bolds_each_columns_best_and_gives_repnets_ratio():
    stored = {"fit4d": _stored("fit4d", {"vanilla": 0.1, "repnet": 0.02, "repnet-direct": 0.01, "siren": 0.004}),
              "pinn1d": _stored("pinn1d", {"vanilla": 2.0, "repnet": 1.0, "msffn": 0.005}),
              "inverse1d": _stored("inverse1d", {"vanilla": 0.5, "repnet": 0.4}, quick=True)}   # a smoke test: left out
    text = publish.methods_block(stored)
    head, _, *rows = text.splitlines()[:-2]
    assert head == "| method | 4-D fit | PINN 1-D |"
    cells = {r.split(" | ")[0].strip("| "): r.split(" | ")[1:] for r in rows}
    assert cells["siren"][0] == "**4.00e-03**" and cells["msffn"][1].startswith("**5.00e-03**")
    assert cells["repnet-direct"][0] == "0.010" and cells["repnet-direct"][1].strip(" |") == ""
    assert cells["best RepNet / best method"] == ["repnet-direct: 2.50", "repnet: 200.00 |"]
    assert list(cells)[:3] == ["vanilla", "repnet", "repnet-direct"]     # methods in registry order


def test_the_tuned_block_is_each_stored_tuning_as_its_command_wrote_it(tmp_path):
    assert "No tuning stored yet" in publish.tuned_block(tmp_path)
    for case, text in (("b-case", "`cmd b`\n\n| t |\n"), ("a-case", "`cmd a`\n\n| t |\n")):
        (tmp_path / "tune" / case).mkdir(parents=True)
        (tmp_path / "tune" / case / "tune.md").write_text(text)
    assert publish.tuned_block(tmp_path) == "**a-case**\n\n`cmd a`\n\n| t |\n\n**b-case**\n\n`cmd b`\n\n| t |\n"
