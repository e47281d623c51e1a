"""Array derivatives against closed forms from independent sources (SciPy's Rosenbrock,
textbook gradients of least squares, logistic and softmax regression)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der, rosen_hess
from scipy.special import expit, log_softmax
from scipy.special import logsumexp as sp_logsumexp
from scipy.special import softmax as sp_softmax

import graphir as gi

RNG = np.random.default_rng(10)


def rosenbrock(x: gi.Expr) -> gi.Expr:
    return gi.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_rosenbrock_value_gradient_hessian_match_scipy(n: int) -> None:
    x = gi.symbols("x", shape=(n,))
    f = rosenbrock(x)
    point = RNG.uniform(-2, 2, n)
    assert f.eval(x=point) == pytest.approx(rosen(point), rel=1e-14)
    for mode in ("reverse", "forward"):
        (g,) = gi.grad(f, [x], mode=mode)
        assert g.shape == (n,)
        np.testing.assert_allclose(g.eval(x=point), rosen_der(point), rtol=1e-13, atol=1e-12)
    ((h,),) = gi.hessian(f, [x])
    assert h.shape == (n, n)
    np.testing.assert_allclose(h.eval(x=point), rosen_hess(point), rtol=1e-13, atol=1e-11)


def test_quadratic_form_hessian_is_the_symmetric_part() -> None:
    A = RNG.normal(size=(4, 4))
    x = gi.symbols("x", shape=(4,))
    f = 0.5 * (x @ (A @ x))
    ((h,),) = gi.hessian(f, [x])
    np.testing.assert_allclose(h.eval(x=RNG.normal(size=4)), (A + A.T) / 2, rtol=1e-14, atol=1e-14)
    (g,) = gi.grad(f, [x])
    p = RNG.normal(size=4)
    np.testing.assert_allclose(g.eval(x=p), (A + A.T) / 2 @ p, rtol=1e-13)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobian_of_a_linear_map_is_its_matrix(mode: str) -> None:
    A = RNG.normal(size=(3, 5))
    x = gi.symbols("x", shape=(5,))
    ((j,),) = gi.jacobian(A @ x, [x], mode=mode)
    assert j.shape == (3, 5)
    np.testing.assert_array_equal(j.eval(x=RNG.normal(size=5)), A)
    W = gi.symbols("W", shape=(3, 5))
    ((jw,),) = gi.jacobian(W @ x, [W], mode=mode)
    p = RNG.normal(size=5)
    want = np.einsum("ij,k->ijk", np.eye(3), p)  # d (Wx)_i / d W_jk = delta_ij x_k
    np.testing.assert_array_equal(jw.eval(W=A, x=p), want)


def _regression_data(n: int = 7, d: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    return RNG.normal(size=(n, d)), RNG.normal(size=n), RNG.normal(size=d), float(RNG.normal())


def test_linear_regression_gradient() -> None:
    X, y, w0, b0 = _regression_data()
    w, b = gi.symbols("w", shape=(3,)), gi.symbols("b")
    loss = 0.5 * gi.mean((gi.constant(X, name="X") @ w + b - y) ** 2)
    dw, db = gi.grad(loss, [w, b])
    r = X @ w0 + b0 - y
    np.testing.assert_allclose(dw.eval(w=w0, b=b0), X.T @ r / len(y), rtol=1e-13)
    assert db.eval(w=w0, b=b0) == pytest.approx(np.mean(r), rel=1e-13)
    assert loss.eval(w=w0, b=b0) == pytest.approx(0.5 * np.mean(r**2), rel=1e-14)


def test_logistic_regression_gradient() -> None:
    X, _, w0, b0 = _regression_data()
    y = (RNG.uniform(size=len(X)) > 0.5).astype(float)
    w, b = gi.symbols("w", shape=(3,)), gi.symbols("b")
    z = X @ w + b
    p = gi.sigmoid(z)
    loss = -gi.mean(y * gi.log(p) + (1.0 - y) * gi.log(1.0 - p))
    dw, db = gi.grad(loss, [w, b])
    s = expit(X @ w0 + b0)
    np.testing.assert_allclose(dw.eval(w=w0, b=b0), X.T @ (s - y) / len(y), rtol=1e-12)
    assert db.eval(w=w0, b=b0) == pytest.approx(np.mean(s - y), rel=1e-12)


def test_softmax_cross_entropy_gradient_is_softmax_minus_one_hot() -> None:
    z = gi.symbols("z", shape=(5,))
    onehot = np.eye(5)[2]
    loss = gi.logsumexp(z) - z @ onehot
    loss2 = -gi.sum(onehot * gi.log(gi.softmax(z)))
    p = RNG.normal(size=5) * 3
    assert loss.eval(z=p) == pytest.approx(-log_softmax(p)[2], rel=1e-14)
    for f in (loss, loss2):
        (g,) = gi.grad(f, [z])
        np.testing.assert_allclose(g.eval(z=p), sp_softmax(p) - onehot, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_logsumexp_and_softmax_are_finite_at_1000(axis: int | None) -> None:
    X = gi.symbols("X", shape=(2, 3))
    p = np.array([[1000.0, 999.0, -1000.0], [1000.0, 1000.0, 1000.0]])
    lse = gi.logsumexp(X, axis=axis)
    np.testing.assert_allclose(lse.eval(X=p), sp_logsumexp(p, axis=axis), rtol=1e-15)
    (g,) = gi.grad(gi.sum(lse), [X])
    want = sp_softmax(p, axis=axis)
    np.testing.assert_allclose(g.eval(X=p), want, rtol=1e-14)
    ax = -1 if axis is None else axis
    s = gi.softmax(X, axis=ax)
    np.testing.assert_allclose(s.eval(X=p), sp_softmax(p, axis=ax), rtol=1e-14)
    w = RNG.normal(size=(2, 3))
    (gs,) = gi.grad(gi.sum(s * w), [X])
    sv = sp_softmax(p, axis=ax)
    want_s = sv * (w - np.sum(sv * w, axis=ax, keepdims=True))
    got = gs.eval(X=p)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want_s, rtol=1e-12, atol=1e-300)
