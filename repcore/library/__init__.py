"""Saved runs: the record and its portable file (runfile.py), the SQLite library of many runs
(database.py), and the `python -m repcore runs ...` commands (cli.py)."""
from .runfile import MAX_SNAPSHOTS, LibraryError, SavedModel, SavedRun, add_frame, parse_tags, read_file, restore, write_file
from .database import APP_ID, Library, RunInfo, default_path

__all__ = ["APP_ID", "MAX_SNAPSHOTS", "Library", "LibraryError", "RunInfo", "SavedModel", "SavedRun", "add_frame",
           "default_path", "parse_tags", "read_file", "restore", "write_file"]
