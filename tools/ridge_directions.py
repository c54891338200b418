"""`python -m tools.ridge_directions KEY=VALUE ... [--axes]`: one run of a RunConfig (given as URL keys), printing
its final rel. L2; with --axes, RepNet's first-layer hyperplanes are axis-aligned (neuron i's W along axis
i mod d only, the default's W_ij = exp(s_i) V_ij otherwise; in 1-D the same layer).

A probe, not an option (docs/method.md, "RepNet on pictures"): it asks whether the law of the hyperplane
directions is why RepNet, 18x better than vanilla on a 1-D chirp, is worse than vanilla on the same chirp
laid along one axis of the unit square, e.g.

    python -m tools.ridge_directions "target=cos(pi*56*(x1-0.5)^2) + 0*x2" "domain=0,1;0,1" points=4096 steps=1000 --axes
"""
from __future__ import annotations

import argparse
import sys

import torch

import repcore.models as models
from repcore import RunConfig, train


def axis_aligned(dim: int, *args, **kwargs):
    """models.sample_layer, then every neuron's V kept on one axis only (the default layer: V and s trained)."""
    layer = _SAMPLE(dim, *args, **kwargs)
    with torch.no_grad():
        keep = torch.zeros_like(layer.v)
        keep[torch.arange(keep.shape[0]), torch.arange(keep.shape[0]) % dim] = 1
        layer.v.mul_(keep)
    return layer


_SAMPLE = models.sample_layer


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.ridge_directions", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("settings", nargs="*", metavar="KEY=VALUE", help="a RunConfig as URL keys (target=..., steps=...)")
    p.add_argument("--axes", action="store_true", help="RepNet's first-layer hyperplanes axis-aligned")
    args = p.parse_args(argv)
    if bad := [s for s in args.settings if "=" not in s]:
        p.error(f"not KEY=VALUE: {bad[0]}")
    torch.set_num_threads(1)
    axes = args.axes
    cfg = RunConfig.from_query(dict(s.split("=", 1) for s in args.settings))[0]
    if axes:
        if cfg.model != "repnet" or cfg.slope_param == "direct":
            raise SystemExit("--axes: a RepNet with a V (the default factorized layer or reparam)")
        models.sample_layer = axis_aligned
    try:
        *_, last = train(cfg)
    finally:
        models.sample_layer = _SAMPLE
    print(f"{'axis-aligned ' if axes else ''}{cfg.model} on {cfg.target}: rel_l2 {last.rel_l2:.4f} after {last.step} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
