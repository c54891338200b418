"""Charts are pure functions of snapshots: checked without a server."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from dashboard import charts, svg
from dashboard.lanes import Ghost, Point
from repcore import RunConfig, train

CFG = RunConfig(width=16, depth=2, steps=40, every=20, points=200, grid=128, test_points=256, act="relu")
NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def snaps():
    return {m: list(train(CFG.replace(model=m))) for m in ("vanilla", "repnet")}


def history(snaps):
    return {m: [Point(s.step, s.wall, s.losses, s.rel_l2, s.spec_rel_err, s.extra, s.spec_err) for s in ss]
            for m, ss in snaps.items()}


def ghosts(snaps):
    return {m: Ghost(CFG, h[:2], snaps[m][1]) for m, h in history(snaps).items()}


def test_target_bins_are_the_target_frequencies(snaps):
    ks, errs, labelled = charts.target_bins(snaps["vanilla"][-1])     # multiscale: sin(2 pi x) + 0.1 sin(50 pi x)
    assert ks.tolist() == [1.0, 25.0] and labelled == [1.0, 25.0]
    s = snaps["vanilla"][-1]
    assert errs.tolist() == [s.spec_rel_err[1], s.spec_rel_err[25]]
    assert [charts.decade_label(d) for d in (-5, -2, 0, 2)] == ["1e-5", "0.01", "1", "100"]


def test_model_panel_shows_target_prediction_points_and_the_ghost(snaps):
    s = snaps["repnet"][-1]
    names = [t.name for t in charts.model_panel(s, "repnet").data]
    assert names == ["target", "repnet", "points per bin", "points"]
    fig = charts.model_panel(s, "repnet", ghost=snaps["repnet"][1])
    assert fig.data[1].name == "repnet before restart" and fig.data[1].opacity == 0.3
    assert fig.data[2].line.color == charts.color("repnet")
    assert len(fig.data[4].x) == np.sum((s.points >= 0) & (s.points <= 1))   # the rug: every inside point


def test_spectrum_marks_each_target_frequency_per_model(snaps):
    last = {m: ss[-1] for m, ss in snaps.items()}
    figure = charts.spectrum(last, ghost=ghosts(snaps))
    marks = {t.name: t for t in figure.data if t.name in last}
    for m, s in last.items():
        assert np.allclose(np.round(marks[m].x), [1, 25]) and np.allclose(marks[m].y, s.spec_rel_err[[1, 25]])
    assert {"vanilla before restart", "repnet before restart"} <= {t.name for t in figure.data}
    fig = figure.to_dict()
    assert [a["text"] for a in fig["layout"]["annotations"] if "k =" in a["text"]] == ["<b>k = 1</b>", "<b>k = 25</b>"]
    assert "0.01" in fig["layout"]["yaxis"]["ticktext"] and fig["layout"]["legend"]["y"] < 0     # decades; legend under the plot


def test_one_colour_per_model_on_every_chart(snaps):
    h, last = history(snaps), {m: ss[-1] for m, ss in snaps.items()}
    for fig in (charts.curves(h, ghost=ghosts(snaps)), charts.by_frequency(h, last["vanilla"]), charts.spectrum(last)):
        for t in fig.to_dict()["data"]:
            assert t["line"]["color"] == charts.color(t["name"].split(":")[0])
    assert charts.color("vanilla") != charts.color("repnet") and charts.color("repnet s1") == charts.color("repnet")


def test_heatmap_rows_cover_every_bin_up_to_the_top_and_label_the_targets(snaps):
    s = snaps["vanilla"][-1]
    figure = charts.heatmap(history(snaps)["vanilla"], s.freqs, s.spec_true, "vanilla")
    z, fig = np.asarray(figure.data[0].z), figure.to_dict()
    assert z.shape == (len(s.freqs), 3) and len(s.freqs) >= 38      # bins 0..1.5 x 25: no empty band between the targets
    expected = np.where(np.isfinite(s.spec_rel_err), s.spec_rel_err, s.spec_err / s.spec_true.max())   # relative at the targets
    assert np.allclose(z[:, -1], np.log10(np.clip(expected, 1e-4, 1)))
    assert "<b>k = 25</b>" in fig["layout"]["yaxis"]["ticktext"]
    panels = charts.by_frequency(history(snaps), s).to_dict()
    assert len([t for t in panels["data"] if t["xaxis"] == "x2"]) == 2     # the k = 25 panel has both models: none empty


def test_svg_charts_are_well_formed_sized_and_coloured(snaps):
    s = snaps["repnet"][-1]
    root = ET.fromstring(svg.prediction(s, "repnet", 372, 380, 18, ghost=snaps["repnet"][1]))
    lines = root.findall(f"{NS}polyline")
    assert len(lines) == 3 and lines[2].get("stroke") == charts.color("repnet") and lines[1].get("stroke-opacity") == "0.3"
    assert len(lines[2].get("points").split()) == len(s.x)
    assert root.get("viewBox") == "0 0 372 380" and {t.get("font-size") for t in root.iter(f"{NS}text")} == {"18"}
    root = ET.fromstring(svg.spectrum({m: ss[-1] for m, ss in snaps.items()}, 465, 520, 18, ghost=ghosts(snaps)))
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "k = 25" in texts and "k = 1" in texts and "before restart (rings)" in texts
    assert len(root.findall(f"{NS}circle")) == 2 * 2 * 2            # 2 models x 2 target frequencies, now and before
    root = ET.fromstring(svg.curves(history(snaps), ghost=ghosts(snaps)))
    strokes = {(p.get("stroke"), p.get("stroke-opacity")) for p in root.findall(f"{NS}polyline")}
    assert strokes == {(charts.color(m), o) for m in ("vanilla", "repnet") for o in ("1.0", "0.3")}
