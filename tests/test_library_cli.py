"""The `python -m repcore runs ...` commands and `fit/compare --save`: round trips through the CLI,
and bad input exits with code 2 and one line on stderr."""
import json

import numpy as np
import pytest

from repcore.cli import main
from repcore.library import Library
from repcore.library.runfile import restore
from helpers import CLI_TINY, fake_run


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "runs.sqlite3")


def test_cli_save_list_show_export_import_delete(path, tmp_path, capsys):
    lib = ["--library", path]
    assert main(["fit", *CLI_TINY, "--save", "cli fit", "--tags", "a, b", *lib, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["steps"] == 20
    assert main(["compare", *CLI_TINY, "--parallel", "yes", "--save", "cli compare", *lib]) == 0
    assert main(["compare", *CLI_TINY, "--seeds", "0,1", "--parallel", "no", "--save", "two seeds", *lib]) == 0
    capsys.readouterr()
    assert main(["runs", "list", "--json", *lib]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in listing] == ["two seeds", "cli compare", "cli fit"] and listing[2]["tags"] == ["a", "b"]
    assert [m["label"] for m in listing[0]["models"]] == ["vanilla s0", "repnet s0", "vanilla s1", "repnet s1"]
    with Library(path) as store:                                # weights came back from the worker processes
        parallel, serial = store.load("cli compare"), store.load("two seeds")
    for m, twin in zip(parallel.models, serial.models):
        np.testing.assert_array_equal(restore(m).snapshot().pred, m.snapshots[-1].pred)
        assert all(np.array_equal(m.weights[k], twin.weights[k]) for k in m.weights)     # same seed, same result
    assert main(["runs", "show", "cli fit", "--json", *lib]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["models"][0]["config"]["steps"] == "20" and shown["models"][0]["snapshots"] == 5
    assert main(["runs", "show", "cli fit", *lib]) == 0 and "rel_l2" in capsys.readouterr().out
    assert main(["runs", "export", "cli fit", str(tmp_path / "f.zip"), *lib]) == 0
    assert main(["runs", "import", str(tmp_path / "f.zip"), "--name", "copy", *lib]) == 0
    assert main(["runs", "rename", "copy", "copy 2", *lib]) == 0 and main(["runs", "tag", "copy 2", "x,y", *lib]) == 0
    assert main(["runs", "delete", "cli compare", *lib]) == 0
    capsys.readouterr()
    assert main(["runs", "list", *lib]) == 0
    out = capsys.readouterr().out
    assert "copy 2" in out and "cli fit" in out and "cli compare" not in out and "x,y" in out


@pytest.mark.parametrize("args, message", [
    (["runs", "show", "nope"], "no run 'nope'"),
    (["runs", "delete", "#42"], "no run '#42'"),
    (["runs", "import", "/nonexistent/x.zip"], "cannot read"),
    (["fit", "--save", "taken"], "a run named 'taken' already exists"),       # refused before any training
    (["fit", "--save", " "], "name: empty"),
    (["fit", "--save", "t2", "--tags", "a,,b" + "x" * 50], "not a tag"),
    (["runs", "frobnicate"], "invalid choice"),
])
def test_cli_bad_input_exits_2_with_one_line(path, args, message, capsys):
    with Library(path) as lib:
        lib.save(fake_run("taken"))
    assert main([*args, "--library", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_cli_corrupt_library_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    assert main(["runs", "list", "--library", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "corrupt" in err and str(bad) in err
    assert main(["runs", "list", "--library", str(tmp_path / "none.sqlite3")]) == 0     # no library yet: nothing saved
    assert "no runs saved yet" in capsys.readouterr().out and not (tmp_path / "none.sqlite3").exists()
