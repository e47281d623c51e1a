"""Building expressions: operators with numbers, NumPy ufuncs, trace, symbols,
variables, combining graphs, bad operands."""

from __future__ import annotations

import keyword
import math
import operator

import numpy as np
import pytest

import graphir as gi
from graphir.build import as_expr

BINARY = [
    (operator.add, "add"),
    (operator.sub, "sub"),
    (operator.mul, "mul"),
    (operator.truediv, "div"),
    (operator.pow, "pow"),
]
NUMBERS = [2, 2.5, np.float64(2.5), np.int64(3), np.float32(0.5), np.int32(-4), True]


def same_node(a: gi.Expr, b: gi.Expr) -> bool:
    return a.ir is b.ir and a.node == b.node


@pytest.mark.parametrize("fn, op", BINARY, ids=[op for _, op in BINARY])
@pytest.mark.parametrize("c", NUMBERS, ids=[f"{type(c).__name__}({c})" for c in NUMBERS])
def test_operators_with_numbers_on_both_sides(fn, op, c):
    x = gi.symbols("x")
    xv = 2.0  # (-4)**x stays real
    right = fn(x, c)
    left = fn(c, x)
    for e in (right, left):
        assert isinstance(e, gi.Expr)
        assert e.op == op
    assert right.args[0].name == "x" and right.args[1].value == float(c)
    assert left.args[0].value == float(c) and left.args[1].name == "x"
    assert right.eval(x=xv) == pytest.approx(fn(xv, float(c)), rel=1e-15)
    assert left.eval(x=xv) == pytest.approx(fn(float(c), xv), rel=1e-15)
    # a number of any type is the same constant node
    assert same_node(right, fn(x, float(c)))
    assert same_node(left, fn(float(c), x))


def test_unary_operators():
    x = gi.symbols("x")
    assert (-x).op == "neg" and (-x).args[0].name == "x"
    assert (+x) is x
    assert abs(x).op == "abs"
    assert same_node(abs(x), gi.abs(x))
    assert same_node(np.negative(x), -x)
    assert same_node(np.abs(x), gi.abs(x))
    assert (-x).eval(x=2) == -2.0


@pytest.mark.parametrize(
    "np_fn, gi_name",
    [
        (np.sin, "sin"), (np.cos, "cos"), (np.tan, "tan"), (np.arcsin, "asin"),
        (np.arccos, "acos"), (np.arctan, "atan"), (np.sinh, "sinh"), (np.cosh, "cosh"),
        (np.tanh, "tanh"), (np.exp, "exp"), (np.log, "log"), (np.sqrt, "sqrt"),
        (np.log1p, "log1p"), (np.expm1, "expm1"), (np.absolute, "abs"),
    ],
)
def test_numpy_ufuncs_build_the_same_node(np_fn, gi_name):
    x = gi.symbols("x")
    e = np_fn(x)
    assert isinstance(e, gi.Expr)
    assert same_node(e, getattr(gi, gi_name)(x))


def test_numpy_binary_ufuncs_and_scalars():
    x, y = gi.symbols("x y")
    assert same_node(np.maximum(x, 2), gi.maximum(x, 2))
    assert same_node(np.minimum(2, x), gi.minimum(2, x))
    assert same_node(np.power(x, y), x**y)
    assert same_node(np.add(x, y), x + y)
    assert same_node(np.float64(2) * x, 2 * x)
    assert same_node(x * np.float64(2), x * 2)
    assert same_node(np.float64(2) - x, 2 - x)
    assert same_node(np.float64(2) / x, 2 / x)
    assert same_node(np.float64(2) ** x, 2**x)
    assert same_node(np.int64(2) + x, 2 + x)
    assert same_node(gi.pow(x, 2), x**2)
    assert same_node(pow(x, 2), x**2)
    # a 0-d array is a number too
    assert same_node(np.array(3.0) * x, 3 * x)


def test_functions_take_numbers():
    e = gi.sin(2)
    assert e.op == "sin" and e.args[0].value == 2.0
    assert e.eval() == math.sin(2)
    assert gi.maximum(1, 3).eval() == 3.0
    assert as_expr(2.5).value == 2.5
    with pytest.raises(TypeError, match="takes 1 argument"):
        gi.sin(1, 2)


def test_trace_names_variables_after_parameters():
    f = gi.trace(lambda alpha, beta: alpha * gi.sin(beta) + alpha)
    assert [v.name for v in f.variables] == ["alpha", "beta"]
    assert f.eval(alpha=2, beta=0.5) == pytest.approx(2 * math.sin(0.5) + 2)

    def g(x1, x2):
        return gi.log(x1) + x1 * x2 - gi.sin(x2)

    e = gi.trace(g)
    x1, x2 = gi.symbols("x1 x2")
    assert e == gi.log(x1) + x1 * x2 - gi.sin(x2)
    assert e.eval(x1=2, x2=5) == pytest.approx(math.log(2) + 10 - math.sin(5))
    pair = gi.trace(lambda u, v: (u + v, u * v))
    assert isinstance(pair, tuple) and [p.op for p in pair] == ["add", "mul"]
    assert gi.trace(lambda u: 3).value == 3.0  # a constant function
    with pytest.raises(ValueError):
        gi.trace(lambda: 1)


