"""Headless smoke tests of every page (streamlit.testing AppTest), plus URL handling and the live loop.

AppTest runs the script in-process; the training workers are real child processes. Each at.run() is
one script run (run_every never fires by itself), so the live test calls run() repeatedly."""
import json
import os
import time

import pytest

from helpers import ROOT, app, close, metric

@pytest.mark.slow
def test_live_page_trains_when_playing_and_stops_when_paused():
    at = app(steps="100000")
    at.run()
    assert not at.exception
    assert [b.label for b in at.button][:4] == ["Play", "Pause", "Step", "Reset"]
    next(b for b in at.button if b.label == "Play").click()
    at.run()
    deadline, epochs = time.time() + 60, []
    while time.time() < deadline and (len(epochs) < 2 or min(epochs) == 0):
        time.sleep(1)
        at.run()
        epochs = [int(v.replace(",", "")) for v in metric(at, "Epoch")]
    assert len(epochs) == 2 and min(epochs) > 0
    next(b for b in at.button if b.label == "Pause").click()
    at.run()
    time.sleep(1.5)
    at.run()
    paused = metric(at, "Epoch")
    time.sleep(2)
    at.run()
    assert metric(at, "Epoch") == paused
    assert len(at.get("plotly_chart")) == 4                     # one panel per model, error per target frequency, curves
    close(at)


def test_url_settings_are_applied_and_written_back():
    at = app(target="sine", freq="7", act="relu", width="48", seed="11", models="vanilla,repnet")
    at.run()
    cfg = at.session_state["cfg"]
    assert (cfg.target, cfg.freq, cfg.act, cfg.width, cfg.seed) == ("sine", 7.0, "relu", 48, 11)
    at.sidebar.slider(key="w_width").set_value(64).run()          # a widget change goes back to the URL
    assert at.query_params["width"] == "64" and at.query_params["seed"] == "11" and at.query_params["freq"] == "7.0"
    close(at)


def test_a_fresh_page_keeps_defaults_and_auto_values_out_of_the_url():
    """The URL holds only what differs from the defaults: the preset's own frequency and device auto stay unset
    (a link made on a laptop trains on the GPU of a GPU machine); a new preset starts at its own frequency."""
    at = app()
    at.run()
    assert not at.exception and "freq" not in at.query_params and "device" not in at.query_params
    assert at.session_state["cfg"].freq is None and at.session_state["cfg"].device == "auto"
    at.slider(key="w_freq").set_value(30).run()
    assert at.query_params["freq"] == "30.0"
    at.slider(key="w_freq").set_value(25).run()                # back to multiscale's own k: unset again
    assert "freq" not in at.query_params and at.session_state["cfg"].freq is None
    at.selectbox(key="w_target").select("sine").run()
    assert at.slider(key="w_freq").value == 10 and "freq" not in at.query_params
    assert "sin(2*pi*10*x)" in " ".join(c.value for c in at.sidebar.caption)       # the formula, not the {k} template
    close(at)


def test_auto_slope_scale_shows_its_value_and_a_fixed_one_starts_next_to_it():
    at = app()
    at.run()
    assert any("auto → **ν = 78.5**" in c.value for c in at.sidebar.caption)      # π × 25 on the default target
    lane = lambda: [m.value for m in at.markdown if "ν =" in m.value]             # noqa: E731
    deadline = time.time() + 60
    while not lane() and time.time() < deadline:                                  # the lane shows its snapshot's ν
        time.sleep(0.5)
        at.run()
    assert any("ν = 78.5 (auto)" in m for m in lane()), lane()                     # as the training process resolved it
    at.toggle(key="w_nu_auto").set_value(False).run()
    assert at.select_slider(key="w_nu").value == 70 and at.session_state["cfg"].slope_scale == 70.0
    close(at)


@pytest.mark.slow
def test_each_page_shows_only_the_controls_that_act_on_it():
    at = app()
    at.run()
    at.switch_page("views/anatomy.py").run()
    assert [s.label for s in at.sidebar.slider] == ["Width"] and "Target" not in [s.label for s in at.sidebar.selectbox]
    at.sidebar.slider(key="w_width").set_value(32).run()      # the anatomy page reads the sidebar's width
    assert "width 32" in at.caption[0].value and not at.exception
    for page in ("views/lessons.py", "views/library.py", "views/physics.py"):
        at.switch_page(page).run()
        assert not at.sidebar.slider and not at.sidebar.selectbox and not at.exception, page
    at.switch_page("views/live.py").run()
    assert at.session_state["cfg"].width == 32 and at.slider(key="w_width").value == 32     # nothing lost on the way
    close(at)


