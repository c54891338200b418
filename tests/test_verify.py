"""`python -m repcore.experiments verify`: stored rows rerun from their stored configs agree bit for bit
(the engine is deterministic on one device); a doctored stored value is a drift naming the row and both
numbers (exit 1); bad input exits 2 with one line. A tiny experiment stored in tmp, not the real fit1d."""
import pandas as pd
import pytest

from repcore import RunConfig
from repcore.experiments import report, store
from repcore.experiments.__main__ import main
from repcore.experiments import run
from repcore.experiments.backends import Execution
from repcore.experiments.experiment import Experiment
from repcore.experiments.verify import DEFAULT_RTOL, tolerance

TINY = RunConfig(target="multiscale", steps=30, every=10, width=8, depth=2, points=64, grid=64, test_points=128)
COMMAND = "python -m repcore.experiments run tiny --seeds 0,1 --out STORE"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """runs.csv / history.csv of a 2-case x 2-seed x 2-model experiment, as `run --out` stores them."""
    exp = Experiment("tiny", lambda quick: [("sine (tanh)", TINY.replace(target="sine", act="tanh")), ("multiscale (relu)", TINY)])
    results = run(exp, False, [0, 1], "cpu", how=Execution(parallel="no", batch="no", progress=False))   # unbatched: bit-exact
    root = tmp_path_factory.mktemp("store")
    report.write(exp, results, root / "tiny", command=COMMAND, quick=False)
    return root, results


def copy(stored, tmp_path):
    root, _ = stored
    (tmp_path / "tiny").mkdir()
    for name in ("runs.csv", "history.csv"):
        (tmp_path / "tiny" / name).write_bytes((root / "tiny" / name).read_bytes())
    return tmp_path


def verify(root, *args) -> int:
    return main(["verify", "tiny", "--store", str(root), "--device", "cpu", *args])


def test_stored_rows_keep_their_complete_config_and_provenance(stored):
    root, results = stored
    s = store.require("tiny", root)
    assert len(s.runs) == 8 and s.commands == [COMMAND] and not s.stale and not s.quick
    assert s.devices == [store.device_name("cpu")]
    for (_, row), r in zip(s.runs.iterrows(), results):
        assert store.config_of(row) == r.cfg                                 # the config read back is the one trained
        assert row["rel_l2"] == r.final.rel_l2                                # floats read back bit for bit
    assert set(s.history["step"]) == {0, 10, 20, 30}


def test_verify_reruns_rows_bit_exact_and_exits_0(stored, capsys):
    assert verify(stored[0], "--rows", "2", "--seeds", "1", "--pick", "3") == 0
    cap = capsys.readouterr()
    lines = [ln for ln in cap.out.splitlines() if " rel_l2 " in ln]
    assert len(lines) == 2 and all(ln.startswith("agrees") and "bit-exact" in ln and "seed 1" in ln for ln in lines)
    assert "2 rows" in cap.err and "0 drifted" in cap.err


def test_a_doctored_stored_value_is_a_drift_naming_the_row_and_both_numbers(stored, tmp_path, capsys):
    root = copy(stored, tmp_path)
    runs = store.read_csv(root / "tiny" / "runs.csv")
    true = float(runs.loc[5, "rel_l2"])
    runs.loc[5, "rel_l2"] = true * (1 + 1e-9)                                 # one number, far below what the table shows
    runs.to_csv(root / "tiny" / "runs.csv", index=False)
    assert verify(root, "--row", "5", "--row", "2") == 1
    err = capsys.readouterr().err
    drift = [ln for ln in err.splitlines() if ln.startswith("drift:")]
    assert len(drift) == 1 and "row 5 (" in drift[0] and "rel_l2" in drift[0]
    assert repr(true * (1 + 1e-9)) in drift[0] and repr(true) in drift[0]
    # within a stated tolerance the same rerun agrees
    assert verify(root, "--row", "5", "--rtol", "1e-6") == 0


def test_rows_made_on_another_device_or_batched_are_held_to_the_tolerance(stored):
    row = store.require("tiny", stored[0]).runs.loc[0]
    assert tolerance(row, "cpu", None) is None and int(row["batch"]) == 1
    other = row.copy()
    other["device"] = "cuda NVIDIA H100 80GB HBM3"
    assert tolerance(other, "cpu", None) == DEFAULT_RTOL and tolerance(other, "cpu", 1e-3) == 1e-3
    stacked = row.copy()
    stacked["batch"] = 4                                   # a stacked network sums in another order
    assert tolerance(stacked, "cpu", None) == DEFAULT_RTOL


@pytest.mark.parametrize("args, message", [
    (["verify", "nope"], "no stored results for 'nope'"),
    (["verify", "tiny", "--rows", "0"], "--rows 0: choose 1..8"),
    (["verify", "tiny", "--rows", "5", "--seeds", "0"], "--rows 5: choose 1..4"),
    (["verify", "tiny", "--seeds", "7"], "--seeds 7: tiny stores seeds 0,1"),
    (["verify", "tiny", "--row", "8"], "--row 8: tiny stores rows 0..7"),
    (["verify", "tiny", "--rtol", "-1"], "--rtol -1"),
    (["verify", "tiny", "--device", "tpu"], "unknown device 'tpu'"),
    (["verify", "tiny", "--rows", "x"], "invalid int value"),
])
def test_bad_input_exits_2_with_one_line(stored, args, message, capsys):
    assert main([*args, "--store", str(stored[0])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_a_runs_csv_without_provenance_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "old").mkdir()
    pd.DataFrame([{"case": "a", "model": "vanilla", "seed": 0, "rel_l2": 0.1}]).to_csv(tmp_path / "old" / "runs.csv", index=False)
    assert main(["verify", "old", "--store", str(tmp_path)]) == 2
    assert "no column config, engine_version" in capsys.readouterr().err
