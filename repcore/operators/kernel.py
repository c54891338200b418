"""An impulse-response operator: the response as a causal convolution of the load with a kernel that a
coordinate network draws as a function of the time lag. RepNet's first layer reads that lag.

A structure at rest responds to ground motion causally and the same way whenever the shaking starts
(time invariance); for a linear structure that is exactly a convolution with its impulse response h:

    y(t) = b + sum_{k=0}^{K-1} h(tau_k) a(t - tau_k),   tau_k = k dt,  a = 0 before the record starts
    h(tau) = CoordNet(tau_hat) [K, C],  tau_hat = 2 k / (K - 1) - 1 in [-1, 1]

(the kernel-integral form of a neural operator, G(a)(t) = int kappa(t, s) a(s) ds, with kappa(t, s) =
h(t - s) for s <= t). A damped structure's h oscillates at its natural frequency (the data: ~1.25 Hz, a
kernel with tens of cycles over the lag window): the high-frequency function of one coordinate that a
plain MLP learns slowly (spectral bias) and RepNet's first layer is built for.

`channels` C > 1 draws C kernels and a pointwise readout mixes the C filtered signals, a linear skip
plus a small tanh MLP (a Wiener model: linear dynamics, static nonlinearity), for a mildly nonlinear
structure. C = 1 is the purely linear operator. The convolution runs by FFT, zero-padded (not circular).
"""
from __future__ import annotations

import torch
from torch import nn

from .coordnet import CoordNet, uniform_


def causal_conv(a: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """y[b, c, i] = sum_{k <= i} h[k, c] a[b, i - k]:  a [B, n], h [K, C] -> [B, C, n] (FFT, zero-padded)."""
    n, size = a.shape[-1], a.shape[-1] + h.shape[0]
    spec = torch.fft.rfft(a, n=size)[:, None, :] * torch.fft.rfft(h.T, n=size)[None]
    return torch.fft.irfft(spec, n=size)[..., :n]


class KernelOperator(nn.Module):
    """forward(a [B, n]) -> response [B, n].  `kernel_s`: the lag window K dt in seconds (the record
    length at most), `first`: the kernel net's first layer (coordnet.FIRST_LAYERS), `nu`: RepNet's slope
    scale (about pi x the kernel's cycles over the window, the engine's pi-k rule). `first="taps"`: no
    network, the K kernel values are free parameters (a plain learned FIR filter, the control).
    `net`: instead of a CoordNet, any module mapping the lags in seconds [K, 1] to [K, channels] (the
    engine's operator problem passes one of its MLP models, built on the box [0, kernel_s])."""

    def __init__(self, t, first: str = "repnet", kernel_s: float = 16.0, width: int = 512, depth: int = 1,
                 nu: float = 120.0, channels: int = 1, readout: int = 32, seed: int = 0, net: nn.Module | None = None):
        super().__init__()
        t = torch.as_tensor(t, dtype=torch.float64).reshape(-1)
        dt = float(t[1] - t[0])
        self.lags = max(2, min(len(t), int(round(kernel_s / dt))))
        self.register_buffer("tau_hat", torch.linspace(-1, 1, self.lags)[:, None])
        self.register_buffer("tau_s", (torch.arange(self.lags, dtype=torch.float64) * dt).float()[:, None])
        self.net = net
        # "taps": no coordinate network, every h(tau_k) a free parameter (the control: a learned FIR filter)
        self.kernel_net = None if first == "taps" or net is not None else CoordNet(first, width, depth, channels, nu, seed)
        self.taps_h = nn.Parameter(torch.zeros(self.lags, channels)) if first == "taps" else None
        self.bias = nn.Parameter(torch.zeros(()))
        self.mix = None
        if channels > 1:
            gen = torch.Generator().manual_seed(seed + 17)
            self.skip = uniform_(nn.Linear(channels, 1), gen)
            self.mix = nn.Sequential(uniform_(nn.Linear(channels, readout), gen), nn.Tanh(), nn.Linear(readout, 1))
            nn.init.zeros_(self.mix[-1].weight)
            nn.init.zeros_(self.mix[-1].bias)

    def kernel(self) -> torch.Tensor:
        """h(tau_k): [K, C]."""
        if self.net is not None:
            return self.net(self.tau_s)
        return self.taps_h if self.kernel_net is None else self.kernel_net(self.tau_hat)

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        filtered = causal_conv(a, self.kernel())                    # [B, C, n]
        if self.mix is None:
            return filtered[:, 0] + self.bias
        f = filtered.transpose(1, 2)                                # [B, n, C]
        return (self.skip(f) + self.mix(f))[..., 0] + self.bias
