"""Peer models in the shared body: shapes, determinism, fair size, and each one's defining property."""
import pytest
import torch

from repcore import Run, RunConfig
from repcore.models import MODELS, build

PEERS = ["fourier", "siren", "mscale", "laaf"]


def net(model, dim=1, **kw):
    cfg = RunConfig(model=model, act=kw.pop("act", "tanh"), head="init", **kw)
    return build(cfg, [0.0] * dim, [1.0] * dim, MODELS.get(model).knob if model != "repnet" else 30.0)


def n_params(m):
    return sum(p.numel() for p in m.parameters() if p.requires_grad)


@pytest.mark.parametrize("model", PEERS)
@pytest.mark.parametrize("dim", [1, 4])
def test_output_shape_and_determinism(model, dim):
    x = torch.rand(37, dim)
    a, b = net(model, dim), net(model, dim)
    assert a(x).shape == (37, 1)
    assert torch.equal(a(x), b(x))
    assert not torch.equal(a(x), net(model, dim, seed=1)(x))


@pytest.mark.parametrize("model", PEERS + ["repnet"])
def test_parameter_count_within_10_percent_of_vanilla(model):
    assert n_params(net(model)) == pytest.approx(n_params(net("vanilla")), rel=0.10)


def test_fourier_frequencies_are_frozen_during_training():
    run = Run(RunConfig(model="fourier", steps=30, points=100, width=16, depth=2))
    before = run.net.first.B.clone()
    assert all(p is not run.net.first.B for p in run.net.parameters())
    run.advance(30)
    assert torch.equal(run.net.first.B, before)
    assert not torch.equal(run.net.hidden[0].weight, Run(RunConfig(model="fourier", width=16, depth=2)).net.hidden[0].weight)


def test_fourier_feature_scale_follows_sigma():
    cfg = RunConfig(model="fourier", width=2000)
    assert build(cfg, [0.0], [1.0], 20.0).first.B.std().item() == pytest.approx(20.0, rel=0.1)


def test_siren_activations_stay_in_range_across_depth():
    """Sitzmann et al.: with their init every layer's output is arcsine-like (std ~ 1/sqrt 2)."""
    m = net("siren", width=256, depth=6)
    h = m.first(m.to_box(torch.rand(4000, 1)))
    stds = [m.acts[0](h).std().item()]
    h = m.acts[0](h)
    for layer, act in zip(m.hidden, m.acts[1:]):
        h = act(layer(h))
        stds.append(h.std().item())
    assert all(0.55 < s < 0.85 for s in stds), stds


def test_laaf_starts_as_the_plain_net_and_adds_slope_recovery():
    x = torch.rand(50, 1)
    assert torch.allclose(net("laaf")(x), net("vanilla")(x), atol=1e-6)   # n a = 1: sigma(n a u) = sigma(u)
    terms = net("laaf").extra_losses()
    assert set(terms) == {"slope_recovery"} and terms["slope_recovery"].item() == pytest.approx(1 / 2.718281828, rel=1e-6)
    run = Run(RunConfig(model="laaf", steps=20, points=100, width=16, depth=2))
    run.advance(20)
    assert "slope_recovery" in run.snapshot().losses


def test_mscale_first_layer_groups_span_one_to_a_max():
    first = build(RunConfig(model="mscale", width=60), [0.0], [1.0], 32.0).first
    assert sorted(set(first.scale.tolist())) == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]


def test_knob_reaches_the_model():
    assert Run(RunConfig(model="siren", knob=12.0)).net.acts[0].w0 == 12.0
    assert Run(RunConfig(model="siren")).net.acts[0].w0 == 30.0
