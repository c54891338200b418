"""The run library: exact round trips (store and file), crash safety under SIGKILL, two writing
processes, clear errors for corrupt / foreign / newer files, and the `runs` CLI."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from dataclasses import fields, replace

import numpy as np
import pytest

from repcore import Run, RunConfig
from repcore.cli import main
from repcore.library import APP_ID, Library, LibraryError, default_path
from repcore.library_io import SavedModel, SavedRun, add_frame, read_file, restore, weights_of, write_file
from repcore.snapshot import Snapshot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = RunConfig(width=16, depth=2, points=100, grid=64, test_points=256, steps=20, every=5)
CLI_TINY = ["--width", "16", "--depth", "2", "--points", "100", "--grid", "64", "--test-points", "256", "--steps", "20", "--every", "5"]


def trained(cfg: RunConfig, label: str | None = None) -> SavedModel:
    run, frames = Run(cfg), []
    add_frame(frames, run.snapshot())
    while not run.finished:
        run.advance(cfg.every)
        add_frame(frames, run.snapshot())
    return SavedModel(label or cfg.model, cfg, frames, weights_of(run))


def fake_run(name: str, n: int = 5, size: int = 64, seed: int = 0) -> SavedRun:
    """A run with random arrays and awkward scalars (NaN, inf, negative zero), no training needed."""
    rng = np.random.default_rng(seed)
    arr = lambda: rng.standard_normal(size)  # noqa: E731
    snaps = [Snapshot("repnet", i * 10, 0.1 * i, "ok", {"mse": float(rng.random()), "bc": float("nan")}, float(rng.random()),
                      arr(), arr(), arr(), np.arange(size // 2, dtype=float), arr()[:size // 2], arr()[:size // 2],
                      arr()[:size // 2], np.where(rng.random(size // 2) < 0.3, np.nan, 1.0), arr()[:16].astype(np.float32),
                      np.linspace(0, 1, 9), rng.integers(0, 5, 8), 0.75, -1, float(rng.random()), -0.0, -1, float("inf"),
                      "cpu", {"k": float(rng.random())}) for i in range(n)]
    weights = {"net.first.weight": rng.standard_normal((16, 1)).astype(np.float32), "problem.0": np.array(2.5)}
    return SavedRun(name, [SavedModel("repnet", TINY.replace(seed=seed), snaps, weights)], ["fake"])


def assert_same_snapshot(a: Snapshot, b: Snapshot) -> None:
    for f in fields(Snapshot):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y, equal_nan=True), f.name
        else:
            assert json.dumps(x, sort_keys=True) == json.dumps(y, sort_keys=True), f.name     # NaN == NaN, -0.0 != 0.0


def assert_same_run(a: SavedRun, b: SavedRun) -> None:
    assert (a.name, a.tags, [m.label for m in a.models]) == (b.name, b.tags, [m.label for m in b.models])
    for ma, mb in zip(a.models, b.models):
        assert ma.cfg == mb.cfg and len(ma.snapshots) == len(mb.snapshots)
        for sa, sb in zip(ma.snapshots, mb.snapshots):
            assert_same_snapshot(sa, sb)
        assert ma.weights.keys() == mb.weights.keys()
        assert all(ma.weights[k].dtype == mb.weights[k].dtype and np.array_equal(ma.weights[k], mb.weights[k]) for k in ma.weights)


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "lib.sqlite3")


def test_save_load_round_trip_is_exact_and_weights_reproduce_the_predictions(path):
    saved = SavedRun("lecture 1", [trained(TINY.replace(model="vanilla", act="relu", domain=((-1.234567891, 2.0),))),
                                   trained(TINY.replace(problem="inverse", steps=15), "repnet inverse")], ["class", "week 3"])
    with Library(path) as lib:
        run_id = lib.save(saved)
    with Library(path) as lib:                                   # a fresh connection reads it back
        back = lib.load("lecture 1")
        assert lib.load(run_id).name == lib.load(f"#{run_id}").name == "lecture 1"
    assert back.id == run_id and back.created > 0
    assert_same_run(saved, back)
    for m in back.models:
        again = restore(m).snapshot()                            # a fresh network with the saved weights
        last = m.snapshots[-1]
        assert np.array_equal(again.pred, last.pred) and again.rel_l2 == last.rel_l2 and again.extra == last.extra
        assert np.array_equal(again.points, last.points)
    assert back.models[1].weights["problem.0"].shape == ()      # the inverse problem's learned k is part of the weights
    assert back.models[1].snapshots[-1].extra["k"] != 1.0


def test_awkward_values_survive_exactly(path):
    saved = fake_run("nan and inf")
    with Library(path) as lib:
        lib.save(saved)
        assert_same_run(saved, lib.load("nan and inf"))
        info = lib.list()[0]
    assert info.models[0]["snapshots"] == 5 and info.models[0]["step"] == 40


def test_export_import_round_trip(path, tmp_path):
    saved = SavedRun("exported", [trained(TINY.replace(model="vanilla")), trained(TINY)], ["a"])
    with Library(path) as lib:
        lib.save(saved)
        lib.export("exported", str(tmp_path / "one.zip"))
        original = lib.load("exported")
    with Library(str(tmp_path / "other.sqlite3")) as other:
        imported = other.import_file(str(tmp_path / "one.zip"))
        back = other.load(imported.id)
        other.export(imported.id, str(tmp_path / "two.zip"))
    assert_same_run(original, back)
    assert (back.created, back.updated) == (original.created, original.updated)
    assert open(tmp_path / "one.zip", "rb").read() == open(tmp_path / "two.zip", "rb").read()   # byte for byte
    np.testing.assert_array_equal(restore(back.models[1]).snapshot().pred, original.models[1].snapshots[-1].pred)
    with zipfile.ZipFile(tmp_path / "one.zip") as z:             # portable: JSON plus plain .npz files
        doc = json.loads(z.read("run.json"))
        assert doc["format"] == "repcore-run" and doc["models"][1]["config"]["model"] == "repnet"
        np.testing.assert_array_equal(np.load(z.open("models/1/snapshots/00004.npz"))["pred"], original.models[1].snapshots[-1].pred)
    with Library(path) as lib:
        with pytest.raises(LibraryError, match="already exists"):
            lib.import_file(str(tmp_path / "one.zip"))
        assert lib.import_file(str(tmp_path / "one.zip"), name="copy").name == "copy"


def test_list_filter_rename_tags_delete(path):
    with Library(path) as lib:
        for i, (name, tags) in enumerate([("Lecture sine", ["class"]), ("chirp study", ["research", "chirp"]), ("misc", [])]):
            r = fake_run(name, seed=i)
            r.tags = tags
            lib.save(r)
        assert [i.name for i in lib.list()] == ["misc", "chirp study", "Lecture sine"]          # newest first
        assert [i.name for i in lib.list("lecture")] == ["Lecture sine"]
        assert [i.name for i in lib.list("RESEARCH")] == ["chirp study"]                       # part of a tag
        assert [i.name for i in lib.list(tag="chirp")] == ["chirp study"] and lib.list(tag="chir") == []
        lib.rename("misc", "  renamed  ")
        with pytest.raises(LibraryError, match="already exists"):
            lib.rename("renamed", "chirp study")
        lib.set_tags("renamed", ["x", "y", "x"])
        assert lib.load("renamed").tags == ["x", "y"] and lib.list("renamed")[0].updated >= lib.list("renamed")[0].created
        assert lib.delete("chirp study") == "chirp study"
        assert [i.name for i in lib.list()] == ["renamed", "Lecture sine"]
        assert lib.db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 10         # the deleted run's rows are gone
        for bad, message in [(lambda: lib.load("nope"), "no run 'nope'"), (lambda: lib.rename("renamed", " "), "name: empty"),
                             (lambda: lib.set_tags("renamed", ["a,b"]), "not a tag"), (lambda: lib.delete(99), "no run 99"),
                             (lambda: lib.save(SavedRun("x", [])), "one or more models")]:
            with pytest.raises(LibraryError, match=message):
                bad()
        assert lib.check() == "ok"


SLOW_SAVE = r"""
import sys, time
sys.path[:0] = [sys.argv[2], sys.argv[3]]
import repcore.library as library
from test_library import fake_run
real = library.pack_snapshot
def pack(s):                      # stall inside the transaction, half the snapshots already inserted
    if s.step == 500:
        print("midway", flush=True)
        time.sleep(120)
    return real(s)
