"""`python -m tools.screenshots [OUTDIR]`: PNG screenshots of the app (the README's figures; default assets/).

Starts the app and trains the default comparison in presentation mode in Chromium, then writes
    present-1280x720.png   presentation mode on a 1280x720 projector
    live.png               presentation mode at 1500x1000 (the README's main figure)
    live-normal.png        the live page with its sidebar, paused, at 1500x1000 (interactive charts)
    spectral.png, anatomy.png, physics.png, lessons.png   the other pages at 1500x1000 (full page)
    picture-present.png, picture.png   the Picture page after 45 s of training: presentation mode
                           at 1280x720, and the full page at 1500x1000
Needs Debian's Chromium (docs/install.md); takes a few minutes.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from tools.browser import ARGS, CHROMIUM, epochs, open_page, server, wait_for, wait_idle

STEPS = 1500
PAGES = {"spectral": "Spectral bias over time", "anatomy": "Anatomy of a shallow net", "physics": "PINNs and operators",
         "lessons": "Lessons"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", nargs="?", default="assets", metavar="OUTDIR", help="folder the PNGs are written to (default: assets)")
    out = p.parse_args(argv).out
    os.makedirs(out, exist_ok=True)
    from playwright.sync_api import sync_playwright
    with server() as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = open_page(browser, url + f"/?present=1&steps={STEPS}", 1280, 720)
        wait_for(lambda: len(epochs(page)) == 2, 90)
        page.get_by_role("button", name="Play").click()
        wait_for(lambda: min(epochs(page) or [0]) >= STEPS, 600, interval=1.0)
        time.sleep(3)
        page.screenshot(path=os.path.join(out, "present-1280x720.png"))
        page.set_viewport_size({"width": 1500, "height": 1000})
        time.sleep(3)
        page.screenshot(path=os.path.join(out, "live.png"))
        page.get_by_text("Presentation mode").click()             # leave presentation mode: sidebar and pages
        wait_idle(page)
        wait_for(lambda: page.locator(".js-plotly-plot").count() >= 4, 60)
        time.sleep(3)
        page.screenshot(path=os.path.join(out, "live-normal.png"))
        for name, title in PAGES.items():
            page.get_by_role("link", name=title).click()
            time.sleep(1)
            wait_idle(page, 180_000)
            wait_for(lambda: page.locator("[data-testid=stSpinner]").count() == 0                  # cached sweeps
                     and page.locator("[data-stale=true]").count() == 0, 180)
            time.sleep(4)
            page.screenshot(path=os.path.join(out, f"{name}.png"), full_page=True)
        pictures(browser, url, out)
        browser.close()
    names = ['present-1280x720', 'live', 'live-normal', *PAGES, 'picture-present', 'picture']
    print(f"wrote {', '.join(os.path.join(out, n + '.png') for n in names)}")
    return 0


def pictures(browser, url: str, out: str, seconds: float = 45.0) -> None:
    """The Picture page after `seconds` of training: presentation mode at 1280x720, then the full page
    at 1500x1000."""
    for name, query, size, full in (("picture-present", "?present=1", (1280, 720), False), ("picture", "", (1500, 1000), True)):
        page = open_page(browser, url + "/picture" + query, *size)
        wait_idle(page, 180_000)
        page.get_by_role("button", name="Play").click()
        time.sleep(seconds)
        page.get_by_role("button", name="Pause").click()
        time.sleep(3)
        wait_idle(page, 60_000)
        page.screenshot(path=os.path.join(out, f"{name}.png"), full_page=full)
        page.close()


if __name__ == "__main__":
    sys.exit(main())
