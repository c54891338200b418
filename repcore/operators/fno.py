"""A 1-D Fourier neural operator (Li et al. 2021, "Fourier neural operator for parametric PDEs"), written
here from its description; the anchor of the earthquake benchmark (the author's 3.61 % test rel. L2).

    load a [B, n], time t [n] --lift--> v0 [B, width, n]
    v_{l+1} = act(K_l v_l + W_l v_l),  l = 0..layers-1 (no act after the last layer)
        K_l: real FFT along time, keep the `modes` lowest frequencies, mix channels there with a learned
             complex matrix per frequency [width, width, modes], inverse FFT (higher frequencies -> 0)
        W_l: a pointwise linear map of the channels (a 1x1 convolution)
    --project--> width -> 128 -> act -> 1: the response [B, n]

The lift reads (a(t), t / T) with one linear layer, as the author's script does (`lift="linear"`).
`lift="none"` drops t (a time-invariant operator); `lift="repnet"` / `"vanilla-mlp"` add learned
features of t: a RepNet first layer (repnet.sample_layer, the paper's layer reading the time
coordinate) or a plain linear one, then tanh and a linear map to the channels.
"""
from __future__ import annotations

import torch
from torch import nn

from ..registry import Registry
from .coordnet import CoordNet, uniform_

PROJECT_WIDTH = 128     # the hidden width of the projection, as in the reference FNO
ACTS: Registry = Registry("FNO activation")
ACTS.add("relu", torch.relu, "ReLU (the reference FNO script)")
ACTS.add("gelu", nn.functional.gelu, "GELU (later FNO code)")


class SpectralConv(nn.Module):
    """K v: [B, c_in, n] -> [B, c_out, n], multiplying the lowest `modes` Fourier coefficients by
    learned complex matrices. Weights start at U(0, 1) (1 + i) / (c_in c_out) scale, the FNO paper's."""

    def __init__(self, c_in: int, c_out: int, modes: int, gen: torch.Generator):
        super().__init__()
        self.modes = modes
        scale = 1.0 / (c_in * c_out)
        self.re = nn.Parameter(scale * torch.rand(c_in, c_out, modes, generator=gen))
        self.im = nn.Parameter(scale * torch.rand(c_in, c_out, modes, generator=gen))

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        n = v.shape[-1]
        m = min(self.modes, n // 2 + 1)
        spec = torch.fft.rfft(v)[..., :m]
        mixed = torch.einsum("bim,iom->bom", spec, torch.complex(self.re[..., :m], self.im[..., :m]))
        return torch.fft.irfft(mixed, n=n)       # frequencies above `modes` are zero


class TimeFeatures(nn.Module):
    """t [n] seconds from the record's start -> [width, n]: a CoordNet on t_hat = 2 t / T - 1 (its first
    layer vanilla or RepNet), its last hidden layer mapped linearly to the channels."""

    def __init__(self, first: str, features: int, width: int, span: float, nu: float, seed: int):
        super().__init__()
        self.net, self.span = CoordNet(first, features, 1, width, nu, seed), span

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        return self.net((2 * t / self.span - 1)[:, None]).T


# lift name -> (reads t linearly, first layer of the learned time features or None)
LIFTS: Registry[tuple[bool, str | None]] = Registry("FNO lift")
LIFTS.add("linear", (True, None), "one linear layer on (a(t), t/T): the reference FNO")
LIFTS.add("none", (False, None), "one linear layer on a(t) alone: time-invariant")
LIFTS.add("repnet", (False, "repnet"), "linear on a(t) + learned features of t whose first layer is RepNet's")
LIFTS.add("vanilla", (False, "vanilla"), "linear on a(t) + learned features of t with a plain first layer (RepNet's twin)")


class FNO1d(nn.Module):
    """forward(a [B, n]) -> response [B, n]; the time grid t [n] (seconds) is fixed at construction."""

    def __init__(self, t, modes: int = 300, width: int = 32, layers: int = 4, act: str = "relu",
                 lift: str = "linear", features: int = 64, nu: float = 30.0, seed: int = 0):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        t = torch.as_tensor(t, dtype=torch.float32).reshape(-1)
        self.register_buffer("t", t)
        self.span = float(t[-1] - t[0]) * len(t) / (len(t) - 1)      # the record length T (author: 50 s)
        self.reads_t, first = LIFTS.get(lift)
        self.act = ACTS.get(act)
        self.lift = uniform_(nn.Linear(2 if self.reads_t else 1, width), gen)
        self.time_features = None if first is None else TimeFeatures(first, features, width, self.span, nu, seed)
        self.spectral = nn.ModuleList(SpectralConv(width, width, modes, gen) for _ in range(layers))
        self.pointwise = nn.ModuleList(uniform_(nn.Linear(width, width), gen) for _ in range(layers))
        self.project = nn.ModuleList([uniform_(nn.Linear(width, PROJECT_WIDTH), gen), uniform_(nn.Linear(PROJECT_WIDTH, 1), gen)])

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        cols = [a[..., None]]
        if self.reads_t:
            cols.append(((self.t - self.t[0]) / self.span).expand_as(a)[..., None])
        v = self.lift(torch.cat(cols, -1)).transpose(1, 2)                 # [B, width, n]
        if self.time_features is not None:
            v = v + self.time_features(self.t - self.t[0])
        last = len(self.spectral) - 1
        for i, (k, w) in enumerate(zip(self.spectral, self.pointwise)):
            v = k(v) + w(v.transpose(1, 2)).transpose(1, 2)
            v = v if i == last else self.act(v)
        hidden, out = self.project
        return out(self.act(hidden(v.transpose(1, 2))))[..., 0]
