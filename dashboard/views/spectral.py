"""Spectral bias over time: the error at every frequency against epoch (the frequency principle)."""
import streamlit as st

from dashboard import charts, playback, status
from dashboard.settings import live_session

live = live_session()
live.configure({m: st.session_state.cfg.replace(model=m) for m in st.session_state.models})

st.title("Spectral bias over time")
st.markdown(
    "Each row is one frequency k (cycles over the domain, up to 1.5x the target's highest), each column an epoch. "
    "At the target's own frequencies (labelled) colour is the relative error |DFT(prediction − target)| / |DFT(target)|, "
    "**yellow = 1 = not learned**, dark = learned; at the others it is the error the network adds there, divided by "
    "the target's strongest mode (log scale). Rahaman et al. (2019) and Xu et al. (the *frequency principle*) "
    "showed that plain networks "
    "clear the low frequencies first. Train on the **Live comparison** page, or here:")
playback.buttons(st.columns([1, 1, 1, 5]), live, "spectral_")
status.say(live)


def maps():
    lanes = {lab: lane for lab, lane in live.lanes.items() if lane.latest is not None}
    if not lanes:
        st.info("Starting the training processes…" if not any(lane.error for lane in live.lanes.values()) else
                "No model is training: see the message above.")
        return
    first = next(iter(lanes.values())).latest
    budget = max(lane.cfg.steps for lane in lanes.values())
    for col, (label, lane) in zip(st.columns(len(lanes)), lanes.items()):
        with col:
            m = st.columns(2)
            m[0].metric("Epoch", f"{lane.latest.step:,}", help=f"of a budget of {lane.cfg.steps:,}")
            m[1].metric("rel. L2", f"{lane.latest.rel_l2:.2e}")
            st.plotly_chart(charts.heatmap(lane.history, first.freqs, first.spec_true, label, budget), key=f"heat-{label}")
    st.subheader("Relative error at each target frequency")
    st.caption("1 = that frequency not learned at all. Low frequencies fall first (the frequency principle); "
               "the vanilla net stalls at the high ones.")
    st.plotly_chart(charts.by_frequency({lab: lane.history for lab, lane in lanes.items()}, first), key="by-frequency")


playback.show(live, maps, 1.0)
