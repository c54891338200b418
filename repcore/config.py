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

from .errors import UserError
from .registry import for_field

Domain = tuple  # tuple of (lo, hi) pairs, one per input axis; () = the target's own default
Floats = tuple  # a list of numbers written 1,10; () = auto


def _f(default: Any, help: str) -> Any:
    """A field with its one-line help (the CLI's --help and the dashboard's tooltips show it)."""
    return dataclasses.field(default=default, metadata={"help": help})


class ConfigError(UserError):
    """A rejected setting; str() is one line naming the field."""


@dataclass(frozen=True)
class RunConfig:
    # --- what to learn
    problem: str = _f("fit", "what to learn: fit the target, a PINN whose solution is the target, or an operator")
    target: str = _f("multiscale", "a preset name or an expression in x (x1..x8 in more dimensions)")
    freq: Optional[float] = _f(None, "the preset's frequency knob (cycles over the domain); auto = the preset's own")
    domain: Domain = _f((), "LO,HI for every axis or LO1,HI1;LO2,HI2;...; auto = the target's own box")
    data: str = _f("", "operator problem: the earthquake records file (eq_data_N100_r2500.mat, see README), or synthetic")
    test_records: str = _f("", "operator problem: the held-out records, e.g. 0-9 or 3,7,90-99; auto = the author's last 10")
    # --- the network
    model: str = _f("repnet", "the network: vanilla, RepNet, a peer method, or an operator network (fno, fir)")
    act: str = _f("tanh", "activation of the hidden layers (peers with their own activation ignore it)")
    width: int = _f(100, "neurons per hidden layer")
    depth: int = _f(3, "hidden layers")
    init: str = _f("default", "initialization of the ordinary layers, the same for every model")
    head: str = _f("zero", "output layer at the start; zero: no random initial function to unlearn")
    # --- RepNet's first layer (ignored by other models)
    slope_scale: Optional[float] = _f(None, "RepNet's slope scale nu (std of W); auto = pi x the target's top frequency")
    law: str = _f("uniform", "RepNet's partition-point law (where -B is drawn)")
    train_slope: bool = _f(True, "RepNet: train W (adaptive frequency scaling)")
    train_points: bool = _f(True, "RepNet: train B (the partition points)")
    # RepNet variants (docs/method.md "RepNet's variants"). Default factorized since behaviour 2 of the layer: it beat
    # the first releases' `direct` on every benchmark and on targets nobody tuned for (docs/method.md, issue 25)
    slope_param: str = _f("factorized", "RepNet: how W is trained: W = exp(s) V with V and s trained, W itself (direct: the first releases), or W = nu V with V trained")
    slope_law: str = _f("single", "RepNet: one slope scale nu for every neuron, or nu_i spread log-uniformly over [slope_min, nu]")
    slope_min: float = _f(1.0, "RepNet, log-uniform slope law: the smallest nu_i")
    slope_rule: str = _f("pi-k", "RepNet: how the auto slope scale is chosen (ignored when slope_scale is given)")
    knob: Optional[float] = _f(None, "a peer model's frequency knob (fourier sigma, siren w0, mscale a_max, laaf n, msffn top sigma); auto = its usual value")
    sigmas: Floats = _f((), "msffn: the frozen Fourier scales, e.g. 1,10; auto = 1 and the knob")
    # --- optimisation and data
    steps: int = _f(2000, "optimizer steps (full batch: one step = one epoch)")
    optimizer: str = _f("adam", "full-batch optimizer")
    lr: float = _f(1e-3, "learning rate")
    points: int = _f(1000, "training (or collocation) points, uniform random in the domain, seeded")
    # --- the training protocol; auto = the problem's own (fitting, inverse: the first releases'; forward PINN: see problems/pinn.py)
    resample: Optional[int] = _f(None, "redraw the training / collocation points every N steps (0 = fixed); auto = the problem's")
    schedule: str = _f("auto", "learning-rate schedule; auto = the problem's (cosine for the forward PINN, else constant)")
    decay_steps: int = _f(2000, "inverse-time schedule: lr / (1 + decay_rate * step / decay_steps)")
    decay_rate: float = _f(0.9, "inverse-time schedule: see decay_steps")
    weighting: str = _f("auto", "weights of the PINN loss terms; auto = the problem's (forward PINN: none, the raw mean squares; inverse: normalised)")
    hard_bc: bool = _f(False, "PINN: build the Dirichlet data into the network (exact boundary values) instead of a loss term")
    seed: int = _f(0, "seed of the data and of every layer: the same for every model")
    device: str = _f("auto", "where to train; auto = CUDA when a GPU is visible, else the CPU")
    dtype: str = _f("float32", "floating-point precision")
    every: int = _f(100, "snapshot interval in steps (diagnostics sync with the device, so not every step)")
    test_points: int = _f(2048, "dense test set, never trained on (a grid in 1-D, random in d > 1)")
    grid: int = _f(512, "display and spectrum grid along x1 (a slice through the box centre in d > 1)")

    def __post_init__(self):
        for f in fields(self):
            check(f.name, getattr(self, f.name))

    def replace(self, **changes) -> "RunConfig":
        return dataclasses.replace(self, **changes)

    def to_query(self) -> dict[str, str]:
        """Strings only, just the fields that differ from the defaults (short URLs)."""
        default = RunConfig()
        return {f.name: format_value(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) != getattr(default, f.name)}

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
    "slope_min": (1e-3, 1e4), "resample": (0, 10_000_000), "decay_steps": (1, 10_000_000), "decay_rate": (0.0, 1e3),
    "steps": (0, 10_000_000), "lr": (1e-7, 1.0), "points": (2, 200_000), "seed": (0, 2**31 - 1),
    "every": (1, 1_000_000), "test_points": (16, 1_000_000), "grid": (16, 65_536),
}
DOMAIN_LIMIT = 1e6
MAX_SIGMAS = 8

