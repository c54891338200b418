"""DeepONet (Lu et al. 2021) on the earthquake records: G(a)(t) = sum_k b_k(a) tau_k(t) + b0.

    branch: a vanilla tanh MLP on the load, sampled every `stride` samples of the window it reads
    trunk:  a CoordNet on the output time (coordnet.FIRST_LAYERS: vanilla or RepNet first layer)

`window` = 0: whole records (the issue's probe: branch on all of a, trunk on t over the record).
`window` = S > 0: a causal, time-invariant DeepONet. The record is cut into consecutive output windows
of S samples; for the window starting at sample s the branch reads the load over [s + S - past, s + S)
(zeros before the record starts) and the trunk the lag j = 0..S-1 inside the window, so the same net
serves every window whatever time it starts at, and no output reads the future of its window.
"""
from __future__ import annotations

import torch
from torch import nn

from .coordnet import CoordNet, uniform_


class DeepONet(nn.Module):
    """forward(a [B, n]) -> response [B, n] on the time grid t [n] given at construction."""

    def __init__(self, t, first: str = "repnet", width: int = 100, depth: int = 3, branch_width: int = 100,
                 stride: int = 5, window: int = 0, past: int = 1000, nu: float = 60.0, seed: int = 0):
        super().__init__()
        n = len(t)
        self.window = window if 0 < window < n else n
        self.past = past if window else n
        if window and n % self.window:
            raise ValueError(f"window {window} must divide the record length {n}")
        self.stride = stride
        m = len(range(0, self.past, stride))
        gen = torch.Generator().manual_seed(seed + 29)
        sizes = [m] + [branch_width] * depth
        self.branch = nn.ModuleList(uniform_(nn.Linear(i, o), gen) for i, o in zip(sizes, sizes[1:]))
        self.trunk = CoordNet(first, width, depth, branch_width, nu, seed)     # its head: the trunk's p outputs
        self.register_buffer("lag_hat", torch.linspace(-1, 1, self.window)[:, None])
        self.b0 = nn.Parameter(torch.zeros(()))

    def windows(self, a: torch.Tensor) -> torch.Tensor:
        """[B, n] -> the branch inputs [B * n / S, past / stride] (zeros before the record starts)."""
        padded = torch.nn.functional.pad(a, (self.past - self.window, 0))
        cuts = padded.unfold(-1, self.past, self.window)                      # [B, n / S, past]
        return cuts[..., ::self.stride].reshape(-1, cuts[..., ::self.stride].shape[-1])

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        b = self.windows(a)
        for i, layer in enumerate(self.branch):
            b = layer(b) if i == len(self.branch) - 1 else torch.tanh(layer(b))
        out = b @ self.trunk(self.lag_hat).T + self.b0                         # [B * n / S, S]
        return out.reshape(a.shape[0], -1)
