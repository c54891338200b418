"""The run library: saved runs (runfile.SavedRun) in one embedded SQLite file, via the standard
library's sqlite3. No server, one file per user, safe to share between processes.

Where: the `path` given, else $REPCORE_LIBRARY, else $XDG_DATA_HOME/repcore/library.sqlite3
(~/.local/share/repcore/library.sqlite3 when XDG_DATA_HOME is unset).

Schema v1 (_SCHEMA; PRAGMA user_version holds the version, PRAGMA application_id marks the file as ours):
configs as typed JSON, snapshot scalars as JSON, arrays and weights as .npz bytes. Deleting a run
cascades to its rows and gives the pages back (incremental vacuum).

Transactions: WAL, and every write is ONE transaction (BEGIN IMMEDIATE ... COMMIT), so a process killed
mid-save leaves no visible half-run and earlier runs intact; writers queue for up to BUSY_TIMEOUT_S. A
bad file (not SQLite, corrupt, foreign, newer schema, busy) raises LibraryError, one line naming it.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import zipfile
from dataclasses import dataclass, field

from ..config import ConfigError
from .sqlite_errors import check_header, explain
from .runfile import (LibraryError, SavedModel, SavedRun, check_name, check_tags, config_from_json, config_to_json, pack_arrays,
                      pack_snapshot, parse_tags, read_file, unpack_arrays, unpack_snapshot, write_file)

__all__ = ["Library", "LibraryError", "RunInfo", "SavedModel", "SavedRun", "default_path", "parse_tags"]

SCHEMA_VERSION = 1
APP_ID = 0x52504E4C                   # 'RPNL' in the SQLite header: tells our files from other SQLite databases
BUSY_TIMEOUT_S = 30.0                 # a writer waits this long for another writer's transaction
_SCHEMA = (
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created REAL NOT NULL, updated REAL NOT NULL)",
    "CREATE TABLE tags (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, tag TEXT NOT NULL, "
    "PRIMARY KEY (run_id, tag))",
    "CREATE TABLE models (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
    "seq INTEGER NOT NULL, label TEXT NOT NULL, config TEXT NOT NULL, weights BLOB NOT NULL, n_snapshots INTEGER NOT NULL, "
    "final_step INTEGER NOT NULL, final_rel_l2 REAL, UNIQUE (run_id, seq), UNIQUE (run_id, label))",
    "CREATE TABLE snapshots (model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE, seq INTEGER NOT NULL, "
    "step INTEGER NOT NULL, meta TEXT NOT NULL, arrays BLOB NOT NULL, PRIMARY KEY (model_id, seq))",
)
_TABLES = {"runs", "tags", "models", "snapshots"}
_DAMAGED = (ConfigError, ValueError, TypeError, KeyError, OSError, EOFError, zipfile.BadZipFile)


def default_path() -> str:
    env = os.environ.get("REPCORE_LIBRARY", "").strip()
    if env:
        return os.path.expanduser(env)
    data = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data, "repcore", "library.sqlite3")


@dataclass
class RunInfo:
    """A run's listing: no snapshots, no weights."""
    id: int
    name: str
    created: float
    updated: float
    tags: list[str] = field(default_factory=list)
    models: list[dict] = field(default_factory=list)    # per model: label, model, snapshots, step, rel_l2


