"""Training an operator on whole records: mini-batches of records, MSE loss, Adam with weight decay and
an lr schedule, the author's metric on the held-out records. A generator of plain per-epoch records
(no printing, no file I/O), so a CLI, an experiment or a live view decides what to keep.

This is the operators' own loop until they join the engine's one Problem interface; it is the protocol
of the reference FNO script (batch 10, Adam 1e-3, weight decay 1e-4, MSE on the response).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generator, Iterator

import numpy as np
import torch
from torch import nn

from ..registry import Registry
from .data import Records, Split, mean_rel_l2, rel_l2_per_record

LBFGS_ROUND = 50           # L-BFGS iterations between two records

# name -> (epoch, epochs) -> lr factor
SCHEDULES: Registry = Registry("operator lr schedule")
SCHEDULES.add("constant", lambda e, n: 1.0, "the same lr every epoch")
SCHEDULES.add("step", lambda e, n: 0.5 ** (e // 100), "halve every 100 epochs (the reference FNO script)")
SCHEDULES.add("cosine", lambda e, n: 0.5 * (1 + math.cos(math.pi * e / n)), "cosine decay from lr to 0 over the run")


@dataclass(frozen=True)
class Protocol:
    epochs: int = 100
    batch: int = 10            # records per step (the reference: 10)
    lr: float = 1e-3
    weight_decay: float = 1e-4
    schedule: str = "cosine"
    seed: int = 0              # the order of the mini-batches (the net's own seed builds it)
    lbfgs: int = 0             # then this many full-batch L-BFGS iterations (strong Wolfe), in rounds of LBFGS_ROUND


class Batches:
    """The split's records as float32 tensors: train (a, y) [N_train, n], test (a, y)."""

    def __init__(self, records: Records, split: Split):
        on = lambda x: torch.as_tensor(x, dtype=torch.float32)    # noqa: E731
        self.a, self.y = on(records.load[list(split.train)]), on(records.response[list(split.train)])
        self.a_test, self.y_test = on(records.load[list(split.test)]), records.response[list(split.test)]
        self.split = split


@torch.no_grad()
def predict(net: nn.Module, a: torch.Tensor, chunk: int = 10) -> np.ndarray:
    """net on records a [N, n] in chunks (bounded memory): [N, n] float64."""
    return np.concatenate([net(a[i:i + chunk]).double().numpy() for i in range(0, len(a), chunk)])


def _record(net: nn.Module, batches: Batches, epoch: int, lr: float, train_mse: float) -> dict:
    net.eval()
    pred = predict(net, batches.a_test)
    return {"epoch": epoch, "lr": lr, "train_mse": train_mse, "rel_l2": mean_rel_l2(pred, batches.y_test),
            "per_record": rel_l2_per_record(pred, batches.y_test)}


def _diverged(epoch: int, loss: float) -> dict:
    return {"epoch": epoch, "diverged": True, "train_mse": loss, "rel_l2": float("nan")}


def train(net: nn.Module, batches: Batches, protocol: Protocol, every: int = 1) -> Iterator[dict]:
    """Yields {epoch, lr, train_mse, rel_l2, per_record} after every `every` epochs and the last one,
    then (protocol.lbfgs) after every LBFGS_ROUND L-BFGS iterations, counted as epochs past the Adam
    ones; rel_l2 is the author's metric on the test records. A non-finite loss ends the run with a
    record {'diverged': True, ...}."""
    finite = yield from _adam(net, batches, protocol, every)
    if finite and protocol.lbfgs:
        yield from _lbfgs(net, batches, protocol)


def _adam(net: nn.Module, batches: Batches, protocol: Protocol, every: int) -> Generator[dict, None, bool]:
    opt = torch.optim.Adam(net.parameters(), lr=protocol.lr, weight_decay=protocol.weight_decay)
    rate = SCHEDULES.get(protocol.schedule)
    gen = torch.Generator().manual_seed(protocol.seed)
    n = len(batches.a)
    for epoch in range(protocol.epochs):
        for group in opt.param_groups:
            group["lr"] = protocol.lr * rate(epoch, protocol.epochs)
        net.train()
        total = 0.0
        for idx in torch.randperm(n, generator=gen).split(protocol.batch):
            opt.zero_grad()
            loss = (net(batches.a[idx]) - batches.y[idx]).pow(2).mean()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        if not math.isfinite(total):
            yield _diverged(epoch + 1, total)
            return False
        if (epoch + 1) % every == 0 or epoch + 1 == protocol.epochs:
            yield _record(net, batches, epoch + 1, opt.param_groups[0]["lr"], total / n)
    return True


def _lbfgs(net: nn.Module, batches: Batches, protocol: Protocol) -> Iterator[dict]:
    """Full-batch L-BFGS on the same MSE: the ill-conditioned end of a least-squares-like fit that
    Adam's noisy steps leave (a convolution's loss is conditioned by the load's spectrum). No weight
    decay here: the loss alone."""
    net.train()
    # no tolerance stop: the MSE here is ~1e-6 and torch's defaults (1e-7 on the gradient, 1e-9 on the
    # change) end the run long before the fit does
    opt = torch.optim.LBFGS(net.parameters(), lr=1.0, max_iter=LBFGS_ROUND, history_size=50,
                            tolerance_grad=0.0, tolerance_change=0.0, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (net(batches.a) - batches.y).pow(2).mean()
        loss.backward()
        return loss

    for r in range(math.ceil(protocol.lbfgs / LBFGS_ROUND)):
        opt.step(closure)
        with torch.no_grad():
            loss = float((net(batches.a) - batches.y).pow(2).mean())
        epoch = protocol.epochs + (r + 1) * LBFGS_ROUND
        if not math.isfinite(loss):
            yield _diverged(epoch, loss)
            return
        yield _record(net, batches, epoch, 1.0, loss)
        net.train()
