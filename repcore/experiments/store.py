"""Stored results (stage 5, publish): the versioned result files every results table is generated from.

    docs/results/NAME/runs.csv      one row per trained run: case, model, seed, the result columns
                                    (rel_l2, final losses, problem extras), and its provenance:
                                    config (the complete RunConfig as JSON), engine_version and
                                    behaviour_version (version.py), device, command (the one that made
                                    the row), made (UTC date), quick
    docs/results/NAME/history.csv   one row per snapshot of every run (error and losses over steps)

`python -m repcore.experiments run NAME --out docs/results` writes them (report.write); the docs'
tables (publish.py), the dashboard and `verify` read them through `load`, by default from ROOT: the folder
$REPCORE_RESULTS names, else docs/results of the checkout this package runs from (PYTHONPATH or an
editable install), else docs/results under the current directory (an installed package run from a
checkout). The results are the repository's, not the package's: `pip install .` does not copy them. A stored experiment is stale
when a row's behaviour_version differs from version.behaviour_version(its problem): the engine computes other
numbers than when the row was made (a refactor or a comment, which changes engine_version only, does
not make a table stale).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from ..config import RunConfig, format_value
from ..errors import UserError
from ..version import behaviour_version



def _results_folder() -> Path:
    """The default stored-results folder (module docstring)."""
    if os.environ.get("REPCORE_RESULTS"):
        return Path(os.environ["REPCORE_RESULTS"]).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[2] / "docs" / "results"
    return checkout if checkout.is_dir() else Path.cwd() / "docs" / "results"


ROOT = _results_folder()
PROVENANCE = ("config", "engine_version", "behaviour_version", "device", "command", "made", "quick")
# Columns that describe a row or time it, not what it computed (verify compares all the others).
NOT_RESULTS = ("case", "model", "act", "seed", "wall_s", "ms_per_step", "batch", "key") + PROVENANCE


class StoreError(UserError):
    """Missing or malformed stored results."""


def config_json(cfg: RunConfig) -> str:
    """Every field (not only those off the defaults), so a row keeps its meaning if a default changes."""
    return json.dumps({f.name: format_value(getattr(cfg, f.name)) for f in fields(cfg)}, sort_keys=True)


def device_name(device: str) -> str:
    """What a row's device was, precise enough to say whether a rerun here can be bit-exact:
    'cpu x86_64' or 'cuda NVIDIA H100 80GB HBM3'."""
    if device.startswith("cuda"):
        import torch
        return f"cuda {torch.cuda.get_device_name(torch.device(device))}"
    return f"{device} {platform.machine()}"


def config_of(row: pd.Series) -> RunConfig:
    """The RunConfig a stored row was made with."""
    try:
        return RunConfig.from_query(json.loads(row["config"]))[0]
    except (ValueError, TypeError, UserError) as err:
        raise StoreError(f"row {row.name}: unreadable config ({err})") from None


def read_csv(path: Path) -> pd.DataFrame:
    # pandas >= 3 reads back the very floats it wrote (tests/test_verify.py checks), so `verify` can
    # compare bit for bit; only 'nan' and empty cells are missing values (a case may be called 'NA').
    return pd.read_csv(path, keep_default_na=False, na_values=["nan", "NaN", ""])


@dataclass
class Stored:
    """One stored experiment: its runs (and history) plus what the docs say about them."""
    name: str
    folder: Path
    runs: pd.DataFrame
    history: pd.DataFrame | None

    @property
    def digest(self) -> str:
        """sha256 of runs.csv (line ends normalised): the docs print it, so editing any stored byte,
        shown in a table or not, makes the docs differ from what the stored files generate."""
        data = (self.folder / "runs.csv").read_bytes().replace(b"\r\n", b"\n")
        return hashlib.sha256(data).hexdigest()[:12]

    @property
    def versions(self) -> list[str]:
        """The behaviour versions of the stored rows (one, unless rows were made by different engines)."""
        return sorted(set(self.runs["behaviour_version"].astype(str)))

    @property
    def current_versions(self) -> list[str]:
        """What the engine's behaviour versions are now, for the stored rows' problems."""
        return sorted({behaviour_version(p) for p in self.problems})

    @property
    def problems(self) -> list[str]:
        return list(dict.fromkeys(json.loads(c).get("problem", "fit") for c in self.runs["config"].astype(str)))

    @property
    def stale(self) -> bool:
        return any(str(v) != behaviour_version(json.loads(c).get("problem", "fit"))
                   for v, c in zip(self.runs["behaviour_version"], self.runs["config"].astype(str)))

    @property
    def quick(self) -> bool:
        return bool(self.runs["quick"].astype(str).str.lower().eq("true").any())

    @property
    def commands(self) -> list[str]:
        return list(dict.fromkeys(self.runs["command"].astype(str)))

    @property
    def devices(self) -> list[str]:
        return list(dict.fromkeys(self.runs["device"].astype(str)))

    @property
    def made(self) -> str:
        return str(self.runs["made"].astype(str).max())

    @property
    def training_minutes(self) -> float:
        return float(self.runs["wall_s"].sum()) / 60

    def error_curves(self, case: str, column: str = "rel_l2") -> pd.DataFrame:
        """[steps x models] the column's mean over seeds at each snapshot step of one case (empty
        without a history.csv)."""
        if self.history is None or column not in self.history:
            return pd.DataFrame()
        mine = self.history[self.history["case"] == case]
        return mine.groupby(["step", "model"], sort=False)[column].mean().unstack("model")


def names(root: Path = ROOT) -> list[str]:
    """The stored experiments under root (folders holding a runs.csv), sorted."""
    return sorted(p.parent.name for p in Path(root).glob("*/runs.csv"))


def load(name: str, root: Path = ROOT) -> Stored | None:
    """The stored experiment NAME, or None when nothing is stored for it. Raises StoreError on a
    runs.csv without the provenance columns."""
    folder = Path(root) / name
    if not (folder / "runs.csv").exists():
        return None
    runs = read_csv(folder / "runs.csv")
    missing = [c for c in ("case", "model", "seed", "rel_l2", *PROVENANCE) if c not in runs.columns]
    if missing:
        raise StoreError(f"{folder / 'runs.csv'}: no column {', '.join(missing)} (rerun: python -m repcore.experiments run {name} "
                         f"--out {Path(root)})")
    history = read_csv(folder / "history.csv") if (folder / "history.csv").exists() else None
    return Stored(name, folder, runs, history)


def require(name: str, root: Path = ROOT) -> Stored:
    stored = load(name, root)
    if stored is None:
        have = ", ".join(names(root)) or "none"
        raise StoreError(f"no stored results for {name!r} in {root} (stored: {have})")
    return stored
