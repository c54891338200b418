"""Peer models in the shared body: shapes, determinism, fair size, and each one's defining property."""
import pytest
import torch

from repcore import Run, RunConfig
from repcore.models import MODELS, build

PEERS = ["fourier", "siren", "mscale", "laaf", "msffn"]


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
@pytest.mark.parametrize("sigmas", [(), (1.0, 5.0, 20.0)])
def test_parameter_count_within_2_percent_of_vanilla(model, sigmas):
    """A fair comparison: every model has vanilla's size to 2% (msffn with two or three scales too)."""
    assert n_params(net(model, sigmas=sigmas)) == pytest.approx(n_params(net("vanilla")), rel=0.02)


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


def test_msffn_paths_share_the_body_and_meet_in_the_head():
    """Wang, Wang & Perdikaris 2021: every scale's features go through the SAME hidden layers; the head
    reads the paths' last hidden layers side by side."""
    m = net("msffn", sigmas=(1.0, 10.0, 30.0), width=20)
    x = torch.rand(9, 1)
    feats = m.first(m.to_box(x))                                  # [paths, n, width]
    assert feats.shape == (3, 9, 20) and m.head.in_features == 60
    for p in range(3):                                            # path p by hand through the one body
        h = feats[p]
        for layer in m.hidden:
            h = torch.tanh(layer(h))
        assert torch.allclose(m.features(x)[:, 20 * p:20 * (p + 1)], h, atol=1e-6)
    assert len(m.hidden) == 2 and all(p is not m.first.B for p in m.parameters())


def test_msffn_scales_follow_sigmas_and_the_knob():
    first = build(RunConfig(model="msffn", width=2000, sigmas=(2.0, 50.0)), [0.0], [1.0], 10.0).first
    assert [first.B[i].std().item() for i in range(2)] == [pytest.approx(2.0, rel=0.1), pytest.approx(50.0, rel=0.1)]
    assert Run(RunConfig(model="msffn", knob=7.0)).net.first.B.shape[0] == 2                 # auto: scales 1 and the knob
    assert Run(RunConfig(model="msffn", knob=7.0)).knob == 7.0
    assert Run(RunConfig(model="msffn", sigmas=(1.0, 3.0, 40.0))).knob == 40.0               # the list wins; knob = top


def test_msffn_features_use_x_in_unit_box_without_two_pi():
    """The authors' code and DeepXDE: gamma = [cos(B x), sin(B x)], x in [0, 1], no 2 pi."""
    m = build(RunConfig(model="msffn", width=6, sigmas=(3.0,)), [-2.0], [6.0], 3.0)
    x = torch.tensor([[-2.0], [2.0], [6.0]])
    b = m.first.B[0, :, 0]
    expected = torch.cat([torch.cos(torch.tensor([[0.0], [0.5], [1.0]]) * b), torch.sin(torch.tensor([[0.0], [0.5], [1.0]]) * b)], 1)
    assert torch.allclose(m.first(m.to_box(x))[0], expected, atol=1e-6)


def test_msffn_trains_and_its_frequencies_stay_frozen():
    run = Run(RunConfig(model="msffn", steps=20, points=100, width=16, depth=2))
    before = run.net.first.B.clone()
    first = run.snapshot().losses["mse"]
    run.advance(20)
    assert torch.equal(run.net.first.B, before) and run.snapshot().losses["mse"] < first
