"""One colour per model on every page, table figure and replay: each model's and each RepNet variant's
colour is a fact of its registry entry (models.ModelSpec.color, methods.Method.color; Tableau 10:
vanilla blue, RepNet red). A label like 'repnet s1' (a seed of a multi-seed run) takes its model's colour."""
from __future__ import annotations

from .methods import METHODS, color as method_color
from .models import MODELS

TARGET = "#888888"
OTHER = "#9D755D"


def color(label: str) -> str:
    """The colour of the method or model a label names ('repnet', 'repnet-direct', 'repnet s1', 'repnet (old)')."""
    for name in (label, label.split()[0] if label.strip() else label):
        if name in METHODS:
            return method_color(name)
        if name in MODELS:
            return MODELS.get(name).color
    return OTHER
