"""Fair limits (dashboard/slots.py): at most `cap` sessions play at once, the rest queue first come first
served, a slot frees on Pause, on a session's end and when its page stops polling, a long turn yields to
waiters; and on the page: a session over the cap says its place and starts by itself when a slot frees."""
import gc
import time

import pytest

from dashboard import slots
from dashboard.slots import GRACE_S, STALE_S, Slots, cap_from_env, default_cap, ordinal
from helpers import app, close, metric


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


class Live:
    """What Slots reads of a LiveSession: whether it plays."""
    def __init__(self):
        self.playing = False

    def play(self):
        self.playing = True


def granted(s: Slots, live: Live) -> int:
    place = s.ask(live)
    if place == 0:
        live.play()
    return place


def test_the_queue_is_first_come_first_served_and_a_pause_frees_the_slot():
    clock = Clock()
    s = Slots(cap=2, lease_s=20, clock=clock)
    a, b, c, d = Live(), Live(), Live(), Live()
    assert [granted(s, x) for x in (a, b, c, d)] == [0, 0, 1, 2]
    assert s.counts() == (2, 2)
    clock.t += 1
    assert granted(s, d) == 2 and granted(s, c) == 1          # asking again keeps one's place
    b.playing = False                                           # Pause (or the end of the budget)
    clock.t += GRACE_S + 0.1
    assert granted(s, d) == 1                                  # c is next: d does not jump the queue
    assert granted(s, c) == 0 and granted(s, d) == 1
    assert s.counts() == (2, 1)


def test_a_slot_just_granted_is_kept_until_play_arrives():
    clock = Clock()
    s = Slots(cap=1, clock=clock)
    a, b = Live(), Live()
    assert s.ask(a) == 0                       # granted; a.play() not called yet
    assert s.ask(b) == 1                       # a's slot is not taken away in the meantime
    clock.t += GRACE_S + 0.1
    assert s.ask(b) == 0                       # a never played: its slot went to b


def test_a_page_that_stops_polling_loses_its_slot_and_its_place():
    clock = Clock()
    s = Slots(cap=1, lease_s=20, clock=clock)
    a, b, c = Live(), Live(), Live()
    assert [granted(s, x) for x in (a, b, c)] == [0, 1, 2]
    clock.t += 15
    assert s.ask(c) == 2                       # a and b polled 15 s ago: still there
    clock.t += 6                               # 21 s: a's and b's pages are gone (closed tabs)
    assert s.ask(c) == 0


def test_a_connected_page_too_slow_to_poll_keeps_its_slot_and_place_but_lets_a_polling_one_by():
    """A browser short of CPU polls rarely, but the server sees its page connected (touch, presence.py)."""
    clock = Clock()
    s = Slots(cap=1, lease_s=20, clock=clock)
    a, b, c = Live(), Live(), Live()
    assert [granted(s, x) for x in (a, b, c)] == [0, 1, 2]
    for _ in range(6):                         # 30 s: a (training) and b (first in line) never poll, but are connected
        clock.t += 5
        s.touch(a), s.touch(b)
        assert s.place(c) == 2
    assert s.counts() == (1, 2)                # nobody lost anything
    a.playing = False                          # a pauses: its slot frees; b, silent for 30 s > STALE_S, lets c by
    clock.t += GRACE_S + 0.1
    s.touch(b)
    assert granted(s, c) == 0 and s.place(b) == 1
    c.playing = False
    clock.t += GRACE_S + 0.1
    assert granted(s, b) == 0                  # b's page polls at last: the next slot is its own
    clock.t += 21                              # b's tab closes: no polls, no touches
    assert s.counts() == (0, 0)
    assert STALE_S < 20


def test_a_session_that_ends_leaves_the_queue_and_frees_its_slot():
    s = Slots(cap=1, clock=Clock())
    a, b = Live(), Live()
    assert granted(s, a) == 0 and granted(s, b) == 1
    del a
    gc.collect()
    assert granted(s, b) == 0


