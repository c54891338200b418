"""The run library under stress: a writer killed with SIGKILL in the middle of a save, and two
processes writing at once. Both leave every committed run intact and the file consistent."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from repcore.library import Library
from repcore.library.runfile import SavedRun, restore
from helpers import ROOT, TINY, assert_same_run, fake_run, trained

pytestmark = pytest.mark.slow


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "lib.sqlite3")


SLOW_SAVE = r"""
import sys, time
sys.path[:0] = [sys.argv[2], sys.argv[3]]
import repcore.library.database as library
from helpers import fake_run
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
from helpers import fake_run
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
