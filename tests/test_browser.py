"""The live app in a real browser: Debian's Chromium driven by Playwright against a local server."""
import os
import time

import pytest

from tools.browser import CHROMIUM, ARGS, epochs, open_app, server, wait_for, wait_idle

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)")]


@pytest.fixture(scope="module")
def app_url():
    with server() as (url, _):
        yield url


@pytest.fixture(scope="module")
def chrome():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


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
    assert "freq=7" in page.url and "width=48" in page.url
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
