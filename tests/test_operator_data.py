"""The earthquake operator data: the loader on the shared file, the author's split, the metric against a
hand computation, and one-line errors for a missing, damaged or wrongly shaped file."""
import math
import os

import numpy as np
import pytest

from helpers import EARTHQUAKE, needs_earthquake
from repcore.errors import UserError
from repcore.operators import data



@pytest.fixture(scope="module")
def records():
    return data.load(EARTHQUAKE)


@needs_earthquake
def test_the_shared_file_loads_with_the_documented_shapes(records):
    assert records.load.shape == records.response.shape == (100, 2500)
    assert records.time.shape == (2500,)
    assert records.dt == pytest.approx(0.02)
    assert records.time[0] == 0 and records.time[-1] == pytest.approx(49.98)
    assert np.abs(records.load).max() == pytest.approx(1.0) and np.abs(records.response).max() == pytest.approx(1.0)


@needs_earthquake
def test_metric_equals_a_hand_computation_on_two_records(records):
    """Two test records, a prediction that is each record's response shifted by one sample: the mean of
    sqrt(sum (p - y)^2) / sqrt(sum y^2), summed by hand in plain Python."""
    true = records.response[[98, 99]]
    pred = np.roll(true, 1, axis=1)
    by_hand = []
    for p, y in zip(pred.tolist(), true.tolist()):
        num = math.sqrt(sum((pi - yi) ** 2 for pi, yi in zip(p, y)))
        den = math.sqrt(sum(yi * yi for yi in y))
        by_hand.append(num / den)
    assert data.mean_rel_l2(pred, true) == pytest.approx(sum(by_hand) / 2, rel=1e-12)
    assert data.rel_l2_per_record(pred, true) == pytest.approx(by_hand, rel=1e-12)
    assert 0.05 < by_hand[0] < 1.5          # a one-sample shift of a ~1 Hz response at 50 Hz: a real error


def test_the_author_split_is_the_first_90_train_the_last_10_test():
    s = data.split(100)
    assert s.train == tuple(range(90)) and s.test == tuple(range(90, 100))


def test_test_records_hold_out_those_and_train_on_the_rest():
    s = data.split(100, "0-9")
    assert s.test == tuple(range(10)) and s.train == tuple(range(10, 100))
    s = data.split(100, "3, 7,90-92")
    assert s.test == (3, 7, 90, 91, 92) and len(s.train) == 95 and not set(s.train) & set(s.test)


@pytest.mark.parametrize("spec, words", [("0-100", "outside"), ("5-2", "reversed"), ("a", "not an index"),
                                         ("0-99", "every record"), ("", None)])
def test_bad_test_records_are_one_line_errors(spec, words):
    if words is None:
        assert data.split(100, spec).test == tuple(range(90, 100))      # empty: the author's split
        return
    with pytest.raises(UserError, match=words) as err:
        data.split(100, spec)
    assert "\n" not in str(err.value)


def test_a_missing_file_says_where_to_download_it(tmp_path):
    with pytest.raises(UserError) as err:
        data.load(tmp_path / "nowhere.mat")
    msg = str(err.value)
    assert "no file at" in msg and "github.com/XuhuiM/SciML-Course" in msg and "\n" not in msg


def test_a_damaged_file_is_one_line(tmp_path):
    bad = tmp_path / "damaged.mat"
    bad.write_bytes(b"MATLAB 5.0 MAT-file" + os.urandom(300))
    with pytest.raises(UserError, match="not a readable MATLAB .mat file") as err:
        data.load(bad)
    assert "\n" not in str(err.value)


def test_a_truncated_copy_of_a_real_mat_file_is_one_line(tmp_path):
    from scipy.io import savemat
    good = tmp_path / "good.mat"
    savemat(good, {"Load": np.ones((3, 16)), "Response": np.ones((3, 16)), "Time": np.arange(16.0)[:, None]})
    cut = tmp_path / "cut.mat"
    cut.write_bytes(good.read_bytes()[:200])
    with pytest.raises(UserError) as err:
        data.load(cut)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("fields, words", [
    ({"Load": np.ones((3, 16)), "Time": np.arange(16.0)[:, None]}, "no field Response"),
    ({"Load": np.ones((3, 16)), "Response": np.ones((2, 16)), "Time": np.arange(16.0)[:, None]}, "both must be"),
    ({"Load": np.ones((3, 16)), "Response": np.ones((3, 16)), "Time": np.arange(15.0)[:, None]}, "Time has 15"),
    ({"Load": np.ones((3, 16)), "Response": np.ones((3, 16)), "Time": np.zeros((16, 1))}, "evenly spaced"),
    ({"Load": np.full((3, 16), np.nan), "Response": np.ones((3, 16)), "Time": np.arange(16.0)[:, None]}, "NaN"),
    ({"Load": np.ones((3, 16)), "Response": np.zeros((3, 16)), "Time": np.arange(16.0)[:, None]}, "all zero"),
])
def test_wrong_fields_are_one_line_errors(tmp_path, fields, words):
    from scipy.io import savemat
    path = tmp_path / "wrong.mat"
    savemat(path, fields)
    with pytest.raises(UserError, match=words) as err:
        data.load(path)
    assert "\n" not in str(err.value)


def test_a_small_well_formed_file_round_trips(tmp_path):
    from scipy.io import savemat
    rng = np.random.default_rng(0)
    a, r, t = rng.normal(size=(4, 32)), rng.normal(size=(4, 32)), 0.5 * np.arange(32.0)[:, None]
    savemat(tmp_path / "ok.mat", {"Load": a, "Response": r, "Time": t})
    rec = data.load(tmp_path / "ok.mat")
    assert np.array_equal(rec.load, a) and np.array_equal(rec.response, r) and rec.dt == 0.5
