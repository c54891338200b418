"""The one training loop: Run steps a model on a problem; `train` and `lockstep` stream Snapshots.

Between snapshots the loop does no host synchronisation (no .item(), no printing, no checks), so its
speed is that of a bare PyTorch loop; every `every` steps it stops to measure (Snapshot). A run whose
loss or parameters turn non-finite is marked diverged at that snapshot and stops; in `lockstep` the
other runs go on.
"""
from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Iterator, Sequence

import numpy as np
import torch

from .config import RunConfig
from .device import DTYPES, resolve as resolve_device
from .diagnostics import histogram, spectra
from .estimates import SLOPE_RULES
from .models import MODELS
from .problems import PROBLEMS
from .registry import Registry
from .snapshot import Snapshot

OPTIMIZERS: Registry = Registry("optimizer", field="optimizer")
OPTIMIZERS.add("adam", torch.optim.Adam, "Adam, full batch")
OPTIMIZERS.add("sgd", torch.optim.SGD, "plain gradient descent, full batch")


def resolve_knob(cfg: RunConfig, problem) -> float:
    """The model's frequency knob: RepNet's slope scale (auto: by cfg.slope_rule, estimates.SLOPE_RULES),
    or another model's --knob (default: its usual value, models.MODELS)."""
    if cfg.model == "repnet":
        return cfg.slope_scale if cfg.slope_scale is not None else SLOPE_RULES.get(cfg.slope_rule)(problem, cfg)
    spec = MODELS.get(cfg.model)
    own = spec.knob_of(cfg) if spec.knob_of is not None else None
    return own if own is not None else cfg.knob if cfg.knob is not None else spec.knob


class Run:
    """One model training on one problem. `advance(n)` trains, `snapshot()` measures."""

    def __init__(self, cfg: RunConfig, label: str | None = None):
        self.cfg, self.label = cfg, label or cfg.model
        self.device, dtype = resolve_device(cfg.device), DTYPES.get(cfg.dtype)
        self.problem = PROBLEMS.get(cfg.problem)(cfg, self.device, dtype)
        self.top_cycles = self.problem.top_cycles
        self.knob = resolve_knob(cfg, self.problem)
        self.net = self.problem.make_net(cfg, self.knob).to(self.device, dtype)
        params = [p for p in self.net.parameters() if p.requires_grad] + self.problem.params()
        self.opt = OPTIMIZERS.get(cfg.optimizer)(params, lr=cfg.lr)
        self.protocol = self.problem.protocol
        self._lr = self.protocol.lr(cfg)
        self.step, self.wall, self.status, self.diverged_at = 0, 0.0, "ok", -1
        self._terms = None
        self._k_max = int(min(len(self.problem.grids.x_line) // 2, max(32, math.ceil(1.5 * self.top_cycles))))

    def weights(self) -> dict[str, np.ndarray]:
        """The trainable state as CPU arrays (copies), keyed 'net.<state_dict key>' and 'problem.<i>'
        (a problem's own tensors, e.g. the inverse problem's k): what a saved run keeps."""
        out = {f"net.{k}": v.detach().cpu().numpy().copy() for k, v in self.net.state_dict().items()}
        out.update({f"problem.{i}": p.detach().cpu().numpy().copy() for i, p in enumerate(self.problem.params())})
        return out

    @property
    def finished(self) -> bool:
        return self.status != "ok" or self.step >= self.cfg.steps

    def advance(self, n: int) -> None:
        """Up to n optimizer steps (fewer at the end of the budget); nothing if finished."""
        n = 0 if self.status != "ok" else min(n, self.cfg.steps - self.step)
        if n <= 0:
            return
        net, opt, losses, extra = self.net, self.opt, self.problem.losses, self.net.extra_losses
        begin, lr = self.problem.begin_step, self._lr
        start = time.perf_counter()
        for i in range(self.step, self.step + n):
            begin(i)
            if lr is not None:
                for group in opt.param_groups:
                    group["lr"] = lr(i)
            opt.zero_grad(set_to_none=True)
            terms = losses(net)
            terms.update(extra())
            values = iter(terms.values())
            loss = next(values)
            for term in values:
                loss = loss + term
            loss.backward()
            opt.step()
        if self.device.type == "cuda":
            torch.cuda.synchronize()
        self.wall += time.perf_counter() - start
        self.step += n
        self._terms = terms

    def adopt(self, step: int, wall: float, terms: dict[str, torch.Tensor]) -> None:
        """Take over training done outside this Run (experiments/stacked.py trains K runs as one stacked
        network, then copies each one's weights back into its net): the step, the wall time, the last loss terms."""
        self.step, self.wall, self._terms = step, wall, terms

    def snapshot(self) -> Snapshot:
        """Measure now (syncs with the device). Marks the run diverged if anything is non-finite."""
        if self._terms is None:
            self._terms = self.problem.losses(self.net)
        losses = {k: float(v.detach()) for k, v in self._terms.items()}
        finite = all(math.isfinite(v) for v in losses.values()) and all(
            bool(torch.isfinite(p).all()) for p in self.opt.param_groups[0]["params"])
        if not finite and self.status == "ok":
            self.status, self.diverged_at = "diverged", self.step
        elif self.status == "ok" and self.step >= self.cfg.steps:
            self.status = "done"
        return self._measure(losses)

    def _measure(self, losses: dict[str, float]) -> Snapshot:
        g = self.problem.grids
        pred, err = self.problem.evaluate(self.net)
        freqs, spec_true, spec_err, spec_rel_err = spectra(pred, g.true_line, self._k_max)
        points = self.net.partition_points()
        edges, counts = histogram(points, self.problem.lo, self.problem.hi)
        snap = Snapshot(label=self.label, step=self.step, wall=self.wall, status=self.status, losses=losses,
                        rel_l2=err if np.isfinite(err) else float("nan"), x=g.x_line, pred=pred, true=g.true_line,
                        freqs=freqs, spec_true=spec_true, spec_err=spec_err, spec_rel_err=spec_rel_err, points=points,
                        hist_edges=edges, hist_counts=counts, diverged_at=self.diverged_at, knob=self.knob,
                        device=str(self.device), extra=self.problem.extra())
        fields = self.problem.snapshot_fields()      # a picture target: its image and radial spectra
        return replace(snap, **fields) if fields else snap


def train(cfg: RunConfig, label: str | None = None) -> Iterator[Snapshot]:
    """Snapshots of one run: at step 0, every cfg.every steps, and at the end (or at divergence)."""
    run = Run(cfg, label)
    yield run.snapshot()
    while not run.finished:
        run.advance(cfg.every)
        yield run.snapshot()


def lockstep(runs: Sequence[Run]) -> Iterator[tuple[Snapshot, ...]]:
    """Several runs (e.g. vanilla and RepNet built from one seed) stepped in turn, `every` steps each,
    yielding one snapshot per run each round. A run that finished or diverged repeats its last
    snapshot while the others go on."""
    last = [r.snapshot() for r in runs]
    yield tuple(last)
    while not all(r.finished for r in runs):
        for i, r in enumerate(runs):
            if not r.finished:
                r.advance(r.cfg.every)
                last[i] = r.snapshot()
        yield tuple(last)
