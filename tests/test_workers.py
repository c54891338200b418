"""Training processes: commands, pulled snapshots, errors, and lifecycle (nothing left running)."""
import os
import signal
import subprocess
import sys
import time

import pytest

from repcore import RunConfig
from repcore.workers import Worker

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_leftover_processes")]

CFG = RunConfig(width=16, depth=2, points=200, grid=128, test_points=256, act="relu", steps=100_000)


def collect(w: Worker, until, timeout=60.0, want=True):
    """Ask for snapshots until `until(messages)` holds; returns all messages seen."""
    seen, deadline = [], time.time() + timeout
    while time.time() < deadline:
        seen += w.poll()
        if until(seen):
            return seen
        if want:
            w.send("want")
        time.sleep(0.05)
    raise AssertionError(f"timed out; got {[(k, getattr(p, 'step', p)) for k, p in seen]}")


def steps(msgs):
    return [p.step for k, p in msgs if k == "snap"]


@pytest.fixture
def worker():
    w = Worker(CFG, idle_timeout=30)
    yield w
    w.close()
    assert not w.alive


def test_commands_drive_training(worker):
    assert steps(collect(worker, lambda m: steps(m) == [0])) == [0]            # step-0 snapshot on start
    worker.send("step", 37)
    assert steps(collect(worker, lambda m: 37 in steps(m), want=False))[-1] == 37   # a Step is reported unasked
    worker.send("play")
    collect(worker, lambda m: steps(m) and steps(m)[-1] > 200)
    worker.send("pause")                  # answered by a "paused" snapshot: where training stopped
    seen = collect(worker, lambda m: any(k == "paused" for k, _ in m))
    paused_at = [p.step for k, p in seen if k == "paused"][-1]
    assert all(s <= paused_at for s in steps(seen)), "what was in flight comes before the paused snapshot"
    later = []
    for _ in range(5):
        worker.send("want")
        time.sleep(0.2)
        later += worker.poll()
    assert all(s == paused_at for s in steps(later)), "paused: the step must not move"
    worker.send("reset", CFG.replace(seed=3))
    assert steps(collect(worker, lambda m: 0 in steps(m)))[-1] == 0


def test_snapshots_are_pulled_at_most_one_per_request(worker):
    collect(worker, lambda m: steps(m) == [0])                                 # leaves one request outstanding
    worker.send("play")
    time.sleep(2.0)
    assert len(steps(worker.poll())) <= 1                                      # nobody asked again: nothing pushed
    assert steps(collect(worker, lambda m: bool(steps(m))))[-1] > 0


def test_paced_goals_pause_and_budget(worker):
    """A snapshot at every goal queued, unasked; Pause stops at once, drops the goals and says where; a
    budget moves the end of the run (answered with a snapshot), past which no goal trains."""
    collect(worker, lambda m: steps(m) == [0])
    for _ in range(5):
        worker.send("step", 7)
    got = steps(collect(worker, lambda m: 35 in steps(m), want=False))
    assert {7, 14, 21, 28} <= set(got) and got == sorted(got) and got[-1] == 35, got      # (and the answer to a last "want")
    for _ in range(1000):
        worker.send("step", 100)                                   # far more than it trains before the pause
    worker.send("pause")
    msgs = collect(worker, lambda m: any(k == "paused" for k, _ in m), want=False)
    at = next(p.step for k, p in msgs if k == "paused")
    assert 35 <= at < 100_035 and max(steps(msgs), default=0) <= at
    time.sleep(1.0)
    assert not worker.poll(), "paused: no goal left to train"
    worker.send("budget", at + 10)
    assert [(p.step, p.status) for k, p in collect(worker, lambda m: bool(m), want=False)] == [(at, "ok")]
    worker.send("step", 100)
    last = collect(worker, lambda m: any(p.status == "done" for k, p in m), want=False)[-1][1]
    assert (last.step, last.status) == (at + 10, "done")


def test_a_bad_config_is_reported_not_raised(worker):
    collect(worker, lambda m: steps(m) == [0])
    worker.send("reset", CFG.replace(target="log(x)"))
    msgs = collect(worker, lambda m: any(k == "error" for k, _ in m))
    assert "not finite on the domain" in next(p for k, p in msgs if k == "error")
    assert worker.alive


def test_worker_exits_by_itself_when_nobody_asks():
    w = Worker(CFG, idle_timeout=1.5)
    collect(w, lambda m: steps(m) == [0])
    w.send("play")
    deadline = time.time() + 30
    while w.alive and time.time() < deadline:
        time.sleep(0.2)
    assert not w.alive, "an abandoned worker must stop (closed tab)"
    w.close()


def running(pid: int) -> bool:
    """Alive and not a zombie (an exited process its new parent has not reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_die_with_a_killed_parent():
    """A server killed outright (SIGKILL: no cleanup runs) leaves no training process behind, however the
    workers were started (fork server or spawn)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = ("import sys, time\nfrom repcore import RunConfig\nfrom repcore.workers import Worker\n"
              "w = Worker(RunConfig(width=8, points=64, grid=64, test_points=64, steps=10**6), idle_timeout=600)\n"
              "w.send('play')\nwhile not w.poll():\n    w.send('want')\n    time.sleep(0.05)\n"
              "print(w.proc.pid, flush=True)\ntime.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert running(child)                           # training: it has sent a snapshot
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.time() + 20
        while running(child) and time.time() < deadline:
            time.sleep(0.1)
        assert not running(child), "a worker outlived its killed parent"
    finally:
        parent.kill()


def test_parallel_lockstep_gives_the_serial_snapshots():
    import json

    from repcore import Run, lockstep
    from repcore.workers import parallel_lockstep
    cfgs = [CFG.replace(model=m, steps=60, every=20) for m in ("vanilla", "repnet")]
    strip = lambda s: json.dumps({k: v for k, v in s.to_dict().items() if k != "wall"})   # noqa: E731
    serial = [tuple(strip(s) for s in pair) for pair in lockstep([Run(c) for c in cfgs])]
    parallel = [tuple(strip(s) for s in pair) for pair in parallel_lockstep(cfgs)]
    assert serial == parallel and len(serial) == 4
