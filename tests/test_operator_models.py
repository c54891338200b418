"""Operator networks against oracles (a direct convolution, causality, shift equivariance, the kept
modes), twins that share their body, and one short training run of each method on the shared file."""

import numpy as np
import pytest
import torch

from helpers import EARTHQUAKE, needs_earthquake
from repcore.operators import data
from repcore.operators.coordnet import CoordNet
from repcore.operators.fno import FNO1d, SpectralConv
from repcore.operators.kernel import KernelOperator, causal_conv
from repcore.operators.methods import ARCHITECTURES, METHODS, build, run
from repcore.operators.training import Batches, Protocol, train

T = 0.02 * np.arange(64)


def test_causal_conv_equals_a_direct_sum():
    gen = torch.Generator().manual_seed(0)
    a, h = torch.randn(3, 40, generator=gen, dtype=torch.float64), torch.randn(25, 2, generator=gen, dtype=torch.float64)
    direct = np.zeros((3, 2, 40))
    for i in range(40):
        for k in range(min(i + 1, 25)):
            direct[:, :, i] += h[k].numpy()[None] * a[:, i - k].numpy()[:, None]
    assert np.allclose(causal_conv(a, h).numpy(), direct, atol=1e-12)


@pytest.mark.parametrize("first", ["vanilla", "repnet", "repnet-rwf"])
def test_the_kernel_operator_is_causal_and_time_invariant(first):
    net = KernelOperator(T, first=first, kernel_s=0.5, width=16, depth=2, channels=3, seed=1)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=torch.Generator().manual_seed(2)))   # leave the zero start
        a = torch.randn(2, 64, generator=torch.Generator().manual_seed(3))
        y = net(a)
        b = a.clone()
        b[:, 40:] = 0                           # change the future of sample 39
        assert torch.allclose(net(b)[:, :40], y[:, :40], atol=1e-6)
        late = torch.zeros_like(a)
        late[:, 10:] = a[:, :-10]               # the same shaking 10 samples later, from rest
        assert torch.allclose(net(late)[:, 10:], y[:, :-10], atol=1e-5)


def test_an_fno_without_time_input_is_shift_equivariant_and_keeps_only_its_modes():
    net = FNO1d(T, modes=5, width=8, lift="none", seed=0)
    a = torch.randn(2, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.allclose(net(torch.roll(a, 7, -1)), torch.roll(net(a), 7, -1), atol=1e-5)   # FFT: circular
        spec = torch.fft.rfft(SpectralConv(3, 4, 5, torch.Generator().manual_seed(1))(torch.randn(2, 3, 64)))
        assert spec[..., 5:].abs().max() < 1e-5 and spec[..., :5].abs().max() > 1e-3


def test_vanilla_and_repnet_twins_share_every_layer_but_the_first():
    v, r = CoordNet("vanilla", 16, 3, 2, 30.0, seed=4), CoordNet("repnet", 16, 3, 2, 30.0, seed=4)
    for lv, lr in zip([*v.hidden, v.head], [*r.hidden, r.head]):
        assert torch.equal(lv.weight, lr.weight) and torch.equal(lv.bias, lr.bias)
    assert r.first.partition_points().abs().max() <= 1          # RepNet: every breakpoint inside the window


@pytest.mark.parametrize("lift", ["linear", "none", "vanilla", "repnet"])
def test_every_fno_lift_trains_a_step_on_synthetic_records(lift):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 64))
    rec = data.check(a, np.cumsum(a, 1) * 0.1, T[:, None])
    net = FNO1d(T, modes=8, width=8, lift=lift, seed=0)
    before = [p.detach().clone() for p in net.parameters()]
    out = list(train(net, Batches(rec, data.split(6, "5")), Protocol(epochs=2, batch=3)))
    assert len(out) == 2 and np.isfinite(out[-1]["rel_l2"]) and out[-1]["per_record"].shape == (1,)
    assert any(not torch.equal(b, p) for b, p in zip(before, net.parameters()))


