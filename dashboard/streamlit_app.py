"""Entry point: `streamlit run dashboard/streamlit_app.py`. Shared controls live in the sidebar
(settings.py) so they keep their state across pages; the pages are in dashboard/views/."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import streamlit as st  # noqa: E402

from dashboard import settings  # noqa: E402

st.set_page_config(page_title="RepNet: seeing and beating spectral bias", page_icon=":material/waves:", layout="wide")
VIEWS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "views")
pages = [
    st.Page(os.path.join(VIEWS, "live.py"), title="Live comparison", icon=":material/play_circle:", default=True),
    st.Page(os.path.join(VIEWS, "spectral.py"), title="Spectral bias over time", icon=":material/stacked_line_chart:"),
    st.Page(os.path.join(VIEWS, "anatomy.py"), title="Anatomy of a shallow ReLU net", icon=":material/biotech:"),
    st.Page(os.path.join(VIEWS, "physics.py"), title="PINNs and operators", icon=":material/function:"),
    st.Page(os.path.join(VIEWS, "lessons.py"), title="Lessons", icon=":material/school:"),
    st.Page(os.path.join(VIEWS, "library.py"), title="Run library", icon=":material/video_library:"),
]
page = st.navigation(pages)
if st.session_state.pop("goto_live", False):      # set by a lesson's or a setup's button (settings.open_live)
    st.switch_page(pages[0])
settings.sidebar()
settings.show_notices()


@st.fragment(run_every=5)
def keepalive():
    """Heartbeat for this session's training processes on every page (they exit when it stops)."""
    if "live" in st.session_state:
        st.session_state.live.poll()


with st.sidebar:
    keepalive()
page.run()
