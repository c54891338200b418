"""Helpers shared by the test modules (test files never import each other): tiny configs, where the
earthquake records are, saved runs built with and without training, exact comparisons, the AppTest entry point, the process-leak check,
a command interrupted as Ctrl+C would."""
import json
import multiprocessing as mp
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from repcore import Run, RunConfig
from repcore.library.runfile import SavedModel, SavedRun, add_frame
from repcore.operators import data as records
from repcore.snapshot import Snapshot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The earthquake records (never committed): where $REPCORE_EARTHQUAKE_DATA says, else this workplace's copy beside the checkout.
EARTHQUAKE = records.default_path() or os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "earthquake", records.FILE_NAME))
needs_earthquake = pytest.mark.skipif(not os.path.isfile(EARTHQUAKE), reason=f"the earthquake data is not at {EARTHQUAKE} (never "
                                      f"committed; download it from {records.DOWNLOAD}, set {records.DATA_ENV})")
TINY = RunConfig(width=16, depth=2, points=100, grid=64, test_points=256, steps=20, every=5)
CLI_TINY = ["--width", "16", "--depth", "2", "--points", "100", "--grid", "64", "--test-points", "256", "--steps", "20", "--every", "5"]


def trained(cfg: RunConfig, label: str | None = None) -> SavedModel:
    run, frames = Run(cfg), []
    add_frame(frames, run.snapshot())
    while not run.finished:
        run.advance(cfg.every)
        add_frame(frames, run.snapshot())
    return SavedModel(label or cfg.model, cfg, frames, run.weights())


def fake_run(name: str, n: int = 5, size: int = 64, seed: int = 0) -> SavedRun:
    """A run with random arrays and awkward scalars (NaN, inf, negative zero), no training needed."""
    rng = np.random.default_rng(seed)
    arr = lambda: rng.standard_normal(size)  # noqa: E731
    half = size // 2
    snaps = [Snapshot(label="repnet", step=i * 10, wall=0.1 * i, status="ok", losses={"mse": float(rng.random()), "bc": float("nan")},
                      rel_l2=float(rng.random()), x=arr(), pred=arr(), true=arr(), freqs=np.arange(half, dtype=float),
                      spec_true=arr()[:half], spec_err=arr()[:half], spec_rel_err=np.where(rng.random(half) < 0.3, np.nan, 1.0),
                      points=arr()[:16].astype(np.float32), hist_edges=np.linspace(0, 1, 9), hist_counts=rng.integers(0, 5, 8),
                      diverged_at=-1, knob=float("inf"), device="cpu", extra={"k": float(rng.random()), "neg": -0.0})
             for i in range(n)]
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


APP = os.path.join(ROOT, "dashboard", "streamlit_app.py")
TIMEOUT = 120


def app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    return at


def close(at: AppTest) -> None:
    live = at.session_state["live"] if "live" in at.session_state else None
    if live is not None:
        live.close()


def metric(at: AppTest, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def children_left(before: set, timeout: float = 10.0) -> list:
    """multiprocessing children started since `before` (a set of pids) that are still alive after
    `timeout` seconds of grace (a closed worker needs a moment to be reaped)."""
    deadline = time.time() + timeout
    while True:
        left = [p for p in mp.active_children() if p.pid not in before]
        if not left or time.time() > deadline:
            return left
        time.sleep(0.2)


# A process started with SIGINT ignored (a background job of a non-interactive shell: `pytest &` in a
# script, some CI runners) passes the ignore on to its children, and Python then installs no
# KeyboardInterrupt handler: a test's SIGINT would be ignored and the command would run to its end.
# So the child restores SIGINT's default action first, as a command in a terminal has it.
_AS_IN_A_TERMINAL = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                     "runpy.run_module(sys.argv.pop(1), run_name='__main__', alter_sys=True)")


def interruptible(module: str, args: list[str], **kw) -> subprocess.Popen:
    """`python -m MODULE ARGS` (stderr piped), which a SIGINT interrupts however this process was started."""
    return subprocess.Popen([sys.executable, "-c", _AS_IN_A_TERMINAL, module, *args], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, **kw)


def interrupt_after_first_trial(proc: subprocess.Popen, store: Path, timeout: float = 900) -> tuple[str, int]:
    """Sends SIGINT to a sweep once its first trial is in `store` (or once it ended: the caller's checks
    then fail); returns its stderr and how many trials it kept. Under load the first trial waits on
    the workers' start (a fresh Ray worker imports torch), hence the long `timeout`: it bounds a hang."""
    deadline = time.monotonic() + timeout
    while not any(store.glob("*.json")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=120)[1]
    return err, len(list(store.glob("*.json")))


def zip_bomb(path: str, mib: int, declared_mib: int | None = None, member: str = "run.json", others: dict | None = None) -> None:
    """A zip whose `member` inflates to `mib` MiB of spaces, from about 1 KB per MiB on disk (one deflated
    MiB repeated: each segment ends in a full flush, so it compresses the same), after the `others`
    members (name -> bytes, stored). The headers declare `declared_mib` MiB (default: the truth; a
    smaller number is a lying header)."""
    chunk, co = b" " * (1 << 20), zlib.compressobj(9, zlib.DEFLATED, -15)
    co.compress(chunk)
    co.flush(zlib.Z_FULL_FLUSH)
    segment = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    entries = [(name, 0, data, zlib.crc32(data), len(data)) for name, data in (others or {}).items()]
    size = (mib if declared_mib is None else declared_mib) << 20
    entries.append((member, 8, segment * mib + co.flush(), crc, size))
    body, central = b"", b""
    for name, method, data, crc, size in entries:
        raw = name.encode()
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw),
                               0, 0, 0, 0, 0, len(body)) + raw
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0) + raw + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0)
    with open(path, "wb") as f:
        f.write(body + central + end)
