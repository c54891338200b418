"""Speed measurements, each a ratio of interleaved timings taken in one process (`python -m repcore.bench` prints them).

The machine is shared and noisy, so blocks of A and B alternate (order swapped every block), each
block's time per step is recorded, and the ratio of medians is reported. noise_floor() is the A/A
check: a bare loop against an identical one.
"""
from __future__ import annotations

import statistics
import time

import torch

from ..config import RunConfig
from ..train import Run, lockstep, train
from ..workers import Worker, parallel_lockstep, warm_up


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


def side_by_side(cfg: RunConfig, steps: int) -> dict:
    """Wall seconds per step for one model alone, and for vanilla + RepNet trained side by side in one
    process (train.lockstep) and in two processes (workers.parallel_lockstep); setup excluded."""
    alone = Run(cfg)
    bare_loop(alone, 20)
    start = time.perf_counter()
    alone.advance(steps)
    t_one = (time.perf_counter() - start) / steps
    pair = [cfg.replace(model=m, steps=steps + 20, every=(steps + 20) // 5) for m in ("vanilla", "repnet")]
    out = {"one_ms": 1e3 * t_one}
    for name, stream in (("serial", lockstep([Run(c) for c in pair])), ("processes", parallel_lockstep(pair))):
        next(stream)                                   # built and ready (process start-up excluded)
        start = time.perf_counter()
        for _ in stream:
            pass
        out[f"{name}_ms"] = 1e3 * (time.perf_counter() - start) / (steps + 20)
        out[f"{name}_vs_one"] = out[f"{name}_ms"] / out["one_ms"]
    return out


def worker_start(cfg: RunConfig, n: int) -> dict:
    """Seconds from starting `n` training processes at once (the dashboard's four sessions start eight)
    to the last one's first snapshot: forked from the warm fork server, and spawned (each a fresh
    interpreter importing torch). The fork server's own one-time start is excluded."""
    warm_up()
    Worker(cfg).close()                      # waits for the fork server's preload: it is warm from here on
    out = {"workers": n}
    for start in ("forkserver", "spawn"):
        t0 = time.perf_counter()
        workers = [Worker(cfg.replace(seed=i), start=start) for i in range(n)]
        try:
            for w in workers:
                w.wait(lambda s: True, 600)
            out[f"{start}_s"] = time.perf_counter() - t0
        finally:
            for w in workers:
                w.close()
    out["spawn_vs_forkserver"] = out["spawn_s"] / out["forkserver_s"]
    return out


def scaling(cfg: RunConfig, points: tuple[int, ...], widths: tuple[int, ...], steps: int) -> list[dict]:
    """Step time (ms) of a bare loop over a grid of training-set sizes and widths."""
    rows = []
    for w in widths:
        for n in points:
            run = Run(cfg.replace(width=w, points=n))
            bare_loop(run, 5)
            rows.append({"width": w, "points": n, "ms": 1e3 * bare_loop(run, steps) / steps})
    return rows


def cuda_vs_cpu(cfg: RunConfig, steps: int) -> dict:
    """CUDA step time, and CPU / CUDA, for a few sizes (only where a GPU is visible)."""
    rows = []
    for w, n in ((100, 1000), (256, 10000), (512, 50000)):
        c = cfg.replace(width=w, points=n)
        cpu, gpu = Run(c.replace(device="cpu")), Run(c.replace(device="cuda"))
        bare_loop(cpu, 3), bare_loop(gpu, 20)
        t_cpu, t_gpu = bare_loop(cpu, max(steps // 10, 5)) / max(steps // 10, 5), bare_loop(gpu, steps) / steps
        rows.append({"width": w, "points": n, "cpu_ms": 1e3 * t_cpu, "cuda_ms": 1e3 * t_gpu, "cpu_vs_cuda": t_cpu / t_gpu})
    return {"device_name": torch.cuda.get_device_name(0), "rows": rows,
            "engine_vs_bare": engine_vs_bare(cfg.replace(device="cuda"), steps, 7)["ratio"],
            "repnet_vs_vanilla": repnet_vs_vanilla(cfg.replace(device="cuda", width=256), steps, 7)["ratio"]}


def compiled_vs_eager(cfg: RunConfig, steps: int, blocks: int) -> dict:
    """torch.compile of the network (forward and backward; Adam stays eager) against the eager net,
    after the compile warm-up, which is reported separately. Decides whether a compiled mode pays."""
    eager, comp = Run(cfg), Run(cfg)
    comp.net = torch.compile(comp.net)
    bare_loop(eager, 20)
    start = time.perf_counter()
    bare_loop(comp, 20)
    warmup = time.perf_counter() - start
    t_c, t_e = interleaved(lambda: bare_loop(comp, steps) / steps, lambda: bare_loop(eager, steps) / steps, blocks)
    return {"compiled_ms": 1e3 * t_c, "eager_ms": 1e3 * t_e, "ratio": t_c / t_e, "warmup_s": warmup}


def batched_vs_unbatched(cfg: RunConfig, ks: tuple[int, ...], shapes: tuple[tuple[int, int], ...], steps: int,
                         blocks: int) -> list[dict]:
    """Trials per second (a trial = `steps` optimizer steps, snapshots excluded) for K trials trained
    one after another (train.Run) and as one stacked network (experiments.batched), per (width, points)
    in `shapes`; interleaved blocks, the same K seeds both ways; speedup = batched / unbatched rate.
    cfg.steps must leave room for every block."""
    from ..experiments.stacked import BatchRun
    rows = []
    for w, n in shapes:
        for k in ks:
            cfgs = [cfg.replace(width=w, points=n, seed=s) for s in range(k)]
            alone, stacked = [Run(c) for c in cfgs], BatchRun(cfgs)

            def one_by_one(alone=alone):
                return _timed(lambda: [r.advance(steps) for r in alone])

            def together(stacked=stacked):
                return _timed(lambda: stacked.advance(steps))

            one_by_one(), together()                                                  # warm-up
            t_alone, t_stacked = interleaved(one_by_one, together, blocks)
            rows.append({"width": w, "points": n, "K": k, "steps": steps, "unbatched_trials_per_s": k / t_alone,
                         "batched_trials_per_s": k / t_stacked, "speedup": t_alone / t_stacked})
    return rows


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
