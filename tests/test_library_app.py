"""Headless (AppTest) tests of the run library in the dashboard: Save run on the live page, then the
Library page replays the saved snapshots, compares runs, renames and deletes. The library file is a
temporary one (REPCORE_LIBRARY), never the user's."""
import io
import os
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from repcore.library import Library
from repcore.library.runfile import restore
from helpers import APP, TIMEOUT, close, fake_run, metric

TINY = dict(steps="40", every="10", width="16", depth="2", points="100", grid="64", test_points="256", act="relu")

pytestmark = pytest.mark.slow


@pytest.fixture
def library(tmp_path, monkeypatch):
    path = str(tmp_path / "lib.sqlite3")
    monkeypatch.setenv("REPCORE_LIBRARY", path)
    return path


def app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_save_on_the_live_page_then_replay_without_retraining(library):
    at = app(**TINY)
    at.run()
    button(at, "Step").click().run()                       # 100 epochs asked, the budget is 40
    deadline, epochs = time.time() + 90, []
    while time.time() < deadline and epochs != ["40", "40"]:
        time.sleep(0.5)
        at.run()
        epochs = metric(at, "Epoch")
    assert epochs == ["40", "40"]
    at.text_input(key="save_name").input("lecture 1")
    at.text_input(key="save_tags").input("class, week 3")
    button(at, "Save").click().run()
    assert not at.exception and any("Saved as #1 'lecture 1'" in s.value for s in at.success)
    button(at, "Save").click().run()                       # the same name again: refused, clearly
    assert any("already exists" in e.value for e in at.error)
    close(at)

    with Library(library) as lib:
        run = lib.load("lecture 1")
    assert run.tags == ["class", "week 3"] and [m.label for m in run.models] == ["vanilla", "repnet"]
    for m in run.models:                                   # frames as they reached the page (snapshots are pulled)
        steps = [s.step for s in m.snapshots]
        assert steps[0] == 0 and steps[-1] == 40 and steps == sorted(set(steps))
        np.testing.assert_array_equal(restore(m).snapshot().pred, m.snapshots[-1].pred)   # weights match the last frame

    at = app()                                             # a new session that has never trained anything
    at.switch_page("views/library.py").run()
    assert not at.exception and [t.value for t in at.title] == ["Run library"]
    timeline = at.select_slider(key="lib_step_1")
    assert timeline.options == [str(s) for s in run.steps()] and timeline.value == 0      # a replay starts at the start
    for step in (run.steps()[-1], run.steps()[len(run.steps()) // 2]):
        at.select_slider(key="lib_step_1").set_value(step).run()
        assert metric(at, "Epoch") == [f"{m.at(step).step:,}" for m in run.models]
        assert metric(at, "rel. L2") == [f"{m.at(step).rel_l2:.2e}" for m in run.models]   # the saved frame, not a retrain
    assert len(at.get("plotly_chart")) == 4                    # a panel per model, the error per frequency, the curves
    at.select_slider(key="lib_step_1").set_value(run.steps()[-1]).run()
    at.segmented_control(key="replay_speed").set_value("fast").run()       # the whole replay in 10 s
    button(at, "Play").click().run()                           # Play at the end starts from the first frame ...
    seen, start = [metric(at, "Epoch")], time.monotonic()
    while time.monotonic() - start < 30 and seen[-1] != [f"{run.steps()[-1]:,}"] * 2:
        time.sleep(0.5)                                        # each AppTest run is one tick of the timed fragment,
        at.run()                                               # showing the frame due at that moment
        seen.append(metric(at, "Epoch"))
    took = time.monotonic() - start
    assert seen[0] == [f"{run.steps()[0]:,}"] * 2 and seen[-1] == [f"{run.steps()[-1]:,}"] * 2, seen   # ... and plays to the last
    assert 8 < took < 20 and len({e[0] for e in seen}) >= 3, (took, seen)      # at the pace chosen, through the frames
    assert [b.label for b in at.button if b.key == "replay_play"] == ["Play"] and not at.exception      # then stops there
    # a browser's timer request sent before it drew the last frame carries the timeline it showed (a frame behind):
    # it must not move the finished replay back (it did under load: a browser test stopped a frame short)
    for stale in [s for s in at.select_slider if s.key == "lib_step_1"]:
        stale.set_value(run.steps()[-2]).run()
    assert metric(at, "Epoch") == [f"{run.steps()[-1]:,}"] * 2
    assert "live" not in at.session_state                     # replayed from the file: no training process started


def test_library_page_compares_renames_and_deletes(library):
    with Library(library) as lib:
        for i in range(3):
            lib.save(fake_run(f"run {i}", seed=i))
    at = app()
    at.run()
    at.switch_page("views/library.py").run()
    at.text_input(key="lib_filter").input("run 1").run()
    assert at.dataframe[0].value["name"].tolist() == ["run 1"]
    at.text_input(key="lib_filter").input("").run()
    at.radio(key="lib_view").set_value("Compare").run()
    assert not at.exception and len(at.get("plotly_chart")) == 2
    assert at.dataframe[1].value["run"].tolist() == ["run 2", "run 1"]     # the two newest by default
    at.radio(key="lib_view").set_value("Manage").run()
    at.selectbox(key="lib_manage").set_value(1)
    at.run()
    key = next(t.key for t in at.text_input if t.key.startswith("lib_name_1_"))
    at.text_input(key=key).input("renamed").run()
    button(at, "Save changes").click().run()
    assert any(s.value == "Saved." for s in at.success)
    at.selectbox(key="lib_manage").set_value(2).run()
    at.checkbox(key="lib_confirm_2").check().run()
    button(at, "Delete").click().run()
    assert not at.exception and any("Deleted 'run 1'" in s.value for s in at.success)
    with Library(library) as lib:
        assert sorted(i.name for i in lib.list()) == ["renamed", "run 2"]


def test_library_page_without_a_library_or_with_a_corrupt_file(library):
    at = app()
    at.switch_page("views/library.py").run()
    assert not at.exception and [i.value for i in at.info] == ["No saved runs yet."]
    assert at.session_state["runs_ended"] == at.session_state["runs_begun"]     # a deliberate stop is a whole run
    assert not os.path.exists(library)                     # looking creates no file
    with open(library, "w") as f:
        f.write("not a database")
    at.run()
    assert not at.exception and any("not an SQLite database file" in e.value for e in at.error)


def test_the_replay_offers_its_animation_as_a_gif(library):
    """Download animation (GIF): the button on the Replay view, and the file it hands over (drawn on click by
    dashboard/takeaway.py): a looping GIF of the replay at the chosen size, at most GIF_FRAMES frames."""
    from PIL import Image

    from dashboard import takeaway
    from helpers import TINY as CFG, trained
    from repcore.library import SavedRun
    run = SavedRun("lesson: sine", [trained(CFG.replace(model=m, steps=40, every=2), m) for m in ("vanilla", "repnet")])
    with Library(library) as lib:
        run_id = lib.save(run)
        long_id = lib.save(SavedRun("long", [trained(CFG.replace(steps=400, every=2))]))     # 201 saved steps
    at = app()
    at.switch_page("views/library.py").run()
    assert not at.exception
    gif = [b for b in at.get("download_button") if b.proto.label == "Download animation (GIF)"]
    assert len(gif) == 1 and "looping GIF of 100 frames" in gif[0].proto.help            # the newest run first
    at.selectbox(key="lib_replay").select(run_id).run()
    at.selectbox(key="lib_gif_size").select("640x360").run()
    assert not at.exception
    gif = [b for b in at.get("download_button") if b.proto.label == "Download animation (GIF)"]
    assert "looping GIF of 21 frames" in gif[0].proto.help
    im = Image.open(io.BytesIO(takeaway.gif_bytes(run_id, "640x360")))
    assert (im.format, im.size, im.n_frames, im.info.get("loop")) == ("GIF", (640, 360), 21, 0)
    assert Image.open(io.BytesIO(takeaway.gif_bytes(long_id, "640x360"))).n_frames == takeaway.GIF_FRAMES
    assert takeaway.file_stem(run.name) == "lesson_sine"
