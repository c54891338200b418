"""Playback: the scaffold of the pages that move by themselves, each with a Clock (`playing`, and `advance()`:
what a tick does before the page draws). The live, spectral and picture pages play a LiveSession (session.py:
take what arrived, stop at the budget), the library's replay a ReplayClock (move to the frame due), a
watcher's page a watch.Following (read the newest broadcast). `show` draws a page's moving part in a
fragment the browser reruns on a timer while the clock plays; a tick that starts or stops the clock reruns
the page, so the timer's pace and the charts follow (SVG images while playing, interactive plotly still).
`buttons`: the training pages' Play, Pause, Step and Reset; `ReplayClock.controls`: the replay's."""
from __future__ import annotations

import time
from typing import Callable, Protocol

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import slots
from dashboard.pacing import continuable
from dashboard.session import LiveSession

PAUSE_WAIT_S = 3.0      # Pause waits this long for the models to reach the last goal (session.LEAD_S of training)
SPEEDS = {"slow": 60.0, "normal": 25.0, "fast": 10.0}                # seconds for a whole replay, however many frames
TICK_S = 0.25                                                         # redraws a second while a replay plays: 4


class Clock(Protocol):
    playing: bool

    def advance(self) -> None: ...


# --- whole runs cut short. A fragment's timed rerun that arrives during a run of the whole page stops that run at
# its next element (Streamlit folds the two requests into one fragment run), and nothing reruns the page after:
# seen under load, leaving presentation mode while playing kept ?present=1 in the URL for the whole Play (the run
# stopped before writing it) and the page without its heartbeat. A run counts as whole when it reaches `ended()`.

def begun() -> None:
    """At the top of the app's script: a run of the whole page starts."""
    ss = st.session_state
    ss.runs_begun = ss.get("runs_begun", 0) + 1


def ended() -> None:
    """The whole page was drawn (the end of the script, or a page's deliberate `stop`)."""
    st.session_state.runs_ended = st.session_state.get("runs_begun", 0)


def stop() -> None:
    """st.stop() for a page that has drawn all it will: the run counts as whole."""
    ended()
    st.stop()


def _fragment_run() -> bool:
    """Whether this run is a fragment's alone (inside a run of the whole page, fragments run inline, before
    `ended`). Read from Streamlit's run context: no public API says it."""
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def finish_cut_run() -> None:
    """In every timed fragment: rerun the page once if its last run was cut short (once: a run that errors or
    is cut again is not chased)."""
    ss = st.session_state
    n = ss.get("runs_begun", 0)
    if _fragment_run() and ss.get("runs_ended", 0) != n and ss.get("runs_rerun_after") not in (n, n - 1):    # n - 1: n is that rerun
        ss.runs_rerun_after = n
        st.rerun()


def show(clock: Clock, draw: Callable[[], None], every: float, idle: float | None = None) -> None:
    """`draw` in a fragment rerun every `every` s while `clock` plays (`idle` s, or never, while not), after a
    tick of the clock; a tick that starts or stops it reruns the page (the timer's pace is set there)."""
    def tick() -> None:
        finish_cut_run()
        was = clock.playing
        clock.advance()
        if clock.playing != was:
            st.rerun()
        draw()
    st.fragment(run_every=every if clock.playing else idle)(tick)()


def keep_alive(live: LiveSession) -> None:
    """Paused, for a session the app's heartbeat does not poll (the picture's, streamlit_app.py): a poll is
    the workers' keep-alive (they exit unasked); the page is redrawn only when something arrived."""
    def beat() -> None:
        finish_cut_run()
        if live.poll():
            st.rerun()
    if not live.playing:
        st.fragment(run_every=1.5 if live.waiting() else 5)(beat)()


# --- the training pages' buttons

def extend_budget() -> None:
    """Continue's callback (before the rerun): the session's budget doubled, the sidebar's field too."""
    ss = st.session_state
    ss.cfg = ss.cfg.replace(steps=2 * ss.cfg.steps)
    ss.w_steps = ss.cfg.steps


