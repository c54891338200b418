"""The set-up a newcomer runs: the README's Quick start, the requirement files behind it, CI calling
the same command, the package found as installed (no sys.path edits), what a non-editable install ships,
and every tool's --help."""
import ast
import fnmatch
import importlib
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _pins(name: str) -> dict[str, str]:
    """name -> pinned version of a requirements file, following its `-r` includes."""
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins.update(_pins(line[3:].strip()))
        elif line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"{name}: {line} is not pinned"
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def _ranges(reqs: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for r in map(Requirement, reqs)}


def test_pyproject_needs_the_packages_requirements_pins_and_each_pin_is_in_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for extra, file in ((None, "requirements.txt"), ("test", "requirements-dev.txt"), ("ray", "requirements-ray.txt")):
        ranges = _ranges(project["dependencies"] if extra is None else project["optional-dependencies"][extra])
        pins = _pins(file)
        if extra == "test":
            pins = {k: v for k, v in pins.items() if k not in _pins("requirements.txt")}
        assert ranges.keys() == pins.keys(), file
        assert all(ranges[k].specifier.contains(v) for k, v in pins.items()), file


def test_the_quick_start_is_make_run_and_make_test_and_ci_runs_the_same_test_command():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make run", "make test"]
    assert "index-url" not in section and "sys.path" not in (ROOT / "dashboard" / "streamlit_app.py").read_text()
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: ", make, re.M) and re.search(r"^test: ", make, re.M) and "ruff check" in make
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert ci[-1] == "make test"


def test_the_package_is_found_as_installed_not_through_sys_path_edits():
    edits = [str(p.relative_to(ROOT)) for folder in ("repcore", "dashboard", "tools") for p in (ROOT / folder).rglob("*.py")
             if re.search(r"sys\.path\s*(\.insert|\.append|\[|\+=|=)", p.read_text())]
    assert not edits and "sys.path" not in (ROOT / "tests" / "conftest.py").read_text(), edits


PACKAGES = ("repcore", "dashboard")
# The paths that leave the packages. store.py: the stored results are the repository's docs/results, found in
# a checkout, else through $REPCORE_RESULTS or the current folder, else a StoreError (docs/install.md).
# (The earthquake records are never shipped: the PINN page's "Data file" box starts with $REPCORE_EARTHQUAKE_DATA.)
LEAVES = ["repcore/experiments/store.py"]


def _data_files() -> list[str]:
    """Every file of the packages that is not Python source: what their code reads at run time."""
    return sorted(str(p.relative_to(ROOT)) for top in PACKAGES for p in (ROOT / top).rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc"))


def _leaves_its_package(path: Path) -> bool:
    """path builds a path from its own location that climbs out of its top package (`..`, or more
    parents of __file__ than the folders between it and the top package)."""
    text, inside = path.read_text(), len(path.relative_to(ROOT).parts) - 1     # parents[inside - 1]: the top package
    ups = [int(n) for n in re.findall(r"__file__\)?(?:\.resolve\(\))?\.parents\[(\d+)\]", text)]
    ups += [m.count(".parent") - 1 for m in re.findall(r"__file__\)?(?:\.resolve\(\))?((?:\.parent\b)+)", text)]
    ups += [m.count("dirname") - 1 for m in re.findall(r"((?:os\.path\.dirname\()+)(?:os\.path\.abspath\()?__file__", text)]
    return '"..", ' in text or "'..'" in text or any(n >= inside for n in ups)


def test_every_data_file_the_packages_read_is_declared_package_data_and_nothing_else_is_read_from_outside():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = [f"{package.replace('.', '/')}/{glob}" for package, globs in declared.items() for glob in globs]
    undeclared = [f for f in _data_files() if not any(fnmatch.fnmatch(f, p) for p in patterns)]
    assert "dashboard/lessons.json" in _data_files() and not undeclared, undeclared
    leaving = [str(p.relative_to(ROOT)) for top in PACKAGES for p in sorted((ROOT / top).rglob("*.py")) if _leaves_its_package(p)]
    assert leaving == LEAVES
    assert _leaves_its_package(ROOT / "tools" / "browser.py")      # the check sees a climb (tools/ is no package)


def test_stored_results_where_there_is_no_results_folder_are_a_clear_error(tmp_path, capsys):
    from repcore.experiments import store
    from repcore.experiments.__main__ import main
    for read in (lambda: store.load("pinn1d", tmp_path / "nowhere"), lambda: store.names(tmp_path / "nowhere")):
        with pytest.raises(store.StoreError, match="nowhere: the stored results are the repository's docs/results, not part of the installed"):
            read()
    assert store.load("pinn1d", tmp_path) is None           # a folder without it: nothing stored (the page says how to store it)
    assert main(["verify", "pinn1d", "--store", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.slow
def test_the_wheel_of_a_non_editable_install_holds_every_file_of_the_packages(tmp_path):
    """`pip install .` installs this wheel: every module and every data file of repcore/ and dashboard/ is in it."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout (the wheel is built from its tracked files)")
    tracked = subprocess.run(["git", "ls-files", *PACKAGES, "pyproject.toml", "README.md"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    src = tmp_path / "src"
    for rel in tracked:
        if (ROOT / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, src / rel)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "wheel")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("repcore-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    missing = [rel for rel in tracked if rel.startswith(PACKAGES) and rel not in shipped]
    assert not missing and "dashboard/lessons.json" in shipped and "repcore/targets/pictures/hopper.png" in shipped, missing


def _commands() -> list[str]:
    """The tools that are commands (a __main__ block), not helper modules."""
    return sorted(p.stem for p in (ROOT / "tools").glob("*.py")
                  if any(isinstance(n, ast.If) and "__main__" in ast.unparse(n.test) for n in ast.parse(p.read_text()).body))


@pytest.mark.parametrize("name", _commands())
def test_every_tool_answers_help_and_a_bad_argument_without_starting_a_server(name, monkeypatch, capsys):
    tool = importlib.import_module(f"tools.{name}")
    monkeypatch.setattr(tool, "server", lambda *a, **k: pytest.fail("started a server"), raising=False)
    with pytest.raises(SystemExit) as done:
        tool.main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and out.startswith(f"usage: python -m tools.{name}") and len(out.splitlines()) > 3
    with pytest.raises(SystemExit) as done:
        tool.main(["--no-such-option"])
    assert done.value.code == 2 and "unrecognized arguments: --no-such-option" in capsys.readouterr().err


def test_the_tool_commands_are_found_and_the_gpu_check_script_answers_help_too():
    assert _commands() == ["animation_bench", "classroom_load", "dashboard_bench", "journey", "ridge_directions", "screenshots"]
    shown = subprocess.run([str(ROOT / "tools" / "gpu_check.sh"), "--help"], capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0 and "OUT=" in shown.stdout and "Environment:" in shown.stdout
    bad = subprocess.run([str(ROOT / "tools" / "gpu_check.sh"), "now"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and not bad.stdout
