"""Watch mode (dashboard/watch.py, sharing.py, views/watch.py): a shared session publishes what its page shows, a
watcher (`?watch=CODE`) draws it read-only without training anything, follows Play, Pause, Reset and a
settings change, says whom it follows, and "Try it yourself" starts a session of its own."""
import multiprocessing as mp
import time

import pytest

from dashboard.lanes import Lane
from dashboard.watch import ALPHABET, Board, normal_code
from helpers import TINY, app, close, fake_run, metric


class FakeLive:
    """What Board.publish reads of a LiveSession."""
    def __init__(self):
        self.lanes = {"repnet": Lane(TINY)}
        self.ghost, self.notice, self.playing = {}, "", False

    def at_budget(self):
        return False

    def epochs_per_s(self, label):
        return 12.5


def test_a_broadcast_is_published_when_something_changed_and_ends_with_its_session():
    board, snaps = Board(), fake_run("x").models[0].snapshots
    live = FakeLive()
    code = board.open("Ada")
    assert len(code) == 6 and set(code) <= set(ALPHABET)
    board.publish(code, live)
    first = board.get(code)
    assert (first.owner, first.state, first.version, first.lanes["repnet"].latest) == ("Ada", "starting", 1, None)
    board.publish(code, live)
    assert board.get(code) is first                       # nothing new: nothing published
    live.lanes["repnet"].latest = snaps[2]
    live.playing = True
    board.publish(code, live)
    cast = board.get(code)
    assert (cast.state, cast.version, cast.lanes["repnet"].latest.step, cast.lanes["repnet"].rate) == ("playing", 2, 20, 12.5)
    live.playing = False
    board.publish(code, live, waiting=True)
    assert board.get(code).state == "waiting"
    board.rename(code, "Grace")
    board.publish(code, live, waiting=True)
    assert board.get(code).owner == "Grace"
    board.end(code)
    ended = board.get(code)
    assert ended.state == "ended" and ended.lanes["repnet"].latest.step == 20     # the last frame stays
    board.publish(code, live)
    assert board.get(code) is ended                       # an ended code takes no more frames
    assert board.get("NOSUCH") is None


def test_screens_watching_are_counted_and_codes_are_read_leniently():
    now = [100.0]
    board = Board(clock=lambda: now[0])
    code = board.open("Ada")
    board.seen(code, "a")
    board.seen(code, "b")
    board.seen(code, "a")
    assert board.watching(code) == 2
    now[0] += 10
    assert board.watching(code) == 0                      # their pages stopped drawing it
    assert normal_code(" k7qf 2m ") == "K7QF2M" and normal_code("K0OL") == "" and normal_code(None) == ""
    assert len({board.open("x") for _ in range(200)}) == 200


