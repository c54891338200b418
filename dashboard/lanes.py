"""One model's state on a training page (Lane), its light history (Point), the run before the last restart
drawn faded (Ghost), and what changed between two sets of lanes, in words (describe_change)."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from repcore import RunConfig
from repcore.snapshot import Snapshot
from repcore.targets import PRESETS
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
    latest: Snapshot | None = None                                   # the frame shown: every lane has one at its epoch
    error: str = ""
    history: list[Point] = field(default_factory=list)
    frames: list[Snapshot] = field(default_factory=list)            # full snapshots on the frame grid, thinned
    weights: dict | None = None                                      # the last ("weights",) answer
    rate: deque = field(default_factory=lambda: deque(maxlen=30))    # (monotonic time, step) as the frame moves
    ahead: dict = field(default_factory=dict)                        # step -> Snapshot arrived, not yet shown
    queued: int = 0                                                  # the last goal sent to the worker
    speed: float = 0.0                                               # training steps per second (snapshot wall clock)
    stopped: bool = False                                            # its worker ended by itself (lane.error says why)

    @property
    def newest(self) -> Snapshot | None:
        return self.ahead[max(self.ahead)] if self.ahead else self.latest

    @property
    def active(self) -> bool:
        """Still training or able to: a live worker, no error, not at its end (budget or divergence)."""
        s = self.newest
        return (self.worker is not None and self.worker.alive and not self.error
                and (s is None or s.status != "diverged" and s.step < self.cfg.steps))     # done: until a new budget


@dataclass
class Ghost:
    """What the charts draw faded of the run before the last restart: its settings, history, last snapshot."""
    cfg: RunConfig
    history: list[Point]
    latest: Snapshot


NAMES = {"slope_scale": "ν", "freq": "k", "act": "activation", "lr": "learning rate", "steps": "budget"}


def _value(cfg: RunConfig, key: str):
    """A setting as trained: an unset frequency is the preset's own (sine: 10), not "auto"."""
    if key == "freq" and cfg.freq is None and cfg.target in PRESETS:
        return float(PRESETS.get(cfg.target).k)
    return getattr(cfg, key)


def describe_change(old: dict[str, RunConfig], new: dict[str, RunConfig]) -> str:
    """'ν auto → 3, activation tanh → relu, models +fourier': what differs between two sets of lanes
    (label -> config), unset values read as auto."""
    a, b = next(iter(old.values())), next(iter(new.values()))
    qa, qb = a.replace(model=b.model).to_query(), b.to_query()
    keys = [k for k in dict.fromkeys([*qa, *qb]) if qa.get(k) != qb.get(k) and k != "model"]
    plain = lambda v: "auto" if v is None else f"{v:g}" if isinstance(v, float) else str(v)   # noqa: E731
    said = [f"{NAMES.get(k, k)} {plain(_value(a, k))} → {plain(_value(b, k))}" for k in keys]
    models = [f"+{k}" for k in new if k not in old] + [f"−{k}" for k in old if k not in new]
    return ", ".join(said + ([f"models {' '.join(models)}"] if models else []))
