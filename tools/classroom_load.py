"""A classroom on one server, in a real browser: a lecturer and students open the dashboard at once, and
what the server's processes and memory do.

    python -m tools.classroom_load --sessions 12 --watchers 4 --json

starts the app on 127.0.0.1, opens the lecturer's page on the lesson link and shares it (Share live),
then, at once, the other sessions (two thirds on the same lesson link, the rest with settings of their
own) and the watchers (`?watch=CODE`), each a separate browser user at 1280x720. Every session presses
Play; for --seconds the tool watches the pages and samples the server's process tree every second; the
lecturer pauses (the watchers must show the epoch it paused at); then every page closes and the tool
waits for the training processes to end. It prints one JSON object:

    first_frame_s       per page, seconds from opening to a frame with every model's epoch shown
    errors              per page that showed one: its error boxes and exceptions (none: {})
    trainings           peak training processes busy at once from Play on (each >= 3% of a core over 2 x 0.5 s)
    workers_peak        peak training processes alive (busy or paused)
    server_pss_mb       peak proportional set size of the server and all its processes, MB
    server_pss_mb_idle  the same before any page opened (the server has not imported torch yet)
    server_pss_mb_one   the same once the lecturer's page shows its first frame (torch, the fork server, 2 workers)
    pss_per_session_mb  (server_pss_mb - server_pss_mb_one) / (sessions - 1): what each further session adds,
                        the watchers' pages included
    server_cpu_cores    CPU the server process itself used while the sessions trained (its pages, not training)
    queued_sessions     sessions that showed their place in the queue for a training slot
    watchers_followed   every watcher showed the lecturer's epochs and said it paused there (within 120 s of the Pause)
    watchers_followed_s how long after the lecturer's Pause ended its run the lecturer and every watcher agreed
    leftover_processes  training processes alive --idle + 30 s after the pages closed
and the settings and load it ran with. --shots DIR saves the lecturer's and a watcher's page (PNG).
The figures this machine gave are in docs/limits.md. Exit code 2 for a bad option; 1 if the server
or the browser cannot start.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time

from tools.browser import ARGS, CHROMIUM, epochs, paused_alike, server, steady, wait_for, wait_idle
from tools.processes import cpu_s, pss_kb, tree, workers_of

LESSON = "target=multiscale&act=tanh&steps=3000&lesson=0"        # lesson 1, as the Lessons page opens it
# A training process using at least BUSY of a core over two samples in a row trains (one waiting for its page
# uses ~0.1%; one training as fast as a starved page asks, as here where the browsers share the cores, ~5%).
BUSY, SAMPLE_S = 0.03, 0.5
VIEWPORT = {"width": 1280, "height": 720}
PROBLEMS = """() => [...document.querySelectorAll('[data-testid=stException], [data-testid=stAlertContentError]')]
    .map(e => e.innerText.slice(0, 160))"""


def positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m tools.classroom_load", description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=positive, default=12, help="browser sessions that train (default 12; the first is the lecturer)")
    p.add_argument("--watchers", type=positive, default=4, help="pages watching the lecturer's session (default 4)")
    p.add_argument("--seconds", type=positive, default=60, help="how long the sessions train, watched (default 60)")
    p.add_argument("--cap", type=positive, default=None, help="REPCORE_MAX_TRAININGS for the server (default: its own, half the cores)")
    p.add_argument("--idle", type=positive, default=20, help="REPCORE_IDLE_TIMEOUT for the server, seconds (default 20)")
    p.add_argument("--shots", metavar="DIR", help="save the lecturer's and the first watcher's page there (PNG)")
    p.add_argument("--log", metavar="FILE", help="keep the server's log (its workers' tracebacks too) in FILE")
    p.add_argument("--json", action="store_true", help="print only the JSON object")
    args = p.parse_args(argv)
    if args.sessions < 1:
        p.error("--sessions: at least 1 (the lecturer)")
    if args.shots and not os.path.isdir(args.shots):
        p.error(f"--shots: {args.shots} is not a folder")
    return args


class Sampler(threading.Thread):
    """The server's process tree every SAMPLE_S: peak PSS, training processes alive and busy."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop, self.playing = pid, threading.Event(), threading.Event()
        self.pss_mb = self.workers = self.busy = 0
        self.idle_pss_mb = self.sample()[0]

    def sample(self) -> tuple[float, list[int]]:
        return sum(pss_kb(p) for p in tree(self.pid)) / 1024, workers_of(self.pid)

    def run(self) -> None:
        last, t, was = {}, time.monotonic(), set()
        while not self.stop.wait(SAMPLE_S):
            pss, workers = self.sample()
            now = time.monotonic()
            cpu = {w: cpu_s(w) for w in workers}
            busy = {w for w in workers if w in last and (cpu[w] - last[w]) / (now - t) >= BUSY}
            training = len(busy & was)          # busy over two samples running: a handover between sessions counts once
            last, t, was = cpu, now, busy
            self.pss_mb, self.workers = max(self.pss_mb, pss), max(self.workers, len(workers))
            if self.playing.is_set():           # from Play on (a model's start, before, takes a moment of CPU too)
                self.busy = max(self.busy, training)


