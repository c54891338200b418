"""Live comparison: vanilla and RepNet (or any models) train side by side on the same data and seed, shown
at the same epoch (session.py trains them in lockstep).

One row per page: each model's prediction (normal mode: with its partition points) beside the error at
each target frequency; normal mode adds the training curves, with the controls (and an open lesson's
steps) in the sidebar. Presentation mode (`?present=1`, a projector at 1280x720): one screen, no
scrolling, text >= 16 px, what is trained in a line under the buttons, the lecture controls in a popover
and a lesson beside the charts. While playing (and always in presentation mode) charts are light SVG
images (svg.py): a plotly redraw costs the browser ~10x more CPU, taken from training on a shared machine
(docs/speed.md, "Dashboard speed")."""
import json

import pandas as pd
import streamlit as st

from dashboard import charts, controls, lesson, playback, settings, sharing, status, svg
from dashboard.controls import live_target
from dashboard.saving import save_popover
from dashboard.settings import live_session
from repcore.problems import PROBLEMS

REFRESH_S, STEP_EPOCHS = 0.5, 100
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
MAIN_PX = {True: 1240, False: 820}     # the main column at 1280 px wide (presentation; normal, beside the sidebar)
ss = st.session_state
present = ss.get("present", False)
if not present:
    cfg = ss.cfg
    st.title("Spectral bias, live")
    st.caption(f"{PROBLEMS.get(cfg.problem).solution.capitalize()} `{live_target(cfg)}` · {cfg.act} · width {cfg.width} × "
               f"{cfg.depth} hidden · Adam lr {cfg.lr:g} · seed {cfg.seed}")
head = st.columns([1, 1, 1, 1, 1.3, 1.1, 1.6] if present else [1, 1, 1, 1, 1.3, 2.4], vertical_alignment="center")
if present:         # drawn only while open, from the settings trained (settings.lecture_popover)
    settings.lecture_popover(head[4], controls.LECTURE)
head[-1].toggle("Presentation mode", present, key="w_present", on_change=settings.set_present, help="big text, one screen, no sidebar")
cfg, models = ss.cfg, ss.models
live = live_session()
live.configure({m: cfg.replace(model=m) for m in models})
playback.buttons(head[:4], live, step=STEP_EPOCHS)
if present:          # no sidebar: the lecturer's Share (the watch link) by the buttons
    sharing.share_popover(head[5], live)
if not present:
    save_popover(head[4], live, cfg, models)
trained = next(iter(live.lanes.values())).cfg
if present:          # what the room sees being trained, from the settings the models train with
    st.caption(f"`{live_target(trained)}` · {trained.act} · {trained.steps:,} epochs" + sharing.follow_line()
               + (f" · :material/restart_alt: {live.notice}" if live.notice else ""))
elif live.notice:
    st.info(live.notice, icon=":material/restart_alt:")
status.say(live, compact=present)
beside = present and ss.get("lesson") is not None        # normal mode shows a lesson in the sidebar (streamlit_app.py)
main, side = st.columns([3, 1]) if beside else (st.container(), None)
if side is not None:
    with side:
        lesson.panel(ss.lesson)
# SVG charts are drawn at the size their column has at 1280 px, so their text renders at about FONT px there
FONT, HEAD_PX = (18, 140) if present else (14, 125)
lane_px = MAIN_PX[present] * (0.75 if beside else 1.0) / (len(models) + 1.25)


