"""The paper's experiments as named, runnable benchmarks: `python -m repcore.experiments`.

Cut by stage; one `run NAME` goes down this list once:

    what      experiment (Experiment, Trial), catalog (the registered experiments), methods
    plan      plan (an experiment's trials; trials grouped into jobs)
    execute   execute (reuse cached trials, run the rest), backends (local, Ray; run_job), stacked
    results   results (Result, the trial cache), report (tables and figures of one run's folder)
    publish   store (the stored results, docs/results), publish (the docs' generated tables), verify
    sweeps    sweep (a grid of settings), tune (each method's knob chosen, then every seed)
    CLI       __main__
"""
from . import catalog  # noqa: F401  (register)
from .execute import run
from .experiment import EXPERIMENTS, Experiment

__all__ = ["EXPERIMENTS", "Experiment", "run"]
