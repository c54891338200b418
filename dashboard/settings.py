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

import streamlit as st

from dashboard.controls import CONTROLS, FULL_ONLY, TRAINING, in_range, trained_values, widget_values
from repcore import ConfigError, RunConfig
from repcore.device import cuda_status
from repcore.models import MODELS
from repcore.targets import TargetError, resolve

DEFAULT_MODELS = ("vanilla", "repnet")
PAGE_KEYS = ("models", "classroom", "present", "lesson")


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
    cfg, outside = in_range(cfg)
    ss.cfg, ss.models, ss.notices = cfg, models, notices + outside
    ss.pop("notice_cfg", None)
    ss.classroom, ss.present = _flag(params, "classroom"), _flag(params, "present")
    ss.lesson = int(params["lesson"]) if params.get("lesson", "").isdigit() else None
    ss.update(widget_values(cfg, models))


def open_live(query: dict[str, str], lesson: int | None = None) -> None:
    """Button callback (runs before the rerun, when widget state may still change): load `query`
    and ask the entry script to switch to the live page."""
    ss = st.session_state
    load_query(dict(query, classroom="1" if ss.get("classroom") else "0", present="1" if ss.get("present") else "0",
                    **({"lesson": str(lesson)} if lesson is not None else {})))
    ss.goto_live = True


def controls(where, names=TRAINING) -> RunConfig:
    """Render the controls `names` (in that order) into `where` and return the session's valid
    RunConfig: fields without a control here keep their value; errors are shown next to the controls."""
    ss = st.session_state
    if "cfg" not in ss:
        load_query(st.query_params.to_dict())
    # Streamlit drops the state of a widget a run does not draw (another page, a closed popover): refill what is
    # missing from the settings being trained (the controls read some before drawing them). A widget its browser
    # side re-creates comes back at its default, which controls.trained makes the setting trained.
    ss.update({k: v for k, v in trained_values().items() if k not in ss})
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


# Presentation mode: no sidebar, no Streamlit header or toolbar, the page from the top edge with narrow margins; no
# charts' toolbar (its fullscreen button, shown on hover and after a popover closes, covered the notice line).
PRESENT_CSS = """<style>
[data-testid=stSidebar], [data-testid=stSidebarCollapsedControl], [data-testid=stHeader], [data-testid=stToolbar],
[data-testid=stElementToolbar] {display: none}
[data-testid=stMainBlockContainer] {padding: 0.8rem 1.2rem 0 1.2rem; max-width: none}
[data-testid=stMetricValue] {font-size: 2rem}
[data-testid=stMetricLabel] p {font-size: 1.05rem}
[data-testid=stMain] [data-testid=stCaptionContainer] p {font-size: 1rem}
</style>"""


# ν in the app's font (Source Sans) reads as a v from the back of a room: that one character comes from a serif
# face, whichever the viewer's system has (unicode-range: nothing else changes font).
NU_CSS = """<style>
@font-face {font-family: "RepNet nu"; unicode-range: U+03BD; src: local("DejaVu Serif"), local("Times New Roman"),
  local("Georgia"), local("Cambria"), local("Noto Serif"), local("Liberation Serif"), local("Times")}
:is([data-testid=stMarkdownContainer], [data-testid=stCaptionContainer]) :not(code, code *, [data-testid=stIconMaterial]) {
  font-family: "RepNet nu", "Source Sans", sans-serif}
</style>"""


# Normal mode: a metric value fits a third of the live page's main column at 1280 px ("3.96e-01" was cut).
NORMAL_CSS = "<style>[data-testid=stMetricValue] {font-size: 1.6rem}</style>"


def page_style(present: bool) -> None:
    """The app's CSS: the serif ν everywhere, and each mode's layout."""
    st.html(NU_CSS + (PRESENT_CSS if present else NORMAL_CSS))


def show_trained() -> None:
    """Set the widgets' values (keys w_*) to the settings being trained, so controls about to appear show
    them. A control Streamlit's browser side has not drawn yet (a closed popover's, the sidebar's after a
    mode switch) starts at its default, not at its session value: had that default come back with the
    next click, it would have replaced the setting trained (k 4 -> 1, ν auto off, no activation)."""
    ss = st.session_state
    ss.update({k: v for k, v in widget_values(ss.cfg, ss.models).items() if k != "w_present"})


def set_present() -> None:
    """The page's presentation toggle (key w_present) switches the mode for the session and the URL; the
    lecture controls move between the sidebar and the page (show_trained)."""
    st.session_state.present = st.session_state.w_present
    show_trained()


def lecture_popover(where, names) -> RunConfig:
    """Presentation mode's Settings popover: its controls are drawn only while it is open, each time it
    opens from the settings trained (show_trained), so what it shows is what the models train with."""
    popover = where.popover("Settings", icon=":material/tune:", key="lecture_settings", on_change=_popover_toggled)
    # no help=: its tooltip stayed over the restart notice after the popover closed (the pointer rests there)
    if popover.open:
        with popover:
            return controls(st, names)
    return controls(st, ())


def _popover_toggled() -> None:
    if st.session_state.get("lecture_settings"):
        show_trained()


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
    # Streamlit sets its copy of the query, then sends the URL; a rerun pending at that send stops the run there,
    # so the copy can match an address bar that still shows the old URL. Track what reached the browser (the
    # page's next run, which playback.finish_cut_run makes, sends it).
    if query != st.query_params.to_dict() or query != ss.get("url_sent"):
        st.query_params.from_dict(query)
        ss.url_sent = query


def live_session():
    """This browser session's LiveSession (created on first use; closed when the session ends)."""
    if "live" not in st.session_state:
        st.session_state.live = new_live_session()
    return st.session_state.live


def new_live_session():
    """A LiveSession for this browser session. Its workers train at niceness REPCORE_WORKER_NICE (default 10:
    below the server and the pages) and exit REPCORE_IDLE_TIMEOUT s (default 20) after the last request
    from the page or keep-alive from the server, which sends them while the page is connected (presence.py)."""
    from dashboard import presence
    from dashboard.session import LiveSession
    live = LiveSession(idle_timeout=float(os.environ.get("REPCORE_IDLE_TIMEOUT", "20")),
                       nice=int(os.environ.get("REPCORE_WORKER_NICE", "10")))
    presence.attach(live)
    return live


def show_notices() -> None:
    """Warnings about ignored link settings, until the user changes a setting."""
    ss = st.session_state
    if ss.get("notices") and ss.get("notice_cfg", ss.cfg) == ss.cfg:
        ss.notice_cfg = ss.cfg
        for notice in ss.notices:
            st.warning(f"Link setting ignored: {notice}", icon=":material/warning:")


