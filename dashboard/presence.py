"""Presence: a session's training processes live as long as its browser page is connected, not only as
long as the page keeps asking.

A page's requests are driven by the browser's timers, and a browser short of CPU sends none for a long
while with its tab open: sixteen Chromium pages on this 2-core machine went silent for over 20 s, their
workers' idle timeout (repcore.workers) fired, and eleven pages said *Training stopped* (docs/limits.md).
The server knows better than the page's timers whether the page is there: Streamlit's runtime keeps a
browser session "active" while its websocket is open. So one thread per server (`Keeper`, started on a
session's first use) sends, every PING_S, a keep-alive to the workers of every LiveSession whose page is
connected and marks it present in the training-slot queue (slots.Slots.touch), so a slow page keeps its
processes and its place.

A closed tab closes its websocket at once; a sleeping laptop's or a lost network's is dropped by the
server's websocket ping (30 s, answered within 30 s: Streamlit's defaults). From then on nothing keeps
the processes, and they exit REPCORE_IDLE_TIMEOUT s after the last keep-alive: a closed page frees its
processes within idle timeout + PING_S (+ 60 s for a page that vanished without closing), its training
slot and queue place within the slots' lease. Without a Streamlit runtime (AppTest, scripts) nothing is
kept: the page's own polls keep the processes, as before.
"""
from __future__ import annotations

import threading
import weakref

PING_S = 5.0        # well under any idle timeout worth setting (default 20 s)


class Keeper:
    """Browser session id -> the LiveSessions it owns (weakly), kept alive while that session is connected."""

    def __init__(self, connected, touch=lambda live: None, every: float = PING_S):
        self.connected, self.touch, self.every = connected, touch, every
        self._lock = threading.Lock()
        self._sessions: dict[str, list[weakref.ref]] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def attach(self, session_id: str, live) -> None:
        with self._lock:
            refs = [r for r in self._sessions.get(session_id, []) if r() is not None and r() is not live]
            self._sessions[session_id] = [*refs, weakref.ref(live)]
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="presence", daemon=True)
                self._thread.start()

    def keep(self) -> int:
        """One round: keep the connected sessions' training alive, forget the ended ones. How many were kept."""
        with self._lock:
            items = [(sid, [r() for r in refs]) for sid, refs in self._sessions.items()]
        kept = 0
        for sid, lives in items:
            lives = [live for live in lives if live is not None]
            if not lives:
                with self._lock:
                    if all(r() is None for r in self._sessions.get(sid, [])):
                        self._sessions.pop(sid, None)
                continue
            if not self.connected(sid):
                continue
            for live in lives:
                live.keep_alive()
                self.touch(live)
                kept += 1
        return kept

    def close(self) -> None:
        """Stop keeping (tests; a server's keeper lives as long as the server)."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.keep()
            except Exception as err:         # never let the keeper die: the idle timeout would then stop every page's training
                print(f"presence: {err!r}", flush=True)


_KEEPER: Keeper | None = None
_KEEPER_LOCK = threading.Lock()


def attach(live) -> None:
    """Keep `live` alive while this script's browser session is connected (a no-op outside a Streamlit server)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return
    global _KEEPER
    with _KEEPER_LOCK:
        if _KEEPER is None:
            from dashboard.slots import seats
            _KEEPER = Keeper(runtime.get_instance().is_active_session, seats().touch)
    _KEEPER.attach(ctx.session_id, live)
