"""pytest.ini puts the repository root (repcore, dashboard, tools) and tests/ (helpers.py) on the path; the
workers' fork server finds repcore as installed (`make test`: editable) or through PYTHONPATH. The suite
stops at once if the code would come from another checkout than this one."""
import contextlib
import multiprocessing as mp
import os
import tempfile
from pathlib import Path

import pytest
import torch

import dashboard
import repcore
from tools.browser import address

ROOT = Path(__file__).resolve().parent.parent
torch.set_num_threads(1)
# The server's cap on sessions training at once (dashboard/slots.py; default: half the cores) is not what most
# tests are about, and their AppTest sessions share one process: lifted here, and by the servers they start.
# The tests of the cap set their own (tests/test_slots.py, tests/test_classroom.py).
os.environ.setdefault("REPCORE_MAX_TRAININGS", "64")


def pytest_sessionstart(session):
    elsewhere = [m.__file__ for m in (repcore, dashboard) if Path(m.__file__).resolve().parent.parent != ROOT]
    if elsewhere:
        pytest.exit(f"these tests would run the code in {', '.join(elsewhere)}, not {ROOT}: "
                    f"run them with `make test` (or set PYTHONPATH={ROOT})", returncode=4)


@pytest.fixture
def no_leftover_processes():
    """Fails the test that leaves a training process running (whatever order the tests run in)."""
    from helpers import children_left
    before = {p.pid for p in mp.active_children()}
    yield
    left = children_left(before)
    assert not left, f"training processes left running: {left}"


@pytest.fixture(scope="module")
def chrome():
    """Debian's Chromium through Playwright, one per test module (skips where Playwright is missing)."""
    playwright = pytest.importorskip("playwright.sync_api")
    from tools.browser import ARGS, CHROMIUM
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test keeps what its pages showed: a screenshot of each open page of the `chrome`
    fixture, under $REPCORE_FAILSHOTS (default: the temp folder)/repcore-failures, named in the report; then
    the page is closed (a failed test's page went on training through the next test)."""
    report = (yield).get_result()
    browser = item.funcargs.get("chrome") if report.when == "call" and report.failed else None
    if browser is None:
        return
    folder = Path(os.environ.get("REPCORE_FAILSHOTS", tempfile.gettempdir())) / "repcore-failures"
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    for i, page in enumerate(p for c in browser.contexts for p in c.pages):
        path = folder / f"{item.name}-{i}.png"
        try:
            page.screenshot(path=str(path), full_page=True, timeout=20_000)
            shots.append(f"{path} ({address(page)})")
        except Exception as err:          # a crashed page must not hide the test's own failure
            shots.append(f"{path}: no screenshot ({type(err).__name__})")
        with contextlib.suppress(Exception):     # the test stopped before its own close: its page's training
            page.close()                         # must not load the next tests
    report.sections.append(("screenshots of the open pages", "\n".join(shots) or "no page was open"))
