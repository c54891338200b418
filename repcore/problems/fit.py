"""Function fitting: regression on samples of the target."""
from __future__ import annotations

import torch
from torch import nn

from ..config import RunConfig
from .base import PROBLEMS, FunctionProblem


class FitProblem(FunctionProblem):
    """Function fitting: mean squared error on `points` random training points (or a data target's samples)."""
    fits_data, redraws = True, True
    label = "fit the target"
    probes = ({"target": "multiscale4d"},)        # besides every model's own (models.ModelSpec.probes)

    def __init__(self, cfg: RunConfig, device, dtype):
        super().__init__(cfg, device, dtype)
        self.n = cfg.points
        self.redraw()

    def redraw(self) -> None:
        """Training points from the data stream (a data target: its training split, the same every time)."""
        x, y = self.training_set(self.n)
        self.x, self.y = self.on_device(x), self.on_device(y)[:, None]

    def losses(self, net: nn.Module) -> dict[str, torch.Tensor]:
        return {"mse": (net(self.x) - self.y).pow(2).mean()}


PROBLEMS.add("fit", FitProblem, "regression on samples of the target (mean squared error)")
