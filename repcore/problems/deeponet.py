"""Operator learning on real earthquake records: DeepONet (Lu et al. 2021) maps a ground-motion
window a_g (branch input, WINDOW_S s at RATE Hz) to the response of an SDOF structure at any time t
(trunk input): G(a)(t) = Σ_k w_k b_k(a) τ_k(t) + b0. The trunk is the model under test (vanilla or
RepNet first layer on t); the branch is always a vanilla MLP. The weights w start at zero for
`--head zero` (no random initial output), like the output layer of the other problems.
Data and ground truth: targets/seismic.py. The config's target, freq and domain are not used here.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..config import RunConfig
from ..models import Net, Network, build
from ..targets import seismic, significant_cycles
from .base import PROBLEMS, Grids, Problem

TRUNK_POINTS = 250       # training times per window (every other sample); tests use all samples


class DeepONet(Network):
    """extra_losses: none (Network's default), as in the first releases: a LAAF trunk's slope-recovery
    term is not added here."""

    def __init__(self, branch: Net, trunk: Net, width: int, zero_head: bool):
        super().__init__()
        self.branch, self.trunk = branch, trunk
        self.w = nn.Parameter(torch.zeros(width) if zero_head else torch.randn(width) / width ** 0.5)
        self.b0 = nn.Parameter(torch.zeros(()))

    def forward(self, a: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """a: [N, m] windows, t: [n_t, 1] times -> [N, n_t]."""
        return (self.branch.features(a) * self.w) @ self.trunk.features(t).T + self.b0

    def partition_points(self) -> np.ndarray:
        """The trunk's first-layer partition points, in seconds."""
        return self.trunk.partition_points()


class OperatorProblem(Problem):
    """A fixed set of windows (no redraw, so resample 0) under the first releases' protocol."""
    label, solution = "operator: earthquake → structure", "SDOF response to real ground motions"
    has_target = False
    probes = ({"width": 8},)

    def __init__(self, cfg: RunConfig, device, dtype):
        super().__init__(cfg)
        train_w, test_w = seismic.windows(seismic.records(seismic.TRAIN_RECORDS)), seismic.windows(seismic.records(seismic.TEST_RECORDS))
        train_r, test_r = seismic.response(train_w), seismic.response(test_w)
        n = train_w.shape[1]
        t = np.arange(n) / seismic.RATE
        self.lo, self.hi = 0.0, float(n / seismic.RATE)
        on = lambda x: torch.as_tensor(x, dtype=dtype, device=device)   # noqa: E731
        self.a, self.t = on(train_w), on(t[::n // TRUNK_POINTS][:, None])
        self.y = on(train_r[:, ::n // TRUNK_POINTS])
        self.a_test, self.t_test, self.y_test = on(test_w), on(t[:, None]), test_r
        self.top_cycles = float(np.median([significant_cycles(r) for r in train_r]))
        self.grids = Grids(t, test_r[0], t[:, None], test_r[0], device, dtype)
        self.windows = (len(train_w), len(test_w))

    def make_net(self, cfg: RunConfig, nu: float) -> DeepONet:
        m = self.a.shape[1]
        branch = build(cfg.replace(model="vanilla"), [-1.0] * m, [1.0] * m, nu)
        trunk = build(cfg, [self.lo], [self.hi], nu)
        return DeepONet(branch, trunk, cfg.width, cfg.head == "zero")

    def losses(self, net: DeepONet) -> dict[str, torch.Tensor]:
        return {"mse": (net(self.a, self.t) - self.y).pow(2).mean()}

    @torch.no_grad()
    def evaluate(self, net: DeepONet) -> tuple[np.ndarray, float]:
        pred = net(self.a_test, self.t_test).double().cpu().numpy()
        err = np.linalg.norm(pred - self.y_test) / np.linalg.norm(self.y_test)
        return pred[0], float(err)

    def extra(self) -> dict[str, float]:
        return {"train_windows": float(self.windows[0]), "test_windows": float(self.windows[1])}


PROBLEMS.add("earthquake", OperatorProblem,
             "DeepONet: real ObsPy ground motions -> SDOF structural response (trunk = the model under test)")
