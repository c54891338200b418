"""Targets: presets resolve through the parser, domains, the top-frequency probe, bad targets."""
import numpy as np
import pytest

from repcore.targets import PRESETS, TargetError, resolve, top_frequency


@pytest.mark.parametrize("name", PRESETS.names())
def test_every_preset_resolves_and_is_finite(name):
    t = resolve(name)
    x = t.lo + np.random.default_rng(0).random((100, t.dim)) * (t.hi - t.lo)
    assert np.isfinite(t(x)).all()


def test_freq_knob_changes_the_preset():
    assert resolve("sine", freq=3).text == "sin(2*pi*3*x)"


@pytest.mark.parametrize("spec, freq, cycles", [("sine", 7, 7), ("sine", 30, 30), ("multiscale", None, 25), ("sin(2*pi*12*x) + x", None, 12)])
def test_top_frequency_finds_the_highest_significant_mode(spec, freq, cycles):
    assert top_frequency(resolve(spec, freq)) == pytest.approx(cycles, abs=1.01)


def test_domain_per_axis_and_broadcast():
    t = resolve("x1 + x2", domain=((0.0, 1.0), (2.0, 5.0)))
    assert t.dim == 2 and list(t.hi) == [1.0, 5.0]
    assert list(resolve("x1*x3", domain=((-1.0, 1.0),)).lo) == [-1.0] * 3


def test_more_domain_axes_than_inputs_sets_the_dimension():
    assert resolve("sin(x1)", domain=((0.0, 1.0),) * 4).dim == 4


@pytest.mark.parametrize("spec, domain, message", [
    ("log(x)", (), "is not finite on the domain, e.g. at x = (0)"),
    ("1/(x - 0.5)", (), "not finite"),
    ("exp(100*x)", (), "exceeds"),
    ("3 + 0*x", (), "constant"),
    ("x1+x3", ((0.0, 1.0), (0.0, 1.0)), "2 axes given but the target uses 3 inputs"),
    ("sin(", (), "target: expected a number"),
])
def test_bad_targets_get_one_clear_line(spec, domain, message):
    with pytest.raises(TargetError) as err:
        resolve(spec, domain=domain)
    assert message in str(err.value) and "\n" not in str(err.value)
