"""`python -m tools.screenshots [OUTDIR]`: PNG screenshots of every page (README figures).

Starts the app, trains the live page for a while in Chromium, then visits each page."""
from __future__ import annotations

import os
import sys
import time

from tools.browser import ARGS, CHROMIUM, epochs, open_app, server, wait_for, wait_idle

PAGES = {"live": "Live comparison", "spectral": "Spectral bias over time", "anatomy": "Anatomy of a shallow ReLU net",
         "physics": "PINNs and operators", "lessons": "Lessons"}


def main(argv: list[str]) -> int:
    out = argv[0] if argv else "assets"
    os.makedirs(out, exist_ok=True)
    from playwright.sync_api import sync_playwright
    with server() as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = open_app(browser, url + "/?target=multiscale&act=tanh&steps=1500")
        wait_for(lambda: len(epochs(page)) == 2, 90)
        page.get_by_role("button", name="Play").click()
        wait_for(lambda: min(epochs(page) or [0]) >= 1500, 240, interval=1.0)
        time.sleep(3)
        page.screenshot(path=os.path.join(out, "live.png"), full_page=True)
        for name, title in list(PAGES.items())[1:]:
            page.get_by_role("link", name=title).click()
            wait_idle(page)
            wait_for(lambda: page.locator("[data-testid=stSpinner]").count() == 0, 120)   # cached sweeps
            time.sleep(4)
            page.screenshot(path=os.path.join(out, f"{name}.png"), full_page=True)
        browser.close()
    print(f"wrote {', '.join(os.path.join(out, n + '.png') for n in PAGES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
