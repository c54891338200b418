"""Size, time per frame and memory of `runs export --animation` (docs/library.md's table).

    python -m tools.animation_bench                 # the default run, 200 frames per model (trained here, ~1 min)
    python -m tools.animation_bench --live          # the live page's default run as Save run keeps it (LiveSession)
    python -m tools.animation_bench --run FILE.zip  # any run file
    ... [--sizes 1280x720,960x540] [--out DIR]      # keep the GIFs in DIR (default: a temporary folder)

Each size is rendered in a fresh process, so its peak resident memory is its own.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

from repcore import Run, RunConfig
from repcore.library import animation
from repcore.library.runfile import SavedModel, SavedRun, read_file, write_file
from repcore.train import lockstep

REFRESH_S = 0.5          # dashboard/views/live.py (importing the page would run it)


def default_run() -> SavedRun:
    """vanilla + RepNet at RunConfig() (2000 epochs), a snapshot every 10: 201, kept as 200 (MAX_SNAPSHOTS)."""
    cfgs = [RunConfig(model=m, every=10) for m in ("vanilla", "repnet")]
    runs, frames = [Run(c) for c in cfgs], [[], []]
    for snaps in lockstep(runs):
        for f, s in zip(frames, snaps):
            f.append(s)
    return SavedRun("multiscale: vanilla vs RepNet", [SavedModel(c.model, c, f[:1] + f[2:], r.weights())
                                                      for c, f, r in zip(cfgs, frames, runs)])


def live_run() -> SavedRun:
    """The live page's defaults trained by LiveSession, polled at the page's refresh, saved at the end."""
    from dashboard.saving import record
    from dashboard.session import LiveSession
    cfg, live = RunConfig(), LiveSession()
    live.configure({m: cfg.replace(model=m) for m in ("vanilla", "repnet")})
    try:
        while not all(lane.latest for lane in live.lanes.values()):
            live.poll()
            time.sleep(0.1)
        live.play()
        while not all(lane.latest.step >= cfg.steps for lane in live.lanes.values()):
            live.poll()
            time.sleep(REFRESH_S)
        return record(live, "multiscale: vanilla vs RepNet (live page defaults)")
    finally:
        live.close()


def measure(path: str, size: str, out: str) -> None:
    """One line: frames, bytes, seconds per frame, peak memory over the loaded run."""
    run = read_file(path)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    start = time.perf_counter()
    n = animation.write(run, out, size=animation.parse_size(size))
    seconds, frames = time.perf_counter() - start, len(animation.timeline(run))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"{size}: {frames} frames, {n / 1e6:.2f} MB ({n / 1e3 / frames:.1f} KB a frame), {seconds:.1f} s = "
          f"{1000 * seconds / frames:.0f} ms a frame, peak RSS {peak:.0f} MB ({peak - base:+.0f} MB over the loaded run)")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m tools.animation_bench", description=__doc__.splitlines()[0])
    p.add_argument("--run", help="a run file (default: train the default run)")
    p.add_argument("--live", action="store_true", help="the live page's default run, saved as Save run does")
    p.add_argument("--sizes", default="1280x720,960x540")
    p.add_argument("--out", default=None)
    p.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)       # internal: RUN SIZE OUT, in a fresh process
    args = p.parse_args(argv)
    if args.measure:
        return measure(*args.measure)
    out = args.out or tempfile.mkdtemp(prefix="animation-")
    os.makedirs(out, exist_ok=True)
    path = args.run
    if path is None:
        path = os.path.join(out, "live.zip" if args.live else "default.zip")
        write_file(live_run() if args.live else default_run(), path)
    print(f"{path} ({os.uname().nodename}, load {os.getloadavg()[0]:.1f})")
    for size in args.sizes.split(","):
        gif = os.path.join(out, f"{os.path.basename(path)[:-4]}-{size}.gif")
        subprocess.run([sys.executable, "-m", "tools.animation_bench", "--measure", path, size, gif], check=True)


if __name__ == "__main__":
    main()
