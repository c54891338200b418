"""The PINNs page's live operator view (dashboard/operator_view.py): nothing is built until Train; Train
trains the operators on the shared records, a tick per run of the page, and draws a held-out record, the
response, the per-band error and the curves; a bad file is one error next to the view. The browser test
watches it train in presentation mode at 1280x720."""
import os
import re

import pytest

from helpers import EARTHQUAKE, app, needs_earthquake
from repcore.operators import data


def physics(path: str | None = None):
    at = app()
    at.run()
    at.switch_page("views/physics.py").run()
    if path is not None:
        at.text_input(key="data-operator").set_value(path).run()
    return at


def epoch(at) -> int:
    line = next(m.value for m in at.markdown if m.value.startswith("Epoch "))
    return int(re.match(r"Epoch (\d+)", line).group(1))


def test_the_data_file_box_starts_with_the_documented_setting_and_says_what_is_missing(monkeypatch, tmp_path):
    """$REPCORE_EARTHQUAKE_DATA is the box's default (docs/install.md); unset, or naming no file, the page says
    so under the box, with the setting's name and where to download the file."""
    box = lambda at: at.text_input(key="data-operator")  # noqa: E731
    notes = lambda at: [c.value for c in at.caption if data.DATA_ENV in c.value]  # noqa: E731
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    at = physics()
    assert box(at).value == "" and notes(at)[0].startswith("No data file.") and data.DOWNLOAD in notes(at)[0]
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "gone.mat"))
    at = physics()
    assert box(at).value == str(tmp_path / "gone.mat") and notes(at)[0].startswith(f"No file at `{tmp_path / 'gone.mat'}`.")
    real = tmp_path / data.FILE_NAME
    real.write_bytes(b"")                     # a file is there: nothing to say (reading it is Train's business)
    monkeypatch.setenv(data.DATA_ENV, str(real))
    at = physics()
    assert box(at).value == str(real) and not notes(at) and not at.exception


def test_a_missing_file_is_one_error_next_to_the_view_and_nothing_trains(tmp_path):
    at = physics(str(tmp_path / "none.mat"))
    at.button(key="op_play").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "download it from" in errors[0] and "\n" not in errors[0]
    assert not at.session_state["op_runs"] and not at.session_state["op_playing"]


@needs_earthquake
def test_train_ticks_draw_a_held_out_record_and_pause_stops_them():
    at = physics(EARTHQUAKE)
    charts = len(at.get("plotly_chart"))
    at.button(key="op_play").click().run()
    assert not at.exception and at.session_state["op_playing"]
    first = epoch(at)
    at.run()
    at.run()
    assert epoch(at) > first                                   # each run of the page is a tick of the fragment
    assert len(at.get("plotly_chart")) == charts + 4           # ground motion, response, per-band error, curves
    assert at.selectbox(key="op_record").options == [str(i) for i in range(90, 100)]
    at.selectbox(key="op_record").set_value("95").run()
    assert not at.exception
    at.button(key="op_play").click().run()                     # Pause
    stopped = epoch(at)
    at.run()
    assert epoch(at) == stopped and not at.session_state["op_playing"]


@pytest.mark.browser
@pytest.mark.slow
@needs_earthquake
def test_the_operator_view_trains_in_presentation_mode_at_1280x720(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    from tools.browser import ARGS, CHROMIUM, open_page, server, wait_for
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with server(env={data.DATA_ENV: EARTHQUAKE}) as (url, _), playwright.sync_playwright() as p:     # the box's default
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = open_page(browser, url + "/physics?present=1", 1280, 720)
        page.get_by_role("button", name="Train", exact=True).click()
        status = page.get_by_text(re.compile(r"^Epoch \d+ of 222"))
        assert wait_for(lambda: status.count() == 1, 90), "Train should start the view"

        def epoch_now() -> int:
            return int(re.match(r"Epoch (\d+)", status.inner_text()).group(1))
        start = epoch_now()
        assert wait_for(lambda: epoch_now() >= start + 2, 90), "the view should advance while training"
        status.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "operator-1280x720.png"))
        page.get_by_role("button", name="Pause").click()
        bands = page.locator("[data-testid=stPlotlyChart]", has_text="Error per frequency band")
        assert wait_for(lambda: page.get_by_role("button", name="Train", exact=True).count() == 1 and bands.count() == 1, 60), \
            "paused: one chart of each, no copy left from the last tick"
        bands.first.scroll_into_view_if_needed()       # (a later redraw, a late snapshot's, may show its copy for a moment)
        page.screenshot(path=str(tmp_path / "operator-1280x720-errors.png"))
        assert page.locator("[data-testid=stException]").count() == 0
        titles = page.eval_on_selector_all(".gtitle", "els => els.map(e => e.textContent)")
        assert {"Ground motion (held-out record)", "Response: true and predicted"} <= set(titles)
        browser.close()
