"""The earthquake operator data: ground motion -> structural response, 100 real records.

The file is the data set of a neural-operator example by one of the RepNN paper's authors (GitHub
XuhuiM/SciML-Course, Codes/Neural_Operator/FNO_earthquake1D/Data/eq_data_N100_r2500.mat). It has no
licence: the project never ships it, it reads it from a path the user gives (DOWNLOAD says where to
get it). MATLAB 5 format with three fields:

    Load      [N, n]   ground motion per record, scaled to [-1, 1]
    Response  [N, n]   the structure's response to it, scaled to [-1, 1]
    Time      [n, 1]   0, dt, ..., (n - 1) dt seconds (the author's file: N = 100, n = 2500, dt = 0.02)

The author's protocol (fourier_1d.py beside the data): the first 90 records train, the last 10 test,
and the metric is the mean over test records of each record's relative L2 error ||pred - true|| /
||true|| (`mean_rel_l2`). `split(..., test_records="0-9")` holds out another set instead.

`open_records(spec)`: a path, or SYNTHETIC, a small made-up set (a damped oscillator driven by seeded
noise) that needs no file: the behaviour probes and the tests that must run without the author's file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..errors import UserError

FILE_NAME = "eq_data_N100_r2500.mat"
DOWNLOAD = f"https://github.com/XuhuiM/SciML-Course (Codes/Neural_Operator/FNO_earthquake1D/Data/{FILE_NAME})"
DATA_ENV = "REPCORE_EARTHQUAKE_DATA"       # where this machine keeps the file: the dashboard's default path (docs/install.md)
AUTHOR_TEST = 10          # the author's split: the last 10 records test, the rest train
FIELDS = ("Load", "Response", "Time")


class OperatorDataError(UserError):
    """The data file is missing, unreadable or not shaped like the author's; str() is one line."""


@dataclass(frozen=True)
class Records:
    """The whole file as float64 arrays: load, response [N, n], time [n] in seconds."""
    load: np.ndarray
    response: np.ndarray
    time: np.ndarray
    path: str = ""

    @property
    def dt(self) -> float:
        return float(self.time[1] - self.time[0])


@dataclass(frozen=True)
class Split:
    """Record indices (sorted, disjoint, together all records)."""
    train: tuple[int, ...]
    test: tuple[int, ...]


SYNTHETIC = "synthetic"
SYNTHETIC_SHAPE = (20, 256)   # records x samples at 50 Hz (the author's split: 10 train, 10 test)


def open_records(spec: str) -> Records:
    """The records `spec` names: SYNTHETIC, or the path of a file like the author's."""
    if not str(spec).strip():
        raise OperatorDataError(f"data: the operator problem reads the earthquake records from a file: give --data PATH "
                                f"to {FILE_NAME} (download it from {DOWNLOAD})")
    return synthetic() if str(spec).strip() == SYNTHETIC else load(spec)


def default_path(env=os.environ) -> str:
    """The file's path as $REPCORE_EARTHQUAKE_DATA gives it ('' when unset): a default to offer, never read
    behind the user's back (a run's `data` field always names its file, so a saved run says what it read)."""
    return os.path.expanduser(env.get(DATA_ENV, "").strip())


def synthetic(seed: int = 0, hz: float = 1.25, damping: float = 0.05) -> Records:
    """SYNTHETIC_SHAPE records: smoothed seeded noise through a damped oscillator's impulse response
    (natural frequency `hz`), both scaled to [-1, 1] like the author's."""
    count, n = SYNTHETIC_SHAPE
    dt = 0.02
    t = np.arange(n) * dt
    rng = np.random.default_rng(seed)
    load_ = np.apply_along_axis(lambda x: np.convolve(x, np.ones(5) / 5, "same"), 1, rng.standard_normal((count, n)))
    w = 2 * np.pi * hz
    h = np.exp(-damping * w * t) * np.sin(w * np.sqrt(1 - damping ** 2) * t) * dt
    response = np.array([np.convolve(a, h)[:n] for a in load_])
    return Records(load_ / np.abs(load_).max(), response / np.abs(response).max(), t, SYNTHETIC)


