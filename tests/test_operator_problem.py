"""The operator problem in the engine: `fit --problem operator --data PATH` for every operator model, the
author's split and metric as the training loop sees them, the one-line errors, and the `operator`
experiment. The synthetic records need no file; the shared file's tests skip with a reason without it."""
import json
import os

import numpy as np
import pytest
import torch

from helpers import EARTHQUAKE, needs_earthquake
from repcore import RunConfig, Run
from repcore.cli import main as cli
from repcore.experiments.__main__ import main as experiments
from repcore.operators import data
from repcore.problems.operator import OperatorNet, RecordsProblem

OPERATOR_MODELS = ("fno", "repnet", "vanilla", "fir")


def fit(capsys, *args) -> dict:
    assert cli(["fit", "--problem", "operator", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("model", OPERATOR_MODELS)
def test_every_operator_model_trains_on_synthetic_records_and_lowers_its_error(model, capsys):
    first = fit(capsys, "--data", "synthetic", "--model", model, "--steps", "0")
    last = fit(capsys, "--data", "synthetic", "--model", model, "--steps", "30", "--width", "16", "--depth", "2")
    assert last["status"] == "done" and last["extra"] == {"train_records": 10.0, "test_records": 10.0}
    assert 0 < last["rel_l2"] < first["rel_l2"], model


def test_the_loop_sees_the_authors_split_and_metric():
    """evaluate() = the mean over held-out records of each record's relative L2 (a hand computation), its
    line = the first held-out record; a batch is BATCH training records, a new order each epoch."""
    cfg = RunConfig(problem="operator", data="synthetic", test_records="0,5-7")
    prob = RecordsProblem(cfg, torch.device("cpu"), torch.float64)
    records = data.synthetic()
    assert prob.split.test == (0, 5, 6, 7) and len(prob.a) == 16
    net = OperatorNet(torch.nn.Identity())            # predicts the load itself
    line, err = prob.evaluate(net)
    hand = np.mean([np.linalg.norm(records.load[i] - records.response[i]) / np.linalg.norm(records.response[i]) for i in (0, 5, 6, 7)])
    assert err == pytest.approx(hand, rel=1e-12) and np.array_equal(line, records.load[0])
    seen = []
    for step in range(2 * prob.per_epoch):
        prob.begin_step(step)
        seen.append(prob.batch.tolist())
    first, second = sum(seen[:prob.per_epoch], []), sum(seen[prob.per_epoch:], [])
    assert sorted(first) == sorted(second) == list(range(16)) and first != second


def test_the_kernel_net_is_the_model_and_gets_the_slope_per_second():
    """repnet/vanilla: the kernel h(lag) is the model's MLP on [0, KERNEL_S] s, with nu x KERNEL_S / record."""
    from repcore.problems.operator import KERNEL_S
    run = Run(RunConfig(problem="operator", data="synthetic", model="repnet", slope_scale=100.0, slope_param="direct", width=8))
    kernel_net = run.net.kernel_net
    assert kernel_net.first.slopes().shape[0] == 8 and float(kernel_net.hi[0]) == KERNEL_S
    span = 256 * 0.02
    assert run.knob == 100.0 and float(kernel_net.first.slopes().detach().std()) == pytest.approx(100.0 * KERNEL_S / span, rel=0.5)
    points = run.net.partition_points()
    assert len(points) == 8 and np.isfinite(points).all()


@pytest.mark.parametrize("args, words", [
    ([], "give --data PATH"),
    (["--data", "/nonexistent/eq.mat"], "download it from https://github.com/XuhuiM/SciML-Course"),
    (["--data", "synthetic", "--test-records", "0-19"], "holds out every record"),
    (["--data", "synthetic", "--test-records", "3-x"], "not an index"),
])
def test_bad_operator_input_is_exit_2_and_one_line(args, words, capsys):
    assert cli(["fit", "--problem", "operator", "--steps", "1", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_a_damaged_file_is_exit_2_and_one_line(tmp_path, capsys):
    bad = tmp_path / "eq.mat"
    bad.write_bytes(b"MATLAB 5.0 MAT-file" + os.urandom(300))
    assert cli(["fit", "--problem", "operator", "--data", str(bad), "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert "is not a readable MATLAB .mat file" in err and err.count("\n") == 1


def test_an_mlp_problem_refuses_the_whole_operator_networks(capsys):
    assert cli(["fit", "--model", "fno", "--steps", "1"]) == 2
    assert "model 'fno' is a whole network, not an MLP" in capsys.readouterr().err


def test_the_operator_experiment_runs_quick_on_synthetic_records_and_checks_its_data(tmp_path, capsys):
    assert experiments(["run", "operator", "--quick", "--seeds", "0", "--out", str(tmp_path), "--parallel", "no"]) == 0
    assert "| fno |" in capsys.readouterr().out
    assert experiments(["run", "operator", "--data", str(tmp_path / "none.mat"), "--out", str(tmp_path)]) == 2
    assert "download it from" in capsys.readouterr().err
    assert experiments(["run", "pinn1d", "--quick", "--data", "x.mat", "--out", str(tmp_path)]) == 2
    assert "the pinn1d experiment reads no data file" in capsys.readouterr().err


@needs_earthquake
@pytest.mark.parametrize("model", ("fno", "repnet", "vanilla"))
def test_one_short_run_of_each_cli_model_on_the_shared_file(model, capsys):
    first = fit(capsys, "--data", EARTHQUAKE, "--model", model, "--steps", "0")
    r = fit(capsys, "--data", EARTHQUAKE, "--model", model, "--steps", "9", "--every", "9")
    assert r["extra"] == {"train_records": 90.0, "test_records": 10.0} and 0 < r["rel_l2"] < first["rel_l2"]


@needs_earthquake
def test_test_records_hold_out_the_first_ten_on_the_shared_file(capsys):
    author = fit(capsys, "--data", EARTHQUAKE, "--model", "fir", "--steps", "9")
    first_ten = fit(capsys, "--data", EARTHQUAKE, "--model", "fir", "--steps", "9", "--test-records", "0-9")
    assert first_ten["extra"] == {"train_records": 90.0, "test_records": 10.0} and first_ten["rel_l2"] != author["rel_l2"]
