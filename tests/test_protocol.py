"""The training protocol as named options: resampling, lr schedules, loss weighting, hard Dirichlet
constraints, and what `auto` means per problem."""
import math

import pytest
import torch

from repcore import ConfigError, Run, RunConfig, UserError
from repcore.problems.base import FunctionProblem, Protocol
from repcore.problems.pinn import PINN_PROTOCOL
from repcore.problems.constraints import boundary_blend, distance
from repcore.problems.weighting import ANNEAL_ALPHA
from repcore.targets import resolve

SMALL = dict(width=16, depth=2, points=64, test_points=128, grid=64, every=5)


def lr_at(name: str, step: int, cfg: RunConfig) -> float:
    """The lr of optimizer step `step` under a named schedule, as the loop sets it (Protocol.lr; None:
    the optimizer keeps cfg.lr)."""
    lr = Protocol(schedule=name).lr(cfg)
    return cfg.lr if lr is None else lr(step)


def test_auto_means_the_problems_own_protocol():
    assert Run(RunConfig(steps=1, **SMALL)).protocol == Protocol(0, "constant", "normalised")       # fitting: as before
    assert Run(RunConfig(problem="poisson", steps=1, **SMALL)).protocol == PINN_PROTOCOL
    assert Run(RunConfig(problem="inverse", steps=1, **SMALL)).protocol == Protocol()               # measured: see pinn.py
    assert PINN_PROTOCOL.resample == 1 and PINN_PROTOCOL.weighting == "none"   # DeepXDE's example
    cfg = RunConfig(problem="poisson", resample=0, schedule="constant", weighting="annealing", steps=1, **SMALL)
    assert Run(cfg).protocol == Protocol(0, "constant", "annealing")                            # a given value wins


@pytest.mark.parametrize("problem", ["fit", "poisson"])
def test_resampling_redraws_the_points_every_n_steps(problem):
    run = Run(RunConfig(problem=problem, resample=3, steps=20, **SMALL))
    x0 = run.problem.x.detach().clone()
    run.advance(3)                                       # steps 0, 1, 2 train on the first points
    assert torch.equal(run.problem.x.detach(), x0)
    run.advance(1)                                       # step 3 draws new ones
    x1 = run.problem.x.detach().clone()
    assert x1.shape == x0.shape and not torch.equal(x1, x0)
    lo, hi = run.problem.target.lo[0], run.problem.target.hi[0]
    assert lo <= x1.min().item() and x1.max().item() <= hi
    fixed = Run(RunConfig(problem=problem, resample=0, steps=20, **SMALL))
    fixed.advance(10)
    assert torch.equal(fixed.problem.x.detach(), x0)     # resample 0: the same (seeded) points throughout


def test_resampled_points_are_the_same_for_every_model_with_one_seed():
    runs = [Run(RunConfig(problem="poisson", model=m, resample=1, steps=10, **SMALL)) for m in ("vanilla", "repnet")]
    for r in runs:
        r.advance(5)
    assert torch.equal(runs[0].problem.x, runs[1].problem.x)
    assert torch.equal(runs[0].problem.f, runs[1].problem.f)


def test_resampled_source_is_the_laplacian_at_the_new_points():
    run = Run(RunConfig(problem="poisson", target="sin(3*x)", resample=1, steps=5, dtype="float64", **SMALL))
    run.advance(4)
    x = run.problem.x.detach()[:, 0]
    assert torch.allclose(run.problem.f, -9 * torch.sin(3 * x), atol=1e-10)


@pytest.mark.parametrize("name, n, factor", [("constant", 777, 1.0), ("inverse-time", 2000, 1 / 1.9),
                                             ("inverse-time", 10_000, 1 / 5.5), ("inverse-time", 0, 1.0),
                                             ("cosine", 0, 1.0), ("cosine", 5000, 0.5), ("cosine", 10_000, 0.0),
                                             ("cosine", 2500, (1 + math.cos(math.pi / 4)) / 2)])
