"""`python -m repcore fit|compare|runs`: train from the shell, and keep runs in the run library.

Every RunConfig field is an option (--slope-scale for slope_scale, ...), parsed by the same code as
URLs (RunConfig.from_query), so limits and messages are the same everywhere. Invalid input exits with
code 2 and one line on stderr. `--json` prints one JSON object (fit) or an array (compare) on stdout;
without it a table. Progress goes to stderr on runs longer than a few seconds. `--save NAME` stores
the trained models as one run in the run library (library.py); `runs ...` manages it (library_cli.py).
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from dataclasses import fields

from .config import ConfigError, RunConfig, format_value
from .errors import UserError
from .library import Library, SavedModel, add_frame, parse_tags
from .library import cli as library_cli
from .models import MODELS
from .registry import for_field
from .workers import side_by_side


_FIELDS = {f.name: f for f in fields(RunConfig)}
_VALUE_OPTIONS = {"--" + name.replace("_", "-") for name in _FIELDS}


class Parser(argparse.ArgumentParser):
    """argparse for every repcore command line: a usage error is one line on stderr and exit code 2."""

    def error(self, message: str):           # one line, exit 2 (argparse's default prints usage too)
        raise SystemExit(fail(f"{self.prog}: {message}"))


def fail(message: str) -> int:
    """Print `message` as one error line on stderr; the exit code of a rejected input (2)."""
    print(f"error: {message}".replace("\n", " "), file=sys.stderr)
    return 2


def option_help(name: str) -> str:
    """A RunConfig field's help line: what it means, its default and, for a choice, the choices."""
    f = _FIELDS[name]
    text = f.metadata.get("help", "")
    if name == "knob":
        text += "; per model: " + "; ".join(f"{m}: {MODELS.get(m).knob_help}" for m in MODELS if MODELS.get(m).knob_help)
    choices = for_field(name)
    if choices is not None:
        text += f" [{'|'.join(choices)}]"
    return f"{text} (default: {format_value(f.default) or 'auto'})".replace("%", "%%")


def join_negative_values(argv: list[str], options: set[str]) -> list[str]:
    """argparse reads a value that starts with '-' and is not a plain number ('-1,1') as an option:
    glue such a value to its option ('--domain=-1,1') so `--domain -1,1` works."""
    out, i = [], 0
    while i < len(argv):
        value = argv[i + 1] if i + 1 < len(argv) else ""
        if argv[i] in options and value[:1] == "-" and value[1:2] and value[1:2] in "0123456789.":
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def _parser() -> argparse.ArgumentParser:
    top = Parser(prog="python -m repcore", description="Train vanilla and RepNet MLPs; see README.md.")
    sub = top.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name, help_ in (("fit", "train one model"), ("compare", "train several models on the same seeds, side by side")):
        p = sub.add_parser(name, help=help_)
        for f in fields(RunConfig):
            p.add_argument("--" + f.name.replace("_", "-"), dest=f.name, default=None, metavar=f.name.upper(), help=option_help(f.name))
        p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
        p.add_argument("--save", default=None, metavar="NAME", help="store the trained models as one run in the run library")
        p.add_argument("--tags", default=None, help="with --save: comma-separated tags")
        p.add_argument("--library", default=None, metavar="PATH", help="with --save: the library file (see `runs`)")
        if name == "compare":
            p.add_argument("--models", default="vanilla,repnet", help="comma-separated model names")
            p.add_argument("--seeds", default="0", help="comma-separated seeds, e.g. 0,1,2")
            p.add_argument("--parallel", default="auto", help="one process per model: auto|yes|no (results are identical)")
    library_cli.add_parsers(sub)
    return top


def _config(args: argparse.Namespace) -> RunConfig:
    given = {f.name: getattr(args, f.name) for f in fields(RunConfig) if getattr(args, f.name) is not None}
    return RunConfig.from_query(given)[0]


def parse_seeds(raw: str) -> list[int]:
    """Seeds from '0,1,2', each within the seed field's limits; ConfigError otherwise."""
    try:
        seeds = [int(s) for s in raw.split(",") if s.strip()]
    except ValueError:
        raise ConfigError(f"seeds: {raw!r} is not a comma-separated list of whole numbers") from None
    if not seeds:
        raise ConfigError("seeds: none given")
    for s in seeds:
        RunConfig(seed=s)                   # same limits as the seed field
    return seeds


