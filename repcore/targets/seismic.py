"""Real earthquake records (from ObsPy's package data) and the linear single-degree-of-freedom (SDOF)
structure they excite, integrated with Newmark's average-acceleration method.

Records: seismograms that install with ObsPy (`obspy.read()`'s example and files under its test-data
folders). They are instrument velocity traces in counts; the instrument response is not removed. We use
each as a real ground-motion waveform: demeaned, detrended, band-passed 0.5-15 Hz, resampled to RATE Hz,
cut into WINDOW_S-second windows (stride STRIDE_S, only windows with at least 20% of the record's peak
window RMS), tapered at the start, and scaled to unit peak. Training and test windows come from
different records (TRAIN_RECORDS vs TEST_RECORDS), so the test is on ground motions never seen.

Structure: u'' + 2 ζ ω u' + ω² u = -a_g(t), from rest at the window start, natural period PERIOD_S,
damping ZETA; the output is the pseudo-acceleration ω² u(t).
"""
from __future__ import annotations

import math
import os

import numpy as np

from .presets import DataError

RATE = 50.0          # Hz, common sampling rate
WINDOW_S = 10.0      # seconds per window
STRIDE_S = 2.5
PERIOD_S = 0.5       # SDOF natural period (2 Hz: ~20 response cycles per window)
ZETA = 0.05

# (file under the obspy package, or "example" for obspy.read(); channel ids to use, None = all seismic ones)
TRAIN_RECORDS = (("example", None),                                   # BW.RJOB, Bavaria, 2009-08-24
                 ("io/seisan/tests/data/9701-30-1048-54S.MVO_21_1", None),   # Montserrat network, 1997-01-30
                 *((f"io/win/tests/data/10030302.0{i}", ("...a100", "...a101")) for i in range(10)))   # WIN-format minutes, 2010-03-03
TEST_RECORDS = (("io/seisan/tests/data/90010319.1320J90", (".JMI..S Z", ".JMI..S N", ".JMI..S E", ".JNW..S Z", ".JNE..S Z")),
                ("io/seisan/tests/data/2005-07-23-1452-04S.CER___030.mseed", None))   # 1990-01-03; 2005-07-23


def _read(path: str):
    try:
        import obspy
    except ImportError:
        raise DataError("ObsPy is not installed, and the earthquake records come with it: pip install obspy") from None
    if path == "example":
        return obspy.read()
    full = os.path.join(os.path.dirname(obspy.__file__), path)
    if not os.path.exists(full):
        raise DataError(f"ObsPy's data file {path} is missing from this installation (obspy {obspy.__version__})")
    return obspy.read(full)


def records(which: tuple) -> list[tuple[str, np.ndarray]]:
    """[(trace id, samples at RATE Hz)] for the given record list, preprocessed as described above."""
    out = []
    for path, ids in which:
        for tr in _read(path):
            wanted = tr.id in ids if ids is not None else tr.stats.channel[-1:] in ("Z", "N", "E")
            if not wanted or tr.stats.sampling_rate < 2 * 15.0:
                continue
            tr = tr.copy()
            tr.data = tr.data.astype(np.float64)
            tr.detrend("demean")
            tr.detrend("linear")
            tr.filter("bandpass", freqmin=0.5, freqmax=15.0, corners=4, zerophase=True)
            tr.resample(RATE)
            out.append((f"{tr.id} {str(tr.stats.starttime)[:10]}", tr.data.copy()))
    if not out:
        raise DataError("no usable traces in the earthquake records")
    return out


def windows(traces: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """Active windows of every trace, tapered at the start and scaled to unit peak: [N, n]."""
    n, stride = int(WINDOW_S * RATE), int(STRIDE_S * RATE)
    taper = np.ones(n)
    ramp = int(0.5 * RATE)
    taper[:ramp] = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
    out = []
    for _, x in traces:
        cuts = [x[i:i + n] for i in range(0, len(x) - n + 1, stride)]
        if not cuts:
            continue
        rms = np.array([np.sqrt(np.mean(c ** 2)) for c in cuts])
        for c, r in zip(cuts, rms):
            if r >= 0.2 * rms.max():
                w = c * taper
                out.append(w / np.abs(w).max())
    return np.array(out)


def newmark(ag: np.ndarray, dt: float, period: float = PERIOD_S, zeta: float = ZETA,
            gamma: float = 0.5, beta: float = 0.25) -> np.ndarray:
    """Displacement u [..., n] of u'' + 2ζωu' + ω²u = -a_g from rest (Newmark-β; the default
    γ = 1/2, β = 1/4 is the unconditionally stable average-acceleration rule). ag: [..., n]."""
    w = 2 * math.pi / period
    c, k = 2 * zeta * w, w * w
    p = -np.asarray(ag, dtype=np.float64)
    u, v = np.zeros(p.shape), np.zeros(p.shape)
    a = np.zeros(p.shape)
    a[..., 0] = p[..., 0]                       # from rest: a0 = p0 - c v0 - k u0
    keff = k + gamma / (beta * dt) * c + 1 / (beta * dt * dt)
    for i in range(p.shape[-1] - 1):
        ui, vi, ai = u[..., i], v[..., i], a[..., i]
        rhs = (p[..., i + 1] + (ui / (beta * dt * dt) + vi / (beta * dt) + (1 / (2 * beta) - 1) * ai)
               + c * (gamma / (beta * dt) * ui + (gamma / beta - 1) * vi + dt * (gamma / (2 * beta) - 1) * ai))
        un = rhs / keff
        an = (un - ui) / (beta * dt * dt) - vi / (beta * dt) - (1 / (2 * beta) - 1) * ai
        u[..., i + 1], a[..., i + 1] = un, an
        v[..., i + 1] = vi + dt * ((1 - gamma) * ai + gamma * an)
    return u


def response(ag: np.ndarray) -> np.ndarray:
    """Pseudo-acceleration ω² u of the SDOF structure for ground motions ag [N, n] at RATE Hz."""
    w = 2 * math.pi / PERIOD_S
    return w * w * newmark(ag, 1 / RATE)