class Library:
    """One open library file. Not thread-safe: open one per thread (opening costs about a millisecond)."""

    def __init__(self, path: str | None = None, create: bool = True):
        self.path = os.path.abspath(os.path.expanduser(path or default_path()))
        if not create and not os.path.exists(self.path):
            raise LibraryError(f"no run library at {self.path}")
        check_header(self.path)
        if create:
            try:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
            except OSError as err:
                raise LibraryError(f"{self.path}: cannot create its folder ({err.strerror or err})") from None
        with self._errors():
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            with self._errors():
                self._open()
        except LibraryError:
            self.db.close()
            raise

    def _open(self) -> None:
        db = self.db
        db.execute("PRAGMA foreign_keys = ON")
        version, app = db.execute("PRAGMA user_version").fetchone()[0], db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app != APP_ID and (app != 0 or tables):
            raise LibraryError(f"{self.path}: an SQLite database, but not a repcore run library")
        if version > SCHEMA_VERSION:
            raise LibraryError(f"{self.path}: written by a newer repcore (library schema v{version}; this version reads "
                               f"up to v{SCHEMA_VERSION}); upgrade repcore to open it")
        if version == SCHEMA_VERSION and not _TABLES <= tables:
            raise LibraryError(f"{self.path}: damaged run library (tables missing: {', '.join(sorted(_TABLES - tables))})")
        if version == 0:
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")      # only takes effect before the first table
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")                  # a committed run survives a power cut too
        if version == 0:
            with self._write():
                if db.execute("PRAGMA user_version").fetchone()[0] == 0:      # another process may have won the race
                    for statement in _SCHEMA:
                        db.execute(statement)
                    db.execute(f"PRAGMA application_id = {APP_ID}")
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- transactions and errors
    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except sqlite3.Error as err:
            raise LibraryError(explain(self.path, err, BUSY_TIMEOUT_S)) from None

    @contextlib.contextmanager
    def _write(self):
        """One write transaction; rolled back on any exception."""
        with self._errors():
            self.db.execute("BEGIN IMMEDIATE")       # take the write lock now (queue behind other writers)
            try:
                yield
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    @contextlib.contextmanager
    def _read(self):
        """Several queries that see one consistent state (one WAL snapshot)."""
        with self._errors():
            self.db.execute("BEGIN")
            try:
                yield
            finally:
                self.db.execute("COMMIT")

    def _find(self, ref) -> tuple | None:
        """(id, name, created, updated) of a run given by name, or by id (int, 'ID' or '#ID')."""
        row = self.db.execute("SELECT id, name, created, updated FROM runs WHERE name = ?", (str(ref),)).fetchone()
        key = str(ref).lstrip("#")
        if row is None and key.isdigit():
            row = self.db.execute("SELECT id, name, created, updated FROM runs WHERE id = ?", (int(key),)).fetchone()
        return row

    def _get(self, ref) -> tuple:
        row = self._find(ref)
        if row is None:
            raise LibraryError(f"no run {ref!r} in {self.path}")
        return row

    # --- writes
    def save(self, run: SavedRun) -> int:
        """Store `run` (name must be free) in one transaction; returns its id. Keeps `run.created` if
        set (an import), else stamps now."""
        name, tags = check_name(run.name), check_tags(run.tags)
        labels = [m.label for m in run.models]
        if not run.models or len(set(labels)) < len(labels) or any(not m.snapshots for m in run.models):
            raise LibraryError("a run needs one or more models with distinct labels, each with at least one snapshot")
        created = run.created or time.time()
        with self._write():
            self._ensure_free(name)
            run_id = self.db.execute("INSERT INTO runs (name, created, updated) VALUES (?, ?, ?)",
                                     (name, created, run.updated or created)).lastrowid
            self.db.executemany("INSERT INTO tags VALUES (?, ?)", [(run_id, t) for t in tags])
            for seq, m in enumerate(run.models):
                last = m.snapshots[-1]
                model_id = self.db.execute(
                    "INSERT INTO models (run_id, seq, label, config, weights, n_snapshots, final_step, final_rel_l2) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (run_id, seq, m.label, config_to_json(m.cfg), pack_arrays(m.weights),
                                                        len(m.snapshots), last.step, last.rel_l2)).lastrowid
                # a generator: each snapshot is encoded as it is inserted, so a big run is never held twice
                self.db.executemany("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?)",
                                    ((model_id, j, s.step, *pack_snapshot(s)) for j, s in enumerate(m.snapshots)))
        return run_id

    def ensure_free(self, name: str) -> str:
        """The checked name; LibraryError if it is invalid or taken (check before a long training)."""
        name = check_name(name)
        with self._read():
            self._ensure_free(name)
        return name

    def _ensure_free(self, name: str) -> None:
        if self.db.execute("SELECT 1 FROM runs WHERE name = ?", (name,)).fetchone():
            raise LibraryError(f"a run named {name!r} already exists in {self.path}; choose another name or delete it")

    def rename(self, ref, new_name: str) -> None:
        new_name = check_name(new_name)
        with self._write():
            run_id, old = self._get(ref)[:2]
            if new_name != old:
                self._ensure_free(new_name)
                self.db.execute("UPDATE runs SET name = ?, updated = ? WHERE id = ?", (new_name, time.time(), run_id))

    def set_tags(self, ref, tags) -> None:
        tags = check_tags(tags)
        with self._write():
            run_id = self._get(ref)[0]
            self.db.execute("DELETE FROM tags WHERE run_id = ?", (run_id,))
            self.db.executemany("INSERT INTO tags VALUES (?, ?)", [(run_id, t) for t in tags])
            self.db.execute("UPDATE runs SET updated = ? WHERE id = ?", (time.time(), run_id))

    def delete(self, ref) -> str:
        """Delete a run (and its models and snapshots); returns its name."""
        with self._write():
            run_id, name = self._get(ref)[:2]
            self.db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        with self._errors():
            self.db.executescript("PRAGMA incremental_vacuum;")      # give the freed pages back to the file system
        return name

    # --- reads
    def list(self, text: str = "", tag: str | None = None) -> list[RunInfo]:
        """Runs, newest first; `text` matches part of the name or of a tag (case-insensitive), `tag` a whole tag."""
        with self._read():
            rows = self.db.execute(
                "SELECT id, name, created, updated FROM runs r WHERE (?1 = '' OR instr(lower(name), lower(?1)) > 0 "
                "OR EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND instr(lower(t.tag), lower(?1)) > 0)) "
                "AND (?2 IS NULL OR EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag = ?2)) "
                "ORDER BY created DESC, id DESC", (text.strip(), tag)).fetchall()
            infos = {r[0]: RunInfo(*r) for r in rows}
            for run_id, t in self.db.execute("SELECT run_id, tag FROM tags ORDER BY rowid"):
                if run_id in infos:
                    infos[run_id].tags.append(t)
            for run_id, label, cfg, n, step, rel in self.db.execute(
                    "SELECT run_id, label, json_extract(config, '$.model'), n_snapshots, final_step, final_rel_l2 "
                    "FROM models ORDER BY run_id, seq"):
                if run_id in infos:
                    infos[run_id].models.append(dict(label=label, model=cfg, snapshots=n, step=step,
                                                     rel_l2=float("nan") if rel is None else rel))
        return list(infos.values())

    def load(self, ref) -> SavedRun:
        """The whole run: configs, every saved snapshot, weights."""
        with self._read():
            run_id, name, created, updated = self._get(ref)
            tags = [t for (t,) in self.db.execute("SELECT tag FROM tags WHERE run_id = ? ORDER BY rowid", (run_id,))]
            models = []
            try:
                for model_id, label, cfg, weights in self.db.execute(
                        "SELECT id, label, config, weights FROM models WHERE run_id = ? ORDER BY seq", (run_id,)).fetchall():
                    snaps = [unpack_snapshot(meta, blob) for meta, blob in self.db.execute(
                        "SELECT meta, arrays FROM snapshots WHERE model_id = ? ORDER BY seq", (model_id,))]
                    models.append(SavedModel(label, config_from_json(cfg), snaps, unpack_arrays(weights)))
            except _DAMAGED as err:
                raise LibraryError(f"{self.path}: run {name!r} is damaged ({type(err).__name__}: {err})".replace("\n", " ")) from None
        return SavedRun(name, models, tags, created, updated, run_id)

    def check(self) -> str:
        """SQLite's full integrity check: 'ok', or the first problem found."""
        with self._errors():
            return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # --- the portable file
    def export(self, ref, path: str) -> SavedRun:
        run = self.load(ref)
        write_file(run, path)
        return run

    def import_file(self, path: str, name: str | None = None) -> SavedRun:
        """Save the run in a file written by `export` (under `name` if given); returns it with its new id."""
        run = read_file(path)
        if name is not None:
            run.name = name
        run.id = self.save(run)
        return run
