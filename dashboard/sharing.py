"""Sharing: the lecturer's side of watch mode (watch.py holds the broadcasts and the watcher's side).

The Share switch (in the live page's sidebar; in presentation mode, which has no sidebar, in a Share popover
by the buttons) gives the session a code and publishes it after each of its polls; the link to give the
room, the line under presentation mode's buttons, and how many screens watch. Stopping sharing, or the
session's end, tells the watchers.
"""
from __future__ import annotations

import weakref

import streamlit as st

from dashboard.watch import board


def _publisher(code: str, slots):
    def publish(live) -> None:
        board().publish(code, live, waiting=slots.place(live) > 0)
    return publish


def share(live, owner: str) -> str:
    """Start sharing `live` (once per session): its code."""
    ss = st.session_state
    if ss.get("share_code") and ss.get("share_live") is live:
        board().rename(ss.share_code, owner)
        return ss.share_code
    from dashboard.slots import seats
    unshare(ss.get("share_live"))
    code = board().open(owner)
    ss.share_listener = _publisher(code, seats())
    live.listeners.append(ss.share_listener)
    weakref.finalize(live, board().end, code)
    ss.share_code, ss.share_live = code, live
    board().publish(code, live)
    return code


def unshare(live) -> None:
    """Stop sharing: the watchers keep the last frame, told that sharing ended."""
    ss = st.session_state
    code, listener = ss.pop("share_code", None), ss.pop("share_listener", None)
    ss.pop("share_live", None)
    if live is not None and listener in live.listeners:
        live.listeners.remove(listener)
    if code is not None:
        board().end(code)


def link(code: str) -> str:
    base = (st.context.url or "").split("?")[0].rstrip("/")
    return f"{base}/?watch={code}" if base else f"?watch={code}"


def follow_line() -> str:
    """' · follow live: LINK' while this session shares (presentation mode's line under the buttons)."""
    code = st.session_state.get("share_code")
    return f" · :material/visibility: follow live: {link(code)} ({_watching(code)} watching)" if code else ""


def _watching(code: str) -> int:
    st.session_state.watching_shown = n = board().watching(code)
    return n


def audience_changed() -> bool:
    """The number of screens watching differs from the one the page shows (the heartbeat then redraws a paused page)."""
    code = st.session_state.get("share_code")
    return code is not None and board().watching(code) != st.session_state.get("watching_shown")


def _switched(live, switch: str) -> None:
    ss = st.session_state
    if ss[switch]:
        share(live, ss.get("share_owner") or "the lecturer")
    else:
        unshare(live)


def share_popover(where, live) -> None:
    """Presentation mode's Share (it has no sidebar): the same switch, name and link, in a popover by the buttons."""
    with where.popover("Share", icon=":material/visibility:"):
        share_control(st, live, "_present")


def share_control(where, live, place: str = "") -> None:
    """The lecturer's switch: share this session live; the link to give, and how many screens follow it.
    Its widgets take their values from the sharing itself: Streamlit forgets a widget's state on the runs
    that do not draw it, as presentation mode does not draw the sidebar. `place` tells the sidebar's widgets
    from the Share popover's (Streamlit tells widgets apart by page and container too, so one key cannot
    serve both)."""
    ss = st.session_state
    switch, name = "w_share" + place, "w_share_owner" + place
    ss.setdefault(switch, bool(ss.get("share_code")))
    ss.setdefault(name, ss.get("share_owner", ""))
    where.toggle("Share live (watch link)", bool(ss.get("share_code")), key=switch, on_change=_switched, args=(live, switch),
                 help="students open the link and watch this session train, read-only; the server trains it once")
    if not ss.get("share_code"):
        return
    ss.share_owner = ss[name].strip()
    code = share(live, ss.share_owner or "the lecturer")
    where.text_input("Your name, as watchers see it", ss.get("share_owner", ""), key=name, max_chars=40, placeholder="the lecturer")
    where.code(link(code), language=None, wrap_lines=True)      # all of it legible, in the sidebar too
    n = _watching(code)
    where.caption(f"code **{code}** · {n} screen{'' if n == 1 else 's'} watching",
                  help="screens that drew a frame in the last few seconds")
