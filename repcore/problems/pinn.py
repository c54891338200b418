"""Physics-informed problems (PINNs) on the target's box, the target being the exact solution u.

poisson   Δu = f in the box, u = g on its boundary; f = Δu_exact is computed from the target
          expression by autograd, g = u_exact. 1-D with the multiscale target is the classic
          u'' = f with u = sin(2πx) + 0.1 sin(50πx) (Wang, Wang & Perdikaris 2021).
inverse   k Δu = f with the coefficient k unknown (true value K_TRUE), learned from the PDE residual
          and OBS_POINTS sparse observations of u with NOISE relative Gaussian noise.

Loss terms are normalised (pde by mean f², data and boundary by mean u²) so each starts O(1)
whatever the frequency; that weighting is our choice, the paper's abstract does not give one.
"""
from __future__ import annotations

import torch
from torch import nn

from ..config import RunConfig
from .base import PROBLEMS, FunctionProblem
from .diffops import laplace

K_TRUE = 2.0
OBS_POINTS = 100
NOISE = 0.01


class PoissonProblem(FunctionProblem):
    label, solution, needs_smooth_activation = "PINN: Poisson, solution = target", "exact solution", True

    def __init__(self, cfg: RunConfig, device, dtype):
        super().__init__(cfg, device, dtype)
        x = self.sample(cfg.points)
        self.x = self.on_device(x).requires_grad_(True)
        self.f = self.on_device(self.source(x))
        xb = self.boundary(max(cfg.points // 8, 16))
        self.xb, self.g = self.on_device(xb), self.on_device(self.target(xb.numpy()))
        self.f_scale = float(self.f.pow(2).mean()) or 1.0
        self.u_scale = float((self.grids.true_test ** 2).mean()) or 1.0

    def source(self, x: torch.Tensor) -> torch.Tensor:
        """f = Δu_exact at x (float64, by autograd through the target expression)."""
        x = x.clone().requires_grad_(True)
        return laplace(self.target(x), x).detach()

    def boundary(self, n: int) -> torch.Tensor:
        """Points on the box boundary: both ends in 1-D, n random points per face otherwise."""
        lo, hi = torch.from_numpy(self.target.lo), torch.from_numpy(self.target.hi)
        if self.target.dim == 1:
            return torch.stack([lo, hi])
        faces = []
        for axis in range(self.target.dim):
            for side in (lo, hi):
                pts = self.sample(n)
                pts[:, axis] = side[axis]
                faces.append(pts)
        return torch.cat(faces)

    def residual(self, net: nn.Module) -> torch.Tensor:
        return laplace(net(self.x)[:, 0], self.x) - self.f

    def losses(self, net: nn.Module) -> dict[str, torch.Tensor]:
        return {"pde": self.residual(net).pow(2).mean() / self.f_scale,
                "bc": (net(self.xb)[:, 0] - self.g).pow(2).mean() / self.u_scale}


class InverseProblem(PoissonProblem):
    label = "PINN: inverse, find k in k Δu = f"

    def __init__(self, cfg: RunConfig, device, dtype):
        super().__init__(cfg, device, dtype)
        self.f = self.f * K_TRUE
        self.f_scale *= K_TRUE ** 2
        xo = self.sample(OBS_POINTS)
        clean = torch.from_numpy(self.target(xo.numpy()))
        noise = torch.randn(OBS_POINTS, generator=self.gen, dtype=torch.float64) * NOISE * clean.pow(2).mean().sqrt()
        self.xo, self.uo = self.on_device(xo), self.on_device(clean + noise)
        self.k = nn.Parameter(torch.ones((), dtype=dtype, device=device))   # unknown; starts at 1

    def params(self) -> list[torch.Tensor]:
        return [self.k]

    def residual(self, net: nn.Module) -> torch.Tensor:
        return self.k * laplace(net(self.x)[:, 0], self.x) - self.f

    def losses(self, net: nn.Module) -> dict[str, torch.Tensor]:
        return {"pde": self.residual(net).pow(2).mean() / self.f_scale,
                "data": (net(self.xo)[:, 0] - self.uo).pow(2).mean() / self.u_scale}

    def extra(self) -> dict[str, float]:
        k = float(self.k.detach())
        return {"k": k, "k_rel_error": abs(k - K_TRUE) / K_TRUE}


PROBLEMS.add("poisson", PoissonProblem, "PINN: Δu = f with u = target on the boundary (forward problem)")
PROBLEMS.add("inverse", InverseProblem, f"PINN: k Δu = f, k unknown (true {K_TRUE:g}), from {OBS_POINTS} noisy observations")
