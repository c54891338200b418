"""Save run: the live page's popover that keeps the session's runs in the run library (repcore.library),
every model at the same epochs with its current weights (session.LiveSession.record); training goes on."""
from __future__ import annotations

import time

import streamlit as st

from repcore.library import Library, LibraryError, parse_tags


def save_popover(where, live, cfg, models: list[str]) -> None:
    with where.popover("Save run", icon=":material/save:", help="keep this run in the run library, to replay or compare later"):
        name = st.text_input("Name", key="save_name", placeholder="blank: target, models and time")
        tags = st.text_input("Tags", key="save_tags", placeholder="comma-separated, e.g. lecture,week 3")
        if st.button("Save", key="save_run", type="primary"):
            try:
                name = name.strip() or f"{cfg.target} {'+'.join(models)} {time.strftime('%Y-%m-%d %H:%M:%S')}"
                with Library() as library:
                    library.ensure_free(name)
                    run_id = library.save(live.record(name, parse_tags(tags)))
                st.success(f"Saved as #{run_id} '{name}': replay it on the Run library page.")
            except LibraryError as err:
                st.error(str(err))
