"""gi.parse: the examples of the user guide (docs/index.md), precedence, errors with their column,
hostile text, very long and very deep input, and a round trip through to_text."""

from __future__ import annotations

import builtins
import dataclasses
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import graphir as gi
from graphir.build import as_expr
from graphir.parser import parse
from graphir.primitives import ATOM, POW, PRIMITIVES
from graphir.printing import to_text
from tests.strategies import points, recipes


def same(a: gi.Expr, b: gi.Expr) -> None:
    """Same structure (text and graph) and same value at a point."""
    assert to_text(a) == to_text(b)
    assert a == b
    pt = {"x": 0.7, "y": 1.3, "z": 2.1, "x1": 2.0, "x2": 5.0}
    assert a.eval(pt) == b.eval(pt)


# ---------------------------------------------------------------- the user guide's examples


def test_baydin_text_is_the_operator_built_expression():
    x1, x2 = gi.symbols("x1 x2")
    built = gi.log(x1) + x1 * x2 - gi.sin(x2)
    parsed = gi.parse("ln(x1) + x1*x2 - sin(x2)")
    same(parsed, built)
    assert to_text(parsed) == "log(x1) + x1*x2 - sin(x2)"
    assert parsed.op == "sub" and parsed.args[0].op == "add"
    assert parsed.eval(x1=2, x2=5) == pytest.approx(math.log(2) + 10 - math.sin(5), rel=1e-15)
    assert [v.name for v in parsed.variables] == ["x1", "x2"]


def test_power_operators():
    x = gi.symbols("x")
    same(parse("x^2"), x**2)
    same(parse("x**2"), x**2)
    assert parse("2^3^2").eval() == 512.0
    assert parse("2**3**2").eval() == 512.0
    assert parse("(2^3)^2").eval() == 64.0
    same(parse("x^y^z"), parse("x^(y^z)"))
    assert parse("x^y^z") != parse("(x^y)^z")
    same(parse("pow(x, 2)"), x**2)
    same(parse("power(x, 2)"), x**2)


def test_unary_minus_and_power():
    x = gi.symbols("x")
    e = parse("-x**2")
    same(e, -(x**2))
    assert e.op == "neg" and e.args[0].op == "pow"
    assert e.eval(x=3) == -9.0
    assert parse("-2**2").eval() == -4.0
    assert parse("(-2)**2").eval() == 4.0
    assert parse("2**-1").eval() == 0.5
    same(parse("x**-y"), x ** (-gi.symbols("y")))
    same(parse("-x*y"), (-x) * gi.symbols("y"))
    minus_x = -x
    same(parse("--x"), -minus_x)
    same(parse("+x"), x)


def test_negative_numbers_are_constants_and_neg_of_a_number_is_kept():
    assert parse("-2").op == "const" and parse("-2").value == -2.0
    assert parse("- 2.5").value == -2.5
    zero = parse("-0")
    assert zero.op == "const" and math.copysign(1.0, zero.value) == -1.0
    same(parse("-2*x"), -2 * gi.symbols("x"))
    e = parse("-(2)")
    assert e.op == "neg" and e.args[0].value == 2.0
    same(e, -as_expr(2))
    assert parse("-2^x").op == "neg"  # -(2^x), as in Python


@pytest.mark.parametrize(
    "text, value",
    [
        ("1e-3", 1e-3), ("1E3", 1000.0), ("1.5e+2", 150.0), (".5", 0.5), ("5.", 5.0),
        ("0.001", 0.001), ("12345678901234567890", 12345678901234567890.0), ("pi", math.pi),
        ("e", math.e), ("2*pi", 2 * math.pi), ("e^2", math.e**2),
    ],
)
def test_numbers_and_constants(text, value):
    assert parse(text).eval() == value


def test_every_function_and_alias_of_the_registry():
    x, y = gi.symbols("x y")
    for p in PRIMITIVES.values():
        if p.user or not p.in_text:
            continue  # (array operations are not written in text)
        names = [p.name, *p.aliases]
        if p.is_infix and not p.function_syntax:
            continue  # add, sub, mul, div, neg are operators only
        operands = "x, y" if p.arity == 2 else "x"
        for name in names:
            e = parse(f"{name}({operands})")
            assert e.op == p.name, name
            assert [a.name for a in e.args] == ["x", "y"][: p.arity]
    same(parse("ln(x)"), gi.log(x))
    same(parse("max(x, y)"), gi.maximum(x, y))
    same(parse("arctan(x)"), gi.atan(x))