def measure(args, log) -> dict:
    from playwright.sync_api import sync_playwright
    env = {"REPCORE_IDLE_TIMEOUT": str(args.idle), **({"REPCORE_MAX_TRAININGS": str(args.cap)} if args.cap else {})}
    load0 = os.getloadavg()[0]
    with server(env=env, log_path=args.log) as (url, proc), sync_playwright() as pw:
        sampler = Sampler(proc.pid)
        sampler.start()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        opened, first, errors, queued = {}, {}, {}, set()

        def open_page(name: str, link: str, wait: bool = False):
            page = browser.new_context(viewport=VIEWPORT).new_page()
            opened[name] = (page, time.monotonic())
            page.goto(url + link, wait_until="load" if wait else "commit", timeout=180_000)
            return page

        def look() -> None:
            for name, (page, t0) in opened.items():
                try:
                    shown = epochs(page)
                    problems = page.evaluate(PROBLEMS)
                    if page.get_by_text("Waiting for a training slot").count():
                        queued.add(name)
                except Exception:            # a page mid-navigation: look again next time
                    continue
                if name not in first and len(shown) >= 2:
                    first[name] = round(time.monotonic() - t0, 2)
                if problems:
                    errors.setdefault(name, sorted(set(errors.get(name, [])) | set(problems)))

        lecturer = open_page("session 1 (lecturer)", "/?" + LESSON, wait=True)
        wait_idle(lecturer, 180_000)
        wait_for(lambda: look() or "session 1 (lecturer)" in first, 180)
        one = sampler.sample()[0]
        lecturer.get_by_text("Share live (watch link)").click()
        lecturer.get_by_label("Your name, as watchers see it").fill("Dr. Ada")
        lecturer.keyboard.press("Enter")
        code = wait_for(lambda: next((t.split("watch=")[1].strip() for t in lecturer.locator("[data-testid=stCode]").all_inner_texts()
                                      if "watch=" in t), None), 60)
        log(f"lecturer shares code {code}")
        same = max(0, round(args.sessions * 2 / 3) - 1)
        for i in range(2, args.sessions + 1):
            open_page(f"session {i}", "/?" + LESSON if i - 2 < same else f"/?width={20 + i}&seed={100 + i}&act=relu&steps=3000")
        for i in range(1, args.watchers + 1):
            open_page(f"watcher {i}", f"/?watch={code}")
        wait_for(lambda: look() or len(first) == len(opened), 240, interval=0.2)
        log(f"first frames: {first}")
        sampler.playing.set()
        for name, (page, _) in opened.items():
            if name.startswith("session"):
                page.get_by_role("button", name="Play").click(timeout=120_000)
        start, cpu0 = time.monotonic(), cpu_s(proc.pid)
        while time.monotonic() < start + args.seconds:
            look()
            time.sleep(1.0)
        server_cores = (cpu_s(proc.pid) - cpu0) / (time.monotonic() - start)
        lecturer.get_by_role("button", name="Pause").click()
        wait_idle(lecturer, 60_000)
        watchers = [page for name, (page, _) in opened.items() if name.startswith("watcher")]
        pause_t = time.monotonic()
        paused = wait_for(lambda: paused_alike(lecturer, watchers), 120) if watchers else steady(lecturer)
        followed = bool(paused)
        followed_s = round(time.monotonic() - pause_t, 1) if followed else None
        log(f"lecturer paused at {paused}; watchers {[epochs(w) for w in watchers]}")
        if args.shots:
            lecturer.screenshot(path=os.path.join(args.shots, "classroom-lecturer.png"))
            if watchers:
                watchers[0].screenshot(path=os.path.join(args.shots, "classroom-watcher.png"))
        look()
        reached = {name: epochs(page) for name, (page, _) in opened.items()}
        for page, _ in opened.values():
            page.context.close()
        closed = time.monotonic()
        gone = wait_for(lambda: not workers_of(proc.pid), args.idle + 30)
        left = len(workers_of(proc.pid))
        sampler.stop.set()
        sampler.join()
        browser.close()
        return {"sessions": args.sessions, "watchers": args.watchers, "seconds": args.seconds,
                "cap": args.cap or "server default", "cores": os.cpu_count(),
                "first_frame_s": first, "first_frame_max_s": max(first.values(), default=None),
                "pages_without_frame": sorted(set(opened) - set(first)), "errors": errors,
                "trainings": sampler.busy, "workers_peak": sampler.workers,
                "server_pss_mb": round(sampler.pss_mb), "server_pss_mb_idle": round(sampler.idle_pss_mb),
                "server_pss_mb_one": round(one),
                "pss_per_session_mb": round((sampler.pss_mb - one) / (args.sessions - 1), 1) if args.sessions > 1 else None,
                "server_cpu_cores": round(server_cores, 2),
                "queued_sessions": len(queued), "epochs": reached, "watchers_followed": bool(followed),
                "watchers_followed_s": followed_s,
                "leftover_processes": left, "processes_gone_after_s": round(time.monotonic() - closed, 1) if gone else None,
                "load_1min": [round(load0, 2), round(os.getloadavg()[0], 2)]}


def main(argv=None) -> int:
    args = parse(argv)
    log = (lambda *_: None) if args.json else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        result = measure(args, log)
    except RuntimeError as err:
        print(f"classroom_load: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
