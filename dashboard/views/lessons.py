"""Lessons: guided classroom presets (text, settings, what to watch) and classroom-mode links."""
import json
import os
from urllib.parse import urlencode

import streamlit as st

from dashboard import settings

LESSONS = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "assets", "lessons.json")))

st.title("Lessons")
st.markdown("Short guided experiments for a lecture. **Open** loads the settings into the live page; the "
            "**classroom link** opens the same lesson with the advanced controls hidden, for students.")
base = st.context.url.split("?")[0].rsplit("/", 1)[0] + "/" if st.context.url else "/"
for i, lesson in enumerate(LESSONS):
    with st.container(border=True):
        st.subheader(lesson["title"])
        st.write(lesson["text"])
        st.markdown("**Watch for:**\n" + "\n".join(f"- {w}" for w in lesson["watch"]))
        c1, c2 = st.columns([1, 4], vertical_alignment="center")
        c1.button("Open", key=f"lesson-{i}", type="primary", on_click=settings.open_live, args=(lesson["query"],))
        c2.code(base + "?" + urlencode(dict(lesson["query"], classroom="1")), language=None)
