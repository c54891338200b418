"""Training an operator on whole records: mini-batches of records, MSE loss, Adam with weight decay and
an lr schedule, the author's metric on the held-out records. A generator of plain per-epoch records
(no printing, no file I/O), so a CLI, an experiment or a live view decides what to keep.

This is the operators' own loop until they join the engine's one Problem interface; it is the protocol
of the reference FNO script (batch 10, Adam 1e-3, weight decay 1e-4, MSE on the response).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
from torch import nn

from ..registry import Registry
from .data import Records, Split, mean_rel_l2, rel_l2_per_record

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


def train(net: nn.Module, batches: Batches, protocol: Protocol, every: int = 1) -> Iterator[dict]:
    """Yields {epoch, lr, train_mse, rel_l2, per_record} after every `every` epochs and the last one;
    rel_l2 is the author's metric on the test records. A non-finite loss ends the run with a record
    {'diverged': True, ...}."""
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
            yield {"epoch": epoch + 1, "diverged": True, "train_mse": total, "rel_l2": float("nan")}
            return
        if (epoch + 1) % every == 0 or epoch + 1 == protocol.epochs:
            net.eval()
            pred = predict(net, batches.a_test)
            yield {"epoch": epoch + 1, "lr": opt.param_groups[0]["lr"], "train_mse": total / n,
                   "rel_l2": mean_rel_l2(pred, batches.y_test),
                   "per_record": rel_l2_per_record(pred, batches.y_test)}
