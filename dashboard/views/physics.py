"""PINNs and operator learning: each experiment of the registry (repcore.experiments.catalog) with a
button per case that opens its setup on the live page, and its stored results (docs/results/: the
files the docs' tables are generated from, store.py), labelled stale or quick where they are."""
import os

import plotly.express as px
import streamlit as st

from dashboard import operator_view, settings
from repcore.experiments import EXPERIMENTS
from repcore.experiments.report import markdown, summary
from repcore.experiments.store import StoreError, load
from repcore.operators import data as records
from repcore.palette import color

# What to watch in each: page copy; the setups themselves come from the registry.
WATCH = {
    "pinn1d": "The forcing is dominated by the fast mode (its curvature is 60x larger), so a plain network chases the "
              "ripple's curvature and loses the slow wave.",
    "pinn2d": "A slow mode plus an 8-cycle mode: the plain network's residual stalls on the fast one.",
    "inverse1d": "Both networks also learn k from the residual and the noisy observations: watch the recovered-k metric.",
    "operator": "Train live opens the RepNet operator on the live page (the first held-out record's response over its "
                "50 s); the live operator view below trains several operators here and shows any held-out record.",
}
LIVE_OWN = ("every", "device")   # the live page keeps its own snapshot cadence and device


def live_query(cfg) -> dict[str, str]:
    return {k: v for k, v in cfg.to_query().items() if k not in LIVE_OWN}


def stored_results(name: str, exp) -> None:
    try:
        stored = load(name)
    except StoreError as err:
        st.error(str(err))
        return
    if stored is None:
        st.caption(f"No stored results: `python -m repcore.experiments run {name} --out docs/results` stores them.")
        return
    st.markdown(f"**Stored results** · {len(stored.runs)} runs · made {stored.made} · `{stored.commands[0]}`")
    if stored.quick:
        st.info("Quick size: a smoke test of a few seconds per run, not a result. The full run drops `--quick`.")
    if stored.stale:
        st.warning(f"Stale: made by an engine that behaved as {', '.join(stored.versions)}; it now behaves as "
                   f"{', '.join(stored.current_versions)}. Rerun the command to refresh these numbers.")
    st.markdown(markdown(exp, summary(exp, stored.runs)))
    for case in dict.fromkeys(stored.runs["case"]):
        curves = stored.error_curves(case)
        if not curves.empty:
            fig = px.line(curves, log_y=True, title=f"{case}: rel. L2 error vs step (mean over seeds)",
                          color_discrete_map={m: color(m) for m in curves.columns}, labels={"value": "rel. L2", "step": "step"})
            fig.update_layout(height=260, margin=dict(l=10, r=10, t=40, b=10), legend_title_text="")
            st.plotly_chart(fig, key=f"curve-{name}-{case}")


st.title("PINNs and operator learning")
st.markdown("Vanilla and RepNet, now inside physics-informed and operator-learning problems. **Train live** "
            "loads a setup into the live page; below it, the stored results of the full experiment (the files the "
            "results tables in the docs are generated from), with RepNet's variants and the peer methods where they were run.")
for name in WATCH:
    exp = EXPERIMENTS.get(name)
    with st.container(border=True):
        st.subheader(exp.title)
        st.write(f"{exp.note} {WATCH[name]}")
        cases = exp.cases(False)
        if exp.reads_data:      # the records file is never shipped: the user (or $REPCORE_EARTHQUAKE_DATA) says where it is
            path = st.text_input("Data file", value=records.default_path(), key=f"data-{name}",
                                 help=f"{records.FILE_NAME}; download it from {records.DOWNLOAD}; the box starts with "
                                      f"${records.DATA_ENV} when the server has it set")
            if not os.path.isfile(os.path.expanduser(path.strip())):
                st.caption((f"No file at `{path.strip()}`. " if path.strip() else "No data file. ") + f"Type the path of "
                           f"{records.FILE_NAME} above, or start the dashboard with {records.DATA_ENV}=/path/to/"
                           f"{records.FILE_NAME} set (docs/install.md); download it from {records.DOWNLOAD}.")
            cases = [(label, cfg.replace(data=path.strip())) for label, cfg in cases]
        for label, cfg in cases:
            st.button("Train live" if len(cases) == 1 else f"Train live: {label}", key=f"setup-{name}-{label}", type="primary",
                      on_click=settings.open_live, args=(live_query(cfg),))
        if exp.reads_data:
            operator_view.view(cases[0][1])
        stored_results(name, exp)
