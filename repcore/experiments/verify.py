"""`python -m repcore.experiments verify NAME` (stage 5, publish): rerun stored rows with their stored
configs (the way every trial is trained, backends.run_job) and compare.

A row is one trained run of docs/results/NAME/runs.csv. Its rerun trains the stored config (the
device is this machine's, --device) and compares every result column (rel_l2, knob, steps, status,
final losses, problem extras; not the timings) with the stored value:

- bit-exact when the row was made on this kind of device, unbatched: the training loop is
  deterministic there (tests/test_train.py: same seed, same snapshots), so any difference is the code
  computing something else (the output names the stored and current engine versions);
- otherwise within a relative tolerance (--rtol, default 5%: floating-point sums in another order, on
  another device or in a stacked network, change the last bits, and thousands of optimizer steps can
  grow that difference; the stated tolerance is what such a rerun is held to).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pandas as pd

from ..errors import UserError
from .backends import run_job
from .experiment import Trial
from .store import NOT_RESULTS, Stored, config_of, device_name

DEFAULT_RTOL = 0.05


class VerifyError(UserError):
    """Bad verify input: rows or seeds that are not stored."""


@dataclass
class Check:
    row: int                # index in runs.csv (0 = first data line)
    label: str              # 'multiscale (tanh) vanilla seed 0'
    column: str
    stored: object
    now: object
    rtol: float | None      # None: bit-exact

    def __post_init__(self):
        self.stored, self.now = (getattr(v, "item", lambda v=v: v)() for v in (self.stored, self.now))   # NumPy -> Python

    @property
    def agrees(self) -> bool:
        a, b = self.stored, self.now
        if isinstance(a, str) or isinstance(b, str):
            return str(a) == str(b)
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b if self.rtol is None else abs(a - b) <= self.rtol * max(abs(a), abs(b))

    def line(self) -> str:
        how = "bit-exact" if self.rtol is None else f"rtol {self.rtol:g}"
        return f"row {self.row} ({self.label}): {self.column} stored {self.stored!r} now {self.now!r} ({how})"


def pick(stored: Stored, rows: int | None, named: list[int], seeds: list[int] | None, rng: random.Random) -> list[int]:
    """Row indices to rerun: the named ones, else `rows` chosen at random among the rows of `seeds`."""
    runs = stored.runs
    bad = [i for i in named if not 0 <= i < len(runs)]
    if bad:
        raise VerifyError(f"--row {bad[0]}: {stored.name} stores rows 0..{len(runs) - 1}")
    if named:
        return named
    pool = runs.index if seeds is None else runs.index[runs["seed"].isin(seeds)]
    if seeds is not None and len(pool) == 0:
        raise VerifyError(f"--seeds {','.join(map(str, seeds))}: {stored.name} stores seeds "
                          f"{','.join(map(str, sorted(set(runs['seed']))))}")
    rows = 1 if rows is None else rows
    if not 1 <= rows <= len(pool):
        raise VerifyError(f"--rows {rows}: choose 1..{len(pool)} (the stored rows{'' if seeds is None else ' of those seeds'})")
    return sorted(rng.sample(list(pool), rows))


def tolerance(row: pd.Series, device: str, rtol: float | None) -> float | None:
    """None (bit-exact) when the row can be reproduced bit for bit here, else the relative tolerance."""
    if rtol is not None:
        return rtol
    batch = row.get("batch", 1)
    unbatched = pd.isna(batch) or int(batch) == 1
    return None if str(row["device"]) == device_name(device) and unbatched else DEFAULT_RTOL


def rerun(row: pd.Series, device: str, data: str | None = None) -> tuple[dict, str]:
    """The row's result columns computed now, and the device they were computed on; `data`: the data
    file to read instead of the stored path (RunConfig.data)."""
    cfg = config_of(row).replace(device=device)
    result = run_job([Trial(str(row["case"]), cfg if data is None else cfg.replace(data=data))])[0]
    return result.row(), result.final.device


def check_row(stored: Stored, i: int, device: str, rtol: float | None, data: str | None = None) -> list[Check]:
    row = stored.runs.loc[i]
    now, used = rerun(row, device, data)
    tol = tolerance(row, used, rtol)
    label = f"{row['case']} {row['model']} seed {row['seed']}"
    cols = [c for c in stored.runs.columns if c not in NOT_RESULTS and c in now]
    return [Check(i, label, c, row[c], now[c], tol) for c in cols]
