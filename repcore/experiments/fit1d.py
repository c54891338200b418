"""1-D multiscale function approximation (the paper's first family; targets from targets.PRESETS).

Full size = the CLI defaults with --steps 5000, so the table is the one `python -m repcore compare
--target T --act A --seeds 0,1,2 --steps 5000` prints for each row.
"""
from ..config import RunConfig
from .runner import EXPERIMENTS, Experiment

TARGETS = ("multiscale", "sines", "chirp", "sine")


def cases(quick: bool):
    base = RunConfig(steps=5000, every=250)
    if quick:
        base = base.replace(steps=60, every=20, width=16, depth=2, points=200, grid=128, test_points=512)
    return [(f"{t} ({act})", base.replace(target=t, act=act)) for act in ("relu", "tanh") for t in TARGETS]


EXPERIMENTS.add("fit1d", Experiment(
    "1-D multiscale approximation", cases,
    note="CLI defaults (width 100, depth 3, Adam lr 1e-3, 1000 random points, zero head, auto slope scale), 5000 steps."),
    "1-D targets: multiscale sin(2 pi x) + 0.1 sin(50 pi x), four sines up to 24 cycles, a chirp, a single sine")
