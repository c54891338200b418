"""The shared controls (sidebar) and the URL: one RunConfig per session, always in the query string.

On a session's first run the URL is parsed leniently (bad or tampered values fall back to the
defaults, with a notice); after that the widgets own the settings and every rerun writes them back
to the URL, so a copied link reproduces the run (the seed is in it). Page-level keys beside the
RunConfig fields: `models` (comma-separated) and `classroom` (1 hides advanced controls).
"""
from __future__ import annotations

import os
import random

import streamlit as st

from dashboard import upload
from repcore import ConfigError, RunConfig
from repcore.config import parse_domain
from repcore.device import cuda_status
from repcore.inits import INITS
from repcore.repnet import POINT_LAWS
from repcore.models import MODELS
from repcore.problems import PROBLEMS
from repcore.targets import PRESETS, TargetError, resolve

CUSTOM = "custom expression"
NUS = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000]
LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
DEFAULT_MODELS = ("vanilla", "repnet")
PAGE_KEYS = ("models", "classroom")
PROBLEM_LABELS = {"fit": "fit the target", "poisson": "PINN: Poisson, solution = target",
                  "inverse": "PINN: inverse, find k in k Δu = f", "earthquake": "operator: earthquake → structure"}


def load_query(params: dict[str, str]) -> None:
    """Set the session's settings and widget state from query-string values (the URL on a session's
    first run, or a lesson). Bad values fall back to defaults, each with a notice."""
    ss = st.session_state
    query = {k: v for k, v in params.items() if k not in PAGE_KEYS}
    cfg, notices = RunConfig.from_query(query, lenient=True)
    models = [m for m in params.get("models", ",".join(DEFAULT_MODELS)).split(",") if m]
    bad = [m for m in models if m not in MODELS]
    if bad or not models:
        notices.append(f"models: unknown {', '.join(bad) or 'none given'}; using the default")
        models = list(DEFAULT_MODELS)
    if cfg.device == "cuda" and cuda_status():
        notices.append(f"{cuda_status()}; using the CPU")
        cfg = cfg.replace(device="cpu")
    try:
        resolve(cfg.target, cfg.freq, cfg.domain)
    except TargetError as err:
        notices.append(f"{err}; using the default target")
        cfg = cfg.replace(target=RunConfig().target, freq=None, domain=())
    ss.cfg, ss.models, ss.notices = cfg, models, notices
    ss.pop("notice_cfg", None)
    ss.classroom = params.get("classroom", "0") in ("1", "true")
    ss.update(widget_values(cfg, models))


def widget_values(cfg: RunConfig, models: list[str]) -> dict:
    """The sidebar widgets' session-state values (keys w_*) that show `cfg` and `models`."""
    preset = cfg.target in PRESETS
    return {"w_problem": cfg.problem, "w_target": cfg.target if preset else CUSTOM, "w_expr": "" if preset else cfg.target,
            "w_freq": float(cfg.freq if cfg.freq is not None else PRESETS.get(cfg.target).k if preset else 10.0),
            "w_nu": "auto" if cfg.slope_scale is None else cfg.slope_scale, "w_act": cfg.act, "w_width": cfg.width,
            "w_depth": cfg.depth, "w_lr": cfg.lr, "w_seed": cfg.seed, "w_steps": cfg.steps, "w_models": list(models),
            "w_device": cfg.device if cfg.device != "auto" else ("cpu" if cuda_status() else "cuda"),
            "w_domain": RunConfig(domain=cfg.domain).to_query().get("domain", ""), "w_law": cfg.law,
            "w_init": cfg.init, "w_head": cfg.head, "w_points": cfg.points}


def open_live(query: dict[str, str]) -> None:
    """Button callback (runs before the rerun, when widget state may still change): load `query`
    and ask the entry script to switch to the live page."""
    load_query(dict(query, classroom="1" if st.session_state.get("classroom") else "0"))
    st.session_state.goto_live = True


def _with(options: list, value) -> list:
    """Options plus the current value (a link may carry an off-grid number)."""
    return options if value in options else sorted(options + [value], key=float)


def new_seed() -> None:
    st.session_state.w_seed = random.randrange(0, 10_000)


