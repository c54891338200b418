"""python -m repcore.experiments list
   python -m repcore.experiments run NAME [--quick] [--seeds 0,1,2] [--device auto|cpu|cuda] [--out DIR] [--models M1,M2] [--data PATH]
   python -m repcore.experiments cases [--quick]
   python -m repcore.experiments sweep CASE --grid [MODEL.]FIELD=V1,V2 ... [--models ...] [--set FIELD=V ...]
   run and sweep also take: --backend local|ray [--address HOST:PORT] [--gpus-per-trial G] [--batch auto|yes|no]
   python -m repcore.experiments report [--check]
   python -m repcore.experiments verify NAME [--rows K | --row I ...] [--seeds 0,1] [--rtol R] [--device D] [--data PATH]

run writes DIR/NAME/{table.md, table.csv, runs.csv, history.csv, figures.png} (DIR defaults to results/)
and prints the Markdown table (--models: only these methods, their rows replacing theirs in DIR/NAME/runs.csv and
history.csv, the other methods' rows kept); sweep writes DIR/sweep/CASE/{sweep.csv, best.csv, best.md} and prints
best.md. Every finished trial is kept under the folder's trials/; run again with the same --out, a
command reuses them and says how many. A tuned experiment (the leaderboard) first chooses each method's
knob (tune.py) and also writes DIR/NAME/{sweep.csv, sweep.md}. With --out docs/results, run stores the
results the docs' tables are generated from (store.py): report (publish.py) regenerates every results
table in docs/results.md and the README from them (--check: exit 1 if any is out of date); verify reruns stored rows and compares (exit
0 all agree, 1 a row drifted: the row and both numbers on stderr). Bad input: exit code 2 and one line on stderr.
"""
from __future__ import annotations

import argparse
import random
import re
import shlex
import sys
from dataclasses import replace
from pathlib import Path

from ..cli import Parser, fail, parse_seeds
from ..config import RunConfig
from ..device import resolve as resolve_device
from ..errors import UserError
from . import EXPERIMENTS, publish, run, store
from . import sweep as sweeps
from . import tune as tuning
from . import verify as verifying
from .backends import BACKENDS, Execution
from .experiment import Experiment
from ..operators import data as records
from ..methods import EVERY_1D
from .plan import BATCHING
from .report import write


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def named_cases(quick: bool) -> dict[str, tuple[str, RunConfig]]:
    """Every experiment's cases by name 'EXPERIMENT/CASE-SLUG'."""
    return {f"{name}/{slug(label)}": (label, cfg) for name in EXPERIMENTS for label, cfg in EXPERIMENTS.get(name).cases(quick)}


def case(name: str, quick: bool) -> tuple[str, RunConfig]:
    cases = named_cases(quick)
    if name not in cases:
        raise UserError(f"unknown case {name!r}; `python -m repcore.experiments cases` lists them, e.g. {next(iter(cases))}")
    return cases[name]


def _execution_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", default="local", help=f"where trials run: {'|'.join(BACKENDS)} (results are identical)")
    p.add_argument("--address", default=None, metavar="HOST:PORT", help="ray: join this running cluster (default: start a local Ray)")
    p.add_argument("--gpus-per-trial", type=float, default=0.0, metavar="G", help="ray: GPUs per trial (fractions share one)")
    p.add_argument("--parallel", default="auto", help="local: one process per core: auto|yes|no (results are identical)")
    p.add_argument("--batch", default="auto", help=f"stack trials of one shape into one network: {'|'.join(BATCHING)}")


def _execution(args, cache: Path) -> Execution:
    BACKENDS.get(args.backend)
    BATCHING.get(args.batch)
    if args.gpus_per_trial < 0:
        raise UserError(f"--gpus-per-trial: {args.gpus_per_trial:g} is negative")
    return Execution(args.backend, args.address, args.gpus_per_trial, args.parallel, args.batch, cache)


