"""Spectral bias over time: per-frequency relative error against epoch (the frequency principle)."""
import numpy as np
import streamlit as st

from dashboard import charts
from dashboard.settings import live_session

live = live_session()
live.configure({m: st.session_state.cfg.replace(model=m) for m in st.session_state.models})

st.title("Spectral bias over time")
st.markdown(
    "Each row is one frequency present in the target, each column an epoch; colour is the relative error "
    "|DFT(prediction − target)| / |DFT(target)| at that frequency (log scale; yellow = not learned yet). "
    "Rahaman et al. (2019) and Xu et al. (the *frequency principle*) showed that plain networks clear the rows from "
    "the bottom (low frequencies) up. Train on the **Live comparison** page, or here:")
c = st.columns([1, 1, 6])
if c[0].button("Play", type="primary", icon=":material/play_arrow:"):
    live.play()
if c[1].button("Pause", icon=":material/pause:"):
    live.pause()


def maps():
    live.poll()
    if live.playing and live.finished():
        live.pause()
        st.rerun()
    lanes = {l: lane for l, lane in live.lanes.items() if lane.latest is not None}
    if not lanes:
        st.info("No training yet: press Play.")
        return
    freqs = next(iter(lanes.values())).latest.freqs
    for col, (label, lane) in zip(st.columns(len(lanes)), lanes.items()):
        with col:
            st.plotly_chart(charts.heatmap(lane.history, freqs, label), key=f"heat-{label}")
    err = np.array([p.spec_rel_err for lane in lanes.values() for p in lane.history[-1:]])
    significant = freqs[np.isfinite(err).any(0)] if err.size else freqs
    top = float(significant.max()) if significant.size else float(freqs.max())
    edges = (0.0, top / 4, top / 2, top + 1)
    st.subheader("Mean relative error per frequency band")
    st.plotly_chart(charts.bands({l: lane.history for l, lane in lanes.items()}, freqs, edges), key="bands")


if live.playing:
    st.fragment(run_every=1.0)(maps)()
else:
    maps()