def test_a_long_turn_yields_only_while_someone_waits():
    clock = Clock()
    s = Slots(cap=1, turn_s=60, clock=clock)
    a, b = Live(), Live()
    assert granted(s, a) == 0
    for _ in range(7):                          # 70 s, its page polling every 10 s
        clock.t += 10
        assert not s.turn_over(a)               # nobody waits: play on
    assert granted(s, b) == 1
    assert s.turn_over(a)


def test_the_cap_comes_from_the_environment_or_the_cores(capsys):
    assert default_cap() >= 1
    assert cap_from_env({"REPCORE_MAX_TRAININGS": "3"}) == 3
    assert cap_from_env({}) == default_cap()
    assert cap_from_env({"REPCORE_MAX_TRAININGS": "0"}) == default_cap()
    assert "not a whole number >= 1" in capsys.readouterr().out
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]


@pytest.fixture
def one_slot(monkeypatch):
    monkeypatch.setenv("REPCORE_MAX_TRAININGS", "1")
    slots.seats.clear()
    yield
    slots.seats.clear()


def _press(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()


def _infos(at) -> list[str]:
    return [i.value for i in at.info]


@pytest.mark.slow
def test_a_session_over_the_cap_waits_in_words_and_starts_when_the_other_pauses(one_slot):
    first, second = app(steps="100000", width="16"), app(steps="100000", width="18")
    first.run()
    second.run()
    _press(first, "Play")
    assert first.session_state["live"].playing
    _press(second, "Play")
    assert not second.session_state["live"].playing
    waiting = [t for t in _infos(second) if t.startswith("Waiting for a training slot")]
    assert waiting and "1st in line" in waiting[0] and "At most 1 session trains on this server at once (1 now)" in waiting[0], _infos(second)
    second.run()                                   # the heartbeat's check: still waiting while the first plays
    assert not second.session_state["live"].playing
    _press(first, "Pause")
    deadline = time.time() + GRACE_S + 10
    while not second.session_state["live"].playing and time.time() < deadline:
        time.sleep(0.5)
        second.run()
    assert second.session_state["live"].playing, _infos(second)
    assert not any(t.startswith("Waiting") for t in _infos(second))
    deadline, epochs = time.time() + 60, [0]
    while min(epochs) == 0 and time.time() < deadline:
        time.sleep(1)
        second.run()
        epochs = [int(v.replace(",", "")) for v in metric(second, "Epoch")] or [0]
    assert min(epochs) > 0
    _press(first, "Play")                          # now the first one waits
    assert not first.session_state["live"].playing and any("1st in line" in t for t in _infos(first))
    _press(first, "Pause")                         # Pause leaves the queue
    assert not any(t.startswith("Waiting") for t in _infos(first))
    close(first)
    close(second)


def test_a_shared_session_joins_the_queue_at_its_head():
    clock = Clock()
    s = Slots(cap=1, clock=clock)
    student, other, lecturer = Live(), Live(), Live()
    assert granted(s, student) == 0 and granted(s, other) == 1
    assert s.ask(lecturer, first=True) == 1 and s.ask(other) == 2     # the room's session goes first
    student.playing = False
    clock.t += GRACE_S + 0.1
    assert granted(s, other) == 1 and granted(s, lecturer) == 0 and granted(s, other) == 1


@pytest.mark.slow
def test_a_turn_ends_while_another_waits_and_the_page_says_why(one_slot, monkeypatch):
    monkeypatch.setenv("REPCORE_TURN_S", "2")
    slots.seats.clear()
    first, second = app(steps="100000", width="16"), app(steps="100000", width="18")
    first.run()
    second.run()
    _press(first, "Play")
    _press(second, "Play")
    assert not second.session_state["live"].playing
    time.sleep(2.5)
    first.run()                                    # its heartbeat: the turn is over, someone waits
    assert not first.session_state["live"].playing
    assert any(t.startswith("Paused after 2 s of training: other sessions were waiting") for t in _infos(first)), _infos(first)
    deadline = time.time() + 10
    while not second.session_state["live"].playing and time.time() < deadline:
        time.sleep(0.5)
        second.run()
    assert second.session_state["live"].playing
    close(first)
    close(second)