library.pack_snapshot = pack
with library.Library(sys.argv[1]) as lib:
    print("saving", flush=True)
    lib.save(fake_run("doomed", n=100, size=2000, seed=9))
print("saved", flush=True)
"""


def test_sigkill_in_the_middle_of_a_save_leaves_earlier_runs_intact(path):
    earlier = [SavedRun("first", [trained(TINY)]), fake_run("second", seed=1)]
    with Library(path) as lib:
        for r in earlier:
            lib.save(r)
    child = subprocess.Popen([sys.executable, "-c", SLOW_SAVE, path, ROOT, os.path.join(ROOT, "tests")],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "saving"
        assert child.stdout.readline().strip() == "midway"
        assert os.path.getsize(path + "-wal") > 1_000_000        # uncommitted pages already written to the WAL
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        child.kill()
    assert child.returncode == -signal.SIGKILL
    with Library(path) as lib:
        assert lib.check() == "ok"
        assert sorted(i.name for i in lib.list()) == ["first", "second"]              # no half-written run
        assert lib.db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == sum(len(r.models[0].snapshots) for r in earlier)
        for r in earlier:
            assert_same_run(r, lib.load(r.name))
        np.testing.assert_array_equal(restore(lib.load("first").models[0]).snapshot().pred, earlier[0].models[0].snapshots[-1].pred)
        lib.save(fake_run("after the crash", seed=3))            # the write lock was released by the kill
        assert len(lib.list()) == 3


WRITER = r"""
import os, sys, time
sys.path[:0] = [sys.argv[2], sys.argv[3]]
from repcore.library import Library
from test_library import fake_run
runs = [fake_run(f"{sys.argv[4]}-{i}", n=30, size=500, seed=i) for i in range(8)]
open(sys.argv[1] + "." + sys.argv[4] + ".ready", "w").close()
while not os.path.exists(sys.argv[1] + ".go"):
    time.sleep(0.01)
