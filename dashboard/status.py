"""What the pages that train (live, spectral, picture) say about their session (session.LiveSession): the
end of the budget, a stopped or crashed training process, a diverged model, each in words with what to press
next (the buttons: playback.py)."""
from __future__ import annotations

import streamlit as st

from dashboard import slots
from dashboard.pacing import continuable
from dashboard.session import LiveSession


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
