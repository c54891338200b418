"""Anatomy of a shallow net at initialization, vanilla vs RepNet, nothing trained: where the first
layer's partition points fall, the functions the nets start from, and their RMS output and slope
against the slope scale ν, predicted (estimates.magnitudes) and measured (estimates.monte_carlo).
Pure functions returning arrays; the dashboard's Anatomy page only draws them."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .config import RunConfig
from .estimates import magnitudes, monte_carlo
from .models import build

MODELS = ("vanilla", "repnet")
NUS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)      # the sweep's slope scales (RepNet); vanilla has none


@dataclass
class Draw:
    """One vanilla and one RepNet net drawn with the same seed on [-1, 1]."""
    x: np.ndarray                        # [n] grid
    points: dict[str, np.ndarray]        # model -> [width] first-layer partition points (may lie outside)
    functions: dict[str, np.ndarray]     # model -> [n] the net's output at initialization
    inside: dict[str, float]             # model -> fraction of its partition points inside [-1, 1]


def draw(act: str, width: int, nu: float, init: str = "default", seed: int = 0, n: int = 400) -> Draw:
    """The nets of one seed (one hidden layer, output layer drawn with `init`, not zero)."""
    x = torch.linspace(-1, 1, n)[:, None]
    points, functions = {}, {}
    for model in MODELS:
        net = build(RunConfig(model=model, act=act, width=width, depth=1, init=init, head="init", seed=seed), [-1.0], [1.0], nu)
        with torch.no_grad():
            points[model], functions[model] = net.partition_points(), net(x)[:, 0].numpy()
    inside = {m: float(np.mean(np.abs(p) <= 1)) for m, p in points.items()}
    return Draw(x[:, 0].numpy(), points, functions, inside)


@dataclass
class Sweep:
    """RMS output and slope at initialization against ν: per model and quantity ('output', 'slope'),
    the estimate and the Monte Carlo measurement, each [len(nus)] (vanilla: the same value at every ν)."""
    nus: np.ndarray
    predicted: dict[str, dict[str, np.ndarray]]
    measured: dict[str, dict[str, np.ndarray]]

    def rows(self) -> list[dict]:
        """One record per (model, ν), for a table."""
        return [{"model": m, "nu": float(nu), "RMS output (estimate)": self.predicted[m]["output"][i],
                 "RMS output (measured)": self.measured[m]["output"][i], "RMS slope (estimate)": self.predicted[m]["slope"][i],
                 "RMS slope (measured)": self.measured[m]["slope"][i]} for m in MODELS for i, nu in enumerate(self.nus)]


def sweep(act: str, width: int, init: str = "default", nus=NUS, nets: int = 20) -> Sweep:
    """Estimates at every ν and `nets` measured networks per point (vanilla measured once: ν does not act on it)."""
    predicted, measured = {}, {}
    for model in MODELS:
        pred = [magnitudes(model, act, 1, width, 1, nu, init=init, head="init") for nu in nus]
        meas = [monte_carlo(model, act, width, 1, nu, init=init, nets=nets) for nu in nus] if model == "repnet" else \
            [monte_carlo(model, act, width, 1, 1.0, init=init, nets=nets)] * len(nus)
        predicted[model] = {"output": np.array([p.rms_output for p in pred]), "slope": np.array([p.rms_slope for p in pred])}
        measured[model] = {"output": np.array([m.rms_output for m in meas]), "slope": np.array([m.rms_slope for m in meas])}
    return Sweep(np.array(nus, float), predicted, measured)


def estimate(act: str, width: int, nu: float, init: str = "default") -> dict[str, float]:
    """The predicted RMS slope at initialization of each model at this ν."""
    return {m: magnitudes(m, act, 1, width, 1, nu, init=init, head="init").rms_slope for m in MODELS}
