"""Executing (stage 3): trials already in the trial cache are reused, the rest grouped into jobs
(plan.jobs) and handed to a backend (backends.py); each result is cached as soon as its job returns.

    run(experiment, quick, seeds, device, how=Execution(...))      every trial of an experiment
    run_trials(trials, how)                                          any list (sweep.py builds one)

Progress prints done / total, elapsed and the time left on stderr.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .backends import BACKENDS, Execution
from .experiment import Experiment, Trial
from ..methods import method_of
from .plan import jobs as plan_jobs, trials
from .results import Result, TrialCache


def run(exp: Experiment, quick: bool, seeds: Sequence[int], device: str = "auto", progress: bool = True,
        parallel: str = "auto", how: Execution | None = None) -> list[Result]:
    """Every trial of `exp` (plan.trials); `how` says where (default: this machine, `parallel`)."""
    how = how or Execution(parallel=parallel, progress=progress)
    return run_trials(trials(exp, quick, seeds, device), how)


def run_trials(todo: list[Trial], how: Execution) -> list[Result]:
    """Results of `todo`, in its order: finished ones from the cache, the rest run by the backend and
    cached as each finishes. Trials with one key (the same config twice) run once."""
    backend = BACKENDS.get(how.backend)
    cache = TrialCache(how.cache) if how.cache is not None else None
    found = {t.key: r for t in todo if cache is not None and (r := cache.load(t)) is not None}
    fresh = list({t.key: t for t in todo if t.key not in found}.values())
    if cache is not None and how.progress:
        print(f"  {len(found)} of {len(todo)} trials reused from {cache.folder}, {len(fresh)} to run", file=sys.stderr, flush=True)
    jobs = plan_jobs(fresh, how.batch)
    progress = Progress(len(found) + len(fresh), len(found), how.progress)
    for i, results in backend(jobs, how) if jobs else ():
        for t, res in zip(jobs[i], results):
            if cache is not None:
                cache.save(t, res)
            found[t.key] = res
            progress.tick(f"{t.case} {method_of(t.cfg)} seed {t.cfg.seed}: rel_l2 {res.final.rel_l2:.3g}")
    return [replace(found[t.key], case=t.case) for t in todo]


class Progress:
    """'[done/total] what ... elapsed, ETA' lines on stderr. The ETA extrapolates from the trials run
    in this invocation only (reused ones took no time)."""

    def __init__(self, total: int, reused: int, enabled: bool = True):
        self.total, self.done, self.reused, self.enabled = total, reused, reused, enabled
        self.start = time.perf_counter()

    def tick(self, what: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        ran = self.done - self.reused
        eta = elapsed / ran * (self.total - self.done) if ran else float("nan")
        print(f"  [{self.done}/{self.total}] {what}  elapsed {_clock(elapsed)}, ETA {_clock(eta)}", file=sys.stderr, flush=True)


def _clock(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "?"
    m, s = divmod(round(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"
