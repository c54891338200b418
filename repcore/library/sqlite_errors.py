"""The run library file's own errors, each one line naming the file: a file that is not SQLite at all
(SQLite itself only says 'file is not a database'), and sqlite3's errors (busy, corrupt, read-only)."""
from __future__ import annotations

from .runfile import LibraryError

_HEADER = b"SQLite format 3\x00"


def check_header(path: str) -> None:
    """A clear error for a file that is not SQLite at all (SQLite itself only says 'file is not a database')."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(_HEADER))
    except FileNotFoundError:
        return
    except OSError as err:
        raise LibraryError(f"{path}: cannot read ({err.strerror or err})") from None
    if head and head != _HEADER:
        raise LibraryError(f"{path}: not a repcore run library (not an SQLite database file)")


def explain(path: str, err: Exception, busy_s: float) -> str:
    """One line for an sqlite3 error on the library at `path`."""
    text = str(err)
    if "locked" in text or "busy" in text:
        return f"{path}: busy (another process held the write lock over {busy_s:g} s); try again"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"{path}: corrupt run library ({text})"
    if "unable to open" in text or "readonly" in text:
        return f"{path}: cannot open for writing ({text})"
    return f"{path}: {text}"
