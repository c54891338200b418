"""python -m repcore.experiments list
   python -m repcore.experiments run NAME [--quick] [--seeds 0,1,2] [--device auto|cpu|cuda] [--out DIR]

Writes DIR/NAME/{table.md, table.csv, runs.csv, history.csv, figures.png} (DIR defaults to results/)
and prints the Markdown table. Bad input: exit code 2 and one line on stderr.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..cli import _fail, _Parser, _seeds
from ..errors import UserError
from ..device import resolve as resolve_device
from . import EXPERIMENTS, leaderboard, run
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
    try:
        args = p.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
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
        paths = write(exp, results, out)
    except UserError as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        return _fail("interrupted")
    print(paths["table_md"].read_text())
    print(f"wrote {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
