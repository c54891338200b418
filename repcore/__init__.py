"""repcore: the RepNet engine. Read it top to bottom:

    registry -> expr -> targets            what to learn
    activations, inits, layers -> models   what learns (layers.RepLayer is the paper's idea)
    estimates                              magnitudes at initialization, the auto slope scale
    problems, diagnostics, snapshot        loss terms, measurements, the plain record
    config -> train                        one typed config, one training loop (a generator)
    cli                                    `python -m repcore fit|compare`
"""
from .config import ConfigError, RunConfig
from .train import Run, lockstep, train

__all__ = ["ConfigError", "Run", "RunConfig", "lockstep", "train"]
