"""The shape of the code: imports flow one way, behaviour is what it was before the restructure."""
import ast
import json
import math
import os
import pathlib
import re

import numpy as np
import pytest

from repcore import Run, RunConfig, UserError, train
from repcore.library import read_file
from repcore.library.runfile import restore
from repcore.registry import for_field

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


LAYERS = ("repcore", "dashboard")          # the code whose imports must flow one way


def _module_name(path: pathlib.Path, root: pathlib.Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: pathlib.Path, root: pathlib.Path = ROOT) -> set[str]:
    """Modules and packages of LAYERS that `path` imports, at any depth in the file (lazy imports count
    too). `from P import x` is the submodule P.x when there is one, else P itself (a package: its
    __init__); `import P` and `from P import name` count as imports of P."""
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            mod = f"{base}.{node.module}" if node.level and node.module else base if node.level else node.module
            for alias in node.names:      # `from . import x` imports the submodule x
                out.add(f"{mod}.{alias.name}" if _exists(f"{mod}.{alias.name}", root) else mod)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m and m.split(".")[0] in LAYERS}


def _exists(module: str, root: pathlib.Path = ROOT) -> bool:
    p = root.joinpath(*module.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def _graph(root: pathlib.Path = ROOT) -> dict[str, set[str]]:
    """module or package -> what it imports (packages are nodes too: importing one runs its __init__)."""
    files = sorted(f for layer in LAYERS for f in (root / layer).rglob("*.py"))
    return {_module_name(f, root): {m for m in _imports(f, root) if _exists(m, root)} - {_module_name(f, root)} for f in files}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first == last), or None."""
    state: dict[str, int] = {}

    def visit(m, path):
        if state.get(m) == 1:
            return path[path.index(m):] + [m]
        if state.get(m) == 2:
            return None
        state[m] = 1
        for d in sorted(graph.get(m, ())):
            if (found := visit(d, path + [m])) is not None:
                return found
        state[m] = 2
        return None

    for m in sorted(graph):
        if (found := visit(m, [])) is not None:
            return found
    return None


def test_no_import_cycle_in_the_engine_or_the_dashboard():
    """Every import of repcore/ and dashboard/ (lazy ones and imports of packages included) forms a DAG,
    so each module can be read after the ones it imports."""
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_check_sees_lazy_imports_and_imports_of_packages(tmp_path):
    """The check itself, on a made-up tree: a circle closed by an import inside a function and running
    through a package's __init__ is found; a package importing its own submodules is no circle."""
    files = {"repcore/__init__.py": "from . import a\n", "repcore/a.py": "def f():\n    from . import b\n",
             "repcore/b.py": "import os\n", "dashboard/__init__.py": "", "dashboard/page.py": "from repcore import a\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert _graph(tmp_path)["repcore.a"] == {"repcore.b"} and _cycle(_graph(tmp_path)) is None
    (tmp_path / "repcore/b.py").write_text("import repcore\n")          # b -> the package -> a -> (lazily) b
    cycle = _cycle(_graph(tmp_path))
    assert cycle[0] == cycle[-1] and sorted(cycle[1:]) == ["repcore", "repcore.a", "repcore.b"]


def test_no_type_checking_imports_and_engine_never_imports_the_ui():
    for f in (ROOT / "repcore").rglob("*.py"):
        text = f.read_text()
        assert "TYPE_CHECKING" not in text, f
        tree = ast.parse(text)
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level}
        assert not names & {"streamlit", "plotly", "dashboard", "tools", "ray"}, f


def test_every_model_method_and_problem_carries_its_facts():
    """Adding a model, method or problem takes no silent extra edit: its colour (palette), knob grid
    (methods.KNOBS, tuning) and behaviour probes (version.behaviour_version, staleness) are on its entry."""
    from dataclasses import fields

    from repcore.methods import KNOBS, METHODS
    from repcore.models import MODELS
    from repcore.palette import OTHER, TARGET, color
    from repcore.problems import PROBLEMS
    from repcore.version import probes
    for name in MODELS:
        spec = MODELS.get(name)
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", spec.color) and color(name) == spec.color, name
        assert spec.probes and all({"model": name, **p} in probes(p.get("problem", "fit")) for p in spec.probes), name
        if spec.knob_help:                      # a model with a knob has a grid to tune it on
            assert len(spec.knob_grid) >= 3 and list(spec.knob_grid) == sorted(set(spec.knob_grid)), name
            assert spec.knob_field in {f.name for f in fields(RunConfig)}, name
        else:
            assert spec.knob_grid == (), name
    colours = [color(m) for m in METHODS]
    assert len(set(colours)) == len(colours) and not {OTHER, TARGET} & set(colours)     # one colour per method
    for m in METHODS:
        method, spec = METHODS.get(m), MODELS.get(METHODS.get(m).model)
        assert (m in KNOBS) == (method.tuned and bool(spec.knob_grid)), m
    for p in PROBLEMS:
        assert "probes" in vars(PROBLEMS.get(p)) and probes(p), p       # its own, not inherited


