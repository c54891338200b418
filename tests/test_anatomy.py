"""repcore.anatomy: the Anatomy page's computation, against the RepNet layer's construction and the closed-form estimates."""
import numpy as np
import pytest

from repcore import anatomy


def test_draw_places_repnet_points_inside_and_is_reproducible():
    d = anatomy.draw("relu", 64, 10.0, seed=3)
    assert d.inside["repnet"] == 1.0                          # uniform law: every point in the domain
    assert 0.0 <= d.inside["vanilla"] < 1.0                   # -b/w: default init loses some outside
    assert d.points["repnet"].shape == (64,) and d.functions["vanilla"].shape == d.x.shape == (400,)
    again = anatomy.draw("relu", 64, 10.0, seed=3)
    assert all(np.array_equal(d.functions[m], again.functions[m]) for m in anatomy.MODELS)


@pytest.mark.slow
def test_sweep_measurements_agree_with_the_exact_relu_estimate():
    s = anatomy.sweep("relu", 32, nus=(3.0, 30.0), nets=40)
    for what in ("output", "slope"):
        pred, meas = s.predicted["repnet"][what], s.measured["repnet"][what]
        assert np.allclose(meas, pred, rtol=0.2), (what, meas, pred)     # shallow ReLU RepNet: the estimate is exact
    slope = s.predicted["repnet"]["slope"]
    assert np.isclose(slope[1] / slope[0], 10.0, rtol=1e-6)      # E f'^2 = nu^2/2 (...): the RMS slope is linear in nu
    assert np.all(s.measured["vanilla"]["slope"] == s.measured["vanilla"]["slope"][0])   # nu does not act on vanilla
    assert len(s.rows()) == 2 * 2
