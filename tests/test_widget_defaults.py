"""A control the browser re-creates comes back at the setting being trained.

Streamlit's browser side keeps each widget's value in a store of its own and drops the values of widgets
missing from the page when a run ends; a widget drawn again after that starts from its element's `default`
(frontend: stored value ?? element.default) and sends it with the next click. In CI's four-session load test
one page's step budget came back as 10, number_input's own default, and the page stopped at epoch 10.
The oracle: every settings control's element default is the value it holds, and a browser that re-creates
them all and sends those defaults changes nothing that is trained."""
import pytest

from helpers import app, close

# Page states from links: everything away from the defaults, then a custom target with its own domain.
LINKS = [dict(target="sine", freq="7", slope_scale="30", lr="0.003", act="relu", width="23", depth="2", steps="5000",
              seed="103", points="500", law="center", init="he", head="init", models="vanilla,repnet,siren"),
         dict(target="sin(3*x) + 0.1*sin(40*x)", domain="-2,2", act="tanh", device="cpu", models="repnet")]


def settings_widgets(at):
    """The session's settings controls (keys w_*, the file upload aside: the browser sends no default for it)."""
    widgets = [w for kind in ("toggle", "selectbox", "slider", "select_slider", "number_input", "multiselect",
                              "button_group", "text_input") for w in at.get(kind)]
    return [w for w in widgets if w.key and w.key.startswith("w_")]


def default_matches(w) -> bool:
    """Whether the element's default, what a re-created widget shows, is the value the widget holds."""
    p = w.proto
    if w.type in ("selectbox",):
        return p.default == w.index
    if w.type in ("select_slider",):
        return [p.options[int(i)] for i in p.default] == list(w._widget_state.string_array_value.data)
    if w.type in ("multiselect", "button_group"):
        return list(p.default) == list(w.indices)
    if w.type == "slider":
        return list(p.default) == [float(w.value)]
    return p.default == w.value             # toggle, number_input, text_input


@pytest.mark.parametrize("link", LINKS, ids=["everything-set", "custom-target"])
def test_every_control_defaults_to_the_setting_trained(link):
    at = app(**link)
    at.run()
    assert not at.exception
    widgets = settings_widgets(at)
    assert {"w_target", "w_nu_auto", "w_act", "w_width", "w_steps", "w_seed", "w_models", "w_domain", "w_present"} <= {w.key for w in widgets}
    wrong = [(w.key, list(w.proto.default) if hasattr(w.proto.default, "__len__") and not isinstance(w.proto.default, str)
              else w.proto.default, w.value) for w in widgets if not default_matches(w)]
    assert not wrong, f"controls a re-created widget would reset (key, element default, value held): {wrong}"
    close(at)


def test_a_browser_that_recreates_the_controls_and_sends_their_defaults_changes_nothing():
    """What the load test's page did, for every control whose default AppTest can send as a value."""
    at = app(**LINKS[0])
    at.run()
    before = (at.session_state["cfg"], at.session_state["models"])
    for w in settings_widgets(at):
        p = w.proto
        if w.type in ("toggle", "number_input", "text_input"):
            w.set_value(p.default if w.type != "number_input" else int(p.default))
        elif w.type == "slider":
            w.set_value(int(p.default[0]))
        elif w.type in ("multiselect", "button_group"):
            chosen = [w.options[i] for i in p.default]
            w.set_value(chosen if w.type == "multiselect" else chosen[0])
    at.run()
    assert not at.exception and not at.error
    assert (at.session_state["cfg"], at.session_state["models"]) == before
    close(at)


@pytest.mark.parametrize("key,value,moved", [("width", "1000", 512), ("depth", "12", 8), ("steps", "5", 10),
                                             ("steps", "2000000", 1_000_000), ("freq", "80", 60.0)])
def test_a_link_beyond_a_controls_range_is_moved_into_it_with_a_notice(key, value, moved):
    """The engine takes width 1-2048, steps 0-10^7, ...; the controls show less. Before: width=1000 raised on the
    page, and steps=5 became 10 on the next run without a word."""
    at = app(**{key: value})
    at.run()
    assert not at.exception
    assert getattr(at.session_state["cfg"], key) == moved
    assert any(n.startswith(f"{key} ") and "the dashboard's control goes from" in n for n in at.session_state["notices"])
    close(at)
