"""Stacked trials (stage 3, execute): K trials that share a network shape train as one stacked network
in one process (--batch; plan.jobs groups them).

Every layer's weights are stacked along a leading axis, [K, out, in], and a layer is one batched
matrix product (torch.baddbmm) over the K trials; the loss is the sum of the K trials' losses, so each
trial's gradient is its own, and Adam / SGD act elementwise, so each trial follows its own unbatched
run up to float rounding (tests/test_sweeps.py checks this per model). Each trial keeps its own data,
seed, initial weights (built by train.Run, as unbatched) and target; snapshots are measured by each
trial's own Run after its slice of the stack is copied back, so they are the unbatched measurements.

Stacked here: function fitting (problem fit) with vanilla, repnet (the factorized default) and repnet-direct
(stack_key; reparam's fixed nu_i is not). Others run alone.
Why it pays: one small net leaves a core (or a GPU) mostly idle between kernel launches; K nets in one
launch fill it. Measured crossover on CPU: `python -m repcore.bench --batched` (docs/speed.md, "Batched trials").
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..activations import ACTIVATIONS
from ..config import RunConfig
from ..registry import Registry
from ..targets import resolve
from ..train import OPTIMIZERS, Run
from .experiment import Trial
from .results import Result


@dataclass(frozen=True)
class FirstLayer:
    """How a model's first layer is stacked: its parameters [K, ...], and the stacked (W, b) it applies."""
    params: Callable[[torch.nn.Module], list[torch.Tensor]]                  # one trial's first-layer tensors
    weight_bias: Callable[[list[torch.Tensor]], tuple[torch.Tensor, torch.Tensor]]   # stacked -> W [K,w,d], b [K,w]