def _record(cfg: RunConfig, snap) -> dict:
    finite = math.isfinite(snap.rel_l2)
    return {"model": cfg.model, "act": cfg.act, "seed": cfg.seed, "target": cfg.target, "rel_l2": snap.rel_l2 if finite else None,
            "status": snap.status, "diverged_at": snap.diverged_at if snap.diverged_at >= 0 else None,
            "steps": snap.step, "wall_s": round(snap.wall, 4), "steps_per_s": round(snap.step / snap.wall, 2) if snap.wall > 0 else None,
            "device": snap.device, "slope_scale": round(snap.knob, 4) if cfg.model == "repnet" else None,
            "knob": round(snap.knob, 4) if math.isfinite(snap.knob) else None,
            "losses": {k: (v if math.isfinite(v) else None) for k, v in snap.losses.items()}, "extra": snap.extra,
            "config": cfg.to_query()}


def run_group(cfgs: list[RunConfig], progress: bool, parallel: str = "auto", keep: list | None = None) -> list[dict]:
    """Train cfgs side by side; return one record per config (final snapshot). If `keep` is a list,
    append to it one SavedModel per config (thinned snapshots, final weights) for the run library."""
    weights = [] if keep is not None else None
    stream = side_by_side(cfgs, parallel, weights=weights)
    frames = [[] for _ in cfgs]
    start, shown, last = time.perf_counter(), 0.0, None
    for last in stream:
        elapsed = time.perf_counter() - start
        if progress and elapsed - shown > 2.0:
            shown = elapsed
            parts = "  ".join(f"{s.label} {s.rel_l2:.3g}" for s in last)
            print(f"  step {max(s.step for s in last)}/{cfgs[0].steps}  rel_l2: {parts}", file=sys.stderr, flush=True)
        if keep is not None:
            for f, s in zip(frames, last):
                add_frame(f, s)
    if keep is not None:
        keep += [SavedModel(c.model, c, f, w) for c, f, w in zip(cfgs, frames, weights)]
    return [_record(c, s) for c, s in zip(cfgs, last)]


def _table(records: list[dict]) -> str:
    head = f"{'model':<9} {'act':<5} {'seed':>4} {'rel_l2':>10} {'status':<9} {'steps':>7} {'steps/s':>8} {'knob':>8}"
    rows = [head, "-" * len(head)]
    for r in records:
        rel = "nan" if r["rel_l2"] is None else f"{r['rel_l2']:.3e}"
        nu = "" if r["knob"] is None else f"{r['knob']:.3g}"
        rows.append(f"{r['model']:<9} {r['act']:<5} {r['seed']:>4} {rel:>10} {r['status']:<9} {r['steps']:>7} "
                    f"{r['steps_per_s'] or 0:>8.1f} {nu:>8}")
    models = list(dict.fromkeys(r["model"] for r in records))
    if len(records) > len(models):
        rows.append("")
        for m in models:
            vals = [r["rel_l2"] for r in records if r["model"] == m and r["rel_l2"] is not None]
            med = statistics.median(vals) if vals else float("nan")
            rows.append(f"median rel_l2 {m:<9} {med:.3e}  over {len(vals)} seed(s)")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else argv
        args = _parser().parse_args(join_negative_values(argv, _VALUE_OPTIONS))
    except SystemExit as stop:
        return int(stop.code or 0)
    try:
        if args.command == "runs":
            return library_cli.main(args)
        base = _config(args)
        keep = None
        if args.save is not None:                  # check the name before training, not after
            with Library(args.library) as library:
                name, tags, keep = library.ensure_free(args.save), parse_tags(args.tags), []
        if args.command == "fit":
            groups = [[base]]
        else:
            models = [m.strip() for m in args.models.split(",") if m.strip()]
            if not models:
                raise ConfigError("models: none given")
            groups = [[base.replace(model=m, seed=s) for m in models] for s in parse_seeds(args.seeds)]
        records = []
        for group in groups:
            records += run_group(group, progress=True, parallel=getattr(args, "parallel", "no"), keep=keep)
        if keep is not None:
            with Library(args.library) as library:
                run_id = library.save(library_cli.saved_run(name, tags, keep))
            print(f"saved run {name!r} (#{run_id}) to {library.path}", file=sys.stderr)
    except UserError as err:
        return fail(str(err))
    except KeyboardInterrupt:
        return fail("interrupted")
    if args.json:
        print(json.dumps(records[0] if args.command == "fit" else records))
    else:
        print(_table(records))
    return 0
