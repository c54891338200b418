"""Whole runs under Streamlit's rerun folding: a run of the page cut short by a fragment's timer is rerun once
(dashboard/playback.py), and a URL write stopped at its send is sent again (dashboard/settings.py)."""
from types import SimpleNamespace

import pytest

from helpers import app, close


class _State(dict):
    """st.session_state: a dict with attribute access."""
    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__


class _Interrupted(Exception):
    """What Streamlit raises at a send when a rerun is pending (RerunException)."""


class _Params(dict):
    """st.query_params as Streamlit 1.67 has it: from_dict sets the server's copy, then sends the browser the URL;
    the first `drops` sends are where a pending rerun stops the run."""
    def __init__(self, drops: int):
        super().__init__()
        self.drops, self.browser = drops, []

    def to_dict(self):
        return dict(self)

    def from_dict(self, query):
        self.clear()
        self.update(query)
        if self.drops:
            self.drops -= 1
            raise _Interrupted
        self.browser.append(dict(query))


def test_a_url_write_stopped_by_a_rerun_is_sent_again(monkeypatch):
    """The browser kept ?present=1 for a whole Play (loaded run): the write was stopped at its send, and the
    server's copy already matched. The page's next run sends it (playback.finish_cut_run makes that run)."""
    from dashboard import settings
    from repcore.config import RunConfig
    params = _Params(drops=1)
    monkeypatch.setattr(settings, "st", SimpleNamespace(query_params=params, session_state=_State(models=list(settings.DEFAULT_MODELS))))
    with pytest.raises(_Interrupted):
        settings._to_url(RunConfig(width=64))                   # a settings change; its run is stopped
    assert params.to_dict()["width"] == "64" and params.browser == []
    settings._to_url(RunConfig(width=64))                       # the page's next run
    assert params.browser == [params.to_dict()] and params.browser[0]["width"] == "64"
    settings._to_url(RunConfig(width=64))                       # sent once: no repeat
    assert len(params.browser) == 1


def test_a_run_of_the_page_cut_short_is_rerun_once_by_the_next_timed_fragment(monkeypatch):
    """A fragment's timer arriving during a run of the whole page stops that run (Streamlit folds both into
    one fragment run); the next tick of a timed fragment asks for the page once, and does not chase a run
    that is cut (or errors) again."""
    from dashboard import playback
    asked = []
    monkeypatch.setattr(playback, "st", SimpleNamespace(session_state=_State(), rerun=lambda: asked.append(1)))
    monkeypatch.setattr(playback, "_fragment_run", lambda: inline)
    inline = False
    playback.begun()
    playback.finish_cut_run()
    assert asked == []                                          # a fragment inside the page's run: not yet ended
    playback.ended()
    inline = True                                               # from here on, the timed fragment's own runs
    playback.begun()
    playback.ended()
    playback.finish_cut_run()
    assert asked == []                                          # a whole run: nothing to do
    playback.begun()                                            # cut short: no ended()
    playback.finish_cut_run()
    playback.finish_cut_run()                                   # a second tick before that rerun began
    assert asked == [1]
    playback.begun()                                            # the rerun asked for, cut again
    playback.finish_cut_run()
    assert asked == [1]
    playback.begun()                                            # a person's next move, cut
    playback.finish_cut_run()
    assert asked == [1, 1]


def test_every_run_of_the_app_is_whole_on_the_live_page_and_on_a_watch_link_to_nowhere():
    for at in (app(), app(watch="ZZZZZZ")):
        at.run()
        assert not at.exception and at.session_state["runs_begun"] == at.session_state["runs_ended"] >= 1
        close(at)
