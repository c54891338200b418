"""Operator methods by name: each builds a network that maps load records [B, n] to responses [B, n]
on the time grid t [n] (seconds), from keyword settings with documented defaults."""
from __future__ import annotations

from typing import Callable

from torch import nn

from ..registry import Registry
from .deeponet import DeepONet
from .fno import FNO1d
from .kernel import KernelOperator

OPERATORS: Registry[Callable[..., nn.Module]] = Registry("operator method")
OPERATORS.add("fno", FNO1d, "Fourier neural operator (Li et al. 2021), the reference architecture")
OPERATORS.add("deeponet", DeepONet, "DeepONet: vanilla branch on the load, CoordNet trunk on the time (whole records or causal windows)")
OPERATORS.add("kernel", KernelOperator, "causal convolution with a learned impulse response h(lag) = CoordNet(lag)")


def build_operator(name: str, t, **settings) -> nn.Module:
    return OPERATORS.get(name)(t, **settings)