@pytest.mark.parametrize(
    "text, names, single",
    [
        ("x y", ["x", "y"], False),
        ("x, y", ["x", "y"], False),
        ("x,y,z", ["x", "y", "z"], False),
        ("  x   y  ", ["x", "y"], False),
        ("x,", ["x"], False),
        ("x", ["x"], True),
        ("theta_1", ["theta_1"], True),
    ],
)
def test_symbols_forms(text, names, single):
    out = gi.symbols(text)
    if single:
        assert isinstance(out, gi.Expr)
        assert out.op == "var" and out.name == names[0]
    else:
        assert isinstance(out, tuple)
        assert [v.name for v in out] == names
        assert all(v.op == "var" for v in out)


def test_symbols_from_a_list_and_bad_names():
    a, b = gi.symbols(["a", "b"])
    assert (a.name, b.name) == ("a", "b")
    for bad in ("1x", "x-y", "x.y"):
        with pytest.raises(ValueError):
            gi.symbols(bad)


def test_variables_in_the_order_they_were_created():
    x, y, z = gi.symbols("x y z")
    assert [v.name for v in (y * x + z).variables] == ["x", "y", "z"]
    assert [v.name for v in (gi.sin(z) + x * z - y).variables] == ["x", "y", "z"]
    assert [v.name for v in ((x + y) * (x + y)).variables] == ["x", "y"]
    assert [v.name for v in gi.maximum(z, x**y).variables] == ["x", "y", "z"]
    assert as_expr(1.0).variables == ()
    assert all(isinstance(v, gi.Expr) for v in (x + y).variables)


def test_combining_graphs_interns_variables_by_name():
    x = gi.symbols("x")
    y = gi.symbols("y")
    x_again = gi.symbols("x")  # another graph, same name
    assert x.ir is not y.ir and x.ir is not x_again.ir
    f = x + y
    assert f.eval(x=2, y=3) == 5.0
    d = x - x_again
    assert d.num_nodes == 2  # one x, one sub
    assert d.args[0].node == d.args[1].node
    assert d.eval(x=7) == 0.0
    big = gi.sin(x) * y + gi.cos(x)
    small = gi.exp(x_again)
    s = small + big  # the smaller graph is copied into the larger
    assert [v.name for v in s.variables] == ["x", "y"]
    assert [n for n, d_ in s.graph.nodes(data=True) if d_["op"] == "var"].__len__() == 2
    assert s.eval(x=0.5, y=2) == pytest.approx(math.exp(0.5) + math.sin(0.5) * 2 + math.cos(0.5))
    # structural equality across graphs, whatever order the nodes were made in
    yb, xb = gi.symbols("y x")
    xa, ya = gi.symbols("x y")
    assert xb * yb == xa * ya
    assert xb * yb != ya * xa
    assert hash(xb * yb) == hash(xa * ya)
    assert gi.sin(gi.symbols("t")) == gi.sin(gi.symbols("t"))
    assert gi.sin(gi.symbols("t")) != gi.cos(gi.symbols("t"))


def test_a_numeric_array_becomes_a_data_constant():
    # (it was a TypeError before expressions held arrays)
    x = gi.symbols("x")
    e = x + np.array([1.0, 2.0])
    assert e.shape == (2,) and e.args[1].op == "data"
    assert e.eval(x=1.0).tolist() == [2.0, 3.0]


@pytest.mark.parametrize(
    "bad",
    ["a", None, [1, 2], (1,), {"x": 1}, 1j, np.array(["a"]), np.array([1j]), object()],
    ids=["str", "None", "list", "tuple", "dict", "complex", "text array", "complex array", "object"],
)
def test_bad_operand_types_raise_type_error(bad):
    x = gi.symbols("x")
    with pytest.raises(TypeError):
        x + bad
    with pytest.raises(TypeError):
        bad * x
    with pytest.raises(TypeError):
        gi.sin(bad)
    with pytest.raises(TypeError):
        gi.maximum(x, bad)


def test_truth_value_is_refused():
    x = gi.symbols("x")
    with pytest.raises(TypeError, match="truth value"):
        bool(x)


def test_expr_properties():
    x, y = gi.symbols("x y")
    f = gi.maximum(x, 2.5) / y
    assert f.op == "div" and f.name is None and f.value is None
    m, yy = f.args
    assert m.op == "maximum" and [a.op for a in m.args] == ["var", "const"]
    assert m.args[1].value == 2.5 and yy.name == "y"
    assert f.num_nodes == 5
    assert isinstance(f.eval(x=1, y=2), float)
    assert repr(f) == "maximum(x, 2.5)/y"


# ------------------------------------------------------------ issue 8: variable names

BAD_NAMES = ["1x", "x-y", "ｘ", "θ", "x\u0301", "sin", "ln", "max", "pow", "pi", "e", "inf", "nan",
             "lambda", "None", "__import__", "__x"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_name_text_cannot_read_back_is_refused_by_symbols_and_trace(name):
    """parse(str(expr)) must give expr back, so a variable is named as text names one."""
    with pytest.raises(gi.ArgumentError, match="is not a valid variable name"):
        gi.symbols([name])
    if name.isidentifier() and name.isascii() and not keyword.iskeyword(name):
        fn = eval(f"lambda {name}: {name}")  # a parameter of that name
        with pytest.raises(gi.ArgumentError, match="is not a valid variable name"):
            gi.trace(fn)


@pytest.mark.parametrize("name", ["x", "x_1", "_x", "alpha", "E", "Pi", "sinx", "exp1", "add", "neg", "log_"])
def test_good_names_round_trip_through_text(name):
    (v,) = gi.symbols([name])
    f = gi.sin(v) * v + 1
    assert gi.parse(str(f)) == f


def test_trace_of_something_that_is_not_a_function():
    with pytest.raises(TypeError, match="trace takes a function"):
        gi.trace(3)
