"""Operator architectures and the named methods built from them.

ARCHITECTURES: name -> class(t, **settings), a network mapping load records [B, n] to responses [B, n]
on the time grid t [n] seconds. METHODS: what a user picks (`--model`): an architecture, its settings
and its training protocol, measured on the author's split (docs: /work/notes/h24 research table):

    fno      our FNO, width 32, 300 modes, 100 epochs, cosine lr   ~3.2 % test rel. L2, ~160 s CPU
    repnet   impulse-response operator, shallow RepNet kernel net   ~0.33 %, ~25 s CPU
    vanilla  the same with a plain first layer (RepNet's twin)      ~98 % (spectral bias: h oscillates)
    fir      the same operator with free kernel taps (no network)   ~0.25 %, the control
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

from torch import nn

from ..registry import Registry
from .data import Records, split
from .deeponet import DeepONet
from .fno import FNO1d
from .kernel import KernelOperator
from .training import Batches, Protocol, train

ARCHITECTURES: Registry[Callable[..., nn.Module]] = Registry("operator architecture")
ARCHITECTURES.add("fno", FNO1d, "Fourier neural operator (Li et al. 2021), the reference architecture")
ARCHITECTURES.add("deeponet", DeepONet, "DeepONet: vanilla branch on the load, CoordNet trunk on the time (whole records or causal windows)")
ARCHITECTURES.add("kernel", KernelOperator, "causal convolution with a learned impulse response h(lag) = CoordNet(lag)")


@dataclass(frozen=True)
class Method:
    architecture: str
    settings: dict = field(default_factory=dict)
    protocol: Protocol = Protocol()


_KERNEL = {"kernel_s": 16.0, "width": 512, "depth": 1, "nu": 120.0}    # 16 s: the response decays in ~12 s
_KERNEL_FIT = Protocol(epochs=200, lbfgs=1000)                           # Adam to the basin, L-BFGS to the bottom

METHODS: Registry[Method] = Registry("operator method")
METHODS.add("fno", Method("fno", {"modes": 300, "width": 32}, Protocol(epochs=100, schedule="cosine")),
            "our FNO: 4 Fourier layers, 300 modes, width 32, Adam 1e-3 + cosine, 100 epochs")
METHODS.add("fno-author", Method("fno", {"modes": 300, "width": 128}, Protocol(epochs=500, schedule="step")),
            "the author's FNO settings: width 128, 500 epochs, lr halved every 100 (a GPU run)")
METHODS.add("repnet", Method("kernel", {"first": "repnet", **_KERNEL}, _KERNEL_FIT),
            "causal impulse-response operator; the kernel h(lag) is a shallow net with RepNet's first layer")
METHODS.add("vanilla", Method("kernel", {"first": "vanilla", **_KERNEL}, _KERNEL_FIT),
            "the same operator, the kernel net's first layer plain (RepNet's twin)")
METHODS.add("fir", Method("kernel", {"first": "taps", "kernel_s": 16.0}, _KERNEL_FIT),
            "the same operator with every kernel value a free parameter (a learned FIR filter: the control)")


def build_operator(architecture: str, t, **settings) -> nn.Module:
    return ARCHITECTURES.get(architecture)(t, **settings)


def build(name: str, t, seed: int = 0, **overrides) -> tuple[nn.Module, Protocol]:
    """The named method's network (its settings, then `overrides`) and protocol, for one seed.
    An override that names a Protocol field (epochs, lr, lbfgs...) changes the protocol."""
    method = METHODS.get(name)
    steps = {k: overrides.pop(k) for k in list(overrides) if k in Protocol.__dataclass_fields__}
    net = build_operator(method.architecture, t, **{**method.settings, **overrides, "seed": seed})
    return net, replace(method.protocol, **steps, seed=seed)


def run(records: Records, name: str, seed: int = 0, test_records: str | None = None, every: int = 10,
        **overrides) -> Iterator[dict]:
    """Train the named method on `records` (the author's split, or `test_records` held out): the
    per-epoch records of training.train."""
    net, protocol = build(name, records.time, seed, **overrides)
    return train(net, Batches(records, split(len(records.load), test_records)), protocol, every)