def test_whitespace_and_nesting():
    x, y = gi.symbols("x y")
    same(parse("  sin ( x )*  y "), gi.sin(x) * y)
    same(parse("x - (y - x)"), x - (y - x))
    same(parse("x - y - x"), (x - y) - x)
    same(parse("x / y / x"), (x / y) / x)
    same(parse("x / (y * x)"), x / (y * x))
    same(parse("maximum(sin(x), -y)"), gi.maximum(gi.sin(x), -y))
    same(parse("2*(x+y)"), 2 * (x + y))  # the CLI's --claim example


# ---------------------------------------------------------------- operators come from their records

BINARY = [(symbol, p) for p in PRIMITIVES.values() if p.arity == 2 for symbol in p.infix]


def test_every_infix_symbol_of_the_registry_parses_to_its_record():
    infix = [p for p in PRIMITIVES.values() if p.infix]
    assert {p.name: p.infix for p in infix} == {
        "add": ("+",), "sub": ("-",), "mul": ("*",), "div": ("/",), "neg": ("-",), "pow": ("**", "^"),
    }
    for p in infix:
        assert p.prec != ATOM and p.is_infix
        for symbol in p.infix:
            e = parse(f"x {symbol} y") if p.arity == 2 else parse(f"{symbol}x")
            assert e.op == p.name and [a.name for a in e.args] == ["x", "y"][: p.arity]
    assert not any(p.is_infix for p in PRIMITIVES.values() if p.prec == ATOM)


@pytest.mark.parametrize("first", BINARY, ids=[s for s, _ in BINARY])
@pytest.mark.parametrize("second", BINARY, ids=[s for s, _ in BINARY])
def test_precedence_and_associativity_come_from_the_records(first, second):
    (s1, p1), (s2, p2) = first, second
    e = parse(f"x {s1} y {s2} z")
    first_binds = p1.prec > p2.prec or (p1.prec == p2.prec and p2.assoc == "left")
    if first_binds:  # (x s1 y) s2 z
        assert e.op == p2.name and e.args[0].op == p1.name and e.args[1].name == "z"
    else:  # x s1 (y s2 z)
        assert e.op == p1.name and e.args[0].name == "x" and e.args[1].op == p2.name
    neg = PRIMITIVES["neg"]
    e = parse(f"-x {s1} y")
    if neg.prec > p1.prec:  # (-x) s1 y
        assert e.op == p1.name and e.args[0].op == "neg"
    else:  # -(x s1 y)
        assert e.op == "neg" and e.args[0].op == p1.name


def test_the_values_of_precedence_and_associativity():
    assert parse("2^3^2").eval() == 512.0
    assert parse("2-3-4").eval() == -5.0
    assert parse("-2^2").eval() == -4.0
    assert parse("2/4/2").eval() == 0.25
    assert parse("1+2*3^2").eval() == 19.0
    assert parse("-2*3").eval() == -6.0


def test_the_parser_reads_a_changed_record(monkeypatch):
    x, y, z = gi.symbols("x y z")
    add = PRIMITIVES["add"]
    monkeypatch.setitem(PRIMITIVES, "add", dataclasses.replace(add, prec=POW, assoc="right"))
    e = parse("x*y+z")
    assert e.op == "mul" and e.args[1].op == "add"
    e = parse("x+y+z")
    assert e.op == "add" and e.args[0].name == "x" and e.args[1].op == "add"
    monkeypatch.setitem(PRIMITIVES, "add", dataclasses.replace(add, infix=("+", "&")))
    assert parse("x & y") == x + y
    assert parse("z") == z


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text, column, message",
    [
        ("sin(", 5, "expected an expression"),
        ("", 1, "expected an expression"),
        ("x +", 4, "expected an expression"),
        ("x * * y", 5, "expected an expression"),
        ("2x y", 2, "expected an operator"),
        ("x y", 3, "expected an operator"),
        ("2 (x)", 3, "expected an operator"),
        ("foo(x)", 1, "unknown function 'foo'"),
        ("x + bar(1, 2)", 5, "unknown function 'bar'"),
        ("sin(x, y)", 1, "sin takes 1 argument"),
        ("maximum(x)", 1, "maximum takes 2 arguments"),
        ("exp(x, y, 2)", 1, "takes 1 argument"),
        ("(x + 1", 7, "expected ')'"),
        ("sin(x", 6, "expected ')'"),
        ("x + 1)", 6, "unmatched ')'"),
        ("((x)))", 6, "unmatched ')'"),
        ("sin()", 5, "expected an expression"),
        ("sin x", 1, "needs its arguments in parentheses"),
        ("x, y", 2, "','"),
        ("x $ y", 3, "not allowed"),
        ("x == y", 3, "not allowed"),
    ],
)
def test_errors_name_their_column(text, column, message):
    with pytest.raises(gi.ParseError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        parse(text)
    assert info.value.column == column
    assert isinstance(info.value.expected, str) and info.value.expected
    assert isinstance(info.value, ValueError)  # ParseError is a ValueError


def test_sin_open_paren_message():
    with pytest.raises(gi.ParseError) as info:
        gi.parse("sin(")
    assert info.value.column == 5
    assert "expected an expression" in str(info.value)
    assert "column 5" in str(info.value)


def test_non_text_is_refused():
    with pytest.raises(gi.ParseError):
        parse(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch F')",
        "__import__",
        "x.__class__",
        "(lambda: 1)()",
        "lambda: 1",
        "open('F', 'w')",
        "exec('1')",
        "eval('1')",
        "x; __import__('os').system('touch F')",
        "[x for x in ()]",
        "x[0]",
        "'F'",
        "x if y else z",
        "x = 1",
        "getattr(x, 'y')",
        "__builtins__",
        "x.real",
        "not x",
        "sin.__globals__",
    ],
)
def test_hostile_text_is_refused(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(gi.ParseError):
        parse(text)
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path / "F").exists()


