"""The saved-run record and its bytes: what a run library stores, and the portable run file.

A saved run (SavedRun) is a name, tags, timestamps and one or more models (SavedModel) trained side by
side; each model keeps its RunConfig, its Snapshots (thinned to at most MAX_SNAPSHOTS, always keeping
the first and the last) and its final weights. Weights are plain NumPy arrays keyed 'net.<state_dict
key>' and 'problem.<i>' (a problem's own trainable tensors, e.g. the inverse problem's k), so they cross
process pipes and files without pickle and `restore` rebuilds a network predicting exactly what the
last snapshot shows.

Encodings, all exact: arrays as .npy entries in a deterministic, uncompressed zip (a valid .npz, read
with allow_pickle=False); scalars as strict JSON where a non-finite float is {"$float": "nan"}. The run
file (`write_file` / `read_file`) is a zip of run.json plus those .npz blobs, also deterministic, so
export -> import -> export gives the same bytes. read_file inflates no member beyond what a legitimate
run file can hold (bounds.py: a zip bomb is refused with one line, in little memory).
"""
from __future__ import annotations

import bisect
import contextlib
import dataclasses
import io
import json
import math
import os
import zipfile
from dataclasses import dataclass, field, fields

import numpy as np
import torch

from ..config import ConfigError, RunConfig
from ..errors import UserError
from ..snapshot import Snapshot, append_thinned
from ..train import Run
from . import bounds

MAX_SNAPSHOTS = 200      # per model: enough frames for a smooth timeline, a few MB per run at the default grid
FILE_FORMAT, FILE_VERSION = "repcore-run", 1
_ARRAYS = tuple(f.name for f in fields(Snapshot) if f.type == "np.ndarray")
_EPOCH = (1980, 1, 1, 0, 0, 0)        # fixed zip timestamps: identical content gives identical bytes


class LibraryError(UserError):
    """A run library or run file that cannot be used (corrupt, foreign, newer, missing run); one line."""


@dataclass
class SavedModel:
    label: str                          # unique within its run ('vanilla', 'repnet', 'repnet s1', ...)
    cfg: RunConfig
    snapshots: list[Snapshot]           # ascending steps; the last one was measured with `weights`
    weights: dict[str, np.ndarray]

    def at(self, step: int) -> Snapshot:
        """The latest snapshot at or before `step` (the first one if `step` precedes them all)."""
        i = bisect.bisect_right([s.step for s in self.snapshots], step)
        return self.snapshots[max(i - 1, 0)]


@dataclass
class SavedRun:
    name: str
    models: list[SavedModel]
    tags: list[str] = field(default_factory=list)
    created: float = 0.0                # unix seconds; set by the library on save when 0
    updated: float = 0.0
    id: int | None = None               # the library's row id, None until saved

    def steps(self) -> list[int]:
        """Every snapshot step of every model, ascending: the replay timeline."""
        return sorted({s.step for m in self.models for s in m.snapshots})


def check_name(name) -> str:
    """A run name, stripped: 1-120 printable characters."""
    if not isinstance(name, str) or not name.strip():
        raise LibraryError("name: empty; give the run a name")
    name = name.strip()
    if len(name) > 120 or any(ord(c) < 32 for c in name):
        raise LibraryError(f"name: {name[:40]!r} is too long (120 characters at most) or has control characters")
    return name


def check_tags(tags) -> list[str]:
    """Tags stripped and de-duplicated: 1-40 characters each, no commas (the CLI separates them by commas)."""
    out = []
    for tag in tags:
        tag = tag.strip() if isinstance(tag, str) else ""
        if not tag or len(tag) > 40 or "," in tag or any(ord(c) < 32 for c in tag):
            raise LibraryError(f"tags: {tag!r} is not a tag (1-40 characters, no commas)")
        if tag not in out:
            out.append(tag)
    return out


def parse_tags(raw: str | None) -> list[str]:
    """'lecture, week 3' -> ['lecture', 'week 3'] (checked)."""
    return check_tags([t for t in (raw or "").split(",") if t.strip()])


def add_frame(frames: list[Snapshot], snap: Snapshot, limit: int = MAX_SNAPSHOTS) -> None:
    """A saved model's frames: at most `limit`, evenly spread (snapshot.append_thinned)."""
    append_thinned(frames, snap, limit)


# --- weights
def restore(model: SavedModel, device: str = "cpu"):
    """A train.Run built from the model's config with its saved weights loaded (ready to evaluate)."""
    run = Run(model.cfg.replace(device=device), model.label)
    net = {k[4:]: torch.from_numpy(v) for k, v in model.weights.items() if k.startswith("net.")}
    params = run.problem.params()
    try:
        run.net.load_state_dict(net, strict=True)
        if len(model.weights) != len(net) + len(params):
            raise RuntimeError(f"{len(model.weights) - len(net)} problem tensors saved, {len(params)} expected")
        with torch.no_grad():
            for i, p in enumerate(params):
                p.copy_(torch.from_numpy(model.weights[f"problem.{i}"]))
    except (RuntimeError, KeyError) as err:
        raise LibraryError(f"{model.label}: saved weights do not fit the network its config builds ({err})".replace("\n", " ")) from None
    return run


