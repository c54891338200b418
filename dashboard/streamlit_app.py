"""Entry point: `streamlit run dashboard/streamlit_app.py`. Shared controls live in the sidebar
(settings.py) so they keep their state across pages; the pages are in dashboard/views/."""
import os

import streamlit as st

from dashboard import controls, lesson, playback, settings, sharing, slots, watch
from repcore.workers import warm_up

warm_up()      # the training processes' fork server imports torch while this page renders (a no-op once up)

st.set_page_config(page_title="RepNet: seeing and beating spectral bias", page_icon=":material/waves:", layout="wide")
playback.begun()
VIEWS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "views")
pages = [
    st.Page(os.path.join(VIEWS, "live.py"), title="Live comparison", icon=":material/play_circle:", default=True),
    st.Page(os.path.join(VIEWS, "spectral.py"), title="Spectral bias over time", icon=":material/stacked_line_chart:"),
    st.Page(os.path.join(VIEWS, "picture.py"), title="Picture", icon=":material/image:"),
    st.Page(os.path.join(VIEWS, "anatomy.py"), title="Anatomy of a shallow net", icon=":material/biotech:"),
    st.Page(os.path.join(VIEWS, "physics.py"), title="PINNs and operators", icon=":material/function:"),
    st.Page(os.path.join(VIEWS, "lessons.py"), title="Lessons", icon=":material/school:"),
    st.Page(os.path.join(VIEWS, "library.py"), title="Run library", icon=":material/video_library:"),
]
if watch.watching(st.query_params):       # ?watch=CODE: another session's live page, read-only (views/watch.py)
    settings.page_style(True)
    st.navigation([st.Page(os.path.join(VIEWS, "watch.py"), title="Watch", icon=":material/visibility:")], position="hidden").run()
    playback.stop()
# The sidebar shows only the controls that act on the page shown (the live page in presentation mode draws its own).
CONTROLS = {"Live comparison": controls.TRAINING, "Spectral bias over time": controls.TRAINING,
            "Anatomy of a shallow net": controls.ANATOMY, "Picture": controls.PICTURE}
if "cfg" not in st.session_state:
    settings.load_query(st.query_params.to_dict())
present = st.session_state.get("present", False)
page = st.navigation(pages, position="hidden" if present else "sidebar")
if st.session_state.pop("goto_live", False):      # set by a lesson's or a setup's button (settings.open_live)
    st.switch_page(pages[0])
settings.page_style(present)
if not present and page.title == "Live comparison":
    sharing.share_control(st.sidebar, settings.live_session())     # the lecturer's Share, first in the sidebar
if not present and page.title == "Live comparison" and st.session_state.get("lesson") is not None:
    with st.sidebar:
        lesson.panel(st.session_state.lesson)      # above the controls its steps ask to change
if not present and CONTROLS.get(page.title):
    settings.sidebar(CONTROLS[page.title])
elif not present:
    settings.controls(st.sidebar, ())             # no controls: still keeps the URL in step
settings.show_notices()


TRAINING_VIEWS = {p.title for p in pages[:2]}        # the pages that show training live
page.run()
live = st.session_state.get("live")          # after the page: its buttons may have just started a Step
trainers = [x for x in (live, st.session_state.get("picture_live")) if x is not None]
due = (live is not None and not live.playing and live.waiting() and page.title in TRAINING_VIEWS
       or any(slots.waiting(x) for x in trainers))       # waiting for a training slot: its turn is checked often


@st.fragment(run_every=1.5 if due else 5)
def heartbeat():
    """Every page polls this session's training processes: a poll is their keep-alive (they exit when the
    polls stop, repcore.workers). A paused training page is redrawn only when something arrived, and polls
    fast only while a snapshot is due (a model starting, a Step) or the session waits for a training slot: redrawing unchanged plotly charts on a
    timer cost the browser ~12% of a core for nothing (docs/speed.md, "Dashboard speed"). Playing, the page's own fragment
    refreshes it."""
    playback.finish_cut_run()
    if any([slots.tick(x) for x in trainers]):       # a turn came (or ended), a new place in the queue
        st.rerun()
    if live is not None and live.poll() and not live.playing and page.title in TRAINING_VIEWS:
        st.rerun()
    if page.title == "Live comparison" and sharing.audience_changed():       # a screen began or stopped watching
        st.rerun()


with st.container() if present else st.sidebar:     # presentation mode has no sidebar (nor would its timer tick)
    heartbeat()
playback.ended()
