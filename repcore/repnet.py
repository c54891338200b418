"""The RepNet first layer and the laws that place its partition points.

Our reading of RepNet / RepNN (Wang, Zhou, Meng, arXiv 2606.16575; only the abstract is public, see
README "What the paper says and what we chose"). Inputs are first mapped to the box [-1, 1]^d. Neuron i
of the first hidden layer computes

    z_i = sum_j W_ij * (x_j + B_ij)          W: [width, d] ~ N(0, nu^2)   B: [width, d] in [-1, 1]^d

so its hyperplane {z_i = 0} passes through the point -B_i, whatever W_i is. In 1-D, -B_i IS the
partition point (ReLU breakpoint) of neuron i, and nu (the slope scale) sets the steepness without
moving it. Both W ("slope") and B ("points") are trainable by default: adaptive frequency scaling.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch import nn

from .registry import Registry

# A law maps uniform numbers u in (0, 1) (NumPy array) to shifts B in [-1, 1]: its inverse CDF. One
# function serves sampling (u random) and the quadrature of the magnitude estimates (u on nodes).
POINT_LAWS: Registry[Callable[[np.ndarray], np.ndarray]] = Registry("partition-point law", field="law")
POINT_LAWS.add("uniform", lambda u: 2 * u - 1,
               "U(-1, 1): points spread evenly over the input box on average (the paper's 'well distributed')")
POINT_LAWS.add("chebyshev", lambda u: -np.cos(math.pi * u),
               "arcsine (Chebyshev) density: points crowd toward the edges of the box, as Chebyshev nodes do")
POINT_LAWS.add("center", lambda u: 0.25 * (2 * u - 1),
               "U(-1/4, 1/4): all points near the middle; an ablation that mimics a poorly spread vanilla layer")


def sample_shifts(law: str, width: int, dim: int, gen: torch.Generator) -> torch.Tensor:
    """B: [width, dim] drawn from the named law, independently per neuron and axis."""
    u = torch.rand(width, dim, generator=gen, dtype=torch.float64).numpy()
    return torch.from_numpy(POINT_LAWS.get(law)(u)).float()


class RepLayer(nn.Module):
    """z = sum_j W_ij (x_j + B_ij) for x: [n, d] -> z: [n, width]. No separate bias parameter."""

    def __init__(self, weight: torch.Tensor, shift: torch.Tensor, train_slope: bool = True, train_points: bool = True):
        super().__init__()
        if weight.shape != shift.shape:
            raise ValueError(f"weight {tuple(weight.shape)} and shift {tuple(shift.shape)} must match")
        self.weight = nn.Parameter(weight.clone(), requires_grad=train_slope)
        self.shift = nn.Parameter(shift.clone(), requires_grad=train_points)

    @classmethod
    def sample(cls, dim: int, width: int, nu: float, law: str, gen: torch.Generator, **trainable) -> "RepLayer":
        weight = torch.randn(width, dim, generator=gen) * nu
        return cls(weight, sample_shifts(law, width, dim, gen), **trainable)

    @classmethod
    def from_linear(cls, linear: nn.Linear, **trainable) -> "RepLayer":
        """The same function as `linear`, in RepNet coordinates: B_i = b_i W_i / |W_i|^2, so -B_i is
        the point of neuron i's hyperplane closest to the box centre (1-D: B = b / W)."""
        w, b = linear.weight.detach(), linear.bias.detach()
        norm2 = (w * w).sum(1, keepdim=True)
        if bool((norm2 == 0).any()):
            raise ValueError("a neuron with all-zero weights has no hyperplane to reparameterize")
        return cls(w, b[:, None] * w / norm2, **trainable)

    def effective_bias(self) -> torch.Tensor:
        """b_i = sum_j W_ij B_ij: [width]."""
        return (self.weight * self.shift).sum(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.effective_bias(), x, self.weight.t())

    def partition_points(self) -> torch.Tensor:
        """Points -B: [width, d], in box coordinates [-1, 1]^d (1-D: the ReLU breakpoints)."""
        return -self.shift.detach()
