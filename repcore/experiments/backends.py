"""Where trials run (stage 3, execute). A backend takes jobs (lists of trials, plan.jobs), has each
trained by `run_job` in a worker, and yields (job index, results) as each job finishes, in whatever
order they finish; execute.run_trials caches each result at once, so an interrupted sweep keeps every
finished trial.

    local   this machine: in this process, or a process pool (one process per core) from the warm
            fork server of workers.py. The default; never imports Ray.
    ray     Ray tasks (https://docs.ray.io): a local Ray started and stopped here, or a running
            cluster joined with --address HOST:PORT. One CPU per job, --gpus-per-trial GPUs (may be
            fractional). A job whose worker process dies is retried by Ray (max_retries); results
            come back to this process and are stored once, so nothing is lost or counted twice.

The results do not depend on the backend: the same code trains the same seeds in one thread.
"""
from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..registry import Registry
from ..train import train
from ..workers import mp_context, no_main_import, use_processes
from .experiment import Trial
from .results import Result
from .stacked import train_stack

Jobs = list[list[Trial]]
RAY_RETRIES = 3          # a job whose worker dies is run again up to this many times


class BackendError(UserError):
    """A backend that cannot be used as asked (Ray missing, a bad address)."""


@dataclass(frozen=True)
class Execution:
    """How a list of trials is executed (not what it computes: the results do not depend on these)."""
    backend: str = "local"
    address: str | None = None          # ray: HOST:PORT of a running cluster; None = start a local Ray
    gpus_per_trial: float = 0.0         # ray: GPUs reserved per job (fractions share a GPU)
    parallel: str = "auto"              # local: auto|yes|no, see workers.use_processes
    batch: str = "auto"                 # auto|yes|no, see plan.jobs
    cache: Path | None = None           # the trial cache's folder (results.TrialCache); None = keep nothing
    progress: bool = True


def run_job(job: list[Trial]) -> list[Result]:
    """Train a job (plan.jobs) in this process: several trials as one stacked network (stacked.py),
    one trial alone. Returns one Result per trial, in order. What every backend ships to its workers."""
    if len(job) > 1:
        return train_stack(job)
    out = []
    for t in job:
        res = Result.start(t)
        for snap in train(t.cfg):
            res.record(snap)
        out.append(res)
    return out


def local(jobs: Jobs, how: Execution) -> Iterator[tuple[int, list]]:
    cfgs = [t.cfg for job in jobs for t in job]
    if len(jobs) < 2 or not use_processes(how.parallel, cfgs):
        for i, job in enumerate(jobs):
            yield i, run_job(job)
        return
    with no_main_import():
        pool = ProcessPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1), mp_context=mp_context())
        futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
    try:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                yield futures[f], f.result()
        pool.shutdown()
    except BaseException:              # interrupted, or a trial failed: stop the pool's processes now
        procs = list((pool._processes or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.kill()
        raise


def _ray(joining: bool):
    # Bind Ray to the loopback interface only (measured: without it Ray swaps 127.0.0.1 for the
    # machine's network address). Must be set before Ray starts.
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    if joining and "RAY_AUTH_MODE" not in os.environ and (Path.home() / ".ray" / "auth_token").exists():
        # What `ray start` decided on this machine: a default token present means the cluster wants it
        # (Ray reads the mode when it is imported).
        os.environ["RAY_AUTH_MODE"] = "token"
    try:   # optional: loaded only for --backend ray, never at import time (tests/test_ray.py checks)
        return importlib.import_module("ray")
    except ImportError:
        raise BackendError("--backend ray needs Ray: pip install -r requirements-ray.txt") from None


def ray(jobs: Jobs, how: Execution) -> Iterator[tuple[int, list]]:
    if how.address is not None and not re.fullmatch(r"[\w.\-]+:\d{1,5}", how.address):
        raise BackendError(f"--address: {how.address!r} is not HOST:PORT")
    ray_ = _ray(how.address is not None)
    package = str(Path(__file__).resolve().parents[1])
    # The engine travels with the jobs (py_modules), so a cluster's machines run this very code; they
    # need only Python with the packages of requirements.txt and Ray.
    env = {"py_modules": [package], "env_vars": {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "OMP_NUM_THREADS": "1"}}
    try:
        if how.address is None:
            ray_.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, runtime_env=env,
                      logging_level=logging.WARNING)
        else:
            ray_.init(address=how.address, log_to_driver=False, runtime_env=env, logging_level=logging.WARNING)
    except (ConnectionError, RuntimeError, ValueError) as err:
        ray_.shutdown()
        raise BackendError(f"cannot reach a Ray cluster at {how.address}: {str(err).splitlines()[0]}") from None
    try:
        task = ray_.remote(num_cpus=1, num_gpus=how.gpus_per_trial, max_retries=RAY_RETRIES)(run_job)
        refs = {task.remote(job): i for i, job in enumerate(jobs)}
        pending = list(refs)
        while pending:
            done, pending = ray_.wait(pending, num_returns=1)
            for ref in done:
                yield refs[ref], ray_.get(ref)
    finally:
        # Disconnects from a cluster (which then ends this job: its tasks' workers are killed) or stops the
        # local Ray it started. No ray.cancel first: a cancel racing a task's reply aborts the driver in
        # Ray 2.60 ("Tried to complete task that was not pending", seen under load after Ctrl-C; Ray's
        # PR 54798 fixed the retry twin of that check); tests/test_ray.py checks the workers stop.
        ray_.shutdown()


BACKENDS: Registry[Callable[[Jobs, Execution], Iterator[tuple[int, list]]]] = Registry("backend")
BACKENDS.add("local", local, "this machine: in process, or one process per core (--parallel)")
BACKENDS.add("ray", ray, "Ray tasks: a local Ray started for the sweep, or a cluster (--address HOST:PORT)")
