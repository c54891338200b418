"""Running trials: the ones already in the store are reused, the rest grouped into jobs (batched.plan)
and handed to a backend (backends.py); each result is stored as soon as its job returns.

    run(experiment, quick, seeds, device, how=Execution(...))      every trial of an experiment
    run_trials(trials, how)                                          any list (sweep.py builds one)
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

from .backends import BACKENDS, Execution
from .batched import plan
from .jobs import Progress, TrialStore
from .methods import method_of
from .runner import Experiment, Result, trials
from .trials import Trial


def run(exp: Experiment, quick: bool, seeds: Sequence[int], device: str = "auto", progress: bool = True,
        parallel: str = "auto", how: Execution | None = None) -> list[Result]:
    """Every trial of `exp` (see `trials`); `how` says where (default: this machine, `parallel`)."""
    how = how or Execution(parallel=parallel, progress=progress)
    return run_trials(trials(exp, quick, seeds, device), how)


def run_trials(todo: list[Trial], how: Execution) -> list[Result]:
    """Results of `todo`, in its order: finished ones from the store, the rest run by the backend and
    stored as each finishes. Trials with one key (the same config twice) run once."""
    backend = BACKENDS.get(how.backend)
    store = TrialStore(how.store) if how.store is not None else None
    found = {t.key: r for t in todo if store is not None and (r := store.load(t)) is not None}
    fresh = list({t.key: t for t in todo if t.key not in found}.values())
    if store is not None and how.progress:
        print(f"  {len(found)} of {len(todo)} trials reused from {store.folder}, {len(fresh)} to run", file=sys.stderr, flush=True)
    jobs = plan(fresh, how.batch)
    progress = Progress(len(found) + len(fresh), len(found), how.progress)
    for i, results in backend(jobs, how) if jobs else ():
        for t, res in zip(jobs[i], results):
            if store is not None:
                store.save(t, res)
            found[t.key] = res
            progress.tick(f"{t.case} {method_of(t.cfg)} seed {t.cfg.seed}: rel_l2 {res.final.rel_l2:.3g}")
    return [Result(t.case, found[t.key].cfg, found[t.key].nu, found[t.key].history, found[t.key].final, found[t.key].batch)
            for t in todo]
