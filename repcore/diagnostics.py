"""Diagnostics computed at snapshot steps only (they sync with the device): Fourier error spectra and
partition-point histograms. Pure functions of arrays; no training, no drawing."""
from __future__ import annotations

import numpy as np


def spectra(pred: np.ndarray, true: np.ndarray, k_max: int, floor: float = 0.01):
    """DFT magnitudes / n on a periodic grid (n samples, right endpoint excluded), bins 0..k_max:
    (freqs, |F true|, |F(pred - true)|, and |F(pred - true)| / |F true| where |F true| is at least
    floor * its peak, NaN elsewhere)."""
    n = len(true)
    ft, fp = np.fft.rfft(true) / n, np.fft.rfft(pred) / n
    k = min(k_max, len(ft) - 1) + 1
    at, err = np.abs(ft[:k]), np.abs(fp[:k] - ft[:k])
    significant = at >= floor * at[1:].max(initial=at[0]) if k > 1 else at > 0
    rel = np.where(significant, err / np.where(at > 0, at, 1), np.nan)
    return np.arange(k, dtype=float), at, err, rel


def histogram(points: np.ndarray, lo: float, hi: float, bins: int = 40):
    """(edges [bins+1], counts [bins]) of the finite points inside [lo, hi]."""
    counts, edges = np.histogram(points[np.isfinite(points)], bins=bins, range=(lo, hi))
    return edges, counts
