"""The Ray backend against a real Ray cluster on 127.0.0.1, started once for this module by `ray start
--head` in a subprocess (its own --temp-dir, so its processes are known and nothing else is touched)
and joined with --address. Every process the cluster started is killed by id at the end.
Also: Ray stays optional (fit, compare, the dashboard and the experiments package never import it)."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import interrupt_after_first_trial, interruptible

from repcore.experiments import EXPERIMENTS

ROOT = Path(__file__).resolve().parent.parent
# Loopback only; and Ray's workers at the tests' own priority: Ray lowers them to nice 15 by default, and
# then two busy processes on the cores leave them ~3% of a core each (measured: a sweep's first 1000-step
# trial took 183 s, and a test waiting for it timed out).
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_worker_niceness": "0"}
SWEEP = ["sweep", "fit1d/multiscale-tanh", "--quick", "--models", "repnet", "--seeds", "0", "--device", "cpu", "--batch", "no"]

pytestmark = pytest.mark.slow


def _procs() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process we can read."""
    out = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            out[int(p.name)] = (ppid, cmd)
    return out


def _cluster_pids(temp_dir: str, address: str = "") -> set[int]:
    """The cluster's daemons (their command lines name its temp dir, or its address: the client
    server) and everything they started."""
    procs = _procs()
    found = {pid for pid, (_, cmd) in procs.items() if temp_dir in cmd or (address and f"--address={address}" in cmd)}
    grew = True
    while grew:
        more = {pid for pid, (ppid, _) in procs.items() if ppid in found} - found
        found |= more
        grew = bool(more)
    return found


def _workers(temp_dir: str, title: str = "ray::run_job") -> list[int]:
    procs = _procs()
    return [pid for pid in _cluster_pids(temp_dir) if procs.get(pid, (0, ""))[1].startswith(title)]


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("ray")
    temp_dir = tempfile.mkdtemp(prefix="rt", dir="/tmp")           # short: Ray's socket paths must fit 107 chars
    address = ""
    try:
        subprocess.run([sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--port=0", "--num-cpus=2",
                        f"--temp-dir={temp_dir}", "--include-dashboard=false", "--disable-usage-stats"],
                       env=ENV, check=True, capture_output=True, timeout=120)
        address = Path(temp_dir, "ray_current_cluster").read_text().strip()
        assert address.startswith("127.0.0.1:"), address
        yield address, temp_dir
    finally:
        for pid in _cluster_pids(temp_dir, address):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(temp_dir, ignore_errors=True)


def _cli(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "repcore.experiments", *args], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=600, check=False, **kw)


def _rel_l2_by_key(path: Path) -> dict:
    runs = pd.read_csv(path)
    assert runs["key"].is_unique
    return dict(zip(runs["key"], runs["rel_l2"]))


def test_a_sweep_on_ray_gives_the_same_trials_as_on_this_machine(cluster, tmp_path):
    address, _ = cluster
    grid = ["--grid", "repnet.slope_scale=20,80", "--models", "vanilla,repnet", "--batch", "auto"]
    ray_run = _cli([*SWEEP, *grid, "--backend", "ray", "--address", address, "--out", str(tmp_path / "ray")])
    local = _cli([*SWEEP, *grid, "--backend", "local", "--out", str(tmp_path / "local")])
    assert ray_run.returncode == 0, ray_run.stderr and local.returncode == 0
    on_ray = _rel_l2_by_key(tmp_path / "ray" / "sweep" / "fit1d-multiscale-tanh" / "sweep.csv")
    assert len(on_ray) == 3 and on_ray == _rel_l2_by_key(tmp_path / "local" / "sweep" / "fit1d-multiscale-tanh" / "sweep.csv")


