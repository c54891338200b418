"""The shared controls and the URL: one RunConfig per session, the URL holding what differs from the defaults.

On a session's first run the URL is parsed leniently (bad or tampered values fall back to the
defaults, with a notice); after that the widgets own the settings and every rerun writes them back
to the URL, so a copied link reproduces the run (the seed is in it). Unset and "auto" values stay
unset (a link made on a laptop with device auto trains on the GPU of a GPU machine). Page-level keys
beside the RunConfig fields: `models` (comma-separated), `classroom` (1 hides advanced controls),
`present` (1: presentation mode, lecture hall) and `lesson` (a lesson's number, shown on the live page).

Each page names the controls that act on it (`controls(where, names)`); a control appears once, in the
sidebar or, in presentation mode, on the live page.
"""
from __future__ import annotations

import os
import random

import streamlit as st

from dashboard import upload
from repcore import ConfigError, RunConfig, data
from repcore.config import parse_domain
from repcore.device import cuda_status
from repcore.estimates import auto_slope_scale
from repcore.inits import INITS
from repcore.models import MODELS
from repcore.problems import PROBLEMS
from repcore.repnet import POINT_LAWS
from repcore.targets import PRESETS, TargetError, resolve, top_frequency

CUSTOM = "custom expression"
NUS = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000]
LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
DEFAULT_MODELS = ("vanilla", "repnet")
PAGE_KEYS = ("models", "classroom", "present", "lesson")
TRAINING = ("problem", "target", "upload", "nu", "act", "width", "depth", "lr", "steps", "device", "seed", "advanced")
LECTURE = ("target", "nu", "act")                   # what a lecturer changes in class (presentation mode)
ANATOMY = ("act", "width", "nu", "init", "seed")    # what the anatomy page (one hidden layer, no training) reads
PICTURE = ("nu", "act", "width", "depth", "lr", "steps", "device", "seed")     # the Picture page's networks
ADVANCED = ("models", "domain", "law", "init", "head", "points")
FULL_ONLY = ("width", "depth", "lr", "steps", "device", "advanced")     # hidden in classroom mode


def _flag(params: dict, key: str) -> bool:
    return params.get(key, "0") in ("1", "true")


def load_query(params: dict[str, str]) -> None:
    """Set the session's settings and widget state from query-string values (the URL on a session's
    first run, or a lesson). Bad values fall back to defaults, each with a notice."""
    ss = st.session_state
    cfg, notices = RunConfig.from_query({k: v for k, v in params.items() if k not in PAGE_KEYS}, lenient=True)
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
    ss.classroom, ss.present = _flag(params, "classroom"), _flag(params, "present")
    ss.lesson = int(params["lesson"]) if params.get("lesson", "").isdigit() else None
    ss.update(widget_values(cfg, models))


def widget_values(cfg: RunConfig, models: list[str]) -> dict:
    """The widgets' session-state values (keys w_*) that show `cfg` and `models`."""
    preset = cfg.target in PRESETS
    return {"w_problem": cfg.problem, "w_target": cfg.target if preset else CUSTOM, "w_expr": "" if preset else cfg.target,
            "w_freq": int(cfg.freq if cfg.freq is not None else PRESETS.get(cfg.target).k if preset else 10),
            "w_nu_auto": cfg.slope_scale is None,
            "w_nu": _on_grid(cfg.slope_scale) if cfg.slope_scale else _nearest(nu_of(cfg) or 10),
            "w_act": cfg.act, "w_width": cfg.width, "w_depth": cfg.depth, "w_lr": cfg.lr, "w_seed": cfg.seed,
            "w_steps": cfg.steps, "w_models": list(models), "w_device": cfg.device,
            "w_domain": RunConfig(domain=cfg.domain).to_query().get("domain", ""), "w_law": cfg.law,
            "w_init": cfg.init, "w_head": cfg.head, "w_points": cfg.points, "w_present": st.session_state.get("present", False)}


def _nearest(nu: float) -> int:
    return min(NUS, key=lambda v: abs(v - nu))


def _on_grid(nu: float):
    """The grid's own entry for a value on it (3.0 -> 3: the slider finds its options by identity), else the value."""
    return _nearest(nu) if _nearest(nu) == nu else nu


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


