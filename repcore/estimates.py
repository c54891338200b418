"""Magnitude estimates at initialization: RMS output and RMS slope of the networks models.py builds.

Notation: x in the box [-1, 1]^d (box coordinates), first layer z = W x + b (vanilla) or
z = W (x + B) (RepNet), then depth-1 hidden layers u = V h + c, then the head f = a h + a0.

- First layer, exactly (deterministic quadrature over the layer's parameter law, no sampling):
      m1(x) = E[sigma(z)^2]            s1(x) = E[W_1^2 sigma'(z)^2]      (slope along x_1)
  For a shallow ReLU RepNet this gives the closed forms of the method notes:
      E f^2 = nu^2 (x^2 + 1/3) / 2,  E f'^2 = nu^2 / 2  (head variance 1/width).
- Deeper layers, the infinite-width recursion (Poole et al. 2016; Schoenholz et al. 2017) with the
  usual gradient-independence assumption: q' = sw2 E[sigma(u)^2] + sb2, p' = sw2 E[sigma'(u)^2] p,
  u ~ N(0, q), where sw2 = fan_in Var(V) and sb2 = Var(c) come from the init registry.
- Head: E f^2 = sa2 E[sigma(u_L)^2] + Var(a0), E f'^2 = sa2 E[sigma'(u_L)^2] p_L.
Returned values are RMS over x uniform in the box and over initializations. tests/test_estimates.py
checks them against Monte Carlo over real networks.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import ndtr, ndtri

from .activations import ACTIVATIONS
from .config import RunConfig
from .inits import INITS
from .models import build
from .registry import Registry
from .repnet import POINT_LAWS

_GH_X, _GH_W = hermegauss(80)
_GH_W = _GH_W / _GH_W.sum()          # E over N(0, 1)


@dataclass(frozen=True)
class Magnitudes:
    rms_output: float
    rms_slope: float     # RMS of df/dx_1 in BOX units (x in [-1, 1]); divide by (hi - lo)/2 for data units


def _first_layer_nodes(model: str, dim: int, width: int, nu: float, law: str, init: str):
    """A quadrature rule for the law of one first-layer neuron: W [N, d], shift or bias, weights [N].
    RepNet: (W, B [N, d]); vanilla: (W, b [N]). u_w, u_b are the uniform variables behind W and B."""
    if dim == 1:   # Gauss-Hermite in the weight x a fine midpoint rule in the shift (peaks of width 1/nu)
        n_b = 4001
        g = np.repeat(_GH_X, n_b)[:, None]
        u_w = ndtr(g)
        u_b = np.tile((np.arange(n_b) + 0.5) / n_b, len(_GH_X))[:, None]
        weights = np.repeat(_GH_W, n_b) / n_b
    else:          # scrambled Sobol points with a fixed seed, so the estimate is deterministic
        from scipy.stats import qmc      # 0.6 s to import; only d > 1 needs it
        pts = qmc.Sobol(2 * dim, scramble=True, seed=0).random(2 ** 15)
        u_w, u_b = pts[:, :dim], pts[:, dim:]
        g = ndtri(u_w)
        weights = np.full(len(pts), 1 / len(pts))
    if model == "repnet":
        return nu * g, POINT_LAWS.get(law)(u_b), weights
    spec = INITS.get(init)
    w_sd, b_sd = math.sqrt(spec.w_var(dim, width)), math.sqrt(spec.b_var(dim, width))
    if spec.uniform:
        return (2 * u_w - 1) * math.sqrt(3) * w_sd, (2 * u_b[:, 0] - 1) * math.sqrt(3) * b_sd, weights
    return g * w_sd, ndtri(u_b[:, 0]) * b_sd, weights


def _gauss(fn, q: np.ndarray) -> np.ndarray:
    """E[fn(u)] for u ~ N(0, q), elementwise over q: [k] -> [k]."""
    u = np.sqrt(np.maximum(q, 0))[:, None] * _GH_X[None, :]
    return fn(u) @ _GH_W


def magnitudes(model: str, act: str, dim: int, width: int, depth: int, nu: float = 1.0,
               law: str = "uniform", init: str = "default", head: str = "init", xs: np.ndarray | None = None) -> Magnitudes:
    """RMS output and slope at initialization, averaged over x uniform in [-1, 1]^d.
    `model` is 'vanilla' or 'repnet'; `head` 'init' (head drawn with `init`) or 'zero'."""
    a = ACTIVATIONS.get(act)
    spec = INITS.get(init)
    w, b, wq = _first_layer_nodes(model, dim, width, nu, law, init)
    rep = b.ndim == 2
    if xs is None and dim == 1:        # Gauss-Legendre: the x-average is exact for the polynomial ReLU case
        nodes, xw = np.polynomial.legendre.leggauss(24)
        xs, xw = nodes[:, None], xw / 2
    elif xs is None:
        from scipy.stats import qmc
        xs = qmc.Sobol(dim, scramble=True, seed=1).random(64) * 2 - 1
        xw = np.full(len(xs), 1 / len(xs))
    else:
        xw = np.full(len(xs), 1 / len(xs))
    m1, s1 = [], []
    for x in xs:
        z = (w * (x[None, :] + b)).sum(1) if rep else w @ x + b
        m1.append(wq @ a.np_fn(z) ** 2)
        s1.append(wq @ (w[:, 0] ** 2 * a.np_grad(z) ** 2))
    q, p = np.array(m1), np.array(s1)
    m, s = q, p      # E sigma^2 and E (d sigma)^2 of the last hidden layer so far
    sw2, sb2 = width * spec.w_var(width, width), spec.b_var(width, width)
    for _ in range(depth - 1):
        q = sw2 * m + sb2
        p = sw2 * s
        m, s = _gauss(lambda u: a.np_fn(u) ** 2, q), p * _gauss(lambda u: a.np_grad(u) ** 2, q)
        # s: gradient independence: E[sigma'(u)^2 (du)^2] ~ E[sigma'(u)^2] E[(du)^2]
    if head == "zero":
        return Magnitudes(0.0, 0.0)
    sa2, sa0 = width * spec.w_var(width, 1), spec.b_var(width, 1)
    return Magnitudes(float(np.sqrt(xw @ (sa2 * m + sa0))), float(np.sqrt(xw @ (sa2 * s))))


AUTO_NU_FACTOR = 1.0   # nu = factor * pi * K: see auto_slope_scale


def auto_slope_scale(top_cycles: float) -> float:
    """The 'auto' slope scale from the target's highest significant frequency K (cycles over the
    domain, targets.top_frequency). In box units (width 2) that mode is sin(pi K x_hat + phase), with
    angular frequency pi K; nu = AUTO_NU_FACTOR * pi K gives the typical first-layer neuron a
    transition width (~1/nu in box units) comparable to the mode's quarter wavelength. Clamped to
    [1, 1e4] (the config limits)."""
    return float(min(max(AUTO_NU_FACTOR * np.pi * top_cycles, 1.0), 1e4))


def target_ratio(x: np.ndarray, u: np.ndarray, lo: float, hi: float) -> float:
    """RMS slope / RMS (u - mean u) of a target sampled along a line x [g] (data units) in [lo, hi]:
    the slope in BOX units (x_hat = -1..1), as `magnitudes` measures the network's. An angular frequency:
    sin(w x_hat) gives w."""
    du = np.gradient(u, x) * (hi - lo) / 2
    return float(np.sqrt(np.mean(du ** 2)) / max(np.sqrt(np.mean((u - u.mean()) ** 2)), 1e-300))


@functools.lru_cache(maxsize=64)
def estimate_slope_scale(act: str, dim: int, width: int, depth: int, law: str, init: str, ratio: float) -> float:
    """nu such that RepNet's estimated RMS slope / RMS output at initialization (head drawn, `magnitudes`)
    equals `ratio` (the target's, target_ratio): the network starts with the target's typical frequency.
    The ratio grows like sqrt(nu) once tanh saturates, so a secant in log-log converges in a few steps.
    Clamped to [1, 1e4]."""
    xs = None if dim == 1 else np.random.default_rng(1).random((16, dim)) * 2 - 1

    def log_ratio(log_nu: float) -> float:
        m = magnitudes("repnet", act, dim, width, depth, float(np.exp(log_nu)), law, init, head="init", xs=xs)
        return math.log(max(m.rms_slope, 1e-300) / max(m.rms_output, 1e-300))

    goal, lo, hi = math.log(max(ratio, 1e-12)), 0.0, math.log(1e4)
    a, b = math.log(10.0), math.log(100.0)
    fa, fb = log_ratio(a), log_ratio(b)
    for _ in range(6):
        slope = (fb - fa) / (b - a) if fb != fa else 0.5
        c = min(max(b + (goal - fb) / max(slope, 0.05), lo), hi)
        if abs(c - b) < 0.01:
            break
        a, fa, b, fb = b, fb, c, log_ratio(c)
    return float(np.exp(b))


def _rule_pi_k(problem, cfg: RunConfig) -> float:
    return auto_slope_scale(problem.top_cycles)


def _rule_pi_k_per_dim(problem, cfg: RunConfig) -> float:
    return auto_slope_scale(problem.top_cycles / math.sqrt(problem.dim))


def _rule_estimate(problem, cfg: RunConfig) -> float:
    g = problem.grids
    ratio = target_ratio(np.asarray(g.x_line, float), np.asarray(g.true_line, float), problem.lo, problem.hi)
    return estimate_slope_scale(cfg.act, problem.dim, cfg.width, cfg.depth, cfg.law, cfg.init, float(f"{ratio:.4g}"))


# How RepNet's auto slope scale is chosen: name -> (problem, cfg) -> nu. A given --slope-scale wins.
SLOPE_RULES: Registry[Callable] = Registry("slope rule", field="slope_rule")
SLOPE_RULES.add("pi-k", _rule_pi_k, "nu = pi x the target's top frequency K (cycles over the domain)")
SLOPE_RULES.add("pi-k-per-dim", _rule_pi_k_per_dim,
                "nu = pi K / sqrt(d): in d inputs |W_i| ~ nu sqrt(d), so each neuron keeps the 1-D steepness")
SLOPE_RULES.add("estimate", _rule_estimate,
                "nu from the magnitude estimates: the network's RMS slope / RMS output at the start = the target's")


def monte_carlo(model: str, act: str, width: int, depth: int, nu: float = 1.0, law: str = "uniform",
                init: str = "default", nets: int = 60, points: int = 201) -> Magnitudes:
    """Measured counterpart of `magnitudes` for 1-D nets: real networks from models.build (seeds
    0..nets-1, head drawn with `init`), x on a uniform grid of the box. The head is linear with
    independent zero-mean weights, so it is averaged exactly: E_head f^2 = sa2 mean_i h_i^2 + Var(a0),
    E_head f'^2 = sa2 mean_i h_i'^2, leaving only the hidden layers to sampling."""
    x = torch.linspace(-1, 1, points, dtype=torch.float64)[:, None]
    spec = INITS.get(init)
    sa2, sb2 = width * spec.w_var(width, 1), spec.b_var(width, 1)
    f2 = s2 = 0.0
    for seed in range(nets):
        cfg = RunConfig(model=model, act=act, width=width, depth=depth, init=init, law=law, head="init", seed=seed)
        net = build(cfg, [-1.0], [1.0], nu).double()
        with torch.no_grad():
            h, dh = torch.func.jvp(net.features, (x,), (torch.ones_like(x),))   # dh_i/dx for every i at once
        f2 += sa2 * h.pow(2).mean().item() + sb2
        s2 += sa2 * dh.pow(2).mean().item()
    return Magnitudes(float(np.sqrt(f2 / nets)), float(np.sqrt(s2 / nets)))
