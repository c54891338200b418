"""The Picture page (AppTest, and a real browser for the live loop and the uploads) and its charts."""
import os
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import picture_charts as pc
from dashboard import resolution
from repcore.targets import uploads
from repcore.snapshot import Snapshot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "dashboard", "streamlit_app.py")


@pytest.fixture(autouse=True)
def server_mode(monkeypatch, tmp_path):
    """Upload-only, as in a server (importing the dashboard did it once; other tests may have undone it)."""
    monkeypatch.setenv("REPCORE_UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.setitem(uploads._POLICY, "paths", False)


def picture_app(**state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["width"], at.query_params["depth"] = "24", "2"
    at.run()
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page("views/picture.py").run()
    assert not at.exception, at.exception
    return at


def close(at: AppTest) -> None:
    for key in ("picture_live", "live"):
        if key in at.session_state:
            at.session_state[key].close()


@pytest.mark.slow
def test_picture_page_trains_side_by_side_and_the_images_change(no_leftover_processes):
    # a fixed resolution: "auto" lowers it when the measured rate is low (a busy machine), which restarts the
    # models at a new side (test_live_resolution_shrinks... covers that policy)
    at = picture_app(w_picture_side=64)
    assert at.title[0].value == "Spectral bias in a picture"
    live = at.session_state["picture_live"]
    assert list(live.lanes) == ["vanilla", "repnet"]
    cfg = live.lanes["repnet"].cfg
    side = int(cfg.target.rsplit("@", 1)[1])
    assert cfg.target.startswith("image:zoneplate@") and cfg.points == side * side and cfg.problem == "fit"
    next(b for b in at.button if b.label == "Play").click().run()
    first, deadline = {}, time.time() + 90
    while time.time() < deadline:
        time.sleep(1)
        at.run()
        lanes = live.lanes.values()
        for label, lane in live.lanes.items():
            if lane.latest is not None and label not in first:
                first[label] = lane.latest
        if len(first) == 2 and all(l.latest is not None and l.latest.step > first[l.latest.label].step + 20 for l in lanes):
            break
    assert not at.exception
    for label, lane in live.lanes.items():
        s = lane.latest
        assert s.image.shape == (side, side) and s.step > first[label].step
        assert not np.array_equal(s.image, first[label].image)                 # the reconstruction changed
        assert np.isfinite(s.extra["psnr"])
    assert [m.label for m in at.metric].count("Epoch") == 2
    close(at)


@pytest.mark.slow
def test_presentation_mode_hides_the_controls_and_peers_can_be_chosen(no_leftover_processes):
    at = picture_app(present=True, w_picture="hopper", w_picture_models=["vanilla", "siren", "fourier"], w_picture_side=24)
    assert not [s for s in at.selectbox if s.label == "Picture"]
    assert "stSidebar" in "".join(m.value for m in at.markdown)
    live = at.session_state["picture_live"]
    assert list(live.lanes) == ["vanilla", "siren", "fourier"] and live.lanes["siren"].cfg.target == "image:hopper@24"
    close(at)


@pytest.mark.slow
def test_a_link_naming_a_server_file_is_refused():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["target"] = "csv:/etc/passwd"
    at.run()
    assert at.session_state["cfg"].target == "multiscale"
    assert any("uploaded files only" in w.value for w in at.warning)
    close(at)


def snap(image, rel):
    n = len(rel)
    return Snapshot(label="repnet", step=1, wall=0.1, status="ok", losses={"mse": 1.0}, rel_l2=0.5, x=np.zeros(4), pred=np.zeros(4),
                    true=np.zeros(4), freqs=np.arange(n, dtype=float), spec_true=np.ones(n), spec_err=rel, spec_rel_err=rel,
                    points=np.zeros(0), hist_edges=np.zeros(2), hist_counts=np.zeros(1), image=image)


def test_picture_charts():
    img = np.array([[-1.0, 1.0], [0.0, 2.0]])
    g = pc.gray(img)
    assert g.shape == (288, 288) and g[0, 0] == 0 and g[0, -1] == 255 and g[-1, 0] == 128 and g[-1, -1] == 255
    e = pc.error_rgb(np.array([[0.0, 1.0, -1.0]]), limit=1.0)
    assert tuple(e[0, 0]) == (255, 255, 255) and tuple(e[0, 100]) == (214, 39, 40) and tuple(e[0, -1]) == (31, 119, 180)
    rel = np.array([np.nan, 1.0, 1e-3])
    hist = [snap(img, rel), snap(img, rel / 10)]
    m = pc.spectrum_map(hist)
    assert m.shape[2] == 3 and tuple(m[0, 0]) == (68, 1, 84)          # top row: the highest ring, 1e-3: learned (dark)
    assert tuple(m[-1, 0]) == (235, 235, 235)                           # bottom row: ring 0 has no relative error (NaN)
    assert "<polyline" in pc.radial_svg({"repnet": hist[-1]})
    fig = pc.radial({"repnet": hist[-1], "vanilla": None})
    assert [t.name for t in fig.data] == ["repnet", "picture"]


@pytest.mark.slow
@pytest.mark.browser
def test_in_a_browser_the_picture_trains_and_uploads_become_targets(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    from tools.browser import ARGS, CHROMIUM, epochs, open_app, server, steady, wait_for, wait_idle
    good, bad = tmp_path / "steps.csv", tmp_path / "broken.csv"
    good.write_text("x,y\n" + "\n".join(f"{i / 100},{np.sign(np.sin(i / 8))}" for i in range(300)))
    bad.write_text("x,y\n1,2\n3,oops\n")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not a picture")
    with server({"REPCORE_UPLOADS": str(tmp_path / "uploads")}) as (url, _), playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = open_app(browser, url + "/picture?width=24&depth=2")
        page.get_by_role("button", name="Play").click()
        assert wait_for(lambda: len(epochs(page)) == 2 and min(epochs(page)) > 0, 90), epochs(page)
        src = page.eval_on_selector_all("[data-testid=stImage] img", "els => els.map(e => e.src)")
        before = epochs(page)
        assert wait_for(lambda: min(epochs(page) or [0]) > max(before) + 50, 90)   # (a lowered auto resolution restarts at 0)
        after = page.eval_on_selector_all("[data-testid=stImage] img", "els => els.map(e => e.src)")
        assert len(after) >= 6 and src[2:6] != after[2:6]            # the models' reconstructions and errors were redrawn
        page.get_by_role("button", name="Pause").click()
        steady(page)                       # settled before the upload (under two busy loops the message below once missed 30 s)
        wait_idle(page)
        pictures = page.locator("[data-testid=stMain] [data-testid=stFileUploaderDropzoneInput]")
        pictures.set_input_files(str(broken))
        assert wait_for(lambda: page.get_by_text("broken.png: not an image that can be decoded").count() > 0, 90)
        pictures.set_input_files(os.path.join(ROOT, "repcore", "targets", "pictures", "hopper.png"))
        assert wait_for(lambda: page.get_by_text("hopper.png (uploaded), ").count() > 0, 90)    # the caption names the upload
        page.goto(url + "/?width=24&depth=2")
        wait_idle(page)
        uploader = page.locator("[data-testid=stSidebar] [data-testid=stFileUploaderDropzoneInput]")
        uploader.set_input_files(str(bad))
        assert wait_for(lambda: page.get_by_text("row 3, column y: 'oops' is not a number").count() > 0, 30)
        uploader.set_input_files(str(good))
        assert wait_for(lambda: page.get_by_text("Training on steps.csv").count() > 0, 30)
        assert wait_for(lambda: page.get_by_text("steps.csv (uploaded): 300 rows").count() > 0, 30)
        page.get_by_role("button", name="Play").click()
        assert wait_for(lambda: len(epochs(page)) == 2 and min(epochs(page)) > 0, 90), epochs(page)
        browser.close()


def test_live_resolution_shrinks_with_the_network_and_fits_the_measured_rate():
    sides = [resolution.live_side(w, 3) for w in (16, 64, 100, 256, 1024)]
    assert sides == sorted(sides, reverse=True) and sides[-1] == resolution.LIVE_SIDES[0]
    side = resolution.live_side(100, 3)
    cost = 100 * 100 * 2 + 3 * 100
    assert side * side * cost * 30 <= resolution.CPU_RATE                       # fits the rate at 30 epochs/s ...
    bigger = resolution.LIVE_SIDES[resolution.LIVE_SIDES.index(side) + 1]
    assert bigger * bigger * cost * 30 > resolution.CPU_RATE                     # ... and the next size would not
    assert resolution.live_side(100, 3, device="cuda") == resolution.LIVE_SIDES[-1]
