"""Live comparison: vanilla and RepNet (or any models) train side by side on the same data and seed."""
import json
import time

import pandas as pd
import streamlit as st

from dashboard import charts, svg
from dashboard.settings import live_session, live_target
from repcore.library import Library, LibraryError, parse_tags

REFRESH_S, STEP_EPOCHS = 0.5, 100
# While playing, charts are light inline SVG (svg.py): a plotly redraw costs the browser ~10x more CPU,
# which on a shared machine is taken from training. Paused, they are interactive plotly charts with
# zoom and PNG download (README "Speed").
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}

cfg, models = st.session_state.cfg, st.session_state.models
live = live_session()
live.configure({m: cfg.replace(model=m) for m in models})

st.title("Spectral bias, live")
st.caption(f"{'Target' if cfg.problem == 'fit' else cfg.problem + ', exact solution'} `{live_target(cfg)}` · {cfg.act} · width {cfg.width} × {cfg.depth} hidden · Adam lr {cfg.lr:g} · seed {cfg.seed}")
buttons = st.columns([1, 1, 1, 1, 4])
if buttons[0].button("Play", type="primary", icon=":material/play_arrow:"):
    live.play()
if buttons[1].button("Pause", icon=":material/pause:"):
    live.pause()
if buttons[2].button("Step", icon=":material/skip_next:", help=f"train {STEP_EPOCHS} epochs, then pause"):
    live.step(STEP_EPOCHS)
if buttons[3].button("Reset", icon=":material/restart_alt:", help="back to epoch 0, same settings and seed"):
    live.reset()
with buttons[4].popover("Save run", icon=":material/save:", help="keep this run in the run library, to replay or compare later"):
    name = st.text_input("Name", key="save_name", placeholder="blank: target, models and time")
    tags = st.text_input("Tags", key="save_tags", placeholder="comma-separated, e.g. lecture,week 3")
    if st.button("Save", key="save_run", type="primary"):
        try:   # every model's snapshots so far and its current weights; training goes on
            name = name.strip() or f"{cfg.target} {'+'.join(models)} {time.strftime('%Y-%m-%d %H:%M:%S')}"
            with Library() as library:
                library.ensure_free(name)
                run_id = library.save(live.record(name, parse_tags(tags)))
            st.success(f"Saved as #{run_id} '{name}': replay it on the Run library page.")
        except LibraryError as err:
            st.error(str(err))


def board():
    live.poll()
    if live.playing and live.finished():     # budget spent (or every model stopped): back to interactive charts
        live.pause()
        st.rerun()
    st.session_state.ticks = st.session_state.get("ticks", 0) + 1
    lanes = live.lanes
    for col, (label, lane) in zip(st.columns(len(lanes)), lanes.items()):
        with col:
            st.subheader(label, divider="gray")
            if lane.error:
                st.error(lane.error)
            s = lane.latest
            if s is None:
                st.info("starting the training process…")
                continue
            m = st.columns(3)
            m[0].metric("Epoch", f"{s.step:,}")
            m[1].metric("Epochs/s", f"{live.epochs_per_s(label) if live.playing else 0:,.0f}")
            m[2].metric("rel. L2", f"{s.rel_l2:.2e}")
            st.progress(min(s.step / max(cfg.steps, 1), 1.0), text=f"{s.step:,} / {cfg.steps:,} epochs")
            if "k" in s.extra:
                st.metric("recovered k (true 2)", f"{s.extra['k']:.4f}", f"{s.extra['k_rel_error']:.1%} error", delta_color="off")
            if s.status == "diverged":
                st.error(f"Diverged at epoch {s.diverged_at}: loss or weights became non-finite. Press Reset.")
            if live.playing:
                st.image(svg.panel(s, label), width="stretch")
            else:
                st.plotly_chart(charts.model_panel(s, label), key=f"panel-{label}", config=PLOT_CONFIG)
    histories = {l: lane.history for l, lane in lanes.items()}
    if live.playing:
        st.image(svg.curves(histories), width="stretch")
    else:
        st.plotly_chart(charts.curves(histories), key="curves", config=PLOT_CONFIG)
    st.caption(f"refresh #{st.session_state.ticks} · {' + '.join(next(iter(lanes.values())).latest.losses) if lanes and next(iter(lanes.values())).latest else ''} loss",
               help="chart refreshes since the page opened; the loss terms summed for training")


if live.playing:          # refreshed on a timer while training; paused, redrawn when something arrives (streamlit_app.py)
    st.fragment(run_every=REFRESH_S)(board)()
else:
    board()

with st.expander("What am I looking at?"):
    st.markdown(
        "Both networks share the seed, the data and every layer but the first. **RepNet** writes its first layer as "
        "z = W (x̂ + B): each neuron's partition point (ReLU breakpoint) sits at −B, spread evenly over the domain, and "
        "its steepness is set by the slope scale ν. A vanilla layer's points −b/w cluster near the centre or fall outside "
        "the domain. Watch the spectral-error bars: the vanilla net clears the low frequencies first and stalls on the "
        "high ones (spectral bias); RepNet resolves them early.")
c1, c2 = st.columns(2)
c1.download_button("Config (JSON)", json.dumps({"models": models, **cfg.to_query()}, indent=1), "repnet-config.json",
                   on_click="ignore")
c2.download_button("History (CSV)", lambda: pd.DataFrame(
    [{"model": l, "epoch": p.step, "wall_s": p.wall, "rel_l2": p.rel_l2, **p.losses} for l, lane in live.lanes.items()
     for p in lane.history]).to_csv(index=False), "repnet-history.csv", on_click="ignore")
