"""An animated GIF (GIF89a) written frame by frame, so an animation takes the memory of one frame, not of
all of them (Pillow's save_all keeps every frame until the end: ~2 MB per 1280x720 frame).

Pillow encodes each frame, as a one-frame GIF of the box that changed since the previous frame, where
the pixels that did not change take the `transparent` colour index (runs of it compress to almost
nothing; the frame's palette must leave that index unused). This module lifts the image block out (with the frame's colour table as a local table, so nothing depends on
how Pillow numbers the colours) and writes the file around it: the header, the NETSCAPE2.0 loop
extension, per frame a graphic control extension with its delay (in 1/100 s). A frame identical to the
previous one only lengthens the previous frame's delay.
"""
from __future__ import annotations

import io
import struct
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageChops


class GifWriter:
    def __init__(self, fp: BinaryIO, size: tuple[int, int], transparent: int, loop: int = 0):
        """`transparent`: a colour index no frame uses; `loop`: how many times to play (0 = forever)."""
        self.fp, self.size, self.transparent = fp, size, transparent
        fp.write(b"GIF89a" + struct.pack("<HHBBB", *size, 0x70, 0, 0))          # no global colour table
        fp.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00")
        self.previous: Image.Image | None = None
        self.pending: tuple[bytes, int] | None = None        # (image block, delay in 1/100 s), written on the next change

    def add(self, frame: Image.Image, delay_cs: int) -> None:
        """Append a frame (mode P, the animation's size) shown for `delay_cs` hundredths of a second."""
        if frame.mode != "P" or frame.size != self.size:
            raise ValueError(f"a {frame.mode} frame of {frame.size}; expected P of {self.size}")
        box = (0, 0, *self.size) if self.previous is None else _changed(self.previous, frame)
        if box is None:
            self.pending = (self.pending[0], self.pending[1] + delay_cs)
            return
        self._flush()
        part = frame.crop(box)
        if self.previous is not None:                        # unchanged pixels: transparent, the previous frame shows
            now, before = np.asarray(part), np.asarray(self.previous.crop(box))
            part = Image.fromarray(np.where(now == before, self.transparent, now).astype(np.uint8), "P")
            part.putpalette(frame.getpalette())
        self.pending = (_image_block(part, box[:2]), delay_cs)
        self.previous = frame

    def close(self) -> None:
        self._flush()
        self.fp.write(b";")

    def _flush(self) -> None:
        if self.pending is not None:
            block, delay = self.pending
            # graphic control: disposal 1 (keep the frame), a transparent index
            self.fp.write(b"!\xf9\x04\x05" + struct.pack("<HB", min(delay, 0xFFFF), self.transparent) + b"\x00")
            self.fp.write(block)
            self.pending = None


def _changed(a: Image.Image, b: Image.Image) -> tuple[int, int, int, int] | None:
    """The box where two frames' colour indices differ, or None."""
    as_l = lambda im: Image.frombytes("L", im.size, im.tobytes())     # noqa: E731
    return ImageChops.difference(as_l(a), as_l(b)).getbbox()


def _image_block(im: Image.Image, offset: tuple[int, int]) -> bytes:
    """The image descriptor (placed at `offset`, with the frame's colour table as its local table) and
    the LZW data, lifted from the one-frame GIF Pillow writes for `im`."""
    buf = io.BytesIO()
    im.save(buf, format="GIF", optimize=False, interlace=False)
    data = buf.getvalue()
    flags, pos = data[10], 13
    table = data[pos:pos + 3 * (2 << (flags & 7))] if flags & 0x80 else b""
    pos += len(table)
    while data[pos] == 0x21:                                 # skip extensions: label, then sub-blocks
        pos += 2
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    if data[pos] != 0x2C:
        raise ValueError("Pillow wrote a GIF without an image block")
    local, start = data[pos + 9], pos + 10
    if local & 0x80:                                          # Pillow gave the frame a local table: that one counts
        table, flags = data[start:start + 3 * (2 << (local & 7))], local
        start += len(table)
    end = start + 1                                           # LZW minimum code size, then sub-blocks up to an empty one
    while data[end]:
        end += data[end] + 1
    packed = (local & 0x40) | ((0x80 | (flags & 7)) if table else 0)      # keep the interlace bit
    return b"," + struct.pack("<HHHHB", *offset, *im.size, packed) + table + data[start:end + 1]
