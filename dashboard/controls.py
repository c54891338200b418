"""The widgets, one function per setting: each renders its control(s) into a container and returns the
RunConfig fields it sets (settings.controls calls the ones a page names). Callbacks that keep related
controls consistent (a new preset starts at its own frequency; a fixed ν starts next to the auto one)
and the resolved slope scale shown beside its control live here too."""
from __future__ import annotations

import functools
import random

import streamlit as st

from dashboard import upload
from repcore import ConfigError, RunConfig
from repcore.config import parse_domain
from repcore.device import cuda_status
from repcore.estimates import auto_slope_scale
from repcore.inits import INITS
from repcore.models import MODELS, mlp_names
from repcore.problems import PROBLEMS
from repcore.repnet import POINT_LAWS
from repcore.targets import PRESETS, TargetError, data, resolve, top_frequency

CUSTOM = "custom expression"
NUS = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000]
LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
DEVICES, HEADS = ["auto", "cpu", "cuda"], ["zero", "init"]
RANGES = {"freq": (1, 60), "width": (4, 512), "depth": (1, 8), "steps": (10, 1_000_000)}    # narrower than the engine's
TRAINING = ("problem", "target", "upload", "nu", "act", "width", "depth", "lr", "steps", "device", "seed", "advanced")
LECTURE = ("target", "nu", "act")                   # what a lecturer changes in class (presentation mode)
ANATOMY = ("act", "width", "nu", "init", "seed")    # what the anatomy page (one hidden layer, no training) reads
PICTURE = ("nu", "act", "width", "depth", "lr", "steps", "device", "seed")     # the Picture page's networks
FULL_ONLY = ("width", "depth", "lr", "steps", "device", "advanced")     # hidden in classroom mode


def nearest_nu(nu: float) -> int:
    return min(NUS, key=lambda v: abs(v - nu))


def nu_on_grid(nu: float):
    """The grid's own entry for a value on it (3.0 -> 3: the slider finds its options by identity), else the value."""
    return nearest_nu(nu) if nearest_nu(nu) == nu else nu


@st.cache_data(max_entries=256, show_spinner=False)
def _auto_nu(target: str, freq, domain: tuple) -> float:
    """What train.resolve_knob gives RepNet: π × the target's top frequency (problems.base: data targets
    measure theirs on lines as fine as the data)."""
    t = resolve(target, freq, domain)
    return auto_slope_scale(t.top_cycles() if data.is_data(t) else top_frequency(t))


def nu_of(cfg: RunConfig) -> float | None:
    """The slope scale RepNet trains with under `cfg` (auto resolved from the target; None when only
    the training process knows it, e.g. the earthquake records)."""
    if cfg.slope_scale is not None:
        return cfg.slope_scale
    if not PROBLEMS.get(cfg.problem).has_target:
        return None
    try:
        return _auto_nu(cfg.target, cfg.freq, cfg.domain)
    except TargetError:
        return None


def widget_values(cfg: RunConfig, models: list[str]) -> dict:
    """The widgets' session-state values (keys w_*) that show `cfg` and `models`."""
    preset = cfg.target in PRESETS
    return {"w_problem": cfg.problem, "w_target": cfg.target if preset else CUSTOM, "w_expr": "" if preset else cfg.target,
            "w_freq": int(cfg.freq if cfg.freq is not None else PRESETS.get(cfg.target).k if preset else 10),
            "w_nu_auto": cfg.slope_scale is None,
            "w_nu": nu_on_grid(cfg.slope_scale) if cfg.slope_scale else nearest_nu(nu_of(cfg) or 10),
            "w_act": cfg.act, "w_width": cfg.width, "w_depth": cfg.depth, "w_lr": cfg.lr, "w_seed": cfg.seed,
            "w_steps": cfg.steps, "w_models": list(models), "w_device": cfg.device,
            "w_domain": RunConfig(domain=cfg.domain).to_query().get("domain", ""), "w_law": cfg.law,
            "w_init": cfg.init, "w_head": cfg.head, "w_points": cfg.points, "w_present": st.session_state.get("present", False)}


@functools.lru_cache(maxsize=64)
def _shown(cfg: RunConfig, models: tuple, present: bool) -> dict:
    return widget_values(cfg, list(models))             # 0.4 ms, asked for by ~20 controls a run


