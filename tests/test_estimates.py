"""Magnitude estimates (quadrature + infinite-width recursion) vs Monte Carlo over real networks
from models.build (estimates.monte_carlo: the head is averaged exactly, since sampling f itself would
leave a relative spread of sqrt(2) in f^2 per network; the hidden layers, which the estimate
approximates, are sampled)."""
import itertools

import numpy as np
import pytest

from repcore.estimates import auto_slope_scale, magnitudes, monte_carlo


@pytest.mark.parametrize("act, nu, width, depth", [  # the wide half of the grid is left to the full suite
    pytest.param(*p, marks=[pytest.mark.slow] if p[2] == 128 or p[3] == 3 else [])
    for p in itertools.product(["relu", "tanh"], [1.0, 10.0, 100.0], [32, 128], [1, 2, 3])])
def test_repnet_estimates_match_monte_carlo_within_10_percent(act, nu, width, depth):
    est = magnitudes("repnet", act, 1, width, depth, nu, head="init")
    mc = monte_carlo("repnet", act, width, depth, nu)
    assert est.rms_output == pytest.approx(mc.rms_output, rel=0.10)
    assert est.rms_slope == pytest.approx(mc.rms_slope, rel=0.10)


@pytest.mark.parametrize("act, init", [("relu", "default"), ("relu", "glorot"), ("relu", "he"), ("tanh", "default"), ("tanh", "glorot")])
def test_vanilla_estimates_match_monte_carlo_within_10_percent(act, init):
    est = magnitudes("vanilla", act, 1, 64, 3, init=init, head="init")
    mc = monte_carlo("vanilla", act, 64, 3, 1.0, init=init)
    assert est.rms_output == pytest.approx(mc.rms_output, rel=0.10)
    assert est.rms_slope == pytest.approx(mc.rms_slope, rel=0.10)


def test_shallow_relu_closed_forms():
    """E f^2 = nu^2 (x^2 + 1/3)/2 and E f'^2 = nu^2/2 for head variance 1/width; the default head has
    variance 1/(3 width) plus a bias of variance 1/(3 width). Averaged over x in [-1, 1]."""
    width, nu = 100, 7.0
    est = magnitudes("repnet", "relu", 1, width, 1, nu, head="init")
    assert est.rms_output ** 2 == pytest.approx(nu ** 2 * (1 / 3 + 1 / 3) / 2 / 3 + 1 / (3 * width), rel=2e-3)
    assert est.rms_slope ** 2 == pytest.approx(nu ** 2 / 2 / 3, rel=2e-3)


def test_tanh_rms_slope_grows_like_sqrt_nu_while_output_stays_bounded():
    a, b = (magnitudes("repnet", "tanh", 1, 100, 1, nu, head="init") for nu in (100.0, 400.0))
    assert b.rms_slope / a.rms_slope == pytest.approx(2.0, rel=0.05)
    assert b.rms_output / a.rms_output == pytest.approx(1.0, rel=0.05)


def test_zero_head_has_zero_output():
    assert magnitudes("repnet", "tanh", 1, 50, 2, 10.0, head="zero").rms_output == 0.0


def test_auto_slope_scale_is_pi_times_top_cycles_within_limits():
    assert auto_slope_scale(25.0) == pytest.approx(25 * np.pi)
    assert auto_slope_scale(0.0) == 1.0
