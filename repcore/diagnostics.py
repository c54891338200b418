"""Diagnostics computed at snapshot steps only (they sync with the device): Fourier error spectra,
partition-point histograms, linear-piece counts, RMS output and slope. Pure functions of arrays or a
network; no training, no drawing."""
from __future__ import annotations

import numpy as np
import torch

from .models import Net


def rel_l2(pred: np.ndarray, true: np.ndarray) -> float:
    return float(np.linalg.norm(pred - true) / max(np.linalg.norm(true), 1e-300))


def spectra(pred: np.ndarray, true: np.ndarray, k_max: int, floor: float = 0.01):
    """DFT magnitudes / n on a periodic grid (n samples, right endpoint excluded), bins 0..k_max:
    (freqs, |F true|, |F pred|, |F(pred - true)|, and |F(pred - true)| / |F true| where |F true| is at
    least floor * its peak, NaN elsewhere)."""
    n = len(true)
    ft, fp = np.fft.rfft(true) / n, np.fft.rfft(pred) / n
    k = min(k_max, len(ft) - 1) + 1
    at, ap, err = np.abs(ft[:k]), np.abs(fp[:k]), np.abs(fp[:k] - ft[:k])
    significant = at >= floor * at[1:].max(initial=at[0]) if k > 1 else at > 0
    rel = np.where(significant, err / np.where(at > 0, at, 1), np.nan)
    return np.arange(k, dtype=float), at, ap, err, rel


def histogram(points: np.ndarray, lo: float, hi: float, bins: int = 40):
    """(edges [bins+1], counts [bins], fraction of points inside [lo, hi])."""
    finite = points[np.isfinite(points)]
    counts, edges = np.histogram(finite, bins=bins, range=(lo, hi))
    inside = float(np.mean((points >= lo) & (points <= hi))) if len(points) else 0.0
    return edges, counts, inside


@torch.no_grad()
def linear_pieces(net: Net, x: torch.Tensor) -> int:
    """Linear pieces of a ReLU net along a fine line x [n, d]: 1 + the number of neighbouring points
    whose activation patterns (all hidden layers) differ. Two breakpoints between neighbours count as
    one, so this is a lower bound that tightens as the line gets finer."""
    h = net.first(net.to_box(x))
    patterns = [h > 0]
    h = torch.relu(h)
    for layer in net.hidden:
        u = layer(h)
        patterns.append(u > 0)
        h = torch.relu(u)
    p = torch.cat(patterns, 1)
    return 1 + int((p[1:] != p[:-1]).any(1).sum())


def rms_and_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """RMS of y and of dy/dx (central differences) on a uniform line."""
    return float(np.sqrt(np.mean(y ** 2))), float(np.sqrt(np.mean(np.gradient(y, x) ** 2)))
