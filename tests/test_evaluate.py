"""Numeric evaluation: scalars, arrays and broadcasting, ways to give values,
missing variables, and the EvalWarning for nan/inf produced from finite inputs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import graphir as gi
from graphir.build import as_expr
from graphir.passes.evaluate import evaluate, values_of_nodes


def baydin():
    x1, x2 = gi.symbols("x1 x2")
    return x1, x2, gi.log(x1) + x1 * x2 - gi.sin(x2)


def test_scalar_value_is_a_float():
    _, _, f = baydin()
    v = f.eval(x1=2, x2=5)
    assert type(v) is float
    assert v == math.log(2) + 2 * 5 - math.sin(5)
    assert as_expr(3).eval() == 3.0 and type(as_expr(3).eval()) is float


def test_arrays_and_broadcasting():
    x, y = gi.symbols("x y")
    f = x * y + gi.sin(x)
    xs = np.linspace(0.1, 1.0, 3).reshape(3, 1)
    ys = np.array([1.0, 2.0, 3.0, 4.0])
    v = f.eval(x=xs, y=ys)
    assert isinstance(v, np.ndarray) and v.shape == (3, 4)
    np.testing.assert_array_equal(v, xs * ys + np.sin(xs))
    # an array and a scalar; lists count as arrays
    np.testing.assert_array_equal(f.eval(x=[0.5, 1.5], y=2), np.array([0.5, 1.5]) * 2 + np.sin([0.5, 1.5]))
    # integer and boolean inputs are read as floats
    assert f.eval(x=1, y=True) == 1.0 + math.sin(1.0)
    # a constant expression with array inputs is still its number
    assert (x * 0 + 2).eval(x=np.ones(3)).shape == (3,)


def test_values_by_name_by_expr_and_by_keyword():
    x1, x2, f = baydin()
    ref = math.log(2) + 10 - math.sin(5)
    assert f.eval({"x1": 2, "x2": 5}) == ref
    assert f.eval({x1: 2, x2: 5}) == ref
    assert f.eval({x1: 2}, x2=5) == ref
    assert f.eval(x1=2, x2=5) == ref
    # the same variable from another graph works as a key
    assert f.eval({gi.symbols("x1"): 2, "x2": 5}) == ref
    # keywords win over the dict
    assert f.eval({"x1": 100.0}, x1=2, x2=5) == ref
    # extra values are ignored
    assert f.eval(x1=2, x2=5, unused=1) == ref
    with pytest.raises(gi.ArgumentError, match="expected a variable or its name"):
        f.eval({x1 + 1: 2, "x2": 5})
    with pytest.raises(TypeError):
        f.eval({1: 2, "x2": 5})


def test_missing_variable_names_it():
    _, _, f = baydin()
    with pytest.raises(gi.EvalError, match="'x2'"):
        f.eval(x1=2)
    with pytest.raises(gi.EvalError, match="x1"):
        f.eval({"x2": 5})


def test_bad_values_name_the_variable():
    x, y = gi.symbols("x y")
    with pytest.raises(gi.ArgumentError, match="the value of x must be a number, got 'two'"):
        (x + y).eval(x="two", y=1)
    with pytest.raises(gi.ArgumentError, match="the value of y must be a number, got the expression x"):
        (x + y).eval(x=1, y=x)


def test_log_of_negative_warns_with_node_and_formula():
    x = gi.symbols("x")
    f = gi.log(x) + 1
    with pytest.warns(gi.EvalWarning, match=r"node \d+ = log\(x\): invalid value.*gives nan") as rec:
        v = f.eval(x=-1)
    assert math.isnan(v)
    assert len(rec) == 1
    node = f.args[0].node
    assert f"node {node} =" in str(rec[0].message)


def test_division_by_zero_warns_and_gives_inf():
    x = gi.symbols("x")
    f = 1 / x
    with pytest.warns(gi.EvalWarning, match=r"= 1/x: divide by zero.*gives inf"):
        v = f.eval(x=0)
    assert v == math.inf
    with pytest.warns(gi.EvalWarning, match="1/x"):
        a = f.eval(x=np.array([1.0, 0.0, -2.0]))
    np.testing.assert_array_equal(a, [1.0, math.inf, -0.5])


def test_overflow_warns():
    x = gi.symbols("x")
    with pytest.warns(gi.EvalWarning, match=r"exp\(x\): overflow"):
        assert gi.exp(x).eval(x=1000) == math.inf


def test_no_warning_for_finite_results():
    x1, x2, f = baydin()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f.eval(x1=2, x2=5)
        f.eval(x1=np.linspace(0.1, 3, 50), x2=np.linspace(-3, 3, 50))
        gi.exp(x1).eval(x1=-1000)  # underflow to 0 is not a problem
        gi.sigmoid(x1).eval(x1=np.array([-1000.0, 1000.0]))
        # inf in, inf out: nothing is produced by the node
        assert (x1 + 1).eval(x1=math.inf) == math.inf


def test_evaluate_several_outputs_and_complex_inputs():
    x, y = gi.symbols("x y")
    out = evaluate([x * y, x + y, 2.0], {"x": 3, "y": 4})
    assert out == [12.0, 7.0, 2.0]
    # complex input selects the complex-safe implementations (the complex step's own evaluations)
    z = evaluate([gi.abs(x) * x], {"x": -2 + 1e-20j}, complex_step=True)[0]
    assert isinstance(z, complex)
    assert z.real == -4.0 and z.imag == pytest.approx(-4e-20, rel=1e-12)


def test_values_of_nodes_keeps_every_node_or_only_those_asked():
    x1, x2, f = baydin()
    g, order = f.ir, f.order
    env = values_of_nodes(g, order, {"x1": 2.0, "x2": 5.0})
    assert set(env) == set(order)
    assert env[f.args[1].node] == math.sin(5.0)
    only = values_of_nodes(g, order, {"x1": 2.0, "x2": 5.0}, keep=[f.node])
    assert list(only) == [f.node] and only[f.node] == env[f.node]


def test_evaluation_does_not_change_the_inputs():
    x = gi.symbols("x")
    a = np.array([1.0, 2.0])
    before = a.copy()
    v = (x * 2 + gi.sin(x)).eval(x=a)
    np.testing.assert_array_equal(a, before)
    assert v is not a


@pytest.mark.parametrize("op", ["abs", "sign", "heaviside", "maximum", "minimum"])
def test_complex_user_input_to_real_only_primitives_is_refused(op):
    """gi.abs(x).eval(x=3+4j) gave 3+4j (the complex step's extension of abs)."""
    x, y, z = gi.symbols("x y z")
    f = getattr(gi, op)(*[x, y][: gi.PRIMITIVES[op].arity])
    with pytest.raises(gi.EvalError, match=f"{op} takes real numbers only, and x = \\(3\\+4j\\) is complex"):
        f.eval(x=3 + 4j, y=1.0)
    with pytest.raises(gi.EvalError, match="is complex"):
        f.eval(x=np.array([1.0, 2j]), y=1.0)
    with pytest.raises(gi.EvalError, match="takes real numbers only"):
        gi.value_and_grad(f * x, {"x": 3 + 4j, "y": 1.0})
    # a variable that reaches no real-only op may be complex; the complex step is unchanged
    assert (f * gi.exp(z)).eval(x=2.0, y=1.0, z=1j) == pytest.approx(f.eval(x=2.0, y=1.0) * np.exp(1j))
    assert evaluate([f], {"x": 2 + 1e-20j, "y": 1.0}, complex_step=True)[0].real == f.eval(x=2.0, y=1.0)
    d = gi.finite_difference(f * x, {"x": -1.5, "y": 0.5}, method="complex")
    r = gi.value_and_grad(f * x, {"x": -1.5, "y": 0.5})[1]
    assert np.allclose(d, r, rtol=1e-12, atol=1e-15)
