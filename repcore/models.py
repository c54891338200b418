"""Networks by name. Every model is the same MLP body (hidden layers and head drawn from the seed with
the `init` law) behind a first layer that the model chooses. So vanilla and RepNet with one seed share
every layer but the first, and a difference in their curves is the first layer's doing.

    x [n, d] --box map--> x_hat in [-1, 1]^d --first--> z [n, width] --act--> (hidden, act)* --head--> [n, 1]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from .activations import ACTIVATIONS
from .config import RunConfig
from .errors import UserError
from .inits import INITS
from .registry import Registry
from .repnet import RepLayer, sample_layer

BODY_SEED_OFFSET = 0          # hidden layers and head: same stream for every model
FIRST_SEED_OFFSET = 1_000_003  # first layer: a separate stream, so changing it leaves the body alone


class Network(nn.Module):
    """What the training loop (train.Run) asks of every network it trains, besides what the problem
    feeds it: model-specific loss terms, and where the first layer cuts the input line. A network
    without either keeps these defaults (an operator network built by its problem, too)."""

    def extra_losses(self) -> dict[str, torch.Tensor]:
        """Loss terms added to the problem's at every step (e.g. LAAF's slope recovery); none by default."""
        return {}

    def partition_points(self) -> np.ndarray:
        """First-layer partition points along x1 in data coordinates [k]; none by default."""
        return np.zeros(0)


class Net(Network):
    """An MLP on the box [lo, hi]: forward takes data coordinates x [n, d] and returns [n, 1]."""

    def __init__(self, first: nn.Module, act: str, width: int, depth: int, lo, hi, acts=None):
        super().__init__()
        self.first = first
        self.act = ACTIVATIONS.get(act).torch_fn
        # per-layer activations (peer models); a ModuleList subclass may carry loss_terms() (LAAF)
        self.acts = acts if acts is None or isinstance(acts, nn.ModuleList) else nn.ModuleList(acts)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth - 1))
        # a first layer with several paths (msffn) sends each through the same hidden layers; the head
        # reads their last hidden layers side by side
        self.head = nn.Linear(width * getattr(first, "paths", 1), 1)
        self.register_buffer("lo", torch.as_tensor(lo, dtype=torch.float32))
        self.register_buffer("hi", torch.as_tensor(hi, dtype=torch.float32))

    def to_box(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.lo) * (2 / (self.hi - self.lo)) - 1

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Last hidden layer [n, width] ([n, paths * width] for a multi-path first layer)."""
        if self.acts is not None:
            return self._features_per_layer(x)
        h = self.act(self.first(self.to_box(x)))
        for layer in self.hidden:
            h = self.act(layer(h))
        return h

    def _features_per_layer(self, x: torch.Tensor) -> torch.Tensor:
        h = self.first(self.to_box(x))
        h = h if getattr(self.first, "activated", False) else self.acts[0](h)   # Fourier features come activated
        for layer, act in zip(self.hidden, self.acts[1:]):
            h = act(layer(h))
        if h.dim() == 3:                    # [paths, n, width] -> [n, paths * width]
            h = h.transpose(0, 1).reshape(h.shape[1], -1)
        return h

    def extra_losses(self) -> dict[str, torch.Tensor]:
        """Model-specific loss terms added to the problem's (e.g. LAAF's slope recovery)."""
        return self.acts.loss_terms() if hasattr(self.acts, "loss_terms") else {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def partition_points(self) -> np.ndarray:
        """First-layer partition points along x1 in data coordinates: [width] (1-D breakpoints:
        z_i(x) = 0; RepNet: -B_i; vanilla: -b_i / w_i, inf for w_i = 0)."""
        first = self.first
        if isinstance(first, RepLayer):
            p = first.partition_points()[:, 0]
        elif isinstance(first, nn.Linear):
            w, b = first.weight.detach()[:, 0], first.bias.detach()
            p = torch.where(w != 0, -b / w, torch.full_like(b, float("inf")))
        else:
            return np.zeros(0)
        lo, hi = float(self.lo.reshape(-1)[0]), float(self.hi.reshape(-1)[0])   # Python floats: p is on the CPU, the net maybe not
        return (lo + (p.double().cpu() + 1) * (hi - lo) / 2).numpy()


@dataclass(frozen=True)
class ModelSpec:
    """A model: how it differs from the shared MLP body, and every fact the rest of the code needs about it
    (so adding a model is one MODELS.add; tests/test_structure.py checks every entry has them).
    first(cfg, dim, knob, gen) -> the first layer; knob is the model's frequency knob, resolved. None:
        the model is a whole network (an operator network) that the problems taking it build in make_net
        (their probes name such a problem); `build` refuses it
    color: its colour on every page, table figure and replay (palette.py)
    probes: tiny runs (RunConfig changes besides the model; problem fit unless one says otherwise) that
        version.behaviour_version trains, so a change to what the model computes marks stored tables stale
    acts(cfg, knob) -> per-layer activation modules (depth of them), or None for cfg.act everywhere
    body(layer, fan_in, knob, gen) -> re-initialise a hidden layer or the head, or None for `init`
    knob: the knob's default and what it means (the RepNet knob is the slope scale, resolved by train.Run)
    knob_field, knob_grid: the RunConfig field that sets the knob and the values a tuning sweep tries
        (methods.KNOBS, `tune`, the leaderboard): five, wide enough that the best is not at an edge;
        () for a model without a knob"""
    first: Callable[..., nn.Module] | None
    color: str
    probes: tuple[dict, ...]
    acts: Callable[..., list] | None = None
    body: Callable[..., None] | None = None
    knob: float = float("nan")
    knob_help: str = ""
    knob_of: Callable[[RunConfig], float | None] | None = None   # a knob the model reads from its own field (msffn)
    knob_field: str = "knob"
    knob_grid: tuple[float, ...] = ()


def _vanilla_first(cfg: RunConfig, dim: int, knob: float, gen: torch.Generator) -> nn.Module:
    return INITS.get(cfg.init).fill_(nn.Linear(dim, cfg.width), gen)


def _repnet_first(cfg: RunConfig, dim: int, nu: float, gen: torch.Generator) -> nn.Module:
    return sample_layer(dim, cfg.width, nu, cfg.law, gen, cfg.slope_param, cfg.slope_law, cfg.slope_min,
                        train_slope=cfg.train_slope, train_points=cfg.train_points)


MODELS: Registry[ModelSpec] = Registry("model", field="model")
MODELS.add("vanilla", ModelSpec(_vanilla_first, color="#4C78A8", probes=({"act": "relu"},)),
           "plain MLP: first layer drawn like the others (the `init` law)")
# RepNet's knob grid: auto = pi x 25 cycles = 78.5 on the multiscale targets (for repnet-multiscale the
# top of its log-uniform range); a first three-value sweep put four of five methods' best at an edge.
MODELS.add("repnet", ModelSpec(_repnet_first, color="#E45756", probes=({"act": "relu"}, {}, {"slope_param": "direct"}),
                               knob_help="slope scale nu (--slope-scale; auto = pi x top frequency)",
                               knob_field="slope_scale", knob_grid=(39.3, 78.5, 157.0, 314.0, 628.0)),
           "RepNet: first layer z = W (x_hat + B), W ~ N(0, nu^2), B from the point law")


HEADS: Registry[bool] = Registry("output-layer start", field="head")     # name -> starts at zero
HEADS.add("zero", True, "output layer starts at 0: no random initial function to unlearn (both models)")
HEADS.add("init", False, "output layer drawn like the hidden layers (the `init` law)")


def mlp_names() -> list[str]:
    """The models that are MLPs (a first layer on a shared body): what the fitting and PINN pages offer; the
    whole networks (first None: fno, fir) train only on the problems that build them (operator)."""
    return [n for n in MODELS.names() if MODELS.get(n).first is not None]


def build(cfg: RunConfig, lo, hi, knob: float) -> Net:
    """The network for `cfg` on the box [lo, hi] (arrays [d]); `knob` is the model's resolved
    frequency knob (RepNet: the slope scale nu)."""
    dim, spec = len(lo), MODELS.get(cfg.model)
    if spec.first is None:
        raise UserError(f"model {cfg.model!r} is a whole network, not an MLP: the {cfg.problem} problem cannot build it")
    first = spec.first(cfg, dim, knob, torch.Generator().manual_seed(cfg.seed + FIRST_SEED_OFFSET))
    net = Net(first, cfg.act, cfg.width, cfg.depth, lo, hi, spec.acts(cfg, knob) if spec.acts else None)
    gen = torch.Generator().manual_seed(cfg.seed + BODY_SEED_OFFSET)
    fill = INITS.get(cfg.init).fill_
    for layer in [*net.hidden, net.head]:
        if spec.body is None:
            fill(layer, gen)
        else:
            spec.body(layer, layer.in_features, knob, gen)
    if HEADS.get(cfg.head):
        nn.init.zeros_(net.head.weight)
        nn.init.zeros_(net.head.bias)
    return net
