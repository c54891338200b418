"""Live comparison: vanilla and RepNet (or any models) train side by side on the same data and seed.

Normal mode: title, controls in the sidebar, per model its prediction and partition points, then the
error at each target frequency and the training curves. Presentation mode (`?present=1`, for a
projector at 1280x720): one screen, no scrolling, text >= 16 px, the lecturer's controls in a popover.
While playing (and always in presentation mode) charts are light SVG images (svg.py): a plotly redraw
costs the browser ~10x more CPU, taken from training on a shared machine (README "Speed")."""
import json

import pandas as pd
import streamlit as st

from dashboard import charts, controls, lesson, settings, svg
from dashboard.controls import live_target, nu_of
from dashboard.saving import save_popover
from dashboard.settings import live_session
from repcore.problems import PROBLEMS

REFRESH_S, STEP_EPOCHS = 0.5, 100
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
ss = st.session_state
present = ss.get("present", False)
if not present:
    cfg = ss.cfg
    st.title("Spectral bias, live")
    st.caption(f"{PROBLEMS.get(cfg.problem).solution.capitalize()} `{live_target(cfg)}` · {cfg.act} · width {cfg.width} × "
               f"{cfg.depth} hidden · Adam lr {cfg.lr:g} · seed {cfg.seed}")
head = st.columns([1, 1, 1, 1, 2.2, 1.6] if present else [1, 1, 1, 1, 1.3, 2.4], vertical_alignment="center")
if present:
    with head[4].popover("Settings", icon=":material/tune:", help="target frequency, slope scale, activation"):
        settings.controls(st, controls.LECTURE)
head[5].toggle("Presentation mode", key="w_present", on_change=settings.set_present, help="big text, one screen, no sidebar")
cfg, models = ss.cfg, ss.models
live = live_session()
live.configure({m: cfg.replace(model=m) for m in models})
nu = nu_of(cfg)
if head[0].button("Play", type="primary", icon=":material/play_arrow:"):
    live.play()
if head[1].button("Pause", icon=":material/pause:"):
    live.pause()
if head[2].button("Step", icon=":material/skip_next:", help=f"train {STEP_EPOCHS} epochs, then pause"):
    live.step(STEP_EPOCHS)
if head[3].button("Reset", icon=":material/restart_alt:", help="back to epoch 0, same settings and seed"):
    live.reset()
if not present:
    save_popover(head[4], live, cfg, models)
if live.notice and present:
    st.caption(f":material/restart_alt: {live.notice}")
elif live.notice:
    st.info(live.notice, icon=":material/restart_alt:")
lesson_open = ss.get("lesson") is not None
main, side = st.columns([3, 1]) if lesson_open else (st.container(), None)
if side is not None:
    with side:
        lesson.panel(ss.lesson)
scale = 0.74 if lesson_open else 1.0


def lane_head(label: str, lane) -> None:
    knob = f" · ν = {nu:.1f}" + (" (auto)" if cfg.slope_scale is None else "") if label == "repnet" and nu is not None else ""
    st.markdown(f"<h4 style='padding:0'><span style='color:{charts.color(label)}'>{label}</span>{knob}</h4>",
                unsafe_allow_html=True)
    if lane.error:
        st.error(lane.error)
    s = lane.latest
    if s is None:
        st.info("starting the training process…")
        return
    m = st.columns(2)
    m[0].metric("Epoch", f"{s.step:,}")
    m[1].metric("rel. L2", f"{s.rel_l2:.2e}")
    if not present:
        rate = live.epochs_per_s(label) if live.playing else 0
        st.progress(min(s.step / max(cfg.steps, 1), 1.0), text=f"{s.step:,} / {cfg.steps:,} epochs · {rate:,.0f} epochs/s")
    if "k" in s.extra:
        st.metric("recovered k (true 2)", f"{s.extra['k']:.4f}", help=f"{s.extra['k_rel_error']:.1%} from the true value")
    if s.status == "diverged":
        st.error(f"Diverged at epoch {s.diverged_at}: loss or weights became non-finite. Press Reset.")


def board():
    live.poll()
    if live.playing and live.finished():     # budget spent (or every model stopped): back to interactive charts
        live.pause()
        st.rerun()
    ss.ticks = ss.get("ticks", 0) + 1
    lanes, ghost = live.lanes, live.ghost
    snaps = {label: lane.latest for label, lane in lanes.items() if lane.latest is not None}
    images = present or live.playing
    cols = st.columns([1] * len(lanes) + ([1.25] if present else []))
    for col, (label, lane) in zip(cols, lanes.items()):
        with col:
            lane_head(label, lane)
            s, old = lane.latest, ghost.get(label)
            if s is None:
                continue
            if present:
                st.image(svg.prediction(s, label, int(372 * scale), 380, 18, old and old.latest), width="stretch")
            elif images:
                st.image(svg.prediction(s, label, 520, 400, 14, old and old.latest, points=True), width="stretch")
            else:
                st.plotly_chart(charts.model_panel(s, label, old and old.latest), key=f"panel-{label}", config=PLOT_CONFIG)
    if not snaps:
        return
    if present:
        cols[-1].image(svg.spectrum(snaps, int(465 * scale), 520, 18, ghost), width="stretch")
    else:
        left, right = st.columns(2)
        if images:
            left.image(svg.spectrum(snaps, 520, 330, 14, ghost), width="stretch")
            right.image(svg.curves({lab: lane.history for lab, lane in lanes.items()}, 520, 330, 14, ghost), width="stretch")
        else:
            left.plotly_chart(charts.spectrum(snaps, ghost), key="spectrum", config=PLOT_CONFIG)
            right.plotly_chart(charts.curves({lab: lane.history for lab, lane in lanes.items()}, ghost=ghost), key="curves",
                               config=PLOT_CONFIG)
        st.caption(f"refresh #{ss.ticks} · {' + '.join(next(iter(snaps.values())).losses)} loss",
                   help="chart refreshes since the page opened; the loss terms summed for training")


with main:
    if live.playing:          # refreshed on a timer while training; paused, redrawn when something arrives (streamlit_app.py)
        st.fragment(run_every=REFRESH_S)(board)()
    else:
        board()
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