def check(name: str, value: Any) -> None:
    """Raise ConfigError if `value` is not acceptable for field `name`."""
    choices = for_field(name)        # the registry behind a choice field (filled by the package's __init__)
    if choices is not None and value not in choices:
        raise ConfigError(f"{name}: unknown value {value!r}; choose one of: {', '.join(choices)}")
    if _TYPES[name] == "bool" and not isinstance(value, bool):
        raise ConfigError(f"{name}: {value!r} is not true/false")
    if _TYPES[name] == "str" and not isinstance(value, str):
        raise ConfigError(f"{name}: {value!r} is not text")
    if name == "target" and (not isinstance(value, str) or not value.strip()):
        raise ConfigError("target: empty; give a preset name or an expression in x")
    if name == "domain":
        _check_domain(value)
    if name == "sigmas":
        _check_sigmas(value)
    if name in LIMITS and value is not None:
        lo, hi = LIMITS[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{name}: {value!r} is not a finite number")
        if _TYPES[name] in ("int", "Optional[int]") and not isinstance(value, int):
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


def _check_sigmas(value) -> None:
    if not isinstance(value, tuple) or len(value) > MAX_SIGMAS:
        raise ConfigError(f"sigmas: expected up to {MAX_SIGMAS} numbers like 1,10")
    lo, hi = LIMITS["knob"]
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
            raise ConfigError(f"sigmas: {v!r} is not a number in [{lo:g}, {hi:g}]")


def parse_value(name: str, raw: Any) -> Any:
    """One field from a string (or an already typed value). Raises ConfigError."""
    kind = _TYPES[name]
    if name == "sigmas" and isinstance(raw, list):     # a typed record (JSON) keeps lists
        value = tuple(raw)
    elif not isinstance(raw, str):
        value = raw
    elif name == "domain":
        value = parse_domain(raw)
    elif name == "sigmas":
        value = parse_floats(name, raw)
    elif kind == "bool":
        if raw.lower() not in ("true", "false", "1", "0"):
            raise ConfigError(f"{name}: {raw!r} is not true/false")
        value = raw.lower() in ("true", "1")
    elif kind.startswith("Optional[") and raw.strip().lower() in ("", "auto", "default", "none"):
        value = None
    elif kind in ("int", "float", "Optional[float]", "Optional[int]"):
        try:
            value = int(raw) if kind in ("int", "Optional[int]") else float(raw)
        except ValueError:
            raise ConfigError(f"{name}: {raw!r} is not a {'whole ' if 'int' in kind else ''}number") from None
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


def parse_floats(name: str, raw: str) -> tuple:
    """'1,10' -> (1.0, 10.0); '' or 'auto' -> ()."""
    if raw.strip().lower() in ("", "auto", "default", "none"):
        return ()
    try:
        return tuple(float(v) for v in raw.split(","))
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a comma-separated list of numbers") from None


def _short(v: float) -> str:
    """The shortest text that reads back as exactly v."""
    return f"{v:g}" if float(f"{v:g}") == v else repr(float(v))


def format_value(value: Any) -> str:
    if value is None:
        return "auto"
    if isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value) and value:
        return ",".join(_short(v) for v in value)
    if isinstance(value, tuple):
        return ";".join(",".join(f"{v:g}" for v in pair) for pair in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
