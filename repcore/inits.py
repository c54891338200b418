"""Initializations of the ordinary (vanilla) linear layers, by name.

Each entry fills an nn.Linear in place from a torch.Generator (so runs are reproducible without
touching the global RNG) and states the variance it gives, which the magnitude estimates need:
weight variance = w_var(fan_in, fan_out), bias variance = b_var(fan_in, fan_out).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from .registry import Registry


@dataclass(frozen=True)
class Init:
    uniform: bool                              # uniform (True) or normal (False) weights and biases
    w_var: Callable[[int, int], float]
    b_var: Callable[[int, int], float]

    def fill_(self, layer: nn.Linear, gen: torch.Generator) -> nn.Linear:
        fan_out, fan_in = layer.weight.shape
        with torch.no_grad():
            for p, var in ((layer.weight, self.w_var(fan_in, fan_out)), (layer.bias, self.b_var(fan_in, fan_out))):
                if self.uniform:
                    p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * math.sqrt(3 * var))
                else:
                    p.copy_(torch.randn(p.shape, generator=gen) * math.sqrt(var))
        return layer


INITS: Registry[Init] = Registry("initialization", field="init")
INITS.add("default", Init(True, lambda i, o: 1 / (3 * i), lambda i, o: 1 / (3 * i)),
          "PyTorch's nn.Linear default: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))")
INITS.add("glorot", Init(False, lambda i, o: 2 / (i + o), lambda i, o: 0.0),
          "Glorot/Xavier normal, zero biases (Glorot & Bengio 2010; DeepXDE's usual choice)")
INITS.add("he", Init(False, lambda i, o: 2 / i, lambda i, o: 0.0),
          "He/Kaiming normal for ReLU, zero biases (He et al. 2015)")
