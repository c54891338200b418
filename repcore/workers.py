"""Training in a child process: one Run per process, driven by commands, publishing Snapshots.

Why a process: a training thread inside a busy server process (Streamlit) starves on the GIL (see
docs/speed.md); a child process gets its own interpreter and, with two models, its own core.

How it starts: from multiprocessing's fork server, which imported torch and the engine once (PRELOAD),
so a worker is a fork of a warm interpreter: ~0.05 s to its first snapshot, where a spawned one spent
~4 s importing torch, and eight at once (four browser sessions) 16-20 s on two cores (`python -m
repcore.bench`, worker start). The threaded server is never forked itself. Where there is no fork
server (Windows), spawn.

Protocol over one Pipe. Parent -> child: ("play",), ("pause",), ("step", n), ("reset", cfg),
("want",), ("weights",), ("stop",). Child -> parent: ("snap", Snapshot, gen), ("error", message, gen),
("weights", {"snapshot": Snapshot, "weights": {name: array}} or None if no model, gen), where gen
counts the resets the child has seen, so the parent can drop what was in flight before a reset. The
weights come with a snapshot measured from them, so a saved run's last frame matches its weights.

Snapshots are pulled: the child measures and sends one when asked ("want", which the page sends on
every refresh), plus one at each event the page must see (reset, end of budget, divergence, a Step
done). So the child never blocks on a full pipe however slowly the page refreshes, and it spends
time on diagnostics only as often as someone looks. The child exits on "stop", when the parent
process dies (its end of the pipe closes), or when it hears nothing (not even a "want") for
`idle_timeout` seconds: a closed browser tab stops the requests, so nothing keeps running unseen.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import threading
import time
from typing import Iterator

import torch

from .config import ConfigError, RunConfig
from .errors import UserError
from .snapshot import Snapshot
from .train import Run, lockstep

CHUNK_SECONDS = 0.05      # train in chunks this long, so commands are answered within ~50 ms
# What the fork server imports once. torch._dynamo: a first optimizer imports it lazily (1.7 s here).
PRELOAD = ["repcore.workers", "torch._dynamo"]
_START_LOCK = threading.Lock()


def _child(conn, cfg: RunConfig, label: str, idle_timeout: float) -> None:
    try:
        _serve(conn, cfg, label, idle_timeout)
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass                       # the parent's end of the pipe closed: it exited or was killed
    finally:
        conn.close()


def _serve(conn, cfg: RunConfig, label: str, idle_timeout: float) -> None:
    torch.set_num_threads(1)
    run, playing, pending, wanted, sent, gen = None, False, 0, False, None, 0
    heard = time.monotonic()

    def send_snapshot():
        nonlocal sent, wanted
        snap = run.snapshot()
        conn.send(("snap", snap, gen))
        sent, wanted = (snap.step, snap.status), False

    def reset(c: RunConfig):
        nonlocal run
        try:
            run = Run(c, label)
            send_snapshot()
        except UserError as err:
            run = None
            conn.send(("error", str(err), gen))

    reset(cfg)
    chunk = 1
    while True:
        busy = run is not None and not run.finished and (playing or pending > 0)
        if conn.poll(0 if busy else 0.25):
            msg = conn.recv()
            heard = time.monotonic()
            if msg[0] == "stop":
                break
            playing = {"play": True, "pause": False}.get(msg[0], playing)
            pending = pending + msg[1] if msg[0] == "step" else pending
            wanted = wanted or msg[0] == "want"
            if msg[0] == "reset":
                playing, pending, gen = False, 0, gen + 1
                reset(msg[1])
            if msg[0] == "weights":
                conn.send(("weights", None if run is None else {"snapshot": run.snapshot(), "weights": run.weights()}, gen))
            if wanted and run is not None and (run.step, run.status) != sent:
                send_snapshot()
            continue
        if time.monotonic() - heard > idle_timeout:
            break
        if not busy:
            continue
        n = min(chunk, pending) if pending else chunk
        start = time.perf_counter()
        run.advance(n)
        spent = time.perf_counter() - start
        if n == chunk:
            chunk = max(1, min(10_000, int(chunk * CHUNK_SECONDS / max(spent, 1e-4))))
        pending = max(0, pending - n)
        if wanted or run.finished or (pending == 0 and not playing):
            send_snapshot()        # asked for, or an event the page must see (end, divergence, Step done)


@contextlib.contextmanager
def no_main_import():
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


def mp_context(start: str = "forkserver"):
    """The fork-server context with the engine preloaded (spawn where there is no fork server). The fork
    server does not get the parent's sys.path: it finds repcore as installed (or through PYTHONPATH); were
    its preload to fail, workers would still start (they get the parent's path), as slowly as spawned ones.
    The first start takes the imports' time (~4 s); every worker after it, milliseconds. The fork server
    never touches CUDA (importing torch does not initialise it), so a forked worker may use the GPU."""
    if start == "spawn" or "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    from multiprocessing import forkserver
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()      # a no-op while it runs
    return ctx


def warm_up() -> None:
    """Start the fork server now, without waiting for it: its imports then overlap whatever the caller
    does next (a page rendering), and the first worker finds it ready. A no-op while it runs."""
    with _START_LOCK:
        mp_context()


class Worker:
    """Handle to one training process. Not thread-safe; one owner (a browser session). `start`
    "forkserver" (a fork of the warm fork server) or "spawn" (a fresh interpreter; bench compares them)."""

    def __init__(self, cfg: RunConfig, label: str | None = None, idle_timeout: float = 20.0, start: str = "forkserver"):
        self.label = label or cfg.model
        self.generation = 0                      # resets sent; the child tags messages with its count
        with _START_LOCK, no_main_import():
            ctx = mp_context(start)
            self.conn, child = ctx.Pipe()
            self.proc = ctx.Process(target=_child, args=(child, cfg, self.label, idle_timeout), daemon=True)
            self.proc.start()
        child.close()

    def send(self, *msg) -> None:
        self.generation += msg[0] == "reset"
        try:
            self.conn.send(msg)
        except (BrokenPipeError, OSError):
            pass                                 # the child is gone; `alive` tells the owner

    def poll(self) -> list[tuple]:
        """Every message waiting from the child since the last reset, as (kind, payload), oldest
        first; never blocks."""
        out = []
        try:
            while self.conn.poll():
                kind, payload, gen = self.conn.recv()
                if gen == self.generation:
                    out.append((kind, payload))
        except (EOFError, OSError):
            pass
        return out

    @property
    def alive(self) -> bool:
        return self.proc.is_alive()

    def wait(self, done, timeout: float, kind: str = "snap"):
        """Block until the first message of `kind` (a snapshot, weights) for which done(payload) holds, and
        return its payload; a child's error is raised here as UserError."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.conn.poll(0.5):
                got, payload, _ = self.conn.recv()
                if got == "error":
                    raise UserError(payload)
                if got == kind and done(payload):
                    return payload
            elif not self.alive:
                raise RuntimeError(f"training process for {self.label} exited unexpectedly")
        raise TimeoutError(f"training process for {self.label} did not answer in {timeout:g} s")

    def close(self, timeout: float = 2.0) -> None:
        """Stop the child and reap it; kill it if it does not stop in time."""
        self.send("stop")
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout)
        self.conn.close()


