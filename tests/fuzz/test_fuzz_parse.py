"""Fuzzing gi.parse: any text gives an expression or a ParseError (nothing else, in bounded
time), and what parses prints back to text that parses to the same values (issue 8,
findings 3 and 10)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import graphir as gi
from graphir.printing import to_text
from tests.fuzz.common import any_texts, budget, result_or_error, same_value, time_limit
from tests.strategies import VARIABLES, wild_points, wild_recipes


def values(e: gi.Expr, point: dict[str, float]) -> float:
    """The value of ``e`` at ``point`` (names ``e`` lacks are ignored; missing ones get 0.5)."""
    names = [v.name for v in e.variables]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return e.eval({n: point.get(n, 0.5) for n in names})


def assert_reads_back(e: gi.Expr, point: dict[str, float]) -> None:
    """parse(str(e)) is e's graph, and gives e's value at ``point`` bit for bit (or nan)."""
    text = to_text(e)
    back = gi.parse(text)
    assert back == e, f"{text!r} reads back as {to_text(back)!r}"
    a, b = values(e, point), values(back, point)
    assert same_value(a, b), f"{text!r}: {a!r} before printing, {b!r} after"


def parse_or_error(text: str) -> gi.Expr | None:
    """parse(text), or None for a ParseError; anything else fails the test (so does > 5 s)."""
    return result_or_error(gi.parse, text, gi.ParseError)


@budget(ci=300)
@given(any_texts(), wild_points())
def test_any_text_parses_or_is_a_parse_error(text, point):
    e = parse_or_error(text)
    if e is not None:
        assert_reads_back(e, point)


@budget(ci=300)
@given(wild_recipes(), wild_points())
def test_printing_then_parsing_gives_the_same_values(recipe, point):
    """nan, infinities, signed zeros, extreme and negative constants anywhere, powers of
    negatives, chains of unary minus: the text is the same graph, with the same values."""
    assert_reads_back(recipe.to_expr(), point)


@budget(ci=15, fuzz=1_000)
@given(st.integers(1, 10**5), st.sampled_from(["+", "-", "*", "^", "/"]))
def test_long_sums_and_deep_nesting_parse_in_bounded_time(n, op):
    with time_limit(20.0, f"{n} terms"):
        e = gi.parse(op.join(["x"] * n))
        assert e.num_nodes >= 1
        e = gi.parse("(" * (n % 10**4) + "x" + ")" * (n % 10**4))
        assert e.name == "x"
        assert parse_or_error("(" * (n % 10**4 + 1) + "x") is None


@pytest.mark.parametrize(
    "text",
    [
        "+".join(f"x{k}" for k in range(10**5)),
        "(" * 10**4 + "x" + ")" * 10**4,
        "sin(" * 10**4 + "x" + ")" * 10**4,
        "-" * 10**5 + "x",
        "x^" * 10**4 + "2",
        "(" * 10**4,
    ],
    ids=["1e5-terms", "1e4-parens", "1e4-calls", "1e5-minus", "1e4-powers", "1e4-unclosed"],
)
def test_huge_inputs_parse_and_print_back(text):
    with time_limit(30.0, text[:20]):
        e = parse_or_error(text)
        if e is not None:
            assert_reads_back(e, dict.fromkeys(VARIABLES, 0.5))
