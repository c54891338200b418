"""Training in a child process: one Run per process, driven by commands, publishing Snapshots.

Why a process: a training thread inside a busy server process (Streamlit) starves on the GIL (see
README "Speed"); a child process gets its own interpreter and, with two models, its own core.

Protocol over one Pipe. Parent -> child: ("play",), ("pause",), ("step", n), ("reset", cfg),
("beat",), ("stop",). Child -> parent: ("snap", Snapshot), ("error", message). The child exits on
"stop", when the parent process dies, or when it hears nothing (not even a "beat") for
`idle_timeout` seconds: a closed browser tab stops the beats, so nothing keeps running unseen.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import threading
import time

from .config import ConfigError, RunConfig
from .device import DeviceError
from .expr import ExprError
from .targets import TargetError

USER_ERRORS = (ConfigError, DeviceError, ExprError, TargetError, KeyError, ValueError)
CHUNK_SECONDS = 0.05      # train in chunks this long, so commands are answered within ~50 ms
_START_LOCK = threading.Lock()
SNAP_SECONDS = 0.2        # at most ~5 snapshots per second: diagnostics cost ~1-3% of training then


def _child(conn, cfg: RunConfig, label: str, idle_timeout: float, parent: int) -> None:
    import torch

    from .train import Run
    torch.set_num_threads(1)
    run, playing, pending, heard = None, False, 0, time.monotonic()

    def reset(c: RunConfig):
        nonlocal run
        try:
            run = Run(c, label)
            conn.send(("snap", run.snapshot()))
        except USER_ERRORS as err:
            run = None
            conn.send(("error", str(err).strip("'\"")))

    reset(cfg)
    chunk, last_snap = 1, time.monotonic()
    while True:
        busy = run is not None and not run.finished and (playing or pending > 0)
        if conn.poll(0 if busy else 0.25):
            msg = conn.recv()
            heard = time.monotonic()
            if msg[0] == "stop":
                break
            playing = {"play": True, "pause": False}.get(msg[0], playing)
            if msg[0] == "step":
                pending += msg[1]
            if msg[0] == "reset":
                playing, pending = False, 0
                reset(msg[1])
            continue
        if time.monotonic() - heard > idle_timeout or os.getppid() != parent:
            break
        if not busy:
            continue
        n = min(chunk, pending) if pending else chunk
        start = time.perf_counter()
        run.advance(n)
        spent = time.perf_counter() - start
        chunk = max(1, min(10_000, int(chunk * CHUNK_SECONDS / max(spent, 1e-4)) if n == chunk else chunk))
        pending = max(0, pending - n)
        if run.finished or pending == 0 and not playing or time.monotonic() - last_snap >= SNAP_SECONDS:
            conn.send(("snap", run.snapshot()))
            last_snap = time.monotonic()
    conn.close()


@contextlib.contextmanager
def _no_main_import():
    """multiprocessing's spawn re-imports the parent's __main__ in the child (to find pickled
    functions). Ours live in this module, and __main__ may be a script without a __main__ guard (a
    test driver, a notebook), so hide it while the child starts."""
    main = sys.modules["__main__"]
    spec, file = getattr(main, "__spec__", None), getattr(main, "__file__", None)
    main.__spec__ = None
    if file is not None:
        del main.__file__
    try:
        yield
    finally:
        main.__spec__ = spec
        if file is not None:
            main.__file__ = file


class Worker:
    """Handle to one training process. Not thread-safe; one owner (a browser session)."""

    def __init__(self, cfg: RunConfig, label: str | None = None, idle_timeout: float = 20.0):
        ctx = mp.get_context("spawn")           # never fork a threaded server
        self.conn, child = ctx.Pipe()
        self.label = label or cfg.model
        self.proc = ctx.Process(target=_child, args=(child, cfg, self.label, idle_timeout, os.getpid()), daemon=True)
        with _START_LOCK, _no_main_import():
            self.proc.start()
        child.close()

    def send(self, *msg) -> None:
        try:
            self.conn.send(msg)
        except (BrokenPipeError, OSError):
            pass                                 # the child is gone; `alive` tells the owner

    def poll(self) -> list[tuple]:
        """Every message waiting from the child, oldest first; never blocks."""
        out = []
        try:
            while self.conn.poll():
                out.append(self.conn.recv())
        except (EOFError, OSError):
            pass
        return out

    @property
    def alive(self) -> bool:
        return self.proc.is_alive()

    def close(self, timeout: float = 2.0) -> None:
        """Stop the child and reap it; kill it if it does not stop in time."""
        self.send("stop")
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout)
        self.conn.close()