def load(path: str) -> Records:
    """Read and check the file; any problem is one OperatorDataError line."""
    path = os.path.expanduser(str(path))
    if not os.path.isfile(path):
        raise OperatorDataError(f"data: no file at {path}; download it from {DOWNLOAD}")
    from scipy.io import loadmat    # scipy is only needed here
    try:
        mat = loadmat(path)
    except Exception as err:        # scipy raises ValueError, TypeError, MatReadError... for a damaged file
        raise OperatorDataError(f"data: {path} is not a readable MATLAB .mat file ({type(err).__name__}: "
                                f"{str(err).splitlines()[0] if str(err) else 'no detail'})") from None
    missing = [f for f in FIELDS if f not in mat]
    if missing:
        found = ", ".join(k for k in mat if not k.startswith("__")) or "nothing"
        raise OperatorDataError(f"data: {path} has no field {', '.join(missing)} (found: {found}); "
                                f"expected Load and Response [records x samples] and Time [samples x 1]")
    return check(mat["Load"], mat["Response"], mat["Time"], path)


def check(load_: np.ndarray, response: np.ndarray, time: np.ndarray, path: str = "") -> Records:
    """The arrays as Records, or one OperatorDataError line naming what is wrong."""
    arrays = {}
    for name, a in zip(FIELDS, (load_, response, time)):
        try:
            arrays[name] = np.asarray(a, dtype=np.float64)
        except (TypeError, ValueError):
            raise OperatorDataError(f"data: {name} in {path} is not numeric") from None
    a, r, t = arrays["Load"], arrays["Response"], arrays["Time"].reshape(-1)
    if a.ndim != 2 or a.shape != r.shape:
        raise OperatorDataError(f"data: Load is {_shape(a)} and Response {_shape(r)} in {path}; both must be "
                                f"the same [records x samples]")
    if a.shape[0] < 2 or a.shape[1] < 8:
        raise OperatorDataError(f"data: {a.shape[0]} records of {a.shape[1]} samples in {path}; need at least 2 "
                                f"records of 8 samples")
    if t.size != a.shape[1]:
        raise OperatorDataError(f"data: Time has {t.size} samples and each record {a.shape[1]} in {path}")
    for name, x in (("Load", a), ("Response", r), ("Time", t)):
        if not np.isfinite(x).all():
            raise OperatorDataError(f"data: {name} in {path} holds NaN or infinite values")
    step = np.diff(t)
    if step[0] <= 0 or np.abs(step - step[0]).max() > 1e-6 * abs(step[0]) + 1e-9:
        raise OperatorDataError(f"data: Time in {path} is not evenly spaced and increasing")
    if (np.linalg.norm(r, axis=1) == 0).any():
        raise OperatorDataError(f"data: a Response record in {path} is all zero; its relative error is undefined")
    return Records(a, r, t, path)


def _shape(x: np.ndarray) -> str:
    return " x ".join(map(str, x.shape)) or "a scalar"


def parse_records(spec: str, count: int) -> tuple[int, ...]:
    """'0-9' or '3,7,90-99' -> sorted record indices in [0, count)."""
    picked: set[int] = set()
    for part in str(spec).replace(" ", "").split(","):
        lo, sep, hi = part.partition("-")
        try:
            first, last = int(lo), int(hi) if sep else int(lo)
        except ValueError:
            raise OperatorDataError(f"test_records: {part!r} in {spec!r} is not an index or a range like 0-9") from None
        if not 0 <= first <= last < count:
            raise OperatorDataError(f"test_records: {part!r} is outside the records 0-{count - 1} or reversed")
        picked.update(range(first, last + 1))
    return tuple(sorted(picked))


def split(count: int, test_records: str | None = None) -> Split:
    """The author's split (last AUTHOR_TEST records test) or `test_records` held out, the rest train."""
    if test_records is None or str(test_records).strip() in ("", "author"):
        test = tuple(range(max(count - AUTHOR_TEST, 1), count))
    else:
        test = parse_records(test_records, count)
    train = tuple(i for i in range(count) if i not in set(test))
    if not train:
        raise OperatorDataError(f"test_records: {test_records!r} holds out every record; none is left to train on")
    return Split(train, test)


def rel_l2_per_record(pred: np.ndarray, true: np.ndarray) -> np.ndarray:
    """||pred_i - true_i|| / ||true_i|| for each record i: [N] (pred, true [N, n])."""
    pred, true = np.asarray(pred, dtype=np.float64), np.asarray(true, dtype=np.float64)
    if pred.shape != true.shape:
        raise ValueError(f"prediction {pred.shape} and truth {true.shape} differ")
    return np.linalg.norm(pred - true, axis=-1) / np.linalg.norm(true, axis=-1)


def mean_rel_l2(pred: np.ndarray, true: np.ndarray) -> float:
    """The author's metric (LpLoss.rel averaged over records): mean of the per-record relative L2."""
    return float(rel_l2_per_record(pred, true).mean())
