"""Publishing (stage 5): the generated parts of the docs, every results table in docs/results.md and the README's headline
table, written from the stored results (store.py) by `python -m repcore.experiments report`.

A doc marks each generated block with a named pair of comments:

    <!-- results:fit1d -->        one experiment: its command, engine version, device, note, table
    <!-- results:headline -->     median error of each model per case, every stored full-size experiment
    <!-- results:methods -->      every method (RepNet's variants, the peers) x the benchmarks run for all of them
    <!-- results:tuned -->        every stored `tune` result (docs/results/tune/CASE/tune.md, written by the command)
    <!-- /results -->

Everything between the markers is replaced; everything outside is left as written. A block whose
stored rows were made by an engine that behaved otherwise (version.behaviour_version) says it is stale; quick-size
results say they are smoke tests.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import UserError
from .report import cell, markdown, summary
from ..methods import EVERY
from .experiment import EXPERIMENTS
from .store import ROOT, Stored, load

DOCS = (ROOT.parent / "results.md", ROOT.parent.parent / "README.md")      # the docs beside the stored results
MARKER = re.compile(r"(<!-- results:([\w-]+) -->\n)(.*?)(<!-- /results -->)", re.S)


def _provenance(s: Stored) -> str:
    cmds = " and ".join(f"`{c}`" for c in s.commands)
    versions = ", ".join(f"`{v}`" for v in s.versions)     # behaviour versions: what the engine computed
    return (f"{cmds} · engine behaviour {versions} · {', '.join(s.devices)} · {len(s.runs)} runs, "
            f"{s.training_minutes:.1f} min of training · made {s.made} · runs.csv sha256 `{s.digest}`")


def _warnings(s: Stored) -> list[str]:
    out = []
    if s.stale:
        out.append(f"> **Stale:** made by engine behaviour {', '.join(f'`{v}`' for v in s.versions)}; the engine now "
                   f"behaves as {', '.join(f'`{v}`' for v in s.current_versions)} (repcore.version.behaviour_version), so it computes other numbers. "
                   "Rerun the command to refresh them.")
    if s.quick:
        out.append("> **Quick size: a smoke test of a few seconds per run, not a result.** The full-size command "
                   "drops `--quick`.")
    return out


SEEDS = 3          # a full-size result: every method of the experiment on seeds 0, 1, 2


def incomplete(name: str, stored: Stored) -> list[str]:
    """The experiment's methods stored on fewer than SEEDS seeds in some case, as "method (n of 3 seeds)"."""
    if stored.quick:
        return []
    n = stored.runs.groupby(["case", "model"])["seed"].nunique()
    cases = dict.fromkeys(stored.runs["case"])
    short = {m: min(int(n.get((c, m), 0)) for c in cases) for m in EXPERIMENTS.get(name).models}
    return [f"{m} ({k} of {SEEDS} seeds)" for m, k in short.items() if k < SEEDS]


def _incomplete_warning(name: str, stored: Stored) -> list[str]:
    short = incomplete(name, stored)
    if not short:
        return []
    return [f"> **Incomplete:** not yet stored on every seed: {', '.join(short)}. `python -m repcore.experiments run {name} "
            f"--seeds 0,1,2 --out docs/results` completes it (the stored trials are reused)."]


def experiment_block(name: str, stored: Stored | None) -> str:
    exp = EXPERIMENTS.get(name)
    if stored is None:
        return (f"*Not stored yet.* `python -m repcore.experiments run {name} --out docs/results` stores it "
                f"({exp.note})\n")
    seeds = sorted(set(stored.runs["seed"]))
    parts = [_provenance(stored), *_warnings(stored), *_incomplete_warning(name, stored), exp.note,
             markdown(exp, summary(exp, stored.runs)).rstrip(),
             f"Rerun stored rows and compare: `python -m repcore.experiments verify {name} --rows 2 --seeds {seeds[0]}`"]
    return "\n\n".join(parts) + "\n"


def headline_block(stored: list[Stored]) -> str:
    """Per case of every stored full-size experiment: each model's median error over seeds, and the
    ratio of the second model's median to the first's."""
    lines = []
    for s in stored:
        if s.quick or s.name not in EXPERIMENTS:
            continue
        exp = EXPERIMENTS.get(s.name)
        err, (ref, other) = exp.errors[0], exp.models[:2]
        med = s.runs.groupby(["case", "model"], sort=False)[err].median()
        n = s.runs[s.runs["model"].isin([ref, other])].groupby(["case", "model"])["seed"].nunique().groupby("case").min()
        stale = " (stale)" if s.stale else ""
        for case in dict.fromkeys(s.runs["case"]):
            a, b = med.get((case, ref), float("nan")), med.get((case, other), float("nan"))
            lines.append(f"| {exp.title}{stale} | {case} | {cell(a)} | {cell(b)} | {b / a if a else float('nan'):.2f} | {n[case]} |")
    if not lines:
        return "*No full-size results stored yet* (`python -m repcore.experiments run fit1d --out docs/results`).\n"
    head = ["| experiment | case | vanilla | RepNet | RepNet / vanilla | seeds |", "|---|---|---|---|---|---|"]
    foot = ("Median relative L2 error over seeds on held-out test points (PINNs: of the solution), generated from "
            "`docs/results/` by `python -m repcore.experiments report`.")
    return "\n".join(head + lines) + "\n\n" + foot + "\n"


