"""The SymPy bridge on array expressions: entrywise SymPy forms, gradients, simplify, limits."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

import graphir as gi
from graphir.bridges import sympy_calculus as sc
from graphir.bridges import sympy_convert as sb
from graphir.ir import Graph


def symbol_matrix(name: str, shape: tuple[int, ...]) -> sp.Matrix:
    """A SymPy Matrix of the entry symbols ``name[i,j]`` (a column for a vector)."""
    if len(shape) == 1:
        return sp.Matrix(shape[0], 1, [sb.entry_symbol(name, (i,)) for i in range(shape[0])])
    return sp.Matrix(*shape, lambda i, j: sb.entry_symbol(name, (i, j)))


def substitute(obj: object, point: dict[str, np.ndarray]) -> np.ndarray:
    """Float values of a SymPy scalar, Matrix or N-dim array at ``point`` (arrays by entry)."""
    subs = {}
    for name, v in point.items():
        v = np.asarray(v, dtype=float)
        if v.ndim == 0:
            subs[sb.symbol(name)] = float(v)
        for index in np.ndindex(*v.shape) if v.ndim else ():
            subs[sb.entry_symbol(name, index)] = float(v[index])
    if isinstance(obj, sp.MatrixBase):
        return np.array(obj.subs(subs).evalf(30).tolist(), dtype=float)
    if isinstance(obj, sp.NDimArray):
        return np.array(obj.subs(subs).tolist(), dtype=float)
    return np.array(float(sp.sympify(obj).subs(subs).evalf(30)))


# ------------------------------------------------------------------ to_sympy


def test_matmul_is_the_sympy_matrix_product() -> None:
    W = gi.symbols("W", shape=(2, 3))
    x = gi.symbols("x", shape=(3,))
    got = gi.to_sympy(W @ x)
    assert isinstance(got, sp.MatrixBase) and got.shape == (2, 1)
    assert got == symbol_matrix("W", (2, 3)) * symbol_matrix("x", (3,))
    A = gi.symbols("A", shape=(2, 2))
    assert gi.to_sympy(A @ A.T) == symbol_matrix("A", (2, 2)) * symbol_matrix("A", (2, 2)).T


def test_entry_symbols_read_well_and_do_not_clash() -> None:
    s = sb.entry_symbol("W", (0, 1))
    assert str(s) == "W[0,1]" and sp.latex(s) == "W_{0,1}" and s.is_real
    assert sp.latex(sb.entry_symbol("x_1", (2,))) == "{x_{1}}_{2}"
    # A scalar variable of a name an entry might take stays another symbol.
    w, w_0 = gi.symbols("w", shape=(2,)), gi.symbols("w_0")
    assert gi.to_sympy(w[0] - w_0) == sb.entry_symbol("w", (0,)) - sb.symbol("w_0")


def test_data_constants_are_exact() -> None:
    X = gi.constant(np.array([[0.1, 0.5], [3.0, -0.375]]), name="X")
    got = gi.to_sympy(X)
    assert got == sp.Matrix([[sp.Float(0.1, precision=53), sp.Rational(1, 2)], [3, sp.Rational(-3, 8)]])
    assert sp.Rational(got[0, 0]) == sp.Rational(0.1)  # the double itself, every bit


def test_vectors_are_columns_and_three_axes_an_ndim_array() -> None:
    v = gi.symbols("v", shape=(3,))
    assert gi.to_sympy(2 * v) == 2 * symbol_matrix("v", (3,))
    T = gi.symbols("T", shape=(2, 1, 2))
    got = gi.to_sympy(T + 1)
    assert isinstance(got, sp.ImmutableDenseNDimArray) and got.shape == (2, 1, 2)
    assert got[1, 0, 1] == sb.entry_symbol("T", (1, 0, 1)) + 1


def test_scalar_of_arrays_is_one_sympy_expression() -> None:
    x = gi.symbols("x", shape=(3,))
    xs = [sb.entry_symbol("x", (i,)) for i in range(3)]
    assert gi.to_sympy(gi.sum(x * x)) == sum(s**2 for s in xs)
    assert gi.to_sympy(gi.logsumexp(x)) == sp.log(sum(sp.exp(s) for s in xs))


ARRAY_CASES = {
    "matmul 2-D @ 2-D": lambda W, v, M: W @ M,
    "matmul 1-D @ 2-D": lambda W, v, M: v @ M,
    "dot": lambda W, v, M: gi.dot(v, v),
    "sum axis 0": lambda W, v, M: gi.sum(W, axis=0),
    "sum axis 1": lambda W, v, M: gi.sum(W, axis=1),
    "mean": lambda W, v, M: gi.mean(W),
    "transpose": lambda W, v, M: W.T,
    "index": lambda W, v, M: W[1, 2],
    "slices": lambda W, v, M: v[1:] - v[:-1] ** 2,
    "reshape": lambda W, v, M: gi.reshape(W, (3, 2)),
    "broadcast_to": lambda W, v, M: gi.broadcast_to(v, (2, 3)),
    "sum_to": lambda W, v, M: gi.sum_to(W, (1, 3)),
    "logsumexp axis 1": lambda W, v, M: gi.logsumexp(W, axis=1),
    "softmax": lambda W, v, M: gi.softmax(W),
    "softmax axis 0": lambda W, v, M: gi.softmax(W, axis=0),
    "stack": lambda W, v, M: gi.stack([v, 2 * v]),
    "broadcasting": lambda W, v, M: gi.sin(W) * v - gi.exp(v),
}


@pytest.mark.parametrize("case", sorted(ARRAY_CASES))
def test_every_array_operation_matches_numpy_entrywise(case: str) -> None:
    W = gi.symbols("W", shape=(2, 3))
    v = gi.symbols("v", shape=(3,))
    M = gi.symbols("M", shape=(3, 2))
    rng = np.random.default_rng(7)
    point = {"W": rng.normal(size=(2, 3)), "v": rng.normal(size=3), "M": rng.normal(size=(3, 2))}
    e = ARRAY_CASES[case](W, v, M)
    used = {u.name: point[u.name] for u in e.variables}
    want = np.asarray(e.eval(**used), dtype=float)
    got = substitute(gi.to_sympy(e), used)
    assert got.reshape(want.shape) == pytest.approx(want, rel=1e-13, abs=1e-14)


def test_too_many_entries_is_symbolic_too_large() -> None:
    W = gi.symbols("W", shape=(200, 200))
    with pytest.raises(gi.SymbolicTooLarge, match="entries"):
        gi.to_sympy(gi.sum(W))
    x = gi.symbols("x", shape=(30,))
    with pytest.raises(gi.SymbolicTooLarge, match="max_sympy_size=50"):
        gi.to_sympy(gi.sum(x * x), max_sympy_size=50)
    with pytest.raises(gi.SymbolicTooLarge):
        gi.symbolic_grad(gi.sum(W))
    assert gi.to_sympy(gi.sum(x * x), max_sympy_size=None) is not None


def test_entries_whose_sympy_forms_grow_are_refused() -> None:
    x = gi.symbols("x", shape=(20,))
    f = gi.softmax(x)
    for _ in range(3):
        f = gi.softmax(f)  # every entry holds every entry of the last: the tree grows 20x a round
    with pytest.raises(gi.SymbolicTooLarge, match="nodes"):
        gi.to_sympy(f)


# ------------------------------------------------------------------ from_sympy


def test_matrix_comes_back_as_an_array_of_its_entries() -> None:
    W = gi.symbols("W", shape=(2, 2))
    x = gi.symbols("x", shape=(2,))
    g = Graph()
    g.var("W", shape=(2, 2))
    g.var("x", shape=(2,))
    e = gi.Expr(g, sb.from_sympy_into(g, gi.to_sympy(W @ x), (2,)))
    assert e.shape == (2,)
    Wv, xv = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([5.0, -1.0])
    assert e.eval(W=Wv, x=xv).tolist() == (Wv @ xv).tolist()
    numbers = gi.from_sympy(sp.Matrix([[1, 2], [3, sp.Rational(1, 2)]]))
    assert numbers.shape == (2, 2) and numbers.eval().tolist() == [[1.0, 2.0], [3.0, 0.5]]


def test_an_entry_of_an_unknown_array_variable_is_a_clear_error() -> None:
    with pytest.raises(gi.SymbolicError, match=r"'W\[0,1\]' names an entry of an array variable 'W'"):
        gi.from_sympy(sb.entry_symbol("W", (0, 1)) + 1)


# ------------------------------------------------------------------ calculus


def test_symbolic_grad_of_sum_of_squares_is_two_x() -> None:
    x = gi.symbols("x", shape=(3,))
    (dx,) = gi.symbolic_grad(gi.sum(x * x))
    assert dx.shape == (3,)
    assert gi.to_sympy(dx) == 2 * symbol_matrix("x", (3,))


def test_symbolic_grad_of_a_weight_matrix_has_its_shape() -> None:
    W = gi.symbols("W", shape=(2, 3))
    x = gi.symbols("x", shape=(3,))
    b = gi.symbols("b")
    f = gi.sum(gi.tanh(W @ x)) * b
    dW, dx, db = gi.symbolic_grad(f)
    assert (dW.shape, dx.shape, db.shape) == ((2, 3), (3,), ())
    rng = np.random.default_rng(3)
    at = {"W": rng.normal(size=(2, 3)), "x": rng.normal(size=3), "b": 0.7}
    Wv, xv = at["W"], at["x"]
    s = 1 - np.tanh(Wv @ xv) ** 2
    assert dW.eval(**at) == pytest.approx(0.7 * np.outer(s, xv), rel=1e-13)
    assert dx.eval(**at) == pytest.approx(0.7 * Wv.T @ s, rel=1e-13)
    assert db.eval(**at) == pytest.approx(np.sum(np.tanh(Wv @ xv)), rel=1e-13)


def test_symbolic_grad_of_an_array_is_a_shape_error() -> None:
    x = gi.symbols("x", shape=(3,))
    with pytest.raises(gi.ShapeError, match=r"shape \(3,\)"):
        gi.symbolic_grad(2 * x)


def test_simplify_keeps_the_shape() -> None:
    W = gi.symbols("W", shape=(2, 2))
    s = gi.simplify(gi.sin(W) ** 2 + gi.cos(W) ** 2 + W)
    assert s.shape == (2, 2)
    Wv = np.array([[0.5, -1.0], [2.0, 3.0]])
    assert s.eval(W=Wv) == pytest.approx(Wv + 1, rel=1e-15)
    assert gi.to_sympy(s) == symbol_matrix("W", (2, 2)) + sp.ones(2, 2)
    ones = gi.simplify(gi.exp(gi.log(W)) - W + 1)
    assert ones.shape == (2, 2) and ones.eval().tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_precise_grad_of_linear_regression_is_the_closed_form() -> None:
    X = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]])
    y = np.array([1.0, 0.0, 2.0])
    w = gi.symbols("w", shape=(2,))
    b = gi.symbols("b")
    loss = 0.5 * gi.mean((gi.constant(X, name="X") @ w + b - y) ** 2)
    at = {"w": np.array([0.3, -0.2]), "b": 0.1}
    dw, db = sc.precise_grad(loss, at)
    assert dw.shape == (2,)
    # The closed form Xᵀr/n and mean(r), in exact rational arithmetic on the doubles given.
    Xq = sp.Matrix(X.tolist()).applyfunc(sp.Rational)
    r = Xq * sp.Matrix([sp.Rational(0.3), sp.Rational(-0.2)]) + sp.ones(3, 1) * sp.Rational(0.1) \
        - sp.Matrix(y.tolist()).applyfunc(sp.Rational)
    want_w = Xq.T * r / 3
    with mpmath.workdps(50):
        for k in range(2):
            assert abs(dw[k] - mpmath.mpf(sp.Float(want_w[k], 50)._mpf_)) < mpmath.mpf(10) ** -38
        assert abs(db - mpmath.mpf(sp.Float(sum(r) / 3, 50)._mpf_)) < mpmath.mpf(10) ** -38


def test_precise_grad_refuses_a_value_of_the_wrong_shape() -> None:
    w = gi.symbols("w", shape=(2,))
    with pytest.raises(gi.EvalError, match=r"'w' has shape \(2,\), but its value has shape \(3,\)"):
        sc.precise_grad(gi.sum(w), {"w": [1.0, 2.0, 3.0]})
