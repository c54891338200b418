"""Charts are pure functions of snapshots: checked without a server."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from dashboard import charts, svg
from dashboard.session import Point
from repcore import RunConfig, train

CFG = RunConfig(width=16, depth=2, steps=40, every=20, points=200, grid=128, test_points=256, act="relu")


@pytest.fixture(scope="module")
def snaps():
    return {m: list(train(CFG.replace(model=m))) for m in ("vanilla", "repnet")}


def history(snaps):
    return {m: [Point(s.step, s.wall, s.losses, s.rel_l2, s.spec_rel_err) for s in ss] for m, ss in snaps.items()}


def test_model_panel_shows_target_prediction_points_and_spectra(snaps):
    s = snaps["repnet"][-1]
    fig = charts.model_panel(s, "repnet")
    names = [t.name for t in fig.data]
    assert names == ["target", "repnet", "points per bin", "points", "target spectrum", "error spectrum"]
    assert fig.data[1].line.color == charts.color("repnet")
    assert len(fig.data[3].x) == np.sum((s.points >= 0) & (s.points <= 1))   # the rug: every inside point


def test_one_colour_per_model_on_every_chart(snaps):
    h = history(snaps)
    freqs = snaps["vanilla"][-1].freqs
    for fig in (charts.curves(h), charts.bands(h, freqs, (0, 6, 12, 40))):
        for t in fig.to_dict()["data"]:
            assert t["line"]["color"] == charts.color(t["name"])
    assert charts.color("vanilla") != charts.color("repnet")


def test_heatmap_rows_are_the_target_frequencies(snaps):
    s = snaps["vanilla"][-1]
    fig = charts.heatmap(history(snaps)["vanilla"], s.freqs, "vanilla").to_dict()
    assert fig["data"][0]["y"] == ["1", "25"]                # multiscale: sin(2 pi x) + 0.1 sin(50 pi x)


def test_svg_charts_are_well_formed_and_coloured(snaps):
    s = snaps["repnet"][-1]
    root = ET.fromstring(svg.panel(s, "repnet"))
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 4 and lines[1].get("stroke") == charts.color("repnet")
    assert len(lines[1].get("points").split()) == len(s.x)
    root = ET.fromstring(svg.curves(history(snaps)))
    strokes = {p.get("stroke") for p in root.findall("{http://www.w3.org/2000/svg}polyline")}
    assert strokes == {charts.color("vanilla"), charts.color("repnet")}
