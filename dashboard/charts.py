"""Charts: pure functions from snapshots / histories to plotly figures. No Streamlit here, so every
chart is testable without a server. One colour per model on every chart (COLORS)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from repcore.snapshot import Snapshot

COLORS = {"vanilla": "#4C78A8", "repnet": "#E45756", "fourier": "#54A24B", "siren": "#B279A2",
          "mscale": "#F58518", "laaf": "#72B7B2"}
TARGET_COLOR = "#888888"
MAX_POINTS = 600          # display traces are thinned to this many points


def color(label: str) -> str:
    return COLORS.get(label, "#9D755D")


def _thin(*arrays):
    n = len(arrays[0])
    idx = np.linspace(0, n - 1, MAX_POINTS).astype(int) if n > MAX_POINTS else slice(None)
    return [np.asarray(a)[idx] for a in arrays]


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.08, x=0),
                      uirevision="keep")   # keep zoom across live refreshes
    return fig


def model_panel(s: Snapshot, label: str) -> go.Figure:
    """Prediction over the target; partition-point histogram with the points on the x axis; the
    per-frequency relative error of the Fourier spectrum."""
    fig = make_subplots(rows=3, cols=1, row_heights=[0.5, 0.18, 0.32], vertical_spacing=0.09,
                        subplot_titles=("prediction vs target", "partition points (first layer)",
                                        "Fourier amplitude: target (grey) and error (colour)"))
    x, true, pred = _thin(s.x, s.true, s.pred)
    fig.add_trace(go.Scatter(x=x, y=true, name="target", line=dict(color=TARGET_COLOR, width=2)), 1, 1)
    fig.add_trace(go.Scatter(x=x, y=pred, name=label, line=dict(color=color(label), width=1.5)), 1, 1)
    centers = (s.hist_edges[:-1] + s.hist_edges[1:]) / 2
    fig.add_trace(go.Bar(x=centers, y=s.hist_counts, marker_color=color(label), showlegend=False, name="points per bin"), 2, 1)
    lo, hi = s.hist_edges[0], s.hist_edges[-1]
    inside = s.points[(s.points >= lo) & (s.points <= hi)]
    fig.add_trace(go.Scatter(x=inside, y=np.zeros(len(inside)), mode="markers", showlegend=False, name="points",
                             marker=dict(symbol="line-ns-open", size=8, color=color(label))), 2, 1)
    fig.add_trace(go.Scatter(x=s.freqs, y=s.spec_true, mode="lines", line=dict(color=TARGET_COLOR, width=1, shape="hvh"),
                             fill="tozeroy", showlegend=False, name="target spectrum"), 3, 1)
    fig.add_trace(go.Scatter(x=s.freqs, y=s.spec_err, mode="lines+markers", marker=dict(size=4), showlegend=False,
                             line=dict(color=color(label), width=1.5), name="error spectrum"), 3, 1)
    fig.update_xaxes(range=[lo, hi], row=1, col=1)
    fig.update_xaxes(range=[lo, hi], title_text="x", row=2, col=1)
    fig.update_xaxes(title_text="frequency (cycles over the domain)", row=3, col=1)
    fig.update_yaxes(type="log", range=[-5, 0], title_text="|DFT| / n", row=3, col=1)
    fig.update_annotations(font_size=12)
    return _layout(fig, 560)


def curves(histories: dict[str, list], log: bool = True) -> go.Figure:
    """Training loss and test rel. L2 against epoch, every model on the same axes."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("training loss", "rel. L2 error (test grid)"))
    for label, hist in histories.items():
        if not hist:
            continue
        steps = [p.step for p in hist]
        loss = [sum(p.losses.values()) for p in hist]
        rel = [p.rel_l2 for p in hist]
        fig.add_trace(go.Scatter(x=steps, y=loss, name=label, line=dict(color=color(label))), 1, 1)
        fig.add_trace(go.Scatter(x=steps, y=rel, name=label, showlegend=False, line=dict(color=color(label))), 1, 2)
    fig.update_xaxes(title_text="epoch")
    if log:
        fig.update_yaxes(type="log")
    return _layout(fig, 300)


