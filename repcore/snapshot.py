"""Snapshot: the plain record the training stream yields every `every` steps. Floats, ints, strings
and NumPy arrays only (no tensors, no modules), so callers can draw, store or send it anywhere.
Built by keyword; `from_fields` also reads records saved by older versions (unknown keys ignored)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np


@dataclass
class Snapshot:
    label: str                      # which run ('vanilla', 'repnet', ...)
    step: int
    wall: float                     # seconds of training so far (diagnostics excluded)
    status: str                     # 'ok' | 'diverged' | 'done'
    losses: dict[str, float]        # named loss terms at this step (e.g. {'mse': ...} or {'pde': ..., 'bc': ...})
    rel_l2: float                   # ||pred - true|| / ||true|| on the dense test set (never trained on)
    x: np.ndarray                   # [g] display grid along x1 (data units)
    pred: np.ndarray                # [g]
    true: np.ndarray                # [g]
    freqs: np.ndarray               # [K] frequency bins, cycles over the domain along x1
    spec_true: np.ndarray           # [K] |DFT| of the target on the periodic grid
    spec_err: np.ndarray            # [K] |DFT(pred - true)|: where the error lives in frequency
    spec_rel_err: np.ndarray        # [K] |DFT(pred - true)| / |DFT(true)|; NaN where the target has < 1% of its peak
    points: np.ndarray              # [width] first-layer partition points along x1 (data units; may lie outside)
    hist_edges: np.ndarray          # [bins + 1] over the domain
    hist_counts: np.ndarray         # [bins] partition points per bin (inside the domain)
    diverged_at: int = -1           # first snapshot step where loss or parameters were non-finite
    knob: float = float("nan")      # the model's resolved frequency knob (RepNet: slope scale nu; NaN: none)
    device: str = ""
    extra: dict = field(default_factory=dict)   # problem-specific scalars (e.g. an inverse-problem coefficient)
    # a picture target (image:...): the prediction on its pixels [h, w], row 0 at the top; then freqs and
    # spec_* are radial spectra of the picture (images.radial_spectra), not the line's. Empty otherwise.
    image: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))

    @classmethod
    def from_fields(cls, values: dict) -> "Snapshot":
        """A snapshot from saved fields; keys this version no longer has (e.g. v1's pieces, rms_output,
        rms_slope, spec_pred, inside) are ignored."""
        return cls(**{k: v for k, v in values.items() if k in _NAMES})

    def to_dict(self) -> dict:
        """JSON-ready dict (arrays as lists)."""
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in asdict(self).items()}


_NAMES = {f.name for f in fields(Snapshot)}

def append_thinned(timeline: list, item, limit: int) -> None:
    """Append `item` (anything with a .step) to a timeline kept at most `limit` long: an item of the
    same step replaces the last one, a smaller step (a reset) starts over, and beyond `limit` every
    other older item is dropped, so the timeline stays evenly spread from the first item to the newest."""
    if timeline and item.step < timeline[-1].step:
        timeline.clear()
    if timeline and item.step == timeline[-1].step:
        timeline[-1] = item
        return
    timeline.append(item)
    if len(timeline) > limit:
        timeline[:] = timeline[:-1:2] + timeline[-1:]
