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
FONT = 14                 # chart text (px) on the normal pages
LABELLED = 4              # target frequencies named "k = ..." on a spectrum chart (the strongest ones)


def decade_label(d: int) -> str:
    """10**d as a person writes it: 0.01, 1, 100, 1e-5."""
    return f"{10.0 ** d:g}" if -3 <= d <= 3 else f"1e{d}"


DECADES = range(-12, 7)
# decades only, written as people write them (no "5 2 0.1 5 2" minor labels)
LOG_AXIS = dict(type="log", tickvals=[10.0 ** d for d in DECADES], ticktext=[decade_label(d) for d in DECADES])


def target_bins(s: Snapshot) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """The target's own frequencies in a snapshot (DFT bins where the target has at least 1% of its peak,
    diagnostics.spectra): (bins [m], relative error there [m], the LABELLED strongest bins, ascending)."""
    keep = np.isfinite(s.spec_rel_err)
    ks, errs = s.freqs[keep], s.spec_rel_err[keep]
    strongest = np.argsort(-s.spec_true[keep])[:LABELLED]
    return ks, errs, sorted(float(k) for k in ks[strongest])


def _thin(*arrays):
    n = len(arrays[0])
    idx = np.linspace(0, n - 1, MAX_POINTS).astype(int) if n > MAX_POINTS else slice(None)
    return [np.asarray(a)[idx] for a in arrays]


def _figure(data: list[dict], layout: dict, height: int) -> go.Figure:
    """Titles sit in the top margin and the legend in the bottom one, so neither covers the other."""
    base = dict(height=height, margin=dict(l=10, r=20, t=40, b=10), uirevision="keep", font=dict(size=FONT),
                legend=dict(orientation="h", yanchor="top", y=-0.22, x=0))
    fig = go.Figure(dict(data=data, layout={**base, **layout}), _validate=False)
    fig.update_xaxes(tickfont_size=FONT - 1)          # Streamlit's plotly theme sets 12 px ticks, under layout.font
    fig.update_yaxes(tickfont_size=FONT - 1)
    return fig.update_layout(legend_font_size=FONT - 1)


def _title(text: str, y: float, x: float = 0.5) -> dict:
    return dict(text=f"<b>{text}</b>", x=x, y=y, xref="paper", yref="paper", showarrow=False, xanchor="center", yanchor="bottom",
                font=dict(size=FONT))


def _line(x, y, name: str, col: str, axes: str = "", **kw) -> dict:
    return dict(type="scatter", x=x, y=y, name=name, mode=kw.pop("mode", "lines"), line=dict(color=col, width=kw.pop("width", 2)),
                xaxis="x" + axes, yaxis="y" + axes, **kw)


def model_panel(s: Snapshot, label: str, ghost: Snapshot | None = None) -> go.Figure:
    """Prediction over the target (the run before the last restart faded), and the first-layer partition
    points as a histogram with the points as a rug."""
    x, true, pred = _thin(s.x, s.true, s.pred)
    lo, hi = float(s.hist_edges[0]), float(s.hist_edges[-1])
    centers = (s.hist_edges[:-1] + s.hist_edges[1:]) / 2
    inside = s.points[(s.points >= lo) & (s.points <= hi)]
    c = color(label)
    data = [_line(x, true, "target", TARGET_COLOR, width=2.5), _line(x, pred, label, c)]
    if ghost is not None and len(ghost.pred) == len(s.pred):
        data.insert(1, _line(x, _thin(ghost.pred)[0], f"{label} before restart", c, opacity=0.3))
    data += [dict(type="bar", x=centers, y=s.hist_counts, marker=dict(color=c), showlegend=False, name="points per bin",
                  xaxis="x2", yaxis="y2"),
             _line(inside, np.zeros(len(inside)), "points", c, "2", mode="markers", showlegend=False,
                   marker=dict(symbol="line-ns-open", size=10, color=c))]
    layout = dict(
        xaxis=dict(domain=[0, 1], anchor="y", range=[lo, hi]), yaxis=dict(domain=[0.42, 1]),
        xaxis2=dict(domain=[0, 1], anchor="y2", range=[lo, hi], matches="x", title=dict(text="x", standoff=4)),
        yaxis2=dict(domain=[0, 0.22], tickformat="d"),
        legend=dict(orientation="h", yanchor="bottom", y=1.08, x=1, xanchor="right"),
        annotations=[dict(_title(f"{label}: prediction vs target", 1.0, 0), xanchor="left", yanchor="bottom", y=1.0),
                     dict(_title("partition points (first layer)", 0.23, 0), xanchor="left")],
        margin=dict(l=10, r=20, t=60, b=10), bargap=0.05)
    return _figure(data, layout, 440)


