"""Training in a child process: one Run per process, driven by commands, publishing Snapshots.

Why a process: a training thread inside a busy server process (Streamlit) starves on the GIL (see
docs/speed.md); a child process gets its own interpreter and, with two models, its own core.

How it starts: from multiprocessing's fork server, which imported torch and the engine once (PRELOAD),
so a worker is a fork of a warm interpreter: ~0.05 s to its first snapshot, where a spawned one spent
~4 s importing torch, and eight at once (four browser sessions) 16-20 s on two cores (`python -m
repcore.bench`, worker start). The threaded server is never forked itself. Where there is no fork
server (Windows), spawn.

Protocol over one Pipe. Parent -> child: ("play",), ("pause",), ("step", n), ("budget", steps),
("reset", cfg), ("want",), ("ping",), ("weights",), ("stop",). Child -> parent: ("snap", Snapshot, gen),
("paused", Snapshot, gen), ("error", message, gen), ("weights", {"snapshot": Snapshot, "weights":
{name: array}} or None if no model, gen), where gen counts the resets the child has seen, so the parent
can drop what was in flight before a reset. The weights come with a snapshot measured from them, so a
saved run's last frame matches its weights.

Two ways to train. Free: "play" trains; a snapshot is measured when asked ("want", answered at most
once per request). Paced: each ("step", n) queues a goal n steps past the last goal queued, and the
child measures a snapshot at each goal it reaches, unasked; at its last goal it waits. A parent that
queues the same goals to several children gets their snapshots at the same epochs (the live page's
lockstep, dashboard/session.py). "pause" stops both at once, drops the goals queued and answers with
a "paused" snapshot: where training stopped. Events the parent must see are sent unasked too: a
reset, the end of the budget, a divergence (found at a snapshot). ("budget", steps) moves the end of
the budget (Continue after a finished run) and answers with a snapshot. So the child never blocks on
a full pipe: it sends only at goals, events and requests. It exits on "stop", when the parent process
dies (its end of the pipe closes), or when it hears nothing (any message; "ping" is the keep-alive)
for `idle_timeout` seconds: a closed browser tab stops the requests, so nothing keeps running unseen.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import threading
import time
from collections import deque
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


def _child(conn, cfg: RunConfig, label: str, idle_timeout: float, nice: int = 0) -> None:
    if nice:
        os.nice(nice)              # below the server and its pages: training takes the cores they leave
    try:
        _serve(conn, cfg, label, idle_timeout)
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass                       # the parent's end of the pipe closed: it exited or was killed
    finally:
        conn.close()


def _serve(conn, cfg: RunConfig, label: str, idle_timeout: float) -> None:
    torch.set_num_threads(1)
    run, playing, goals, wanted, sent, gen = None, False, deque(), False, None, 0
    heard = time.monotonic()

    def send_snapshot(kind="snap"):
        nonlocal sent, wanted
        snap = run.snapshot()
        conn.send((kind, snap, gen))
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
        busy = run is not None and not run.finished and (playing or bool(goals))
        if conn.poll(0 if busy else 0.25):
            msg = conn.recv()
            heard = time.monotonic()
            if msg[0] == "stop":
                break
            playing = {"play": True, "pause": False}.get(msg[0], playing)
            wanted = wanted or msg[0] == "want"
            if msg[0] == "reset":
                playing, gen = False, gen + 1
                goals.clear()
                reset(msg[1])
            if msg[0] == "weights":
                conn.send(("weights", None if run is None else {"snapshot": run.snapshot(), "weights": run.weights()}, gen))
            if run is None:
                continue
            if msg[0] == "step":
                goals.append((goals[-1] if goals else run.step) + msg[1])
            if msg[0] == "pause":
                goals.clear()
                send_snapshot("paused")
            if msg[0] == "budget":
                _set_budget(run, msg[1])
            if run.finished and goals:
                goals.clear()      # nothing left to train: the goals end here
                wanted = True
            if msg[0] == "budget" or wanted and (run.step, run.status) != sent:
                send_snapshot()
            continue
        if time.monotonic() - heard > idle_timeout:
            break
        if not busy:
            continue
        n = min(chunk, goals[0] - run.step) if goals else chunk
        start = time.perf_counter()
        run.advance(n)
        spent = time.perf_counter() - start
        if n == chunk:
            chunk = max(1, min(10_000, int(chunk * CHUNK_SECONDS / max(spent, 1e-4))))
        reached = bool(goals) and run.step >= goals[0]
        while goals and run.step >= goals[0]:
            goals.popleft()
        if run.finished:
            goals.clear()
        if wanted or reached or run.finished:
            send_snapshot()        # asked for, a goal, or an event the page must see (end, divergence)


def _set_budget(run: Run, steps: int) -> None:
    """Move the end of the budget; a run that had finished at it trains on (the lr schedule keeps its own
    budget: a cosine stays at its end, see dashboard/session.py `continuable`)."""
    run.cfg = run.cfg.replace(steps=steps)
    if run.status == "done" and run.step < steps:
        run.status = "ok"


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
    """Handle to one training process. One owner (a browser session), which alone reads; `send` may also come
    from another thread (a keep-alive). `start` "forkserver" (a fork of the warm fork server) or "spawn" (a
    fresh interpreter; bench compares them). `nice`: added to the child's niceness (the dashboard's workers
    train below its server and pages).

    The process starts on a thread of its own: the first start waits for the fork server's imports
    (~4 s; 44 s measured on a machine busy with two CPU loops and a package install), and the caller (a
    page script) must not. Until it runs, messages wait in the pipe and `alive` is True."""

    def __init__(self, cfg: RunConfig, label: str | None = None, idle_timeout: float = 20.0, start: str = "forkserver",
                 nice: int = 0):
        self.label = label or cfg.model
        self.generation = 0                      # resets sent; the child tags messages with its count
        with _START_LOCK:
            ctx = mp_context(start)
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_child, args=(child, cfg, self.label, idle_timeout, nice), daemon=True)
        self._closed = False
        self._send_lock = threading.Lock()       # the owner and the server's keep-alive (dashboard/presence.py) both send
        self._starter = threading.Thread(target=self._start, args=(child,), name=f"start {self.label}", daemon=True)
        self._starter.start()

    def _start(self, child) -> None:
        try:
            with _START_LOCK, no_main_import():
                self.proc.start()
        finally:
            child.close()
        if self._closed:                         # closed while starting: it reads "stop" first; reap it here
            self._reap()

    def send(self, *msg) -> None:
        with self._send_lock:
            self.generation += msg[0] == "reset"
            try:
                self.conn.send(msg)
            except (BrokenPipeError, OSError):
                pass                             # the child is gone (or closed here); `alive` tells the owner

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
        return self._starter.is_alive() or self.proc.is_alive()

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
        """Stop the child and reap it; kill it if it does not stop in time. A child still starting gets
        "stop" as its first message and is reaped by the starting thread."""
        self._closed = True
        self.send("stop")
        self._starter.join(timeout)
        if not self._starter.is_alive():
            self._reap(timeout)
        with self._send_lock:
            self.conn.close()

    def _reap(self, timeout: float = 2.0) -> None:
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout)


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
