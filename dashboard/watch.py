"""Watch mode: one session's live training shown read-only on any number of screens (`?watch=CODE`),
trained once.

The lecturer shares the session (sharing.py: the Share switch in the live page's sidebar, or in
presentation mode in the Share popover by the buttons): it gets a short code, and
after each of its polls (LiveSession.listeners) it publishes a Broadcast, an immutable record of what
its page shows: per model the settings, the frame shown and the light history; the faded previous run;
the restart notice; playing, paused, finished or waiting for a slot. A watcher's page (views/watch.py)
reads the newest Broadcast of its code on a timer and draws it; it owns no training process, so thirty
students following the lecture cost the server drawing, not training. Play, Pause, Reset and settings
changes reach the watchers as the next Broadcast.

`Board` holds the broadcasts: the one piece of state every session of the server shares here
(`board()`, st.cache_resource); a lock guards its dicts, and a Broadcast is never changed once published
(only its `drawn` cache, which any watcher may fill), so watchers read it without locking. A code whose
session ended says so to its watchers and is forgotten after KEEP_S (sooner once MAX_CODES ended ones pile up).
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

import streamlit as st

from dashboard.lanes import Ghost
from repcore import RunConfig
from repcore.snapshot import Snapshot

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"      # no 0/O, 1/I/L: read off a projector
CODE_LEN, KEEP_S, SEEN_S, MAX_CODES = 6, 3600.0, 6.0, 256


@dataclass(frozen=True)
class View:
    """One model as the watchers see it."""
    cfg: RunConfig
    latest: Snapshot | None
    history: tuple
    error: str
    rate: float                      # epochs per second shown (0 when paused)


@dataclass(frozen=True)
class Broadcast:
    code: str
    owner: str
    version: int
    at: float                        # time.time() when published
    lanes: dict[str, View]
    ghost: dict[str, Ghost]
    notice: str
    state: str                       # starting | playing | paused | finished | waiting | ended
    models: tuple[str, ...] = ()
    drawn: dict = field(default_factory=dict, compare=False)     # SVGs drawn from it, shared by its watchers

    @property
    def playing(self) -> bool:
        return self.state == "playing"

    def query(self) -> dict[str, str]:
        """The settings as a link holds them ("Try it yourself" starts a session with them)."""
        cfg = next(iter(self.lanes.values())).cfg if self.lanes else RunConfig()
        return {**cfg.replace(model=RunConfig().model).to_query(), "models": ",".join(self.models)}


def state_of(live, waiting: bool) -> str:
    if any(lane.latest is None for lane in live.lanes.values()):
        return "starting"
    if live.playing:
        return "playing"
    if waiting:
        return "waiting"
    return "finished" if live.at_budget() else "paused"


class Board:
    """The broadcasts by code, and who watches them."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self._lock = threading.Lock()
        self.casts: dict[str, Broadcast] = {}
        self.owners: dict[str, str] = {}
        self.viewers: dict[str, dict[str, float]] = {}
        self._said: dict[str, tuple] = {}

    def open(self, owner: str) -> str:
        """A new code, for a session starting to share."""
        with self._lock:
            now = self.clock()
            ended = sorted((cast.at, code) for code, cast in self.casts.items() if cast.state == "ended")
            for at, code in ended:          # a code still shared is kept; an ended one for KEEP_S, fewer if many
                if now - at > KEEP_S or len(self.casts) >= MAX_CODES:
                    self._drop(code)
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))
            while code in self.owners:
                code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))
            self.owners[code] = owner
            return code

    def _drop(self, code: str) -> None:
        for d in (self.casts, self.owners, self.viewers, self._said):
            d.pop(code, None)

    def rename(self, code: str, owner: str) -> None:
        with self._lock:
            if code in self.owners:
                self.owners[code] = owner
                self._said.pop(code, None)

    def publish(self, code: str, live, waiting: bool = False) -> None:
        """The session's page as it is now, if anything changed since the last time (on the lecturer's thread)."""
        state = state_of(live, waiting)
        said = (tuple((label, lane.cfg, id(lane.latest), lane.error) for label, lane in live.lanes.items()),
                id(live.ghost), live.notice, state)
        with self._lock:
            if code not in self.owners or self._said.get(code) == said:
                return
            self._said[code] = said
            version = self.casts[code].version + 1 if code in self.casts else 1
            owner = self.owners[code]
        lanes = {label: View(lane.cfg, lane.latest, tuple(lane.history), lane.error,
                             live.epochs_per_s(label) if live.playing else 0.0) for label, lane in live.lanes.items()}
        cast = Broadcast(code, owner, version, self.clock(), lanes, dict(live.ghost), live.notice, state, tuple(live.lanes))
        with self._lock:
            if code in self.owners:
                self.casts[code] = cast

    def end(self, code: str) -> None:
        """The sharing session ended or stopped sharing: its watchers keep the last frame, told so."""
        with self._lock:
            cast = self.casts.get(code)
            if cast is not None:
                self.casts[code] = Broadcast(code, cast.owner, cast.version + 1, self.clock(), cast.lanes, cast.ghost,
                                             cast.notice, "ended", cast.models)
            self.owners.pop(code, None)
            self._said.pop(code, None)

    def get(self, code: str) -> Broadcast | None:
        return self.casts.get(code)

    def seen(self, code: str, viewer: str) -> None:
        with self._lock:
            self.viewers.setdefault(code, {})[viewer] = self.clock()

    def watching(self, code: str) -> int:
        """Screens that drew this code in the last SEEN_S seconds."""
        now = self.clock()
        with self._lock:
            return sum(now - t < SEEN_S for t in self.viewers.get(code, {}).values())


@st.cache_resource
def board() -> Board:
    """The server's broadcasts (one per process, shared by every session)."""
    return Board()


class Following:
    """A watcher's clock (playback.Clock): the newest broadcast of `code`, playing as its owner plays."""

    def __init__(self, code: str):
        self.code = code
        self.cast = board().get(code) if code else None

    @property
    def playing(self) -> bool:
        return self.cast is not None and self.cast.playing

    def advance(self) -> None:
        self.cast = board().get(self.code) if self.code else None


def normal_code(text: str | None) -> str:
    """A code as typed or linked: upper case, no spaces; '' if it cannot be one."""
    code = "".join((text or "").split()).upper()
    return code if 0 < len(code) <= 16 and all(c in ALPHABET for c in code) else ""


def watching(params) -> str | None:
    """The code this browser session watches (from `?watch=` on its first run; None once it tries for itself)."""
    ss = st.session_state
    if "watch" not in ss:
        ss.watch = " ".join(params["watch"].split()).upper()[:40] if "watch" in params else None
    return ss.watch
