"""`python -m tools.journey [OUTDIR] [--journey NAME ...] [--size WxH]`: a lecture's journeys through the app in
Chromium, a screenshot of the whole screen after every move (OUTDIR/<journey>-<nn>-<move>.png, not committed)
and, after every move, the checks of tools/screen.py: no error box, exception or object text, nothing past
the viewport in presentation mode, charts inside it, chart text large enough, every model at the same
epoch, and the values shown (formula, activation, k, ν, epoch) equal to the settings the journey asked for
(an oracle from the engine: repcore's targets and slope-scale rule). Prints each move's findings; exit
status 1 if any. tests/test_journeys.py runs the same journeys and asserts a clean screen after each move.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time

from repcore import RunConfig
from repcore.estimates import auto_slope_scale
from repcore.targets import PRESETS, resolve, top_frequency
from tools.browser import ARGS, CHROMIUM, epochs, open_page, server, wait_for, wait_idle
from tools.screen import popover_values, problems, shown, sidebar_values

LESSON_2 = {"target": "sine", "freq": "4", "act": "relu", "steps": "3000"}        # dashboard/lessons.json, "Turn up the frequency"
LESSON_1 = {"target": "multiscale", "act": "tanh", "steps": "3000"}              # "The frequency principle"


def expected(query: dict) -> dict:
    """What the screen must show for these settings, from the engine (not from the page's own code)."""
    cfg, _ = RunConfig.from_query({k: v for k, v in query.items() if k in RunConfig.__dataclass_fields__})
    target = resolve(cfg.target, cfg.freq, cfg.domain)
    nu = cfg.slope_scale if cfg.slope_scale is not None else auto_slope_scale(top_frequency(target))
    return {"formula": target.text, "act": cfg.act, "nu": f"{nu:.1f}" + (" (auto)" if cfg.slope_scale is None else ""),
            "k": float(cfg.freq if cfg.freq is not None else PRESETS.get(cfg.target).k)}


class Walk:
    """One journey in one browser page: `move(label)` after each action settles, shoots and checks."""

    def __init__(self, browser, url: str, path: str, out: str | None, name: str, present: bool, size=(1280, 720), models: int = 2):
        self.page = open_page(browser, url + path, *size)
        self.out, self.name, self.present, self.size, self.models = out, name, present, size, models
        self.n, self.findings = 0, []
        wait_for(lambda: len(epochs(self.page)) == models, 120)

    def click(self, name: str, where: str = "[data-testid=stMain]") -> None:
        self.page.locator(where).get_by_role("button", name=name, exact=True).first.click(timeout=60_000)
        self.page.mouse.move(self.size[0] - 5, self.size[1] - 5)      # no tooltip over the screen
        self.idle()

    def idle(self) -> None:
        """The run a move started is over (it may not have begun when the click returns)."""
        try:
            self.page.wait_for_selector("[data-testid=stApp][data-test-script-state=running]", timeout=1500)
        except Exception as err:        # playwright's TimeoutError: over already, or a move without a rerun
            if type(err).__name__ != "TimeoutError":
                raise
        wait_idle(self.page)

    def move(self, label: str, expect: dict | None = None, settle: float = 0.5) -> dict:
        time.sleep(settle)
        wait_idle(self.page)
        wait_for(lambda: len(epochs(self.page)) == self.models, 60)          # a restart's first frame
        wait_for(lambda: self.page.locator("[data-testid=stSkeleton]").count() == 0, 20)    # every element drawn
        self.n += 1
        if self.out:
            slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
            self.page.screenshot(path=os.path.join(self.out, f"{self.name}-{self.n:02d}-{slug}.png"))
        found = problems(self.page, self.present, *self.size)
        values = shown(self.page)
        if len(set(values["epochs"])) > 1 and not self._same_epoch_soon():
            found.append(f"models at different epochs: {values['epochs']}")
        if expect:
            found += [f"{key} shown {values[key]!r}, trained {expect[key]!r}" for key in ("formula", "act", "nu")
                      if values[key] != expect[key]]
            if values["ks"] and expect["k"] not in values["ks"]:
                found.append(f"error chart labels k = {values['ks']}, trained k = {expect['k']:g}")
        self.findings.append((label, found))
        return values

    def _same_epoch_soon(self) -> bool:
        """Playing, the two Epoch metrics are redrawn one after the other: equal within a redraw or two."""
        return bool(wait_for(lambda: len(set(epochs(self.page))) == 1, 3, interval=0.1))

    def still(self, seconds: float = 3.0) -> list[int]:
        """The epochs, checked not to move for `seconds` (after Pause, a Step, the end of the budget)."""
        first = epochs(self.page)
        deadline = time.time() + seconds
        while time.time() < deadline:
            time.sleep(0.5)
            if epochs(self.page) != first:
                self.findings.append((f"still for {seconds:g} s", [f"epochs moved: {first} -> {epochs(self.page)}"]))
                break
        return first

    def play_for(self, seconds: float, at_least: int = 1) -> None:
        self.click("Play")
        wait_for(lambda: min(epochs(self.page) or [0]) >= at_least, 120)
        time.sleep(seconds)

    def play_pause_step(self, query: dict) -> None:
        """The first moves of every lesson: Play for 2 s, Pause (both models at once), Step (one more snapshot)."""
        self.play_for(2.0)
        self.move("play", expected(query), settle=0)
        self.click("Pause")
        paused = self.move("pause", expected(query), settle=0)["epochs"]
        self.still(3.0)
        self.click("Step")
        wait_for(lambda: epochs(self.page) == [paused[0] + 100] * 2, 60)
        self.move("step", expected(query))

    def settings(self, change=None) -> dict | None:
        """Open the Settings popover (presentation mode), make `change(page)`, read its values, close it."""
        self.page.get_by_role("button", name="Settings").click()
        self.idle()
        wait_for(lambda: (popover_values(self.page) or {}).get("act"), 30)
        if change:
            change(self.page)
            wait_idle(self.page)
            time.sleep(1.0)
            wait_idle(self.page)
        values = popover_values(self.page)
        return values

    def close_popover(self) -> None:
        self.page.keyboard.press("Escape")
        wait_for(lambda: popover_values(self.page) is None, 10)
        wait_idle(self.page)


def controls_for(query: dict) -> dict:
    """What the lecture controls must show for these settings (as screen.popover_values reads them)."""
    return {"target": query["target"], "k": expected(query)["k"], "nu_auto": "slope_scale" not in query,
            "nu": float(query["slope_scale"]) if "slope_scale" in query else None, "act": query["act"]}


def check_popover(w: Walk, label: str, values: dict | None, query: dict, where: str = "Settings popover") -> None:
    """The controls show the settings trained (`query`), as a lecturer must see them before touching one."""
    if values != controls_for(query):
        w.findings.append((label, [f"the {where} shows {values}, trained {controls_for(query)}"]))


def slide(label: str, presses: int, where: str = "[data-testid=stPopoverBody]"):
    """A change: move the slider named `label` by `presses` steps with the keyboard (as a person's arrows)."""
    def change(page):
        box = page.locator(f"{where} input[type=range][aria-label^='{label}']").first
        box.focus()
        for _ in range(abs(presses)):
            box.press("ArrowRight" if presses > 0 else "ArrowLeft")
    return change


def press(text: str, where: str = "[data-testid=stPopoverBody]"):
    return lambda page: page.locator(where).get_by_text(text, exact=True).first.click()


def lesson_in_presentation(browser, url, out, size=(1280, 720)) -> Walk:
    """Lesson 2 from its presentation link: Play, Pause, Step, every lecture setting in the popover, Reset."""
    query = dict(LESSON_2)
    w = Walk(browser, url, "/?" + "&".join(f"{k}={v}" for k, v in {**query, "present": "1", "lesson": "1"}.items()),
             out, "present", True, size)
    w.move("open the lesson link", expected(query))
    w.play_pause_step(query)
    for label, change, update, said in (
            ("k 4 to 10", slide("Target frequency", 6), {"freq": "10"}, "k 4 → 10"),
            ("slope scale fixed", press("Slope scale ν (RepNet): auto"), {"slope_scale": "30"}, "ν auto → 30"),
            ("slope scale auto", press("Slope scale ν (RepNet): auto"), {"slope_scale": None}, "ν 30 → auto"),
            ("activation tanh", press("tanh"), {"act": "tanh"}, "activation relu → tanh")):
        w.click("Step")
        wait_for(lambda: min(epochs(w.page) or [0]) >= 100, 60)
        check_popover(w, f"settings before {label}", w.settings(), query)
        query = {k: v for k, v in {**query, **update}.items() if v is not None}
        change(w.page)
        wait_idle(w.page)
        time.sleep(1.0)
        wait_idle(w.page)
        check_popover(w, f"settings after {label}", popover_values(w.page), query)
        w.close_popover()
        w.move(label, expected(query))
        notice = re.search(r"Settings changed \(([^)]*)\)", w.page.inner_text("[data-testid=stMain]"))
        if not notice or notice.group(1) != said:
            w.findings.append((label, [f"the notice says {notice and notice.group(0)!r}, not just {said!r}"]))
    w.play_for(2.0)
    w.click("Reset")
    w.move("reset", expected(query))
    return w


def lesson_in_normal_mode(browser, url, out, size=(1280, 720)) -> Walk:
    """Lesson 1 opened from the Lessons page in normal mode: Play, Pause, Step, k in the sidebar, Reset, the
    spectral page (Play, Pause there) and back, Save run, then its replay in the Run library."""
    query = dict(LESSON_1)
    w = Walk(browser, url, "/lessons", out, "normal", False, size, models=0)
    w.page.get_by_role("button", name="Open").first.click()
    w.idle()
    w.models = 2
    sidebar = lambda label: check_popover(w, label, sidebar_values(w.page), query, "sidebar")   # noqa: E731
    w.move("open lesson 1", expected(query))
    sidebar("open lesson 1")
    w.play_pause_step(query)
    sidebar("step")
    slide("Target frequency", -5, "[data-testid=stSidebar]")(w.page)
    query["freq"] = "20"
    w.idle()
    w.move("k 25 to 20 in the sidebar", expected(query))
    sidebar("k 25 to 20 in the sidebar")
    w.play_for(2.0)
    w.click("Reset")
    w.move("reset", expected(query))
    sidebar("reset")
    w.page.get_by_role("link", name="Spectral bias over time").click()
    w.idle()
    w.move("spectral page")
    w.play_for(3.0)
    w.click("Pause")
    at = w.move("spectral page paused")["epochs"]
    w.page.get_by_role("link", name="Live comparison").click()
    w.idle()
    back = w.move("back on the live page", expected(query))["epochs"]
    sidebar("back on the live page")
    if back != at:
        w.findings.append(("back on the live page", [f"epochs {back} here, {at} on the spectral page"]))
    w.page.get_by_role("button", name="Save run").click()
    w.page.get_by_label("Name").fill("journey")
    w.click("Save", "[data-testid=stPopoverBody]")
    wait_for(lambda: w.page.get_by_text("Saved as #").count() > 0, 60)
    w.move("saved")
    w.page.keyboard.press("Escape")
    w.page.get_by_role("link", name="Run library").click()
    w.idle()
    w.move("run library")
    w.click("Play")
    time.sleep(5)
    w.move("replay playing", settle=0)
    w.page.get_by_text("fast", exact=True).click()
    wait_for(lambda: w.page.get_by_role("button", name="Play", exact=True).count() == 1, 60)
    w.move("replay at its end")
    return w


def picture(browser, url, out, size=(1280, 720)) -> Walk:
    """The Picture page in normal mode and in presentation mode: Play, Pause (it crashed paused), Reset."""
    w = Walk(browser, url, "/picture?width=24&depth=2", out, "picture", False, size)
    w.move("open")
    w.play_for(4.0)
    w.move("play", settle=0)
    w.click("Pause")
    w.move("pause")
    w.still(3.0)
    w.click("Reset")
    w.move("reset")
    w.click("Present")
    w.present = True
    w.play_for(4.0)
    w.click("Pause")
    w.move("presentation paused")
    return w


def budget_end(browser, url, out, size=(1280, 720)) -> Walk:
    """A short budget played to its end: Finished is said and Play offers Continue; Continue trains on."""
    w = Walk(browser, url, "/?steps=300&width=16&present=1", out, "budget", True, size)
    w.click("Play")
    wait_for(lambda: epochs(w.page) == [300, 300] and w.page.get_by_role("button", name="Continue").count() == 1, 120)
    w.move("the budget reached")
    if "Finished: every model reached the budget of 300 epochs" not in w.page.inner_text("[data-testid=stMain]"):
        w.findings.append(("the budget reached", ["the end of the budget is not said"]))
    w.click("Continue")
    wait_for(lambda: epochs(w.page) == [600, 600], 120)
    w.move("continued to 600")
    return w


JOURNEYS = {"present": lesson_in_presentation, "normal": lesson_in_normal_mode, "picture": picture, "budget": budget_end}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.journey",
        description="A lecture's journeys through the app in Chromium (presentation and normal mode, the Picture "
                    "page, a budget's end): a screenshot after every move and the whole-screen checks of "
                    "tools/screen.py. Exit status 1 if any move leaves a screen that is not clean.")
    parser.add_argument("outdir", nargs="?", default=os.path.join(tempfile.gettempdir(), "journey-shots"),
                        help="folder for the screenshots (created; not for committing; default: journey-shots in the temp folder)")
    parser.add_argument("--journey", action="append", choices=sorted(JOURNEYS), help="run only these (repeatable; default all)")
    parser.add_argument("--size", default="1280x720", help="viewport WIDTHxHEIGHT (default 1280x720, a projector)")
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split("x") if v.isdigit())
    if len(size) != 2 or min(size) < 1 or args.size.lower().count("x") != 1:
        parser.error(f"--size: {args.size!r} is not WIDTHxHEIGHT, e.g. 1280x720")
    os.makedirs(args.outdir, exist_ok=True)
    from playwright.sync_api import sync_playwright
    bad = 0
    with tempfile.TemporaryDirectory() as tmp, server({"REPCORE_LIBRARY": os.path.join(tmp, "runs.sqlite3")}) as (url, _), \
            sync_playwright() as p:        # a library of its own: never the user's
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name in args.journey or JOURNEYS:
            walk = JOURNEYS[name](browser, url, args.outdir, size)
            for label, found in walk.findings:
                bad += bool(found)
                print(f"{name}: {label}: " + ("clean" if not found else "; ".join(found)))
            walk.page.close()
        browser.close()
    print(f"screenshots in {args.outdir}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
