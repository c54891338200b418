"""Lessons: guided classroom presets (text, steps, what to watch, settings) and links for the class."""
from urllib.parse import urlencode

import streamlit as st

from dashboard import settings
from dashboard.lesson import lessons

st.title("Lessons")
st.markdown("Short guided experiments for a lecture. **Open** loads the settings into the live page and shows the "
            "lesson's steps beside the charts. The **classroom link** opens the same lesson with the advanced controls "
            "hidden, for students; the **presentation link** opens it big, for the projector.")
base = st.context.url.split("?")[0].rsplit("/", 1)[0] + "/" if st.context.url else "/"
for i, lesson in enumerate(lessons()):
    with st.container(border=True):
        st.subheader(lesson["title"])
        st.write(lesson["text"])
        left, right = st.columns(2)
        left.markdown("**Steps:**\n" + "\n".join(f"{n}. {s}" for n, s in enumerate(lesson["steps"], 1)))
        right.markdown("**Watch for:**\n" + "\n".join(f"- {w}" for w in lesson["watch"]))
        c1, c2 = st.columns([1, 5], vertical_alignment="center")
        c1.button("Open", key=f"lesson-{i}", type="primary", on_click=settings.open_live, args=(lesson["query"], i))
        c2.code(f"classroom:    {base}?{urlencode(dict(lesson['query'], classroom='1', lesson=str(i)))}\n"
                f"presentation: {base}?{urlencode(dict(lesson['query'], present='1', lesson=str(i)))}", language=None)
