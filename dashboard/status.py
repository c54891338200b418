"""What the pages that train (live, spectral, picture) say about their session: the end of the budget,
a stopped or crashed training process, a diverged model, each in words with what to press next; and the
Play button that becomes Continue once the budget is spent (session.LiveSession)."""
from __future__ import annotations

import streamlit as st

from dashboard import slots
from dashboard.pacing import continuable
from dashboard.session import LiveSession

PAUSE_WAIT_S = 3.0      # Pause waits this long for the models to reach the last goal (session.LEAD_S of training)


def extend_budget() -> None:
    """Continue's callback (before the rerun): the session's budget doubled, the sidebar's field too."""
    ss = st.session_state
    ss.cfg = ss.cfg.replace(steps=2 * ss.cfg.steps)
    ss.w_steps = ss.cfg.steps


def play_button(where, live: LiveSession, key: str) -> bool:
    """Play, or Continue once every model reached the budget (and training on changes anything)."""
    done = live.at_budget() and all(continuable(lane.cfg) for lane in live.lanes.values())
    budget = max((lane.cfg.steps for lane in live.lanes.values()), default=0)
    return where.button("Continue" if done else "Play", key=key, type="primary", icon=":material/play_arrow:",
                        on_click=extend_budget if done else None,
                        help=f"train {budget:,} more epochs (the budget doubles)" if done else "train until Pause or the budget")


def pause(live: LiveSession) -> bool:
    """Stop queueing epochs and wait (briefly) until every model stands at the last one: what the page
    then shows is where training stopped, every model at the same epoch. False if they are still on the way."""
    slots.leave(live)           # out of the queue for a training slot, too
    live.pause()
    return live.settle(PAUSE_WAIT_S)


def say(live: LiveSession, compact: bool = False) -> None:
    """The session's state in words, when it needs any: finished, stopped, crashed, diverged, pausing,
    waiting for a training slot."""
    slots.say(live, compact)
    for label, lane in live.lanes.items():
        if lane.error:
            st.error(lane.error if lane.stopped else f"{label}: {lane.error}", icon=":material/error:")
        elif lane.latest is not None and lane.latest.status == "diverged":
            st.error(f"{label} diverged at epoch {lane.latest.diverged_at:,}: its loss or weights became non-finite. "
                     "Press Reset (a smaller learning rate or slope scale may help).", icon=":material/error:")
    if live.at_budget():
        budget = max(lane.cfg.steps for lane in live.lanes.values())
        more = ("Press Continue to train further, or Reset to start again." if all(continuable(lane.cfg) for lane in live.lanes.values())
                else "Its learning rate ended with the budget (a cosine schedule): press Reset to train again.")
        text = f"Finished: every model reached the budget of {budget:,} epochs. {more}"
        if compact:
            st.caption(f":material/flag: {text}")
        else:
            st.success(text, icon=":material/flag:")
    elif not live.playing and live.waiting() and any(lane.latest is not None for lane in live.lanes.values()):
        st.caption(f":material/hourglass_top: Every model trains to epoch {live.goal:,}, then stops…")
