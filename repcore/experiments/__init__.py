"""The paper's experiment families as named, runnable benchmarks: `python -m repcore.experiments`."""
from . import catalog  # noqa: F401  (register)
from .runner import EXPERIMENTS, Experiment, run

__all__ = ["EXPERIMENTS", "Experiment", "run"]
