"""The live app in a real browser: Debian's Chromium driven by Playwright against a local server."""
import os
import time

import pytest

from repcore import Run, RunConfig
from repcore.library import Library, SavedModel, SavedRun
from tools.browser import CHROMIUM, address, epochs, image_charts, metric_values, open_app, open_page, scrolls, server, wait_for, wait_idle

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)")]


REPLAY = RunConfig(width=16, depth=2, points=100, grid=64, test_points=256, act="relu", steps=200)


def saved_run(path: str) -> list[int]:
    """A small run (vanilla + RepNet, a frame every 20 epochs) in the library at `path`; returns its steps."""
    runs = {m: Run(REPLAY.replace(model=m)) for m in ("vanilla", "repnet")}
    frames = {m: [] for m in runs}
    for _ in range(11):
        for m, r in runs.items():
            frames[m].append(r.snapshot())
            r.advance(20)
    with Library(path) as lib:
        lib.save(SavedRun("replay me", [SavedModel(m, r.cfg, frames[m], r.weights()) for m, r in runs.items()]))
    return [s.step for s in frames["vanilla"]]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """(path, steps) of a library holding one saved run: the server's, never the user's."""
    path = str(tmp_path_factory.mktemp("library") / "runs.sqlite3")
    return path, saved_run(path)


@pytest.fixture(scope="module")
def app_url(library):
    with server(env={"REPCORE_LIBRARY": library[0]}) as (url, _):
        yield url


def test_loads_plays_pauses_and_draws(app_url, chrome):
    page = open_app(chrome, app_url + "/?steps=100000")
    assert page.locator("[data-testid=stException]").count() == 0
    assert wait_for(lambda: len(epochs(page)) == 2, 60), "both models should report an Epoch metric"
    page.get_by_role("button", name="Play").click()
    assert wait_for(lambda: min(epochs(page) or [0]) > 0, 60), "Play should make the Epoch metric advance"
    first = epochs(page)
    assert wait_for(lambda: min(a > b for a, b in zip(epochs(page), first)), 30)
    assert page.locator("[data-testid=stImage] img").count() >= 3    # playing: SVG panels per model + curves
    page.get_by_role("button", name="Pause").click()

    def still_for_3_s():                                          # in-flight snapshots may land first
        before = epochs(page)
        time.sleep(3)
        return epochs(page) == before
    assert wait_for(still_for_3_s, 45, interval=0), "Pause should stop training"
    assert wait_for(lambda: page.locator(".js-plotly-plot").count() >= 3, 20)   # paused: interactive plotly charts
    page.close()


def test_shared_url_restores_the_settings(app_url, chrome):
    page = open_app(chrome, app_url + "/?target=sine&freq=7&act=relu&width=48&seed=11")
    text = page.locator("[data-testid=stMain] [data-testid=stCaptionContainer]").first.inner_text()
    assert "sin(2*pi*7*x)" in text and "relu" in text and "width 48" in text and "seed 11" in text, text
    assert "freq=7" in address(page) and "width=48" in address(page)
    page.close()


def test_malformed_expression_shows_an_error_next_to_its_control(app_url, chrome):
    page = open_app(chrome, app_url)
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.locator("[data-testid=stSelectbox]").filter(has_text="Target").first.click()
    page.get_by_role("option", name="custom expression").click()
    wait_idle(page)
    box = sidebar.get_by_label("Expression")
    box.fill("sin(2*pi*x")
    box.press("Enter")
    wait_idle(page)
    error = sidebar.locator("[data-testid=stAlertContentError]", has_text="expected ')'").first
    error.wait_for(timeout=60_000)                                # the message names the problem and its place
    assert "column" in error.inner_text(), error.inner_text()
    assert page.locator("[data-testid=stException]").count() == 0
    page.get_by_role("button", name="Play").click()               # the app keeps working on the last valid target
    assert wait_for(lambda: min(epochs(page) or [0]) > 0, 60)
    page.close()


