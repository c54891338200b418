"""Fair limits on one server: at most `cap` browser sessions train at once, the others wait in a queue.

A classroom shares one machine: thirty sessions playing at once would each get a thirtieth of its cores.
So pressing Play takes a training slot (`play`); with every slot taken the session joins a first-come
queue, its page says its place in words and polls, and its training starts by itself when a slot frees
(`tick`, from the page's heartbeat, streamlit_app.py). A slot is held while the session plays: Pause,
Reset, the end of the budget free it at once, a closed tab after `lease_s`, like its training processes
(repcore.workers idle timeout). A page counts as there while it polls or, slow as its browser may be,
while the server sees it connected (`touch`, from presence.py): a slow page keeps its slot and its place
in the queue, but a free slot goes to the first waiting page that polled in the last STALE_S seconds, so
a silent one at the head does not stall the queue (it keeps its place and takes the next slot). While others wait, a session that
has played `turn_s` seconds is paused and told why, so one long run cannot keep a slot all lesson. A
shared session (the lecturer's, watched on many screens: watch.py) joins the queue at its head and keeps
its slot past its turn: it trains for the room.
Starting a model (its epoch-0 snapshot), a Step (100 epochs) and a Pause's catch-up are short and take no
slot; a watcher (watch.py) trains nothing.

The cap: REPCORE_MAX_TRAININGS (default: half the cores this process may use, at least 1: a training is
one process per model, two by default, each wanting a core); the turn: REPCORE_TURN_S (default 60).
`Slots` is the one piece of state the server's sessions share here (`seats()`, st.cache_resource);
its lock guards it. It reads another session's LiveSession only for its `playing` flag.
"""
from __future__ import annotations

import os
import threading
import time
import weakref
from dataclasses import dataclass

import streamlit as st