def _rep(w: torch.Tensor, shift: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return w, (w * shift).sum(-1)


# Keyed by the method whose first layer it stacks (methods.py): RepNet's default and its direct variant.
FIRST_LAYERS: Registry[FirstLayer] = Registry("batched model")
FIRST_LAYERS.add("vanilla", FirstLayer(lambda f: [f.weight, f.bias], lambda p: (p[0], p[1])), "nn.Linear: z = W x + b")
FIRST_LAYERS.add("repnet", FirstLayer(lambda f: [f.v, f.log_scale, f.shift], lambda p: _rep(p[0] * p[1].exp(), p[2])),
                 "factorized RepLayer: z = W (x + B), W = exp(s) V, b_i = sum_j W_ij B_ij")
FIRST_LAYERS.add("repnet-direct", FirstLayer(lambda f: [f.weight, f.shift], lambda p: _rep(p[0], p[1])),
                 "RepLayer: z = W (x + B), b_i = sum_j W_ij B_ij")


def first_layer(cfg: RunConfig) -> str | None:
    """The FIRST_LAYERS name of cfg's first layer, or None (a layer no stack supports: reparam's fixed nu_i)."""
    if cfg.model == "repnet":
        return {"factorized": "repnet", "direct": "repnet-direct"}.get(cfg.slope_param)
    return cfg.model if cfg.model in FIRST_LAYERS else None


_SHAPE = ("problem", "model", "act", "width", "depth", "points", "steps", "every", "optimizer", "lr", "dtype", "device",
          "train_slope", "train_points", "test_points", "grid")


@functools.lru_cache(maxsize=4096)
def _dim(target: str, freq, domain) -> int:
    return resolve(target, freq, domain).dim


def stack_key(cfg: RunConfig) -> tuple | None:
    """Trials with equal keys can share a stacked network (plan.jobs groups them); None: this trial
    never stacks."""
    kind = first_layer(cfg)
    if cfg.problem != "fit" or kind is None:
        return None
    return tuple(getattr(cfg, f) for f in _SHAPE) + (kind, _dim(cfg.target, cfg.freq, cfg.domain))


class Stack:
    """K runs' networks as stacked tensors: first layer, hidden layers, head, each [K, ...]."""

    def __init__(self, runs: list[Run]):
        self.runs, self.first = runs, FIRST_LAYERS.get(first_layer(runs[0].cfg))
        nets = [r.net for r in runs]
        stack = lambda ts: torch.nn.Parameter(torch.stack([t.detach() for t in ts]).contiguous(),
                                              requires_grad=ts[0].requires_grad)
        self.first_params = [stack(ts) for ts in zip(*(self.first.params(n.first) for n in nets))]
        self.hidden = [(stack([n.hidden[j].weight for n in nets]), stack([n.hidden[j].bias for n in nets]))
                       for j in range(len(nets[0].hidden))]
        self.head = (stack([n.head.weight for n in nets]), stack([n.head.bias for n in nets]))
        self.lo = torch.stack([n.lo.reshape(-1) for n in nets])[:, None, :]          # [K, 1, d]
        self.scale = 2 / (torch.stack([n.hi.reshape(-1) for n in nets])[:, None, :] - self.lo)
        self.act = ACTIVATIONS.get(runs[0].cfg.act).torch_fn

    def parameters(self) -> list[torch.Tensor]:
        every = self.first_params + [p for pair in self.hidden for p in pair] + list(self.head)
        return [p for p in every if p.requires_grad]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x [K, n, d] in data coordinates -> [K, n, 1]."""
        w, b = self.first.weight_bias(self.first_params)
        h = self.act(torch.baddbmm(b[:, None, :], (x - self.lo) * self.scale - 1, w.transpose(1, 2)))
        for w, b in self.hidden:
            h = self.act(torch.baddbmm(b[:, None, :], h, w.transpose(1, 2)))
        return torch.baddbmm(self.head[1][:, None, :], h, self.head[0].transpose(1, 2))

    @torch.no_grad()
    def copy_back(self, k: int) -> None:
        """Run k's own network takes slice k of the stack (for its snapshot)."""
        net = self.runs[k].net
        for own, stacked in zip(self.first.params(net.first), self.first_params):
            own.copy_(stacked[k])
        for layer, (w, b) in zip(net.hidden, self.hidden):
            layer.weight.copy_(w[k]), layer.bias.copy_(b[k])
        net.head.weight.copy_(self.head[0][k]), net.head.bias.copy_(self.head[1][k])


class BatchRun:
    """K runs (one shape) built as unbatched (train.Run: same data and initial weights), stepped as one
    stacked network. `advance(n)` trains the active runs n steps and returns each run's loss [K]."""

    def __init__(self, cfgs: list[RunConfig]):
        self.runs = [Run(c) for c in cfgs]
        self.cfg = self.runs[0].cfg
        self.net = Stack(self.runs)
        self.x = torch.stack([r.problem.x for r in self.runs])                     # [K, n, d]
        self.y = torch.stack([r.problem.y for r in self.runs])                     # [K, n, 1]
        self.opt = OPTIMIZERS.get(self.cfg.optimizer)(self.net.parameters(), lr=self.cfg.lr)
        self.active = list(range(len(cfgs)))

    def advance(self, n: int) -> torch.Tensor:
        mask = torch.zeros(len(self.runs), dtype=torch.bool, device=self.x.device)
        mask[self.active] = True
        for _ in range(n):
            self.opt.zero_grad(set_to_none=True)
            mse = (self.net.forward(self.x) - self.y).pow(2).mean(dim=(1, 2))     # [K]: each trial's loss
            torch.where(mask, mse, torch.zeros_like(mse)).sum().backward()        # a diverged trial leaves the sum
            self.opt.step()
        if self.x.device.type == "cuda":
            torch.cuda.synchronize()
        return mse


def train_stack(trials: list[Trial]) -> list[Result]:
    """Train trials of one shape (plan.jobs groups them by stack_key) as one stacked network; one Result
    per trial. A trial's wall time is the batch's divided by the trials still training (its share of
    the process)."""
    batch = BatchRun([t.cfg for t in trials])
    cfg, runs = batch.cfg, batch.runs
    results = [Result.start(t, batch=len(trials)) for t in trials]
    for res, run in zip(results, runs):
        res.record(run.snapshot())
    step, wall = 0, 0.0
    while batch.active and step < cfg.steps:
        n, start = min(cfg.every, cfg.steps - step), time.perf_counter()
        mse = batch.advance(n)
        wall += (time.perf_counter() - start) / len(batch.active)
        step += n
        for i in list(batch.active):
            run = runs[i]
            batch.net.copy_back(i)
            run.adopt(step, wall, {"mse": mse[i].detach()})
            results[i].record(run.snapshot())
            if run.finished:
                batch.active.remove(i)
    return results