def heatmap(hist: list, freqs: np.ndarray, label: str) -> go.Figure:
    """Frequency x epoch map of log10 relative error (Rahaman et al. 2019; Xu et al. 'F-principle')."""
    if not hist:
        return _layout(go.Figure(), 320)
    err = np.array([p.spec_rel_err for p in hist]).T                 # [K, T]
    rows = np.nonzero(np.isfinite(err).any(1))[0]
    z = np.log10(np.clip(err[rows], 1e-4, 10))
    fig = go.Figure(go.Heatmap(x=[p.step for p in hist], y=freqs[rows], z=z, zmin=-3, zmax=0.5, colorscale="Viridis",
                               colorbar=dict(title="log10 rel. err"), hovertemplate="epoch %{x}<br>freq %{y}<br>log10 err %{z:.2f}<extra></extra>"))
    fig.update_layout(title=dict(text=label, font=dict(color=color(label))))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="frequency", type="category")
    return _layout(fig, 320)


def bands(histories: dict[str, list], freqs: np.ndarray, edges: tuple[float, ...]) -> go.Figure:
    """Mean relative error within frequency bands [edges[i], edges[i+1]) over epochs, per model."""
    names = [f"{edges[i]:g}-{edges[i + 1]:g}" for i in range(len(edges) - 1)]
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=[f"band {n} cycles" for n in names], shared_yaxes=True)
    for label, hist in histories.items():
        if not hist:
            continue
        err = np.array([p.spec_rel_err for p in hist])
        for i in range(len(names)):
            cols = (freqs >= edges[i]) & (freqs < edges[i + 1]) & np.isfinite(err).any(0)
            if not cols.any():
                continue
            fig.add_trace(go.Scatter(x=[p.step for p in hist], y=np.nanmean(err[:, cols], 1), name=label,
                                     showlegend=i == 0, line=dict(color=color(label))), 1, i + 1)
    fig.update_yaxes(type="log")
    fig.update_xaxes(title_text="epoch")
    return _layout(fig, 300)


def points_strip(points: dict[str, np.ndarray], lo: float, hi: float) -> go.Figure:
    """Where each model's partition points fall, one row per model; the domain is shaded."""
    fig = go.Figure()
    fig.add_vrect(x0=lo, x1=hi, fillcolor="#999999", opacity=0.12, line_width=0)
    for i, (label, p) in enumerate(points.items()):
        p = p[np.isfinite(p)]
        fig.add_trace(go.Scatter(x=p, y=np.full(len(p), i) + np.random.default_rng(i).uniform(-0.25, 0.25, len(p)),
                                 mode="markers", name=label, marker=dict(color=color(label), size=5, opacity=0.7)))
    span = hi - lo
    fig.update_xaxes(range=[lo - 1.5 * span, hi + 1.5 * span], title_text="partition point x = -b/w")
    fig.update_yaxes(tickvals=list(range(len(points))), ticktext=list(points), range=[-0.6, len(points) - 0.4])
    return _layout(fig, 260)


def magnitudes(nus: np.ndarray, rows: dict[str, dict[str, np.ndarray]], what: str) -> go.Figure:
    """Predicted (line) vs measured (markers) RMS output or slope against nu, per model."""
    fig = go.Figure()
    for label, r in rows.items():
        fig.add_trace(go.Scatter(x=nus, y=r["predicted"], name=f"{label} estimate", line=dict(color=color(label))))
        fig.add_trace(go.Scatter(x=nus, y=r["measured"], name=f"{label} measured", mode="markers",
                                 marker=dict(color=color(label), size=8, symbol="circle-open")))
    fig.update_xaxes(type="log", title_text="slope scale nu")
    fig.update_yaxes(type="log", title_text=what)
    return _layout(fig, 320)


def functions(x: np.ndarray, ys: dict[str, np.ndarray]) -> go.Figure:
    """The networks' functions at initialization on the box, one colour per model."""
    fig = go.Figure()
    for label, y in ys.items():
        xs, yv = _thin(x, y)
        fig.add_trace(go.Scatter(x=xs, y=yv, name=label, line=dict(color=color(label))))
    fig.update_xaxes(title_text="x")
    fig.update_yaxes(title_text="f(x) at initialization")
    return _layout(fig, 280)
