"""repcore: the RepNet engine. Read it top to bottom:

    errors, registry -> targets/           one-line user errors; named choices; what to learn (formulas, data)
    config                                 RunConfig: the one typed description of a run
    activations, inits, repnet -> models   what learns (repnet.RepLayer is the paper's idea)
    peers                                  Fourier features, SIREN, MscaleDNN, LAAF, MsFFN in the same body
    methods, palette                       named methods (a model + options: RepNet's variants); colours
    estimates                              magnitudes at initialization, the auto slope scale
    problems/                              one Problem interface and its protocol (schedules, weighting);
                                           loss terms: fit, PINNs (diffops), DeepONet on earthquake records
    diagnostics, snapshot                  measurements at snapshot steps; the plain record
    train                                  the one training loop (a generator)
    workers                                runs in child processes, side by side
    library/                               saved runs: run file, SQLite store, `runs` commands
    cli                                    `python -m repcore fit|compare|runs`
    experiments/, bench/                   the paper's experiments as tables; speed ratios

Importing the package fills every registry once (models, peers, problems), so a config can check any
choice without importing the modules that define them.
"""
from . import models, peers, problems  # noqa: F401  (fill the registries)
from .config import ConfigError, RunConfig
from .errors import UserError
from .train import Run, lockstep, train

__all__ = ["ConfigError", "Run", "RunConfig", "UserError", "lockstep", "train"]
