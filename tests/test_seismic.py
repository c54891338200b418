"""Newmark integrator against closed-form SDOF responses; the real records load and split."""
import math

import numpy as np
import pytest

from repcore.targets import DataError, seismic
from repcore.targets.seismic import newmark


def test_undamped_step_load_matches_1_minus_cos():
    """u'' + w^2 u = -a_g with a_g = -1 (a step) from rest: u = (1 - cos wt) / w^2."""
    dt, period = 0.001, 0.5
    t = np.arange(0, 2, dt)
    w = 2 * math.pi / period
    u = newmark(-np.ones_like(t), dt, period, zeta=0.0)
    assert np.max(np.abs(u - (1 - np.cos(w * t)) / w ** 2)) < 1e-4 / w ** 2 * 100


def test_damped_harmonic_steady_state_amplitude():
    """Forced at resonance with damping: steady amplitude = F / (2 zeta w^2)."""
    dt, period, zeta = 0.001, 0.5, 0.05
    w = 2 * math.pi / period
    t = np.arange(0, 20, dt)
    u = newmark(-np.sin(w * t), dt, period, zeta=zeta)
    steady = np.abs(u[t > 15]).max()
    assert steady == pytest.approx(1 / (2 * zeta * w ** 2), rel=1e-3)


def test_free_decay_of_a_damped_oscillator_after_an_impulse():
    """A short pulse then free vibration: the amplitude ratio over one damped period is exp(-2 pi zeta / sqrt(1 - zeta^2))."""
    dt, period, zeta = 0.0005, 0.5, 0.05
    w = 2 * math.pi / period
    wd = w * math.sqrt(1 - zeta ** 2)
    t = np.arange(0, 4, dt)
    ag = np.where(t < 0.01, -1.0, 0.0)
    u = newmark(ag, dt, period, zeta=zeta)
    td = 2 * math.pi / wd
    i1 = np.argmax(np.abs(u[(t > 1) & (t < 1 + td)])) + np.searchsorted(t, 1)
    i2 = np.argmax(np.abs(u[(t > 1 + td) & (t < 1 + 2 * td)])) + np.searchsorted(t, 1 + td)
    assert abs(u[i2] / u[i1]) == pytest.approx(math.exp(-2 * math.pi * zeta / math.sqrt(1 - zeta ** 2)), rel=5e-3)


def test_batched_integration_equals_one_by_one():
    ag = np.random.default_rng(0).normal(size=(3, 200))
    assert np.allclose(newmark(ag, 0.02), np.stack([newmark(a, 0.02) for a in ag]))


def test_records_are_real_and_split_by_record():
    pytest.importorskip("obspy")
    train, test = seismic.records(seismic.TRAIN_RECORDS), seismic.records(seismic.TEST_RECORDS)
    train_ids, test_ids = {i for i, _ in train}, {i for i, _ in test}
    assert train_ids and test_ids and not (train_ids & test_ids)
    assert any("RJOB" in i for i in train_ids)
    w = seismic.windows(train)
    assert w.shape[1] == int(seismic.WINDOW_S * seismic.RATE) and len(w) >= 20
    assert np.allclose(np.abs(w).max(1), 1.0)


def test_missing_obspy_data_file_is_a_clear_error():
    pytest.importorskip("obspy")
    with pytest.raises(DataError, match="missing from this installation"):
        seismic.records((("io/nowhere/record.mseed", None),))
