"""The top-frequency probe: the highest frequency that matters in a target or a sampled signal, in
cycles over the domain width. RepNet's auto slope scale (estimates.SLOPE_RULES) and the dashboard's
suggestions read it; a data target probes its interpolant (data.DataTarget.top_cycles).
"""
from __future__ import annotations

import numpy as np

from .presets import Target, line


def significant_cycles(y: np.ndarray, rel: float = 0.03) -> float:
    """Highest frequency (cycles over the sample span) of a uniformly sampled signal whose
    Hann-windowed amplitude is at least `rel` of its strongest non-constant mode."""
    n = len(y)
    amp = np.abs(np.fft.rfft((y - y.mean()) * np.hanning(n)))
    amp[:2] = 0  # the window leaks the mean and any trend into bins 0-1
    if amp.max() <= 0:
        return 0.0
    return (float(np.nonzero(amp >= rel * amp.max())[0].max()) - 1) * (n - 1) / n   # - Hann main-lobe half-width


def top_frequency(target: Target, n: int = 4096, rel: float = 0.03) -> float:
    """Highest significant frequency of the target (cycles over the domain width, along any axis;
    see significant_cycles). Lines through random points in d > 1."""
    rng = np.random.default_rng(0)
    lines = [line(target, n)] if target.dim == 1 else []
    for axis in range(target.dim if target.dim > 1 else 0):
        for _ in range(8):
            x = np.tile(target.lo + rng.random(target.dim) * (target.hi - target.lo), (n, 1))
            x[:, axis] = np.linspace(target.lo[axis], target.hi[axis], n)
            lines.append(x)
    return max(significant_cycles(target(x), rel) for x in lines)
