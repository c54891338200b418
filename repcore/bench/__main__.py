"""`python -m repcore.bench [--quick] [--json] [--device cpu|cuda] [--dashboard] [--batched]`: speed ratios,
each measured within one run (see measure.py for how).

    noise_floor          A/A: a bare loop against an identical one
    engine_vs_bare       streamed training (snapshots every 100 steps) / a bare PyTorch loop, same model
    repnet_vs_vanilla    RepNet step / vanilla step, per activation and width (the worst is reported)
    side_by_side_vs_one  vanilla + RepNet side by side / one model alone (wall time per step), in two
                         processes (the default for `compare` and experiments) and in one
    scaling              step time against training points and width
    worker_start         seconds to the first snapshot of 8 training processes started at once,
                         forked from the warm fork server / spawned (each importing torch)
    cuda                 on a GPU: the same ratios there, and CPU / CUDA step time
    compiled_vs_eager    --compile: torch.compile'd network / eager, after warm-up (slow to run)
    batched              --batched (only this row): trials per second, K trials one after another / stacked
                         as one network (experiments/stacked.py), K = 1, 4, 16, 64 at (width, points) SHAPES
    dashboard_vs_headless  --dashboard: runs `python -m tools.dashboard_bench --json` (real app in Chromium)
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

import torch

from ..config import RunConfig
from ..device import resolve
from . import measure as B

BASE = RunConfig(target="multiscale", width=100, depth=3, steps=10**6, every=100)
SHAPES = ((32, 256), (32, 1000), (100, 1000))      # (width, points) of the batched row


def measure(quick: bool, device: str, compile_: bool = False) -> dict:
    steps, blocks = (20, 3) if quick else (200, 15)
    base = BASE.replace(device=device, every=10 if quick else 100)
    widths = (32,) if quick else (64, 128, 256)
    out: dict = {"device": str(resolve(device)), "torch": torch.__version__, "threads": torch.get_num_threads()}
    out["noise_floor"] = B.noise_floor(base.replace(act="relu"), steps, blocks)["ratio"]
    out["engine"] = {act: B.engine_vs_bare(base.replace(act=act), steps, blocks) for act in ("relu", "tanh")}
    out["repnet"] = {f"{act}-w{w}": B.repnet_vs_vanilla(base.replace(act=act, width=w), steps, blocks)
                     for act in ("relu", "tanh") for w in widths}
    out["side_by_side"] = B.side_by_side(base.replace(act="tanh"), 40 if quick else 1000)
    out["scaling"] = B.scaling(base.replace(act="tanh"), (250, 1000) if quick else (250, 1000, 4000),
                               (32,) if quick else (32, 100, 256), 5 if quick else 50)
    out["worker_start"] = B.worker_start(base.replace(act="tanh"), 2 if quick else 8)
    out["engine_vs_bare"] = max(v["ratio"] for v in out["engine"].values())
    out["repnet_vs_vanilla"] = max(v["ratio"] for v in out["repnet"].values())
    out["side_by_side_vs_one"] = out["side_by_side"]["processes_vs_one"]
    if torch.cuda.is_available():
        out["cuda"] = B.cuda_vs_cpu(base.replace(act="tanh", device="cpu"), 20 if quick else 300)   # every <= steps
    if compile_:
        out["compiled"] = B.compiled_vs_eager(base.replace(act="tanh"), steps, blocks)
        out["compiled_vs_eager"] = out["compiled"]["ratio"]
    return out


def measure_batched(quick: bool, device: str) -> dict:
    ks, shapes, steps, blocks = ((1, 4, 16), ((32, 256),), 5, 1) if quick else ((1, 4, 16, 64), SHAPES, 10, 3)
    rows = B.batched_vs_unbatched(BASE.replace(act="tanh", device=device), ks, shapes, steps, blocks)
    name = torch.cuda.get_device_name(0) if resolve(device).type == "cuda" else "cpu"
    return {"device": str(resolve(device)), "device_name": name, "torch": torch.__version__, "threads": torch.get_num_threads(),
            "batched": rows}


def report_batched(out: dict) -> None:
    print(f"batched trials on {out['device_name']} (torch {out['torch']}, {out['threads']} thread(s)); RepNet, tanh, depth 3; "
          f"a trial = {out['batched'][0]['steps']} Adam steps")
    print(f"  {'width':>5} {'points':>6} {'K':>4} {'unbatched trials/s':>19} {'batched trials/s':>17} {'speedup':>8}")
    for r in out["batched"]:
        print(f"  {r['width']:>5} {r['points']:>6} {r['K']:>4} {r['unbatched_trials_per_s']:>19.2f} "
              f"{r['batched_trials_per_s']:>17.2f} {r['speedup']:>8.2f}")


def report(out: dict) -> None:
    print(f"device {out['device']}, torch {out['torch']}, {out['threads']} thread(s); ratios of medians of interleaved blocks")
    print(f"A/A noise floor (bare / bare, relu): {out['noise_floor']:.3f}")
    print(f"{'streamed / bare loop':<28} {'engine ms':>10} {'bare ms':>9} {'ratio':>7}   (goal <= 1.05)")
    for k, v in out["engine"].items():
        print(f"  {k:<26} {v['engine_ms']:>10.3f} {v['bare_ms']:>9.3f} {v['ratio']:>7.3f}")
    print(f"{'RepNet / vanilla step':<28} {'RepNet ms':>10} {'van. ms':>9} {'ratio':>7}   (goal <= 1.10)")
    for k, v in out["repnet"].items():
        print(f"  {k:<26} {v['repnet_ms']:>10.3f} {v['vanilla_ms']:>9.3f} {v['ratio']:>7.3f}")
    sb = out["side_by_side"]
    print(f"side by side (tanh), ms/step: one alone {sb['one_ms']:.2f}, two in two processes {sb['processes_ms']:.2f} "
          f"({sb['processes_vs_one']:.2f}x, goal <= 1.6), two in one process {sb['serial_ms']:.2f} ({sb['serial_vs_one']:.2f}x)")
    print("scaling (tanh, bare loop ms/step):  " + "  ".join(f"w{r['width']}/n{r['points']} {r['ms']:.2f}" for r in out["scaling"]))
    ws = out["worker_start"]
    print(f"{ws['workers']} training processes started at once, to their first snapshot: forked {ws['forkserver_s']:.2f} s, "
          f"spawned {ws['spawn_s']:.2f} s ({ws['spawn_vs_forkserver']:.0f}x)")
    if "cuda" in out:
        c = out["cuda"]
        print(f"CUDA on {c['device_name']}: engine/bare {c['engine_vs_bare']:.3f}, RepNet/vanilla {c['repnet_vs_vanilla']:.3f}")
        for r in c["rows"]:
            print(f"  w{r['width']} n{r['points']}: cpu {r['cpu_ms']:.2f} ms, cuda {r['cuda_ms']:.2f} ms, cpu/cuda {r['cpu_vs_cuda']:.1f}x")
    if "compiled" in out:
        c = out["compiled"]
        print(f"torch.compile (tanh): compiled {c['compiled_ms']:.3f} ms, eager {c['eager_ms']:.3f} ms, ratio {c['ratio']:.3f} "
              f"after a {c['warmup_s']:.0f} s warm-up")
    if "dashboard_vs_headless" in out:
        print(f"dashboard: in-app / headless {out['dashboard_vs_headless']:.2f} (goal >= 0.8) at {out['dashboard_refresh_per_s']:.2f} refreshes/s")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m repcore.bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs, numbers are rough")
    p.add_argument("--json", action="store_true")
    p.add_argument("--device", default="cpu")
    p.add_argument("--dashboard", action="store_true", help="also run the in-browser dashboard benchmark (needs Chromium)")
    p.add_argument("--compile", action="store_true", help="also time a torch.compile'd network against eager")
    p.add_argument("--batched", action="store_true", help="only the batched / unbatched trials-per-second row")
    args = p.parse_args(argv)
    if args.batched:
        out = measure_batched(args.quick, args.device)
        print(json.dumps(out)) if args.json else report_batched(out)
        return 0
    out = measure(args.quick, args.device, args.compile)
    if args.dashboard:
        proc = subprocess.run([sys.executable, "-m", "tools.dashboard_bench", "--json", "--seconds", "8" if args.quick else "20"],
                              capture_output=True, text=True, check=False)
        if proc.returncode == 0:
            dash = json.loads(proc.stdout)
            out["dashboard_vs_headless"] = dash["dashboard_vs_headless_parallel"]
            out["dashboard_refresh_per_s"] = dash["refresh_per_s"]
        else:
            print(f"dashboard benchmark failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    if args.json:
        print(json.dumps(out))
    else:
        report(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