def test_presentation_mode_has_the_lecture_controls_on_the_page_and_a_lesson_beside_the_charts():
    at = app(present="1", lesson="2", target="multiscale", slope_scale="3.0")
    at.run()
    assert not at.exception and not at.sidebar.slider
    assert not at.slider                                                               # the popover, closed, draws nothing
    at.session_state["lecture_settings"] = True                                        # open
    at.run()
    assert [s.label for s in at.slider] == ["Target frequency k (cycles)"]             # in the Settings popover
    assert [s.label for s in at.select_slider] == ["Slope scale ν (RepNet)"] and at.get("button_group")
    steps = at.get("markdown")
    assert any("1. Press Play with ν = 3" in m.value for m in steps)                   # the lesson's steps on the live page
    assert at.query_params["present"] == "1" and at.query_params["lesson"] == "2"
    next(b for b in at.button if b.label == "Close lesson").click().run()
    assert "lesson" not in at.query_params and not any("Press Play with ν = 3" in m.value for m in at.get("markdown"))
    close(at)


@pytest.mark.parametrize("key, value", [("width", "-5"), ("lr", "nan"), ("target", "__import__('os')"),
                                        ("bogus", "1"), ("models", "vanilla,nope"), ("steps", "1e99")])
def test_tampered_url_values_fall_back_with_a_notice(key, value):
    at = app(**{key: value})
    at.run()
    assert not at.exception
    assert any("Link setting ignored" in w.value for w in at.warning)
    close(at)


def test_malformed_expression_shows_an_error_and_keeps_the_last_target():
    at = app()
    at.run()
    at.selectbox(key="w_target").select("custom expression").run()
    formula = "sin(2*pi*x) + 0.1*sin(2*pi*25*x)"                  # the box starts with the preset's formula
    assert at.text_input(key="w_expr").value == formula and not at.sidebar.error
    assert at.session_state["cfg"].target == formula
    at.text_input(key="w_expr").input("sin(2*pi*x").run()
    assert any("expected ')'" in e.value for e in at.sidebar.error)
    assert at.session_state["cfg"].target == formula and not at.exception     # still the last valid target
    at.text_input(key="w_expr").input("sin(6*pi*x)").run()
    assert at.session_state["cfg"].target == "sin(6*pi*x)"
    close(at)


def test_classroom_mode_hides_advanced_controls():
    at = app(classroom="1")
    at.run()
    labels = [s.label for s in at.sidebar.slider]
    assert "Width" not in labels and "Hidden layers" not in labels
    assert not [e for e in at.sidebar.expander if e.label == "Advanced"]
    close(at)


@pytest.mark.parametrize("page", ["views/spectral.py", "views/anatomy.py", "views/lessons.py", "views/physics.py"])
def test_other_pages_render(page):
    at = app()
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    if page.endswith("anatomy.py"):
        assert len(at.get("plotly_chart")) == 4
        assert any(m.label == "RepNet points inside the domain" and m.value == "100%" for m in at.metric)
    if page.endswith("lessons.py"):
        assert len([b for b in at.button if b.label == "Open"]) == len(json.load(open(os.path.join(ROOT, "dashboard", "lessons.json"))))
    close(at)


def click_on_page(page: str, label: str, index: int):
    """A fresh app, switched to `page`, after clicking the index-th button labelled `label`."""
    at = app()
    at.run()
    at.switch_page(page).run()
    [b for b in at.button if b.label == label][index].click().run()
    return at


def test_lesson_open_loads_its_settings():
    at = click_on_page("views/lessons.py", "Open", 1)
    cfg = at.session_state["cfg"]
    assert (cfg.target, cfg.freq, cfg.act) == ("sine", 4.0, "relu") and not at.exception
    assert [t.value for t in at.title] == ["Spectral bias, live"]            # and we are on the live page
    close(at)