def default_cap() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
    return max(1, cores // 2)


def cap_from_env(env=os.environ) -> int:
    """REPCORE_MAX_TRAININGS as a positive whole number, else the default (a bad value says so on stderr once)."""
    raw = env.get("REPCORE_MAX_TRAININGS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    if raw:
        print(f"REPCORE_MAX_TRAININGS={raw!r} is not a whole number >= 1; using {default_cap()}", flush=True)
    return default_cap()


GRACE_S = 2.0       # a slot just granted is kept this long before its session must be playing
STALE_S = 10.0      # a waiting page that has not polled for this long lets the next one take a free slot


@dataclass
class Seat:
    session: weakref.ref          # the LiveSession holding it (read for `playing` only)
    since: float                  # when it was granted
    seen: float                   # the holder's page's last poll


class Slots:
    """At most `cap` sessions playing at once; the rest queue first come, first served. Keys are
    LiveSession objects (held weakly: a session that ends leaves the queue and frees its slot)."""

    def __init__(self, cap: int, lease_s: float = 20.0, turn_s: float = 60.0, clock=time.monotonic):
        self.cap, self.lease_s, self.turn_s, self.clock = cap, lease_s, turn_s, clock
        self._lock = threading.Lock()
        self._keys: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._count = 0
        self.holding: dict[int, Seat] = {}
        self.waiting: dict[int, float] = {}       # key -> its page's last poll; insertion order = the queue
        self.present: dict[int, float] = {}       # key -> the last time the server saw its page connected (touch)

    def key(self, live) -> int:
        with self._lock:
            if live not in self._keys:
                self._count += 1
                self._keys[live] = self._count
                weakref.finalize(live, self.leave, self._count)
            return self._keys[live]

    def _gone(self, k: int, seen: float, now: float) -> bool:
        """Neither polled nor seen connected for `lease_s`."""
        return now - max(seen, self.present.get(k, seen)) > self.lease_s

    def _tidy(self, now: float) -> None:
        """Free the slots of sessions no longer playing or gone, drop waiters gone."""
        for k, seat in list(self.holding.items()):
            live = seat.session()
            idle = live is None or not live.playing and now - seat.since > GRACE_S     # granted, Play on its way
            if idle or self._gone(k, seat.seen, now):
                del self.holding[k]
        for k, seen in list(self.waiting.items()):
            if self._gone(k, seen, now):
                del self.waiting[k]

    def touch(self, live) -> None:
        """`live`'s page is connected (presence.py, every few seconds): it keeps its slot or place while slow."""
        k = self._keys.get(live)
        if k is not None:
            with self._lock:
                self.present[k] = self.clock()

    def ask(self, live, first: bool = False) -> int:
        """0 if `live` may play now (it holds a slot, or got one), else its place in the queue (1 = next);
        `first`: a session many screens watch (watch.py) joins the queue at its head."""
        k, now = self.key(live), self.clock()
        with self._lock:
            self._tidy(now)
            if k in self.holding:
                self.holding[k].seen = now
                return 0
            if first and k not in self.waiting:
                self.waiting = {k: now, **self.waiting}
            self.waiting[k] = now
            queue = list(self.waiting)
            free, place = self.cap - len(self.holding), queue.index(k)
            polling = sum(now - self.waiting[w] <= STALE_S for w in queue[:place])     # a silent page ahead lets us by
            if polling < free:
                del self.waiting[k]
                self.holding[k] = Seat(weakref.ref(live), now, now)
                return 0
            return place - max(free, 0) + 1

    def leave(self, k: int) -> None:
        with self._lock:
            self.holding.pop(k, None)
            self.waiting.pop(k, None)
            self.present.pop(k, None)

    def place(self, live) -> int:
        """Its place in the queue (0: not waiting), keeping it there."""
        k, now = self.key(live), self.clock()
        with self._lock:
            if k not in self.waiting:
                return 0
            self.waiting[k] = now
            self._tidy(now)
            free = max(self.cap - len(self.holding), 0)
            return max(list(self.waiting).index(k) - free + 1, 1)

    def key_of(self, live) -> int | None:
        return self._keys.get(live)

    def turn_over(self, live) -> bool:
        """`live` has played `turn_s` seconds while another session waits (and is polled)."""
        k, now = self.key(live), self.clock()
        with self._lock:
            self._tidy(now)
            seat = self.holding.get(k)
            if seat is not None:
                seat.seen = now
            return seat is not None and bool(self.waiting) and now - seat.since > self.turn_s

    def counts(self) -> tuple[int, int]:
        """(sessions training, sessions waiting)."""
        with self._lock:
            self._tidy(self.clock())
            return len(self.holding), len(self.waiting)


@st.cache_resource
def seats() -> Slots:
    """The server's slots (one per process, shared by every session)."""
    return Slots(cap_from_env(), lease_s=float(os.environ.get("REPCORE_IDLE_TIMEOUT", "20")),
                 turn_s=float(os.environ.get("REPCORE_TURN_S", "60")))


# --- the pages' side: Play, Pause, the heartbeat, the message

def _shared(live) -> bool:
    return st.session_state.get("share_live") is live


def play(live) -> None:
    """Play, if a slot is free; else join the queue (the page says where; `tick` starts it)."""
    st.session_state.pop("turn_note", None)
    if seats().ask(live, first=_shared(live)) == 0:
        live.play()


def leave(live) -> None:
    """Pause (or leaving the page): out of the queue, the slot freed."""
    k = seats().key_of(live)
    if k is not None:
        seats().leave(k)


def waiting(live) -> bool:
    return seats().place(live) > 0


def tick(live) -> bool:
    """The heartbeat's check (every ~1.5 s while waiting): start when our turn comes, pause when our turn is
    over while others wait. True when the page should redraw (started, paused, or a new place in the queue)."""
    slots = seats()
    place = slots.place(live)
    if place:
        if slots.ask(live, first=_shared(live)) == 0:
            live.play()
            return True
        moved = place != st.session_state.get("queue_place")
        st.session_state.queue_place = place
        return moved
    if live.playing and slots.turn_over(live) and not _shared(live):
        live.pause()
        leave(live)
        st.session_state.turn_note = (f"Paused after {slots.turn_s:g} s of training: other sessions were waiting for a "
                                      "training slot on this server. Press Play to queue again.")
        return True
    return False


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def say(live, compact: bool = False) -> None:
    """The queue in words: its place, how many train, that it starts by itself (or why a turn ended)."""
    slots = seats()
    place = slots.place(live)
    if place:
        st.session_state.queue_place = place
        training, _ = slots.counts()
        text = (f"Waiting for a training slot: {ordinal(place)} in line. At most {slots.cap} session"
                f"{'s train' if slots.cap > 1 else ' trains'} on this server at once ({training} now); yours starts by "
                "itself when one pauses or finishes. Pause leaves the queue.")
        (st.caption(f":material/hourglass_top: {text}") if compact else st.info(text, icon=":material/hourglass_top:"))
    elif st.session_state.get("turn_note") and not live.playing:
        st.info(st.session_state.turn_note, icon=":material/hourglass_top:")
