"""Trials: a sweep as data. One trial = one RunConfig (model and seed included) under a case label,
with a stable key:

    key(cfg) = sha256(sorted cfg.to_query() + version.engine_version())[:16]

so the key changes when a setting or the code of the training path changes, and nothing else (the
result store, jobs.TrialStore, finds a finished trial by it).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..config import RunConfig
from ..version import engine_version


def config_json(cfg: RunConfig) -> str:
    """The config as one JSON object of strings (only the fields that differ from the defaults)."""
    return json.dumps(cfg.to_query(), sort_keys=True)


def trial_key(cfg: RunConfig) -> str:
    return hashlib.sha256((config_json(cfg) + "\0" + engine_version()).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Trial:
    case: str           # the label a table shows (e.g. "multiscale (tanh)" or "slope_scale=78.5")
    cfg: RunConfig      # complete: model, seed and device included

    @property
    def key(self) -> str:
        return trial_key(self.cfg)
