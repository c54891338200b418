"""RepNet's first layer: same function class as a vanilla layer, partition points where the law says."""
import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from repcore import RunConfig
from repcore.repnet import RepLayer
from repcore.models import build


@pytest.mark.parametrize("dim", [1, 2, 4])
def test_replayer_from_vanilla_layer_computes_the_same_function(dim):
    torch.manual_seed(0)
    linear = nn.Linear(dim, 64).double()
    rep = RepLayer.from_linear(linear)
    x = torch.rand(500, dim, dtype=torch.float64) * 2 - 1
    assert torch.allclose(rep(x), linear(x), atol=1e-12)


def test_whole_vanilla_net_rewritten_in_repnet_coordinates_is_unchanged():
    cfg = RunConfig(model="vanilla", act="relu", head="init", width=50, depth=3)
    vanilla = build(cfg, [0.0], [1.0], 1.0).double()
    x = torch.linspace(0, 1, 300, dtype=torch.float64)[:, None]
    before = vanilla(x)
    vanilla.first = RepLayer.from_linear(vanilla.first)
    assert torch.allclose(vanilla(x), before, atol=1e-12)


def test_zero_weight_neuron_cannot_be_reparameterized():
    linear = nn.Linear(1, 3)
    with torch.no_grad():
        linear.weight[1] = 0
    with pytest.raises(ValueError, match="all-zero weights"):
        RepLayer.from_linear(linear)


def _points(nu, seed=0, law="uniform", width=2000, lo=0.0, hi=1.0):
    cfg = RunConfig(model="repnet", act="relu", width=width, depth=1, seed=seed, law=law)
    return build(cfg, [lo], [hi], nu).partition_points()


def test_1d_partition_points_are_uniform_on_the_domain():
    pts = _points(nu=10.0, lo=-3.0, hi=5.0)
    assert pts.min() >= -3.0 and pts.max() <= 5.0
    # Kolmogorov-Smirnov against U(-3, 5); a non-uniform law would fail this at 2000 points
    assert stats.kstest(pts, stats.uniform(loc=-3.0, scale=8.0).cdf).pvalue > 0.01


def test_ks_test_has_power_chebyshev_law_is_not_uniform_but_is_arcsine():
    pts = _points(nu=10.0, law="chebyshev")
    assert stats.kstest(pts, stats.uniform(loc=0.0, scale=1.0).cdf).pvalue < 1e-6
    assert stats.kstest(pts, stats.arcsine(loc=0.0, scale=1.0).cdf).pvalue > 0.01


def test_partition_points_do_not_move_when_the_slope_scale_changes():
    assert np.array_equal(_points(nu=1.0), _points(nu=300.0))


def test_actual_breakpoints_of_the_trained_coordinates_are_minus_b_over_w():
    """The points reported are where z_i(x) = 0 (checked by evaluating z there)."""
    cfg = RunConfig(model="repnet", act="relu", width=30, depth=1)
    net = build(cfg, [0.0], [2.0], 7.0).double()
    pts = torch.as_tensor(net.partition_points())[:, None]
    z = net.first(net.to_box(pts))
    assert torch.allclose(torch.diagonal(z), torch.zeros(30, dtype=torch.float64), atol=1e-9)


def test_vanilla_default_init_puts_about_half_the_points_outside_the_domain():
    cfg = RunConfig(model="vanilla", act="relu", width=2048, depth=1, init="default")
    pts = build(cfg, [-1.0], [1.0], 1.0).partition_points()
    inside = np.mean(np.abs(pts) <= 1)
    assert 0.44 < inside < 0.56   # -b/w with b, w ~ U(-1, 1): P(|b| < |w|) = 1/2


def test_frozen_slope_and_points_are_not_trained():
    cfg = RunConfig(model="repnet", train_slope=False, train_points=True)
    layer = build(cfg, [0.0], [1.0], 5.0).first
    assert not layer.weight.requires_grad and layer.shift.requires_grad
