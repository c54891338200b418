"""Devices by name, dtypes, and the CPU thread policy.

Thread policy (measured, see docs/speed.md): on the 2-core development machine one intra-op thread
was 4-8x faster than two for the small MLPs this tool trains, because the per-op work is too small
to split and the second thread only adds synchronisation. So CPU runs use 1 thread unless the
REPCORE_THREADS environment variable says otherwise. The setting is process-wide, as torch's is.
"""
from __future__ import annotations

import os

import torch

from .errors import UserError
from .registry import Registry


class DeviceError(UserError):
    """The chosen device cannot be used here; str() says why in one line."""


def _cuda() -> torch.device:
    if not torch.cuda.is_available():
        why = "this PyTorch build has no CUDA support" if torch.version.cuda is None else "no CUDA GPU is visible"
        raise DeviceError(f"device cuda is unavailable: {why} (torch {torch.__version__}); use --device cpu or auto")
    return torch.device("cuda")


DEVICES: Registry = Registry("device", field="device")
DEVICES.add("auto", lambda: torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu"),
            "CUDA when a GPU is visible, else CPU")
DEVICES.add("cpu", lambda: torch.device("cpu"), "the CPU, one thread (see the thread policy)")
DEVICES.add("cuda", _cuda, "the first CUDA GPU")

DTYPES: Registry[torch.dtype] = Registry("dtype", field="dtype")
DTYPES.add("float32", torch.float32, "single precision (the default: 1.5-2x faster on CPU)")
DTYPES.add("float64", torch.float64, "double precision")


def cuda_status() -> str:
    """'' when CUDA is usable, else the reason (for greying out a device choice in the UI)."""
    try:
        _cuda()
        return ""
    except DeviceError as err:
        return str(err)


def resolve(name: str) -> torch.device:
    """The torch.device for a registry name; applies the CPU thread policy. Raises DeviceError."""
    device = DEVICES.get(name)()
    if device.type == "cpu":
        torch.set_num_threads(int(os.environ.get("REPCORE_THREADS", "1")))
    return device
