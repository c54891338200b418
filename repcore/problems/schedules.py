"""Learning-rate schedules by name: the factor that multiplies cfg.lr at optimizer step n (0-based: the
first step uses factor(0), as PyTorch's LambdaLR does when stepped after each optimizer step).

    constant      1
    inverse-time  1 / (1 + rate n / decay_steps), continuous (no staircase): DeepXDE's "inverse time"
                  decay as its PyTorch backend implements it; its multiscale Poisson example uses
                  decay_steps 2000, rate 0.9 (our RunConfig defaults), so lr(10 000) = lr / 5.5
    cosine        (1 + cos(pi n / steps)) / 2: from lr down to 0 at the last step (Loshchilov & Hutter 2017,
                  without restarts)

"auto" is no schedule of its own: the problem picks one (base.py, Problem.PROTOCOL); the loop's lr at
step n is Protocol.lr.
"""
from __future__ import annotations

import math
from typing import Callable, Optional

from ..config import RunConfig
from ..registry import Registry

Schedule = Callable[[int, RunConfig], float]

SCHEDULES: Registry[Optional[Schedule]] = Registry("learning-rate schedule", field="schedule")
SCHEDULES.add("auto", None, "the problem's own: cosine for the forward PINN, constant otherwise (problems/pinn.py)")
SCHEDULES.add("constant", lambda n, cfg: 1.0, "the learning rate throughout")
SCHEDULES.add("inverse-time", lambda n, cfg: 1.0 / (1.0 + cfg.decay_rate * n / cfg.decay_steps),
              "lr / (1 + decay_rate * step / decay_steps) (DeepXDE's inverse-time decay)")
SCHEDULES.add("cosine", lambda n, cfg: 0.5 * (1.0 + math.cos(math.pi * min(n / max(cfg.steps, 1), 1.0))),
              "cosine from lr to 0 at the last step")