def _parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m repcore.experiments", description="Run the paper's experiments.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    sub.add_parser("list", help="the experiments and what they run")
    r = sub.add_parser("run", help="run one experiment")
    r.add_argument("name")
    r.add_argument("--data", default=None, metavar="PATH", help="the data file of an experiment that reads one (operator)")
    r.add_argument("--models", default=None, metavar="M1,M2",
                   help="only these of the experiment's methods; their stored rows are replaced, the others' kept")
    c = sub.add_parser("cases", help="the named cases a sweep can start from")
    s = sub.add_parser("sweep", help="sweep RunConfig fields over a grid for one named case")
    s.add_argument("case", help="a named case (see `cases`), e.g. fit1d/multiscale-tanh")
    s.add_argument("--grid", action="append", default=[], metavar="[MODEL.]FIELD=V1,V2", help="values of one field (repeat for a product)")
    s.add_argument("--models", default="vanilla,repnet", help="comma-separated methods: models or RepNet variants (repcore/methods.py)")
    s.add_argument("--set", action="append", default=[], metavar="FIELD=V", help="change the case's base config")
    s.add_argument("--metric", default="rel_l2", help="the error column that picks the best setting")
    t = sub.add_parser("tune", help="every method's knob swept on the first seed, each best setting on every seed")
    t.add_argument("case", help="a named case (see `cases`), e.g. pinn1d/poisson-1-d-u-sin-2-x-0-1-sin-50-x")
    t.add_argument("--models", default=",".join(EVERY_1D), help="comma-separated methods (repcore/methods.py)")
    t.add_argument("--metric", default="rel_l2", help="the error column that picks the best setting")
    for q in (r, s, c, t):
        q.add_argument("--quick", action="store_true", help="tiny sizes (seconds): a smoke test, not a result")
    for q in (r, s, t):
        q.add_argument("--seeds", default="0,1,2")
        q.add_argument("--device", default="auto")
        q.add_argument("--out", default="results")
        _execution_options(q)
    _result_verbs(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    args.line = shlex.join(["python", "-m", "repcore.experiments", *(sys.argv[1:] if argv is None else argv)])
    if args.command in ("report", "verify"):
        return _report(args) if args.command == "report" else _verify(args)
    if args.command == "list":
        for name in EXPERIMENTS:
            print(f"{name:<12} {EXPERIMENTS.help(name)}")
        return 0
    if args.command == "cases":
        for name, (_label, cfg) in named_cases(args.quick).items():
            print(f"{name:<36} {' '.join(f'{k}={v}' for k, v in cfg.to_query().items())}")
        return 0
    try:
        return {"run": _run, "sweep": _sweep, "tune": _tune}[args.command](args)
    except UserError as err:
        return fail(str(err))
    except KeyboardInterrupt:
        return fail("interrupted (finished trials are kept: run the same command again to reuse them)")


def _run(args) -> int:
    seeds = parse_seeds(args.seeds)
    resolve_device(args.device)
    out = Path(args.out) / args.name
    how = _execution(args, out / "trials")
    exp = with_data(EXPERIMENTS.get(args.name), args.name, args.data, args.quick)
    only = None if args.models is None else _methods(args)
    for m in only or ():
        if m not in exp.models:
            raise UserError(f"--models: {args.name} runs {', '.join(exp.models)}, not {m!r}")
    print(f"{args.name}: {exp.title}{' (quick)' if args.quick else ''}, seeds {seeds}", file=sys.stderr)
    todo = replace(exp, models=tuple(only)) if only else exp
    if exp.tuned:
        todo = tuning.tuned(todo, args.quick, seeds, how, args.device, out)
        print(f"knobs chosen on {todo.cases(args.quick)[0][0]}, seed {seeds[0]} ({out / 'sweep.md'}): "
              f"{ {m: o for m, o in todo.overrides.items() if o} }", file=sys.stderr)
    results = run(todo, args.quick, seeds, args.device, how=how)
    paths = write(exp, results, out, command=args.line, quick=args.quick, only=only)
    print(paths["table_md"].read_text())
    print(f"wrote {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    return 0


def with_data(exp: Experiment, name: str, path: str | None, quick: bool) -> Experiment:
    """`exp` reading the data file `path` (checked now: one line if it is missing or damaged); --quick
    without --data reads the synthetic records. An experiment that reads no file refuses --data."""
    if not exp.reads_data:
        if path is not None:
            raise UserError(f"--data: the {name} experiment reads no data file")
        return exp
    path = path if path is not None else (records.SYNTHETIC if quick else "")
    records.open_records(path)
    return replace(exp, cases=lambda q: [(label, cfg.replace(data=path)) for label, cfg in exp.cases(q)])


def _methods(args) -> list[str]:
    """--models: the comma-separated method names (checked where they are used)."""
    return [m.strip() for m in args.models.split(",") if m.strip()]


def _sweep(args) -> int:
    seeds = parse_seeds(args.seeds)
    resolve_device(args.device)
    label, base = case(args.case, args.quick)
    changes = dict(item.partition("=")[::2] for item in args.set)
    base = RunConfig.from_query({**base.to_query(), **changes})[0]
    models = _methods(args)
    grid = sweeps.parse_grid(args.grid, models)
    sweeps.check_metric(args.metric)
    out = Path(args.out) / "sweep" / args.case.replace("/", "-")
    print(f"sweep {args.case} ({label}): {', '.join(f'{m} x {len(sweeps.settings(grid[m]))}' for m in models)} settings, "
          f"seeds {seeds}", file=sys.stderr)
    runs, best = sweeps.sweep(base, grid, seeds, _execution(args, out / "trials"), args.device, args.metric)
    paths = sweeps.write(runs, best, out, args.metric)
    print(paths["best_md"].read_text())
    print(f"wrote {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    return 0


def _tune(args) -> int:
    seeds = parse_seeds(args.seeds)
    resolve_device(args.device)
    label, base = case(args.case, args.quick)
    methods = _methods(args)
    sweeps.check_metric(args.metric)
    out = Path(args.out) / "tune" / args.case.replace("/", "-")
    print(f"tune {args.case} ({label}): {', '.join(methods)}; knobs on seed {seeds[0]}, the best on seeds {seeds}", file=sys.stderr)
    first, best, runs = tuning.tune(base, methods, seeds, _execution(args, out / "trials"), args.device, args.metric)
    paths = tuning.write(first, best, runs, out, args.line, args.metric)
    print(paths["md"].read_text())
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
    v.add_argument("--data", default=None, metavar="PATH", help="read this data file instead of the stored rows' path (operator)")
    v.add_argument("--pick", type=int, default=None, metavar="SEED", help="seed of the random row choice (default: fresh)")
    v.add_argument("--store", default=str(store.ROOT), help="the stored results folder")


def _report(args) -> int:
    try:
        changed = publish.update(root=Path(args.store), check=args.check)
    except UserError as err:
        return fail(str(err))
    for path in changed:
        print(f"{'out of date' if args.check else 'regenerated'}: {path}", file=sys.stderr)
    if not changed:
        print("every results table matches the stored files", file=sys.stderr)
    return 1 if args.check and changed else 0


def _verify(args) -> int:
    try:
        stored = store.require(args.name, Path(args.store))
        seeds = None if args.seeds is None else parse_seeds(args.seeds)
        if args.rtol is not None and not args.rtol >= 0:
            raise UserError(f"--rtol {args.rtol:g}: a tolerance is >= 0")
        resolve_device(args.device)
        rows = verifying.pick(stored, args.rows, args.row, seeds, random.Random(args.pick))
        print(f"verify {args.name}: rows {', '.join(map(str, rows))} of {len(stored.runs)}", file=sys.stderr)
        checks = []
        for i in rows:
            mine = verifying.check_row(stored, i, args.device, args.rtol, args.data)
            checks += mine
            for c in mine:
                print(f"{'agrees' if c.agrees else 'DRIFT '}  {c.line()}")
    except UserError as err:
        return fail(str(err))
    except KeyboardInterrupt:
        return fail("interrupted")
    drifted = [c for c in checks if not c.agrees]
    for c in drifted:
        print(f"drift: {c.line()}", file=sys.stderr)
    print(f"{len(rows)} rows, {len(checks)} values: {len(checks) - len(drifted)} agree, {len(drifted)} drifted", file=sys.stderr)
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