def test_killing_a_ray_worker_mid_sweep_still_completes_every_trial_exactly_once(cluster, tmp_path):
    address, temp_dir = cluster
    args = [*SWEEP, "--grid", "slope_scale=10,20,40,80,160,320", "--set", "steps=1000", "--backend", "ray",
            "--address", address, "--out", str(tmp_path)]
    proc = subprocess.Popen([sys.executable, "-m", "repcore.experiments", *args], cwd=ROOT, env=ENV, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    killed, deadline = None, time.monotonic() + 180
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        busy = _workers(temp_dir)
        if busy:
            killed = busy[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    err = proc.communicate(timeout=600)[1]
    assert killed is not None and proc.returncode == 0, err
    store = tmp_path / "sweep" / "fit1d-multiscale-tanh"
    assert len(_rel_l2_by_key(store / "sweep.csv")) == 6 and len(list((store / "trials").glob("*.json"))) == 6
    ticks = [line.split("]")[0].strip() for line in err.splitlines() if line.strip().startswith("[")]
    assert ticks == [f"[{i}/6" for i in range(1, 7)]                       # each trial reported once


def test_a_ray_sweep_interrupted_by_sigint_and_run_again_reuses_the_finished_trials(cluster, tmp_path):
    address, temp_dir = cluster
    args = [*SWEEP, "--grid", "slope_scale=10,20,40,80,160,320", "--set", "steps=1000", "--backend", "ray",
            "--address", address, "--out", str(tmp_path)]
    store = tmp_path / "sweep" / "fit1d-multiscale-tanh" / "trials"
    proc = interruptible("repcore.experiments", args, cwd=ROOT, env=ENV)
    err, kept = interrupt_after_first_trial(proc, store)
    assert proc.returncode == 2 and "interrupted" in err.strip().splitlines()[-1] and 1 <= kept < 6, err
    deadline = time.monotonic() + 30        # the cluster ends the interrupted job: its trials stop training
    while _workers(temp_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _workers(temp_dir)
    again = _cli(args)
    assert again.returncode == 0 and f"{kept} of 6 trials reused" in again.stderr, again.stderr
    assert len(_rel_l2_by_key(store.parent / "sweep.csv")) == 6


def test_fit1d_on_a_local_ray_and_on_this_machine_write_identical_errors_and_a_rerun_reuses_them(tmp_path):
    """The issue's command as is: without --address the command starts a local Ray and stops it."""
    pytest.importorskip("ray")
    raylets = {pid for pid, (_, cmd) in _procs().items() if "raylet" in cmd}
    timed = {}
    for backend in ("ray", "local", "ray"):
        start = time.perf_counter()
        done = _cli(["run", "fit1d", "--quick", "--seeds", "0", "--backend", backend, "--out", str(tmp_path / backend)])
        timed.setdefault(backend, []).append(time.perf_counter() - start)
        assert done.returncode == 0, done.stderr
    n = 8 * len(EXPERIMENTS.get("fit1d").models)               # 8 targets x the methods, one seed
    assert f"{n} of {n} trials reused" in done.stderr
    ray_runs, local_runs = (pd.read_csv(tmp_path / b / "fit1d" / "runs.csv") for b in ("ray", "local"))
    assert list(ray_runs["rel_l2"]) == list(local_runs["rel_l2"]) and len(ray_runs) == n
    assert {pid for pid, (_, cmd) in _procs().items() if "raylet" in cmd} <= raylets     # its Ray was stopped
    print(f"fit1d --quick: ray {timed['ray'][0]:.1f} s, rerun {timed['ray'][1]:.1f} s; local {timed['local'][0]:.1f} s")


def test_ray_is_never_imported_by_fit_compare_the_dashboard_or_the_experiments_package():
    code = ("import sys; from repcore.cli import main; "
            "main(['fit', '--steps', '3', '--every', '3', '--width', '8', '--json']); "
            "main(['compare', '--steps', '3', '--every', '3', '--width', '8', '--json', '--parallel', 'no']); "
            "import dashboard.session, dashboard.charts, dashboard.settings, repcore.experiments.__main__; "
            "print('ray' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
