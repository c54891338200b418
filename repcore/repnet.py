"""The RepNet first layer and the laws that place its partition points.

Our reading of RepNet / RepNN (Wang, Zhou, Meng, arXiv 2606.16575; only the abstract is public, see
docs/method.md "What the paper says, and what we chose"). Inputs are first mapped to the box [-1, 1]^d. Neuron i
of the first hidden layer computes

    z_i = sum_j W_ij * (x_j + B_ij)          W: [width, d] ~ N(0, nu^2)   B: [width, d] in [-1, 1]^d

so its hyperplane {z_i = 0} passes through the point -B_i, whatever W_i is. In 1-D, -B_i IS the
partition point (ReLU breakpoint) of neuron i, and nu (the slope scale) sets the steepness without
moving it. Both W ("slope") and B ("points") are trainable by default: adaptive frequency scaling.

Variants (RunConfig slope_param, slope_law; docs/method.md "RepNet's variants"), all with the same W at the start:
    factorized  W = exp(s_i) V with V and the per-neuron log-scale s_i trained, s_i = log nu_i at the start
                (random weight factorization, Wang, Wang & Perdikaris 2022, without their random s).
                The default: it beat `direct` on every benchmark and on targets nobody tuned for
    direct      W ~ N(0, nu^2) is the trained tensor (the first releases; nu acts only at initialization)
    reparam     W = nu_i V, V ~ N(0, 1) trained, nu_i fixed: a true reparameterization. Gradient descent
                then moves W nu_i^2 times faster (Adam, scale-free per tensor: nu_i times faster)
    single      nu_i = nu for every neuron;  log-uniform: nu_i spread evenly in log over [slope_min, nu]
                (a multi-scale slope law, RepNet's analogue of multi-scale Fourier features)
"""
from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as np
import torch
from torch import nn

from .errors import UserError
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

    def slopes(self) -> torch.Tensor:
        """W: [width, d] (differentiable)."""
        return self.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.slopes()
        return torch.addmm((w * self.shift).sum(1), x, w.t())

    def partition_points(self) -> torch.Tensor:
        """Points -B: [width, d], in box coordinates [-1, 1]^d (1-D: the ReLU breakpoints)."""
        return -self.shift.detach()


class ScaledRepLayer(RepLayer):
    """RepLayer with W = scale_i V_i: scale fixed (reparam) or exp(log_scale) trained (factorized)."""

    def __init__(self, v: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor, train_scale: bool,
                 train_slope: bool = True, train_points: bool = True):
        nn.Module.__init__(self)
        self.v = nn.Parameter(v.clone(), requires_grad=train_slope)
        self.shift = nn.Parameter(shift.clone(), requires_grad=train_points)
        self.train_scale = train_scale
        if train_scale:
            self.log_scale = nn.Parameter(scale.log().reshape(-1, 1).clone())
        else:
            self.register_buffer("scale", scale.reshape(-1, 1).clone())

    def scales(self) -> torch.Tensor:
        """nu_i: [width, 1]."""
        return self.log_scale.exp() if self.train_scale else self.scale

    def slopes(self) -> torch.Tensor:
        return self.v * self.scales()

    @property
    def weight(self) -> torch.Tensor:
        return self.slopes().detach()


def _single(width: int, nu: float, nu_min: float) -> torch.Tensor:
    return torch.full((width,), float(nu))


def _log_uniform(width: int, nu: float, nu_min: float) -> torch.Tensor:
    if not 0 < nu_min <= nu:
        raise UserError(f"slope_min: {nu_min:g} must not exceed the slope scale {nu:g}")
    return torch.logspace(math.log10(nu_min), math.log10(nu), width, dtype=torch.float64).float()


# name -> (width, nu, nu_min) -> nu_i [width]
SLOPE_LAWS: Registry[Callable[[int, float, float], torch.Tensor]] = Registry("slope law", field="slope_law")
SLOPE_LAWS.add("single", _single, "every neuron's W ~ N(0, nu^2) (the first releases)")
SLOPE_LAWS.add("log-uniform", _log_uniform, "nu_i evenly spaced in log over [slope_min, nu]: a multi-scale slope law")

# name -> does it build a ScaledRepLayer, and is the scale trained?  (None: plain RepLayer)
SLOPE_PARAMS: Registry[Optional[bool]] = Registry("slope parameterization", field="slope_param")
SLOPE_PARAMS.add("factorized", True, "W = exp(s_i) V, V and s_i trained, s_i = log nu_i at the start (Wang et al. 2022; the default)")
SLOPE_PARAMS.add("direct", None, "W ~ N(0, nu_i^2) is trained; nu only sets the start (the first releases)")
SLOPE_PARAMS.add("reparam", False, "W = nu_i V, V ~ N(0, 1) trained, nu_i fixed (a true reparameterization)")


def sample_layer(dim: int, width: int, nu: float, law: str, gen: torch.Generator, param: str = "factorized",
                 slope_law: str = "single", nu_min: float = 1.0, **trainable) -> RepLayer:
    """A RepNet first layer for any variant; every variant draws V ~ N(0, 1) and B from `gen` in the same
    order, so one seed gives the same W = nu_i V at the start whatever the parameterization."""
    if param == "direct" and slope_law == "single":
        return RepLayer.sample(dim, width, nu, law, gen, **trainable)      # the first releases, bit for bit
    nus = SLOPE_LAWS.get(slope_law)(width, nu, nu_min)[:, None]
    v = torch.randn(width, dim, generator=gen)
    shift = sample_shifts(law, width, dim, gen)
    train_scale = SLOPE_PARAMS.get(param)
    if train_scale is None:
        return RepLayer(v * nus, shift, **trainable)
    return ScaledRepLayer(v, shift, nus, train_scale, **trainable)
