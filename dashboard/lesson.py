"""Classroom lessons (lessons.json beside this module, package data): the list, and one lesson's panel beside the live charts.

A lesson has a title, a short text, numbered steps for the class, what to watch for, and the settings
(a query) that Open loads into the live page."""
from __future__ import annotations

import json
import os

import streamlit as st

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lessons.json")   # package data: found when installed too


@st.cache_data(show_spinner=False)
def lessons() -> list[dict]:
    with open(PATH) as f:
        return json.load(f)


def close() -> None:
    st.session_state.lesson = None


def panel(index: int) -> None:
    """The open lesson: steps and "watch for", with a button that dismisses it."""
    all_ = lessons()
    if not 0 <= index < len(all_):
        return
    lesson = all_[index]
    with st.container(border=True, key="lesson_panel"):
        st.markdown(f"**{lesson['title']}**")
        st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(lesson["steps"], 1)))
        st.markdown("**Watch for:**\n" + "\n".join(f"- {w}" for w in lesson["watch"]))
        st.button("Close lesson", icon=":material/close:", on_click=close, key="lesson_close")
