"""The training stream: snapshot contents and shapes, determinism, lockstep, divergence."""
import json
import math

import numpy as np
import pytest

from repcore import Run, RunConfig, lockstep, train

SMALL = RunConfig(width=16, depth=2, steps=60, every=20, points=200, grid=128, test_points=512, act="relu")


def _equal(a, b):
    """Every field but the wall time; JSON text makes NaN (spectra where the target is insignificant)
    compare equal to NaN."""
    da, db = a.to_dict(), b.to_dict()
    da.pop("wall"), db.pop("wall")
    return json.dumps(da) == json.dumps(db)


def test_snapshot_contents_and_shapes():
    snaps = list(train(SMALL))
    assert [s.step for s in snaps] == [0, 20, 40, 60]
    assert [s.status for s in snaps] == ["ok", "ok", "ok", "done"]
    s = snaps[-1]
    assert set(s.losses) == {"mse"} and all(math.isfinite(v) for v in s.losses.values())
    assert 0 < s.rel_l2 < 2
    assert s.x.shape == s.pred.shape == s.true.shape == (128,)
    k = len(s.freqs)
    assert k >= 32 and s.spec_true.shape == s.spec_err.shape == s.spec_rel_err.shape == (k,)
    assert s.points.shape == (16,)
    assert s.hist_counts.sum() == np.sum((s.points >= 0) & (s.points <= 1)) and len(s.hist_edges) == len(s.hist_counts) + 1
    assert ((snaps[0].points >= 0) & (snaps[0].points <= 1)).all()   # RepNet: every point starts inside the domain
    assert np.abs(snaps[0].pred).max() == 0.0 < np.abs(s.pred).max()   # zero head: the net starts at f = 0
    assert s.wall > 0 and snaps[0].wall == 0


def test_spectrum_of_the_target_peaks_at_its_frequencies():
    s = next(train(SMALL.replace(target="multiscale")))
    top2 = set(np.argsort(s.spec_true)[-2:])
    assert top2 == {1, 25}                                 # sin(2 pi x) + 0.1 sin(2 pi 25 x)
    assert s.spec_true[25] == pytest.approx(0.05, rel=1e-6)  # |DFT|/n of 0.1 sin = 0.05
    assert np.isnan(s.spec_rel_err[5]) and s.spec_rel_err[25] == pytest.approx(1.0)  # f = 0: 100% error


def test_same_config_and_seed_give_identical_snapshots():
    assert all(_equal(a, b) for a, b in zip(train(SMALL), train(SMALL)))


def test_different_seed_gives_a_different_run():
    a, b = list(train(SMALL))[-1], list(train(SMALL.replace(seed=1)))[-1]
    assert a.rel_l2 != b.rel_l2


def test_vanilla_and_repnet_share_data_and_all_layers_but_the_first():
    v, r = Run(SMALL.replace(model="vanilla")), Run(SMALL)
    assert (v.problem.x == r.problem.x).all()
    for a, b in zip(v.net.hidden.parameters(), r.net.hidden.parameters()):
        assert (a == b).all()


def test_lockstep_yields_pairs_identical_to_separate_runs():
    cfgs = [SMALL.replace(model="vanilla"), SMALL]
    paired = list(lockstep([Run(c) for c in cfgs]))
    assert [tuple(s.label for s in pair) for pair in paired[:1]] == [("vanilla", "repnet")]
    for i, cfg in enumerate(cfgs):
        assert all(_equal(p[i], s) for p, s in zip(paired, train(cfg)))


def test_divergence_stops_one_run_and_the_other_goes_on():
    bad = SMALL.replace(model="vanilla", target="1000*sin(2*pi*x)", optimizer="sgd", lr=1.0, steps=400, every=50)
    good = bad.replace(model="repnet", target="sin(2*pi*x)", optimizer="adam", lr=1e-3)
    pairs = list(lockstep([Run(bad), Run(good)]))
    last_bad, last_good = pairs[-1]
    assert last_bad.status == "diverged" and 0 < last_bad.diverged_at < 400
    assert last_good.status == "done" and last_good.step == 400 and math.isfinite(last_good.rel_l2)
