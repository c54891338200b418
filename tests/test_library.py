"""The run library: exact round trips (store and file), clear errors for corrupt / foreign / newer
files, bounded frames. Crash safety: test_library_crash.py; the `runs` CLI: test_library_cli.py."""
import json
import os
import sqlite3
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from helpers import TINY, assert_same_run, fake_run, trained
from repcore.library import APP_ID, Library, LibraryError, default_path
from repcore.library.runfile import SavedRun, add_frame, read_file, restore, write_file

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
