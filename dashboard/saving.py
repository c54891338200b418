"""Save run: the live page's popover that keeps the session's runs in the run library (repcore.library),
every model at the same epochs with its current weights (session.LiveSession.record); training goes on."""
from __future__ import annotations

import time

import streamlit as st

from repcore.library import Library, LibraryError, SavedModel, SavedRun, parse_tags


def save_popover(where, live, cfg, models: list[str]) -> None:
    with where.popover("Save run", icon=":material/save:", help="keep this run in the run library, to replay or compare later"):
        name = st.text_input("Name", key="save_name", placeholder="blank: target, models and time")
        tags = st.text_input("Tags", key="save_tags", placeholder="comma-separated, e.g. lecture,week 3")
        if st.button("Save", key="save_run", type="primary"):
            try:
                name = name.strip() or f"{cfg.target} {'+'.join(models)} {time.strftime('%Y-%m-%d %H:%M:%S')}"
                with Library() as library:
                    library.ensure_free(name)
                    run_id = library.save(record(live, name, parse_tags(tags)))
                st.success(f"Saved as #{run_id} '{name}': replay it on the Run library page.")
            except LibraryError as err:
                st.error(str(err))


def record(live, name: str, tags=(), timeout: float = 30.0) -> SavedRun:
    """A LiveSession as a saved run: per lane its config, frames and current weights, every model at the
    same epoch (goals stop, the lanes reach the last one, then each worker answers with its weights and
    a snapshot measured from them). Playing goes on afterwards."""
    lanes = {l: lane for l, lane in live.lanes.items() if lane.worker is not None and lane.latest is not None}
    if not lanes:
        raise LibraryError("nothing to save yet: no model has reported a snapshot")
    playing = live.playing
    live.pause()
    try:
        if not live.settle(timeout):
            raise LibraryError("a training process did not answer; press Reset and try again")
        answers = _weights(live, lanes, time.monotonic() + timeout)
    finally:
        if playing:
            live.play()
    models = []
    for label, lane in lanes.items():
        last = answers[label]["snapshot"]
        models.append(SavedModel(label, lane.cfg, [f for f in lane.frames if f.step < last.step] + [last],
                                 answers[label]["weights"]))
    return SavedRun(name, models, list(tags))

def _weights(live, lanes: dict, deadline: float) -> dict:
    """Each lane's ("weights",) answer {snapshot, weights} (not kept on the lane: weights can be megabytes)."""
    for lane in lanes.values():
        lane.weights = None
        lane.worker.send("weights")
    while not all(lane.weights is not None for lane in lanes.values()):
        if time.monotonic() > deadline or not all(lane.worker.alive for lane in lanes.values()):
            raise LibraryError("a training process did not answer; press Reset and try again")
        time.sleep(0.05)
        live.poll()
    answers = {}
    for label, lane in lanes.items():
        answers[label], lane.weights = lane.weights, None
        if not answers[label]:
            raise LibraryError(f"{label}: no model to save ({lane.error or 'not started'})")
    return answers
