"""A browser session's training processes: started on demand, stopped on Reset-with-new-settings,
on close and when the session is dropped; history memory is bounded."""
import dataclasses
import gc
import time

import numpy as np
import pytest

from dashboard.lanes import Lane
from dashboard.saving import record
from dashboard.session import LiveSession
from repcore import RunConfig
from repcore.train import train

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_leftover_processes")]
CFG = RunConfig(width=16, depth=2, points=200, grid=64, test_points=256, act="relu", steps=100_000)


def wait_first_snapshots(live: LiveSession, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline and not all(l.latest for l in live.lanes.values()):
        live.poll()
        time.sleep(0.1)
    assert all(l.latest for l in live.lanes.values())


def test_workers_follow_the_configuration_and_die_on_close():
    live = LiveSession()
    live.configure({m: CFG.replace(model=m) for m in ("vanilla", "repnet")})
    wait_first_snapshots(live)
    workers = {label: lane.worker for label, lane in live.lanes.items()}
    assert all(w.alive for w in workers.values())
    live.play()
    time.sleep(1.0)
    live.configure({"repnet": CFG.replace(model="repnet", seed=5)})      # vanilla removed, repnet restarted
    assert not workers["vanilla"].alive
    assert live.lanes["repnet"].worker is workers["repnet"] and workers["repnet"].alive   # same process, reset
    live.close()
    assert not workers["repnet"].alive


def test_reset_restarts_from_epoch_zero_with_the_same_seed():
    live = LiveSession()
    live.configure({"repnet": CFG})
    wait_first_snapshots(live)
    first = live.lanes["repnet"].latest
    live.play()
    deadline = time.time() + 30
    while time.time() < deadline and live.lanes["repnet"].latest.step < 50:
        live.poll()
        time.sleep(0.1)
    live.reset()
    wait_first_snapshots(live)
    again = live.lanes["repnet"].latest
    assert again.step == 0 and np.array_equal(again.pred, first.pred)
    live.close()


def test_a_dropped_session_stops_its_workers():
    live = LiveSession()
    live.configure({"vanilla": CFG.replace(model="vanilla")})
    worker = live.lanes["vanilla"].worker
    assert worker.alive
    del live
    gc.collect()
    deadline = time.time() + 10
    while worker.alive and time.time() < deadline:
        time.sleep(0.1)
    assert not worker.alive


def test_a_worker_left_without_requests_stops_and_says_so_until_reset():
    live = LiveSession(idle_timeout=1.0)
    live.configure({"repnet": CFG})
    assert live.waiting()                                                  # the first snapshot is due
    wait_first_snapshots(live)
    assert not live.waiting()
    live.step(30)
    assert live.waiting()                                                  # until a snapshot at epoch 30
    deadline = time.time() + 30
    while time.time() < deadline and live.waiting():
        live.poll()
        time.sleep(0.05)
    assert live.lanes["repnet"].latest.step == 30
    worker = live.lanes["repnet"].worker
    deadline = time.time() + 30                                            # no poll: the page looks away
    while worker.alive and time.time() < deadline:
        time.sleep(0.05)
    assert not worker.alive
    assert live.poll()                                                     # the page learns why, once
    lane = live.lanes["repnet"]
    assert "no request for 1 s" in lane.error and "epoch 30" in lane.error and lane.latest.step == 30
    assert live.finished() and not live.waiting()
    assert not live.configure({"repnet": CFG}) and live.lanes["repnet"].worker is worker   # no silent restart at 0
    live.reset()                                                           # a fresh process, from epoch 0
    assert live.lanes["repnet"].worker is not worker and not live.lanes["repnet"].error
    wait_first_snapshots(live)
    assert live.lanes["repnet"].latest.step == 0
    live.close()


def test_a_restart_keeps_a_ghost_and_says_what_changed():
    live = LiveSession()
    live.configure({m: CFG.replace(model=m) for m in ("vanilla", "repnet")})
    wait_first_snapshots(live)
    live.step(100)
    deadline = time.time() + 60
    while time.time() < deadline and min(l.latest.step for l in live.lanes.values()) < 100:
        live.poll()
        time.sleep(0.1)
    before = {label: lane.latest.rel_l2 for label, lane in live.lanes.items()}
    live.configure({m: CFG.replace(model=m, slope_scale=3.0) for m in ("vanilla", "repnet")})
    assert "ν auto → 3" in live.notice and "epoch 100" in live.notice
    assert {label: g.latest.rel_l2 for label, g in live.ghost.items()} == before      # the previous run, kept as it was
    assert all(g.latest.step == 100 and g.history for g in live.ghost.values())
    live.close()


def test_a_saved_run_holds_every_model_at_the_same_epochs():
    """The lanes train at their own speed; saving pauses them, lets the ones behind catch up, and keeps the
    frames all lanes share, so a replay shows both models at one epoch (one was seen 967 vs 1027)."""
    live = LiveSession()
    live.configure({"vanilla": CFG.replace(model="vanilla"), "repnet": CFG.replace(model="repnet", width=64, depth=3)})
    wait_first_snapshots(live)
    live.play()
    deadline = time.time() + 60
    while time.time() < deadline and min(l.latest.step for l in live.lanes.values()) < 300:
        live.poll()
        time.sleep(0.1)
    run = record(live, "same epochs")
    steps = [[s.step for s in m.snapshots] for m in run.models]
    assert steps[0] == steps[1] and steps[0][-1] >= 300, steps
    live.close()


def test_history_and_frames_are_bounded_and_evenly_spread():
    live = LiveSession(max_history=50, max_frames=40)
    live.frame_every = 10
    lane = Lane(CFG)
    base = next(iter(train(CFG.replace(steps=1, every=1))))
    for step in range(1, 5000):
        live._show(lane, dataclasses.replace(base, step=step))
    assert len(lane.history) <= 50 and lane.history[-1].step == 4999 and lane.history[0].step == 1
    steps = [f.step for f in lane.frames]                  # frames only on the grid, thinned evenly
    assert len(steps) <= 40 and all(s % 10 == 0 for s in steps) and len(set(np.diff(steps))) == 1, steps


def play_until(live: LiveSession, done, timeout=120, check=None):
    deadline = time.time() + timeout
    while time.time() < deadline and not done():
        live.poll()
        if check:
            check()
        time.sleep(0.05)
    assert done()


def test_the_models_are_shown_at_one_epoch_and_pause_stops_them_there():
    """Side by side, a slow and a fast model: every frame shows both at the same epoch (the faster waits),
    and after Pause the frame shown is where both stopped: nothing moves afterwards (one was seen 1388 vs
    1276, and a display that jumped seconds after Pause)."""
    live = LiveSession()
    live.configure({"vanilla": CFG.replace(model="vanilla", width=8, depth=1), "repnet": CFG.replace(model="repnet", width=64, depth=3)})
    wait_first_snapshots(live)
    live.play()

    def same():
        steps = {lane.latest.step for lane in live.lanes.values()}
        assert len(steps) == 1, steps
    play_until(live, lambda: min(lane.latest.step for lane in live.lanes.values()) >= 200, check=same)
    live.pause()
    assert live.settle(30)
    stopped = [lane.latest.step for lane in live.lanes.values()]
    same()
    for _ in range(20):
        live.poll()
        time.sleep(0.1)
    assert [lane.latest.step for lane in live.lanes.values()] == stopped
    live.step(50)
    assert live.settle(30) and [lane.latest.step for lane in live.lanes.values()] == [stopped[0] + 50] * 2
    live.close()


def test_the_end_of_the_budget_then_continue_with_frames_for_a_smooth_replay():
    """At the default budget a saved run holds >= 100 frames per model, evenly spread, the same epochs for
    every model; the end is reached (at_budget) and a larger budget goes on from there, no restart."""
    budget = RunConfig().steps
    live = LiveSession()
    live.configure({m: CFG.replace(model=m, steps=budget) for m in ("vanilla", "repnet")})
    wait_first_snapshots(live)
    workers = [lane.worker for lane in live.lanes.values()]
    live.play()
    play_until(live, live.finished, timeout=300)
    assert live.at_budget() and all(lane.latest.step == budget and lane.latest.status == "done" for lane in live.lanes.values())
    run = record(live, "smooth")
    steps = [[s.step for s in m.snapshots] for m in run.models]
    assert steps[0] == steps[1] and len(steps[0]) >= 100 and steps[0][0] == 0 and steps[0][-1] == budget
    assert len(set(np.diff(steps[0]))) == 1, steps[0]                               # evenly spread
    assert live.configure({m: CFG.replace(model=m, steps=2 * budget) for m in ("vanilla", "repnet")})
    assert [lane.worker for lane in live.lanes.values()] == workers and not live.notice     # no restart
    assert all(lane.latest.step == budget for lane in live.lanes.values())
    live.play()
    play_until(live, live.finished, timeout=300)
    assert all(lane.latest.step == 2 * budget for lane in live.lanes.values()) and live.at_budget()
    live.close()


def test_a_worker_that_idled_out_at_epoch_0_starts_again_silently_the_same_run():
    """Nothing trained, nothing lost: a page back after its processes ended at epoch 0 gets the same epoch 0 again."""
    live = LiveSession(idle_timeout=1.0)
    live.configure({m: CFG.replace(model=m) for m in ("vanilla", "repnet")})
    wait_first_snapshots(live)
    first = {label: lane.latest for label, lane in live.lanes.items()}
    workers = [lane.worker for lane in live.lanes.values()]
    deadline = time.time() + 30                                            # no poll: the page was away
    while any(w.alive for w in workers) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(w.alive for w in workers)
    live.poll()
    assert all(lane.worker not in workers and not lane.error for lane in live.lanes.values())
    wait_first_snapshots(live)
    for label, lane in live.lanes.items():
        assert lane.latest.step == 0 and len(lane.history) == 1 and len(lane.frames) == 1
        np.testing.assert_array_equal(lane.latest.pred, first[label].pred)      # the same run: same seed, same start
    live.step(20)
    assert live.settle(60) and [lane.latest.step for lane in live.lanes.values()] == [20, 20]
    live.close()
