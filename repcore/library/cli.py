"""`python -m repcore runs list|show|export|import|rename|tag|delete`: the run library from the shell,
and the `--save NAME` half of `fit` / `compare` (turning trained runs into one saved run).

Runs are named by name, or by id (`12` or `#12`). Every subcommand takes `--library PATH` (default:
$REPCORE_LIBRARY, else ~/.local/share/repcore/library.sqlite3). Errors are LibraryError: exit code 2
and one line on stderr, like every other bad input (cli.py).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import time

from . import animation
from .runfile import LibraryError, SavedModel, SavedRun, parse_tags
from .database import Library, RunInfo, default_path


def add_parsers(sub) -> None:
    """The `runs` command and its subcommands, on cli.py's subparsers."""
    lib = argparse.ArgumentParser(add_help=False)
    lib.add_argument("--library", default=None, metavar="PATH", help=f"library file (default {default_path()})")
    runs = sub.add_parser("runs", help="the run library: list, show, export, import, rename, tag, delete saved runs")
    cmds = runs.add_subparsers(dest="runs_command", required=True, parser_class=type(runs),
                               metavar="list|show|export|import|rename|tag|delete")
    p = cmds.add_parser("list", parents=[lib], help="saved runs, newest first")
    p.add_argument("--filter", default="", help="part of a name or tag")
    p.add_argument("--tag", default=None, help="a whole tag")
    p.add_argument("--json", action="store_true")
    p = cmds.add_parser("show", parents=[lib], help="one run: its models, configs and final metrics")
    p.add_argument("run", help="name, or id (12 or #12)")
    p.add_argument("--json", action="store_true")
    p = cmds.add_parser("export", parents=[lib], help="write a run to one portable .zip file, and/or as an animated GIF")
    p.add_argument("run")
    p.add_argument("file", nargs="?", help="the run file to write (.zip)")
    p.add_argument("--animation", metavar="FILE.gif", help="the run's side-by-side view, one frame per saved snapshot")
    p.add_argument("--fps", type=float, default=animation.FPS, help=f"animation frames per second (default {animation.FPS:g}; "
                   f"{animation.FPS_RANGE[0]:g}-{animation.FPS_RANGE[1]:g})")
    p.add_argument("--size", default="x".join(map(str, animation.SIZE)),
                   help="animation WIDTHxHEIGHT in pixels (default %(default)s; 960x540 for a smaller file)")
    p.add_argument("--hold", type=float, default=animation.HOLD_S, help="seconds the last frame stays (default %(default)g)")
    p.add_argument("--frames", type=int, default=None, help="at most this many frames, evenly spread (default: every snapshot)")
    p = cmds.add_parser("import", parents=[lib], help="add a run from a file written by export")
    p.add_argument("file")
    p.add_argument("--name", default=None, help="save under this name instead of the file's")
    p = cmds.add_parser("rename", parents=[lib], help="give a run another name")
    p.add_argument("run")
    p.add_argument("name")
    p = cmds.add_parser("tag", parents=[lib], help="replace a run's tags")
    p.add_argument("run")
    p.add_argument("tags", help="comma-separated; '' removes all")
    p = cmds.add_parser("delete", parents=[lib], help="delete a run (its snapshots and weights too)")
    p.add_argument("run")


def main(args: argparse.Namespace) -> int:
    cmd = args.runs_command
    if cmd == "list" and not _exists(args.library):
        print("[]" if args.json else f"no runs saved yet (no library at {args.library or default_path()})")
        return 0
    with Library(args.library, create=cmd == "import") as lib:
        if cmd == "list":
            infos = lib.list(args.filter, args.tag)
            print(json.dumps([_info(i) for i in infos]) if args.json else _table(infos))
        elif cmd == "show":
            run = lib.load(args.run)
            print(json.dumps(_details(run)) if args.json else _describe(run))
        elif cmd == "export":
            _export(lib, args)
        elif cmd == "import":
            run = lib.import_file(args.file, args.name)
            print(f"imported {run.name!r} ({_counts(run)}) as #{run.id} into {lib.path}")
        elif cmd == "rename":
            lib.rename(args.run, args.name)
            print(f"renamed {args.run!r} to {args.name.strip()!r}")
        elif cmd == "tag":
            lib.set_tags(args.run, parse_tags(args.tags))
            print(f"tags of {args.run!r}: {', '.join(parse_tags(args.tags)) or '(none)'}")
        else:
            print(f"deleted {lib.delete(args.run)!r}")
    return 0