def _press(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()


def _state(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith(":material/"))


def _until(at, lecturer, done, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        lecturer.run()
        at.run()
        if done():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.slow
def test_a_watcher_follows_play_pause_and_a_settings_change_training_nothing():
    lecturer = app(steps="100000", width="24")
    lecturer.run()
    lecturer.sidebar.toggle(key="w_share").set_value(True).run()
    lecturer.sidebar.text_input(key="w_share_owner").input("Ada").run()
    code = lecturer.session_state["share_code"]
    assert f"?watch={code}" in lecturer.sidebar.code[0].value
    children = {p.pid for p in mp.active_children()}
    watcher = app(watch=f" {code[:3].lower()} {code[3:]} ")            # as typed off a projector
    watcher.run()
    assert not watcher.exception
    assert "Following **Ada** live" in watcher.markdown[0].value
    assert [b.label for b in watcher.button] == ["Try it yourself"]          # read-only: no training controls
    assert _until(watcher, lecturer, lambda: metric(watcher, "Epoch") == ["0", "0"])
    _press(lecturer, "Play")
    assert _until(watcher, lecturer, lambda: min(int(e.replace(",", "")) for e in metric(watcher, "Epoch")) > 0)
    assert "training live" in _state(watcher)
    _press(lecturer, "Pause")
    watcher.run()
    paused = metric(lecturer, "Epoch")
    assert metric(watcher, "Epoch") == paused and "paused at epoch" in _state(watcher)
    lecturer.sidebar.slider(key="w_width").set_value(32).run()                  # a settings change restarts the lecturer's run
    assert _until(watcher, lecturer, lambda: "width 32" in _state(watcher) and metric(watcher, "Epoch") == ["0", "0"])
    assert any("width 24 → 32" in c.value for c in watcher.caption)             # the restart's notice, as the lecturer sees it
    assert "live" not in watcher.session_state
    assert {p.pid for p in mp.active_children()} == children                  # the watcher started no process
    lecturer.run()
    assert any("1 screen watching" in c.value for c in lecturer.sidebar.caption)
    watcher.button[0].click().run()                                           # Try it yourself
    assert not watcher.exception and "live" in watcher.session_state
    assert watcher.session_state["cfg"].width == 32 and watcher.query_params.get("width") == "32"
    assert "watch" not in watcher.query_params
    assert [b.label for b in watcher.button][:4] == ["Play", "Pause", "Step", "Reset"]
    close(watcher)
    lecturer.sidebar.toggle(key="w_share").set_value(False).run()             # stop sharing: the watchers are told
    late = app(watch=code)
    late.run()
    assert "stopped sharing" in _state(late)
    close(lecturer)


def test_a_watch_link_that_leads_nowhere_says_so_and_offers_a_session_of_ones_own():
    for code, said in (("ZZZZZZ", "No session on this server shares the code"), ("hello!", "is not a watch code")):
        at = app(watch=code)
        at.run()
        assert not at.exception and said in at.error[0].value
        assert "live" not in at.session_state
    at.button[0].click().run()                       # Try it yourself: the live page, default settings
    assert not at.exception and [b.label for b in at.button][:4] == ["Play", "Pause", "Step", "Reset"]
    assert at.session_state["cfg"].width == 100 and "watch" not in at.query_params
    close(at)


def test_presentation_mode_shows_the_watch_link_and_keeps_sharing():
    """The sidebar (and its Share switch) is hidden while presenting: the line under the buttons gives the room
    the link, the Share popover by the buttons the switch, and sharing goes on through the mode switches (Streamlit forgets the undrawn switch's state)."""
    lecturer = app()
    lecturer.run()
    lecturer.sidebar.toggle(key="w_share").set_value(True).run()
    code = lecturer.session_state["share_code"]
    lecturer.toggle(key="w_present").set_value(True).run()
    assert any(f"follow live: ?watch={code} (0 watching)" in c.value for c in lecturer.caption)
    lecturer.run()
    assert lecturer.toggle(key="w_share_present").value                  # the Share popover by the buttons says so too
    assert any(f"?watch={code}" in c.value for c in lecturer.code)
    lecturer.toggle(key="w_present").set_value(False).run()
    assert lecturer.session_state["share_code"] == code and lecturer.sidebar.toggle(key="w_share").value
    lecturer.toggle(key="w_present").set_value(True).run()
    lecturer.toggle(key="w_share_present").set_value(False).run()       # the lecturer stops sharing while presenting
    assert "share_code" not in lecturer.session_state and not any("follow live" in c.value for c in lecturer.caption)
    lecturer.toggle(key="w_present").set_value(False).run()
    assert not lecturer.sidebar.toggle(key="w_share").value
    close(lecturer)


def test_ended_codes_are_forgotten_after_a_while_and_shared_ones_never():
    now = [0.0]
    board = Board(clock=lambda: now[0])
    kept, gone = board.open("kept"), board.open("gone")
    for code in (kept, gone):
        board.publish(code, FakeLive())
    board.end(gone)
    now[0] += 3601
    board.open("new")
    assert board.get(kept) is not None and board.get(gone) is None
