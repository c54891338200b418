"""How a session's lanes are paced (session.LiveSession): the epochs they train to together (goals), how far
ahead of the frame shown they may run, and which frames a saved run keeps. Pure functions of numbers."""
from __future__ import annotations

import math
from functools import lru_cache

from repcore import RunConfig
from repcore.snapshot import Snapshot

FRAMES = 100        # frames at least over a budget: a saved run replays smoothly
LEAD_S = 0.8        # training queued beyond the frame shown, in seconds of the slowest model (Pause settles within it)
SEGMENT_S = 0.25    # the goals' spacing while playing, in seconds of the slowest model: ~4 frames a second


def frame_every(steps: int) -> int:
    """Epochs between a saved run's frames: the largest 1-2-5 number giving at least FRAMES over `steps`."""
    nice = [m * 10 ** e for e in range(8) for m in (1, 2, 5)]
    return max([v for v in nice if v * FRAMES <= steps], default=1)


@lru_cache(maxsize=64)
def _divisors(n: int) -> tuple[int, ...]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return tuple(sorted({*small, *(n // d for d in small)}))


def segment(every: int, speed: float) -> int:
    """The goals' spacing: the largest divisor of `every` the slowest model trains in about SEGMENT_S
    (so every frame-grid epoch is a goal), 1 when its speed is not measured yet."""
    return max(d for d in _divisors(every) if d <= max(1.0, speed * SEGMENT_S))


def continuable(cfg: RunConfig) -> bool:
    """Whether training past the budget changes anything: not under a learning-rate schedule that ends at
    the budget (the forward PINN's cosine reaches 0 there)."""
    from repcore.problems import PROBLEMS
    from repcore.problems.base import Protocol
    protocol = getattr(PROBLEMS.get(cfg.problem), "PROTOCOL", Protocol()).resolve(cfg)
    now, longer = protocol.lr(cfg), protocol.lr(cfg.replace(steps=2 * cfg.steps + 1))
    return now is None or now(cfg.steps) == longer(cfg.steps)


def keep_frame(frames: list[Snapshot], s: Snapshot, limit: int) -> None:
    """Frames on a grid of epochs whose spacing doubles whenever they would exceed `limit` (so from limit / 2
    to limit of them, evenly spread); a snapshot between the grid's epochs is not kept; a reset starts over."""
    while frames and frames[-1].step >= s.step:
        frames.pop()
    if len(frames) > 1 and s.step % (frames[1].step - frames[0].step):
        return
    frames.append(s)
    if len(frames) > limit:
        stride = 2 * (frames[1].step - frames[0].step)
        frames[:] = [f for f in frames if f.step % stride == 0]