"""LiveSession: the training runs of ONE browser session, outside Streamlit's script thread.

Each model trains in its own child process (repcore.workers.Worker), so the server's GIL never
starves training and two models use two cores. The page calls `poll()` on every refresh: it takes
the snapshots that arrived and asks for the next ones; a worker that stops being asked (tab closed)
exits by itself.
`close()` (Reset with new settings, session end via weakref.finalize) stops and reaps the workers.
Histories are light records, thinned to at most `max_history` points, and each lane also keeps up to
`max_frames` full snapshots (the frames a saved run replays), so memory per session is bounded.
A restart (new settings, or Reset) keeps the previous run's light history as `ghost` (drawn faded
until the next restart) and says what changed in `notice`.
`record()` asks each worker for its weights and returns the session as a library.SavedRun.
"""
from __future__ import annotations

import time
import weakref
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from repcore import RunConfig
from repcore.library import MAX_SNAPSHOTS, LibraryError, SavedModel, SavedRun, add_frame
from repcore.snapshot import Snapshot, append_thinned
from repcore.workers import Worker


@dataclass
class Point:
    """One history entry per snapshot: what the over-time charts need, nothing heavy."""
    step: int
    wall: float
    losses: dict
    rel_l2: float
    spec_rel_err: np.ndarray
    extra: dict = field(default_factory=dict)
    spec_err: np.ndarray | None = None          # [K] |DFT(pred - true)| (the spectral page's heat map)


@dataclass
class Lane:
    """One model's state on the page."""
    cfg: RunConfig
    worker: Worker | None = None
    latest: Snapshot | None = None
    error: str = ""
    history: list[Point] = field(default_factory=list)
    frames: list[Snapshot] = field(default_factory=list)            # full snapshots, thinned (library.add_frame)
    weights: dict | None = None                                      # the last ("weights",) answer
    rate: deque = field(default_factory=lambda: deque(maxlen=30))    # (monotonic time, step) on receipt
    goal: int = 0                                                    # the step a Step under way ends at
    stopped: bool = False                                            # its worker ended by itself (lane.error says why)


@dataclass
class Ghost:
    """What the charts draw faded of the run before the last restart: its settings, history, last snapshot."""
    cfg: RunConfig
    history: list[Point]
    latest: Snapshot


NAMES = {"slope_scale": "ν", "freq": "k", "act": "activation", "lr": "learning rate", "steps": "budget"}


def describe_change(old: RunConfig, new: RunConfig) -> str:
    """'ν auto → 3, activation tanh → relu': the settings that differ, unset values read as auto."""
    a, b = old.to_query(), new.to_query()
    keys = [k for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k) and k != "model"]
    plain = lambda v: "auto" if v is None else f"{v:g}" if isinstance(v, float) else str(v)   # noqa: E731
    return ", ".join(f"{NAMES.get(k, k)} {plain(getattr(old, k))} → {plain(getattr(new, k))}" for k in keys)


def _close_all(lanes: dict) -> None:
    for lane in lanes.values():
        if lane.worker is not None:
            lane.worker.close()


