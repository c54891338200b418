"""repcore: the RepNet engine. Read it top to bottom:

    registry -> expr -> targets            what to learn
    activations, inits, layers -> models   what learns (layers.RepLayer is the paper's idea)
    peers                                  Fourier features, SIREN, MscaleDNN, LAAF in the same body
    estimates                              magnitudes at initialization, the auto slope scale
    problems, diagnostics, snapshot        loss terms, measurements, the plain record
    diffops -> pinn; seismic -> operator   PINN and operator-learning problems
    config -> train -> workers             one typed config, one training loop (a generator), in a process
    library, library_io                    saved runs in SQLite, the portable run file
    cli, library_cli                       `python -m repcore fit|compare|runs`
"""
from .config import ConfigError, RunConfig
from .train import Run, lockstep, train

__all__ = ["ConfigError", "Run", "RunConfig", "lockstep", "train"]