def open_live(query: dict[str, str], lesson: int | None = None) -> None:
    """Button callback (runs before the rerun, when widget state may still change): load `query`
    and ask the entry script to switch to the live page."""
    ss = st.session_state
    load_query(dict(query, classroom="1" if ss.get("classroom") else "0", present="1" if ss.get("present") else "0",
                    **({"lesson": str(lesson)} if lesson is not None else {})))
    ss.goto_live = True


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


def _nu_auto_changed() -> None:
    if not st.session_state.w_nu_auto:            # fixed ν starts next to what auto was giving
        st.session_state.w_nu = _nearest(nu_of(st.session_state.cfg) or 10)


def _problem(c) -> dict:
    problem = c.selectbox("Problem", PROBLEMS.names(), key="w_problem", format_func=lambda p: PROBLEMS.get(p).label,
                          help="Fit the target, solve a PDE whose solution is the target (PINN), or learn an operator "
                               "on real earthquake records")
    if PROBLEMS.get(problem).needs_smooth_activation and st.session_state.get("w_act") == "relu":
        c.warning("A ReLU net has zero second derivative almost everywhere: use tanh for PINNs.")
    return {"problem": problem}


def _target(c) -> dict:
    ss = st.session_state
    if not PROBLEMS.get(ss.get("w_problem", ss.cfg.problem)).has_target:
        return {}
    choice = c.selectbox("Target", PRESETS.names() + [CUSTOM], key="w_target", on_change=_target_changed,
                         help="A preset, or type your own expression in x (x1..x8 in more dimensions)")
    if choice != CUSTOM:
        c.slider("Target frequency k (cycles)", 1, 60, key="w_freq", format="%d")
        freq = None if ss.w_freq == PRESETS.get(choice).k else float(ss.w_freq)     # the preset's own k stays unset
        try:
            c.caption(f"`{resolve(choice, freq, ss.cfg.domain).text}`")
        except TargetError:
            pass
        return {"target": choice, "freq": freq}
    if not ss.get("w_expr", "").strip():            # start from the formula being trained, not an empty box
        ss.w_expr = live_target(ss.cfg) if PROBLEMS.get(ss.cfg.problem).has_target else ""
    target = c.text_input("Expression", key="w_expr", placeholder="sin(2*pi*x) + 0.2*sin(40*pi*x)")
    try:
        resolve(target, None, ss.cfg.domain)
    except TargetError as err:
        c.error(f"{err}. Still training the last valid target.")
        target = ss.cfg.target
    return {"target": target, "freq": None}


def _nu(c) -> dict:
    ss = st.session_state
    auto = c.toggle("Slope scale ν (RepNet): auto", key="w_nu_auto", on_change=_nu_auto_changed,
                    help="ν is the standard deviation of RepNet's first-layer weights; auto = π × the target's top frequency")
    if auto:
        nu = nu_of(ss.cfg)
        c.caption(f"auto → **ν = {nu:.1f}**" if nu is not None else "auto → ν set by the training data")
        return {"slope_scale": None}
    nu = c.select_slider("Slope scale ν (RepNet)", _with(NUS, ss.w_nu), key="w_nu")
    return {"slope_scale": float(nu)}


def _act(c) -> dict:
    return {"act": c.segmented_control("Activation", ["relu", "tanh"], key="w_act", required=True) or st.session_state.cfg.act}


def _device(c) -> dict:
    device = c.selectbox("Device", ["auto", "cpu", "cuda"], key="w_device",
                         format_func=lambda d: f"auto ({'CPU' if cuda_status() else 'CUDA'})" if d == "auto" else d)
    if device == "cuda" and cuda_status():
        c.error(f"{cuda_status()}. Training stays on the CPU.")
        device = "cpu"
    return {"device": device}


def _seed(c) -> dict:
    c1, c2 = c.columns([2, 1], vertical_alignment="bottom")
    seed = c1.number_input("Seed", 0, 2**31 - 1, key="w_seed")
    c2.button("New seed", on_click=new_seed)
    return {"seed": int(seed)}


