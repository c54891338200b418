"""A small MLP on one coordinate (a time or a time lag), the place where RepNet's first layer belongs in
an operator: the coordinate network must produce fast oscillations of t.

    x_hat [n, 1] in [-1, 1] --first--> [n, width] --tanh--> (Linear, tanh) x (depth - 1) --head--> [n, out]

depth 1 is the shallow net of the paper's analysis, h = sum_i c_i tanh(W_i (x_hat + B_i)) + c_0: with
RepNet's first layer its units are steps of width ~1/nu spread evenly over the coordinate (a basis that
can draw fast oscillations); with a plain first layer they are smooth and their centres -b/w scattered.

Twins: "vanilla" and the RepNet variants differ only in the first layer; the hidden layers and the
head come from one generator stream, so one seed gives both the same body (RepNet = vanilla + one
different first layer, DESIGN habit 4). The head starts at zero: no random initial function.
"""
from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from ..registry import Registry
from ..repnet import sample_layer

FIRST_SEED_OFFSET = 1_000_003   # the first layer's own stream (as repcore.models)


def uniform_(layer: nn.Linear, gen: torch.Generator) -> nn.Linear:
    """PyTorch's default law U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases, drawn from `gen`."""
    bound = layer.weight.shape[1] ** -0.5
    with torch.no_grad():
        for p in (layer.weight, layer.bias):
            p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * bound)
    return layer


def _vanilla(width: int, nu: float, gen: torch.Generator) -> nn.Module:
    return uniform_(nn.Linear(1, width), gen)


MULTISCALE_MIN = 0.1     # the log-uniform slope law's smallest nu_i, as a fraction of nu


def _repnet(param: str, slope_law: str = "single") -> Callable[[int, float, torch.Generator], nn.Module]:
    return lambda width, nu, gen: sample_layer(1, width, nu, "uniform", gen, param, slope_law, MULTISCALE_MIN * nu)


# name -> (width, nu, gen) -> first layer on x_hat [n, 1]
FIRST_LAYERS: Registry[Callable[[int, float, torch.Generator], nn.Module]] = Registry("first layer")
FIRST_LAYERS.add("vanilla", _vanilla, "nn.Linear with PyTorch's default init (partition points -b/w, heavy-tailed)")
FIRST_LAYERS.add("repnet", _repnet("direct"), "RepNet: z = W (x_hat + B), W ~ N(0, nu^2) trained, B ~ U(-1, 1)")
FIRST_LAYERS.add("repnet-rwf", _repnet("factorized"), "RepNet with W = exp(s) V, s = log nu at the start, both trained")
FIRST_LAYERS.add("repnet-multiscale", _repnet("direct", "log-uniform"),
                 "RepNet with nu_i spread log-uniformly over [nu / 10, nu] (a multi-scale slope law)")


class CoordNet(nn.Module):
    """forward(x_hat [n, 1]) -> [n, out]; `features` gives the last hidden layer [n, width]."""

    def __init__(self, first: str, width: int, depth: int, out: int, nu: float, seed: int):
        super().__init__()
        self.first = FIRST_LAYERS.get(first)(width, nu, torch.Generator().manual_seed(seed + FIRST_SEED_OFFSET))
        gen = torch.Generator().manual_seed(seed)
        self.hidden = nn.ModuleList(uniform_(nn.Linear(width, width), gen) for _ in range(depth - 1))
        self.head = nn.Linear(width, out)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def features(self, x_hat: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(self.first(x_hat))
        for layer in self.hidden:
            h = torch.tanh(layer(h))
        return h

    def forward(self, x_hat: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x_hat))
