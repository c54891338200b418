"""RepNet variants: each named option's defining property (repnet.py, estimates.SLOPE_RULES)."""
import math

import numpy as np
import pytest
import torch

from repcore import ConfigError, Run, RunConfig, UserError
from repcore.estimates import magnitudes, target_ratio
from repcore.models import build
from repcore.repnet import RepLayer, ScaledRepLayer

NU = 40.0


def first(**kw):
    cfg = RunConfig(model="repnet", width=kw.pop("width", 64), **kw)
    return build(cfg, [0.0] * kw.get("dim", 1), [1.0] * kw.get("dim", 1), NU).first


def sgd_step(layer, lr=1e-3):
    """One plain gradient step on a fixed loss (float64: the direct step is tiny next to W); W before and after."""
    layer.double()
    x = torch.linspace(-1, 1, 33, dtype=torch.float64)[:, None]
    w0 = layer.slopes().detach().clone()
    loss = torch.tanh(layer(x)).pow(2).sum() + layer(x).sum()
    params = [p for p in layer.parameters() if p.requires_grad]
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p -= lr * g
    return w0, layer.slopes().detach()


def test_every_parameterization_starts_from_the_same_layer():
    x = torch.rand(20, 1) * 2 - 1
    ref = first(slope_param="direct")
    for param in ("reparam", "factorized"):
        other = first(slope_param=param)
        assert isinstance(other, ScaledRepLayer)
        assert torch.allclose(other.slopes(), ref.weight, rtol=1e-6) and torch.equal(other.shift, ref.shift)
        assert torch.allclose(other(x), ref(x), rtol=1e-5, atol=1e-5)


def test_reparam_trains_v_and_moves_w_nu_squared_times_faster():
    """W = nu V, V trained: dL/dV = nu dL/dW, so one gradient step moves W by nu^2 times the direct step."""
    direct, rep = first(slope_param="direct"), first(slope_param="reparam")
    assert {n for n, p in rep.named_parameters() if p.requires_grad} == {"v", "shift"}
    assert rep.v.std().item() == pytest.approx(1.0, rel=0.25) and torch.all(rep.scale == NU)
    w0, w1 = sgd_step(direct, lr=1e-6)
    r0, r1 = sgd_step(rep, lr=1e-6)
    torch.testing.assert_close(r1 - r0, NU ** 2 * (w1 - w0), rtol=1e-6, atol=1e-12)


