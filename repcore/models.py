"""Networks by name. Every model is the same MLP body (hidden layers and head drawn from the seed with
the `init` law) behind a first layer that the model chooses. So vanilla and RepNet with one seed share
every layer but the first, and a difference in their curves is the first layer's doing.

    x [n, d] --box map--> x_hat in [-1, 1]^d --first--> z [n, width] --act--> (hidden, act)* --head--> [n, 1]
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np
import torch
from torch import nn

from .activations import ACTIVATIONS
from .inits import INITS
from .layers import RepLayer
from .registry import Registry

if TYPE_CHECKING:
    from .config import RunConfig

BODY_SEED_OFFSET = 0          # hidden layers and head: same stream for every model
FIRST_SEED_OFFSET = 1_000_003  # first layer: a separate stream, so changing it leaves the body alone


class Net(nn.Module):
    """An MLP on the box [lo, hi]: forward takes data coordinates x [n, d] and returns [n, 1]."""

    def __init__(self, first: nn.Module, act: str, width: int, depth: int, lo, hi):
        super().__init__()
        self.first = first
        self.act_name = act
        self.act = ACTIVATIONS.get(act).torch_fn
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth - 1))
        self.head = nn.Linear(width, 1)
        self.register_buffer("lo", torch.as_tensor(lo, dtype=torch.float32))
        self.register_buffer("hi", torch.as_tensor(hi, dtype=torch.float32))

    def to_box(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.lo) * (2 / (self.hi - self.lo)) - 1

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Last hidden layer [n, width]."""
        h = self.act(self.first(self.to_box(x)))
        for layer in self.hidden:
            h = self.act(layer(h))
        return h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def partition_points(self) -> np.ndarray:
        """First-layer partition points along x1 in data coordinates: [width] (1-D breakpoints:
        z_i(x) = 0; RepNet: -B_i; vanilla: -b_i / w_i, inf for w_i = 0)."""
        first = self.first
        if isinstance(first, RepLayer):
            p = first.partition_points()[:, 0]
        elif isinstance(first, nn.Linear):
            w, b = first.weight.detach()[:, 0], first.bias.detach()
            p = torch.where(w != 0, -b / w, torch.full_like(b, float("inf")))
        else:
            return np.zeros(0)
        lo, hi = self.lo.reshape(-1)[0], self.hi.reshape(-1)[0]
        return (lo + (p.double().cpu() + 1) * (hi - lo) / 2).numpy()


def _vanilla_first(cfg: "RunConfig", dim: int, nu: float, gen: torch.Generator) -> nn.Module:
    return INITS.get(cfg.init).fill_(nn.Linear(dim, cfg.width), gen)


def _repnet_first(cfg: "RunConfig", dim: int, nu: float, gen: torch.Generator) -> nn.Module:
    return RepLayer.sample(dim, cfg.width, nu, cfg.law, gen, train_slope=cfg.train_slope, train_points=cfg.train_points)


FirstLayer = Callable[["RunConfig", int, float, torch.Generator], nn.Module]
MODELS: Registry[FirstLayer] = Registry("model")
MODELS.add("vanilla", _vanilla_first, "plain MLP: first layer drawn like the others (the `init` law)")
MODELS.add("repnet", _repnet_first, "RepNet: first layer z = W (x_hat + B), W ~ N(0, nu^2), B from the point law")


def build(cfg: "RunConfig", lo, hi, nu: float) -> Net:
    """The network for `cfg` on the box [lo, hi] (arrays [d]); `nu` is the resolved slope scale."""
    dim = len(lo)
    first = MODELS.get(cfg.model)(cfg, dim, nu, torch.Generator().manual_seed(cfg.seed + FIRST_SEED_OFFSET))
    net = Net(first, cfg.act, cfg.width, cfg.depth, lo, hi)
    gen = torch.Generator().manual_seed(cfg.seed + BODY_SEED_OFFSET)
    fill = INITS.get(cfg.init).fill_
    for layer in net.hidden:
        fill(layer, gen)
    fill(net.head, gen)
    if cfg.head == "zero":
        nn.init.zeros_(net.head.weight)
        nn.init.zeros_(net.head.bias)
    return net