def spectrum(snaps: dict[str, Snapshot], ghost: dict | None = None) -> go.Figure:
    """Each model's relative error at each of the target's frequencies (markers on stems; the strongest
    labelled "k = 25"), the full DFT error divided by the target's peak as a faint background, and the
    run before the last restart as hollow rings. 1 = that frequency not learned at all."""
    data, first = [], next(iter(snaps.values()))
    n = len(snaps)
    for i, (label, s) in enumerate(snaps.items()):
        c, dx = color(label), (i - (n - 1) / 2) * 0.35
        peak = max(float(np.max(s.spec_true)), 1e-300)
        data.append(_line(s.freqs, s.spec_err / peak, f"{label}: all frequencies (÷ target peak)", c, width=1, opacity=0.3,
                          showlegend=False, hoverinfo="skip"))
        ks, errs, _ = target_bins(s)
        old = (ghost or {}).get(label)
        if old is not None:
            gk, ge, _ = target_bins(old.latest)
            data.append(_line(gk + dx, ge, f"{label} before restart", c, mode="markers", opacity=0.5,
                              marker=dict(symbol="circle-open", size=16, line=dict(width=2, color=c))))
        data.append(_line(ks + dx, errs, label, c, mode="markers", marker=dict(size=13, color=c),
                          error_y=dict(type="data", symmetric=False, array=np.zeros(len(errs)), arrayminus=errs - 1e-4,
                                       color=c, thickness=3, width=0),
                          hovertemplate="k = %{x:.0f}<br>relative error %{y:.3g}<extra>" + label + "</extra>"))
    labelled = target_bins(first)[2]
    layout = dict(xaxis=dict(title=dict(text="frequency (cycles over the domain)"), range=[-0.5, float(first.freqs[-1]) + 0.5],
                             tickvals=sorted({float(first.freqs[-1]), *labelled}), tickformat="d"),
                  yaxis=dict(**LOG_AXIS, range=[-4, 1], title=dict(text="relative error at k")),
                  shapes=[dict(type="line", xref="paper", x0=0, x1=1, y0=1, y1=1, line=dict(dash="dash", color="#8a8a8a"))],
                  annotations=[_title("error at each target frequency", 1.0, 0) | dict(xanchor="left", y=1.12)]
                  + [dict(x=k, y=1, yref="y domain", text=f"<b>k = {k:g}</b>", showarrow=False, yanchor="bottom")
                     for k in labelled]
                  + [dict(x=1, xref="paper", y=0, yanchor="bottom", xanchor="right", text="1 = not learned", showarrow=False)],
                  margin=dict(l=10, r=20, t=70, b=10))
    return _figure(data, layout, 420)


def curves(histories: dict[str, list], log: bool = True, ghost: dict | None = None) -> go.Figure:
    """Training loss and test rel. L2 against epoch, every model on the same axes (colour by model, also
    for 'repnet s1'); the run before the last restart faded."""
    data = []
    runs = [(label, hist, 1.0, label) for label, hist in histories.items()]
    runs += [(f"{label} before restart", g.history, 0.3, label) for label, g in (ghost or {}).items()]
    for name, hist, opacity, label in runs:
        if hist:
            c = color(label)
            steps = [p.step for p in hist]
            data.append(_line(steps, [sum(p.losses.values()) for p in hist], name, c, opacity=opacity))
            data.append(_line(steps, [p.rel_l2 for p in hist], name, c, "2", showlegend=False, opacity=opacity))
    kind = LOG_AXIS if log else dict(type="linear")
    layout = dict(xaxis=dict(domain=[0, 0.45], anchor="y", title=dict(text="epoch"), tickformat=",d"), yaxis=dict(**kind),
                  xaxis2=dict(domain=[0.55, 1], anchor="y2", title=dict(text="epoch"), tickformat=",d"),
                  yaxis2=dict(**kind, anchor="x2"),
                  annotations=[dict(_title("training loss", 1.0, 0), xanchor="left"),
                               dict(_title("rel. L2 error (test grid)", 1.0, 0.55), xanchor="left")],
                  legend=dict(orientation="h", yanchor="top", y=-0.3, x=0))
    return _figure(data, layout, 340)


