"""The per-frequency error of a predicted response: where in the spectrum an operator is still wrong
(the spectral-bias view on real data: low bands converge first, the ~1.25 Hz resonance carries most of
the response).

    band_error(pred, true, dt, width_hz) -> (centres [m] Hz, error [m])
        error_j = ||F[pred] - F[true]||_band j / ||F[true]||_band j   over the DFT bins of band j
"""
from __future__ import annotations

import numpy as np

BAND_HZ = 0.25        # band width of the view: 12 DFT bins of a 50-s record
EMPTY = 1e-12         # a band with less than this fraction of the truth's energy is empty
TOP_HZ = 10.0         # the response holds almost nothing above (its modes: ~1.25, 4.3, 8 Hz)


def band_error(pred: np.ndarray, true: np.ndarray, dt: float, width_hz: float = BAND_HZ,
               top_hz: float = TOP_HZ) -> tuple[np.ndarray, np.ndarray]:
    """pred, true: [n] (one record) or [N, n] (pooled over records). A band where the truth has no
    energy (below EMPTY of its total: rounding noise) reports nan: no relative error there."""
    pred, true = np.atleast_2d(pred), np.atleast_2d(true)
    n = true.shape[-1]
    freq = np.fft.rfftfreq(n, dt)
    diff = np.abs(np.fft.rfft(pred - true, axis=-1)) ** 2
    ref = np.abs(np.fft.rfft(true, axis=-1)) ** 2
    edges = np.arange(0.0, min(top_hz, freq[-1]) + width_hz / 2, width_hz)
    band = np.digitize(freq, edges) - 1
    m = len(edges) - 1
    num = np.bincount(band[band < m], weights=diff.sum(0)[band < m], minlength=m)
    den = np.bincount(band[band < m], weights=ref.sum(0)[band < m], minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        err = np.where(den > EMPTY * den.sum(), np.sqrt(num / den), np.nan)
    return (edges[:-1] + edges[1:]) / 2, err
