"""Files a run reads: uploads kept under their content hash, and the policy of a process that serves
visitors (the dashboard), which reads uploads only: a spec naming a path is refused before anything is
opened, so no visitor can make the server read one of its files. data.py resolves specs through here.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time

from . import images
from .csvdata import check_columns, parse_csv
from .presets import DataError

MAX_BYTES = 5_000_000        # data files: larger ones are refused before parsing
UPLOAD_ID = re.compile(r"@[0-9a-f]{32}")
_POLICY = {"paths": True}    # process-wide: False once the process serves visitors (serve_uploads_only)


def serve_uploads_only() -> None:
    """From now on this process refuses data specs that name a path (a server that serves visitors)."""
    _POLICY["paths"] = False


def paths_allowed() -> bool:
    return _POLICY["paths"]


def upload_dir() -> str:
    return os.environ.get("REPCORE_UPLOADS") or os.path.join(tempfile.gettempdir(), "repcore-uploads")


def store_upload(blob: bytes, scheme: str, shown: str = "the uploaded file", keep_s: float = 86_400) -> str:
    """Check an uploaded file (as `scheme` data: 'csv' or 'image'; messages call it `shown`) and keep it
    under its content hash; returns the spec that names it ('csv:@1f0c...'). Raises DataError before storing bad
    data. Uploads older than `keep_s` are removed."""
    if scheme not in ("csv", "image"):
        raise DataError(f"upload: unknown kind {scheme!r}")
    ident = "@" + hashlib.sha256(blob).hexdigest()[:32]
    check_bytes(blob, shown)
    if scheme == "csv":
        check_columns(*parse_csv(blob, shown), shown)
    else:
        images.decode(blob, shown, 16)
    folder = upload_dir()
    os.makedirs(folder, exist_ok=True)
    now = time.time()
    for old in os.listdir(folder):
        with contextlib.suppress(OSError):
            if now - os.path.getmtime(os.path.join(folder, old)) > keep_s:
                os.remove(os.path.join(folder, old))
    path = os.path.join(folder, ident[1:])
    for content, target in ((blob, path), (shown[:200].encode(), path + ".name")):    # the file and the name it came with
        tmp = f"{target}.{os.getpid()}.part"
        with open(tmp, "wb") as f:
            f.write(content)
        os.replace(tmp, target)
    return f"{scheme}:{ident}"


def read(ref: str, scheme: str) -> tuple[bytes, str]:
    """(bytes, display name) of an upload (@ID) or, where allowed, a path."""
    if ref.startswith("@"):
        if not UPLOAD_ID.fullmatch(ref):
            raise DataError(f"{scheme}: {ref!r} is not an upload name")
        path, shown = os.path.join(upload_dir(), ref[1:]), "the uploaded file"
        if not os.path.isfile(path):
            raise DataError(f"{scheme}: the uploaded file is no longer on the server; upload it again")
        with contextlib.suppress(OSError), open(path + ".name", encoding="utf-8", errors="replace") as f:
            shown = f"{f.read().strip() or 'the file'} (uploaded)"
    elif not paths_allowed():
        raise DataError(f"{scheme}: this server reads uploaded files only, not paths; upload the file instead")
    else:
        path, shown = os.path.expanduser(ref), ref
        if not ref.strip():
            raise DataError(f"{scheme}: no file given; write {scheme}:PATH")
        if not os.path.isfile(path):
            raise DataError(f"{shown}: no such file")
        if os.path.getsize(path) > MAX_BYTES:
            raise DataError(f"{shown}: {os.path.getsize(path) / 1e6:.1f} MB is larger than the {MAX_BYTES / 1e6:g} MB limit for data files")
    try:
        with open(path, "rb") as f:
            blob = f.read(MAX_BYTES + 1)
    except OSError as err:
        raise DataError(f"{shown}: cannot be read ({err.strerror or type(err).__name__})") from None
    check_bytes(blob, shown)
    return blob, shown


def check_bytes(blob: bytes, shown: str) -> None:
    if len(blob) > MAX_BYTES:
        raise DataError(f"{shown}: larger than the {MAX_BYTES / 1e6:g} MB limit for data files")
