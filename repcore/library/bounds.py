"""What a run file may inflate to: the most bytes each member of a legitimate run file can hold, so
`runfile.read_file` refuses a zip bomb from the sizes the zip's directory declares, before inflating the
member, and reads each member with its bound enforced (a declared size can lie).

A run file's members (runfile.write_file) and their bounds, 8 bytes per array element (float64, the
widest dtype) plus NPZ_OVERHEAD per .npz for the .npy headers and zip records:
    run.json                      RUN_JSON + CONFIG_JSON per model + SNAPSHOT_JSON per snapshot (scalars only)
    models/<i>/snapshots/<j>.npz  snapshot_bytes(cfg): x, pred, true and four spectra on the display line
                                  (the config's grid, or LINE_MIN samples), the partition points (width),
                                  the histogram and a picture (PICTURE_SIDE² pixels)
    models/<i>/weights.npz        weights_bytes(cfg): every tensor the widest network of the config's
                                  width, depth and sigmas can have (models.Net, peers.py, problems/deeponet.py)
The counts come from the member names (at most `max_snapshots` per model), the configs from run.json,
which is read first under its own bound. docs/limits.md gives the figures.
"""
from __future__ import annotations

import re
import zipfile

from ..config import RunConfig
from ..errors import UserError

RUN_JSON = 1 << 20          # name, tags, times: 1 MiB is some 20 000 tags
CONFIG_JSON = 16 << 10      # a config is ~600 bytes, plus its target (an expression <= 400 characters, or a data path)
SNAPSHOT_JSON = 4 << 10     # a snapshot's scalars are ~170 bytes (label, step, losses, extra readouts)
NPZ_OVERHEAD = 64 << 10     # per .npz: each .npy header (128 bytes) and zip records (~80 + 2 x name); <= 100 arrays
LINE_MIN = 512              # a display line not on the config's grid: the earthquake window has 500 samples
PICTURE_SIDE = 256          # an image: target's largest side (data.SIDES)
INPUTS = 8                  # a network's inputs: x1..x8 (expr.MAX_DIM)
BRANCH_INPUTS = 512         # DeepONet's branch network reads the earthquake window: 500 samples
BYTES = 8                   # per array element: float64 (float32 runs, int64 histogram counts)

_SNAPSHOT = re.compile(r"models/(\d+)/snapshots/\d+\.npz")
_WEIGHTS = re.compile(r"models/(\d+)/weights\.npz")


class TooLarge(UserError):
    """A run file that holds, or would inflate to, more than a legitimate one can; one line."""


def snapshot_bytes(cfg: RunConfig) -> int:
    """The most bytes one of the model's snapshots (an uncompressed .npz) can take."""
    line = max(cfg.grid, LINE_MIN)
    return BYTES * (7 * line + cfg.width + 2 * 41 + PICTURE_SIDE ** 2) + NPZ_OVERHEAD    # 41: histogram edges (40 bins)


def weights_bytes(cfg: RunConfig) -> int:
    """The most bytes the model's final weights (an uncompressed .npz) can take: its network on at most
    INPUTS inputs and one path per sigma (msffn; at least 2), plus a vanilla branch network on at most
    BRANCH_INPUTS (DeepONet, with its combining weights), plus a problem's scalars (an inverse problem's k)."""
    paths = max(2, len(cfg.sigmas))
    return BYTES * (_net(cfg, INPUTS, paths) + _net(cfg, BRANCH_INPUTS, 1) + cfg.width + 16) + NPZ_OVERHEAD


def _net(cfg: RunConfig, inputs: int, paths: int) -> int:
    """Elements of one models.Net, at most: per path a first layer with a slope, a shift and a scale per
    input and neuron (RepNet's, the widest), depth - 1 hidden layers, a head over every path, an
    activation parameter per layer (LAAF), the box bounds."""
    w = cfg.width + 1
    return paths * w * (2 * inputs + 1) + (cfg.depth - 1) * w * w + paths * w + cfg.depth + 2 * inputs


def snapshot_counts(infos: list[zipfile.ZipInfo], max_snapshots: int) -> dict[int, int]:
    """Snapshots per model number, from the member names (every model has a weights.npz)."""
    counts = {int(m.group(1)): 0 for i in infos if (m := _WEIGHTS.fullmatch(i.filename))}
    for i in infos:
        m = _SNAPSHOT.fullmatch(i.filename)
        if m and int(m.group(1)) in counts:
            counts[int(m.group(1))] += 1
    for i, n in counts.items():
        if n > max_snapshots:
            raise TooLarge(f"model {i} has {n:,} snapshots, more than the {max_snapshots} a saved model keeps")
    return counts


def run_json_bytes(counts: dict[int, int]) -> int:
    """The most bytes run.json can take for these models and snapshot counts."""
    return RUN_JSON + CONFIG_JSON * len(counts) + SNAPSHOT_JSON * sum(counts.values())


def member_bounds(configs: list[RunConfig], counts: dict[int, int]) -> dict[str, int]:
    """Every member write_file makes for these models (configs in model order), with its bound in bytes."""
    out = {"run.json": run_json_bytes(counts)}
    for i, cfg in enumerate(configs):
        out[f"models/{i}/weights.npz"] = weights_bytes(cfg)
        out.update({f"models/{i}/snapshots/{j:05d}.npz": snapshot_bytes(cfg) for j in range(counts.get(i, 0))})
    return out


def check_declared(infos: list[zipfile.ZipInfo], bounds: dict[str, int]) -> None:
    """TooLarge if a member, or all of them together, declare more bytes than `bounds` allow (a member
    the bounds do not name counts towards the total only: read_file never reads it)."""
    for i in infos:
        if i.filename in bounds and i.file_size > bounds[i.filename]:
            raise TooLarge(f"{i.filename} would inflate to {i.file_size:,} bytes, more than the {bounds[i.filename]:,} "
                           f"its run can hold; refused before inflating it")
    total, bound = sum(i.file_size for i in infos), sum(bounds.values())
    if total > bound:
        raise TooLarge(f"its members would inflate to {total:,} bytes, more than the {bound:,} its runs can hold; "
                       f"refused before inflating them")


def read(z: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, never inflating more than `limit` + 1 of them. (zipfile stops at the declared
    size and then checks the CRC, but an unbounded read() first inflates up to 1 GiB per call.)"""
    info = z.getinfo(name)
    if info.file_size > limit:
        raise TooLarge(f"{name} would inflate to {info.file_size:,} bytes, more than the {limit:,} it can hold; "
                       f"refused before inflating it")
    with z.open(info) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{name} inflates to more than the {limit:,} bytes it can hold")
    return data
