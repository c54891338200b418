"""Uploads: a visitor's CSV (sidebar, so the live pages train on it) or picture (the Picture page) becomes a
target through repcore.targets.uploads, named by its content hash ('csv:@1f0c...').

The server never reads a path a visitor names: importing this module (settings.py does, so every page
does) puts the process in upload-only mode, in which a target 'csv:PATH' or 'image:PATH' from a link or
the expression box is refused before anything is opened. Shipped pictures ('image:zoneplate') still work.
"""
from __future__ import annotations

import streamlit as st

from repcore.errors import UserError
from repcore.targets import data, resolve, uploads

uploads.serve_uploads_only()


def csv_upload(side, use) -> None:
    """The 'Your data (CSV)' control: a new file's spec goes to use(spec), which makes it the target (the
    caller knows the target controls); a bad one gets its message right below, and the last valid target
    keeps training."""
    side.file_uploader("Your data (CSV)", type=["csv", "txt"], key="w_upload_csv", on_change=_take_csv, args=(use,),
                       help="Columns x and y (or x1..xd and y) with a header row, or no header and y last. Up to "
                            f"{uploads.MAX_BYTES // 1_000_000} MB; {data.HOLDOUT:.0%} of the rows are held out for the test error.")
    ss = st.session_state
    if ss.get("upload_csv_error"):
        side.error(ss.upload_csv_error)
    elif ss.get("upload_csv") and ss.cfg.target == ss.upload_csv[1]:
        side.caption(f"Training on **{ss.upload_csv[0]}**: {resolve(ss.upload_csv[1]).text.rsplit(': ', 1)[-1]}")


def _take(kind: str, keep: str) -> tuple[str, str] | None:
    """An uploader's on_change (runs before the rerun): the new file stored and checked; (name, spec),
    or None with the message kept in session state (shown below the control) or when it was removed."""
    ss = st.session_state
    upload = ss.get(f"w_upload_{kind}")
    ss[f"upload_{kind}_error"] = ""
    if upload is None:
        return None
    try:
        spec = uploads.store_upload(upload.getvalue(), kind, shown=upload.name)
        if kind == "csv":
            resolve(spec)                     # a CSV must make a target; a picture is checked on its page
    except UserError as err:
        ss[f"upload_{kind}_error"] = f"{err}. Still {keep}."
        return None
    ss[f"upload_{kind}"] = (upload.name, spec)
    return upload.name, spec


def _take_csv(use) -> None:
    if (got := _take("csv", "training the last valid target")) is not None:
        use(got[1])


def image_upload(where) -> str | None:
    """A picture uploader; returns the spec of the visitor's last good picture ('image:@...'), if any.
    A bad file's message is shown below it."""
    where.file_uploader("Or upload a picture", type=["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"],
                        key="w_upload_image", on_change=_take_image, help="Turned to grayscale; up to "
                        f"{uploads.MAX_BYTES // 1_000_000} MB")
    ss = st.session_state
    if ss.get("upload_image_error"):
        where.error(ss.upload_image_error)
    return ss.get("upload_image", (None, None))[1]


def _take_image() -> None:
    if _take("image", "showing the last valid picture") is not None:
        st.session_state.w_picture = "your upload"