def trained_values() -> dict:
    """widget_values for the session's settings being trained (a copy: callers may keep its lists)."""
    ss = st.session_state
    return {k: list(v) if isinstance(v, list) else v for k, v in _shown(ss.cfg, tuple(ss.models), bool(ss.get("present"))).items()}


def trained(key: str):
    """What the widget `key` shows for the settings being trained: its default (see the module's note)."""
    return trained_values()[key]


def in_range(cfg: RunConfig) -> tuple[RunConfig, list[str]]:
    """`cfg` with each field a control shows moved into that control's range, with a notice for each: a link may
    carry what the engine accepts and the control cannot show (width=1000 raised on the page; steps=5 became 10
    on the next run without a word)."""
    changes, notices = {}, []
    for name, (lo, hi) in RANGES.items():
        value = getattr(cfg, name)
        if value is not None and not lo <= value <= hi:
            changes[name] = type(value)(min(max(value, lo), hi))
            show = (lambda v: f"{v:g}") if isinstance(value, float) else (lambda v: f"{v:,}")
            notices.append(f"{name} {show(value)}: the dashboard's control goes from {lo:,} to {hi:,}; using {show(changes[name])}")
    return cfg.replace(**changes), notices


def _within(name: str) -> tuple:
    """A slider's or number box's range, then its default: the trained setting, inside that range."""
    lo, hi = RANGES[name]
    return lo, hi, min(max(trained("w_" + name), lo), hi)


def _index(options: list, key: str) -> int:
    """A selectbox's default: the trained setting's place among its options."""
    value = trained(key)
    return options.index(value) if value in options else 0


def _with(options: list, value) -> list:
    """Options plus the current value (a link may carry an off-grid number)."""
    return options if value in options else sorted(options + [value], key=float)


def new_seed() -> None:
    st.session_state.w_seed = random.randrange(0, 10_000)


def _target_changed() -> None:
    """A new preset starts at its own frequency (unset in the URL), not at the last preset's."""
    ss = st.session_state
    if ss.w_target in PRESETS:
        ss.w_freq = int(PRESETS.get(ss.w_target).k)


def _use_upload(spec: str) -> None:
    """An uploaded CSV becomes the target: problem fit, the custom expression box holding its spec, its own domain."""
    st.session_state.update(w_problem="fit", w_target=CUSTOM, w_expr=spec, w_domain="")


def _nu_auto_changed() -> None:
    if not st.session_state.w_nu_auto:            # fixed ν starts next to what auto was giving
        st.session_state.w_nu = nearest_nu(nu_of(st.session_state.cfg) or 10)


def _problem(c) -> dict:
    problem = c.selectbox("Problem", PROBLEMS.names(), _index(PROBLEMS.names(), "w_problem"), key="w_problem", format_func=lambda p: PROBLEMS.get(p).label,
                          help="Fit the target, solve a PDE whose solution is the target (PINN), or learn an operator "
                               "on real earthquake records")
    if PROBLEMS.get(problem).needs_smooth_activation and st.session_state.get("w_act") == "relu":
        c.warning("A ReLU net has zero second derivative almost everywhere: use tanh for PINNs.")
    return {"problem": problem}


def _target(c) -> dict:
    ss = st.session_state
    if not PROBLEMS.get(ss.get("w_problem", ss.cfg.problem)).has_target:
        return {}
    options = PRESETS.names() + [CUSTOM]
    choice = c.selectbox("Target", options, _index(options, "w_target"), key="w_target", on_change=_target_changed,
                         help="A preset, or type your own expression in x (x1..x8 in more dimensions)")
    if choice != CUSTOM:
        c.slider("Target frequency k (cycles)", *_within("freq"), key="w_freq", format="%d")
        freq = None if ss.w_freq == PRESETS.get(choice).k else float(ss.w_freq)     # the preset's own k stays unset
        try:
            c.caption(f"`{resolve(choice, freq, ss.cfg.domain).text}`")
        except TargetError:
            pass
        return {"target": choice, "freq": freq}
    if not ss.get("w_expr", "").strip():            # start from the formula being trained, not an empty box
        ss.w_expr = live_target(ss.cfg) if PROBLEMS.get(ss.cfg.problem).has_target else ""
    target = c.text_input("Expression", trained("w_expr"), key="w_expr", placeholder="sin(2*pi*x) + 0.2*sin(40*pi*x)")
    try:
        resolve(target, None, ss.cfg.domain)
    except TargetError as err:
        c.error(f"{err}. Still training the last valid target.")
        target = ss.cfg.target
    return {"target": target, "freq": None}


