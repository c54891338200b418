"""Pictures as targets: the shipped images (a registry), decoding and resizing with Pillow, the zone-plate
test pattern we make ourselves, and the radial (per-frequency) spectrum of a picture's error.

A picture is a grayscale array [h, w] in [0, 1], row 0 at the top. data.py turns it into a target on
[0, 1]^2 with values 2 g - 1 in [-1, 1] (SIREN's image convention, Sitzmann et al. 2020), so a
relative L2 error is not dominated by the mean grey level.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass

import numpy as np

from ..registry import Registry
from .presets import DataError

PICTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pictures")   # package data: found when installed too
MAX_PIXELS = 40_000_000   # refuse larger pictures before decoding them (a decompression bomb)
ZONE_PLATE_K = 56         # local frequency k r cycles per unit at radius r: 28 at the edge's middle


@dataclass(frozen=True)
class Shipped:
    file: str          # under PICTURES
    licence: str


IMAGES: Registry[Shipped] = Registry("image")
IMAGES.add("zoneplate", Shipped("zoneplate.png", "made by us (repcore.targets.images.zone_plate), CC0"),
           "test pattern: rings whose frequency grows with the radius, 0 at the centre to 28 cycles at the edge")
IMAGES.add("hopper", Shipped("hopper.png", "US Navy photo of Grace Hopper, public domain (via matplotlib's sample data)"),
           "a photograph: smooth skin and background, fine detail in the hair, the insignia and the uniform")


def zone_plate(side: int = 256, k: float = ZONE_PLATE_K, oversample: int = 4) -> np.ndarray:
    """0.5 + 0.5 cos(pi k r^2), r the distance from the centre of [0, 1]^2: a chirp in every direction
    whose local frequency is k r cycles per unit. Box-filtered from an `oversample`-times finer grid. [side, side]"""
    n = side * oversample
    c = (np.arange(n) + 0.5) / n - 0.5
    r2 = c[:, None] ** 2 + c[None, :] ** 2
    fine = 0.5 + 0.5 * np.cos(np.pi * k * r2)
    return fine.reshape(side, oversample, side, oversample).mean((1, 3))


def decode(blob: bytes, name: str, side: int) -> np.ndarray:
    """Grayscale [h, w] in [0, 1] from an encoded image (PNG, JPEG, ...), resized (Lanczos, aspect kept)
    so its longer side is at most `side`; a smaller picture keeps its size."""
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(blob)) as im:
            if im.width * im.height > MAX_PIXELS:
                raise DataError(f"{name}: {im.width}x{im.height} pixels is larger than the {MAX_PIXELS // 1_000_000} MP limit")
            gray = im.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as err:
        if isinstance(err, DataError):
            raise
        raise DataError(f"{name}: not an image that can be decoded ({type(err).__name__})") from None
    if min(gray.size) < 2:
        raise DataError(f"{name}: {gray.width}x{gray.height} pixels is too small (need at least 2x2)")
    scale = min(1.0, side / max(gray.size))
    if scale < 1.0:
        gray = gray.resize((max(2, round(gray.width * scale)), max(2, round(gray.height * scale))), Image.Resampling.LANCZOS)
    return np.asarray(gray, dtype=np.float64) / 255.0


def shipped_bytes(name: str) -> bytes:
    with open(os.path.join(PICTURES, IMAGES.get(name).file), "rb") as f:
        return f.read()


def radial_spectra(pred: np.ndarray, true: np.ndarray, floor: float = 0.01):
    """Per radial frequency k (cycles over the picture's width, rings k - 1/2 <= |f| < k + 1/2 of the
    2-D DFT, k = 0 .. min(h, w) / 2): (freqs, RMS |F true|, RMS |F (pred - true)|, their ratio where
    the target's ring has at least `floor` of its strongest non-constant ring, NaN elsewhere). [h, w] -> [K] each.
    The 1-D line spectra (diagnostics.spectra) in two dimensions, averaged over directions."""
    h, w = true.shape
    ft, fe = np.fft.fft2(true) / true.size, np.fft.fft2(pred - true) / true.size
    fy, fx = np.fft.fftfreq(h) * h * (w / h), np.fft.fftfreq(w) * w     # both in cycles per picture width
    ring = np.rint(np.hypot(fy[:, None], fx[None, :])).astype(int).ravel()
    k = min(h, w) // 2 + 1
    keep = ring < k
    count = np.maximum(np.bincount(ring[keep], minlength=k), 1)
    rms = lambda f: np.sqrt(np.bincount(ring[keep], np.abs(f).ravel()[keep] ** 2, minlength=k) / count)
    at, err = rms(ft), rms(fe)
    significant = at >= floor * at[1:].max(initial=at[0])
    rel = np.where(significant, err / np.where(at > 0, at, 1), np.nan)
    return np.arange(k, dtype=float), at, err, rel


def bilinear(img: np.ndarray, u: np.ndarray) -> np.ndarray:
    """img [h, w] (row 0 at the top) at unit-square points u [m, 2] (u1 rightwards, u2 upwards)."""
    h, w = img.shape
    c = np.clip(u[:, 0] * w - 0.5, 0, w - 1)
    r = np.clip((1 - u[:, 1]) * h - 0.5, 0, h - 1)
    c0, r0 = np.minimum(c.astype(int), w - 2), np.minimum(r.astype(int), h - 2)
    fc, fr = c - c0, r - r0
    top = img[r0, c0] * (1 - fc) + img[r0, c0 + 1] * fc
    bottom = img[r0 + 1, c0] * (1 - fc) + img[r0 + 1, c0 + 1] * fc
    return top * (1 - fr) + bottom * fr
