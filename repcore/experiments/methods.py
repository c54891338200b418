"""Methods: what a results table compares. A method is a model plus the RunConfig options that make it
what it is (a RepNet variant is `repnet` with its slope options), so a table can list RepNet's
variants beside the peers, every one named.

method_of(cfg) names the method a config runs: the registered method whose options the config carries,
the most specific one (a config with slope_param=reparam is `repnet-reparam`, not `repnet`). A config
that matches no registered variant exactly is named after its model and the options that differ
("repnet+log-uniform+reparam"), so no row is ever mislabelled.
"""
from __future__ import annotations

from ..config import RunConfig
from ..registry import Registry

METHODS: Registry[dict] = Registry("method")
_VARIANT_FIELDS = ("slope_param", "slope_law", "slope_rule")      # RepNet's named variants (config.py)
_DEFAULT = RunConfig()

METHODS.add("vanilla", {"model": "vanilla"}, "plain MLP, PyTorch's default initialization")
METHODS.add("repnet", {"model": "repnet"},
            "RepNet as the CLI's defaults build it: nu = pi K, W = exp(s) V with s and V trained (random weight factorization)")
METHODS.add("repnet-direct", {"model": "repnet", "slope_param": "direct"},
            "RepNet of the first releases: W ~ N(0, nu^2) trained directly (nu acts only at the start)")
METHODS.add("repnet-reparam", {"model": "repnet", "slope_param": "reparam"},
            "RepNet, true reparameterization: W = nu V with V trained (Adam moves W nu times faster)")
METHODS.add("repnet-multiscale", {"model": "repnet", "slope_law": "log-uniform"},
            "RepNet, multi-scale slope law: nu_i spread log-uniformly over [slope_min, nu] (RepNet's MsFFN)")
METHODS.add("repnet-estimate", {"model": "repnet", "slope_rule": "estimate"},
            "RepNet, nu from the magnitude estimates (estimates.py) instead of pi K")
METHODS.add("repnet-per-dim", {"model": "repnet", "slope_rule": "pi-k-per-dim"},
            "RepNet, nu = pi K / sqrt(d) (the same as repnet in 1-D)")
for _peer, _help in (("fourier", "random Fourier features, one sigma"), ("siren", "SIREN, sine activations"),
                     ("mscale", "MscaleDNN"), ("laaf", "layer-wise locally adaptive activations"),
                     ("msffn", "multi-scale Fourier feature network, sigmas 1 and 10")):
    METHODS.add(_peer, {"model": _peer}, _help)

# Each method's knob and the values a tuning sweep tries (leaderboard, `tune`): five each, wide enough that
# the best is not at an edge (a first three-value sweep put four of five methods' best at an edge). RepNet's
# knob is the slope scale (auto = pi x 25 cycles = 78.5 on the multiscale targets; for repnet-multiscale
# the top of its log-uniform range), Fourier features' sigma, SIREN's w0, MscaleDNN's largest scale,
# LAAF's n, MsFFN's top sigma (beside sigma 1). Not tuned: vanilla (no knob), repnet-estimate and
# repnet-per-dim (their point is the rule that picks the slope scale; a swept slope scale would overrule
# it and make them plain repnet).
_SLOPES = ("slope_scale", (39.3, 78.5, 157.0, 314.0, 628.0))
KNOBS = {"repnet": _SLOPES, "repnet-direct": _SLOPES, "repnet-reparam": _SLOPES, "repnet-multiscale": _SLOPES,
         "fourier": ("knob", (2.5, 5.0, 10.0, 20.0, 40.0)), "siren": ("knob", (3.0, 5.0, 10.0, 20.0, 30.0)),
         "mscale": ("knob", (2.0, 4.0, 8.0, 32.0, 128.0)), "laaf": ("knob", (1.0, 2.0, 5.0, 10.0, 20.0)),
         "msffn": ("knob", (5.0, 10.0, 20.0, 40.0, 80.0))}

EVERY_1D = tuple(m for m in METHODS if m != "repnet-per-dim")     # per-dim is repnet itself in 1-D
EVERY = tuple(METHODS)


def config(base: RunConfig, method: str) -> RunConfig:
    """`base` running `method` (its model and options)."""
    return base.replace(**METHODS.get(method))


def method_of(cfg: RunConfig) -> str:
    """The name of the method `cfg` runs (see the module doc)."""
    options = {f: getattr(cfg, f) for f in _VARIANT_FIELDS if getattr(cfg, f) != getattr(_DEFAULT, f)}
    for name in METHODS:
        changes = METHODS.get(name)
        if changes["model"] == cfg.model and {k: v for k, v in changes.items() if k != "model"} == options:
            return name
    return "+".join([cfg.model, *(str(v) for _, v in sorted(options.items()))])
