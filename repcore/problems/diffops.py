"""Derivative operators by autograd, named like the math (after SIREN's diff_operators.py).

y is a per-sample function of x: y [n] or [n, 1] computed from x [n, d] (x.requires_grad). Results
keep the graph (create_graph=True) so losses built on them can be differentiated again.
"""
from __future__ import annotations

import torch


def grad(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """∇y: [n, d]."""
    return torch.autograd.grad(y.sum(), x, create_graph=True)[0]


def laplace(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Δy = Σ_i ∂²y/∂x_i²: [n]."""
    g = grad(y, x)
    return sum(grad(g[:, i], x)[:, i] for i in range(x.shape[1]))
