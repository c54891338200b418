"""python -m repcore.experiments list
   python -m repcore.experiments run NAME [--quick] [--seeds 0,1,2] [--device auto|cpu|cuda] [--out DIR]
   python -m repcore.experiments report [--check]
   python -m repcore.experiments verify NAME [--rows K | --row I ...] [--seeds 0,1] [--rtol R] [--device D]

run writes DIR/NAME/{table.md, table.csv, runs.csv, history.csv, figures.png} (DIR defaults to results/)
and prints the Markdown table; with --out docs/results it stores them (store.py). report regenerates
every results table in docs/results.md and the README from the stored files (--check: exit 1 if any is
out of date). verify reruns stored rows and compares (exit 0 all agree, 1 a row drifted: the row and
both numbers on stderr). Bad input: exit code 2 and one line on stderr.
"""
from __future__ import annotations

import random
import shlex
import sys
from pathlib import Path

from ..cli import _fail, _Parser, _seeds
from ..errors import UserError
from ..device import resolve as resolve_device
from . import EXPERIMENTS, docs, leaderboard, run, store
from . import verify as verifying
from .report import write


def main(argv: list[str] | None = None) -> int:
    p = _Parser(prog="python -m repcore.experiments", description="Run the paper's experiments.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="the experiments and what they run")
    r = sub.add_parser("run", help="run one experiment")
    r.add_argument("name")
    r.add_argument("--quick", action="store_true", help="tiny sizes (seconds): a smoke test, not a result")
    r.add_argument("--seeds", default="0,1,2")
    r.add_argument("--device", default="auto")
    r.add_argument("--out", default="results")
    r.add_argument("--parallel", default="auto", help="one process per model: auto|yes|no (results are identical)")
    _result_verbs(sub)
    try:
        args = p.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    if args.command in ("report", "verify"):
        return _report(args) if args.command == "report" else _verify(args)
    if args.command == "list":
        for name in EXPERIMENTS:
            print(f"{name:<12} {EXPERIMENTS.help(name)}")
        print(f"{'leaderboard':<12} every method (vanilla, RepNet, Fourier features, SIREN, MscaleDNN, LAAF), knob sweep + seeds")
        return 0
    if args.name == "leaderboard":
        try:
            leaderboard.main(args.quick, _seeds(args.seeds), Path(args.out) / "leaderboard", args.parallel)
        except UserError as err:
            return _fail(str(err))
        return 0
    try:
        exp = EXPERIMENTS.get(args.name)
        seeds = _seeds(args.seeds)
        resolve_device(args.device)
        out = Path(args.out) / args.name
        print(f"{args.name}: {exp.title}{' (quick)' if args.quick else ''}, seeds {seeds}", file=sys.stderr)
        results = run(exp, args.quick, seeds, args.device, parallel=args.parallel)
        command = shlex.join(["python", "-m", "repcore.experiments", *(sys.argv[1:] if argv is None else argv)])
        paths = write(exp, results, out, command=command, quick=args.quick)
    except UserError as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        return _fail("interrupted")
    print(paths["table_md"].read_text())
    print(f"wrote {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    return 0


def _result_verbs(sub) -> None:
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


def _report(args) -> int:
    try:
        changed = docs.update(root=Path(args.store), check=args.check)
    except UserError as err:
        return _fail(str(err))
    for path in changed:
        print(f"{'out of date' if args.check else 'regenerated'}: {path}", file=sys.stderr)
    if not changed:
        print("every results table matches the stored files", file=sys.stderr)
    return 1 if args.check and changed else 0


def _verify(args) -> int:
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


if __name__ == "__main__":
    sys.exit(main())
