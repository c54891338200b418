"""Problems: what a run learns, as named loss terms. One training loop (train.py) serves them all.

A problem owns its data on the device and tells the loop:
    make_net(cfg, nu) -> nn.Module           the network (function problems: models.build)
    losses(net)       -> {name: scalar}      summed for the gradient step
    evaluate(net)     -> (pred_line [g], rel_l2)   the solution on the display line, the test error
    extra()           -> {name: float}       problem-specific readouts (a recovered coefficient)
    params()          -> [tensor]            extra trainable tensors (an unknown coefficient)
and exposes `grids` (display line, test set), `lo`/`hi` (display domain along axis 1) and
`top_cycles` (highest significant frequency, for the auto slope scale).

Function problems (fit.py, PINNs in pinn.py) learn u(x) on a box with a known exact u (the target).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import nn

from ..config import RunConfig
from ..models import build
from ..registry import Registry
from ..targets import Target, line, resolve, sample_box, top_frequency

DATA_SEED_OFFSET = 7_777_777   # training data: its own stream, identical for every model with one seed
TEST_SEED_OFFSET = 9_999_991


class Grids:
    """The display line (periodic along x1, right end excluded, so DFT bins are whole cycles) and the
    dense test set (a grid in 1-D, random points in d > 1), built once per run on the device."""

    def __init__(self, x_line: np.ndarray, true_line: np.ndarray, test: np.ndarray, true_test: np.ndarray, device, dtype):
        self.x_line, self.true_line, self.true_test = x_line, true_line, true_test
        self.test = torch.as_tensor(test, dtype=dtype, device=device)

    @classmethod
    def for_target(cls, target: Target, cfg: RunConfig, device, dtype) -> "Grids":
        xl = line(target, cfg.grid + 1)[:-1]
        if target.dim == 1:
            xt = np.linspace(target.lo[0], target.hi[0], cfg.test_points)[:, None]
        else:
            xt = sample_box(target, cfg.test_points, torch.Generator().manual_seed(cfg.seed + TEST_SEED_OFFSET)).numpy()
        grids = cls(xl[:, 0], target(xl), xt, target(xt), device, dtype)
        grids.line = torch.as_tensor(xl, dtype=dtype, device=device)
        return grids


class FunctionProblem:
    """Base for problems whose solution is a function u(x) on the target's box, known exactly.
    Class traits (read by the dashboard through the PROBLEMS registry, so no code tests problem names):
    label (what a user picks), solution (what the display line shows), needs_smooth_activation (the loss
    holds second derivatives: a ReLU net's are zero almost everywhere), has_target (a target expression
    defines the solution)."""

    label = "function problem"
    solution = "target"
    needs_smooth_activation = False
    has_target = True

    def __init__(self, cfg: RunConfig, device, dtype):
        self.target = resolve(cfg.target, cfg.freq, cfg.domain)
        self.lo, self.hi = float(self.target.lo[0]), float(self.target.hi[0])
        self.top_cycles = top_frequency(self.target)
        self.grids = Grids.for_target(self.target, cfg, device, dtype)
        self.gen = torch.Generator().manual_seed(cfg.seed + DATA_SEED_OFFSET)
        self.device, self.dtype = device, dtype

    def sample(self, n: int) -> torch.Tensor:
        """n training points uniform in the box, float64 on the CPU (seeded: the same for every model)."""
        return sample_box(self.target, n, self.gen)

    def on_device(self, x) -> torch.Tensor:
        return torch.as_tensor(x, dtype=self.dtype, device=self.device)

    def make_net(self, cfg: RunConfig, nu: float) -> nn.Module:
        return build(cfg, self.target.lo, self.target.hi, nu)

    def params(self) -> list[torch.Tensor]:
        return []

    def extra(self) -> dict[str, float]:
        return {}

    @torch.no_grad()
    def evaluate(self, net: nn.Module) -> tuple[np.ndarray, float]:
        g = self.grids
        pred_test = net(g.test)[:, 0].double().cpu().numpy()
        err = np.linalg.norm(pred_test - g.true_test) / max(np.linalg.norm(g.true_test), 1e-300)
        return net(g.line)[:, 0].double().cpu().numpy(), float(err)


ProblemFactory = Callable[[RunConfig, torch.device, torch.dtype], FunctionProblem]
PROBLEMS: Registry[ProblemFactory] = Registry("problem", field="problem")
