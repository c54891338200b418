"""Property-based fuzzing (hypothesis) of the target-expression parser and evaluator: no input runs
code, opens files or hangs; every rejection is an ExprError/TargetError with a one-line reason."""
import builtins
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from repcore.targets.expr import FUNCTIONS, ExprError, parse
from repcore.targets import TargetError, resolve

ALPHABET = "x1234567890.+-*/^() eEpisnco_atqrlgbhk'\"[]{},;:=<>!@#$%&|~`\\\t\n"
TOKENS = ["x", "x1", "x2", "x9", "pi", "e", "**", "^", "*", "/", "+", "-", "(", ")", "1", "0", "9", "2.5", "1e308",
          "1e-3", ".5", "__import__", "os", ".", "lambda", "'", "__class__", "open", "eval", *FUNCTIONS]


@contextlib.contextmanager
def sandbox():
    """While parsing and evaluating, running Python source or opening a file fails loudly."""
    def forbidden(*args, **kwargs):
        raise AssertionError("the parser must not run code or open files")
    saved = {name: getattr(builtins, name) for name in ("eval", "exec", "compile", "open")}
    try:
        for name in saved:
            setattr(builtins, name, forbidden)
        yield
    finally:
        for name, fn in saved.items():
            setattr(builtins, name, fn)


def check(text: str) -> None:
    with sandbox():
        try:
            expr = parse(text)
        except ExprError as err:
            msg = str(err)
            assert msg and "\n" not in msg and len(msg) < 300
            return
        y = expr(np.linspace(0, 1, 64)[:, None].repeat(max(expr.dim, 1), 1))
    assert y.shape == (64,)                                     # evaluates (possibly to inf/nan), never raises


FUZZ = settings(max_examples=400, deadline=250)


@FUZZ
@given(st.text(alphabet=ALPHABET, max_size=120))
def test_random_text_is_parsed_or_rejected_quickly(text):
    check(text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_random_token_soup_is_parsed_or_rejected_quickly(tokens):
    check("".join(tokens))
    check(" ".join(tokens))


@st.composite
def expressions(draw, depth=0):
    """Well-formed expressions from the documented grammar (bounded depth)."""
    if depth > 4 or draw(st.booleans()):
        return draw(st.sampled_from(["x", "pi", "e", "2", "0.5", "3"]))
    kind = draw(st.sampled_from(["bin", "call", "neg", "pow"]))
    if kind == "bin":
        return f"({draw(expressions(depth + 1))} {draw(st.sampled_from('+-*/'))} {draw(expressions(depth + 1))})"
    if kind == "call":
        return f"{draw(st.sampled_from(FUNCTIONS))}({draw(expressions(depth + 1))})"
    if kind == "neg":
        return f"-{draw(expressions(depth + 1))}"
    return f"({draw(expressions(depth + 1))})**{draw(st.integers(-3, 3))}"


@FUZZ
@given(expressions())
def test_grammar_expressions_parse_and_resolve_or_say_why(text):
    parse(text)                                                # the grammar is accepted
    try:
        target = resolve(text)
    except TargetError as err:                                 # constant, non-finite or huge on the domain
        assert any(w in str(err) for w in ("not finite", "exceeds", "constant"))
        return
    y = target(np.linspace(0, 1, 101)[:, None])
    assert np.isfinite(y).all() and np.abs(y).max() <= 1e8


@pytest.mark.parametrize("text", ["exp(exp(exp(x)))*1e308", "1/(x-x)", "log(0*x)", "sqrt(-1-x)", "tan(pi/2+0*x)*1e300*1e300"])
def test_overflow_and_non_finite_values_get_a_clear_message(text):
    with pytest.raises(TargetError) as err:
        resolve(text)
    assert "on the domain" in str(err.value)


def test_the_sandbox_itself_catches_code_execution():
    with sandbox(), pytest.raises(AssertionError, match="must not run code"):
        eval("1 + 1")