def lane_head(label: str, lane) -> None:
    """The model's name, and for RepNet the slope scale it trains with (from its snapshot); epoch, error, progress."""
    s = lane.latest
    knob = ""
    if lane.cfg.model == "repnet" and s is not None:
        knob = f" · ν = {s.knob:.1f}" + (" (auto)" if lane.cfg.slope_scale is None else "")
    size = "" if present else "font-size:1.1rem;"          # one line in a third of the main column (lanes aligned)
    st.markdown(f"<h4 style='padding:0;{size}'><span style='color:{charts.color(label)}'>{label}</span>{knob}</h4>",
                unsafe_allow_html=True)
    if s is None:
        if not lane.error:
            st.info("starting the training process…")
        return
    m = st.columns(2)
    m[0].metric("Epoch", f"{s.step:,}")
    m[1].metric("rel. L2", f"{s.rel_l2:.2e}")
    if not present:
        rate = live.epochs_per_s(label) if live.playing else 0
        st.caption(f"of {lane.cfg.steps:,} epochs · {rate:,.0f} epochs/s")
    if "k" in s.extra:
        st.metric("recovered k (true 2)", f"{s.extra['k']:.4f}", help=f"{s.extra['k_rel_error']:.1%} from the true value")


def board():
    ss.ticks = ss.get("ticks", 0) + 1
    lanes, ghost = live.lanes, live.ghost
    snaps = {label: lane.latest for label, lane in lanes.items() if lane.latest is not None}
    images = present or live.playing
    cols = st.columns([1] * len(lanes) + [1.25])
    w, h = int(lane_px), 380 if present else int(lane_px * 1.1)
    for col, (label, lane) in zip(cols, lanes.items()):
        with col:
            lane_head(label, lane)
            s, old = lane.latest, ghost.get(label)
            if s is None:
                continue
            if images:
                st.image(svg.prediction(s, label, w, h, FONT, old and old.latest, points=not present), width="stretch")
            else:
                st.plotly_chart(charts.model_panel(s, label, old and old.latest), key=f"panel-{label}", config=PLOT_CONFIG)
    if not snaps:
        return
    histories = {lab: lane.history for lab, lane in lanes.items()}
    if images:
        cols[-1].image(svg.spectrum(snaps, int(1.25 * lane_px), h + HEAD_PX, FONT, ghost), width="stretch")
    else:
        cols[-1].plotly_chart(charts.spectrum(snaps, ghost), key="spectrum", config=PLOT_CONFIG)
    if present:
        return
    if images:
        st.image(svg.curves(histories, MAIN_PX[False], 300, FONT, ghost), width="stretch")
    else:
        st.plotly_chart(charts.curves(histories, ghost=ghost), key="curves", config=PLOT_CONFIG)
    st.caption(f"refresh #{ss.ticks} · {' + '.join(next(iter(snaps.values())).losses)} loss",
               help="chart refreshes since the page opened; the loss terms summed for training")


with main:                  # refreshed on a timer while training; paused, redrawn when something arrives (streamlit_app.py)
    playback.show(live, board, REFRESH_S)
if not present:                 # presentation mode: one screen, nothing below the charts
    with st.expander("What am I looking at?"):
        st.markdown(
            "Both networks share the seed, the data and every layer but the first. **RepNet** writes its first layer as "
            "z = W (x̂ + B): each neuron's partition point (ReLU breakpoint) sits at −B, spread evenly over the domain, and "
            "its steepness is set by the slope scale ν. A vanilla layer's points −b/w cluster near the centre or fall outside "
            "the domain. The error chart shows, at each frequency of the target, how much of it each model still misses "
            "(1 = not learned): the vanilla net clears the low frequencies first and stalls on the high ones (spectral "
            "bias); RepNet resolves them early. After a restart, the previous run stays faded for comparison.")
    c1, c2 = st.columns(2)
    c1.download_button("Config (JSON)", json.dumps({"models": models, **cfg.to_query()}, indent=1), "repnet-config.json",
                       on_click="ignore")
    c2.download_button("History (CSV)", lambda: pd.DataFrame(
        [{"model": lab, "epoch": p.step, "wall_s": p.wall, "rel_l2": p.rel_l2, **p.losses} for lab, lane in live.lanes.items()
         for p in lane.history]).to_csv(index=False), "repnet-history.csv", on_click="ignore")
