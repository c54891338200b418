"""`python -m repcore.bench [--quick] [--json]`: speed ratios, each measured within one run.

The machine is shared and noisy, so only ratios of interleaved measurements are reported: blocks of A
and B alternate, each block's time per step is recorded, and the ratio of medians is printed.
    noise_floor         A/A: a bare loop against an identical one (how far from 1 noise alone goes)
    engine_vs_bare      streamed training (train(), snapshots every `every` steps) / a bare PyTorch
                        loop of the same model on the same data
    repnet_vs_vanilla   RepNet step / vanilla step (bare loops), per activation and width
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import torch

from .config import RunConfig
from .train import Run, train

BASE = RunConfig(target="multiscale", width=100, depth=3, steps=10**6, every=100)


def bare_loop(run: Run, steps: int) -> float:
    """Seconds for `steps` plain Adam steps on run's net and data: the reference loop."""
    net, x, y, opt = run.net, run.problem.x, run.problem.y, run.opt
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = (net(x) - y).pow(2).mean()
        loss.backward()
        opt.step()
    if run.device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def streamed(stream, steps: int, every: int) -> float:
    """Seconds for the next `steps` steps of a running train() stream, snapshots included."""
    start = time.perf_counter()
    for _ in range(steps // every):
        next(stream)
    return time.perf_counter() - start


def interleaved(a, b, blocks: int) -> tuple[float, float]:
    """Alternate a() and b() (each returns seconds per step), swapping which goes first every block
    so that order effects cancel; medians of each."""
    ta, tb = [], []
    for i in range(blocks):
        if i % 2:
            tb.append(b())
            ta.append(a())
        else:
            ta.append(a())
            tb.append(b())
    return statistics.median(ta), statistics.median(tb)


def engine_vs_bare(cfg: RunConfig, steps: int, blocks: int) -> dict:
    """Both in steady state: one long-lived stream and one long-lived bare model, same config."""
    run, stream = Run(cfg), train(cfg)
    bare_loop(run, 20)                             # warm-up
    next(stream), streamed(stream, cfg.every, cfg.every)
    t_eng, t_bare = interleaved(lambda: streamed(stream, steps, cfg.every) / steps, lambda: bare_loop(run, steps) / steps, blocks)
    return {"engine_ms": 1e3 * t_eng, "bare_ms": 1e3 * t_bare, "ratio": t_eng / t_bare}


def noise_floor(cfg: RunConfig, steps: int, blocks: int) -> dict:
    """A/A: the same bare loop against itself, interleaved. Ratios within this of 1 are noise."""
    a, b = Run(cfg), Run(cfg)
    bare_loop(a, 20), bare_loop(b, 20)
    t_a, t_b = interleaved(lambda: bare_loop(a, steps) / steps, lambda: bare_loop(b, steps) / steps, blocks)
    return {"a_ms": 1e3 * t_a, "b_ms": 1e3 * t_b, "ratio": t_a / t_b}


def repnet_vs_vanilla(cfg: RunConfig, steps: int, blocks: int) -> dict:
    rep, van = Run(cfg.replace(model="repnet")), Run(cfg.replace(model="vanilla"))
    bare_loop(rep, 20), bare_loop(van, 20)
    t_rep, t_van = interleaved(lambda: bare_loop(rep, steps) / steps, lambda: bare_loop(van, steps) / steps, blocks)
    return {"repnet_ms": 1e3 * t_rep, "vanilla_ms": 1e3 * t_van, "ratio": t_rep / t_van}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m repcore.bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs, numbers are rough")
    p.add_argument("--json", action="store_true")
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)
    steps, blocks = (20, 3) if args.quick else (200, 15)
    base = BASE.replace(device=args.device, every=10 if args.quick else 100)
    widths = (32,) if args.quick else (64, 128, 256)
    out: dict = {"device": str(Run(base.replace(steps=1)).device), "torch": torch.__version__, "threads": torch.get_num_threads()}
    out["noise_floor"] = noise_floor(base.replace(act="relu"), steps, blocks)["ratio"]
    out["engine"] = {act: engine_vs_bare(base.replace(act=act), steps, blocks) for act in ("relu", "tanh")}
    out["repnet"] = {f"{act}-w{w}": repnet_vs_vanilla(base.replace(act=act, width=w), steps, blocks)
                     for act in ("relu", "tanh") for w in widths}
    out["engine_vs_bare"] = max(v["ratio"] for v in out["engine"].values())
    out["repnet_vs_vanilla"] = max(v["ratio"] for v in out["repnet"].values())
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"device {out['device']}, torch {out['torch']}, {out['threads']} thread(s); ratios of medians over {blocks} interleaved blocks of {steps} steps")
    print(f"A/A noise floor (bare / bare, relu): {out['noise_floor']:.3f}")
    print(f"{'streamed / bare loop':<28} {'engine ms':>10} {'bare ms':>9} {'ratio':>7}   (goal <= 1.05)")
    for k, v in out["engine"].items():
        print(f"  {k:<26} {v['engine_ms']:>10.3f} {v['bare_ms']:>9.3f} {v['ratio']:>7.3f}")
    print(f"{'RepNet / vanilla step':<28} {'RepNet ms':>10} {'van. ms':>9} {'ratio':>7}   (goal <= 1.10)")
    for k, v in out["repnet"].items():
        print(f"  {k:<26} {v['repnet_ms']:>10.3f} {v['vanilla_ms']:>9.3f} {v['ratio']:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