def parallel_lockstep(cfgs, labels=None, timeout: float = 3600.0, weights: list | None = None):
    """Like train.lockstep, but each run in its own process (one per core): every round, each worker
    trains `every` steps and reports; the snapshots are identical to the serial ones (same code, same
    seeds), only the wall clock differs. Yields tuples of Snapshots; raises the first worker error.
    If `weights` is a list, it receives each run's final weights (train.Run.weights) at the end."""
    workers = [Worker(c, l, idle_timeout=timeout) for c, l in zip(cfgs, labels or [c.model for c in cfgs])]
    try:
        last = [w.wait(lambda s: True, timeout) for w in workers]
        yield tuple(last)
        while not all(s.status != "ok" or s.step >= c.steps for s, c in zip(last, cfgs)):
            active = [i for i, (s, c) in enumerate(zip(last, cfgs)) if s.status == "ok" and s.step < c.steps]
            for i in active:
                workers[i].send("step", min(cfgs[i].every, cfgs[i].steps - last[i].step))
            for i in active:
                target = min(last[i].step + cfgs[i].every, cfgs[i].steps)
                last[i] = workers[i].wait(lambda s, t=target: s.step >= t or s.status != "ok", timeout)
            yield tuple(last)
        if weights is not None:
            for w in workers:
                w.send("weights")
            weights += [w.wait(lambda p: True, timeout, kind="weights")["weights"] for w in workers]
    finally:
        for w in workers:
            w.close()


def use_processes(choice: str, cfgs: list[RunConfig]) -> bool:
    """'auto': one process per model when there are several models, two or more cores, and enough
    steps to repay a process start (measured in docs/speed.md)."""
    if choice not in ("auto", "yes", "no"):
        raise ConfigError(f"parallel: {choice!r} is not auto, yes or no")
    if choice == "auto":
        return len(cfgs) > 1 and (os.cpu_count() or 1) >= 2 and max(c.steps for c in cfgs) >= 2000
    return choice == "yes" and len(cfgs) > 1


def side_by_side(cfgs: list[RunConfig], parallel: str = "auto", labels: list[str] | None = None,
                 weights: list | None = None) -> Iterator[tuple[Snapshot, ...]]:
    """Train cfgs side by side, yielding one Snapshot per run each round: one process per run when
    `parallel` says so (use_processes), else in turn in this process. The snapshots are identical either
    way (same code, same seeds). If `weights` is a list it receives each run's final weights."""
    if use_processes(parallel, cfgs):
        yield from parallel_lockstep(cfgs, labels, weights=weights)
        return
    runs = [Run(c, l) for c, l in zip(cfgs, labels or [c.model for c in cfgs])]
    yield from lockstep(runs)
    if weights is not None:
        weights += [r.weights() for r in runs]
