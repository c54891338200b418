"""Run library: saved runs listed and filtered, replayed frame by frame from their saved snapshots (no
retraining), compared side by side, renamed, tagged, exported and deleted (repcore/library.py)."""
import os
import time
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, playback, settings, svg, takeaway
from repcore.library import Library, LibraryError, default_path, parse_tags

PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")        # one per run in a comparison; colour = model
CACHE = 6                                                         # loaded runs kept per session
MAIN_PX = 820            # the main column at 1280 px beside the sidebar: SVG charts drawn for it render text at 14 px


def load(info):
    """The saved run (all frames), kept in this session while it is unchanged (id and updated time)."""
    cache = st.session_state.setdefault("library_runs", {})
    key = (default_path(), info.id, info.updated)
    if key not in cache:
        with Library() as lib:
            cache[key] = lib.load(info.id)
        while len(cache) > CACHE:
            cache.pop(next(iter(cache)))
    return cache[key]


def act(action, *args, done: str = "") -> None:
    """Button callback: one library write, its outcome shown on the rerun."""
    try:
        with Library() as lib:
            action(lib, *args)
        st.session_state.library_notice = ("success", done)
    except LibraryError as err:
        st.session_state.library_notice = ("error", str(err))


def edit(lib, run_id, key) -> None:
    lib.set_tags(run_id, parse_tags(st.session_state[f"lib_tags_{key}"]))
    lib.rename(run_id, st.session_state[f"lib_name_{key}"])


st.title("Run library")
st.caption(f"Saved runs in `{default_path()}` (set REPCORE_LIBRARY to use another file). Save one with **Save run** on "
           "the live page, or `python -m repcore fit --save NAME`.")
kind, text = st.session_state.pop("library_notice", (None, ""))
if kind:
    getattr(st, kind)(text)
query = st.text_input("Filter", key="lib_filter", placeholder="part of a name or a tag")
if not os.path.exists(default_path()):             # looking creates no file
    st.info("No saved runs yet.")
    playback.stop()
try:
    with Library() as lib:
        infos = lib.list(query)
except LibraryError as err:
    st.error(str(err))
    playback.stop()
if not infos:
    st.info("No saved runs" + (" match the filter." if query.strip() else " yet."))
    playback.stop()
by_id = {i.id: i for i in infos}
name_of = lambda run_id: f"#{run_id} {by_id[run_id].name}"  # noqa: E731
st.dataframe(pd.DataFrame([{"id": i.id, "name": i.name, "saved": time.strftime("%Y-%m-%d %H:%M", time.localtime(i.created)),
                            "tags": ", ".join(i.tags), **{f"rel. L2 {m['label']}": m["rel_l2"] for m in i.models}}
                           for i in infos]), hide_index=True)
view = st.radio("View", ["Replay", "Compare", "Manage"], horizontal=True, key="lib_view")

