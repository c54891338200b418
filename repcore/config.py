"""RunConfig: the one flat, frozen, typed description of a run, shared by CLI, URL and widgets.

Every field is validated here, once (LIMITS), and the config round-trips to a dict of strings
(`to_query` / `from_query`) so a shared link or a saved run reproduces the run exactly (the seed is a
field). Unknown keys and bad values raise ConfigError with one clear line; `from_query(...,
lenient=True)` instead falls back to the default for each bad field and returns a notice per field.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from typing import Any, Optional

from .activations import ACTIVATIONS
from .device import DEVICES
from .inits import INITS
from .layers import POINT_LAWS
from .models import MODELS
from .problems import PROBLEMS
from . import operator, peers, pinn  # noqa: F401  (register peer models, PINN and operator problems)

Domain = tuple  # tuple of (lo, hi) pairs, one per input axis; () = the target's own default


class ConfigError(ValueError):
    """A rejected setting; str() is one line naming the field."""


@dataclass(frozen=True)
class RunConfig:
    # --- what to learn
    problem: str = "fit"             # registry key (problems.PROBLEMS)
    target: str = "multiscale"       # a preset name (targets.PRESETS) or an expression in x / x1..x8
    freq: Optional[float] = None     # the preset's frequency knob (cycles over the domain); None = preset default
    domain: Domain = ()              # ((lo, hi), ...) per axis, or one pair for all axes; () = preset default
    # --- the network
    model: str = "repnet"            # registry key (models.MODELS)
    act: str = "tanh"
    width: int = 100
    depth: int = 3                   # hidden layers
    init: str = "default"            # ordinary layers, same for every model (inits.INITS)
    head: str = "zero"               # 'zero': output layer starts at 0, so no random initial function to unlearn
    # --- RepNet's first layer (ignored by other models)
    slope_scale: Optional[float] = None   # nu; None = auto from the target's highest significant frequency
    law: str = "uniform"             # partition-point law (layers.POINT_LAWS)
    train_slope: bool = True         # W trainable ("adaptive frequency scaling")
    train_points: bool = True        # B trainable
    knob: Optional[float] = None     # peer models' frequency knob (fourier sigma, siren w0, mscale a_max, laaf n); None = usual
    # --- optimisation and data
    steps: int = 2000
    optimizer: str = "adam"          # full batch; 'sgd' is plain gradient descent (train.OPTIMIZERS)
    lr: float = 1e-3
    points: int = 1000               # training points, uniform random in the domain (seeded)
    seed: int = 0
    device: str = "auto"
    dtype: str = "float32"
    every: int = 100                 # snapshot interval in steps; diagnostics cost host syncs, so not every step
    test_points: int = 2048          # dense test set (grid in 1-D, random in d > 1), never trained on
    grid: int = 512                  # display / spectrum grid (1-D, or a slice along x1 at the box centre)

    def __post_init__(self):
        for f in fields(self):
            check(f.name, getattr(self, f.name))

    def replace(self, **changes) -> "RunConfig":
        return dataclasses.replace(self, **changes)

    def to_query(self) -> dict[str, str]:
        """Strings only, just the fields that differ from the defaults (short URLs)."""
        default = RunConfig()
        return {f.name: _fmt(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) != getattr(default, f.name)}

    @classmethod
    def from_query(cls, query: dict[str, Any], lenient: bool = False) -> tuple["RunConfig", list[str]]:
        """Parse strings (URL, CLI) into a config. Strict: raise on the first problem. Lenient: keep
        the default for each bad or unknown field and return one notice per problem."""
        values, notices = {}, []
        for key, raw in query.items():
            try:
                if key not in _TYPES:
                    raise ConfigError(f"unknown setting {key!r}")
                values[key] = parse_value(key, raw)
            except ConfigError as err:
                if not lenient:
                    raise
                notices.append(f"{err}; using the default")
        return cls(**values), notices


_TYPES = {f.name: f.type for f in fields(RunConfig)}

# (min, max) per numeric field, and the registry or allowed set per choice field.
LIMITS: dict[str, tuple[float, float]] = {
    "freq": (0.0, 200.0), "width": (1, 2048), "depth": (1, 16), "slope_scale": (1e-3, 1e4), "knob": (1e-3, 1e4),
    "steps": (0, 10_000_000), "lr": (1e-7, 1.0), "points": (2, 200_000), "seed": (0, 2**31 - 1),
    "every": (1, 1_000_000), "test_points": (16, 1_000_000), "grid": (16, 65_536),
}
DOMAIN_LIMIT = 1e6
CHOICES: dict[str, Any] = {"problem": PROBLEMS, "model": MODELS, "act": ACTIVATIONS, "init": INITS, "law": POINT_LAWS,
                           "head": ("init", "zero"), "device": DEVICES, "optimizer": ("adam", "sgd"), "dtype": ("float32", "float64")}

def check(name: str, value: Any) -> None:
    """Raise ConfigError if `value` is not acceptable for field `name`."""
    if name in CHOICES and value not in CHOICES[name]:
        raise ConfigError(f"{name}: unknown value {value!r}; choose one of: {', '.join(CHOICES[name])}")
    if _TYPES[name] == "bool" and not isinstance(value, bool):
        raise ConfigError(f"{name}: {value!r} is not true/false")
    if _TYPES[name] == "str" and not isinstance(value, str):
        raise ConfigError(f"{name}: {value!r} is not text")
    if name == "target" and (not isinstance(value, str) or not value.strip()):
        raise ConfigError("target: empty; give a preset name or an expression in x")
    if name == "domain":
        _check_domain(value)
    if name in LIMITS and value is not None:
        lo, hi = LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{name}: {value!r} is not a finite number")
        if _TYPES[name] == "int" and not isinstance(value, int):
            raise ConfigError(f"{name}: {value!r} is not a whole number")
        if not lo <= value <= hi:
            raise ConfigError(f"{name}: {value:g} is outside [{lo:g}, {hi:{'d' if isinstance(hi, int) else 'g'}}]")


def _check_domain(value) -> None:
    if not isinstance(value, tuple):
        raise ConfigError("domain: expected pairs LO,HI")
    for pair in value:
        if len(pair) != 2 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in pair):
            raise ConfigError(f"domain: {pair!r} is not a pair of finite numbers LO,HI")
        lo, hi = pair
        if not lo < hi:
            raise ConfigError(f"domain: need LO < HI, got {lo:g},{hi:g}")
        if max(abs(lo), abs(hi)) > DOMAIN_LIMIT:
            raise ConfigError(f"domain: bounds beyond +-{DOMAIN_LIMIT:g}")


def parse_value(name: str, raw: Any) -> Any:
    """One field from a string (or an already typed value). Raises ConfigError."""
    kind = _TYPES[name]
    if not isinstance(raw, str):
        value = raw
    elif name == "domain":
        value = parse_domain(raw)
    elif kind == "bool":
        if raw.lower() not in ("true", "false", "1", "0"):
            raise ConfigError(f"{name}: {raw!r} is not true/false")
        value = raw.lower() in ("true", "1")
    elif kind == "Optional[float]" and raw.strip().lower() in ("", "auto", "default", "none"):
        value = None
    elif kind in ("int", "float", "Optional[float]"):
        try:
            value = int(raw) if kind == "int" else float(raw)
        except ValueError:
            raise ConfigError(f"{name}: {raw!r} is not a {'whole ' if kind == 'int' else ''}number") from None
    else:
        value = raw.strip()
    check(name, value)
    return value


def parse_domain(raw: str) -> Domain:
    """'LO,HI' (every axis) or 'LO1,HI1;LO2,HI2;...' -> ((lo, hi), ...)."""
    if not raw.strip():
        return ()
    try:
        pairs = tuple(tuple(float(v) for v in part.split(",")) for part in raw.split(";"))
    except ValueError:
        raise ConfigError(f"domain: {raw!r} is not LO,HI or LO1,HI1;LO2,HI2;...") from None
    _check_domain(pairs)
    return pairs


def _fmt(value: Any) -> str:
    if value is None:
        return "auto"
    if isinstance(value, tuple):
        return ";".join(",".join(f"{v:g}" for v in pair) for pair in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