def test_parse_never_calls_eval_or_exec(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("parse must not call eval/exec/compile")

    for name in ("eval", "exec", "compile", "__import__"):
        monkeypatch.setattr(builtins, name, refuse)
    e = parse("ln(x1) + x1*x2 - sin(x2) + 2^x1 - maximum(x1, 1e-3)")
    monkeypatch.undo()
    assert e.op == "sub"


# ---------------------------------------------------------------- size


def test_a_ten_thousand_term_sum():
    n = 10_000
    text = " + ".join(f"{k % 7}*x" for k in range(n))
    e = parse(text)
    assert e.op == "add"
    assert e.eval(x=1.0) == float(sum(k % 7 for k in range(n)))
    # left nested: (((t0 + t1) + t2) + ...)
    assert e.args[1].op == "mul" and e.args[0].op == "add"
    assert e.num_nodes > n


def test_a_thousand_nested_parentheses_and_calls():
    assert parse("(" * 1000 + "x" + ")" * 1000) == gi.symbols("x")
    depth = 1000
    e = parse("sin(" * depth + "x" + ")" * depth)
    v = 0.3
    for _ in range(depth):
        v = math.sin(v)
    assert e.eval(x=0.3) == v
    e = parse("-(" * depth + "x" + ")" * depth)
    assert e.eval(x=1.0) == 1.0  # an even number of minus signs
    e = parse("x^" * 1000 + "2")  # right associative: x^(x^(...^2))
    assert e.op == "pow" and e.args[0].name == "x" and e.args[1].op == "pow"
    assert e.eval(x=1.0) == 1.0 and e.num_nodes == 1002


# ---------------------------------------------------------------- round trip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(max_ops=7), points())
def test_round_trip_through_to_text(recipe, point):
    e = recipe.to_expr()
    text = to_text(e)
    back = parse(text)
    assert to_text(back) == text
    assert back == e
    # the fully parenthesised text of the recipe is the same graph too
    assert parse(recipe.to_text()) == e
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_equal(back.eval(point), e.eval(point))


# ---------------------------------------------------------------- inf and nan (issue 8, finding 3)


@pytest.mark.parametrize(
    ("text", "value"),
    [("inf", math.inf), ("-inf", -math.inf), ("nan", math.nan), ("-nan", math.nan),
     ("Inf", math.inf), ("INF", math.inf), ("Infinity", math.inf), ("infinity", math.inf),
     ("NaN", math.nan), ("NAN", math.nan), ("2*inf", math.inf), ("inf - inf", math.nan)],
)
def test_inf_and_nan_are_constants_in_every_spelling_float_reads(text, value):
    e = parse(text)
    assert not e.variables
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = e.eval()
    assert (math.isnan(v) and math.isnan(value)) or v == value


def test_minus_inf_is_one_constant_like_minus_two():
    assert parse("-inf").op == "const" and parse("-inf").value == -math.inf
    assert parse("-(inf)").op == "neg"  # as "-(2)" keeps its neg node
    assert parse("-inf**x").op == "neg"  # the minus applies to the power


def test_a_claim_with_nan_samples_no_variable_called_nan():
    e = parse("w*2 - nan")
    assert [v.name for v in e.variables] == ["w"]


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, -0.0, 1e308, 5e-324, -math.pi])
def test_special_constants_print_and_parse_back_to_the_same_graph(value):
    x = gi.symbols("x")
    c = as_expr(value)
    for e in (c, -c, x * c, c - x, c**x, x**c, gi.sin(c), c.__neg__().__neg__(), x - (-c)):
        text = to_text(e)
        back = parse(text)
        assert back == e, (text, to_text(back))
        assert to_text(back) == text