def _init(c) -> dict:
    return {"init": c.selectbox("Initialization (other layers)", INITS.names(), key="w_init",
                                help=INITS.help(st.session_state.w_init))}


def _advanced(c) -> dict:
    ss = st.session_state
    with c.expander("Advanced"):
        models = st.multiselect("Models side by side", MODELS.names(), key="w_models")
        domain_text = st.text_input("Domain LO,HI (blank = the target's own)", key="w_domain")
        law = st.selectbox("Partition-point law (RepNet)", POINT_LAWS.names(), key="w_law", help=POINT_LAWS.help(ss.w_law))
        init = _init(st)["init"]
        head = st.selectbox("Output layer at start", ["zero", "init"], key="w_head")
        points = st.number_input("Training points", 2, 200_000, key="w_points")
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
    "advanced": _advanced, "upload": lambda c: upload.csv_upload(c) or {},
    "width": lambda c: {"width": c.slider("Width", 4, 512, key="w_width")},
    "depth": lambda c: {"depth": c.slider("Hidden layers", 1, 8, key="w_depth")},
    "lr": lambda c: {"lr": c.select_slider("Learning rate (Adam)", _with(LRS, st.session_state.w_lr), key="w_lr",
                                           format_func=lambda v: f"{v:g}")},
    "steps": lambda c: {"steps": int(c.number_input("Step budget (epochs)", 10, 1_000_000, step=500, key="w_steps"))},
}


def controls(where, names=TRAINING) -> RunConfig:
    """Render the controls `names` (in that order) into `where` and return the session's valid
    RunConfig: fields without a control here keep their value; errors are shown next to the controls."""
    ss = st.session_state
    if "cfg" not in ss:
        load_query(st.query_params.to_dict())
    # Streamlit drops the state of a widget a run does not draw (another page, or a click racing a fragment's
    # timed rerun, seen under load): refill what is missing from the settings being trained
    ss.update({k: v for k, v in widget_values(ss.cfg, ss.models).items() if k not in ss})
    values = {}
    for name in names:
        if not (ss.get("classroom") and name in FULL_ONLY):
            values.update(CONTROLS[name](where))
    models = values.pop("models", ss.models)
    try:
        cfg = ss.cfg.replace(**values)
        resolve(cfg.target, cfg.freq, cfg.domain)
        ss.cfg = cfg
    except (ConfigError, TargetError) as err:
        where.error(f"{err}. Keeping the last valid settings.")
    ss.models = models
    _to_url(ss.cfg)
    return ss.cfg


# Presentation mode: no sidebar, no Streamlit header or toolbar, the page from the top edge with narrow margins.
PRESENT_CSS = """<style>
[data-testid=stSidebar], [data-testid=stSidebarCollapsedControl], [data-testid=stHeader], [data-testid=stToolbar] {display: none}
[data-testid=stMainBlockContainer] {padding: 0.8rem 1.2rem 0 1.2rem; max-width: none}
[data-testid=stMetricValue] {font-size: 2rem}
[data-testid=stMetricLabel] p {font-size: 1.05rem}
</style>"""


def presentation_style() -> None:
    st.html(PRESENT_CSS)


def set_present() -> None:
    """The page's presentation toggle (key w_present) switches the mode for the session and the URL. The
    lecture controls move between the sidebar and the page, which Streamlit treats as new widgets (they
    would start at their minimum): their values are set again from the settings being trained."""
    ss = st.session_state
    ss.present = ss.w_present
    ss.update({k: v for k, v in widget_values(ss.cfg, ss.models).items() if k != "w_present"})


def sidebar(names=TRAINING) -> RunConfig:
    return controls(st.sidebar, names)


def _to_url(cfg: RunConfig) -> None:
    ss = st.session_state
    query = cfg.to_query()
    if list(ss.models) != list(DEFAULT_MODELS):
        query["models"] = ",".join(ss.models)
    query.update({k: "1" for k in ("classroom", "present") if ss.get(k)})
    if ss.get("lesson") is not None:
        query["lesson"] = str(ss.lesson)
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
    problem = PROBLEMS.get(cfg.problem)
    return resolve(cfg.target, cfg.freq, cfg.domain).text if problem.has_target else problem.solution