def buttons(cols, live: LiveSession, key: str = "", step: int | None = None) -> None:
    """Play (Continue once every model reached the budget and training on changes anything), Pause, Step
    `step` epochs (when given) and Reset, one to a column of `cols`; `key` prefixes their keys. Play pauses
    this browser session's other training (the cores are shared) and starts now, or once a slot frees (slots.py)."""
    cols, done = iter(cols), live.at_budget() and all(continuable(lane.cfg) for lane in live.lanes.values())
    budget = max((lane.cfg.steps for lane in live.lanes.values()), default=0)
    if next(cols).button("Continue" if done else "Play", key=f"{key}play", type="primary", icon=":material/play_arrow:",
                         on_click=extend_budget if done else None,
                         help=f"train {budget:,} more epochs (the budget doubles)" if done else "train until Pause or the budget"):
        for other in (st.session_state.get("live"), st.session_state.get("picture_live")):
            if other is not None and other is not live and other.playing:
                other.pause()
        slots.play(live)
    if next(cols).button("Pause", icon=":material/pause:", key=f"{key}pause"):
        slots.leave(live)           # out of the queue for a training slot, too
        live.pause()                # and wait (briefly) for every model to stand at the last goal: what the page
        live.settle(PAUSE_WAIT_S)   # then shows is where training stopped, every model at the same epoch
    if step and next(cols).button("Step", icon=":material/skip_next:", key=f"{key}step", help=f"train {step} epochs, then pause"):
        live.step(step)
    if next(cols).button("Reset", icon=":material/restart_alt:", key=f"{key}reset", help="back to epoch 0, same settings and seed"):
        live.reset()


# --- the library's replay

class ReplayClock:
    """A saved run's frames (`steps`, its epochs) on a timeline, played at a pace set in seconds per replay:
    the frame shown is the one due at this moment, so a slow redraw skips frames rather than slowing the
    replay down; it ends on the last frame. Its state is the browser session's (the run playing, when it
    started, the speed, the frame shown), so it survives reruns and one replay plays at a time."""

    def __init__(self, run_id: int, steps: list[int]):
        self.run_id, self.steps, self._ends = run_id, steps, f"lib_ends_{run_id}"
        st.session_state.setdefault("replay_speed", "normal")

    @property
    def key(self) -> str:
        """The timeline's widget key: a new one each time a replay ends. The browser holds the timeline at the
        frame it last drew, one tick behind, and sends that with its next request: a timer's request still on
        its way when the last frame was reached moved a finished replay back a frame (seen under load). Under a
        new key the old widget's value is ignored."""
        return f"lib_step_{self.run_id}" + (f"_{n}" if (n := st.session_state.get(self._ends, 0)) else "")

    @property
    def playing(self) -> bool:
        return st.session_state.get("replay_playing") == self.run_id

    def advance(self) -> None:
        ss, steps = st.session_state, self.steps
        if self.playing:
            due = (time.monotonic() - ss.replay_start) / SPEEDS[ss.replay_speed]
            ss[self.key] = steps[min(int(due * (len(steps) - 1)), len(steps) - 1)]
            if ss[self.key] == steps[-1]:                  # the last frame is shown: stop there
                ss.replay_playing = None
                ss[self._ends] = ss.get(self._ends, 0) + 1
                ss[self.key] = steps[-1]

    def anchor(self) -> None:
        """Start the clock so that the frame shown is due now (on Play, on a new speed)."""
        ss, steps = st.session_state, self.steps
        at = steps.index(ss.get(self.key, steps[0]))
        ss.replay_start = time.monotonic() - at / max(len(steps) - 1, 1) * SPEEDS[ss.replay_speed]

    def controls(self) -> int:
        """Play/Pause, the speed and the timeline; the epoch of the frame to show."""
        ss, steps, playing = st.session_state, self.steps, self.playing
        c = st.columns([1, 2.2, 5], vertical_alignment="bottom")
        if c[0].button("Pause" if playing else "Play", icon=":material/pause:" if playing else ":material/play_arrow:",
                       type="primary", key="replay_play", disabled=len(steps) < 2):
            if not playing and ss.get(self.key) == steps[-1]:
                ss[self.key] = steps[0]                      # from the start again
            ss.replay_playing = None if playing else self.run_id
            self.anchor()
            st.rerun()
        c[1].segmented_control("Speed", list(SPEEDS), key="replay_speed", required=True, on_change=self.anchor,
                               help=", ".join(f"{k}: {v:g} s" for k, v in SPEEDS.items()))
        return steps[0] if len(steps) == 1 else c[2].select_slider(
            "Timeline (epoch)", steps, key=self.key, format_func=lambda v: f"{v:,}", help="saved snapshots; nothing is retrained")
