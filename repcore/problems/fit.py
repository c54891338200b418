"""Function fitting: regression on samples of the target."""
from __future__ import annotations

import torch
from torch import nn

from ..config import RunConfig
from .base import PROBLEMS, FunctionProblem


class FitProblem(FunctionProblem):
    """Function fitting: mean squared error on `points` random training points."""

    label = "fit the target"

    def __init__(self, cfg: RunConfig, device, dtype):
        super().__init__(cfg, device, dtype)
        x = self.sample(cfg.points)
        self.x, self.y = self.on_device(x), self.on_device(self.target(x.numpy()))[:, None]

    def losses(self, net: nn.Module) -> dict[str, torch.Tensor]:
        return {"mse": (net(self.x) - self.y).pow(2).mean()}


PROBLEMS.add("fit", FitProblem, "regression on samples of the target (mean squared error)")
