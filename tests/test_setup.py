"""The set-up a newcomer runs: the README's Quick start, the requirement files behind it, CI calling
the same command, the package found as installed (no sys.path edits), and every tool's --help."""
import ast
import importlib
import re
import subprocess
import tomllib
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
