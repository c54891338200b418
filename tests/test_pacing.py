"""Pacing of a live session's lanes (dashboard/pacing.py, LiveSession._pace): the frame grid, the goals'
spacing, the frames kept, and goals that always reach the slowest lane (no lane left without work)."""
import dataclasses

import numpy as np

from dashboard.lanes import Lane
from dashboard.pacing import FRAMES, continuable, frame_every, keep_frame, segment
from dashboard.session import LiveSession
from repcore import RunConfig
from repcore.train import train

CFG = RunConfig(width=8, depth=1, points=50, grid=32, test_points=64, steps=3000)
BASE = next(iter(train(CFG.replace(steps=1))))


class FakeWorker:
    """Records what the session sends; always alive."""
    alive = True

    def __init__(self):
        self.sent = []

    def send(self, *msg):
        self.sent.append(msg)

    def poll(self):
        return []

    def close(self):
        self.alive = False


def test_the_grid_gives_at_least_FRAMES_frames_and_segments_divide_it():
    for steps in (10, 150, 2000, 3000, 12_345, 100_000):
        every = frame_every(steps)
        assert steps // every >= FRAMES or every == 1, steps
        assert str(every)[0] in "125" and set(str(every)[1:]) <= {"0"}
    assert frame_every(2000) == 20 and frame_every(3000) == 20
    for speed in (0, 7, 100, 1000, 10_000):
        seg = segment(20, speed)
        assert 20 % seg == 0 and (seg == 1 or seg <= speed * 0.25)


def test_frames_stay_evenly_spread_and_a_reset_starts_over():
    frames = []
    for step in range(0, 10_001, 10):
        keep_frame(frames, dataclasses.replace(BASE, step=step), 50)
    steps = [f.step for f in frames]
    assert 25 <= len(steps) <= 50 and steps[0] == 0 and len(set(np.diff(steps))) == 1, steps
    keep_frame(frames, dataclasses.replace(BASE, step=0), 50)
    assert [f.step for f in frames] == [0]


def test_the_slowest_lane_always_gets_its_next_goal():
    """Goals queued while the models were fast lie on a coarser grid than the one a slow speed asks for: the
    lane that is behind must still get the next of them (it once waited at 300 for a goal of 338 that never
    came, the other at 375: neither moved again)."""
    live = LiveSession()
    live.playing, live.frame_every = True, 1000
    for label, newest in (("vanilla", 300), ("repnet", 375)):
        lane = live.lanes[label] = Lane(CFG.replace(model=label, steps=100_000), FakeWorker())
        lane.latest, lane.queued, lane.speed = dataclasses.replace(BASE, step=300), newest, 40.0
        lane.ahead = {newest: dataclasses.replace(BASE, step=newest)} if newest > 300 else {}
    live.goals = [350, 375, 400, 500]
    live._pace()
    assert live.lanes["vanilla"].queued >= 350 and ("step", 50) in live.lanes["vanilla"].worker.sent
    assert live.lanes["repnet"].queued == 375                    # the one ahead waits


def test_continue_is_offered_where_training_on_changes_something():
    assert continuable(RunConfig()) and continuable(RunConfig(problem="inverse"))
    assert not continuable(RunConfig(problem="poisson"))         # its cosine schedule ends at the budget
