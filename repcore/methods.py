"""Methods: what a results table compares. A method is a model plus the RunConfig options that make it
what it is (a RepNet variant is `repnet` with its slope options), so a table can list RepNet's
variants beside the peers, every one named. A method's colour is its own (a RepNet variant's) or its
model's, and its knob grid its model's (models.ModelSpec), unless the method is not tuned.

method_of(cfg) names the method a config runs: the registered method whose options the config carries,
the most specific one (a config with slope_param=reparam is `repnet-reparam`, not `repnet`). A config
that matches no registered variant exactly is named after its model and the options that differ
("repnet+log-uniform+reparam"), so no row is ever mislabelled.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import peers  # noqa: F401  (registers the peer models: KNOBS below reads every model)
from .problems import operator  # noqa: F401  (registers the whole operator networks, fno and fir)
from .config import RunConfig
from .models import MODELS, mlp_names
from .registry import Registry


@dataclass(frozen=True)
class Method:
    options: dict                 # RunConfig changes: the model and the options that make the method
    color: str | None = None      # None: its model's colour (a RepNet variant has its own)
    tuned: bool = True            # a tuning sweep tries its model's knob grid (False: the method's point is
                                  # the rule that sets the knob; a swept knob would overrule it)

    @property
    def model(self) -> str:
        return self.options["model"]


METHODS: Registry[Method] = Registry("method")
_VARIANT_FIELDS = ("slope_param", "slope_law", "slope_rule")      # RepNet's named variants (config.py)
_DEFAULT = RunConfig()

METHODS.add("vanilla", Method({"model": "vanilla"}), "plain MLP, PyTorch's default initialization")
METHODS.add("repnet", Method({"model": "repnet"}),
            "RepNet as the CLI's defaults build it: nu = pi K, W = exp(s) V with s and V trained (random weight factorization)")
# RepNet's variants: reds and pinks, apart from each other and from repnet's red
METHODS.add("repnet-direct", Method({"model": "repnet", "slope_param": "direct"}, "#FF9DA6"),
            "RepNet of the first releases: W ~ N(0, nu^2) trained directly (nu acts only at the start)")
METHODS.add("repnet-reparam", Method({"model": "repnet", "slope_param": "reparam"}, "#9E1B32"),
            "RepNet, true reparameterization: W = nu V with V trained (Adam moves W nu times faster)")
METHODS.add("repnet-multiscale", Method({"model": "repnet", "slope_law": "log-uniform"}, "#D6616B"),
            "RepNet, multi-scale slope law: nu_i spread log-uniformly over [slope_min, nu] (RepNet's MsFFN)")
METHODS.add("repnet-estimate", Method({"model": "repnet", "slope_rule": "estimate"}, "#7B4173", tuned=False),
            "RepNet, nu from the magnitude estimates (estimates.py) instead of pi K")
METHODS.add("repnet-per-dim", Method({"model": "repnet", "slope_rule": "pi-k-per-dim"}, "#F7B6A3", tuned=False),
            "RepNet, nu = pi K / sqrt(d) (the same as repnet in 1-D)")
for _peer, _help in (("fourier", "random Fourier features, one sigma"), ("siren", "SIREN, sine activations"),
                     ("mscale", "MscaleDNN"), ("laaf", "layer-wise locally adaptive activations"),
                     ("msffn", "multi-scale Fourier feature network, sigmas 1 and 10")):
    METHODS.add(_peer, Method({"model": _peer}), _help)


def color(method: str) -> str:
    """The method's colour: its own, else its model's (palette.color takes any label)."""
    m = METHODS.get(method)
    return m.color or MODELS.get(m.model).color


# Each tuned method's knob and the values a tuning sweep tries (leaderboard, `tune`): its model's
# (models.ModelSpec.knob_field, knob_grid). Not tuned: vanilla (no knob), repnet-estimate and repnet-per-dim.
KNOBS = {m: (MODELS.get(METHODS.get(m).model).knob_field, MODELS.get(METHODS.get(m).model).knob_grid)
         for m in METHODS if METHODS.get(m).tuned and MODELS.get(METHODS.get(m).model).knob_grid}

# the operator problem's whole networks: not MLPs, so no function problem takes them
METHODS.add("fno", Method({"model": "fno"}, tuned=False), "our Fourier neural operator (operator problem only)")
METHODS.add("fir", Method({"model": "fir"}, tuned=False), "free kernel taps, a learned FIR filter (operator problem only)")
MLP = tuple(m for m in METHODS if METHODS.get(m).model in mlp_names())
EVERY_1D = tuple(m for m in MLP if m != "repnet-per-dim")     # per-dim is repnet itself in 1-D
EVERY = MLP


def config(base: RunConfig, method: str) -> RunConfig:
    """`base` running `method` (its model and options)."""
    return base.replace(**METHODS.get(method).options)


def method_of(cfg: RunConfig) -> str:
    """The name of the method `cfg` runs (see the module doc)."""
    options = {f: getattr(cfg, f) for f in _VARIANT_FIELDS if getattr(cfg, f) != getattr(_DEFAULT, f)}
    for name in METHODS:
        changes = METHODS.get(name).options
        if changes["model"] == cfg.model and {k: v for k, v in changes.items() if k != "model"} == options:
            return name
    return "+".join([cfg.model, *(str(v) for _, v in sorted(options.items()))])
