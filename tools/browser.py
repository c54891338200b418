"""Browser helpers shared by the real-browser tests and the tools (screenshots, dashboard bench): a Streamlit server on loopback and Debian's Chromium
driven by Playwright (never `playwright install`; see README "Test")."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(env: dict | None = None, log_path: str | None = None):
    """A Streamlit server for the app; yields its base URL; stops it (and so its workers) after. Its log goes
    to a file, read when it fails: a pipe nobody reads blocks the server once 64 KiB of warnings fill it."""
    port = free_port()
    log = open(log_path, "w+b") if log_path else tempfile.TemporaryFile()     # kept where a path is given
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", os.path.join(ROOT, "dashboard", "streamlit_app.py"),
                             "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"streamlit did not start: {_tail(log)}") from None
                time.sleep(0.3)
        yield url, proc
        if proc.poll() is not None:
            raise RuntimeError(f"the streamlit server ended by itself (exit code {proc.returncode}): {_tail(log)}")
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _tail(log, n: int = 3000) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")[-n:]


# The bound on every wait for the page (ms): a hang detector, not a speed check. Playwright's own default for a
# locator (30 s) was a third of wait_idle's, so a slow page failed at a click or fill that a wait would have passed.
WAIT_MS = 90_000
TRAINING_PAGES = ("", "picture")       # URL paths of the pages that show two models' Epoch metrics


def open_app(browser, url: str, width: int = 1500, height: int = 1200):
    """A page of the app at `url`, once its first script run is over and, on a training page, once both models'
    first frames are shown: the epoch-0 snapshots arrive after the first run and redraw the whole page
    (streamlit_app.heartbeat), so a click made before they are in races that redraw. Measured with two busy loops
    on the 2 cores: the first frames came 1-2 s after the first run ended in 2 of 3 openings."""
    page = open_page(browser, url, width, height)
    if urllib.parse.urlparse(url).path.strip("/") in TRAINING_PAGES:
        wait_for(lambda: len(epochs(page)) >= 2, WAIT_MS / 1000)
        wait_idle(page)
    return page


def wait_idle(page, timeout: float = WAIT_MS) -> None:
    """Until no script run is in progress. Right after a click this can return before the click's rerun has
    started (the browser learns of it a round trip later): wait for the click's consequence instead."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)


def metric_values(page, label: str) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=stMetric]",
        "(els, label) => els.filter(e => e.querySelector('[data-testid=stMetricLabel]')?.innerText.trim() === label)"
        ".map(e => e.querySelector('[data-testid=stMetricValue]').innerText.trim())", label)


def address(page) -> str:
    """The URL in the page's address bar, read from the page. Not page.url: the sync API updates that only while
    it handles the browser's events, which a loop of sleeps and property reads never does (under load a URL that
    history.pushState had changed read stale for the whole 60-s wait)."""
    return page.evaluate("location.href")


def epochs(page) -> list[int]:
    return [int(v.replace(",", "")) for v in metric_values(page, "Epoch")]


def wait_for(predicate, timeout: float, interval: float = 0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def steady(page, timeout: float = 15) -> list[int]:
    """The epochs shown once they stop changing for a second (a Pause settles within seconds)."""
    last, deadline = epochs(page), time.time() + timeout
    while time.time() < deadline:
        time.sleep(1.0)
        now = epochs(page)
        if now == last:
            return now
        last = now
    return last


def paused_alike(lecturer, watchers) -> list[int] | None:
    """The lecturer's epochs once every watcher shows them and says it is paused there (its Pause has reached
    them), else None. Not `steady`: a page still settling its Pause under load can show one epoch for over a
    second (a loaded suite: the lecturer "settled" below the epoch it paused at; the watchers, right, never matched)."""
    now = epochs(lecturer)
    said = f"paused at epoch {now[0]:,} " if now else None
    if now and all(epochs(w) == now and said in w.locator("[data-testid=stMain]").inner_text() for w in watchers):
        return now
    return None


def open_page(browser, url: str, width: int = 1500, height: int = 1200):
    """A page at `url` and a chosen viewport (1280x720: a common projector), once its first run is over;
    every wait on it (a locator's click or fill included) is bounded by WAIT_MS."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    wait_idle(page)
    return page


def image_charts(page) -> list[dict]:
    """The SVG chart images (st.image) on the page: for each, its box in the viewport, the SVG's text
    sizes as rendered (font-size x shown width / viewBox width, in px) and its text."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid=stImage] img')]
        .filter(img => img.src.startsWith('data:image/svg+xml;base64,')).map(img => {
            const doc = new DOMParser().parseFromString(atob(img.src.split(',')[1]), 'image/svg+xml');
            const box = doc.documentElement.getAttribute('viewBox').split(' ').map(Number);
            const r = img.getBoundingClientRect(), k = r.width / box[2];
            const texts = [...doc.querySelectorAll('text')];
            return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                    text_px: texts.map(t => Number(t.getAttribute('font-size')) * k),
                    text: texts.map(t => t.textContent).join(' | ')};
        })""")


def scrolls(page) -> bool:
    """Whether the app's main area needs scrolling (its content is taller than the viewport)."""
    return page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]'); return m.scrollHeight > m.clientHeight + 1; }")