def test_schedule_lr_at_step_n(name, n, factor):
    cfg = RunConfig(lr=2e-3, steps=10_000)
    assert lr_at(name, n, cfg) == pytest.approx(2e-3 * factor, rel=1e-12, abs=1e-15)


def test_inverse_time_follows_its_fields():
    cfg = RunConfig(lr=1e-3, decay_steps=100, decay_rate=0.5)
    assert lr_at("inverse-time", 300, cfg) == pytest.approx(1e-3 / 2.5)


@pytest.mark.parametrize("schedule", ["inverse-time", "cosine"])
def test_the_loop_trains_step_n_with_the_schedules_lr(schedule):
    cfg = RunConfig(schedule=schedule, lr=1e-2, steps=40, decay_steps=10, **SMALL)
    run = Run(cfg)
    for n in (1, 7, 40):
        run.advance(n - run.step)
        assert run.opt.param_groups[0]["lr"] == pytest.approx(lr_at(schedule, n - 1, cfg), rel=1e-12)


def _g(x):
    lib = torch if isinstance(x, torch.Tensor) else __import__("numpy")
    return lib.sin(3 * x[:, 0] + 1) * lib.exp(x[:, 1]) + x[:, 0] * x[:, 1] ** 2


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_boundary_blend_equals_the_data_on_every_face(dim):
    """G = (I - prod_i (I - P_i)) g matches g on each face for a g that is not separable."""
    target = resolve({1: "exp(x)*sin(5*x) + 2", 2: "sin(3*x1 + 1)*exp(x2) + x1*x2^2",
                      3: "sin(3*x1 + 1)*exp(x2) + x1*x2^2*cos(x3)"}[dim], domain=((-1.0, 2.0),) * dim)
    lo, hi = torch.tensor(target.lo), torch.tensor(target.hi)
    gen = torch.Generator().manual_seed(0)
    for axis in range(dim):
        for side in (lo, hi):
            x = lo + torch.rand(50, dim, generator=gen, dtype=torch.float64) * (hi - lo)
            x[:, axis] = side[axis]
            assert torch.allclose(boundary_blend(target, x, lo, hi), target(x), atol=1e-12)
            assert torch.all(distance(x, lo, hi) == 0)
    inside = lo + (0.25 + 0.5 * torch.rand(50, dim, generator=gen, dtype=torch.float64)) * (hi - lo)
    assert torch.all(distance(inside, lo, hi) > 0)


@pytest.mark.parametrize("target, model", [("multiscale", "repnet"), ("multiscale2d", "msffn"), ("x1*exp(x2) + 1", "vanilla")])
def test_hard_constraints_give_exact_boundary_values_during_training(target, model):
    run = Run(RunConfig(problem="poisson", target=target, model=model, hard_bc=True, head="init", dtype="float64",
                        steps=10, **SMALL))
    run.advance(10)
    assert "bc" not in run.snapshot().losses
    xb = run.problem.xb                               # boundary points (ends in 1-D, faces otherwise)
    with torch.no_grad():
        assert torch.allclose(run.net(xb)[:, 0], run.problem.g, atol=1e-12)
    assert len(run.net.partition_points()) >= 0 and torch.isfinite(run.net(run.problem.grids.test)).all()


def test_zero_boundary_data_skip_the_blend_and_change_nothing_but_the_cost():
    """multiscale2d vanishes on every face (to round-off): u = D N, the same run as with the blend G."""
    cfg = RunConfig(problem="poisson", target="multiscale2d", hard_bc=True, dtype="float64", steps=6, **SMALL)
    fast = Run(cfg)
    assert fast.net.blend is False and Run(cfg.replace(target="x1*exp(x2) + 1")).net.blend is True
    full = Run(cfg)
    full.net.blend = True
    for run in (fast, full):
        run.advance(6)
    torch.testing.assert_close(fast.snapshot().pred, full.snapshot().pred, rtol=1e-9, atol=1e-12)


