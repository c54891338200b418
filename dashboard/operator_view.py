"""The PINNs page's live operator view: the operator models train on the author's earthquake records
(repcore.problems.operator) in this session, a few steps per tick of a fragment, and the view shows a
held-out record: its ground motion, the true response with each model's prediction, the error per
frequency band (operators/spectrum.py: where spectral bias leaves the error) and each model's test
error over epochs. The runs are train.Run objects in st.session_state (this session only); a tick
trains each run TICK_STEPS steps, so Pause (no timer) leaves them where they are."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from repcore.config import RunConfig
from repcore.errors import UserError
from repcore.operators.spectrum import band_error
from repcore.palette import color
from repcore.train import Run

MODELS = ("fno", "repnet", "vanilla")
TICK_STEPS = 9                # one epoch of 90 records in batches of 10
SHOWN = 1250                  # samples per trace (every other one of 2500)
FONT = dict(size=15)


def _start(cfg: RunConfig, models: list[str]) -> None:
    ss = st.session_state
    try:
        ss.op_runs = {m: Run(cfg.replace(model=m, device="cpu")) for m in models}
    except UserError as err:
        ss.op_runs, ss.op_error = {}, str(err)
        return
    ss.op_error, ss.op_history = None, {m: [] for m in models}
    _measure()


def _measure() -> None:
    ss = st.session_state
    for m, run in ss.op_runs.items():
        s = run.snapshot()
        ss.op_history[m].append((run.step / run.problem.per_epoch, s.rel_l2))


def _layout(fig: go.Figure, title: str, height: int = 270, **axes) -> go.Figure:
    fig.update_layout(title=dict(text=title, font=dict(size=17)), height=height, font=FONT, margin=dict(l=10, r=10, t=45, b=10),
                      legend=dict(orientation="h", y=1.0, yanchor="bottom", x=1.0, xanchor="right"), **axes)
    return fig


def _figures(record: int) -> list[go.Figure]:
    runs = st.session_state.op_runs
    prob = next(iter(runs.values())).problem
    t, dt = prob.records.time, prob.records.dt
    step = max(1, len(t) // SHOWN)
    load = prob.a_test[record].double().cpu().numpy()
    true = prob.y_test[record]
    ground = _layout(go.Figure(go.Scatter(x=t[::step], y=load[::step], name="ground motion", line=dict(color="#555555", width=1))),
                     "Ground motion (held-out record)", xaxis_title="t (s)")
    response = go.Figure(go.Scatter(x=t[::step], y=true[::step], name="true", line=dict(color="#222222", width=3)))
    bands = go.Figure()
    for m, run in runs.items():
        pred = run.problem.pred_test[record]
        response.add_scatter(x=t[::step], y=pred[::step], name=m, line=dict(color=color(m), width=1.5))
        hz, err = band_error(pred, true, dt)
        bands.add_scatter(x=hz, y=err, name=m, mode="lines+markers", line=dict(color=color(m)))
    curves = go.Figure([go.Scatter(x=[e for e, _ in h], y=[v for _, v in h], name=m, line=dict(color=color(m)))
                        for m, h in st.session_state.op_history.items()])
    return [ground, _layout(response, "Response: true and predicted", xaxis_title="t (s)"),
            _layout(bands, "Error per frequency band (relative)", xaxis_title="Hz", yaxis_type="log", yaxis_dtick=1),
            _layout(curves, "Test error (author's metric) vs epoch", xaxis_title="epoch", yaxis_type="log")]


def _live(record_label: str) -> None:
    """One tick: train every run TICK_STEPS steps (when playing), measure, draw."""
    ss = st.session_state
    runs = ss.get("op_runs") or {}
    playing = ss.get("op_playing", False) and not all(r.finished for r in runs.values())
    if playing:
        for run in runs.values():
            run.advance(TICK_STEPS)
        _measure()
    if not runs:
        return
    first = next(iter(runs.values()))
    record = first.problem.split.test.index(int(record_label))
    errors = "  ·  ".join(f"**{m}** {h[-1][1]:.3g}" for m, h in ss.op_history.items())
    st.markdown(f"Epoch {first.step / first.problem.per_epoch:.0f} of {first.cfg.steps / first.problem.per_epoch:.0f}  ·  test error {errors}")
    figs = _figures(record)
    for row in (figs[:2], figs[2:]):
        for col, fig in zip(st.columns(2), row):
            col.plotly_chart(fig, key=f"op-{fig.layout.title.text}")


def view(cfg: RunConfig) -> None:
    """The live operator view for the experiment's case `cfg` (its data file set by the page). Nothing
    is built until Train: the page opens without reading the records."""
    ss = st.session_state
    st.markdown("**Live operator view**: train the operators here and watch a held-out record.")
    c = st.columns([3, 2, 1, 1])
    models = c[0].multiselect("Operators", ["fno", "repnet", "vanilla", "fir"], default=list(MODELS), key="op_models")
    key = (cfg, tuple(models))
    if c[2].button("Reset", key="op_reset") or ss.get("op_key") != key:
        ss.op_key, ss.op_playing, ss.op_runs, ss.op_error = key, False, {}, None
    playing = ss.get("op_playing", False)
    if c[3].button("Pause" if playing else "Train", key="op_play", type="primary", disabled=not models):
        if not ss.op_runs:
            _start(cfg, models)
        ss.op_playing = not playing and bool(ss.op_runs)
        st.rerun()
    if ss.get("op_error"):
        st.error(ss.op_error)
        return
    if not ss.get("op_runs"):
        st.caption("Train builds the picked operators on the data file above (the CLI's defaults: 2000 steps, "
                   "batches of 10 records) and trains them here, one epoch per tick.")
        return
    split = next(iter(ss.op_runs.values())).problem.split
    record = c[1].selectbox("Held-out record", [str(i) for i in split.test], key="op_record")
    st.fragment(run_every=0.5 if ss.get("op_playing") else None)(_live)(record)   # the browser's timer drives the ticks
