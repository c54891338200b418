"""Problems: what a run learns, as named loss terms. One training loop (train.py) serves them all.

Every problem is a Problem: it owns its data on the device and tells the loop
    make_net(cfg, nu) -> models.Network      the network (function problems: models.build)
    losses(net)       -> {name: scalar}      summed for the gradient step
    evaluate(net)     -> (pred_line [g], rel_l2)   the solution on the display line, the test error
    extra()           -> {name: float}       problem-specific readouts (a recovered coefficient)
    params()          -> [tensor]            extra trainable tensors (an unknown coefficient)
    begin_step(n)                            called before optimizer step n: redraws points when due
    snapshot_fields() -> {field: value}      snapshot fields that replace the line's (a picture)
and exposes `protocol` (resolved), `grids` (display line, test set), `lo`/`hi` (display domain
along axis 1), `dim` (inputs of the learned function) and `top_cycles` (highest significant frequency,
for the auto slope scale).

Function problems (fit.py, PINNs in pinn.py) learn u(x) on a box with a known exact u (the target).
A data target (csv:, image:, quake:; repcore.targets.data) brings its own training and test sets instead:
`training_set` and the test grid come from data.split; only problems with `fits_data` accept one (a
PINN needs a formula to differentiate). A picture's snapshots also carry the predicted image and
radial spectra (`snapshot_fields`, read by train.Run) and its PSNR (`extra`).

The training protocol: RunConfig's resample, schedule and weighting may say auto; a problem class then
supplies its own value (PROTOCOL, resolved once per run into `self.protocol`). Fitting and operator
learning keep the protocol of the first releases (fixed points, constant lr, normalised terms); PINNs
override it. Only a problem that can redraw its points (`redraw`, `redraws = True`) accepts resample > 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import torch
from torch import nn

from ..config import RunConfig
from ..errors import UserError
from ..models import Network, build
from ..registry import Registry
from ..targets import Target, TargetError, data, images, line, resolve, sample_box, top_frequency
from .schedules import SCHEDULES

DATA_SEED_OFFSET = 7_777_777   # training data: its own stream, identical for every model with one seed
TEST_SEED_OFFSET = 9_999_991


@dataclass(frozen=True)
class Protocol:
    """How a run trains: points redrawn every `resample` steps (0 = fixed), the lr schedule and the
    loss weighting by name (schedules.SCHEDULES, weighting.WEIGHTINGS); never 'auto' once resolved."""
    resample: int = 0
    schedule: str = "constant"
    weighting: str = "normalised"

    def resolve(self, cfg: RunConfig) -> "Protocol":
        """This protocol with every field that cfg sets (not auto) taken from cfg."""
        return Protocol(self.resample if cfg.resample is None else cfg.resample,
                        self.schedule if cfg.schedule == "auto" else cfg.schedule,
                        self.weighting if cfg.weighting == "auto" else cfg.weighting)

    def lr(self, cfg: RunConfig) -> Optional[Callable[[int], float]]:
        """The learning rate of optimizer step n under the schedule, or None for a constant cfg.lr (the
        loop then leaves the optimizer's lr alone)."""
        if self.schedule == "constant":
            return None
        schedule = SCHEDULES.get(self.schedule)
        return lambda n: cfg.lr * schedule(n, cfg)


class Grids:
    """The display line (periodic along x1, right end excluded, so DFT bins are whole cycles) and the
    dense test set (a grid in 1-D, random points in d > 1), built once per run on the device."""

    def __init__(self, x_line: np.ndarray, true_line: np.ndarray, test: np.ndarray, true_test: np.ndarray, device, dtype):
        self.x_line, self.true_line, self.true_test = x_line, true_line, true_test
        self.test = torch.as_tensor(test, dtype=dtype, device=device)

    @classmethod
    def for_target(cls, target: Target, cfg: RunConfig, device, dtype, test: tuple | None = None) -> "Grids":
        """`test`: (x [n, d], u [n]) a data target's test set, instead of a grid or random points."""
        xl = line(target, cfg.grid + 1)[:-1]
        if test is not None:
            grids = cls(xl[:, 0], target(xl), test[0], test[1], device, dtype)
            grids.line = torch.as_tensor(xl, dtype=dtype, device=device)
            return grids
        if target.dim == 1:
            xt = np.linspace(target.lo[0], target.hi[0], cfg.test_points)[:, None]
        else:
            xt = sample_box(target, cfg.test_points, torch.Generator().manual_seed(cfg.seed + TEST_SEED_OFFSET)).numpy()
        grids = cls(xl[:, 0], target(xl), xt, target(xt), device, dtype)
        grids.line = torch.as_tensor(xl, dtype=dtype, device=device)
        return grids


class Problem:
    """The interface every problem offers the training loop (module docstring). Class traits (read by the
    dashboard through the PROBLEMS registry, so no code tests problem names): label (what a user picks),
    solution (what the display line shows), needs_smooth_activation (the loss holds second derivatives:
    a ReLU net's are zero almost everywhere), has_target (a target expression defines the solution),
    redraws (redraw() draws new training points, so resample > 0 is allowed), probes (tiny runs of this
    problem, as RunConfig changes, that version.behaviour_version trains besides the models' own probes;
    every registered problem sets its own, tests/test_structure.py checks)."""
    label = "problem"
    solution = "solution"
    needs_smooth_activation = False
    has_target = True
    redraws = False
    whole_networks = False    # builds models whose registry entry has no first layer (fno, fir)
    dim = 1                   # inputs of the function the model under test learns (a function problem: its target's)
    probes: tuple[dict, ...] = ()

    PROTOCOL = Protocol()

    def __init__(self, cfg: RunConfig):
        """Resolves the protocol and refuses resampling data that cannot be redrawn: before any data are built."""
        self.protocol = self.PROTOCOL.resolve(cfg)
        if self.protocol.resample and not self.redraws:
            raise UserError(f"resample: the {cfg.problem} problem's training data are fixed; use resample 0")

    def make_net(self, cfg: RunConfig, nu: float) -> Network:
        raise NotImplementedError

    def losses(self, net: nn.Module) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def evaluate(self, net: nn.Module) -> tuple[np.ndarray, float]:
        raise NotImplementedError

    def begin_step(self, step: int) -> None:
        """Called by the training loop before optimizer step `step` (0-based): new points when due."""
        if self.protocol.resample and step and step % self.protocol.resample == 0:
            self.redraw()

    def redraw(self) -> None:
        raise NotImplementedError

    def params(self) -> list[torch.Tensor]:
        return []

    def extra(self) -> dict[str, float]:
        return {}

    def snapshot_fields(self) -> dict:
        return {}


class FunctionProblem(Problem):
    """Base for problems whose solution is a function u(x) on the target's box, known exactly."""
    fits_data = False         # accepts a data target (then trains on its samples)
    label = "function problem"
    solution = "target"

    def __init__(self, cfg: RunConfig, device, dtype):
        super().__init__(cfg)
        self.target = resolve(cfg.target, cfg.freq, cfg.domain)
        self.data = data.split(self.target, cfg.seed, cfg.points) if data.is_data(self.target) else None
        if self.data is not None and not self.fits_data:
            raise TargetError(f"problem {cfg.problem}: needs a formula target, and {cfg.target} is data; use the problem 'fit'")
        if self.data is not None and self.protocol.resample:
            raise UserError(f"resample: {cfg.target} is data, whose samples are fixed; use resample 0")
        self.lo, self.hi, self.dim = float(self.target.lo[0]), float(self.target.hi[0]), self.target.dim
        self.top_cycles = self.target.top_cycles() if self.data is not None else top_frequency(self.target)
        test = None if self.data is None else (self.data.x_test, self.data.y_test)
        self.grids = Grids.for_target(self.target, cfg, device, dtype, test)
        self._pred_test = None
        self.gen = torch.Generator().manual_seed(cfg.seed + DATA_SEED_OFFSET)
        self.device, self.dtype = device, dtype

    def training_set(self, n: int) -> tuple[torch.Tensor, np.ndarray]:
        """(x [n, d] float64 CPU, u [n]): a data target's training split, else n seeded random points of
        the box and the target there."""
        if self.data is not None:
            return torch.from_numpy(np.array(self.data.x_train)), np.array(self.data.y_train)
        x = self.sample(n)
        return x, self.target(x.numpy())

    def sample(self, n: int) -> torch.Tensor:
        """n training points uniform in the box, float64 on the CPU (seeded: the same for every model)."""
        return sample_box(self.target, n, self.gen)

    def on_device(self, x) -> torch.Tensor:
        return torch.as_tensor(x, dtype=self.dtype, device=self.device)

    def make_net(self, cfg: RunConfig, nu: float) -> Network:
        return build(cfg, self.target.lo, self.target.hi, nu)

    def extra(self) -> dict[str, float]:
        """A picture: PSNR of the last evaluation in dB, values spanning [-1, 1] (peak-to-peak 2)."""
        if self.data is None or not self.target.shape or self._pred_test is None:
            return {}
        mse = float(np.mean((self._pred_test - self.grids.true_test) ** 2))
        return {"psnr": 20 * np.log10(2 / np.sqrt(mse)) if mse > 0 else float("inf")}

    def snapshot_fields(self) -> dict:
        """Snapshot fields that replace the 1-D line's (train.Run): for a picture, the predicted image
        [h, w] of the last evaluation and its radial error spectra (images.radial_spectra)."""
        if self.data is None or not self.target.shape or self._pred_test is None:
            return {}
        pred, true = self._pred_test.reshape(self.target.shape), self.grids.true_test.reshape(self.target.shape)
        freqs, spec_true, spec_err, spec_rel_err = images.radial_spectra(pred, true)
        return {"image": pred.astype(np.float32), "freqs": freqs, "spec_true": spec_true, "spec_err": spec_err, "spec_rel_err": spec_rel_err}

    @torch.no_grad()
    def evaluate(self, net: nn.Module) -> tuple[np.ndarray, float]:
        g = self.grids
        pred_test = net(g.test)[:, 0].double().cpu().numpy()
        self._pred_test = pred_test if self.data is not None else None
        err = np.linalg.norm(pred_test - g.true_test) / max(np.linalg.norm(g.true_test), 1e-300)
        return net(g.line)[:, 0].double().cpu().numpy(), float(err)


ProblemFactory = Callable[[RunConfig, torch.device, torch.dtype], Problem]
PROBLEMS: Registry[ProblemFactory] = Registry("problem", field="problem")
