"""The CLI contract: JSON keys, exit code 2 with one line on stderr for bad input."""
import json
import subprocess
import sys

import pytest

from repcore.cli import main

KEYS = {"model", "act", "seed", "rel_l2", "steps", "wall_s", "steps_per_s", "device"}
FAST = ["--steps", "30", "--width", "8", "--depth", "1", "--points", "64", "--every", "10"]


def test_fit_json_is_one_object(capsys):
    assert main(["fit", "--target", "sin(4*pi*x)", "--act", "relu", *FAST, "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert KEYS <= rec.keys() and rec["steps"] == 30 and rec["device"] == "cpu" and 0 < rec["rel_l2"] < 2


def test_compare_json_is_an_array_over_models_and_seeds(capsys):
    assert main(["compare", "--models", "vanilla,repnet", "--seeds", "0,1", *FAST, "--json"]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert [(r["model"], r["seed"]) for r in recs] == [("vanilla", 0), ("repnet", 0), ("vanilla", 1), ("repnet", 1)]
    assert all(KEYS <= r.keys() for r in recs)


def test_table_output(capsys):
    assert main(["compare", "--seeds", "0,1", *FAST]) == 0
    out = capsys.readouterr().out
    assert "median rel_l2 repnet" in out and "vanilla" in out


@pytest.mark.parametrize("args, message", [
    (["fit", "--target", "x.__class__"], "target: unexpected character '.' at column 2"),
    (["fit", "--target", "__import__('os')"], "unexpected character"),
    (["fit", "--width", "-3"], "width: -3 is outside"),
    (["fit", "--slope-scale", "fast"], "slope_scale: 'fast' is not a number"),
    (["fit", "--domain", "1,0"], "need LO < HI"),
    (["fit", "--bogus", "1"], "unrecognized arguments: --bogus"),
    (["fit", "--device", "cuda"] if "+cpu" in __import__("torch").__version__ else ["fit", "--device", "gpu"], "device"),
    (["compare", "--models", "vanilla,foo"], "model: unknown value 'foo'"),
    (["compare", "--seeds", "0,-1"], "seed: -1 is outside"),
    (["compare", "--seeds", "a"], "seeds: 'a' is not a comma-separated list"),
    (["launch"], "invalid choice"),
    ([], "required"),
])
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_real_process_exit_code_and_stderr():
    proc = subprocess.run([sys.executable, "-m", "repcore", "fit", "--target", "lambda: 1"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: target: unexpected character ':' at column 7"
    assert proc.stdout == ""


def test_every_option_has_a_help_line_with_its_default(capsys):
    from dataclasses import fields

    from repcore import RunConfig
    assert main(["fit", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())          # argparse wraps lines
    out = out[out.index("options:"):]
    for f in fields(RunConfig):
        option = "--" + f.name.replace("_", "-")
        i = out.index(option + " " + f.name.upper())
        assert "(default: " in out[i:i + 600], option
    assert "--model MODEL the network: vanilla, RepNet, a peer method, or an operator network (fno, fir) [vanilla|repnet|" in out


@pytest.mark.parametrize("argv", [["--domain", "-1,1"], ["--domain=-1,1"]])
def test_a_negative_domain_is_a_value_not_an_option(argv, capsys):
    assert main(["compare", "--target", "sines", *argv, *FAST, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["config"]["domain"] == "-1,1"


def test_a_negative_number_stays_an_error_where_it_is_one(capsys):
    assert main(["fit", *FAST, "--width", "-3"]) == 2
    assert "width: -3 is outside" in capsys.readouterr().err
