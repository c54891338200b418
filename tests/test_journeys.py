"""A lecture's journeys in a real browser at 1280x720 (tools/journey.py), presentation and normal mode: after
every move the whole screen is checked (tools/screen.py): no error box, exception or object text, nothing past
the viewport in presentation mode, charts inside it with text large enough, every model at one epoch, the
values shown equal to the settings trained. `python -m tools.journey OUTDIR` writes each move's screenshot."""
import os
import re
import tempfile
import time

import pytest

from tools import journey
from tools.browser import CHROMIUM, epochs, server, wait_for
from tools.screen import popover_values

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)")]


@pytest.fixture(scope="module")
def app_url():
    with tempfile.TemporaryDirectory() as tmp, server({"REPCORE_LIBRARY": os.path.join(tmp, "runs.sqlite3")}) as (url, _):
        yield url


def clean(walk: journey.Walk, moves: int = 2) -> None:
    walk.page.close()
    dirty = [f"{label}: {'; '.join(found)}" for label, found in walk.findings if found]
    assert not dirty, "\n".join(dirty)
    assert len(walk.findings) >= moves


def test_the_settings_popover_of_a_presentation_link_shows_what_is_trained(app_url, chrome):
    """The popover opened after Step and Reset (its controls drawn late) shows the lesson's settings, and
    moving the frequency alone changes the frequency alone (it once sent k = 1, ν auto off, no activation)."""
    query = dict(journey.LESSON_2)
    w = journey.Walk(chrome, app_url, "/?" + "&".join(f"{k}={v}" for k, v in {**query, "present": "1", "lesson": "1"}.items()),
                     None, "popover", True)
    w.click("Step")
    assert wait_for(lambda: epochs(w.page) == [100, 100], 60), epochs(w.page)
    w.click("Reset")
    w.click("Step")
    assert wait_for(lambda: epochs(w.page) == [100, 100], 60), epochs(w.page)
    assert w.settings() == {"target": "sine", "k": 4, "nu_auto": True, "nu": None, "act": "relu"}
    journey.slide("Target frequency", 6)(w.page)
    w.idle()
    assert wait_for(lambda: (popover_values(w.page) or {}).get("k") == 10, 30)
    time.sleep(1.0)
    w.idle()
    assert popover_values(w.page) == {"target": "sine", "k": 10, "nu_auto": True, "nu": None, "act": "relu"}
    w.close_popover()
    query["freq"] = "10"
    w.move("k 4 to 10", journey.expected(query))
    said = re.search(r"Settings changed \(([^)]*)\)", w.page.inner_text("[data-testid=stMain]"))
    assert said and said.group(1) == "k 4 → 10", said and said.group(0)
    clean(w, moves=1)


@pytest.mark.parametrize("name", ["present", "normal", "picture", "budget"])
def test_journey(app_url, chrome, name):
    clean(journey.JOURNEYS[name](chrome, app_url, None))
