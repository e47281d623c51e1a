"""Derivatives at points where the function is not differentiable (docs/derivatives.md).

* ``abs'(0) = 0``: the midpoint of the subdifferential ``[-1, 1]`` (``sign(0) = 0``);
  it agrees with ``abs(x) = maximum(x, -x)`` under the tie rule below.
* ``maximum``/``minimum`` at a tie give each operand 1/2 (``heaviside(0) = 1/2``),
  so ``maximum(x, x)`` has derivative exactly 1, as in JAX.
* ``sqrt'(0) = inf`` (the one-sided limit), with an :class:`graphir.EvalWarning`.
* ``sign`` and ``heaviside`` have derivative 0 everywhere (also at 0).

The same conventions hold in forward and reverse mode and at second order.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import graphir as gi

MODES = ("forward", "reverse")


def quiet_eval(e: gi.Expr, **at):
    """Evaluate and fail on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return e.eval(**at)


@pytest.mark.parametrize("mode", MODES)
def test_abs_derivative_at_zero_is_zero(mode):
    x = gi.symbols("x")
    d = gi.diff(gi.abs(x), x, mode=mode)
    assert quiet_eval(d, x=0.0) == 0.0
    assert quiet_eval(d, x=-0.0) == 0.0
    assert quiet_eval(d, x=2.5) == 1.0
    assert quiet_eval(d, x=-1e-300) == -1.0
    assert quiet_eval(gi.diff(gi.abs(x), x, x, mode=mode), x=0.0) == 0.0


@pytest.mark.parametrize("mode", MODES)
def test_abs_agrees_with_maximum_of_x_and_minus_x(mode):
    x = gi.symbols("x")
    d_abs = gi.diff(gi.abs(x), x, mode=mode)
    d_max = gi.diff(gi.maximum(x, -x), x, mode=mode)
    for v in (-2.0, -0.0, 0.0, 0.5):
        assert quiet_eval(d_abs, x=v) == quiet_eval(d_max, x=v)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_max_min_tie_splits_half_half(fn, mode):
    x, y = gi.symbols("x y")
    f = getattr(gi, fn)(x, y)
    dx, dy = gi.grad(f, mode=mode)
    assert quiet_eval(dx, x=1.5, y=1.5) == 0.5
    assert quiet_eval(dy, x=1.5, y=1.5) == 0.5
    # away from the tie, all to the chosen operand
    bigger_x = {"maximum": (1.0, 0.0), "minimum": (0.0, 1.0)}[fn]
    assert (quiet_eval(dx, x=2.0, y=1.0), quiet_eval(dy, x=2.0, y=1.0)) == bigger_x
    assert (quiet_eval(dx, x=1.0, y=2.0), quiet_eval(dy, x=1.0, y=2.0)) == bigger_x[::-1]
    # a tie of an operand with itself: the halves add up to the true derivative 1
    same = gi.diff(getattr(gi, fn)(x, x), x, mode=mode)
    assert quiet_eval(same, x=-0.7) == 1.0
    # second order is 0 everywhere (heaviside is piecewise constant)
    assert quiet_eval(gi.diff(f, x, y, mode=mode), x=1.0, y=1.0) == 0.0


@pytest.mark.parametrize("mode", MODES)
def test_relu_at_zero_is_one_half(mode):
    x = gi.symbols("x")
    d = gi.diff(gi.maximum(x, 0.0), x, mode=mode)
    np.testing.assert_array_equal(d.eval(x=np.array([-1.0, 0.0, 1.0])), [0.0, 0.5, 1.0])


@pytest.mark.parametrize("mode", MODES)
def test_sqrt_derivative_at_zero_is_inf_with_warning(mode):
    x = gi.symbols("x")
    d = gi.diff(gi.sqrt(x), x, mode=mode)
    with pytest.warns(gi.EvalWarning, match="divide by zero"):
        v = d.eval(x=0.0)
    assert v == math.inf
    assert quiet_eval(d, x=4.0) == 0.25
    # the one-sided difference quotient grows without bound
    assert all((math.sqrt(h) - 0.0) / h > 1 / (2 * math.sqrt(h)) - 1e-9 for h in (1e-2, 1e-8, 1e-16))


@pytest.mark.parametrize("mode", MODES)
def test_sqrt_of_square_at_zero_is_nan_with_warning(mode):
    # chain rule: sqrt'(0) * d(x*x)/dx = inf * 0 -> nan; documented, as in JAX
    x = gi.symbols("x")
    d = gi.diff(gi.sqrt(x * x), x, mode=mode)
    with pytest.warns(gi.EvalWarning):
        v = d.eval(x=0.0)
    assert math.isnan(v)
    assert quiet_eval(d, x=-3.0) == -1.0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn", ["sign", "heaviside"])
def test_step_functions_have_zero_derivative(fn, mode):
    x = gi.symbols("x")
    f = getattr(gi, fn)(x)
    d = gi.diff(f, x, mode=mode)
    for v in (-1.0, 0.0, 2.0):
        assert quiet_eval(d, x=v) == 0.0


def test_heaviside_at_zero_is_one_half():
    x = gi.symbols("x")
    f = gi.heaviside(x)
    np.testing.assert_array_equal(f.eval(x=np.array([-1.0, 0.0, 1.0])), [0.0, 0.5, 1.0])


def test_conventions_agree_with_jax_where_jax_is_installed():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x, y = gi.symbols("x y")
    gmax = [float(v) for v in jax.grad(jnp.maximum, argnums=(0, 1))(1.0, 1.0)]
    ours = [d.eval(x=1.0, y=1.0) for d in gi.grad(gi.maximum(x, y))]
    assert ours == gmax == [0.5, 0.5]
    with pytest.warns(gi.EvalWarning):
        ours_sqrt = gi.diff(gi.sqrt(x), x).eval(x=0.0)
    assert ours_sqrt == float(jax.grad(jnp.sqrt)(0.0)) == math.inf
    # abs: JAX picks the right derivative 1 at 0; graphir the midpoint 0 (see docs/derivatives.md)
    assert float(jax.grad(jnp.abs)(0.0)) == 1.0
    assert gi.diff(gi.abs(x), x).eval(x=0.0) == 0.0


def test_docs_derivatives_examples_run():
    """docs/derivatives.md shows real outputs: run its examples as a doctest."""
    import doctest
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "docs" / "derivatives.md"
    result = doctest.testfile(
        str(path), module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 30
    assert result.failed == 0
