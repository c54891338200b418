"""Loss weighting by name: how a problem's raw loss terms are weighted before the loop sums them.

    none         the raw mean squares, as DeepXDE sums them (its multiscale Poisson example)
    normalised   each term divided by a fixed scale the problem gives (PINNs: pde by mean f², boundary and
                 data by mean u²), so each starts O(1) whatever the frequency: the first releases' choice
    annealing    learning-rate annealing (Wang, Teng & Perdikaris 2021, "Understanding and mitigating
                 gradient pathologies in physics-informed neural networks", Algorithm 1): every
                 ANNEAL_EVERY steps, λ̂_i = max_θ |∇_θ L_pde| / mean_θ |∇_θ L_i| for every term i after the
                 first, λ_i ← (1 - α) λ_i + α λ̂_i with α = ANNEAL_ALPHA; terms weighted by λ_i (λ starts at 1)

A weighting object lives for one run (annealing keeps its λ on the device: no host sync between
snapshots). "auto" is the problem's own choice (base.py, Problem.PROTOCOL).
"""
from __future__ import annotations

from typing import Callable, Optional

import torch
from torch import nn

from ..registry import Registry

ANNEAL_EVERY = 10      # the paper's code updates λ every 10 iterations
ANNEAL_ALPHA = 0.9     # the paper's α


class Unweighted:
    def begin_step(self, step: int) -> None:
        pass

    def __call__(self, terms: dict[str, torch.Tensor], scales: dict[str, float], net: nn.Module) -> dict[str, torch.Tensor]:
        """terms: the raw loss terms, the PDE residual first; scales: a fixed scale per term."""
        return terms

    def weights(self) -> dict[str, float]:
        return {}


class Normalised(Unweighted):
    def __call__(self, terms, scales, net):
        return {k: v / scales[k] for k, v in terms.items()}


class Annealing(Unweighted):
    """λ per term after the first (the PDE residual), updated from gradient statistics when due."""

    def __init__(self):
        self.lam: dict[str, torch.Tensor] = {}
        self.due = False

    def begin_step(self, step: int) -> None:
        self.due = step % ANNEAL_EVERY == 0

    def __call__(self, terms, scales, net):
        names = list(terms)
        if self.due:
            self.due = False
            params = [p for p in net.parameters() if p.requires_grad]
            ref = _grads(terms[names[0]], params)
            top = torch.stack([g.abs().max() for g in ref]).max()
            for k in names[1:]:
                mean = torch.cat([g.abs().reshape(-1) for g in _grads(terms[k], params)]).mean()
                lam_hat = (top / mean.clamp_min(1e-30)).detach()
                old = self.lam.get(k, torch.ones_like(lam_hat))
                self.lam[k] = (1 - ANNEAL_ALPHA) * old + ANNEAL_ALPHA * lam_hat
        return {k: v * self.lam[k] if k in self.lam else v for k, v in terms.items()}

    def weights(self) -> dict[str, float]:
        return {f"weight_{k}": float(v) for k, v in self.lam.items()}


def _grads(term: torch.Tensor, params) -> list[torch.Tensor]:
    grads = torch.autograd.grad(term, params, retain_graph=True, allow_unused=True)
    return [g for g in grads if g is not None] or [torch.zeros(1, device=term.device)]


WEIGHTINGS: Registry[Optional[Callable[[], Unweighted]]] = Registry("loss weighting", field="weighting")
WEIGHTINGS.add("auto", None, "the problem's own: none for the forward PINN (DeepXDE's protocol), normalised otherwise")
WEIGHTINGS.add("none", Unweighted, "the raw mean squares, summed")
WEIGHTINGS.add("normalised", Normalised, "pde term / mean f², boundary and data terms / mean u² (the first releases)")
WEIGHTINGS.add("annealing", Annealing, "learning-rate annealing by gradient norms (Wang, Teng & Perdikaris 2021)")
