"""Charts: pure functions from snapshots / histories to plotly figures. No Streamlit here, so every
chart is testable without a server. One colour per model on every chart (repcore.palette).

Figures are written as plain plotly JSON specs and wrapped without validation (`_figure`): building
them through plotly's validated object API (make_subplots, add_trace) cost ~50 ms per live panel,
which the live page pays several times a second (README "Speed"); this way it is a few ms.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from repcore.palette import TARGET as TARGET_COLOR, color
from repcore.snapshot import Snapshot

MAX_POINTS = 600          # display traces are thinned to this many points


def _thin(*arrays):
    n = len(arrays[0])
    idx = np.linspace(0, n - 1, MAX_POINTS).astype(int) if n > MAX_POINTS else slice(None)
    return [np.asarray(a)[idx] for a in arrays]


def _figure(data: list[dict], layout: dict, height: int) -> go.Figure:
    base = dict(height=height, margin=dict(l=10, r=10, t=30, b=10), uirevision="keep",   # keep zoom across refreshes
                legend=dict(orientation="h", y=1.1, x=0))
    return go.Figure(dict(data=data, layout={**base, **layout}), _validate=False)


def _title(text: str, y: float, x: float = 0.5) -> dict:
    return dict(text=text, x=x, y=y, xref="paper", yref="paper", showarrow=False, xanchor="center", yanchor="bottom",
                font=dict(size=12))


def _line(x, y, name: str, col: str, axes: str = "", **kw) -> dict:
    return dict(type="scatter", x=x, y=y, name=name, mode=kw.pop("mode", "lines"), line=dict(color=col, width=kw.pop("width", 1.5)),
                xaxis="x" + axes, yaxis="y" + axes, **kw)


def model_panel(s: Snapshot, label: str) -> go.Figure:
    """Prediction over the target; partition-point histogram with the points on the x axis; the
    Fourier amplitude of the target and of the error per frequency."""
    x, true, pred = _thin(s.x, s.true, s.pred)
    lo, hi = float(s.hist_edges[0]), float(s.hist_edges[-1])
    centers = (s.hist_edges[:-1] + s.hist_edges[1:]) / 2
    inside = s.points[(s.points >= lo) & (s.points <= hi)]
    c = color(label)
    data = [
        _line(x, true, "target", TARGET_COLOR, width=2),
        _line(x, pred, label, c),
        dict(type="bar", x=centers, y=s.hist_counts, marker=dict(color=c), showlegend=False, name="points per bin", xaxis="x2", yaxis="y2"),
        _line(inside, np.zeros(len(inside)), "points", c, "2", mode="markers", showlegend=False,
              marker=dict(symbol="line-ns-open", size=8, color=c)),
        _line(s.freqs, s.spec_true, "target spectrum", TARGET_COLOR, "3", width=1, fill="tozeroy", showlegend=False),
        _line(s.freqs, s.spec_err, "error spectrum", c, "3", mode="lines+markers", marker=dict(size=4), showlegend=False),
    ]
    layout = dict(
        xaxis=dict(domain=[0, 1], anchor="y", range=[lo, hi]), yaxis=dict(domain=[0.6, 0.95]),
        xaxis2=dict(domain=[0, 1], anchor="y2", range=[lo, hi], matches="x", title=dict(text="x")), yaxis2=dict(domain=[0.38, 0.5]),
        xaxis3=dict(domain=[0, 1], anchor="y3", title=dict(text="frequency (cycles over the domain)")),
        yaxis3=dict(domain=[0, 0.24], type="log", range=[-5, 0], title=dict(text="|DFT| / n")),
        annotations=[_title("prediction vs target", 0.95), _title("partition points (first layer)", 0.5),
                     _title("Fourier amplitude: target (grey) and error (colour)", 0.24)], bargap=0.05)
    return _figure(data, layout, 580)


def curves(histories: dict[str, list], log: bool = True) -> go.Figure:
    """Training loss and test rel. L2 against epoch, every model on the same axes."""
    data = []
    for label, hist in histories.items():
        if hist:
            steps = [p.step for p in hist]
            data.append(_line(steps, [sum(p.losses.values()) for p in hist], label, color(label)))
            data.append(_line(steps, [p.rel_l2 for p in hist], label, color(label), "2", showlegend=False))
    kind = "log" if log else "linear"
    layout = dict(xaxis=dict(domain=[0, 0.46], anchor="y", title=dict(text="epoch")), yaxis=dict(type=kind),
                  xaxis2=dict(domain=[0.54, 1], anchor="y2", title=dict(text="epoch")), yaxis2=dict(type=kind, anchor="x2"),
                  annotations=[_title("training loss", 1.0, 0.23), _title("rel. L2 error (test grid)", 1.0, 0.77)])
    return _figure(data, layout, 300)


def heatmap(hist: list, freqs: np.ndarray, label: str) -> go.Figure:
    """Frequency x epoch map of log10 relative error (Rahaman et al. 2019; Xu et al. 'F-principle')."""
    if not hist:
        return _figure([], {}, 320)
    err = np.array([p.spec_rel_err for p in hist]).T                 # [K, T]
    rows = np.nonzero(np.isfinite(err).any(1))[0]
    z = np.log10(np.clip(err[rows], 1e-4, 10))
    data = [dict(type="heatmap", x=[p.step for p in hist], y=[f"{f:g}" for f in freqs[rows]], z=z, zmin=-3, zmax=0.5,
                 colorscale="Viridis", colorbar=dict(title=dict(text="log10 rel. err")),
                 hovertemplate="epoch %{x}<br>freq %{y}<br>log10 err %{z:.2f}<extra></extra>")]
    layout = dict(title=dict(text=label, font=dict(color=color(label))), xaxis=dict(title=dict(text="epoch")),
                  yaxis=dict(title=dict(text="frequency"), type="category"))
    return _figure(data, layout, 320)


def bands(histories: dict[str, list], freqs: np.ndarray, edges: tuple[float, ...]) -> go.Figure:
    """Mean relative error within frequency bands [edges[i], edges[i+1]) over epochs, per model."""
    n = len(edges) - 1
    gap = 0.04
    width = (1 - gap * (n - 1)) / n
    data, layout = [], {"annotations": []}
    for i in range(n):
        ax = "" if i == 0 else str(i + 1)
        layout[f"xaxis{ax}"] = dict(domain=[i * (width + gap), i * (width + gap) + width], anchor=f"y{ax}", title=dict(text="epoch"))
        layout[f"yaxis{ax}"] = dict(type="log", anchor=f"x{ax}", matches="y" if i else None)
        layout["annotations"].append(_title(f"band {edges[i]:g}-{edges[i + 1]:g} cycles", 1.0, i * (width + gap) + width / 2))
    for label, hist in histories.items():
        if not hist:
            continue
        err = np.array([p.spec_rel_err for p in hist])
        for i in range(n):
            cols = (freqs >= edges[i]) & (freqs < edges[i + 1]) & np.isfinite(err).any(0)
            if cols.any():
                ax = "" if i == 0 else str(i + 1)
                with np.errstate(all="ignore"):
                    y = np.nanmean(err[:, cols], 1)
                data.append(_line([p.step for p in hist], y, label, color(label), ax, showlegend=i == 0))
    return _figure(data, layout, 300)


def points_strip(points: dict[str, np.ndarray], lo: float, hi: float) -> go.Figure:
    """Where each model's partition points fall, one row per model; the domain is shaded."""
    data = []
    for i, (label, p) in enumerate(points.items()):
        p = p[np.isfinite(p)]
        jitter = np.random.default_rng(i).uniform(-0.25, 0.25, len(p))
        data.append(_line(p, i + jitter, label, color(label), mode="markers", marker=dict(color=color(label), size=5, opacity=0.7)))
    span = hi - lo
    layout = dict(shapes=[dict(type="rect", x0=lo, x1=hi, y0=0, y1=1, yref="paper", fillcolor="#999999", opacity=0.12, line=dict(width=0))],
                  xaxis=dict(range=[lo - 1.5 * span, hi + 1.5 * span], title=dict(text="partition point x = -b/w")),
                  yaxis=dict(tickvals=list(range(len(points))), ticktext=list(points), range=[-0.6, len(points) - 0.4]))
    return _figure(data, layout, 260)


def magnitudes(nus: np.ndarray, rows: dict[str, dict[str, np.ndarray]], what: str) -> go.Figure:
    """Predicted (line) vs measured (markers) RMS output or slope against nu, per model."""
    data = []
    for label, r in rows.items():
        data.append(_line(nus, r["predicted"], f"{label} estimate", color(label)))
        data.append(_line(nus, r["measured"], f"{label} measured", color(label), mode="markers",
                          marker=dict(color=color(label), size=8, symbol="circle-open")))
    layout = dict(xaxis=dict(type="log", title=dict(text="slope scale nu")), yaxis=dict(type="log", title=dict(text=what)))
    return _figure(data, layout, 320)


def functions(x: np.ndarray, ys: dict[str, np.ndarray]) -> go.Figure:
    """The networks' functions at initialization on the box, one colour per model."""
    data = [_line(*_thin(x, y), label, color(label)) for label, y in ys.items()]
    layout = dict(xaxis=dict(title=dict(text="x")), yaxis=dict(title=dict(text="f(x) at initialization")))
    return _figure(data, layout, 280)
