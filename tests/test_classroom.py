"""A classroom on one server, in Chromium: a watcher (`?watch=CODE`) follows the lecturer's Play, Pause and
a settings change; the lecturer shares from presentation mode too; a session over the training cap sees its place in the queue and starts when another
closes; and the classroom load tool at a small size. Screenshots (1280x720) go to $CLASSROOM_SHOTS if set."""
import json
import os
import subprocess
import sys
import time

import pytest

from tools.browser import ARGS, CHROMIUM, address, epochs, paused_alike, server, wait_for, wait_idle
from tools.processes import workers_of

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)")]
SIZE = {"width": 1280, "height": 720}


def user(browser, url: str):
    """A page of its own browser user (a separate Streamlit session), at 1280x720."""
    page = browser.new_context(viewport=SIZE).new_page()
    page.goto(url)
    wait_idle(page)
    return page


def shot(page, name: str) -> None:
    if os.environ.get("CLASSROOM_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["CLASSROOM_SHOTS"], f"{name}.png"))


def text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def share(page, owner: str) -> str:
    page.get_by_text("Share live (watch link)").click()
    page.get_by_label("Your name, as watchers see it").fill(owner)
    page.keyboard.press("Enter")
    return wait_for(lambda: next((t.split("watch=")[1].strip() for t in page.locator("[data-testid=stCode]").all_inner_texts()
                                  if "watch=" in t), None), 60)


def test_a_watcher_follows_the_lecturers_play_pause_and_a_settings_change():
    with server() as (url, proc), playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        lecturer = user(browser, f"{url}/?steps=100000")
        assert wait_for(lambda: epochs(lecturer) == [0, 0], 90)
        code = share(lecturer, "Dr. Ada")
        before = len(workers_of(proc.pid))
        watcher = user(browser, f"{url}/?watch={code}")
        assert wait_for(lambda: epochs(watcher) == [0, 0], 60), text(watcher)
        assert "Following Dr. Ada live" in text(watcher) and not watcher.get_by_role("button", name="Play").count()
        shot(watcher, "watcher-ready")
        lecturer.get_by_role("button", name="Play").click()
        assert wait_for(lambda: min(epochs(watcher) or [0]) > 0 and "training live" in text(watcher), 90), text(watcher)
        shot(watcher, "watcher-playing")
        lecturer.get_by_role("button", name="Pause").click()
        wait_idle(lecturer)
        paused = wait_for(lambda: paused_alike(lecturer, [watcher]), 30)
        assert paused, (epochs(lecturer), epochs(watcher), text(watcher))
        shot(watcher, "watcher-paused")
        box = lecturer.locator("[data-testid=stSidebar] input[type=range][aria-label^='Target frequency']").first
        box.focus()
        for _ in range(5):
            box.press("ArrowLeft")               # k 25 -> 20, the lecturer's run restarts
        wait_idle(lecturer)
        assert wait_for(lambda: "k 25 → 20" in text(watcher) and "20*x" in text(watcher) and epochs(watcher) == [0, 0], 60), text(watcher)
        shot(watcher, "watcher-after-settings-change")
        assert len(workers_of(proc.pid)) == before          # the watcher trains nothing
        watcher.get_by_role("button", name="Try it yourself").click()
        assert wait_for(lambda: watcher.get_by_role("button", name="Play").count() and "watch=" not in address(watcher), 60)
        assert "freq=20" in address(watcher)
        browser.close()


def test_the_lecturer_shares_from_presentation_mode():
    """Presentation mode has no sidebar: its Share popover holds the switch, the name and the whole link."""
    with server() as (url, proc), playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        lecturer = user(browser, f"{url}/?steps=100000&present=1")
        assert wait_for(lambda: epochs(lecturer) == [0, 0], 90)
        assert not lecturer.locator("[data-testid=stSidebar]").is_visible()
        lecturer.get_by_role("button", name="Share", exact=True).click()
        code = share(lecturer, "Dr. Ada")
        link = f"{url}/?watch={code}"
        popover = lecturer.locator("[data-testid=stPopoverBody]")
        assert wait_for(lambda: link in popover.inner_text(), 30), popover.inner_text()
        box = popover.locator("[data-testid=stCode]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= SIZE["width"], box       # the whole link on screen
        shot(lecturer, "present-share")
        watcher = user(browser, f"{url}/?watch={code}")
        assert wait_for(lambda: epochs(watcher) == [0, 0] and "Following Dr. Ada live" in text(watcher), 60), text(watcher)
        lecturer.keyboard.press("Escape")                 # the popover closes; the line under the buttons keeps the link
        assert wait_for(lambda: f"follow live: {link} (1 watching)" in text(lecturer) and not popover.is_visible(), 30), text(lecturer)
        shot(lecturer, "present-shared")
        browser.close()


def test_a_session_over_the_cap_waits_its_turn_and_starts_when_another_closes():
    idle = 8
    with server(env={"REPCORE_MAX_TRAININGS": "1", "REPCORE_IDLE_TIMEOUT": str(idle)}) as (url, proc), \
            playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        first, second = user(browser, f"{url}/?steps=1000000&seed=1"), user(browser, f"{url}/?steps=1000000&seed=2")
        assert wait_for(lambda: epochs(first) == [0, 0] and epochs(second) == [0, 0], 90)
        first.get_by_role("button", name="Play").click()
        assert wait_for(lambda: min(epochs(first) or [0]) > 0, 90)
        second.get_by_role("button", name="Play").click()
        assert wait_for(lambda: "Waiting for a training slot: 1st in line" in text(second), 30), text(second)
        assert "At most 1 session trains on this server at once (1 now)" in text(second)
        shot(second, "queued")
        time.sleep(idle + 4)                                 # longer than a silent page's processes live
        assert epochs(second) == [0, 0] and len(workers_of(proc.pid)) == 4, text(second)   # waiting, not training, alive
        assert "Training stopped" not in text(second) and "Waiting for a training slot: 1st in line" in text(second)
        first.context.close()                                # the other student leaves
        closed = time.time()
        assert wait_for(lambda: min(epochs(second) or [0]) > 0, idle + 60), text(second)
        started = time.time() - closed
        assert "Waiting for a training slot" not in text(second)
        shot(second, "queued-then-training")
        print(f"\nthe waiting session started {started:.1f} s after the other closed (idle timeout {idle} s)")
        browser.close()


def test_the_classroom_load_tool_at_a_small_size():
    """3 sessions (the lecturer, one on its lesson link, one of its own) and 2 watchers, one training at a time."""
    done = subprocess.run([sys.executable, "-m", "tools.classroom_load", "--sessions", "3", "--watchers", "2", "--seconds", "20",
                           "--cap", "1", "--json"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    print(f"\n{done.stdout}")
    assert result["errors"] == {} and result["pages_without_frame"] == [], result
    assert len(result["first_frame_s"]) == 5 and result["first_frame_max_s"] < 120, result
    assert 1 <= result["trainings"] <= 2, result          # one session of two models at a time
    assert result["watchers_followed"] and result["leftover_processes"] == 0, result
    assert result["server_pss_mb"] > result["server_pss_mb_one"] > result["server_pss_mb_idle"] > 0, result
