"""The whitelist parser: accepts the documented grammar, rejects everything else with a clear reason."""
import numpy as np
import pytest
import torch

from repcore.targets.expr import ExprError, parse

X = np.array([[0.3, 0.7, -0.2]])


@pytest.mark.parametrize("text, expected", [
    ("sin(2*pi*x) + 0.1*sin(50*pi*x)", np.sin(2 * np.pi * 0.3) + 0.1 * np.sin(50 * np.pi * 0.3)),
    ("-x**2", -0.09),                      # unary minus binds looser than **, as in Python
    ("2^3^2", 512.0),                      # right-associative; ^ is **
    ("x1*x2 + x3", 0.3 * 0.7 - 0.2),
    ("x", 0.3),                            # x is x1
    ("1e-3*x + .5", 0.5003),
    ("abs(x3) + sign(x3) + sqrt(x2) + exp(0) + log(e) + tanh(0) + cosh(0) + sinh(0) + tan(0) + cos(0)",
     0.2 - 1 + np.sqrt(0.7) + 1 + 1 + 0 + 1 + 0 + 0 + 1),
])
def test_evaluates_like_numpy(text, expected):
    assert parse(text)(X)[0] == pytest.approx(expected, rel=1e-12)


def test_dimension_is_the_highest_input_index():
    assert parse("sin(x)").dim == 1
    assert parse("x1 + x4").dim == 4


def test_torch_evaluation_keeps_autograd():
    x = torch.tensor([[0.25]], dtype=torch.float64, requires_grad=True)
    y = parse("sin(2*pi*x)")(x)
    (g,) = torch.autograd.grad(y.sum(), x)
    assert g.item() == pytest.approx(2 * np.pi * np.cos(2 * np.pi * 0.25), abs=1e-12)


@pytest.mark.parametrize("text, message", [
    ("__import__('os')", "unexpected character \"'\" at column 12"),
    ("__import__(x)", "unknown name '__import__' at column 1"),
    ("x.__class__", "unexpected character '.' at column 2"),
    ("lambda: 1", "unexpected character ':' at column 7"),
    ("lambda", "unknown name 'lambda' at column 1"),
    ("9**9**9**9", "too large"),
    ("2**(3*30)", "the exponent after column 2 is 90"),
    ("foo(x)", "unknown name 'foo' at column 1"),
    ("y + 1", "unknown name 'y'"),
    ("x9", "at most 8 inputs"),
    ("", "expression is empty"),
    ("   ", "expression is empty"),
    ("sin x", "function 'sin' at column 1 needs parentheses"),
    ("(x", "expected ')' at column 3, found the end"),
    ("x)", "unexpected ')' at column 2"),
    ("x +", "found the end of the expression"),
    ("x ** * 2", "found '*' at column 6"),
    ("sin(" * 40 + "x" + ")" * 40, "nested too deeply"),
    ("-" * 60 + "x", "nested too deeply"),
    ("x" + "+x" * 250, "too long"),
    ("+".join(["x"] * 199), "too large"),
    ("[x]", "unexpected character '['"),
    ("x; 1", "unexpected character ';'"),
])
def test_rejections_say_what_and_where(text, message):
    with pytest.raises(ExprError) as err:
        parse(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_rejects_non_strings():
    with pytest.raises(ExprError, match="empty"):
        parse(None)