def test_step_and_the_end_of_the_budget_redraw_without_a_click(app_url, chrome):
    """Paused, the page redraws only when a snapshot arrives (streamlit_app.heartbeat): a Step's result and
    a finished budget must still appear by themselves, and a finished run leaves the SVG (playing) view."""
    page = open_app(chrome, app_url + "/?steps=300&width=16")
    assert wait_for(lambda: epochs(page) == [0, 0], 60), "the first snapshots should appear without a click"
    page.get_by_role("button", name="Step").click()
    assert wait_for(lambda: epochs(page) == [100, 100], 60), f"Step should show epoch 100: {epochs(page)}"
    page.get_by_role("button", name="Play").click()
    assert wait_for(lambda: epochs(page) == [300, 300], 60), f"Play should run to the budget: {epochs(page)}"
    assert wait_for(lambda: page.locator(".js-plotly-plot").count() >= 3, 30), "a finished run shows interactive charts"
    page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_presentation_mode_fits_a_1280x720_projector(app_url, chrome):
    """?present=1 at 1280x720, after Play: every metric value in full, no scrolling, both predictions and the
    error-per-frequency chart inside the viewport, no sidebar or Deploy, the resolved ν as a number, chart text
    >= 16 px as rendered."""
    page = open_page(chrome, app_url + "/?present=1&steps=100000", 1280, 720)
    assert wait_for(lambda: len(epochs(page)) == 2, 60)
    page.get_by_role("button", name="Play").click()
    assert wait_for(lambda: min(epochs(page) or [0]) >= 200, 90), epochs(page)
    values = metric_values(page, "rel. L2") + metric_values(page, "Epoch")
    assert len(values) == 4 and not any("…" in v for v in values), values
    clipped = page.eval_on_selector_all("[data-testid=stMetricValue]", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length")
    assert clipped == 0, "a metric value is cut off"
    assert not scrolls(page), "presentation mode needs no scrolling"
    charts = image_charts(page)
    titles = [c["text"] for c in charts]
    assert len(charts) == 3 and "vanilla: prediction vs target" in titles[0] and "repnet: prediction vs target" in titles[1]
    assert "error at each target frequency" in titles[2] and "k = 25" in titles[2]
    assert all(c["top"] >= 0 and c["bottom"] <= 720 and c["left"] >= 0 and c["right"] <= 1280 for c in charts), charts
    smallest = min(px for c in charts for px in c["text_px"])
    assert smallest >= 16, f"chart text renders at {smallest:.1f} px"
    assert not page.locator("[data-testid=stSidebar]").is_visible() and page.get_by_text("Deploy").count() == 0
    assert "ν = 78.5 (auto)" in page.inner_text("[data-testid=stMain]")
    reached = min(epochs(page))
    page.get_by_text("Presentation mode").click()                 # out of presentation mode: the same training goes on
    assert wait_for(lambda: page.locator("[data-testid=stSidebar]").is_visible(), 60)       # the rerun draws it
    assert wait_for(lambda: "present" not in address(page), 60), address(page)      # and then the URL (later in the same run)
    assert "freq" not in address(page)
    assert wait_for(lambda: len(epochs(page)) == 2, 30)       # the sidebar comes first in a rerun, the metrics after it
    assert min(epochs(page)) >= reached, "leaving presentation mode must not restart training"
    page.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_lesson_on_the_live_page_a_restart_with_its_ghost_and_the_spectral_page(app_url, chrome):
    """Open lesson 3 (ν = 3) from the Lessons page: its steps show beside the live charts. Step, then switch ν
    to auto: a notice says what changed and the ν = 3 run stays as a faded ghost. Then the spectral page on
    the default target: heat maps over every bin and one non-empty panel per target frequency."""
    page = open_app(chrome, app_url + "/lessons")
    opened = lambda: "slope_scale=3.0" in address(page)                              # noqa: E731
    lessons = page.locator(".st-key-lesson-2")             # lesson 3's Open, on the Lessons page only
    for _ in range(3):                     # a click landing while the page's first run settles can be lost: try again,
        if opened() or lessons.count() == 0:       # but only while the Lessons page is shown: under load a second
            break                                  # click by role once landed on the live page's third selectbox
        lessons.get_by_role("button", name="Open", exact=True).click()
        wait_for(lambda: opened() or lessons.count() == 0, 30)
    assert wait_for(opened, 60), address(page)
    panel = page.locator(".st-key-lesson_panel")
    panel.wait_for(timeout=30_000)
    assert "Press Play with ν = 3" in panel.inner_text() and "Watch for" in panel.inner_text()
    assert wait_for(lambda: epochs(page) == [0, 0], 60)
    page.get_by_role("button", name="Step").click()
    assert wait_for(lambda: epochs(page) == [100, 100], 60), epochs(page)
    page.locator("[data-testid=stSidebar]").get_by_text("Slope scale ν (RepNet): auto").click()
    wait_idle(page)
    notice = page.locator("[data-testid=stAlertContentInfo]", has_text="Settings changed")
    notice.wait_for(timeout=30_000)
    assert "ν 3 → auto" in notice.inner_text() and "epoch 100" in notice.inner_text()
    assert wait_for(lambda: epochs(page) == [0, 0], 90), epochs(page)
    legend = lambda: page.eval_on_selector_all(".js-plotly-plot", "els => els.flatMap(e => e.data.map(t => t.name))")  # noqa: E731
    assert wait_for(lambda: {"vanilla before restart", "repnet before restart"} <= set(legend()), 30), legend()
    page.get_by_role("link", name="Spectral bias over time").click()
    wait_idle(page)
    assert wait_for(lambda: page.locator(".js-plotly-plot").count() == 3, 30)
    traces = page.eval_on_selector_all(".js-plotly-plot", "els => els.map(e => e._fullData.map(t => [t.type, t.xaxis, (t.y || []).length]))")
    heat = [t for fig in traces[:2] for t in fig]
    assert [t[0] for t in heat] == ["heatmap", "heatmap"] and all(t[2] >= 38 for t in heat)     # bins 0..1.5 x 25
    panels = {}
    for _kind, axis, n in traces[2]:
        panels.setdefault(axis, []).append(n)
    assert sorted(panels) == ["x", "x2"] and all(len(v) == 2 and min(v) > 0 for v in panels.values()), panels   # k = 1, k = 25
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()


@pytest.mark.browser
def test_replay_plays_by_itself_from_the_first_to_the_last_frame(app_url, chrome, library):
    steps = library[1]
    page = open_app(chrome, app_url + "/library")
    assert wait_for(lambda: epochs(page) == [steps[0]] * 2, 30), epochs(page)
    page.get_by_role("button", name="Play").click()
    seen = []

    def at_the_end():
        seen.append(epochs(page))
        return seen[-1] == [steps[-1]] * 2
    assert wait_for(at_the_end, 60, interval=0.2), seen
    shown = sorted({e[0] for e in seen if e})
    assert len(shown) >= 4 and shown[-1] == steps[-1], shown                   # it went through the frames, by itself
    assert wait_for(lambda: page.get_by_role("button", name="Play").count() == 1, 10)   # and stopped on the last one
    page.close()
