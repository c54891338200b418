"""The paper's experiment families as named, runnable benchmarks: `python -m repcore.experiments`."""
from . import catalog  # noqa: F401  (register)
from .execute import run
from .runner import EXPERIMENTS, Experiment

__all__ = ["EXPERIMENTS", "Experiment", "run"]