with Library(sys.argv[1]) as lib:
    for r in runs:
        lib.save(r)
"""


def test_two_processes_write_concurrently(path):
    Library(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, path, ROOT, os.path.join(ROOT, "tests"), who], stderr=subprocess.PIPE, text=True)
             for who in ("a", "b")]
    deadline = time.time() + 120
    while not all(os.path.exists(f"{path}.{who}.ready") for who in "ab") and time.time() < deadline:
        time.sleep(0.05)
    open(path + ".go", "w").close()                             # both start saving at once
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with Library(path) as lib:
        assert lib.check() == "ok"
        names = sorted(i.name for i in lib.list())
        assert names == sorted(f"{who}-{i}" for who in "ab" for i in range(8))
        assert_same_run(fake_run("b-5", n=30, size=500, seed=5), lib.load("b-5"))


def _foreign(p):
    db = sqlite3.connect(p)
    db.execute("CREATE TABLE invoices (id INTEGER)")
    db.commit()
    db.close()


def _newer(p):
    Library(p).close()
    db = sqlite3.connect(p)
    db.execute("PRAGMA user_version = 99")
    db.close()


def _text(p):
    with open(p, "w") as f:
        f.write("just some notes\n" * 100)


@pytest.mark.parametrize("make, message", [(_text, "not an SQLite database file"), (_foreign, "not a repcore run library"),
                                           (_newer, "newer repcore .*schema v99")])
def test_foreign_newer_and_non_sqlite_files_are_refused_untouched(path, make, message):
    make(path)
    before = open(path, "rb").read()
    with pytest.raises(LibraryError, match=message):
        Library(path)
    assert open(path, "rb").read() == before                    # never "repaired" or overwritten


def test_corrupt_pages_and_blobs_give_clear_errors(path):
    with Library(path) as lib:
        for i in range(3):
            lib.save(fake_run(f"r{i}", n=20, size=2000, seed=i))
        lib.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        model = lib.db.execute("SELECT m.id FROM models m JOIN runs r ON r.id = m.run_id WHERE r.name = 'r1'").fetchone()[0]
        lib.db.execute("UPDATE snapshots SET arrays = x'00ff00ff' WHERE model_id = ? AND seq = 3", (model,))
        with pytest.raises(LibraryError, match="run 'r1' is damaged"):
            lib.load("r1")
        lib.load("r2")                                          # the other runs are fine
    size = os.path.getsize(path)
    with open(path, "r+b") as f:                                # garbage over everything after the header page
        f.seek(4096)
        f.write(np.random.default_rng(0).integers(0, 256, size - 4096, dtype=np.uint8).tobytes())
    with pytest.raises(LibraryError, match="corrupt|damaged"):
        with Library(path) as lib:
            [lib.load(i.id) for i in lib.list()]


def test_bad_run_files_give_clear_errors(tmp_path):
    good = tmp_path / "good.zip"
    write_file(fake_run("f"), str(good))
    assert read_file(str(good)).name == "f"
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(newer, "w") as out:
        for item in z.infolist():
            data = z.read(item)
            out.writestr(item, data.replace(b'"version":1', b'"version":7') if item.filename == "run.json" else data)
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("readme.txt", "hello")
    for name, message in [("newer.zip", "version 7 is newer"), ("junk.zip", "not a repcore run file"),
                          ("other.zip", "not a repcore run file"), ("missing.zip", "cannot read")]:
        with pytest.raises(LibraryError, match=message):
            read_file(str(tmp_path / name))


def test_default_path_honours_env_and_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("REPCORE_LIBRARY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == str(tmp_path / "data" / "repcore" / "library.sqlite3")
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_path() == os.path.expanduser("~/.local/share/repcore/library.sqlite3")
    monkeypatch.setenv("REPCORE_LIBRARY", str(tmp_path / "mine.db"))
    assert default_path() == str(tmp_path / "mine.db")
    with Library() as lib:
        assert lib.path == str(tmp_path / "mine.db")
        assert lib.db.execute("PRAGMA application_id").fetchone()[0] == APP_ID
        assert lib.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


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


def test_add_frame_keeps_first_and_newest_and_bounds_memory():
    frames = []
    snap = fake_run("x", n=1).models[0].snapshots[0]
    for step in range(0, 1000):
        add_frame(frames, replace(snap, step=step), limit=50)
    steps = [f.step for f in frames]
    assert len(frames) <= 50 and steps[0] == 0 and steps[-1] == 999 and steps == sorted(steps)
    add_frame(frames, replace(snap, step=999, rel_l2=0.5), limit=50)            # same step: replaced
    assert frames[-1].rel_l2 == 0.5 and frames[-2].step < 999
    add_frame(frames, replace(snap, step=0), limit=50)                        # a reset: start over
    assert [f.step for f in frames] == [0]