def test_every_choice_field_is_backed_by_a_registry():
    choice_fields = {"problem", "model", "act", "init", "head", "law", "optimizer", "device", "dtype"}
    for name in choice_fields:
        assert for_field(name) is not None and len(for_field(name).names()) >= 2, name


@pytest.mark.parametrize("case", json.loads((DATA / "golden_snapshots.json").read_text()).items(), ids=lambda c: c[0])
def test_same_seed_gives_the_snapshots_recorded_before_the_restructure(case):
    """tests/data/golden_snapshots.json was recorded by the code before the package restructure; the
    engine is deterministic on the CPU, so every snapshot must come back (to float32 round-off). The
    *_repnet_direct cases are those first records, kept as the oracle of `slope_param direct` (the first
    releases' layer); the *_repnet cases were recorded once, on purpose, when the factorized layer became the
    default (docs/method.md)."""
    name, rec = case
    cfg, _ = RunConfig.from_query(rec["config"])
    snaps = list(train(cfg))
    assert [s.step for s in snaps] == [r["step"] for r in rec["snapshots"]]
    for s, r in zip(snaps, rec["snapshots"]):
        assert s.status == r["status"]
        assert s.rel_l2 == pytest.approx(r["rel_l2"], rel=1e-5, abs=1e-9)
        np.testing.assert_allclose(s.pred, r["pred"], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(s.spec_err, r["spec_err"], rtol=1e-4, atol=1e-9)
        np.testing.assert_array_equal(s.hist_counts, r["hist_counts"])
        assert math.isclose(s.knob, r["knob"], rel_tol=1e-9) or (math.isnan(s.knob) and math.isnan(r["knob"]))
        for k, v in r["losses"].items():
            assert s.losses[k] == pytest.approx(v, rel=1e-5, abs=1e-12)


def test_a_run_file_saved_before_the_restructure_still_loads():
    """v1 snapshots had pieces, rms_output, rms_slope, spec_pred and inside: ignored on load."""
    run = read_file(str(DATA / "run_v1.repcore"))
    (model,) = run.models
    assert run.name == "old format" and model.cfg.model == "repnet" and [s.step for s in model.snapshots] == [0, 20, 40, 60]
    assert model.cfg.slope_param == "direct"       # saved before the field existed: the layer it was trained with
    restore(model)                                 # its saved weights fit that layer
    assert not hasattr(model.snapshots[-1], "pieces") and np.isfinite(model.snapshots[-1].pred).all()
    assert os.path.getsize(DATA / "run_v1.repcore") > 0


@pytest.mark.slow
def test_behaviour_version_moves_with_the_numbers_not_with_the_code(monkeypatch):
    from repcore import version
    from repcore.problems.pinn import PoissonProblem
    from repcore.repnet import RepLayer
    base = version.behaviour_version.__wrapped__()
    assert base == version.behaviour_version.__wrapped__()                 # deterministic on the CPU
    poisson = version.behaviour_version.__wrapped__("poisson")
    losses = PoissonProblem.losses
    monkeypatch.setattr(PoissonProblem, "losses", lambda self, net: {k: 1.01 * v for k, v in losses(self, net).items()})
    assert version.behaviour_version.__wrapped__("poisson") != poisson      # the PINN trains otherwise
    assert version.behaviour_version.__wrapped__() == base                  # fitting does not: its tables stay fresh
    forward = RepLayer.forward
    monkeypatch.setattr(RepLayer, "forward", lambda self, x: forward(self, x) * 1.001)
    assert version.behaviour_version.__wrapped__() != base                  # RepNet computes something else
    assert len(version.engine_version()) == 12


def test_a_whole_network_model_registers_with_its_facts_and_an_mlp_problem_refuses_it(monkeypatch):
    """An operator network (no MLP first layer, built by the problems that take it) is one MODELS entry:
    its colour and probes are picked up like any model's, and an MLP problem refuses it in one line."""
    from repcore.models import MODELS, ModelSpec
    from repcore.palette import color
    from repcore.version import probes
    spec = ModelSpec(None, color="#123456", probes=({"problem": "earthquake"},))
    monkeypatch.setitem(MODELS._items, "whole", spec)
    monkeypatch.setitem(MODELS._help, "whole", "a whole network")
    assert color("whole") == "#123456" and {"model": "whole", "problem": "earthquake"} in probes("earthquake")
    assert all(p.get("model") != "whole" for p in probes("fit"))
    with pytest.raises(UserError, match="model 'whole' is a whole network, not an MLP: the fit problem cannot build it"):
        Run(RunConfig(model="whole", steps=1, width=8, depth=1, points=16, grid=16, test_points=16))


def test_the_readme_file_map_names_every_module():
    """README's file map is the newcomer's table of contents: every module of the engine, the dashboard
    and the tools is named in it (a new module that is not fails here)."""
    text = (ROOT / "README.md").read_text()
    block = text.split("## File map", 1)[1].split("```")[1]
    words = set(re.findall(r"[\w.]+", block)) | set(re.findall(r"\w+", block))
    missing = [str(p.relative_to(ROOT)) for top in ("repcore", "dashboard", "tools") for p in sorted((ROOT / top).rglob("*.py"))
               if p.name != "__init__.py" and p.name not in words and p.stem not in words]
    assert not missing, f"README's file map does not name: {', '.join(missing)}"


POINTER = re.compile(r'\b(README|docs/[\w-]+\.md)(?:\.md)?,? "([^"]+)"')    # README "Test", docs/speed.md, "Batched trials"
NOT_YET: set[str] = set()        # pointers known stale (none)


def test_every_pointer_to_a_docs_section_names_a_heading_of_that_file():
    """A comment or doc that sends the reader to `FILE "Section"` finds a heading of FILE starting with
    Section (sections move between README and docs/; a pointer left behind fails here)."""
    sources = [p for top in ("repcore", "dashboard", "tools") for p in (ROOT / top).rglob("*.py")]
    sources += [*(ROOT / "docs").glob("*.md"), ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml",
                *ROOT.glob("requirements*.txt"), ROOT / ".streamlit" / "config.toml"]
    found, broken = 0, []
    for path in sources:
        rel = str(path.relative_to(ROOT))
        for target, section in POINTER.findall(path.read_text()):
            found += 1
            doc = ROOT / ("README.md" if target == "README" else target)
            heads = [h.lstrip("#").strip().lower() for h in doc.read_text().splitlines() if h.startswith("#")] if doc.exists() else []
            if not any(h.startswith(section.lower()) for h in heads) and rel not in NOT_YET:
                broken.append(f'{rel}: {target} "{section}"')
    assert found > 5 and not broken, broken


def _private_uses(path: pathlib.Path) -> list[str]:
    """`from M import _name` and `M._name` in path, for M a module of this project (its own privates are its own)."""
    tree, mine, out = ast.parse(path.read_text()), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] in (*LAYERS, "tools")):
            out += [f"from {'.' * node.level}{node.module or ''} import {a.name}" for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")]
            mine |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            mine |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.split(".")[0] in (*LAYERS, "tools")}
    out += [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr.startswith("_")
            and not n.attr.startswith("__") and isinstance(n.value, ast.Name) and n.value.id in mine]
    return out


