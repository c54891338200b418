"""Activations by name. Each entry carries the torch function used in the network and the NumPy
function and derivative used by the magnitude estimates (estimates.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from .registry import Registry


@dataclass(frozen=True)
class Activation:
    torch_fn: Callable[[torch.Tensor], torch.Tensor]
    np_fn: Callable[[np.ndarray], np.ndarray]
    np_grad: Callable[[np.ndarray], np.ndarray]


ACTIVATIONS: Registry[Activation] = Registry("activation", field="act")
ACTIVATIONS.add("relu", Activation(torch.relu, lambda u: np.maximum(u, 0.0), lambda u: (u > 0).astype(float)),
                "ReLU: piecewise linear; breakpoints of the first layer are the partition points")
ACTIVATIONS.add("tanh", Activation(torch.tanh, np.tanh, lambda u: 1.0 / np.cosh(np.clip(u, -350, 350)) ** 2),
                "tanh: smooth; a first-layer neuron is a step of width ~1/|W| centred on its partition point")