def test_hard_constraints_are_rejected_where_there_is_no_boundary_data():
    with pytest.raises(ConfigError, match="hard_bc"):
        Run(RunConfig(problem="inverse", hard_bc=True, steps=1, **SMALL))


def test_weighting_none_and_normalised():
    raw = Run(RunConfig(problem="poisson", weighting="none", steps=1, **SMALL))
    norm = Run(RunConfig(problem="poisson", weighting="normalised", steps=1, **SMALL))
    a, b = raw.problem.losses(raw.net), norm.problem.losses(norm.net)
    assert b["pde"].item() == pytest.approx(a["pde"].item() / norm.problem.f_scale, rel=1e-6)
    assert b["bc"].item() == pytest.approx(a["bc"].item() / norm.problem.u_scale, rel=1e-6)


def test_annealing_weight_is_the_papers_update():
    """Wang, Teng & Perdikaris 2021: lambda <- (1 - alpha) lambda + alpha max|grad L_pde| / mean|grad L_bc|."""
    run = Run(RunConfig(problem="poisson", weighting="annealing", head="init", steps=1, **SMALL))
    params = [p for p in run.net.parameters() if p.requires_grad]
    p, b = run.problem.losses(run.net).values()       # no step begun: raw terms, lambda not yet set
    gp = torch.autograd.grad(p, params, retain_graph=True, allow_unused=True)   # the head bias has no Laplacian
    gb = torch.autograd.grad(b, params)
    lam_hat = max(g.abs().max() for g in gp if g is not None) / torch.cat([g.abs().reshape(-1) for g in gb]).mean()
    run.problem.begin_step(0)
    terms = run.problem.losses(run.net)
    lam = (1 - ANNEAL_ALPHA) * 1.0 + ANNEAL_ALPHA * lam_hat.item()
    assert terms["bc"].item() == pytest.approx(lam * b.item(), rel=1e-5)
    assert run.problem.extra()["weight_bc"] == pytest.approx(lam, rel=1e-5)
    run.advance(1)                                    # and the loop trains with it
    assert math.isfinite(run.snapshot().rel_l2)


def test_protocol_fields_round_trip_and_reject_bad_values():
    cfg = RunConfig(problem="poisson", resample=5, schedule="cosine", weighting="annealing", hard_bc=True,
                    decay_steps=300, decay_rate=0.5, sigmas=(1.0, 12.5, 0.1))
    assert RunConfig.from_query(cfg.to_query())[0] == cfg
    assert RunConfig.from_query({"resample": "auto", "sigmas": ""})[0] == RunConfig()
    for bad in ({"schedule": "linear"}, {"weighting": "max"}, {"resample": "-1"}, {"resample": "1.5"},
                {"sigmas": "1,x"}, {"sigmas": "0,10"}, {"decay_steps": "0"}, {"hard_bc": "maybe"}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            RunConfig.from_query(bad)


def test_a_problem_with_fixed_data_rejects_resampling():
    class FixedData(FunctionProblem):               # no redraw(): its data cannot be drawn again
        pass
    with pytest.raises(UserError, match="resample"):
        FixedData(RunConfig(resample=2, **SMALL), torch.device("cpu"), torch.float32)
    FixedData(RunConfig(resample=0, **SMALL), torch.device("cpu"), torch.float32)


def test_every_problem_is_a_problem_and_the_operator_refuses_resampling_before_loading_records(monkeypatch):
    """One interface: the loop calls it without probing; its one resample check runs before any data are
    built (the earthquake records are never read here: reading them would fail)."""
    from repcore.problems import PROBLEMS, Problem
    from repcore.targets import seismic
    assert all(issubclass(PROBLEMS.get(name), Problem) for name in PROBLEMS)
    monkeypatch.setattr(seismic, "records", lambda which: pytest.fail("records read before the resample check"))
    with pytest.raises(UserError, match="the earthquake problem's training data are fixed; use resample 0"):
        Run(RunConfig(problem="earthquake", resample=1, **SMALL))
