"""Planning (stage 2): an experiment as trials (experiment.Trial), trials as jobs.

A job is a list of trials trained in one process (execute.run_job): one trial, or up to MAX_K trials
that stack as one network (stacked.py says which can; `jobs` decides which do: --batch).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from ..config import RunConfig
from ..registry import Registry
from .experiment import Experiment, Trial
from ..methods import config
from .stacked import stack_key

MAX_K = 64                 # trials per stacked network
CPU_MAX_WIDTH = 64         # --batch auto on the CPU: stack only networks this narrow (crossover, bench --batched)

BATCHING: Registry[str] = Registry("batching")
BATCHING.add("auto", "auto", f"stack trials of one shape on CUDA always, on the CPU up to width {CPU_MAX_WIDTH}")
BATCHING.add("yes", "yes", "stack every group of trials that share a shape")
BATCHING.add("no", "no", "every trial trains alone")


def trials(exp: Experiment, quick: bool, seeds: Sequence[int], device: str = "auto") -> list[Trial]:
    """Every case x seed x method of `exp`, in table order."""
    return [Trial(case, config(base, m).replace(seed=seed, device=device, **exp.overrides.get(m, {})))
            for case, base in exp.cases(quick) for seed in seeds for m in exp.models]


def _wanted(cfg: RunConfig, batch: str) -> bool:
    if batch == "auto":
        return _on_cuda(cfg.device) or cfg.width <= CPU_MAX_WIDTH
    return batch == "yes"


def _on_cuda(device: str) -> bool:
    return device == "cuda" or (device == "auto" and torch.cuda.is_available())


def jobs(trials: list[Trial], batch: str = "auto") -> list[list[Trial]]:
    """Groups of up to MAX_K trials that stack (one stacked.stack_key) when `batch` wants them stacked,
    else one trial each. Order within a group follows `trials`; a job of several trials is always one
    stack."""
    BATCHING.get(batch)
    groups: dict[tuple, list[Trial]] = {}
    out: list[list[Trial]] = []
    for t in trials:
        key = stack_key(t.cfg) if _wanted(t.cfg, batch) else None
        if key is None:
            out.append([t])
        else:
            groups.setdefault(key, []).append(t)
    for group in groups.values():
        n_jobs = math.ceil(len(group) / MAX_K)
        size = math.ceil(len(group) / n_jobs)
        out += [group[i:i + size] for i in range(0, len(group), size)]
    return out
