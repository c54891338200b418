"""The live picture's resolution: the largest picture side a network trains at a watchable rate, a
policy of the dashboard (the engine trains any size it is given; views/picture.py offers LIVE_SIDES).
"""
from __future__ import annotations

LIVE_SIDES = (24, 32, 48, 64, 96, 128)
# CPU throughput of full-batch Adam on an MLP, in pixels x epochs x (width^2 (depth - 1) + 3 width) per
# second on one core: a 3x100 tanh MLP fitted 48x48 pixels at ~85 epochs/s on the shared 2-core
# development machine (`python -m repcore compare --target image:zoneplate@48 --points 2304 --models
# vanilla,repnet,siren,fourier --steps 600 --parallel no`: 83-97 steps/s), i.e. 85 x 2304 x 20300.
CPU_RATE = 4.0e9


def live_side(width: int, depth: int, epochs_per_s: float = 30.0, device: str = "cpu", rate: float = CPU_RATE) -> int:
    """The largest of LIVE_SIDES whose picture a width x depth MLP fits at about `epochs_per_s` per model
    (one core each) on the CPU; on a GPU the largest."""
    if device == "cuda":
        return LIVE_SIDES[-1]
    pixels = rate / (epochs_per_s * (width * width * max(depth - 1, 0) + 3 * width))
    return max([s for s in LIVE_SIDES if s * s <= pixels] or [LIVE_SIDES[0]])