def _export(lib: Library, args: argparse.Namespace) -> None:
    """`runs export RUN [FILE] [--animation FILE.gif ...]`: the options are checked before anything is written."""
    if args.file is None and args.animation is None:
        raise LibraryError("export: give a FILE to write the run to (.zip), or --animation FILE.gif, or both")
    options = dict(fps=args.fps, size=animation.parse_size(args.size), hold=args.hold, frames=args.frames)
    if args.animation is not None:
        animation.check(**options)
        animation.check_path(args.animation)
    run = lib.export(args.run, args.file) if args.file is not None else lib.load(args.run)
    if args.file is not None:
        print(f"exported {run.name!r} ({_counts(run)}) to {args.file}")
    if args.animation is not None:
        start = time.perf_counter()
        size = animation.write(run, args.animation, **options)
        frames = len(animation.timeline(run, args.frames))
        print(f"animated {run.name!r}: {frames} frames, {size / 1e6:.2f} MB, in {time.perf_counter() - start:.1f} s to {args.animation}")


def saved_run(name: str, tags: list[str], models: list[SavedModel]) -> SavedRun:
    """fit / compare --save: one run with every model trained, labelled by model (plus seed when
    several seeds were trained, plus a counter if still ambiguous)."""
    if len({m.label for m in models}) < len(models):
        for m in models:
            m.label = f"{m.cfg.model} s{m.cfg.seed}"
    seen: dict[str, int] = {}
    for m in models:
        seen[m.label] = seen.get(m.label, 0) + 1
        m.label += f" ({seen[m.label]})" if seen[m.label] > 1 else ""
    return SavedRun(name, models, tags)


def _exists(path: str | None) -> bool:
    return os.path.exists(os.path.expanduser(path or default_path()))


def _finite(v: float):
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _counts(run: SavedRun) -> str:
    return f"{len(run.models)} model(s), {sum(len(m.snapshots) for m in run.models)} snapshots"


def _info(i: RunInfo) -> dict:
    return {"id": i.id, "name": i.name, "created": i.created, "updated": i.updated, "tags": i.tags,
            "models": [dict(m, rel_l2=_finite(m["rel_l2"])) for m in i.models]}


def _table(infos: list[RunInfo]) -> str:
    if not infos:
        return "no runs match"
    head = f"{'id':>4}  {'name':<24} {'created':<16}  {'models: final rel_l2 @ step':<44} tags"
    rows = [head, "-" * len(head)]
    for i in infos:
        models = ", ".join(f"{m['label']} {m['rel_l2']:.2e} @{m['step']}" for m in i.models)
        rows.append(f"{i.id:>4}  {i.name:<24} {_when(i.created):<16}  {models:<44} {','.join(i.tags)}")
    return "\n".join(rows)


def _details(run: SavedRun) -> dict:
    out = {"id": run.id, "name": run.name, "created": run.created, "updated": run.updated, "tags": run.tags, "models": []}
    for m in run.models:
        s = m.snapshots[-1]
        out["models"].append({"label": m.label, "config": m.cfg.to_query(), "snapshots": len(m.snapshots),
                              "steps": s.step, "status": s.status, "rel_l2": _finite(s.rel_l2), "wall_s": round(s.wall, 4),
                              "losses": {k: _finite(v) for k, v in s.losses.items()}, "extra": s.extra,
                              "weights": sum(int(w.size) for w in m.weights.values())})
    return out


def _describe(run: SavedRun) -> str:
    d = _details(run)
    lines = [f"#{run.id} {run.name}   created {_when(run.created)}, updated {_when(run.updated)}   "
             f"tags: {', '.join(run.tags) or '(none)'}"]
    for m in d["models"]:
        rel = "nan" if m["rel_l2"] is None else f"{m['rel_l2']:.3e}"
        lines.append(f"  {m['label']}: rel_l2 {rel} at step {m['steps']} ({m['status']}), {m['snapshots']} snapshots, "
                     f"{m['weights']:,} weights, {m['wall_s']:.1f} s training")
        lines.append("    config: " + (" ".join(f"--{k.replace('_', '-')} {shlex.quote(v)}" for k, v in m["config"].items()) or "(defaults)"))
    return "\n".join(lines)
