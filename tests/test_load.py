"""Load test on the real server (loopback): 4 browser sessions train at once, each sees only its own
settings, every one advances, and once the tabs close no training process is left."""
import os
import subprocess
import time

import pytest

from tools.browser import ARGS, CHROMIUM, address, epochs, server, wait_for, wait_idle
from tools.processes import workers_of

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)")]
SESSIONS = 4
IDLE = 15         # seconds a worker waits for its page before exiting (REPCORE_IDLE_TIMEOUT; default 20)


def state(pages, pid: int) -> str:
    """What a failure needs to be understood: each page's epochs and messages, the workers, the busiest
    processes on the machine."""
    lines = [f"workers of the server: {len(workers_of(pid))}"]
    for i, pg in enumerate(pages):
        alerts = [t.replace("\n", " ")[:90] for t in pg.locator("[data-testid=stAlert]").all_inner_texts()]
        lines.append(f"page {i}: epochs {epochs(pg)}, messages {alerts}")
    try:
        ps = subprocess.run(["ps", "-eo", "pid,ppid,pcpu,etime,args", "--sort=-pcpu"], capture_output=True, text=True, timeout=10)
        lines += [row[:160] for row in ps.stdout.splitlines()[:12]]
    except (OSError, subprocess.SubprocessError) as err:
        lines.append(f"(ps: {err})")
    return "\n".join(lines)


def test_four_sessions_train_apart_and_leave_nothing_behind():
    with server(env={"REPCORE_IDLE_TIMEOUT": str(IDLE)}) as (url, proc), playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pages = []
        for i in range(SESSIONS):     # every user opens the page, then all press Play (a class does both at once)
            page = browser.new_context(viewport={"width": 1500, "height": 1200}).new_page()   # a separate user
            page.goto(f"{url}/?width={20 + i}&seed={100 + i}&steps=1000000&act=relu")
            wait_idle(page)
            pages.append(page)
        # each user sees the models' first snapshots before pressing Play (a click racing the redraw those
        # trigger once lost Streamlit's widget state; settings.sidebar now survives that, see the AppTest)
        assert wait_for(lambda: all(len(epochs(pg)) == 2 for pg in pages), 90), f"every page should show its models:\n{state(pages, proc.pid)}"
        for page in pages:
            page.get_by_role("button", name="Play").click(timeout=90_000)
        start = time.time()
        assert wait_for(lambda: all(min(epochs(pg) or [0]) > 0 for pg in pages), 180), f"every session should train:\n{state(pages, proc.pid)}"
        first = [epochs(pg) for pg in pages]
        assert len(workers_of(proc.pid)) == 2 * SESSIONS, state(pages, proc.pid)   # two models per session, one process each
        assert wait_for(lambda: all(min(a > b for a, b in zip(epochs(pg), f)) for pg, f in zip(pages, first)), 90), state(pages, proc.pid)
        elapsed = time.time() - start
        for i, pg in enumerate(pages):
            caption = pg.locator("[data-testid=stMain] [data-testid=stCaptionContainer]").first.inner_text()
            assert f"width {20 + i} " in caption and f"seed {100 + i}" in caption, caption
            assert f"width={20 + i}" in address(pg) and f"seed={100 + i}" in address(pg)
        print(f"\n{SESSIONS} sessions advancing within {elapsed:.1f} s; epochs {[epochs(pg) for pg in pages]}")
        for pg in pages:
            pg.context.close()
        closed = time.time()
        assert wait_for(lambda: not workers_of(proc.pid), IDLE + 30), f"workers left: {workers_of(proc.pid)}"
        print(f"all {2 * SESSIONS} training processes gone {time.time() - closed:.1f} s after the tabs closed")
        browser.close()