def _nu(c) -> dict:
    ss = st.session_state
    auto = c.toggle("Slope scale ν (RepNet): auto", trained("w_nu_auto"), key="w_nu_auto", on_change=_nu_auto_changed,
                    help="ν is the standard deviation of RepNet's first-layer weights; auto = π × the target's top frequency")
    if auto:
        nu = nu_of(ss.cfg)
        c.caption(f"auto → **ν = {nu:.1f}**" if nu is not None else "auto → ν set by the training data")
        return {"slope_scale": None}
    nu = c.select_slider("Slope scale ν (RepNet)", _with(_with(NUS, ss.w_nu), trained("w_nu")), trained("w_nu"), key="w_nu")
    return {"slope_scale": float(nu)}


def _act(c) -> dict:
    return {"act": c.segmented_control("Activation", ["relu", "tanh"], default=trained("w_act"), key="w_act", required=True) or st.session_state.cfg.act}


def _device(c) -> dict:
    device = c.selectbox("Device", DEVICES, _index(DEVICES, "w_device"), key="w_device",
                         format_func=lambda d: f"auto ({'CPU' if cuda_status() else 'CUDA'})" if d == "auto" else d)
    if device == "cuda" and cuda_status():
        c.error(f"{cuda_status()}. Training stays on the CPU.")
        device = "cpu"
    return {"device": device}


def _seed(c) -> dict:
    c1, c2 = c.columns([2, 1], vertical_alignment="bottom")
    seed = c1.number_input("Seed", 0, 2**31 - 1, trained("w_seed"), key="w_seed")
    c2.button("New seed", on_click=new_seed)
    return {"seed": int(seed)}


def _init(c) -> dict:
    return {"init": c.selectbox("Initialization (other layers)", INITS.names(), _index(INITS.names(), "w_init"), key="w_init",
                                help=INITS.help(st.session_state.w_init))}


def _advanced(c) -> dict:
    ss = st.session_state
    with c.expander("Advanced"):
        models = st.multiselect("Models side by side", MODELS.names(), trained("w_models"), key="w_models")
        if not PROBLEMS.get(ss.get("w_problem", ss.cfg.problem)).whole_networks and (whole := [m for m in models if m not in mlp_names()]):
            st.error(f"{', '.join(whole)}: a whole network that only the operator problem builds; "
                     "choose the operator problem or another model")
        domain_text = st.text_input("Domain LO,HI (blank = the target's own)", trained("w_domain"), key="w_domain")
        law = st.selectbox("Partition-point law (RepNet)", POINT_LAWS.names(), _index(POINT_LAWS.names(), "w_law"), key="w_law", help=POINT_LAWS.help(ss.w_law))
        init = _init(st)["init"]
        head = st.selectbox("Output layer at start", HEADS, _index(HEADS, "w_head"), key="w_head")
        points = st.number_input("Training points", 2, 200_000, trained("w_points"), key="w_points")
    try:
        domain = parse_domain(domain_text)
    except ConfigError as err:
        c.error(str(err))
        domain = ss.cfg.domain
    if not models:
        c.error(f"models: choose at least one. Still training {', '.join(ss.models)}.")
        models = ss.models
    return dict(models=models, domain=domain, law=law, init=init, head=head, points=int(points))


CONTROLS = {
    "problem": _problem, "target": _target, "nu": _nu, "act": _act, "device": _device, "seed": _seed, "init": _init,
    "advanced": _advanced, "upload": lambda c: upload.csv_upload(c, _use_upload) or {},
    "width": lambda c: {"width": c.slider("Width", *_within("width"), key="w_width")},
    "depth": lambda c: {"depth": c.slider("Hidden layers", *_within("depth"), key="w_depth")},
    "lr": lambda c: {"lr": c.select_slider("Learning rate (Adam)", _with(_with(LRS, st.session_state.w_lr), trained("w_lr")), trained("w_lr"), key="w_lr",
                                           format_func=lambda v: f"{v:g}")},
    "steps": lambda c: {"steps": int(c.number_input("Step budget (epochs)", *_within("steps"), step=500, key="w_steps"))},
}


def live_target(cfg: RunConfig) -> str:
    """The formula actually trained (a preset with its frequency filled in)."""
    problem = PROBLEMS.get(cfg.problem)
    return resolve(cfg.target, cfg.freq, cfg.domain).text if problem.has_target else problem.solution