def test_factorized_trains_a_per_neuron_log_scale():
    """W_i = exp(s_i) V_i with s_i = log nu at the start; dL/ds_i = sum_j W_ij dL/dW_ij (chain rule)."""
    layer = first(slope_param="factorized")
    assert layer.log_scale.shape == (64, 1) and layer.log_scale.requires_grad
    assert torch.allclose(layer.log_scale.exp(), torch.full((64, 1), NU))
    x = torch.linspace(-1, 1, 17)[:, None]
    loss = torch.tanh(layer(x)).pow(3).sum()
    g_s, g_v = torch.autograd.grad(loss, [layer.log_scale, layer.v])
    w = layer.slopes().detach().requires_grad_(True)
    loss_w = torch.tanh(torch.addmm((w * layer.shift.detach()).sum(1), x, w.t())).pow(3).sum()
    (g_w,) = torch.autograd.grad(loss_w, [w])
    torch.testing.assert_close(g_s, (w * g_w).sum(1, keepdim=True).detach(), rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(g_v, (g_w * layer.scales()).detach(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("param", ["direct", "reparam", "factorized"])
def test_log_uniform_law_spreads_nu_evenly_in_log(param):
    layer = first(slope_param=param, slope_law="log-uniform", slope_min=2.0, width=50)
    v = torch.randn(50, 1, generator=torch.Generator().manual_seed(0 + 1_000_003))   # the layer's own stream
    nus = (layer.slopes().detach() / v)[:, 0]
    logs = torch.log(nus.double())
    assert nus.min().item() == pytest.approx(2.0, rel=1e-5) and nus.max().item() == pytest.approx(NU, rel=1e-5)
    assert torch.allclose(logs.diff(), torch.full((49,), math.log(NU / 2) / 49, dtype=torch.float64), rtol=1e-4)


def test_log_uniform_law_needs_slope_min_below_nu():
    with pytest.raises(UserError, match="slope_min"):
        first(slope_law="log-uniform", slope_min=100.0)
    with pytest.raises(ConfigError, match="slope_param"):
        RunConfig(slope_param="sideways")


def test_direct_single_is_the_first_releases_layer():
    layer = first(slope_param="direct")
    assert type(layer) is RepLayer
    ref = torch.randn(64, 1, generator=torch.Generator().manual_seed(1_000_003)) * NU
    assert torch.equal(layer.weight, ref)


def test_the_default_repnet_is_the_factorized_layer():
    """Since behaviour 2 of RepNet (docs/method.md): W = exp(s) V with s and V trained, the same W at the start
    as the first releases' layer (tests/data/golden_snapshots.json keeps that layer's numbers as its oracle)."""
    assert RunConfig().slope_param == "factorized" and RunConfig().model == "repnet"
    layer = first()
    assert type(layer) is ScaledRepLayer and layer.train_scale
    assert {n for n, p in layer.named_parameters() if p.requires_grad} == {"v", "log_scale", "shift"}
    assert torch.allclose(layer.slopes(), first(slope_param="direct").weight, rtol=1e-6)


def test_per_dim_rule_divides_pi_k_by_sqrt_d():
    one = Run(RunConfig(target="multiscale", steps=1, width=8, depth=1, slope_rule="pi-k-per-dim"))
    assert one.knob == pytest.approx(Run(RunConfig(target="multiscale", steps=1, width=8, depth=1)).knob)
    four = dict(target="multiscale4d", steps=1, width=8, depth=1, test_points=64)
    assert Run(RunConfig(slope_rule="pi-k-per-dim", **four)).knob == pytest.approx(Run(RunConfig(**four)).knob / 2)
    assert Run(RunConfig(slope_rule="pi-k-per-dim", slope_scale=50.0, **four)).knob == 50.0    # a given nu wins


@pytest.mark.slow
def test_estimate_rule_matches_the_targets_slope_to_output_ratio():
    """The chosen nu makes the estimated RMS slope / RMS output at the start equal the target's; a
    target scaled by 10 gets the same nu (the ratio has no units of u)."""
    cfg = RunConfig(target="multiscale", slope_rule="estimate", steps=1, width=32, depth=2)
    run = Run(cfg)
    g = run.problem.grids
    ratio = target_ratio(g.x_line, g.true_line, run.problem.lo, run.problem.hi)
    m = magnitudes("repnet", "tanh", 1, 32, 2, run.knob, head="init")
    assert m.rms_slope / m.rms_output == pytest.approx(ratio, rel=0.03)
    scaled = Run(cfg.replace(target="10*(sin(2*pi*x) + 0.1*sin(50*pi*x))"))
    assert scaled.knob == pytest.approx(run.knob, rel=1e-3)


def test_target_ratio_of_a_sine_is_its_angular_frequency_in_box_units():
    x = np.linspace(0, 1, 4001)
    assert target_ratio(x, np.sin(2 * np.pi * 5 * x), 0.0, 1.0) == pytest.approx(5 * np.pi, rel=1e-3)


def test_the_ridge_directions_probe_keeps_each_neuron_on_one_axis(capsys):
    """tools/ridge_directions.py (docs/method.md, "RepNet on pictures"): V on axis i mod d, the rest of the layer unchanged."""
    from tools import ridge_directions
    layer = ridge_directions.axis_aligned(3, 7, NU, "uniform", torch.Generator().manual_seed(0))
    ref = ridge_directions._SAMPLE(3, 7, NU, "uniform", torch.Generator().manual_seed(0))
    nonzero = layer.v != 0
    assert nonzero.sum(1).tolist() == [1] * 7 and nonzero.nonzero()[:, 1].tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert torch.equal(layer.v[nonzero], ref.v[nonzero]) and torch.equal(layer.shift, ref.shift)
    assert ridge_directions.main(["width=8", "depth=1", "steps=3", "points=32", "grid=64", "test_points=64", "--axes"]) == 0
    assert "axis-aligned repnet" in capsys.readouterr().out
