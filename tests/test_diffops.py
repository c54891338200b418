"""Derivative operators against analytic derivatives."""
import math

import pytest
import torch

from repcore.problems.diffops import grad, laplace


def _x(n=50, d=1, seed=0):
    return (torch.rand(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 2 - 1).requires_grad_(True)


def test_grad_of_a_sine():
    x = _x()
    assert torch.allclose(grad(torch.sin(3 * x[:, 0]), x)[:, 0], 3 * torch.cos(3 * x[:, 0]), atol=1e-12)


def test_second_derivative_of_the_multiscale_solution():
    x = _x(200)
    u = torch.sin(2 * math.pi * x[:, 0]) + 0.1 * torch.sin(50 * math.pi * x[:, 0])
    exact = -(2 * math.pi) ** 2 * torch.sin(2 * math.pi * x[:, 0]) - 0.1 * (50 * math.pi) ** 2 * torch.sin(50 * math.pi * x[:, 0])
    assert torch.allclose(laplace(u, x), exact, rtol=1e-10, atol=1e-8)


@pytest.mark.parametrize("d", [2, 3])
def test_laplacian_of_a_product_of_sines(d):
    x = _x(100, d)
    k = torch.arange(1, d + 1, dtype=torch.float64)
    u = torch.prod(torch.sin(k * math.pi * x), 1)
    assert torch.allclose(laplace(u, x), -(math.pi ** 2) * (k ** 2).sum() * u, atol=1e-9)


def test_laplacian_of_a_network_matches_finite_differences():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).double()
    x = _x(20, 2)
    lap = laplace(net(x)[:, 0], x)
    h, xd = 1e-4, x.detach()
    fd = sum((net(xd + h * e) - 2 * net(xd) + net(xd - h * e))[:, 0] / h ** 2 for e in torch.eye(2, dtype=torch.float64))
    assert torch.allclose(lap, fd, atol=1e-5)


def test_results_keep_the_graph_for_training():
    x = _x()
    w = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    loss = laplace(torch.sin(w * x[:, 0]), x).pow(2).mean()
    loss.backward()
    assert w.grad is not None and torch.isfinite(w.grad)
