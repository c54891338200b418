"""PINNs and operator learning: load a setup into the live page, or read stored experiment results."""
import os

import streamlit as st

from dashboard import settings
from repcore.experiments import EXPERIMENTS

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SETUPS = [
    ("1-D Poisson (PINN)", "u'' = f on [0, 1], u = sin(2πx) + 0.1 sin(50πx), Dirichlet data. The forcing is dominated "
     "by the fast mode (its curvature is 60x larger), so a plain network chases the ripple's curvature and loses the slow "
     "wave.", {"problem": "poisson", "target": "multiscale", "act": "tanh", "steps": "10000"}, "pinn1d"),
    ("2-D Poisson (PINN)", "Δu = f on the unit square with a slow mode plus an 8-cycle mode, u = 0 on the boundary.",
     {"problem": "poisson", "target": "multiscale2d", "act": "tanh", "points": "2000", "steps": "4000"}, "pinn2d"),
    ("Inverse problem (PINN)", "k u'' = f with k unknown (true value 2): from the residual and 100 noisy observations "
     "of u, both networks also learn k; watch the recovered-k metric.",
     {"problem": "inverse", "target": "multiscale", "act": "tanh", "steps": "4000"}, "inverse1d"),
    ("Earthquake → structure (DeepONet)", "Real ground motions shipped with ObsPy drive a 2 Hz damped oscillator "
     "(Newmark ground truth). The DeepONet's trunk (time → features) is the vanilla or RepNet MLP; the test windows come "
     "from records never trained on. The panels show the first test window's response over its 10 s.",
     {"problem": "earthquake", "act": "tanh", "steps": "3000"}, "earthquake"),
]

st.title("PINNs and operator learning")
st.markdown("The same two networks, now inside physics-informed and operator-learning problems. **Train live** "
            "loads the setup into the live page; below each, the stored results of the full experiment if it was run.")
for i, (title, text, query, experiment) in enumerate(SETUPS):
    with st.container(border=True):
        st.subheader(title)
        st.write(text)
        st.button("Train live", key=f"setup-{i}", type="primary", on_click=settings.open_live, args=(query,))
        folder = os.path.join(ROOT, "results", experiment)
        table = os.path.join(folder, "table.md")
        if os.path.exists(table):
            st.markdown(f"**Stored results** ({EXPERIMENTS.get(experiment).note})")
            st.markdown(open(table).read())
            if os.path.exists(os.path.join(folder, "figures.png")):
                st.image(os.path.join(folder, "figures.png"))
        else:
            st.caption(f"No stored results yet: `python -m repcore.experiments run {experiment}` writes them to results/{experiment}/.")
