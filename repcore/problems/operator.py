"""Operator learning on the paper author's earthquake records (repcore.operators): a whole ground-motion
record a [n] -> the structure's whole response y [n] (2500 samples at 50 Hz), 90 records train, 10 test
(the author's split; `test_records` holds out others), the error is the author's metric (the mean over
held-out records of each record's relative L2).

The network is the model's (`--model`):
    repnet, vanilla, any MLP model   a causal impulse-response operator y = b + h * a (operators/kernel.py):
                   the kernel h(lag), lag in [0, KERNEL_S] s, is the model's MLP (width, depth, act...), so
                   RepNet's first layer reads the time lag and vanilla is the same operator with a plain one
    fno            our Fourier neural operator (operators/fno.py) at its CPU setting: FNO_SETTINGS
    fir            the impulse-response operator with every kernel value free (a learned FIR filter, no
                   network): the control that says how linear the data are
A step is one Adam step on a mini-batch of BATCH records (a new order every epoch, seeded), the MSE of
the response; the protocol's lr schedule is cosine. The slope scale rule reads `top_cycles`, the
response's top frequency in cycles over the record; the kernel net spans KERNEL_S of lag, so it gets
the same slope per second: nu x KERNEL_S / record length.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ..config import RunConfig
from ..models import MODELS, ModelSpec, Network, build
from ..operators import data
from ..operators.fno import FNO1d
from ..operators.kernel import KernelOperator
from ..registry import Registry
from ..targets import significant_cycles
from .base import DATA_SEED_OFFSET, PROBLEMS, Grids, Problem, Protocol

BATCH = 10                     # records per step (the reference script's batch)
KERNEL_S = 16.0                # the impulse response's lag window, s (the data's response decays in ~12 s)
FNO_SETTINGS = {"modes": 300, "width": 32, "layers": 4}     # the author's: width 128 (operators.methods fno-author)


class OperatorNet(Network):
    """An operator (records [B, n] -> [B, n]) as the loop's Network; partition points: the kernel
    net's, as lags in seconds (none for the FNO and the free taps)."""

    def __init__(self, op: nn.Module, kernel_net: Network | None = None):
        super().__init__()
        self.op, self.kernel_net = op, kernel_net

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return self.op(a)

    def partition_points(self) -> np.ndarray:
        return self.kernel_net.partition_points() if self.kernel_net is not None else np.zeros(0)


def _kernel(cfg: RunConfig, t: np.ndarray, nu: float, span: float) -> OperatorNet:
    net = build(cfg, [0.0], [KERNEL_S], nu * KERNEL_S / span)
    return OperatorNet(KernelOperator(t, kernel_s=KERNEL_S, net=net), net)


# whole operator networks: model -> (cfg, t, knob, record length) -> OperatorNet; other models: _kernel
WHOLE: Registry = Registry("operator network")
WHOLE.add("fno", lambda cfg, t, nu, span: OperatorNet(FNO1d(t, **FNO_SETTINGS, seed=cfg.seed)), "our FNO")
WHOLE.add("fir", lambda cfg, t, nu, span: OperatorNet(KernelOperator(t, first="taps", kernel_s=KERNEL_S)), "free kernel taps")

_PROBE = {"problem": "operator", "data": data.SYNTHETIC}
MODELS.add("fno", ModelSpec(None, color="#17BECF", probes=(_PROBE,)),
           f"operator problem: our Fourier neural operator ({FNO_SETTINGS['layers']} Fourier layers, "
           f"{FNO_SETTINGS['modes']} modes, width {FNO_SETTINGS['width']})")
MODELS.add("fir", ModelSpec(None, color="#8C564B", probes=(_PROBE,)),
           f"operator problem: a causal convolution with {KERNEL_S:g} s of free kernel taps (a learned FIR filter, no network)")


class RecordsProblem(Problem):
    label, solution = "operator: ground motion → structural response", "the response to a held-out record"
    has_target = False
    whole_networks = True
    probes = ({"data": data.SYNTHETIC}, {"data": data.SYNTHETIC, "model": "vanilla"})
    PROTOCOL = Protocol(schedule="cosine")

    def __init__(self, cfg: RunConfig, device, dtype):
        super().__init__(cfg)
        self.records = records = data.open_records(cfg.data)
        self.split = data.split(len(records.load), cfg.test_records or None)
        on = lambda x: torch.as_tensor(x, dtype=dtype, device=device)   # noqa: E731
        train, test = list(self.split.train), list(self.split.test)
        self.a, self.y = on(records.load[train]), on(records.response[train])
        self.a_test, self.y_test = on(records.load[test]), records.response[test]
        t = records.time
        self.span = len(t) * records.dt
        self.lo, self.hi = float(t[0]), float(t[0]) + self.span
        self.top_cycles = float(np.median([significant_cycles(r) for r in records.response[train]]))
        self.grids = Grids(t, self.y_test[0], t[:, None], self.y_test[0], device, dtype)
        self.gen = torch.Generator().manual_seed(cfg.seed + DATA_SEED_OFFSET)
        self.per_epoch = math.ceil(len(train) / BATCH)
        self.batch = torch.arange(min(BATCH, len(train)))
        self.pred_test = np.zeros_like(self.y_test)

    def make_net(self, cfg: RunConfig, nu: float) -> OperatorNet:
        make = WHOLE.get(cfg.model) if cfg.model in WHOLE else _kernel
        return make(cfg, self.records.time, nu, self.span)

    def begin_step(self, step: int) -> None:
        """The mini-batch of step `step`: a new seeded order of the training records every epoch."""
        if step % self.per_epoch == 0:
            self.order = torch.randperm(len(self.a), generator=self.gen)
        k = step % self.per_epoch
        self.batch = self.order[k * BATCH:(k + 1) * BATCH]

    def losses(self, net: OperatorNet) -> dict[str, torch.Tensor]:
        return {"mse": (net(self.a[self.batch]) - self.y[self.batch]).pow(2).mean()}

    @torch.no_grad()
    def evaluate(self, net: OperatorNet) -> tuple[np.ndarray, float]:
        """The first held-out record's predicted response and the author's metric over all of them."""
        self.pred_test = np.concatenate([net(self.a_test[i:i + BATCH]).double().cpu().numpy()
                                         for i in range(0, len(self.a_test), BATCH)])
        return self.pred_test[0], data.mean_rel_l2(self.pred_test, self.y_test)

    def extra(self) -> dict[str, float]:
        return {"train_records": float(len(self.split.train)), "test_records": float(len(self.split.test))}


PROBLEMS.add("operator", RecordsProblem,
             "operator learning: the author's earthquake records (--data PATH), ground motion -> response, FNO or an impulse-response net")