def test_no_module_uses_another_modules_private_names(tmp_path):
    """What a module lends to others has a public name (tests may look inside; the code may not)."""
    uses = {str(p.relative_to(ROOT)): _private_uses(p) for top in (*LAYERS, "tools") for p in sorted((ROOT / top).rglob("*.py"))}
    assert {k: v for k, v in uses.items() if v} == {}
    planted = tmp_path / "planted.py"
    planted.write_text("from dashboard.svg import Canvas, _poly\nfrom .store import _folder\nfrom repcore.library import animation\n"
                       "import numpy as np\nanimation._palette(np._x, self._own)\n")
    assert _private_uses(planted) == ["from dashboard.svg import _poly", "from .store import _folder", "animation._palette"]


def _own_timers(path: pathlib.Path) -> list[str]:
    """Where `path` builds a fragment or a timer itself: st.fragment (called, decorating, imported) or run_every=."""
    return [f"{path.name}:{n.lineno}" for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.Attribute) and n.attr == "fragment" or isinstance(n, ast.keyword) and n.arg == "run_every"
            or isinstance(n, ast.ImportFrom) and any(a.name == "fragment" for a in n.names)]


def test_no_page_builds_its_own_timed_fragment(tmp_path):
    """The pages that move by themselves (training, the library's replay, a watcher's page) share one scaffold,
    dashboard/playback.py: it owns the fragment the browser reruns on a timer and what a tick does before the
    page draws (advance the clock; when it starts or stops, rerun the whole page). No page writes its own."""
    own = [t for p in sorted((ROOT / "dashboard" / "views").glob("*.py")) for t in _own_timers(p)]
    assert not own, f"timed fragments in pages (use dashboard/playback.show): {own}"
    planted = tmp_path / "page.py"
    planted.write_text("import streamlit as st\nfrom streamlit import fragment\n@st.fragment(run_every=1)\ndef f():\n    pass\n"
                       "st.fragment(g)()\nst.write(run_every=2)\n")
    assert sorted(_own_timers(planted)) == ["page.py:2", "page.py:3", "page.py:3", "page.py:6", "page.py:7"]


def test_no_test_reads_playwrights_cached_url():
    """A page's URL is read from the page (tools.browser.address): Playwright's page.url changes only while its sync
    API handles the browser's events, so a wait that sleeps and reads it saw a URL history.pushState had changed
    as the old one for 60 s (the loaded presentation-mode test)."""
    reads = [f"{p.relative_to(ROOT)}:{n.lineno}" for folder in ("tests", "tools") for p in sorted((ROOT / folder).glob("*.py"))
             for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.Attribute) and n.attr == "url"]
    assert not reads, f"read the address with tools.browser.address: {reads}"