def sidebar() -> RunConfig:
    """Render the controls; return the session's valid RunConfig (errors shown next to controls)."""
    ss = st.session_state
    if "cfg" not in ss:
        load_query(st.query_params.to_dict())
    else:   # Streamlit can drop widget state (seen under load: a click racing a fragment's timed rerun), which
        # would show every control at its minimum: refill what is missing from the settings being trained
        ss.update({k: v for k, v in widget_values(ss.cfg, ss.models).items() if k not in ss})
    full = not ss.classroom
    side = st.sidebar
    problem = side.selectbox("Problem", PROBLEMS.names(), key="w_problem", format_func=lambda p: PROBLEM_LABELS.get(p, p),
                             help="Fit the target, solve a PDE whose solution is the target (PINN), or learn an operator on real earthquake records")
    if problem in ("poisson", "inverse") and ss.get("w_act") == "relu":
        side.warning("A ReLU net has zero second derivative almost everywhere: use tanh for PINNs.")
    choice = side.selectbox("Target", PRESETS.names() + [CUSTOM], key="w_target", disabled=problem == "earthquake",
                            help="A preset, or type your own expression in x (x1..x8 in more dimensions)")
    target = choice
    if choice == CUSTOM:
        if not ss.get("w_expr", "").strip():            # start from the formula being trained, not an empty box
            ss.w_expr = live_target(ss.cfg) if ss.cfg.problem != "earthquake" else ""
        target = side.text_input("Expression", key="w_expr", placeholder="sin(2*pi*x) + 0.2*sin(40*pi*x)")
        try:
            resolve(target, None, ss.cfg.domain)
        except TargetError as err:
            side.error(f"{err}. Still training the last valid target.")
            target = ss.cfg.target
    else:
        side.caption(f"`{PRESETS.get(choice).template}`")
        side.slider("Target frequency k (cycles)", 1.0, 60.0, step=1.0, key="w_freq")
    upload.csv_upload(side)
    nus = ["auto"] + (NUS if ss.w_nu == "auto" else _with(NUS, ss.w_nu))
    nu = side.select_slider("Slope scale ν (RepNet)", nus, key="w_nu", help="Standard deviation of RepNet's first-layer weights; auto = π × top frequency")
    act = side.segmented_control("Activation", ["relu", "tanh"], key="w_act", required=True)
    if full:
        width = side.slider("Width", 4, 512, key="w_width")
        depth = side.slider("Hidden layers", 1, 8, key="w_depth")
        lr = side.select_slider("Learning rate (Adam)", _with(LRS, ss.w_lr), key="w_lr", format_func=lambda v: f"{v:g}")
        steps = side.number_input("Step budget (epochs)", 10, 1_000_000, step=500, key="w_steps")
        devices = ["cpu", "cuda"]
        device = side.selectbox("Device", devices, key="w_device")
        if device == "cuda" and cuda_status():
            side.error(f"{cuda_status()}. Training stays on the CPU.")
            device = "cpu"
    else:
        width, depth, lr, steps, device = ss.w_width, ss.w_depth, ss.w_lr, ss.w_steps, ss.w_device
    c1, c2 = side.columns([2, 1], vertical_alignment="bottom")
    seed = c1.number_input("Seed", 0, 2**31 - 1, key="w_seed")
    c2.button("New seed", on_click=new_seed)
    extra, models = _advanced(side) if full else ({}, ss.models)
    values = dict(problem=problem, target=target, freq=ss.w_freq if choice != CUSTOM else None, act=act, width=width, depth=depth,
                  lr=lr, steps=int(steps), device=device, seed=int(seed),
                  slope_scale=None if nu == "auto" else float(nu), **extra)
    try:
        cfg = ss.cfg.replace(**values)
        resolve(cfg.target, cfg.freq, cfg.domain)
        ss.cfg = cfg
    except (ConfigError, TargetError) as err:
        side.error(f"{err}. Keeping the last valid settings.")
    ss.models = models
    _to_url(ss.cfg)
    return ss.cfg


def _advanced(side) -> tuple[dict, list[str]]:
    """The advanced controls: config fields, and the models to train side by side."""
    ss = st.session_state
    with side.expander("Advanced"):
        models = st.multiselect("Models side by side", MODELS.names(), key="w_models")
        domain_text = st.text_input("Domain LO,HI (blank = the target's own)", key="w_domain")
        law = st.selectbox("Partition-point law (RepNet)", POINT_LAWS.names(), key="w_law", help=POINT_LAWS.help(ss.w_law))
        init = st.selectbox("Initialization (other layers)", INITS.names(), key="w_init")
        head = st.selectbox("Output layer at start", ["zero", "init"], key="w_head")
        points = st.number_input("Training points", 2, 200_000, key="w_points")
    try:
        domain = parse_domain(domain_text)
    except ConfigError as err:
        side.error(str(err))
        domain = ss.cfg.domain
    if not models:
        side.error(f"models: choose at least one. Still training {', '.join(ss.models)}.")
        models = ss.models
    return dict(domain=domain, law=law, init=init, head=head, points=int(points)), models


def _to_url(cfg: RunConfig) -> None:
    query = cfg.to_query()
    if list(st.session_state.models) != list(DEFAULT_MODELS):
        query["models"] = ",".join(st.session_state.models)
    if st.session_state.classroom:
        query["classroom"] = "1"
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


def live_session():
    """This browser session's LiveSession (created on first use; closed when the session ends).
    Its workers exit after REPCORE_IDLE_TIMEOUT seconds (default 20) without a request from the page."""
    from dashboard.session import LiveSession
    if "live" not in st.session_state:
        st.session_state.live = LiveSession(idle_timeout=float(os.environ.get("REPCORE_IDLE_TIMEOUT", "20")))
    return st.session_state.live


def show_notices() -> None:
    """Warnings about ignored link settings, until the user changes a setting."""
    ss = st.session_state
    if ss.get("notices") and ss.get("notice_cfg", ss.cfg) == ss.cfg:
        ss.notice_cfg = ss.cfg
        for notice in ss.notices:
            st.warning(f"Link setting ignored: {notice}", icon=":material/warning:")


def live_target(cfg: RunConfig) -> str:
    """The formula actually trained (a preset with its frequency filled in)."""
    if cfg.problem == "earthquake":
        return "SDOF response to real ground motions"
    return resolve(cfg.target, cfg.freq, cfg.domain).text