def test_the_repnet_and_vanilla_methods_differ_only_in_the_first_layer():
    r, v = METHODS.get("repnet"), METHODS.get("vanilla")
    assert r.architecture == v.architecture and r.protocol == v.protocol
    assert {k: x for k, x in r.settings.items() if k != "first"} == {k: x for k, x in v.settings.items() if k != "first"}
    net_r, _ = build("repnet", T, seed=3)
    net_v, proto = build("vanilla", T, seed=3, epochs=7)
    assert proto.epochs == 7 and proto.seed == 3 and proto.lbfgs == r.protocol.lbfgs
    assert torch.equal(net_r.kernel_net.head.weight, net_v.kernel_net.head.weight)
    assert set(ARCHITECTURES.names()) == {"fno", "deeponet", "kernel"}


@pytest.mark.slow
@needs_earthquake
@pytest.mark.parametrize("name, settings", [("fno", {"modes": 16, "width": 8}), ("vanilla", {}), ("repnet", {}),
                                            ("fir", {})])
def test_one_short_training_run_of_each_method_on_the_shared_file(name, settings):
    rec = data.load(EARTHQUAKE)
    out = list(run(rec, name, seed=0, every=1, epochs=2, lbfgs=0, lr=3e-3, **settings))
    assert np.isfinite(out[-1]["rel_l2"]) and out[-1]["train_mse"] < out[0]["train_mse"]    # the loss falls
    assert out[-1]["per_record"].shape == (10,)


@pytest.mark.slow
@needs_earthquake
def test_test_records_hold_out_the_first_ten_on_the_shared_file():
    rec = data.load(EARTHQUAKE)
    out = list(run(rec, "fir", test_records="0-9", every=1, epochs=1, lbfgs=50))
    assert out[-1]["per_record"].shape == (10,) and out[-1]["rel_l2"] < 0.05   # an FIR fits fast


def test_free_taps_recover_a_known_impulse_response_from_synthetic_records():
    """Records made by a known causal FIR filter plus an offset: Adam then L-BFGS on the free taps finds
    that filter (a least-squares problem with a unique minimum), and the test error falls to ~0."""
    rng = np.random.default_rng(1)
    lag = np.arange(10) * 0.02
    h_true = np.exp(-lag / 0.06) * np.sin(2 * np.pi * 5 * lag)
    a = rng.normal(size=(8, 64))
    y = np.stack([np.convolve(r, h_true)[:64] for r in a]) - 0.3
    rec = data.check(a, y, T[:, None])
    net = KernelOperator(T, first="taps", kernel_s=0.2, seed=0)
    out = list(train(net, Batches(rec, data.split(8, "7")), Protocol(epochs=5, batch=7, lbfgs=100), every=5))
    assert [r["epoch"] for r in out] == [5, 55, 105]
    assert out[-1]["rel_l2"] < 1e-4
    assert np.allclose(net.kernel().detach().numpy()[:, 0], h_true, atol=1e-4)
    assert float(net.bias.detach()) == pytest.approx(-0.3, abs=1e-4)


def test_band_error_is_zero_for_the_truth_one_for_nothing_and_local_for_a_sine():
    from repcore.operators.spectrum import band_error
    t = 0.02 * np.arange(2500)
    true = np.sin(2 * np.pi * 1.24 * t) + 0.3 * np.sin(2 * np.pi * 4.3 * t)
    f, e = band_error(true, true, 0.02)
    assert np.nanmax(e) == 0 and f[0] == pytest.approx(0.125)
    _, e = band_error(np.zeros_like(true), true, 0.02)
    assert np.allclose(e[~np.isnan(e)], 1.0)
    _, e = band_error(true + 0.1 * np.sin(2 * np.pi * 4.3 * t), true, 0.02)   # wrong by 1/3 at 4.3 Hz only
    hit = np.nanargmax(e)
    assert f[hit] == pytest.approx(4.375) and e[hit] == pytest.approx(1 / 3, rel=1e-3)
    assert np.nanmax(np.delete(e, hit)) < 1e-6
