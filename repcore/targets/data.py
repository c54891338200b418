"""Targets from data: `csv:PATH`, `image:NAME_OR_PATH[@SIDE]` and `quake:NAME` (presets.resolve finds them
through DATA_SOURCES). A DataTarget carries its samples and gives the problem its own training and test
sets (`split`) instead of random points in a box; between samples it is an interpolant, which draws the
display line and finds the top frequency for RepNet's auto slope scale.

    csv:PATH        columns x (or x1..xd) and y, a header row, or no header and y last; the domain is
                    the data's bounding box unless --domain says otherwise (rows outside are dropped).
                    Test set: HOLDOUT of the rows, drawn with the run's seed; training: the rest, at most
                    `points` of them.
    image:NAME      a shipped picture (images.IMAGES) or a file, grayscale on [0, 1]^2, resized so its
                    longer side is SIDE pixels (default DEFAULT_SIDE). Test set: every pixel; training:
                    every pixel, or `points` random ones when that is fewer (then the test measures the
                    unseen pixels too).
    quake:NAME      a seismogram from ObsPy's bundled records (QUAKES), a 1-D real signal on [0, T] s,
                    split like a CSV.

Uploads (the dashboard): `csv:@ID` and `image:@ID` name a file uploads.store_upload wrote; a process
that serves visitors refuses specs naming a path before anything is read (uploads.serve_uploads_only).
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
from dataclasses import dataclass

import numpy as np

from ..registry import Registry
from . import images, seismic
from .csvdata import check_columns, parse_csv
from .frequency import top_frequency
from .presets import DATA_SOURCES, DataError, TargetError
from .uploads import paths_allowed, read, upload_dir

HOLDOUT = 0.2                # share of a CSV's (or a signal's) rows kept for the test error
SPLIT_SEED_OFFSET = 5_555_557
DEFAULT_SIDE, SIDES = 64, (8, 256)


@dataclass(frozen=True, eq=False)
class DataTarget:
    name: str                # the spec ('csv:runs.csv', 'image:zoneplate@64')
    text: str                # what captions show ('runs.csv: 200 rows')
    x: np.ndarray            # [n, d] sample positions (data units; a picture: pixel centres, row-major from the top)
    y: np.ndarray            # [n] values (a picture: 2 g - 1 per pixel)
    lo: np.ndarray           # [d]
    hi: np.ndarray           # [d]
    shape: tuple = ()        # (h, w) for a picture, () for samples

    @property
    def dim(self) -> int:
        return len(self.lo)

    def top_cycles(self) -> float:
        """Highest significant frequency (frequency.top_frequency) on lines of about as many points as the
        data has per axis: finer lines would see the interpolant's kinks, not the data."""
        per_axis = max(self.shape) if self.shape else round(len(self.y) ** (1 / self.dim))
        return top_frequency(self, n=max(64, per_axis))

    def __call__(self, x):
        """The interpolant at x [m, d] (linear in 1-D, bilinear on a picture, nearest sample otherwise) -> [m]."""
        if hasattr(x, "detach"):
            if x.requires_grad:
                raise TargetError(f"{self.name}: data has no formula to differentiate; use the problem 'fit'")
            return _torch_like(self(x.detach().cpu().numpy()), x)
        x = np.asarray(x, dtype=np.float64)
        if self.shape:
            return images.bilinear(self.y.reshape(self.shape), (x - self.lo) / (self.hi - self.lo))
        if self.dim == 1:
            xs, inverse = np.unique(self.x[:, 0], return_inverse=True)
            ys = np.bincount(inverse, self.y) / np.bincount(inverse)          # duplicates: their mean
            return np.interp(x[:, 0], xs, ys)
        from scipy.spatial import cKDTree
        return self.y[cKDTree(self.x).query(x)[1]]


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray      # [n_train, d]
    y_train: np.ndarray      # [n_train]
    x_test: np.ndarray       # [n_test, d]
    y_test: np.ndarray       # [n_test]


def split(target: DataTarget, seed: int, points: int) -> Split:
    """Training and test sets for a run with this seed and `points` (see the module docstring)."""
    n = len(target.y)
    rng = np.random.default_rng(seed + SPLIT_SEED_OFFSET)
    if target.shape:
        test = np.arange(n)
        train = test if points >= n else np.sort(rng.choice(n, points, replace=False))
    else:
        order = rng.permutation(n)
        cut = max(1, round(HOLDOUT * n))
        test, train = np.sort(order[:cut]), np.sort(order[cut:][:points])
    return Split(target.x[train], target.y[train], target.x[test], target.y[test])


def is_data(target) -> bool:
    return isinstance(target, DataTarget)


def _torch_like(values: np.ndarray, like):
    import torch
    return torch.as_tensor(values, dtype=like.dtype, device=like.device)


# --- the sources -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Quake:
    file: str                # under the obspy package, or "example" for obspy.read()'s record
    trace: str               # trace id


QUAKE_WINDOW_S = 12.0        # seconds of record, starting QUAKE_LEAD_S before the strongest motion
QUAKE_LEAD_S = 2.0
QUAKES: Registry[Quake] = Registry("earthquake record")
QUAKES.add("rjob", Quake("example", "BW.RJOB..EHZ"), "BW.RJOB vertical, Bavaria, 2009-08-24 (ObsPy's example record)")
QUAKES.add("montserrat", Quake("io/seisan/tests/data/9701-30-1048-54S.MVO_21_1", ".MBGA.J.SBZ"),
           "Montserrat volcano network, 1997-01-30 (ObsPy test data)")


