"""`python -m repcore.experiments report|verify`: the stored results' two verbs (store.py keeps the files,
docs.py generates the tables, verify.py reruns rows)."""
from __future__ import annotations

import random
import sys
from pathlib import Path

from ..cli import _fail, _seeds
from ..device import resolve as resolve_device
from ..errors import UserError
from . import docs, store
from . import verify as verifying


def add_parsers(sub) -> None:
    rep = sub.add_parser("report", help="regenerate the results tables in docs/results.md and the README from docs/results/")
    rep.add_argument("--check", action="store_true", help="change nothing; exit 1 if a table differs from the stored files")
    rep.add_argument("--store", default=str(store.ROOT), help="the stored results folder")
    v = sub.add_parser("verify", help="rerun stored rows of an experiment with their stored configs and compare")
    v.add_argument("name")
    v.add_argument("--rows", type=int, default=None, metavar="K", help="how many rows, chosen at random (default 1)")
    v.add_argument("--row", type=int, action="append", default=[], metavar="I", help="this row of runs.csv (from 0; repeat)")
    v.add_argument("--seeds", default=None, help="choose among the rows of these seeds (default: all)")
    v.add_argument("--rtol", type=float, default=None,
                   help=f"relative tolerance (default: bit-exact where the row was made by this engine on this kind of device, "
                        f"else {verifying.DEFAULT_RTOL:g})")
    v.add_argument("--device", default="auto")
    v.add_argument("--pick", type=int, default=None, metavar="SEED", help="seed of the random row choice (default: fresh)")
    v.add_argument("--store", default=str(store.ROOT), help="the stored results folder")


def report(args) -> int:
    try:
        changed = docs.update(root=Path(args.store), check=args.check)
    except UserError as err:
        return _fail(str(err))
    for path in changed:
        print(f"{'out of date' if args.check else 'regenerated'}: {path}", file=sys.stderr)
    if not changed:
        print("every results table matches the stored files", file=sys.stderr)
    return 1 if args.check and changed else 0


def verify(args) -> int:
    try:
        stored = store.require(args.name, Path(args.store))
        seeds = None if args.seeds is None else _seeds(args.seeds)
        if args.rtol is not None and not args.rtol >= 0:
            raise UserError(f"--rtol {args.rtol:g}: a tolerance is >= 0")
        resolve_device(args.device)
        rows = verifying.pick(stored, args.rows, args.row, seeds, random.Random(args.pick))
        print(f"verify {args.name}: rows {', '.join(map(str, rows))} of {len(stored.runs)}", file=sys.stderr)
        checks = []
        for i in rows:
            mine = verifying.check_row(stored, i, args.device, args.rtol)
            checks += mine
            for c in mine:
                print(f"{'agrees' if c.agrees else 'DRIFT '}  {c.line()}")
    except UserError as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        return _fail("interrupted")
    drifted = [c for c in checks if not c.agrees]
    for c in drifted:
        print(f"drift: {c.line()}", file=sys.stderr)
    print(f"{len(rows)} rows, {len(checks)} values: {len(checks) - len(drifted)} agree, {len(drifted)} drifted", file=sys.stderr)
    return 1 if drifted else 0
