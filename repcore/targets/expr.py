"""Safe target expressions: a whitelist parser and evaluator, no Python eval anywhere.

Grammar (precedence as in Python; `^` is accepted as a synonym for `**`):
    expr  := term (('+' | '-') term)*
    term  := unary (('*' | '/') unary)*
    unary := ('-' | '+') unary | power
    power := atom (('**' | '^') unary)?          right-associative
    atom  := NUMBER | NAME | FUNC '(' expr ')' | '(' expr ')'
NAME is x, x1..x8 (x is x1), pi or e. FUNC is one of FUNCTIONS. Size, nesting and constant
exponents are bounded (LIMITS) so that no input can hang the parser or the evaluator. Every rejection
is an ExprError whose message says what is wrong and at which column (1-based).

A parsed expression is a tree of tuples; `evaluate` runs it on NumPy arrays or torch tensors (the
latter keeps autograd, which PINN forcing terms need).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import UserError

FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "sign")
CONSTANTS = {"pi": math.pi, "e": math.e}
MAX_DIM = 8
LIMITS = {"chars": 400, "nodes": 200, "nesting": 25, "exponent": 64.0}

_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/^()]))")


class ExprError(UserError):
    """A rejected expression; str() is one line meant for the user."""


@dataclass(frozen=True)
class Expr:
    """A parsed expression: `tree` for evaluation, `dim` = highest input index used (>= 1)."""
    text: str
    tree: tuple
    dim: int

    def __call__(self, x):
        """x: array or tensor [n, d] with d >= dim. Returns [n]."""
        return evaluate(self.tree, x)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise ExprError(f"unexpected character {text[col - 1]!r} at column {col}")
        kind = "num" if m.group(1) else "name" if m.group(2) else "op"
        out.append((kind, m.group(m.lastindex), m.start(m.lastindex) + 1))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0
        self.nodes = 0
        self.depth = 0
        self.dim = 0
        self.end_col = len(text) + 1

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "", self.end_col)

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if value is not None and tok[1] != value:
            found = "the end" if tok[0] == "end" else repr(tok[1])
            raise ExprError(f"expected {value!r} at column {tok[2]}, found {found}")
        self.i += 1
        return tok

    def node(self, *parts) -> tuple:
        self.nodes += 1
        if self.nodes > LIMITS["nodes"]:
            raise ExprError(f"expression is too large (more than {LIMITS['nodes']} operations)")
        return parts

    def expr(self) -> tuple:
        self.depth += 1
        if self.depth > LIMITS["nesting"]:
            raise ExprError(f"expression is nested too deeply (limit {LIMITS['nesting']}) at column {self.peek()[2]}")
        left = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            left = self.node(op, left, self.term())
        self.depth -= 1
        return left

    def term(self) -> tuple:
        left = self.unary()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            left = self.node(op, left, self.unary())
        return left

    def unary(self) -> tuple:
        if self.peek()[1] in ("-", "+"):
            op = self.take()[1]
            self.depth += 1
            if self.depth > LIMITS["nesting"]:
                raise ExprError(f"expression is nested too deeply (limit {LIMITS['nesting']})")
            inner = self.unary()
            self.depth -= 1
            return self.node("neg", inner) if op == "-" else inner
        return self.power()

    def power(self) -> tuple:
        base = self.atom()
        if self.peek()[1] in ("**", "^"):
            col = self.take()[2]
            exponent = self.unary()
            value = _constant(exponent)
            if value is not None and not abs(value) <= LIMITS["exponent"]:
                raise ExprError(f"the exponent after column {col} is {value:g}: too large (limit {LIMITS['exponent']:g})")
            return self.node("**", base, exponent)
        return base

    def atom(self) -> tuple:
        kind, text, col = self.take()
        if kind == "num":
            return self.node("num", float(text))
        if text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if kind == "name":
            return self.name(text, col)
        found = "the end of the expression" if kind == "end" else f"{text!r} at column {col}"
        raise ExprError(f"expected a number, a name or '(' but found {found}")

    def name(self, text: str, col: int) -> tuple:
        if text in FUNCTIONS:
            if self.peek()[1] != "(":
                raise ExprError(f"function {text!r} at column {col} needs parentheses, e.g. {text}(x)")
            self.take("(")
            arg = self.expr()
            self.take(")")
            return self.node("call", text, arg)
        if text in CONSTANTS:
            return self.node("num", CONSTANTS[text])
        m = re.fullmatch(r"x([1-9]?)", text)
        if m:
            index = int(m.group(1) or 1)
            if index > MAX_DIM:
                raise ExprError(f"input {text!r} at column {col}: at most {MAX_DIM} inputs")
            self.dim = max(self.dim, index)
            return self.node("var", index - 1)
        allowed = ", ".join(("x, x1..x8", *CONSTANTS, *FUNCTIONS))
        raise ExprError(f"unknown name {text!r} at column {col}; allowed: {allowed}")


def _constant(tree: tuple) -> float | None:
    """The value of a subtree without inputs (for the exponent bound), else None. Float
    arithmetic cannot hang: an overflow just gives inf, which the bound then rejects."""
    if _uses_input(tree):
        return None
    return float(evaluate(tree, np.zeros((1, 1)))[0])


def _uses_input(tree: tuple) -> bool:
    return tree[0] == "var" or any(isinstance(t, tuple) and _uses_input(t) for t in tree[1:])


def parse(text: str) -> Expr:
    """Parse `text` or raise ExprError with a one-line reason."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("expression is empty")
    if len(text) > LIMITS["chars"]:
        raise ExprError(f"expression is too long ({len(text)} characters, limit {LIMITS['chars']})")
    p = _Parser(text)
    tree = p.expr()
    kind, tok, col = p.peek()
    if kind != "end":
        raise ExprError(f"unexpected {tok!r} at column {col}")
    return Expr(text.strip(), tree, max(p.dim, 1))


_BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
           "/": lambda a, b: a / b, "**": lambda a, b: a ** b}


def evaluate(tree: tuple, x):
    """Evaluate a parsed tree on x ([n, d] NumPy array or torch tensor); returns [n]."""
    lib = torch if isinstance(x, torch.Tensor) else np
    op = tree[0]
    if op == "num":
        return tree[1] + 0 * x[:, 0]  # broadcast a constant to [n], same type as x
    if op == "var":
        return x[:, tree[1]]
    if op == "neg":
        return -evaluate(tree[1], x)
    with np.errstate(all="ignore"):   # overflow / domain errors become inf / nan, checked by the caller
        if op == "call":
            return getattr(lib, tree[1])(evaluate(tree[2], x))
        return _BINARY[op](evaluate(tree[1], x), evaluate(tree[2], x))