def replay(run, clock: playback.ReplayClock) -> None:
    """The saved frames on a timeline (playback.ReplayClock: Play moves through them by itself)."""
    playing, step = clock.playing, clock.controls()
    snaps = {m.label: m.at(step) for m in run.models}
    for col, m in zip(st.columns(len(run.models)), run.models):
        s = snaps[m.label]
        with col:
            c = st.columns(2)
            c[0].metric("Epoch", f"{s.step:,}")
            c[1].metric("rel. L2", f"{s.rel_l2:.2e}")
            if playing:
                st.image(svg.prediction(s, m.label, int(MAIN_PX / len(run.models)), 330, 14, points=True), width="stretch")
            else:
                st.plotly_chart(charts.model_panel(s, m.label), key=f"replay-{m.label}", config=PLOT_CONFIG)
    left, right = st.columns(2)
    histories = {m.label: [s for s in m.snapshots if s.step <= step] for m in run.models}
    if playing:
        left.image(svg.spectrum(snaps, MAIN_PX // 2, 330, 14), width="stretch")
        right.image(svg.curves(histories, MAIN_PX // 2, 330, 14), width="stretch")
    else:
        left.plotly_chart(charts.spectrum(snaps), key="replay-spectrum", config=PLOT_CONFIG)
        right.plotly_chart(charts.curves(histories), key="replay-curves", config=PLOT_CONFIG)


if view == "Replay":
    run_id = st.selectbox("Run", list(by_id), format_func=name_of, key="lib_replay")
    run = load(by_id[run_id])
    clock = playback.ReplayClock(run.id, run.steps())
    playback.show(clock, partial(replay, run, clock), playback.TICK_S)
    first = run.models[0].cfg
    c = st.columns([1.4, 1.2, 1.6], vertical_alignment="bottom")
    c[0].button("Train these settings live", on_click=settings.open_live,
                args=({**first.to_query(), "models": ",".join(m.cfg.model for m in run.models)},),
                help="load this run's settings into the live page (a fresh training with the same seed)")
    size = c[1].selectbox("Animation size", list(takeaway.SIZES), index=1, key="lib_gif_size")
    frames = min(len(run.steps()), takeaway.GIF_FRAMES)
    c[2].download_button("Download animation (GIF)", partial(takeaway.gif_bytes, run_id, size),
                         takeaway.file_stem(run.name) + ".gif", mime="image/gif", on_click="ignore", icon=":material/movie:",
                         help=f"this replay as a looping GIF of {frames} frames for slides; drawn when you click (a few "
                              "seconds). Also: `python -m repcore runs export RUN --animation FILE.gif`")

elif view == "Compare":
    ids = st.multiselect("Runs to compare", list(by_id), default=list(by_id)[:2], format_func=name_of, key="lib_compare")
    runs = [load(by_id[i]) for i in ids]
    lines = {f"{m.label} · {r.name}": (m, k) for k, r in enumerate(runs) for m in r.models}
    if lines:
        curves = charts.curves({key: m.snapshots for key, (m, _) in lines.items()})
        base = next(iter(lines.values()))[0].snapshots[-1]
        same = {key: m.snapshots[-1].pred for key, (m, _) in lines.items() if np.array_equal(m.snapshots[-1].x, base.x)}
        preds = charts.functions(base.x, {"target": base.true, **same}).update_layout(yaxis_title="final prediction")
        for fig in (curves, preds):          # colour = model (as everywhere), dash = run
            for trace in fig.data:
                if trace.name == "target":
                    trace.line.color = charts.TARGET_COLOR
                if trace.name in lines:
                    m, k = lines[trace.name]
                    trace.line.update(color=charts.color(m.cfg.model), dash=DASHES[k % len(DASHES)])
        st.plotly_chart(curves, key="compare-curves", config=PLOT_CONFIG)
        st.plotly_chart(preds, key="compare-preds", config=PLOT_CONFIG)
        if len(same) < len(lines):
            st.caption("Predictions drawn only for runs on the first run's display grid; the others used another domain or grid.")
        st.dataframe(pd.DataFrame([{"run": key.split(" · ", 1)[1], "model": m.label, "epochs": m.snapshots[-1].step,
                                    "rel. L2": m.snapshots[-1].rel_l2, "training s": round(m.snapshots[-1].wall, 2),
                                    "seed": m.cfg.seed, "target": m.cfg.target} for key, (m, _) in lines.items()]), hide_index=True)

else:
    run_id = st.selectbox("Run", list(by_id), format_func=name_of, key="lib_manage")
    info = by_id[run_id]
    key = f"{run_id}_{info.updated}"               # fresh inputs after every change
    st.text_input("Name", value=info.name, key=f"lib_name_{key}")
    st.text_input("Tags", value=", ".join(info.tags), key=f"lib_tags_{key}", placeholder="comma-separated")
    c = st.columns(3)
    c[0].button("Save changes", on_click=act, args=(edit, run_id, key), kwargs=dict(done="Saved."))
    confirm = c[1].checkbox("Really delete", key=f"lib_confirm_{run_id}")
    c[1].button("Delete", disabled=not confirm, type="primary", on_click=act, args=(Library.delete, run_id),
                kwargs=dict(done=f"Deleted '{info.name}'."))

    c[2].download_button("Export (.zip)", partial(takeaway.zip_bytes, run_id), takeaway.file_stem(info.name) + ".zip",
                         on_click="ignore", help="one portable file: `python -m repcore runs import FILE` adds it to another library")
