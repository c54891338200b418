"""One colour per model on every page, table figure and replay (Tableau 10): vanilla blue, RepNet red.
A label like 'repnet s1' (a seed of a multi-seed run) takes its model's colour."""
from __future__ import annotations

COLORS = {"vanilla": "#4C78A8", "repnet": "#E45756", "fourier": "#54A24B", "siren": "#B279A2", "mscale": "#F58518",
          "laaf": "#72B7B2", "msffn": "#EECA3B",
          # RepNet's variants (experiments/methods.py): reds and pinks, apart from each other
          "repnet-reparam": "#9E1B32", "repnet-direct": "#FF9DA6", "repnet-multiscale": "#D6616B", "repnet-estimate": "#7B4173",
          "repnet-per-dim": "#F7B6A3"}
TARGET = "#888888"
OTHER = "#9D755D"


def color(label: str) -> str:
    """The colour of the model a label names ('repnet', 'repnet s1', 'repnet (old)')."""
    return COLORS.get(label, COLORS.get(label.split()[0] if label.strip() else label, OTHER))
