"""Formula targets: named presets and user expressions over a box domain; `resolve` for every spec; the
two errors every target source raises (TargetError, and DataError for files and records).

A preset is an expression template with one frequency knob {k} (cycles over its default domain), so
every target, preset or typed, goes through the same whitelist parser (expr.py) and shows the user the
formula it uses. `resolve` turns (target text, freq, domain) into a checked Target, or, for a spec
'SCHEME:...' whose scheme is in DATA_SOURCES (csv:, image:, quake:; filled by data.py), into a
data.DataTarget: the same interface (name, text, lo, hi, dim, called on points) plus its samples.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import UserError
from ..registry import Registry
from .expr import Expr, ExprError, parse


@dataclass(frozen=True)
class Preset:
    template: str          # expression with {k}
    k: float               # default frequency knob: cycles over the default domain
    domain: tuple          # default ((lo, hi), ...) per axis


PRESETS: Registry[Preset] = Registry("target preset")
PRESETS.add("multiscale", Preset("sin(2*pi*x) + 0.1*sin(2*pi*{k}*x)", 25, ((0.0, 1.0),)),
            "classic two-scale test: sin(2 pi x) + 0.1 sin(50 pi x) at k=25 (Wang, Wang & Perdikaris 2021)")
PRESETS.add("sine", Preset("sin(2*pi*{k}*x)", 10, ((0.0, 1.0),)), "a single frequency: k cycles over [0, 1]")
PRESETS.add("sines", Preset("sin(2*pi*x) + 0.5*sin(2*pi*({k}/4)*x) + 0.3*sin(2*pi*({k}/2)*x) + 0.2*sin(2*pi*{k}*x)",
                            24, ((0.0, 1.0),)), "four sines, the top one at k cycles, amplitudes falling with frequency")
PRESETS.add("chirp", Preset("sin(pi*{k}*x**2)", 25, ((0.0, 1.0),)),
            "a chirp whose local frequency rises from 0 to k cycles per unit at x = 1")
PRESETS.add("kinks", Preset("abs(sin(pi*{k}*x)) - 0.5*abs(x - 0.5)", 8, ((0.0, 1.0),)),
            "non-smooth: k rectified sine bumps (kinks every 1/k) over a tent")
PRESETS.add("square", Preset("sign(sin(2*pi*{k}*x))", 4, ((0.0, 1.0),)), "discontinuous: a square wave with k periods")
PRESETS.add("multiscale2d", Preset("sin(2*pi*x1)*sin(2*pi*x2) + 0.1*sin(2*pi*{k}*x1)*sin(2*pi*{k}*x2)", 8, ((0.0, 1.0),) * 2),
            "2-D: a slow mode plus a k-cycle mode on the unit square; zero on the boundary for whole k (a Poisson test)")
PRESETS.add("multiscale4d", Preset("sin(pi*(x1 + x2 + x3 + x4)/2) + 0.1*sin(2*pi*{k}*x1)*sin(2*pi*{k}*x3) + 0.1*cos(2*pi*{k}*x2*x4)",
                                   4, ((0.0, 1.0),) * 4),
            "4-D: a smooth wave across all axes plus oscillations at k cycles in x1, x3 and the product x2 x4")


class TargetError(UserError):
    """A target that cannot be used; str() is one line for the user."""


class DataError(TargetError):
    """Data that cannot be used (a CSV, a picture, an upload, the earthquake records); str() is one line
    naming the file or record and the problem."""


DATA_SOURCES: Registry = Registry("data source")      # scheme -> load(spec, domain) -> DataTarget (data.py)


@dataclass(frozen=True)
class Target:
    name: str               # preset name, or 'expression'
    expr: Expr
    lo: np.ndarray          # [d]
    hi: np.ndarray          # [d]

    @property
    def dim(self) -> int:
        return len(self.lo)

    @property
    def text(self) -> str:
        return self.expr.text

    def __call__(self, x):
        """x: [n, d] NumPy array or torch tensor in data coordinates -> [n] (same kind; autograd kept)."""
        return self.expr(x)


def resolve(spec: str, freq: float | None = None, domain: tuple = ()) -> Target:
    """A preset name or an expression, plus the frequency knob and domain, checked finite on the domain;
    or a data spec (a DataTarget, checked when loaded)."""
    spec = spec.strip()
    scheme, colon, _ = spec.partition(":")
    if colon and scheme in DATA_SOURCES:
        return DATA_SOURCES.get(scheme)(spec, domain)       # data: the frequency knob does not apply
    if spec in PRESETS:
        preset = PRESETS.get(spec)
        k = preset.k if freq is None else freq
        expr, name, default_domain = parse(preset.template.format(k=f"{k:g}")), spec, preset.domain
    else:
        try:
            expr = parse(spec)
        except ExprError as err:
            raise TargetError(f"target: {err}") from None
        name, default_domain = "expression", ((0.0, 1.0),)
    pairs = domain or default_domain
    dim = max(expr.dim, len(pairs) if len(pairs) > 1 else 1)
    if len(pairs) == 1:
        pairs = pairs * dim
    if len(pairs) != dim:
        raise TargetError(f"domain: {len(pairs)} axes given but the target uses {dim} inputs")
    target = Target(name, expr, np.array([p[0] for p in pairs], float), np.array([p[1] for p in pairs], float))
    _check_finite(target)
    return target


def sample_box(target: Target, n: int, gen: torch.Generator) -> torch.Tensor:
    """n points uniform in the domain: [n, d] float64."""
    u = torch.rand(n, target.dim, generator=gen, dtype=torch.float64)
    return torch.from_numpy(target.lo) + u * torch.from_numpy(target.hi - target.lo)


def line(target: Target, n: int) -> np.ndarray:
    """A uniform grid of n points along x1 with the other axes at the box centre: [n, d]."""
    x = np.tile((target.lo + target.hi) / 2, (n, 1))
    x[:, 0] = np.linspace(target.lo[0], target.hi[0], n)
    return x


def _check_finite(target: Target, n: int = 2001, limit: float = 1e8) -> None:
    probe = line(target, n)
    if target.dim > 1:
        probe = np.vstack([probe, target.lo + np.random.default_rng(0).random((4096, target.dim)) * (target.hi - target.lo)])
    y = target(probe)
    bad = ~np.isfinite(y) | (np.abs(y) > limit)
    if bad.any():
        where = ", ".join(f"{v:.4g}" for v in probe[np.argmax(bad)])
        what = "is not finite" if not np.isfinite(y[bad]).all() else f"exceeds {limit:g} in size"
        raise TargetError(f"target {target.text!r} {what} on the domain, e.g. at x = ({where})")
    if np.ptp(y) == 0:
        raise TargetError(f"target {target.text!r} is constant on the domain: nothing to learn about frequencies")

