"""LiveSession: the training runs of ONE browser session, outside Streamlit's script thread.

Each model trains in its own child process (repcore.workers.Worker), so the server's GIL never
starves training and two models use two cores. The models train in lockstep: the session queues the
same goals (epochs) to every lane, each worker measures a snapshot at each goal, and a lane shows a
snapshot only once every lane has one at that epoch (`latest`), so the side-by-side view always
compares the models at the same epoch; the faster one waits. Playing, the goals run pacing.LEAD_S
seconds (of the slowest model) ahead of the frame shown, the faster models at most two goals ahead of
the slowest. Pause stops every worker where it is, the ones behind train up to the furthest, and
`settle()` waits for that: what Pause shows is where training stopped, and nothing moves after it.
Goals lie on a grid of epochs (pacing.frame_every: at least FRAMES over the budget), split finer
while the models are fast enough to show more frames. The page calls `poll()` on every refresh: it
takes the snapshots that arrived, moves the frame, queues goals and keeps the workers alive; so does
`keep_alive`, from the server's presence thread while the page is connected (dashboard/presence.py): a
worker nobody keeps alive, a closed tab's, exits by itself.
`close()` (session end via weakref.finalize) stops and reaps the workers.
Histories are light records, thinned to at most `max_history` points; each lane also keeps its frames,
full snapshots on the grid (what a saved run replays), at most `max_frames`, evenly spread.
A restart (new settings, or Reset) keeps the previous run's light history as `ghost` (drawn faded
until the next restart) and says what changed in `notice`; a new budget alone moves the end of the
runs without restarting them (Continue).
saving.record() asks each worker for its weights and returns the session as a library.SavedRun.
"""
from __future__ import annotations

import math
import time
import weakref


from repcore import RunConfig
from repcore.library import MAX_SNAPSHOTS
from repcore.snapshot import Snapshot, append_thinned
from repcore.workers import Worker

from dashboard.lanes import Ghost, Lane, Point, describe_change
from dashboard.pacing import LEAD_S, frame_every, keep_frame, segment



def _close_all(lanes: dict) -> None:
    for lane in lanes.values():
        if lane.worker is not None:
            lane.worker.close()