class LiveSession:
    def __init__(self, max_history: int = 400, idle_timeout: float = 20.0, max_frames: int = MAX_SNAPSHOTS):
        self.lanes: dict[str, Lane] = {}
        self.ghost: dict[str, Ghost] = {}
        self.notice = ""                   # what the last restart changed (shown until the next one)
        self.playing = False
        self.max_history, self.max_frames = max_history, max_frames
        self.idle_timeout = idle_timeout
        self._finalizer = weakref.finalize(self, _close_all, self.lanes)

    # --- control
    def configure(self, cfgs: dict[str, RunConfig]) -> bool:
        """Make the lanes match `cfgs` (label -> config). Changed lanes restart from step 0, keeping
        their worker process; unchanged ones go on. Returns True if anything restarted."""
        before = {label: lane.cfg for label, lane in self.lanes.items()}
        if before and any(before.get(label) != cfg for label, cfg in cfgs.items()):
            old, new = next(iter(before.values())), next(iter(cfgs.values()))
            change = describe_change(old.replace(model=new.model), new)
            self._keep_ghost(f"Settings changed ({change}): training restarted at epoch 0" if change else "")
        changed = False
        for label in [k for k in self.lanes if k not in cfgs]:
            lane = self.lanes.pop(label)
            if lane.worker is not None:
                lane.worker.close()
            changed = True
        for label, cfg in cfgs.items():
            lane = self.lanes.get(label)
            if lane is not None and lane.cfg == cfg:
                continue      # a lane whose worker stopped keeps its progress and its message until Reset
            changed = True
            if lane is None or lane.worker is None or not lane.worker.alive:
                lane = self.lanes[label] = Lane(cfg, Worker(cfg, label, self.idle_timeout))
            else:
                lane.worker.send("reset", cfg)
                self.lanes[label] = Lane(cfg, lane.worker)
            if self.playing:
                self.lanes[label].worker.send("play")
        return changed

    def reset(self) -> None:
        """Back to step 0 with the same settings (and seed)."""
        self._keep_ghost("Reset: training restarted at epoch 0 with the same settings")
        for label, lane in self.lanes.items():
            if lane.worker is not None and lane.worker.alive:
                self.lanes[label] = Lane(lane.cfg, lane.worker)
                lane.worker.send("reset", lane.cfg)
            else:                  # stopped (page away too long) or crashed: a fresh process
                self.lanes[label] = Lane(lane.cfg, Worker(lane.cfg, label, self.idle_timeout))
        self.playing = False

    def _keep_ghost(self, notice: str) -> None:
        """Before a restart: the runs that got anywhere become the ghost, and the notice says why."""
        ghost = {label: Ghost(lane.cfg, list(lane.history), lane.latest) for label, lane in self.lanes.items()
                 if lane.latest is not None and lane.latest.step > 0}
        if ghost:
            self.ghost = ghost
            top = max(g.latest.step for g in ghost.values())
            self.notice = notice and f"{notice}. Faded: the previous run (reached epoch {top:,})."

    def play(self) -> None:
        self.playing = True
        for lane in self.lanes.values():
            lane.rate.clear()            # the rate is measured while playing only
        self._send("play")

    def pause(self) -> None:
        self.playing = False
        self._send("pause")

    def step(self, n: int) -> None:
        self.playing = False
        self._send("pause")
        self._send("step", n)
        for lane in self.lanes.values():
            lane.goal = min((lane.latest.step if lane.latest else 0) + n, lane.cfg.steps)

    def waiting(self) -> bool:
        """A snapshot is due soon without Play: a model starting (or reset) or a Step under way."""
        return any(not l.error and l.worker is not None and l.worker.alive
                   and (l.latest is None or (l.latest.status == "ok" and l.latest.step < l.goal)) for l in self.lanes.values())

    def close(self) -> None:
        self._finalizer()

    def _send(self, *msg) -> None:
        for lane in self.lanes.values():
            if lane.worker is not None:
                lane.worker.send(*msg)

    # --- data
    def poll(self) -> bool:
        """Take every waiting snapshot, then ask each worker for a fresh one (which is also its
        heartbeat). True if anything new arrived."""
        new = False
        for lane in self.lanes.values():
            if lane.worker is None:
                continue
            messages = lane.worker.poll()
            lane.worker.send("want")
            for kind, payload in messages:
                new = True
                if kind == "error":
                    lane.error = payload
                    continue
                if kind == "weights":
                    lane.weights = payload or {}
                    continue
                lane.error, lane.latest = "", payload
                lane.rate.append((time.monotonic(), payload.step))
                self._record(lane, payload)
                add_frame(lane.frames, payload, self.max_frames)
            if not lane.stopped and not lane.worker.alive:
                lane.stopped, new = True, True
                lane.error = self._stop_reason(lane)
        return new

    def _stop_reason(self, lane: Lane) -> str:
        at = f" at epoch {lane.latest.step:,}" if lane.latest is not None else ""
        code = lane.worker.proc.exitcode
        if code == 0:       # the child's only clean exit without a "stop" from us: nobody asked for idle_timeout s
            return (f"Training stopped{at}: the page sent no request for {self.idle_timeout:g} s (a hidden, asleep or "
                    f"overloaded tab), so its process ended. The charts keep what was reached; press Reset to start again.")
        return f"The training process ended unexpectedly{at} (exit code {code}). Press Reset to start again."

    def record(self, name: str, tags=(), timeout: float = 30.0) -> SavedRun:
        """The session as a saved run: per lane its config, frames and current weights, every model at the
        same epochs (the lanes pause, the ones behind catch up to the furthest, then each worker answers
        with its weights and a snapshot measured from them; frames kept at the steps all lanes share).
        Playing goes on afterwards."""
        lanes = {l: lane for l, lane in self.lanes.items() if lane.worker is not None and lane.latest is not None}
        if not lanes:
            raise LibraryError("nothing to save yet: no model has reported a snapshot")
        deadline = time.monotonic() + timeout
        for lane in lanes.values():
            lane.worker.send("pause")
        answers = self._weights(lanes, deadline)
        goal = max(a["snapshot"].step for a in answers.values())
        behind = {l: lanes[l] for l, a in answers.items()
                  if a["snapshot"].step < goal <= lanes[l].cfg.steps and a["snapshot"].status == "ok"}
        for label, lane in behind.items():
            lane.worker.send("step", goal - answers[label]["snapshot"].step)
        self._wait(lambda: all(lane.latest.step >= goal for lane in behind.values()), behind, deadline)
        answers.update(self._weights(behind, deadline))
        if self.playing:
            self._send("play")
        common = set.intersection(*[{f.step for f in lane.frames} for lane in lanes.values()])
        models = []
        for label, lane in lanes.items():
            last = answers[label]["snapshot"]
            frames = [f for f in lane.frames if f.step in common and f.step < last.step] + [last]
            models.append(SavedModel(label, lane.cfg, frames, answers[label]["weights"]))
        return SavedRun(name, models, list(tags))

    def _wait(self, done, lanes: dict, deadline: float) -> None:
        while not done():
            if time.monotonic() > deadline or not all(lane.worker.alive for lane in lanes.values()):
                raise LibraryError("a training process did not answer; press Reset and try again")
            time.sleep(0.05)
            self.poll()

    def _weights(self, lanes: dict, deadline: float) -> dict:
        """Each lane's ("weights",) answer {snapshot, weights} (not kept on the lane: weights can be megabytes)."""
        for lane in lanes.values():
            lane.weights = None
            lane.worker.send("weights")
        self._wait(lambda: all(lane.weights is not None for lane in lanes.values()), lanes, deadline)
        answers = {}
        for label, lane in lanes.items():
            answers[label], lane.weights = lane.weights, None
            if not answers[label]:
                raise LibraryError(f"{label}: no model to save ({lane.error or 'not started'})")
        return answers

    def _record(self, lane: Lane, s: Snapshot) -> None:
        point = Point(s.step, s.wall, s.losses, s.rel_l2, s.spec_rel_err, s.extra, s.spec_err)
        append_thinned(lane.history, point, self.max_history)

    def epochs_per_s(self, label: str) -> float:
        """Steps per second of real time over the last few snapshots (what the viewer sees)."""
        rate = self.lanes[label].rate
        if len(rate) < 2 or rate[-1][0] - rate[0][0] < 1.0:     # receipt times are only as fine as the refresh
            return 0.0
        return (rate[-1][1] - rate[0][1]) / (rate[-1][0] - rate[0][0])

    def finished(self) -> bool:
        """Nothing left to train: every lane reached its budget, diverged, failed or stopped."""
        return all(l.error or (l.latest is not None and l.latest.status != "ok") for l in self.lanes.values())
