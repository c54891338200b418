"""What an experiment is (stage 1, what): a named list of cases, each trained for every method and
seed through the one training loop, summarised as a table (report.py).

An Experiment says which cases (a label and a RunConfig) to run at full and at --quick size and which
methods (methods.py: a model and its options) to compare; plan.trials expands it into trials (case x
seed x method; methods share the seed, data and body, see models.py). The registered experiments are
in catalog.py; adding one is one EXPERIMENTS.add there.

A trial is one RunConfig (method and seed included) under a case label, with a stable key:

    key(cfg) = sha256(query_json(cfg) + version.engine_version())[:16]

so the key changes when a setting or the code of the training path changes, and nothing else (the
trial cache, results.TrialCache, finds a finished trial by it).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from ..config import RunConfig
from ..registry import Registry
from ..version import engine_version


@dataclass(frozen=True)
class Experiment:
    title: str
    cases: Callable[[bool], list[tuple[str, RunConfig]]]   # quick -> [(case label, config)]
    models: tuple[str, ...] = ("vanilla", "repnet")        # methods (methods.py): a model and its options
    errors: tuple[str, ...] = ("rel_l2",)                   # columns summarised as mean +- std
    note: str = ""                                         # what the reader should know about the setup
    overrides: dict = field(default_factory=dict)          # method -> RunConfig changes for that method only
    tuned: bool = False          # each method's knob tuned first on the first case and seed (tune.py), the best kept for every case
    reads_data: bool = False     # its cases read a data file (RunConfig.data): `run NAME --data PATH` gives it


EXPERIMENTS: Registry[Experiment] = Registry("experiment")


def query_json(cfg: RunConfig) -> str:
    """The config as one JSON object of strings: only the fields that differ from the defaults (its
    URL query). The trial key's text; a stored row keeps every field instead (store.config_json)."""
    return json.dumps(cfg.to_query(), sort_keys=True)


def trial_key(cfg: RunConfig) -> str:
    return hashlib.sha256((query_json(cfg) + "\0" + engine_version()).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Trial:
    case: str           # the label a table shows (e.g. "multiscale (tanh)" or "slope_scale=78.5")
    cfg: RunConfig      # complete: model, seed and device included

    @property
    def key(self) -> str:
        return trial_key(self.cfg)