class LiveSession:
    def __init__(self, max_history: int = 400, idle_timeout: float = 20.0, max_frames: int = MAX_SNAPSHOTS, nice: int = 0):
        self.lanes: dict[str, Lane] = {}
        self.ghost: dict[str, Ghost] = {}
        self.notice = ""                   # what the last restart changed (shown until the next one)
        self.playing = False
        self.goals: list[int] = []         # the epochs queued (the same for every lane), ascending
        self.pausing: set[str] = set()     # lanes asked to stop now, not yet answered
        self.frame_every = 1
        self.max_history, self.max_frames = max_history, max_frames
        self.idle_timeout, self.nice = idle_timeout, nice     # the workers' (repcore.workers.Worker)
        self.listeners: list = []          # called with the session after each poll (watch.py: a shared session publishes)
        self._finalizer = weakref.finalize(self, _close_all, self.lanes)

    # --- control
    def configure(self, cfgs: dict[str, RunConfig]) -> bool:
        """Make the lanes match `cfgs` (label -> config). Any other change restarts every lane from step 0
        (keeping their processes), so the lanes stay at one epoch; a new budget alone moves the end of
        the runs. Returns True if anything changed."""
        before = {label: lane.cfg for label, lane in self.lanes.items()}
        if before == cfgs:
            return False
        if before.keys() == cfgs.keys() and all(before[k].replace(steps=c.steps) == c for k, c in cfgs.items()):
            for label, cfg in cfgs.items():
                lane = self.lanes[label]
                lane.cfg = cfg
                if lane.worker is not None:
                    lane.worker.send("budget", cfg.steps)
            return True
        if before:
            self._keep_ghost(lambda old: f"Settings changed ({change}): training restarted at epoch 0"
                             if (change := describe_change(old, cfgs)) else "Back to the faded run's settings: training restarted at epoch 0")
        for label in [k for k in self.lanes if k not in cfgs]:
            lane = self.lanes.pop(label)
            if lane.worker is not None:
                lane.worker.close()
        for label, cfg in cfgs.items():
            self._restart(label, cfg)
        return True

    def reset(self) -> None:
        """Back to step 0 with the same settings (and seed)."""
        self._keep_ghost(lambda old: "Reset: training restarted at epoch 0 with the same settings")
        for label, lane in list(self.lanes.items()):
            self._restart(label, lane.cfg)
        self.playing = False

    def _restart(self, label: str, cfg: RunConfig) -> None:
        lane = self.lanes.get(label)
        if lane is None or lane.worker is None or not lane.worker.alive:   # new, stopped or crashed: a fresh process
            self.lanes[label] = Lane(cfg, Worker(cfg, label, self.idle_timeout, nice=self.nice))
        else:
            lane.worker.send("reset", cfg)
            self.lanes[label] = Lane(cfg, lane.worker)
        self.goals, self.pausing, self.frame_every = [], set(), frame_every(cfg.steps)

    def _keep_ghost(self, why) -> None:
        """Before a restart: the runs that got anywhere become the ghost (else the one before stays), and the
        notice says why, `why(ghost configs)`, so a change made before the run moved is counted from the ghost."""
        ghost = {label: Ghost(lane.cfg, list(lane.history), lane.latest) for label, lane in self.lanes.items()
                 if lane.latest is not None and lane.latest.step > 0}
        self.ghost = ghost or self.ghost
        if self.ghost:
            top = max(g.latest.step for g in self.ghost.values())
            self.notice = f"{why({label: g.cfg for label, g in self.ghost.items()})}. Faded: the previous run (reached epoch {top:,})."

    @property
    def goal(self) -> int:
        """The epoch every lane trains to (the last goal queued; 0 before any)."""
        return self.goals[-1] if self.goals else 0

    def play(self) -> None:
        self.playing = True
        for lane in self.lanes.values():
            lane.rate.clear()            # the rate is measured while playing only
        self._pace()

    def pause(self) -> None:
        """Stop every lane where it is now; the ones behind then train up to the furthest (`settle` waits)."""
        self.playing = False
        self.pausing = {label for label, lane in self.lanes.items() if lane.active}
        for label in self.pausing:
            self.lanes[label].worker.send("pause")

    def step(self, n: int) -> None:
        """Train n epochs past the last goal, then stop (every lane at the same epoch)."""
        self.playing = False
        active = [lane for lane in self.lanes.values() if lane.active]
        if active:
            end, every = min(self.goal + n, min(lane.cfg.steps for lane in active)), self.frame_every
            self.goals += [*range((self.goal // every + 1) * every, end, every), end]     # a frame on every grid epoch
            for lane in active:
                self._feed(lane, self.goal)

    def advance(self) -> None:
        """A page's tick (playback.show): take what arrived; once nothing is left to train, stop playing."""
        self.poll()
        if self.playing and self.finished():
            self.pause()

    def settle(self, timeout: float) -> bool:
        """Poll until every lane shows the last goal (or stopped); False if that took longer than `timeout`."""
        deadline = time.monotonic() + timeout
        while self.waiting():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.03)
            self.poll()
        return True

    def waiting(self) -> bool:
        """A frame is due without Play: a model starting (or reset), a Step or a Pause under way."""
        return bool(self.pausing) or any(lane.latest is None or lane.latest.step < min(self.goal, lane.cfg.steps)
                                         for lane in self.lanes.values() if lane.active)

    def close(self) -> None:
        self._finalizer()

    def keep_alive(self) -> None:
        """A keep-alive to every worker (any thread may call it: presence.py, while the page is connected)."""
        for lane in list(self.lanes.values()):
            worker = lane.worker
            if worker is not None:
                worker.send("ping")

    def _feed(self, lane: Lane, until: int) -> None:
        """Send the lane the goals queued after its last one, up to `until`."""
        for goal in [g for g in self.goals if lane.queued < g <= until]:
            lane.worker.send("step", goal - lane.queued)
            lane.queued = goal

    def _pace(self) -> None:
        """Playing: extend the goals on the grid to LEAD_S seconds of the slowest lane's training past the frame
        shown, and send them: all to the slowest lane, two segments past it to the others (so a Pause finds
        every lane near the frame shown)."""
        active = [lane for lane in self.lanes.values() if lane.active]
        if not self.playing or self.pausing or not active or any(lane.latest is None for lane in active):
            return
        speed = min(lane.speed for lane in active)
        seg, budget = segment(self.frame_every, speed), min(lane.cfg.steps for lane in active)
        shown = min(lane.latest.step for lane in active)
        until = min(budget, shown + max(2 * seg, int(speed * LEAD_S)))
        while self.goal < until:
            self.goals.append(min(budget, (max(self.goal, shown) // seg + 1) * seg))
        self.goals = [g for g in self.goals if g > shown]
        slowest = min(lane.newest.step for lane in active)
        for lane in active:
            if lane.newest.step == slowest:        # always at least its next goal (one queued at an older, coarser grid)
                self._feed(lane, max(until, next((g for g in self.goals if g > slowest), until)))
            else:
                self._feed(lane, min(until, slowest + 2 * seg))

    def _paused(self, label: str) -> None:
        """A lane answered Pause: once all have, the ones behind train up to the furthest."""
        self.pausing.discard(label)
        if self.pausing:
            return
        active = [lane for lane in self.lanes.values() if lane.active]
        if active:
            low, top, every = min(lane.queued for lane in active), max(lane.queued for lane in active), self.frame_every
            self.goals = [*range((low // every + 1) * every, top, every), top]      # the frame grid on the way, too
            for lane in active:
                self._feed(lane, top)

    # --- data
    def poll(self) -> bool:
        """Take every waiting snapshot, show the newest epoch every lane has reached, queue goals, and send
        each worker a keep-alive. True if anything new arrived."""
        new = False
        for label, lane in self.lanes.items():
            if lane.worker is None:
                continue
            messages = lane.worker.poll()
            lane.worker.send("ping")
            for kind, payload in messages:
                new = True
                if kind == "error":
                    lane.error = payload
                elif kind == "weights":
                    lane.weights = payload or {}
                else:
                    self._arrived(lane, payload)
                    if kind == "paused":
                        lane.queued = payload.step          # its goals were dropped
                        self._paused(label)
            if not lane.stopped and not lane.worker.alive:
                if lane.worker.proc.exitcode == 0 and (lane.latest is None or lane.latest.step == 0) and not lane.ahead:
                    self.lanes[label] = Lane(lane.cfg, Worker(lane.cfg, label, self.idle_timeout, nice=self.nice))
                    self.goals, new = [], True       # idled out at epoch 0: a fresh start is the same run, nothing lost
                    continue
                lane.stopped, new = True, True
                lane.error = self._stop_reason(lane)
                self.pausing.discard(label)
        self._show_common()
        self._pace()
        for listener in self.listeners:
            listener(self)
        return new

    def _arrived(self, lane: Lane, s: Snapshot) -> None:
        last = lane.newest
        if last is not None and s.step > last.step and s.wall > last.wall:
            speed = (s.step - last.step) / (s.wall - last.wall)
            lane.speed = speed if not lane.speed else 0.5 * (lane.speed + speed)
        lane.error = ""
        lane.ahead[s.step] = s

    def _show_common(self) -> None:
        """Move the frame to the newest epoch every lane still training has reached (the snapshots on the
        way, too: history and frames); a lane that ended (budget, divergence) shows its end once the others
        pass it. A snapshot only some lanes have at an epoch (a reset's, off the grid) is dropped."""
        training = [lane for lane in self.lanes.values() if lane.active]
        common = set.intersection(*(set(lane.ahead) for lane in training)) if training else set()
        top = max(common, default=-1) if training else math.inf
        training_ids = {id(lane) for lane in training}
        for lane in self.lanes.values():
            ended = id(lane) not in training_ids
            for step in sorted(k for k in lane.ahead if k <= top):
                s = lane.ahead.pop(step)
                if step in common or ended:
                    self._show(lane, s)

    def _show(self, lane: Lane, s: Snapshot) -> None:
        lane.latest = s
        lane.rate.append((time.monotonic(), s.step))
        append_thinned(lane.history, Point(s.step, s.wall, s.losses, s.rel_l2, s.spec_rel_err, s.extra, s.spec_err),
                       self.max_history)
        if s.step % self.frame_every == 0:
            keep_frame(lane.frames, s, self.max_frames)

    def _stop_reason(self, lane: Lane) -> str:
        at = f" at epoch {lane.latest.step:,}" if lane.latest is not None else ""
        code = lane.worker.proc.exitcode
        if code == 0:       # the child's only clean exit without a "stop" from us: nobody asked for idle_timeout s
            return (f"Training stopped{at}: the page sent no request for {self.idle_timeout:g} s and was not connected (a "
                    f"closed, asleep or offline tab), so its process ended. The charts keep what was reached; press Reset to start again.")
        return f"The training process of {lane.worker.label} ended unexpectedly{at} (exit code {code}). Press Reset to start again."

    def epochs_per_s(self, label: str) -> float:
        """Epochs per second of real time over the last few frames (what the viewer sees)."""
        rate = self.lanes[label].rate
        if len(rate) < 2 or rate[-1][0] - rate[0][0] < 1.0:     # receipt times are only as fine as the refresh
            return 0.0
        return (rate[-1][1] - rate[0][1]) / (rate[-1][0] - rate[0][0])

    def finished(self) -> bool:
        """Nothing left to train: every lane reached its budget, diverged, failed or stopped (and shows it)."""
        return not self.waiting() and not any(lane.active for lane in self.lanes.values())

    def at_budget(self) -> bool:
        """Every model that trained reached the budget (rather than diverging or stopping)."""
        ended = [lane.latest for lane in self.lanes.values() if not lane.error and lane.latest is not None]
        return self.finished() and bool(ended) and all(s.status == "done" for s in ended)