def load(spec: str, domain: tuple = ()) -> DataTarget:
    """The DataTarget a spec names (cached per file version); the policy is checked before any read."""
    scheme, _, ref = spec.partition(":")
    name = ref.rsplit("@", 1)[0] if scheme == "image" and re.fullmatch(r".+@\d+", ref) else ref
    stamp = None
    if scheme in ("csv", "image") and not (scheme == "image" and name in images.IMAGES):
        if not name.startswith("@") and not paths_allowed():
            raise DataError(f"{scheme}: this server reads uploaded files only, not paths; upload the file instead")
        path = os.path.join(upload_dir(), name[1:]) if name.startswith("@") else os.path.expanduser(name)
        with contextlib.suppress(OSError):
            stamp = (os.stat(path).st_mtime_ns, os.stat(path).st_size)
    return _load(scheme, ref, tuple(domain), stamp)


@functools.lru_cache(maxsize=16)
def _load(scheme: str, ref: str, domain: tuple, stamp) -> DataTarget:
    return _SOURCES[scheme](ref, domain)


def _csv(ref: str, domain: tuple) -> DataTarget:
    blob, shown = read(ref, "csv")
    x, y, inputs = parse_csv(blob, shown)
    check_columns(x, y, inputs, shown)
    x, y, lo, hi = _restrict(x, y, domain, shown)
    if np.ptp(y) == 0:
        raise DataError(f"{shown}: column y is constant inside the domain: nothing to learn")
    return _frozen(DataTarget(f"csv:{ref}", f"{shown}: {len(y):,} rows, {', '.join(inputs)} -> y", x, y, lo, hi))


def _image(ref: str, domain: tuple) -> DataTarget:
    name, _, side = ref.rpartition("@") if re.fullmatch(r".+@\d+", ref) else (ref, "", str(DEFAULT_SIDE))
    if not SIDES[0] <= int(side) <= SIDES[1]:
        raise DataError(f"image: {side} px is outside [{SIDES[0]}, {SIDES[1]}] (write image:NAME@SIDE)")
    if name in images.IMAGES:
        blob, shown = images.shipped_bytes(name), name
    else:
        blob, shown = read(name, "image")
    gray = images.decode(blob, shown, int(side))
    h, w = gray.shape
    pairs = _pairs(domain or ((0.0, 1.0),), 2, shown)
    lo, hi = np.array([p[0] for p in pairs], float), np.array([p[1] for p in pairs], float)
    cols = lo[0] + (np.arange(w) + 0.5) / w * (hi[0] - lo[0])
    rows = hi[1] - (np.arange(h) + 0.5) / h * (hi[1] - lo[1])            # row 0 at the top
    x = np.stack([np.tile(cols, h), np.repeat(rows, w)], 1)
    y = 2 * gray.ravel() - 1
    if np.ptp(y) == 0:
        raise DataError(f"{shown}: one flat grey: nothing to learn")
    return _frozen(DataTarget(f"image:{ref}", f"{shown}, {w}x{h} px", x, y, lo, hi, (h, w)))


def _quake(ref: str, domain: tuple) -> DataTarget:
    if ref not in QUAKES:
        raise DataError(f"quake: unknown record {ref!r}; choose one of: {', '.join(QUAKES)}")
    quake = QUAKES.get(ref)
    try:
        (_, signal), = seismic.records(((quake.file, (quake.trace,)),))
    except DataError as err:
        raise DataError(f"quake:{ref}: {err}") from None
    start = int(max(0, np.argmax(np.abs(signal)) - QUAKE_LEAD_S * seismic.RATE))
    window = signal[start:start + int(QUAKE_WINDOW_S * seismic.RATE)]
    t = np.arange(len(window)) / seismic.RATE
    x, y, lo, hi = _restrict(t[:, None], window / np.abs(window).max(), domain, f"quake:{ref}")
    return _frozen(DataTarget(f"quake:{ref}", f"{ref}: {len(window)} samples at {seismic.RATE:g} Hz (band 0.5-15 Hz)", x, y, lo, hi))


_SOURCES = {"csv": _csv, "image": _image, "quake": _quake}
DATA_SOURCES.add("csv", load, "csv:PATH: columns x (or x1..xd) and y; 20% of the rows held out for the test error")
DATA_SOURCES.add("image", load, f"image:NAME_OR_PATH[@SIDE]: a grayscale picture on [0, 1]^2 ({', '.join(images.IMAGES)})")
DATA_SOURCES.add("quake", load, f"quake:NAME: a seismogram from ObsPy's records as a 1-D signal ({', '.join(QUAKES)})")


def _pairs(domain: tuple, dim: int, shown: str) -> tuple:
    pairs = domain * dim if len(domain) == 1 else domain
    if len(pairs) != dim:
        raise DataError(f"domain: {len(domain)} axes given but {shown} has {dim} inputs")
    return pairs


def _restrict(x: np.ndarray, y: np.ndarray, domain: tuple, shown: str):
    """The rows inside the domain (default: the data's bounding box) and its bounds."""
    if not domain:
        return x, y, x.min(0), x.max(0)
    pairs = _pairs(domain, x.shape[1], shown)
    lo, hi = np.array([p[0] for p in pairs], float), np.array([p[1] for p in pairs], float)
    inside = ((x >= lo) & (x <= hi)).all(1)
    if inside.sum() < 2:
        raise DataError(f"{shown}: fewer than 2 rows inside the domain")
    return x[inside], y[inside], lo, hi


def _frozen(target: DataTarget) -> DataTarget:
    for a in (target.x, target.y):
        a.flags.writeable = False
    return target
