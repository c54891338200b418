"""`python -m tools.dashboard_bench [--seconds S] [--json]`: in-app training speed vs the headless engine.

Starts the real app (streamlit run) and drives it in Debian's Chromium with Playwright: opens the live
page with a fixed config, presses Play, and reads the Epoch metric and the page's refresh counter over
a window. The headless reference trains each model of the same config with repcore alone in this
process (Run.advance, no UI). Printed, measured in one run:
    dashboard_vs_headless = in-app epochs/s per model / headless epochs/s of one model alone
    dashboard_vs_headless_side_by_side = ... / the engine training both models in one process
    dashboard_vs_headless_parallel     = ... / both models in two worker processes without any UI
    refresh_per_s         = chart refreshes per second seen in the browser
Chromium runs on the same machine as the server here, so it competes with training for the CPU; in
a classroom the browser runs on each student's machine.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

from repcore import Run, RunConfig
from repcore.workers import Worker
from tools.browser import ARGS, CHROMIUM, epochs, open_app, server, wait_for

QUERY = {"target": "multiscale", "act": "tanh", "steps": "1000000"}


def headless(cfg: RunConfig, seconds: float) -> float:
    """Epochs per second of one model trained by the engine alone (after a short warm-up)."""
    run = Run(cfg)
    run.advance(20)
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        run.advance(50)
        steps += 50
    return steps / (time.perf_counter() - start)


def headless_pair(cfg: RunConfig, seconds: float) -> float:
    """Epochs per second per model when the engine trains vanilla and RepNet side by side in one
    process (train.lockstep, what `python -m repcore compare` does)."""
    runs = [Run(cfg.replace(model=m)) for m in ("vanilla", "repnet")]
    for r in runs:
        r.advance(20)
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        for r in runs:
            r.advance(50)
        steps += 50
    return steps / (time.perf_counter() - start)


def headless_parallel(cfg: RunConfig, steps: int) -> float:
    """Epochs per second per model when vanilla and RepNet train at once in two worker processes
    with no UI: the same resources the app uses, minus the server and the browser."""
    workers = [Worker(cfg.replace(model=m)) for m in ("vanilla", "repnet")]
    try:
        for w in workers:
            wait_for(lambda w=w: any(k == "snap" for k, _ in w.poll()), 90, interval=0.1)
        start = time.perf_counter()
        for w in workers:
            w.send("step", steps)
        for w in workers:
            wait_for(lambda w=w: any(k == "snap" and s.step >= steps for k, s in w.poll()), 600, interval=0.05)
        return steps / (time.perf_counter() - start)
    finally:
        for w in workers:
            w.close()


def in_app(seconds: float) -> dict:
    from playwright.sync_api import sync_playwright
    with server() as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = open_app(browser, url + "/?" + "&".join(f"{k}={v}" for k, v in QUERY.items()))
        wait_for(lambda: len(epochs(page)) == 2, 90)
        page.get_by_role("button", name="Play").click()
        wait_for(lambda: min(epochs(page) or [0]) > 0, 90)
        time.sleep(3)                                           # past start-up
        def ticks():
            m = re.search(r"refresh #(\d+)", page.inner_text("[data-testid=stMain]"))
            return int(m.group(1)) if m else 0
        e0, t0, r0 = epochs(page), time.perf_counter(), ticks()
        time.sleep(seconds)
        e1, t1, r1 = epochs(page), time.perf_counter(), ticks()
        page.get_by_role("button", name="Pause").click()
        browser.close()
    span = t1 - t0
    per_model = [(b - a) / span for a, b in zip(e0, e1)]
    return {"epochs_per_s": per_model, "refresh_per_s": (r1 - r0) / span}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.dashboard_bench", description=__doc__.split(": ", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=20.0, help="measurement window in seconds (default: 20)")
    p.add_argument("--json", action="store_true", help="print the ratios as one JSON object")
    args = p.parse_args(argv)
    if not os.path.exists(CHROMIUM):
        print(f"error: no Chromium at {CHROMIUM}; install Debian's chromium", file=sys.stderr)
        return 2
    import torch
    torch.set_num_threads(1)
    cfg = RunConfig.from_query(QUERY)[0].replace(device="cpu")
    window = min(args.seconds, 10.0)
    # The machine's speed drifts over minutes, so the references sandwich the in-app window.
    ref = [headless(cfg.replace(model=m), window / 2) for m in ("vanilla", "repnet")]
    parallel = headless_parallel(cfg, int(sum(ref) / 2 * window / 2))
    app = in_app(args.seconds)
    parallel = (parallel + headless_parallel(cfg, int(sum(ref) / 2 * window / 2))) / 2
    ref = [(r + headless(cfg.replace(model=m), window / 2)) / 2 for r, m in zip(ref, ("vanilla", "repnet"))]
    pair = headless_pair(cfg, window)
    mean_app = sum(app["epochs_per_s"]) / len(app["epochs_per_s"])
    out = {"config": QUERY, "in_app_epochs_per_s": app["epochs_per_s"], "headless_epochs_per_s": ref,
           "headless_side_by_side_epochs_per_s": pair, "dashboard_vs_headless": mean_app / (sum(ref) / len(ref)),
           "headless_parallel_epochs_per_s": parallel, "dashboard_vs_headless_side_by_side": mean_app / pair,
           "dashboard_vs_headless_parallel": mean_app / parallel, "refresh_per_s": app["refresh_per_s"]}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"config {QUERY}; window {args.seconds:g} s")
        for name, a, h in zip(("vanilla", "repnet"), app["epochs_per_s"], ref):
            print(f"  {name:<8} in-app {a:8.1f} epochs/s   headless {h:8.1f} epochs/s   ratio {a / h:.2f}")
        print(f"  engine side by side (lockstep, one process): {pair:8.1f} epochs/s per model")
        print(f"  engine, two worker processes, no UI:         {parallel:8.1f} epochs/s per model")
        print(f"dashboard_vs_headless {out['dashboard_vs_headless']:.2f} (vs one model alone; goal >= 0.8)   "
              f"vs side by side {out['dashboard_vs_headless_side_by_side']:.2f}   "
              f"vs two processes {out['dashboard_vs_headless_parallel']:.2f}   "
              f"chart refreshes {out['refresh_per_s']:.2f}/s (goal >= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
