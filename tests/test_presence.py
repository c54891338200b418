"""Presence (dashboard/presence.py): a session's training processes live while its page is connected, even
when the page sends no request for longer than the idle timeout (a browser short of CPU), and stop within
the idle timeout once it is not; the dashboard's workers train at a lower priority than the server."""
import gc
import os
import threading
import time

import pytest

from dashboard.presence import Keeper
from dashboard.session import LiveSession
from repcore import RunConfig

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_leftover_processes")]
CFG = RunConfig(width=16, depth=2, points=200, grid=64, test_points=256, act="relu", steps=100_000)
IDLE = 1.5


def started(live: LiveSession, timeout=60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and not all(lane.latest for lane in live.lanes.values()):
        live.poll()
        time.sleep(0.05)
    assert all(lane.latest for lane in live.lanes.values())


def test_a_connected_page_keeps_its_processes_without_polling_and_a_gone_one_stops_them():
    connected, touched = {"s1": True}, []
    keeper = Keeper(lambda sid: connected[sid], touched.append, every=0.3)
    live = LiveSession(idle_timeout=IDLE)
    live.configure({m: CFG.replace(model=m) for m in ("vanilla", "repnet")})
    keeper.attach("s1", live)
    started(live)
    live.step(20)                                         # past epoch 0 (where an idled-out worker restarts silently)
    assert live.settle(60)
    workers = [lane.worker for lane in live.lanes.values()]
    time.sleep(4 * IDLE)                                  # the page is silent (its browser starved), but connected
    assert all(w.alive for w in workers) and touched and touched[-1] is live
    assert not live.poll() or not any(lane.error for lane in live.lanes.values())
    connected["s1"] = False                               # the tab closes
    gone = time.time()
    deadline = gone + 10 * IDLE
    while any(w.alive for w in workers) and time.time() < deadline:
        time.sleep(0.05)
    stopped_after = time.time() - gone
    assert not any(w.alive for w in workers) and stopped_after < IDLE + 0.3 + 1.0, stopped_after
    assert live.poll() and all("no request for 1.5 s" in lane.error for lane in live.lanes.values())
    keeper.close()
    live.close()


def test_keep_alives_from_another_thread_do_not_garble_the_page_s_own_messages():
    """The keeper's pings share each worker's pipe with the page's steps, pauses and resets."""
    live = LiveSession(idle_timeout=30)
    live.configure({m: CFG.replace(model=m) for m in ("vanilla", "repnet")})
    started(live)
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            live.keep_alive()

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        for n in (40, 70, 130):
            live.step(n)
            assert live.settle(60)
            live.reset()
            started(live)
        live.step(50)
        assert live.settle(60)
    finally:
        stop.set()
        thread.join()
    assert [lane.latest.step for lane in live.lanes.values()] == [50, 50]
    assert not any(lane.error for lane in live.lanes.values())
    live.close()


def test_a_keeper_forgets_ended_sessions_and_the_dashboard_s_workers_train_niced():
    keeper = Keeper(lambda sid: True, every=3600)
    live = LiveSession(idle_timeout=30, nice=10)
    live.configure({"repnet": CFG})
    keeper.attach("s1", live)
    started(live)
    pid = live.lanes["repnet"].worker.proc.pid
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
    assert keeper.keep() == 1
    live.close()
    del live
    gc.collect()
    assert keeper.keep() == 0 and not keeper._sessions
