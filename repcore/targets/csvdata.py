"""CSV data files: parsing and checking, one clear line per problem (data.py makes targets of them).

A file has a header row naming columns x (or x1..xd, d <= 8) and y, other columns ignored; or no
header, inputs first and y last. Delimiter comma, semicolon or tab; blank lines and lines starting
with '#' are skipped. Every value must be a finite number.
"""
from __future__ import annotations

import csv
import io

import numpy as np

from .presets import DataError

MAX_ROWS = 200_000           # the most training points a config allows


def parse_csv(blob: bytes, shown: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(x [n, d], y [n], input column names) from CSV bytes; DataError names the file and the problem."""
    if b"\0" in blob[:4096]:
        raise DataError(f"{shown}: not a CSV (binary content)")
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{shown}: not a CSV (not UTF-8 text)") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise DataError(f"{shown}: empty; need columns x and y")
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO("\n".join(lines)), dialect)]
    head = [c.lower() for c in rows[0]]
    if len(head) < 2:
        raise DataError(f"{shown}: not a CSV with columns x and y (found one column)")
    if all(_number(c) for c in head):                     # no header: inputs first, y last
        head = ["x"] if len(head) == 2 else [f"x{i + 1}" for i in range(len(head) - 1)]
        head, body = head + ["y"], rows
    else:
        body = rows[1:]
    if "y" not in head:
        raise DataError(f"{shown}: missing column y (columns: {', '.join(rows[0])})")
    inputs = ["x"] if "x" in head else [f"x{i}" for i in range(1, 9) if f"x{i}" in head]
    if not inputs:
        raise DataError(f"{shown}: missing column x (or x1, x2, ...)")
    if inputs != ["x"] and inputs != [f"x{i + 1}" for i in range(len(inputs))]:
        raise DataError(f"{shown}: input columns must be x1, x2, ... without gaps (found {', '.join(inputs)})")
    if len(body) < 2:
        raise DataError(f"{shown}: fewer than 2 data rows")
    if len(body) > MAX_ROWS:
        raise DataError(f"{shown}: {len(body):,} rows is more than the {MAX_ROWS:,} allowed")
    cols = [head.index(c) for c in inputs + ["y"]]
    first = 1 if body is rows else 2          # rows counted as in the file (blank and '#' lines skipped)
    values = np.empty((len(body), len(cols)))
    for i, row in enumerate(body):
        if len(row) != len(head):
            raise DataError(f"{shown}: row {i + first} has {len(row)} cells, expected {len(head)}")
        for j, c in enumerate(cols):
            values[i, j] = _value(row[c], shown, i + first, head[c])
    return values[:, :-1], values[:, -1], inputs


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def _value(cell: str, shown: str, row: int, column: str) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise DataError(f"{shown}: row {row}, column {column}: {cell!r} is not a number") from None
    if not np.isfinite(v):
        raise DataError(f"{shown}: row {row}, column {column}: {cell!r} is not finite")
    return v


def check_columns(x: np.ndarray, y: np.ndarray, inputs: list[str], shown: str) -> None:
    """Every input column spans an interval and y is not constant."""
    for i, col in enumerate(inputs):
        if np.ptp(x[:, i]) == 0:
            raise DataError(f"{shown}: column {col} is constant: no domain to learn on")
    if np.ptp(y) == 0:
        raise DataError(f"{shown}: column y is constant: nothing to learn")
