"""Peer remedies for spectral bias, in the same MLP body as vanilla and RepNet (models.ModelSpec), each
with its usual defaults and its frequency knob (`--knob`):

fourier  random Fourier features (Tancik et al. 2020): γ(x) = [cos 2πBx, sin 2πBx], B ~ N(0, σ²) frozen,
         x scaled to [0, 1]^d, then the MLP with cfg.act. knob σ (default 10: cycles per domain width).
         The features replace the first hidden layer, so the parameter count matches vanilla within 2%.
siren    SIREN (Sitzmann et al. 2020): sin(w0 (W h + b)) in every layer; first W ~ U(-1/n, 1/n), later
         W ~ U(-√(6/n)/w0, √(6/n)/w0), biases PyTorch's default. knob w0 (default 30). We keep the shared
         optimizer and learning rate (the paper's usual lr is 1e-4).
mscale   MscaleDNN (Liu, Cai & Xu 2020): first-layer neurons in groups scaled by 1, 2, 4, ..., a_max,
         compact activation sReLU(u) = ReLU(u) ReLU(1 - u) in every layer. knob a_max (default 32).
msffn    multi-scale Fourier feature network (Wang, Wang & Perdikaris 2021, CMAME 384): one frozen B_s ~ N(0, σ_s²)
         per scale, features γ_s = [cos B_s x, sin B_s x] of x in [0, 1]^d, each γ_s through the SAME hidden
         layers, the last hidden layers of all paths side by side into one linear head. σ as in the authors'
         code and DeepXDE's MsFFN: radians per unit of x in [0, 1], no 2π (σ = 10 spans ~1.6 cycles; with a
         2π the measured error on the 1-D Poisson anchor was 2.6x worse). Hidden layers and head Glorot
         uniform with zero biases (DeepXDE's example). --sigmas 1,10 (default: 1 and the knob, 10). The
         features replace the first hidden layer; the head reads paths x width: within 2% of vanilla's size.
laaf     layer-wise adaptive activation (Jagtap et al. 2020): σ(n a_k u) per layer, a_k trainable with
         n a_k = 1 at the start, plus the slope-recovery term 1 / mean_k exp(n a_k) in the loss.
         knob n (default 10).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from .activations import ACTIVATIONS
from .inits import INITS
from .models import MODELS, ModelSpec


class Act(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, u):
        return self.fn(u)


class FourierFeatures(nn.Module):
    activated = True                      # Net uses its output as the first hidden layer as is

    def __init__(self, dim: int, width: int, sigma: float, gen: torch.Generator):
        super().__init__()
        self.width = width
        self.register_buffer("B", torch.randn((width + 1) // 2, dim, generator=gen) * sigma)   # frozen

    def forward(self, x_box):
        phase = math.pi * (x_box + 1) @ self.B.T          # 2π B x with x = (x_box + 1) / 2 in [0, 1]
        return torch.cat([torch.cos(phase), torch.sin(phase)], 1)[:, :self.width]


class MultiScaleFourier(nn.Module):
    """x_box [n, d] -> [paths, n, width]: one Fourier feature map per σ (frozen B: [paths, width/2, d])."""
    activated = True

    def __init__(self, dim: int, width: int, sigmas, gen: torch.Generator):
        super().__init__()
        self.width, self.paths = width, len(sigmas)
        self.register_buffer("B", torch.stack([torch.randn((width + 1) // 2, dim, generator=gen) * s for s in sigmas]))

    def forward(self, x_box):
        phase = ((x_box + 1) / 2) @ self.B.transpose(1, 2)        # x in [0, 1]: [paths, n, width / 2]
        return torch.cat([torch.cos(phase), torch.sin(phase)], 2)[..., :self.width]


def _glorot_uniform_body(layer, fan_in, knob, gen):
    bound = math.sqrt(6 / (fan_in + layer.out_features))
    _uniform_(layer.weight, bound, gen)
    nn.init.zeros_(layer.bias)


def _msffn_first(cfg, dim, knob, gen):
    return MultiScaleFourier(dim, cfg.width, cfg.sigmas or (1.0, knob), gen)


class Sine(nn.Module):
    def __init__(self, w0: float):
        super().__init__()
        self.w0 = w0

    def forward(self, u):
        return torch.sin(self.w0 * u)


class ScaledLinear(nn.Linear):
    """A linear layer whose neuron i is multiplied by a fixed scale (MscaleDNN's groups)."""

    def __init__(self, dim: int, width: int, a_max: float):
        super().__init__(dim, width)
        groups = [2.0 ** k for k in range(int(math.log2(max(a_max, 1.0))) + 1)]
        self.register_buffer("scale", torch.tensor([groups[i * len(groups) // width] for i in range(width)]))

    def forward(self, x):
        return super().forward(x) * self.scale


def srelu(u):
    return torch.relu(u) * torch.relu(1 - u)


class Adaptive(nn.Module):
    """σ(n a u) with a trainable scalar a, n a = 1 at the start."""

    def __init__(self, fn, n: float):
        super().__init__()
        self.fn, self.n = fn, n
        self.a = nn.Parameter(torch.tensor(1.0 / n))

    def forward(self, u):
        return self.fn(self.n * self.a * u)


class LayerwiseLAAF(nn.ModuleList):
    def loss_terms(self) -> dict[str, torch.Tensor]:
        return {"slope_recovery": 1.0 / torch.stack([torch.exp(m.n * m.a) for m in self]).mean()}


def _uniform_(tensor, bound, gen):
    with torch.no_grad():
        tensor.copy_((torch.rand(tensor.shape, generator=gen) * 2 - 1) * bound)


def _siren_first(cfg, dim, w0, gen):
    layer = nn.Linear(dim, cfg.width)
    _uniform_(layer.weight, 1 / dim, gen)
    _uniform_(layer.bias, 1 / math.sqrt(dim), gen)
    return layer


def _siren_body(layer, fan_in, w0, gen):
    _uniform_(layer.weight, math.sqrt(6 / fan_in) / w0, gen)
    _uniform_(layer.bias, 1 / math.sqrt(fan_in), gen)


def _mscale_first(cfg, dim, a_max, gen):
    return INITS.get(cfg.init).fill_(ScaledLinear(dim, cfg.width, a_max), gen)


def _laaf_acts(cfg, n):
    return LayerwiseLAAF(Adaptive(ACTIVATIONS.get(cfg.act).torch_fn, n) for _ in range(cfg.depth))


def _plain_first(cfg, dim, knob, gen):
    return INITS.get(cfg.init).fill_(nn.Linear(dim, cfg.width), gen)


MODELS.add("fourier", ModelSpec(lambda cfg, dim, sigma, gen: FourierFeatures(dim, cfg.width, sigma, gen),
                                acts=lambda cfg, s: [Act(ACTIVATIONS.get(cfg.act).torch_fn) for _ in range(cfg.depth)],
                                color="#54A24B", probes=({},), knob=10.0, knob_grid=(2.5, 5.0, 10.0, 20.0, 40.0),
                                knob_help="sigma: std of the frozen frequencies (cycles per domain width)"),
           "random Fourier features (Tancik et al. 2020), frozen Gaussian B")
MODELS.add("siren", ModelSpec(_siren_first, acts=lambda cfg, w0: [Sine(w0) for _ in range(cfg.depth)], body=_siren_body,
                              color="#B279A2", probes=({},), knob=30.0, knob_grid=(3.0, 5.0, 10.0, 20.0, 30.0),
                              knob_help="w0: sine frequency factor"),
           "SIREN (Sitzmann et al. 2020): sine activations with their initialization")
MODELS.add("mscale", ModelSpec(_mscale_first, acts=lambda cfg, a: [Act(srelu) for _ in range(cfg.depth)],
                               color="#F58518", probes=({},), knob=32.0, knob_grid=(2.0, 4.0, 8.0, 32.0, 128.0),
                               knob_help="a_max: largest first-layer scale (groups 1, 2, 4, ..., a_max)"),
           "MscaleDNN (Liu, Cai & Xu 2020): scaled first-layer groups, sReLU activations")
MODELS.add("laaf", ModelSpec(_plain_first, acts=_laaf_acts, color="#72B7B2", probes=({},), knob=10.0,
                             knob_grid=(1.0, 2.0, 5.0, 10.0, 20.0), knob_help="n: slope factor of the adaptive activations"),
           "layer-wise adaptive activations with slope recovery (Jagtap et al. 2020)")
MODELS.add("msffn", ModelSpec(_msffn_first, acts=lambda cfg, s: [Act(ACTIVATIONS.get(cfg.act).torch_fn) for _ in range(cfg.depth)],
                              body=_glorot_uniform_body, color="#EECA3B", probes=({},), knob=10.0,
                              knob_of=lambda cfg: max(cfg.sigmas) if cfg.sigmas else None, knob_grid=(5.0, 10.0, 20.0, 40.0, 80.0),
                              knob_help="top sigma: scales 1 and the knob unless --sigmas gives the list"),
           "multi-scale Fourier features (Wang, Wang & Perdikaris 2021): one frozen B per sigma, shared body")