def heatmap(hist: list, freqs: np.ndarray, spec_true: np.ndarray, label: str, budget: int | None = None) -> go.Figure:
    """Frequency x epoch map of the error at every DFT bin up to the snapshot's top bin (1.5x the target's
    top frequency, at least 32), log10 (Rahaman et al. 2019; Xu et al., the frequency principle): at the
    target's own frequencies the relative error |DFT(pred - true)| / |DFT(true)| (1 = not learned), at the
    others the error divided by the target's peak amplitude (what the net adds where the target has nothing).
    The epoch axis spans 0 to `budget` (the map fills in as training goes), else the epochs recorded."""
    hist = [p for p in hist if p.spec_err is not None]
    if not hist:
        return _figure([], {}, 380)
    peak = max(float(np.max(spec_true)), 1e-300)
    rel, err = np.array([p.spec_rel_err for p in hist]).T, np.array([p.spec_err for p in hist]).T / peak     # [K, T]
    z = np.log10(np.clip(np.where(np.isfinite(rel), rel, err), 1e-4, 1))
    strong = [int(i) for i in np.nonzero(spec_true >= 0.01 * peak)[0]]
    every = max(1, len(freqs) // 8)
    plain = [i for i in range(0, len(freqs), every) if all(abs(i - j) > every / 2 for j in strong)]
    ticks = sorted({*plain, *strong})
    data = [dict(type="heatmap", x=[p.step for p in hist], y=freqs, z=z, zmin=-4, zmax=0, colorscale="Viridis",
                 colorbar=dict(title=dict(text="relative error"), tickvals=[-4, -3, -2, -1, 0],
                               ticktext=[decade_label(d) for d in range(-4, 1)]),
                 hovertemplate="epoch %{x}<br>k = %{y}<br>log10 error %{z:.2f}<extra></extra>")]
    layout = dict(title=dict(text=f"<b>{label}</b>", font=dict(color=color(label), size=FONT + 2)),
                  xaxis=dict(title=dict(text="epoch"), tickformat=",d",
                             range=[0, max(budget or hist[-1].step, hist[-1].step, 1)]),
                  yaxis=dict(title=dict(text="frequency k (cycles)"), tickvals=[float(freqs[i]) for i in ticks],
                             ticktext=[f"<b>k = {freqs[i]:g}</b>" if i in strong else f"{freqs[i]:g}" for i in ticks]),
                  margin=dict(l=10, r=10, t=40, b=10))
    return _figure(data, layout, 380)


def by_frequency(histories: dict[str, list], snap: Snapshot) -> go.Figure:
    """Relative error at each of the target's strongest frequencies (target_bins) against epoch, one
    panel per frequency, every model in each: the frequency principle is the low-k panels falling first."""
    ks = target_bins(snap)[2]
    bins = [int(np.argmin(np.abs(snap.freqs - k))) for k in ks]
    n, gap = len(ks), 0.05
    width = (1 - gap * (n - 1)) / n
    data, layout = [], {"annotations": [], "legend": dict(orientation="h", yanchor="top", y=-0.3, x=0)}
    for i, (k, b) in enumerate(zip(ks, bins)):
        ax = "" if i == 0 else str(i + 1)
        x0 = i * (width + gap)
        layout[f"xaxis{ax}"] = dict(domain=[x0, x0 + width], anchor=f"y{ax}", title=dict(text="epoch"), tickformat=",d")
        layout[f"yaxis{ax}"] = dict(**LOG_AXIS, range=[-4, 1], anchor=f"x{ax}", matches="y" if i else None)
        layout["annotations"].append(dict(_title(f"k = {k:g}", 1.0, x0 + width / 2)))
        for label, hist in histories.items():
            if hist:
                y = [p.spec_rel_err[b] if b < len(p.spec_rel_err) else np.nan for p in hist]
                data.append(_line([p.step for p in hist], y, label, color(label), ax, showlegend=i == 0))
    layout["yaxis"]["title"] = dict(text="relative error at k")
    return _figure(data, layout, 340)


def points_strip(points: dict[str, np.ndarray], lo: float, hi: float) -> go.Figure:
    """Where each model's partition points fall, one row per model; the domain is shaded."""
    data = []
    for i, (label, p) in enumerate(points.items()):
        p = p[np.isfinite(p)]
        jitter = np.random.default_rng(i).uniform(-0.25, 0.25, len(p))
        data.append(_line(p, i + jitter, label, color(label), mode="markers",
                          marker=dict(color=color(label), size=5, opacity=0.7)))
    span = hi - lo
    domain = dict(type="rect", x0=lo, x1=hi, y0=0, y1=1, yref="paper", fillcolor="#999999", opacity=0.12, line=dict(width=0))
    layout = dict(shapes=[domain],
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
    layout = dict(xaxis=dict(**LOG_AXIS, title=dict(text="slope scale ν")),
                  yaxis=dict(type="log", tickformat=".2g", title=dict(text=what)))     # often less than a decade
    return _figure(data, layout, 320)


def functions(x: np.ndarray, ys: dict[str, np.ndarray]) -> go.Figure:
    """The networks' functions at initialization on the box, one colour per model."""
    data = [_line(*_thin(x, y), label, color(label)) for label, y in ys.items()]
    layout = dict(xaxis=dict(title=dict(text="x")), yaxis=dict(title=dict(text="f(x) at initialization")))
    return _figure(data, layout, 280)
