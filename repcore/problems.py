"""Problems: what a run learns, as named loss terms. One training loop (train.py) serves them all.

A problem owns its data on the device and answers three questions:
    losses(net)      -> {name: scalar tensor}   summed for the gradient step
    evaluate(net)    -> (pred_line [g], rel_l2)  the solution on the display line and the test error
    extra()          -> {name: float}            problem-specific readouts (e.g. a recovered coefficient)
plus `params()`, extra trainable tensors (an inverse problem's unknown coefficient).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np
import torch

from .models import Net
from .registry import Registry
from .targets import Target, line, sample_box

if TYPE_CHECKING:
    from .config import RunConfig

DATA_SEED_OFFSET = 7_777_777   # training data: its own stream, identical for every model with one seed
TEST_SEED_OFFSET = 9_999_991


class Grids:
    """The display line (periodic along x1, right end excluded, so DFT bins are whole cycles) and the
    dense test set (a grid in 1-D, random points in d > 1), built once per run on the device."""

    def __init__(self, target: Target, cfg: "RunConfig", device, dtype):
        lo, hi = target.lo, target.hi
        xl = line(target, cfg.grid + 1)[:-1]
        if target.dim == 1:
            xt = np.linspace(lo[0], hi[0], cfg.test_points)[:, None]
        else:
            xt = sample_box(target, cfg.test_points, torch.Generator().manual_seed(cfg.seed + TEST_SEED_OFFSET)).numpy()
        self.x_line = xl[:, 0]
        self.line = torch.as_tensor(xl, dtype=dtype, device=device)
        self.true_line = target(xl)
        self.test = torch.as_tensor(xt, dtype=dtype, device=device)
        self.true_test = target(xt)


class FitProblem:
    """Function fitting: mean squared error on `points` random training points."""

    def __init__(self, cfg: "RunConfig", target: Target, device, dtype):
        gen = torch.Generator().manual_seed(cfg.seed + DATA_SEED_OFFSET)
        x = sample_box(target, cfg.points, gen)
        self.x = x.to(device, dtype)
        self.y = torch.as_tensor(target(x.numpy()), dtype=dtype, device=device)[:, None]
        self.grids = Grids(target, cfg, device, dtype)

    def params(self) -> list[torch.Tensor]:
        return []

    def losses(self, net: Net) -> dict[str, torch.Tensor]:
        return {"mse": (net(self.x) - self.y).pow(2).mean()}

    @torch.no_grad()
    def evaluate(self, net: Net) -> tuple[np.ndarray, float]:
        g = self.grids
        pred_test = net(g.test)[:, 0].double().cpu().numpy()
        err = np.linalg.norm(pred_test - g.true_test) / max(np.linalg.norm(g.true_test), 1e-300)
        return net(g.line)[:, 0].double().cpu().numpy(), float(err)

    def extra(self) -> dict[str, float]:
        return {}


ProblemFactory = Callable[["RunConfig", Target, torch.device, torch.dtype], FitProblem]
PROBLEMS: Registry[ProblemFactory] = Registry("problem")
PROBLEMS.add("fit", FitProblem, "regression on samples of the target (mean squared error)")
