"""Watch mode's page (`?watch=CODE`): another session's live comparison, read-only, as its owner plays,
pauses, resets and changes settings (watch.py publishes it). Nothing here trains: the page redraws the
newest broadcast on a timer (twice a second while it plays) from SVG images drawn once per frame for every
watcher. "Try it yourself" opens a session of one's own with the same settings."""
import time

import streamlit as st

from dashboard import playback, settings, svg, watch
from dashboard.controls import live_target
from repcore.palette import color

PLAYING_S, PAUSED_S, STALE_S = 0.5, 2.0, 10.0
MAIN_PX, FONT = 1240, 16
ss = st.session_state
code = watch.normal_code(ss.watch)      # '' if the link's code cannot be one
ss.setdefault("viewer", watch.secrets.token_hex(6))


def try_it() -> None:
    """A session of one's own with the settings the followed session has now (defaults if none)."""
    cast = watch.board().get(code) if code else None
    ss.watch = None
    settings.open_live(cast.query() if cast is not None else {})


def drawn(cast: watch.Broadcast, key: tuple, draw) -> str:
    """An SVG of this broadcast, drawn once for every watcher."""
    if key not in cast.drawn:
        cast.drawn[key] = draw()
    return cast.drawn[key]


def state_line(cast: watch.Broadcast) -> str:
    top = max((v.latest.step for v in cast.lanes.values() if v.latest is not None), default=0)
    budget = max((v.cfg.steps for v in cast.lanes.values()), default=0)
    quiet = time.time() - cast.at
    return {"starting": ":material/hourglass_top: the models are starting…",
            "playing": f":material/play_arrow: training live · epoch {top:,} of {budget:,}"
                       + (f" · no new frame for {quiet:.0f} s: {cast.owner}'s page may be closed or asleep" if quiet > STALE_S else ""),
            "paused": f":material/pause: paused at epoch {top:,} of {budget:,}",
            "finished": f":material/flag: finished: every model reached the budget of {budget:,} epochs",
            "waiting": f":material/hourglass_top: {cast.owner} waits for a training slot on this server",
            "ended": f":material/stop: {cast.owner} stopped sharing or closed the page: this is the last frame (epoch {top:,})",
            }[cast.state]


def lane(label: str, view: watch.View, cast: watch.Broadcast, w: int, h: int) -> None:
    s = view.latest
    knob = f" · ν = {s.knob:.1f}" + (" (auto)" if view.cfg.slope_scale is None else "") if s is not None and view.cfg.model == "repnet" else ""
    st.markdown(f"<h4 style='padding:0'><span style='color:{color(label)}'>{label}</span>{knob}</h4>", unsafe_allow_html=True)
    if view.error:
        st.error(view.error, icon=":material/error:")
    if s is None:
        return
    m = st.columns(2)
    m[0].metric("Epoch", f"{s.step:,}")
    m[1].metric("rel. L2", f"{s.rel_l2:.2e}")
    old = cast.ghost.get(label)
    st.image(drawn(cast, ("prediction", label, w, h), lambda: svg.prediction(s, label, w, h, FONT, old and old.latest)),
             width="stretch")


def frame() -> None:
    cast = following.cast
    if cast is None:
        st.rerun()              # a code that vanished: the page says so
    watch.board().seen(code, ss.viewer)
    first = next((v for v in cast.lanes.values()), None)
    if first is not None:
        st.caption(f"{state_line(cast)} · `{live_target(first.cfg)}` · {first.cfg.act} · width {first.cfg.width} × "
                   f"{first.cfg.depth} · seed {first.cfg.seed}")
    if cast.notice:
        st.caption(f":material/restart_alt: {cast.notice}")
    n = len(cast.lanes)
    lane_px = MAIN_PX / (n + 1.25)
    w, h = int(lane_px), int(min(340, lane_px * 1.0))
    cols = st.columns([1] * n + [1.25])
    for col, (label, view) in zip(cols, cast.lanes.items()):
        with col:
            lane(label, view, cast, w, h)
    snaps = {label: v.latest for label, v in cast.lanes.items() if v.latest is not None}
    if not snaps:
        return
    cols[-1].image(drawn(cast, ("spectrum", w), lambda: svg.spectrum(snaps, int(1.25 * lane_px), h + 125, FONT, cast.ghost)),
                   width="stretch")
    histories = {label: list(v.history) for label, v in cast.lanes.items()}
    st.image(drawn(cast, ("curves",), lambda: svg.curves(histories, MAIN_PX, 280, FONT, cast.ghost)), width="stretch")


following = watch.Following(code)        # the timer's pace follows the owner's Play and Pause (playback.show)
cast = following.cast
head = st.columns([4, 1], vertical_alignment="center")
if cast is None:
    head[0].title("Nothing to watch")
    why = (f"No session on this server shares the code **{code}**: it may have stopped sharing long ago, or the link is "
           "mistyped." if code else f"“{ss.watch}” is not a watch code (six letters and digits, as the lecturer's link shows).")
    st.error(why, icon=":material/visibility_off:")
    head[1].button("Try it yourself", type="primary", icon=":material/play_arrow:", on_click=try_it)
    playback.stop()
head[0].markdown(f"### :material/visibility: Following **{cast.owner}** live")
head[0].caption(f"code {code} · read-only: {cast.owner}'s Play, Pause, Reset and settings changes show here as they happen")
head[1].button("Try it yourself", type="primary", icon=":material/play_arrow:", on_click=try_it,
               help="your own session with these settings: change them, train, compare")
playback.show(following, frame, PLAYING_S, PAUSED_S)