# The experiments that run every method, and their column titles.
BENCHMARKS = {"fit1d-methods": "1-D fit", "fit4d": "4-D fit", "pinn1d": "PINN 1-D", "pinn2d": "PINN 2-D", "inverse1d": "inverse PINN",
              "fit4d-few": "4-D, few samples"}


def methods_block(stored: dict[str, Stored | None]) -> str:
    """Methods x benchmarks: each method's median error over seeds (bold: the best in its column), and
    the best RepNet variant's ratio to the best method of each benchmark."""
    cols = []                                  # (header, {method: median}, seeds)
    for name in BENCHMARKS:
        s = stored.get(name)
        if s is None or s.quick:                   # smoke tests never reach a comparison
            continue
        err, several = EXPERIMENTS.get(name).errors[0], s.runs["case"].nunique() > 1
        for case, g in s.runs.groupby("case", sort=False):
            head = BENCHMARKS[name] + (f": {case}" if several else "") + (" (stale)" if s.stale else "")
            cols.append((head, g.groupby("model")[err].median().to_dict(), g["seed"].nunique()))
    if not cols:
        return "*Not stored yet:* `python -m repcore.experiments run NAME --seeds 0,1,2 --out docs/results` for " + \
               ", ".join(BENCHMARKS) + ".\n"
    lines = ["| method | " + " | ".join(h for h, _, _ in cols) + " |", "|---|" + "---|" * len(cols)]
    for m in EVERY:
        if not any(m in med for _, med, _ in cols):
            continue
        cells = []
        for _, med, _ in cols:
            v = med.get(m)
            cells.append("" if v is None else f"**{cell(v)}**" if v == min(med.values()) else cell(v))
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    ratio = []
    for _, med, _ in cols:
        rep = {m: v for m, v in med.items() if m.startswith("repnet")}
        best_rep = min(rep, key=rep.get) if rep else None
        ratio.append(f"{best_rep}: {rep[best_rep] / min(med.values()):.2f}" if best_rep else "")
    lines.append("| best RepNet / best method | " + " | ".join(ratio) + " |")
    seeds = sorted({n for _, _, n in cols})
    foot = (f"Median relative L2 error (PINNs: of the solution) over seeds ({'/'.join(map(str, seeds))} per column), each "
            f"method at its default knob; bold: the best of the column; blank: not run (repnet-per-dim is repnet in 1-D). Columns: the experiments {', '.join(BENCHMARKS)} "
            "(their commands, protocols and spreads: docs/results.md); methods: `repcore/methods.py`. "
            "Generated by `python -m repcore.experiments report`.")
    return "\n".join(lines) + "\n\n" + foot + "\n"


def tuned_block(root: Path) -> str:
    """Each stored tuning (tune.py) as its command wrote it, one heading per case."""
    parts = [f"**{p.parent.name}**\n\n{p.read_text()}" for p in sorted(Path(root).glob("tune/*/tune.md"))]
    return "\n".join(parts) or "*No tuning stored yet* (`python -m repcore.experiments tune CASE --out docs/results`).\n"


def blocks(root: Path = ROOT) -> dict[str, str]:
    """Every block a doc may hold, by marker name."""
    stored = {name: load(name, root) for name in EXPERIMENTS}
    out = {name: experiment_block(name, s) for name, s in stored.items()}
    out["headline"] = headline_block([s for s in stored.values() if s is not None])
    out["methods"] = methods_block(stored)
    out["tuned"] = tuned_block(root)
    return out


def render(text: str, generated: dict[str, str], where: str = "doc") -> str:
    """text with every marked block replaced by its generated content. Raises UserError on a marker
    naming no block."""
    def fill(m: re.Match) -> str:
        if m.group(2) not in generated:
            raise UserError(f"{where}: unknown results block {m.group(2)!r} (known: {', '.join(generated)})")
        return m.group(1) + generated[m.group(2)] + m.group(4)
    return MARKER.sub(fill, text)


def markers(text: str) -> list[str]:
    return [m.group(2) for m in MARKER.finditer(text)]


def update(paths=DOCS, root: Path = ROOT, check: bool = False) -> list[Path]:
    """Regenerate the blocks in each doc; return the docs whose text changed (with check: those that
    would change, leaving them as they are)."""
    paths = [Path(p) for p in paths if Path(p).exists()]
    if not paths:
        raise UserError("report: no docs/results.md or README.md beside the stored results; run from a checkout "
                        "of the repository (or set REPCORE_RESULTS to its docs/results)")
    generated, changed = blocks(root), []
    for path in paths:
        old = path.read_text()
        new = render(old, generated, str(path))
        if new != old:
            changed.append(path)
            if not check:
                path.write_text(new)
    return changed