def test_physics_setup_loads_a_pinn_into_the_live_page():
    at = click_on_page("views/physics.py", "Train live", 2)
    cfg = at.session_state["cfg"]
    assert (cfg.problem, cfg.act) == ("inverse", "tanh") and not at.exception
    assert [t.value for t in at.title] == ["Spectral bias, live"]
    at.switch_page("views/live.py")               # AppTest reruns its own page unless told otherwise
    deadline = time.time() + 60
    while time.time() < deadline and not any(m.label == "recovered k (true 2)" for m in at.metric):
        time.sleep(1)
        at.run()
    assert any(m.label == "recovered k (true 2)" for m in at.metric)
    close(at)


def test_controls_survive_streamlit_dropping_their_state():
    """Under load Streamlit was seen to drop the widgets' state (a Play click racing a fragment's timed
    rerun): every control then fell to its minimum and the page raised. Simulated here as a session
    that has its settings but no widget state: the controls must come back showing those settings."""
    from repcore import RunConfig
    at = app()
    cfg = RunConfig(width=23, depth=2, seed=103, steps=5000, act="relu")
    for key, value in {"cfg": cfg, "models": ["vanilla", "repnet"], "notices": [], "classroom": False}.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    assert next(s for s in at.slider if s.label == "Width").value == 23
    assert next(s for s in at.slider if s.label == "Hidden layers").value == 2
    assert next(n for n in at.number_input if n.label == "Seed").value == 103
    assert next(m for m in at.multiselect if m.label == "Models side by side").value == ["vanilla", "repnet"]
    after = at.session_state["cfg"]
    assert (after.width, after.depth, after.seed, after.steps, after.act, after.lr) == (23, 2, 103, 5000, "relu", cfg.lr)
    close(at)


def test_an_empty_model_choice_is_refused_and_training_goes_on():
    at = app(steps="5000")
    at.run()
    next(m for m in at.multiselect if m.label == "Models side by side").set_value([]).run()
    assert not at.exception
    assert any("choose at least one" in e.value for e in at.sidebar.error)
    assert list(at.session_state["live"].lanes) == ["vanilla", "repnet"]
    close(at)


def run_until(at, done, timeout=90, message=lambda: ""):
    deadline = time.time() + timeout
    while time.time() < deadline and not done():
        time.sleep(0.5)
        at.run()
    assert done(), message()


@pytest.mark.slow
def test_the_end_of_the_budget_and_a_crash_are_said_on_every_page_that_trains():
    """Finished: said, and Play becomes Continue (the budget doubles, training goes on from where it was).
    A training process that dies: said with what to press, on the live page and on the spectral page."""
    at = app(steps="60", width="16", depth="2", points="100", grid="64", test_points="256")
    at.run()
    next(b for b in at.button if b.label == "Play").click().run()
    run_until(at, lambda: metric(at, "Epoch") == ["60", "60"])
    run_until(at, lambda: any("Finished: every model reached the budget of 60 epochs" in s.value for s in at.success))
    assert [b.label for b in at.button][:1] == ["Continue"]
    next(b for b in at.button if b.label == "Continue").click().run()
    assert at.session_state["cfg"].steps == 120 and at.query_params["steps"] == "120"
    run_until(at, lambda: metric(at, "Epoch") == ["120", "120"])
    live = at.session_state["live"]
    live.lanes["repnet"].worker.proc.kill()
    for page in ("views/live.py", "views/spectral.py"):
        at.switch_page(page).run()
        run_until(at, lambda: any("training process of repnet ended unexpectedly at epoch 120" in e.value
                                  and "Press Reset" in e.value for e in at.error))
        assert not at.exception
    next(b for b in at.button if b.label == "Reset").click().run()                # what the message says to press
    run_until(at, lambda: metric(at, "Epoch") == ["0", "0"] and not at.error, message=lambda: (metric(at, "Epoch"), [e.value for e in at.error]))
    close(at)


def test_a_whole_network_on_a_problem_that_cannot_build_it_is_said_next_to_the_models_control():
    at = app(models="vanilla,fno")
    at.run()
    assert any(e.value.startswith("fno: a whole network that only the operator problem builds") for e in at.error)
    close(at)