# --- codecs
def pack_arrays(arrays: dict[str, np.ndarray]) -> bytes:
    """Arrays -> a deterministic .npz (uncompressed zip of .npy entries, fixed timestamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, a in arrays.items():
            npy = io.BytesIO()
            np.save(npy, np.asarray(a), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(name + ".npy", _EPOCH), npy.getvalue())
    return buf.getvalue()


def unpack_arrays(blob: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def to_json(value) -> str:
    """Strict JSON, exact floats; non-finite floats (NaN loss, NaN knob) as {"$float": "nan"}."""
    return json.dumps(_encode(value), sort_keys=True, allow_nan=False, separators=(",", ":"))


def from_json(text: str):
    return json.loads(text, object_hook=lambda d: float(d["$float"]) if d.keys() == {"$float"} else d)


def _encode(v):
    if isinstance(v, dict):
        return {str(k): _encode(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_encode(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else {"$float": repr(float(v))}
    return v


def pack_snapshot(s: Snapshot) -> tuple[str, bytes]:
    """(scalars as JSON, arrays as .npz bytes)."""
    scalars = {f.name: getattr(s, f.name) for f in fields(Snapshot) if f.name not in _ARRAYS}
    return to_json(scalars), pack_arrays({k: getattr(s, k) for k in _ARRAYS})


def unpack_snapshot(meta: str, blob: bytes) -> Snapshot:
    return Snapshot.from_fields({**from_json(meta), **unpack_arrays(blob)})


def config_to_json(cfg: RunConfig) -> str:
    """Every field, typed (not the URL form, which rounds domains): a saved config is the whole record."""
    return to_json(dataclasses.asdict(cfg))


def config_from_json(text: str) -> RunConfig:
    values = from_json(text)
    if not isinstance(values, dict):
        raise ConfigError("config: not an object")
    for name, value in values.items():         # JSON has lists where the config has tuples (domain, sigmas)
        if isinstance(value, list):
            values[name] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
    values.setdefault("slope_param", "direct")  # saved before the field existed: the first releases' RepNet layer
    return RunConfig.from_query(values)[0]


# --- the portable run file
def write_file(run: SavedRun, path: str) -> None:
    """One zip: run.json (name, tags, times, per model its label, config and snapshot scalars) and
    models/<i>/weights.npz, models/<i>/snapshots/<j>.npz. Written to a temporary name, then renamed."""
    doc = {"format": FILE_FORMAT, "version": FILE_VERSION, "name": run.name, "tags": list(run.tags),
           "created": run.created, "updated": run.updated, "models": []}
    entries = {}
    for i, m in enumerate(run.models):
        metas = []
        for j, s in enumerate(m.snapshots):
            meta, entries[f"models/{i}/snapshots/{j:05d}.npz"] = pack_snapshot(s)
            metas.append(from_json(meta))
        entries[f"models/{i}/weights.npz"] = pack_arrays(m.weights)
        doc["models"].append({"label": m.label, "config": from_json(config_to_json(m.cfg)), "snapshots": metas})
    tmp = f"{path}.part"
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(zipfile.ZipInfo("run.json", _EPOCH), to_json(doc), compress_type=zipfile.ZIP_DEFLATED)
            for name, blob in entries.items():
                z.writestr(zipfile.ZipInfo(name, _EPOCH), blob, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise LibraryError(f"{path}: cannot write ({err.strerror or err})") from None


def read_file(path: str) -> SavedRun:
    """The run in a file written by write_file; LibraryError for anything else. A file that would inflate
    to more than its runs can hold (bounds.py) is refused before the members concerned are inflated."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            counts = bounds.snapshot_counts(infos, MAX_SNAPSHOTS)
            doc = from_json(bounds.read(z, "run.json", bounds.run_json_bytes(counts)))
            if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT:
                raise LibraryError(f"{path}: not a repcore run file")
            if not isinstance(doc.get("version"), int) or doc["version"] > FILE_VERSION:
                raise LibraryError(f"{path}: run file version {doc.get('version')} is newer than this repcore reads "
                                   f"({FILE_VERSION}); upgrade repcore")
            configs = [config_from_json(to_json(m["config"])) for m in doc["models"]]
            limits = bounds.member_bounds(configs, counts)
            bounds.check_declared(infos, limits)
            member = lambda name: bounds.read(z, name, limits[name])     # noqa: E731
            models = []
            for i, (m, cfg) in enumerate(zip(doc["models"], configs)):
                snaps = [Snapshot.from_fields({**meta, **unpack_arrays(member(f"models/{i}/snapshots/{j:05d}.npz"))})
                         for j, meta in enumerate(m["snapshots"])]
                models.append(SavedModel(m["label"], cfg, snaps, unpack_arrays(member(f"models/{i}/weights.npz"))))
            return SavedRun(doc["name"], models, list(doc["tags"]), float(doc["created"]), float(doc["updated"]))
    except LibraryError:
        raise
    except bounds.TooLarge as err:
        raise LibraryError(f"{path}: {err}") from None
    except OSError as err:
        raise LibraryError(f"{path}: cannot read ({err.strerror or err})") from None
    except ConfigError as err:
        raise LibraryError(f"{path}: bad config in run file ({err})") from None
    except (zipfile.BadZipFile, KeyError, TypeError, ValueError, AttributeError, EOFError, RuntimeError) as err:
        # RuntimeError: an encrypted member; NotImplementedError (one): a compression method zipfile lacks
        raise LibraryError(f"{path}: not a repcore run file, or damaged ({type(err).__name__}: {err})".replace("\n", " ")) from None
