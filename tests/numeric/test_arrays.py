"""Finite differences, compare, check_claims and step_sweep on array expressions."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.special

import graphir as gi
from graphir.numeric.finite_difference import METHODS

X = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.25], [-2.0, 1.5]])
Y = np.array([1.0, 0.0, 2.0, -1.0])


def linear_regression() -> tuple[gi.Expr, gi.Expr, gi.Expr]:
    w = gi.symbols("w", shape=(2,))
    b = gi.symbols("b")
    return 0.5 * gi.mean((gi.constant(X, name="X") @ w + b - Y) ** 2), w, b


# ------------------------------------------------------------------ finite differences


@pytest.mark.parametrize("method", METHODS)
def test_finite_differences_of_logsumexp_are_the_softmax(method: str) -> None:
    x = gi.symbols("x", shape=(4,))
    at = np.array([1.0, -2.0, 0.5, 3.0])
    (d,) = gi.finite_difference(gi.logsumexp(x), {"x": at}, method=method)
    tol = {"forward": 1e-7, "backward": 1e-7, "central": 1e-10}.get(method, 1e-13)
    assert d.shape == (4,)
    assert d == pytest.approx(scipy.special.softmax(at), abs=tol)


@pytest.mark.parametrize("method", METHODS)
def test_finite_differences_of_a_matrix_have_its_shape(method: str) -> None:
    W = gi.symbols("W", shape=(2, 3))
    v = gi.symbols("v", shape=(3,))
    c = gi.symbols("c")
    Wv = np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])
    vv = np.array([1.0, 2.0, -1.0])
    f = gi.sum(gi.tanh(W @ v)) * c
    dW, dv, dc = gi.finite_difference(f, {"W": Wv, "v": vv, "c": 1.5}, method=method)
    s = 1 - np.tanh(Wv @ vv) ** 2
    tol = {"forward": 1e-6, "backward": 1e-6, "central": 1e-9}.get(method, 1e-12)
    assert dW.shape == (2, 3) and dv.shape == (3,) and dc.shape == ()
    assert dW == pytest.approx(1.5 * np.outer(s, vv), abs=tol)
    assert dv == pytest.approx(1.5 * Wv.T @ s, abs=tol)
    assert float(dc) == pytest.approx(np.sum(np.tanh(Wv @ vv)), abs=tol)


def test_finite_difference_errors_and_steps_per_variable() -> None:
    loss, w, b = linear_regression()
    at = {"w": np.array([0.3, -0.2]), "b": 0.1}
    (dw, db), (ew, eb) = gi.finite_difference(loss, at, return_error=True)
    r = X @ at["w"] + at["b"] - Y
    assert dw == pytest.approx(X.T @ r / 4, abs=1e-9) and float(db) == pytest.approx(r.mean(), abs=1e-9)
    assert ew.shape == (2,) and np.all(ew >= 0) and eb.shape == ()
    (dw2, _) = gi.finite_difference(loss, at, method="forward", step={"w": 1e-3})
    # a large forward step: the error is |f''| h / 2 = (Xᵀ X / n)_kk h / 2
    curvature = np.diag(X.T @ X) / 4
    assert dw2 - X.T @ r / 4 == pytest.approx(curvature * 1e-3 / 2, rel=1e-6)
    (only_w,) = gi.finite_difference(loss, at, wrt=[w])
    assert only_w.shape == (2,)


def test_finite_difference_refuses_wrong_shapes_and_array_outputs() -> None:
    loss, w, _ = linear_regression()
    with pytest.raises(gi.EvalError, match=r"'w' has shape \(2,\), but its value has shape \(3,\)"):
        gi.finite_difference(loss, {"w": [1.0, 2.0, 3.0], "b": 0.0})
    with pytest.raises(gi.ShapeError, match=r"scalar expression, got one of shape \(2,\)"):
        gi.finite_difference(2 * w, {"w": [1.0, 2.0]})


def test_scalar_finite_differences_are_unchanged() -> None:
    x, y = gi.symbols("x y")
    d = gi.finite_difference(x * y, {"x": 2.0, "y": 3.0})
    assert isinstance(d, np.ndarray) and d.shape == (2,)


# ------------------------------------------------------------------ compare


def test_compare_linear_regression_against_the_closed_form() -> None:
    loss, _, _ = linear_regression()
    at = {"w": np.array([0.3, -0.2]), "b": 0.1}
    c = gi.compare(loss, at)
    assert c.reference == "symbolic"
    assert c.coordinates == ["w[0]", "w[1]", "b"]
    r = X @ at["w"] + at["b"] - Y
    for method in ("symbolic", "forward", "reverse", "fd-complex"):
        assert c.partial(method, "w") == pytest.approx(X.T @ r / 4, rel=1e-14)
        assert float(c.partial(method, "b")) == pytest.approx(r.mean(), rel=1e-14)
    assert np.all(c.row("reverse").abs_error < 1e-15)
    assert np.all(c.row("fd-central").abs_error < 1e-9)
    assert c.row("fd-central").evals == 2 * 3
    assert len(c.row("fd-central").step) == 3


def test_compare_table_of_a_weight_matrix_stays_readable() -> None:
    W = gi.symbols("W", shape=(2, 3))
    v = gi.symbols("v", shape=(3,))
    f = gi.sum(gi.sin(W @ v))
    c = gi.compare(f, {"W": np.arange(6.0).reshape(2, 3) / 10, "v": [1.0, -1.0, 0.5]})
    text = str(c)
    header = text.splitlines()[2]
    assert "‖d/dW‖" in header and "‖d/dv‖" in header and "W[0,1]" not in header
    assert max(len(line) for line in text.splitlines()[2:11]) < 130
    assert "norm of the partials" in text
    assert "W=[[0, 0.1, 0.2], [0.3, 0.4, 0.5]]" in c.title()
    data = json.loads(c.to_json())
    assert data["shapes"] == {"W": [2, 3], "v": [3]}
    assert data["point"]["W"] == [[0.0, 0.1, 0.2], [0.3, 0.4, 0.5]]
    assert len(data["rows"][0]["values"]) == 9
    assert "| method | ‖d/dW‖ | ‖d/dv‖ |" in c.to_markdown()


def test_compare_of_an_array_output_is_a_shape_error() -> None:
    w = gi.symbols("w", shape=(2,))
    with pytest.raises(gi.ShapeError, match="compare takes a scalar expression"):
        gi.compare(2 * w, {"w": [1.0, 2.0]})


def test_compare_falls_back_to_the_complex_step_when_sympy_refuses() -> None:
    x = gi.symbols("x", shape=(3,))
    c = gi.compare(gi.logsumexp(x), {"x": [1.0, 2.0, 3.0]}, max_sympy_size=5)
    assert c.reference == "fd-complex"
    assert c.partial("reverse", "x") == pytest.approx(scipy.special.softmax([1.0, 2.0, 3.0]), rel=1e-14)


# ------------------------------------------------------------------ check_claims


def test_check_claims_closed_form_holds_and_a_missing_factor_is_diagnosed() -> None:
    loss, w, b = linear_regression()
    Xc = gi.constant(X, name="X")
    r = Xc @ w + b - Y
    good = gi.check_claims(loss, {w: Xc.T @ r / 4, b: gi.mean(r)})
    assert good.ok and [c.variable for c in good.results] == ["w[0]", "w[1]", "b"]
    bad = gi.check_claims(loss, {w: Xc.T @ r, b: gi.mean(r)}, at={"w": [1.0, 2.0], "b": 0.5})
    assert not bad.ok
    first = bad.results[0]
    assert first.status == "wrong" and first.symbolic == "not equal"
    assert first.counterexample == {"b": 0.5, "w[0]": 1.0, "w[1]": 2.0}
    r_at = X @ np.array([1.0, 2.0]) + 0.5 - Y
    assert first.true_value == pytest.approx((X.T @ r_at / 4)[0], rel=1e-14)
    assert first.claimed_value == pytest.approx((X.T @ r_at)[0], rel=1e-14)
    assert "4 times the true derivative" in first.diagnosis
    assert "w[0]" in str(bad) and "w_0" not in str(bad)


def test_check_claims_takes_numbers_for_an_array_variable() -> None:
    w = gi.symbols("w", shape=(2,))
    report = gi.check_claims(gi.sum(3 * w), {"w": [3.0, 3.0]})
    assert report.ok
    wrong = gi.check_claims(gi.sum(3 * w), {"w": np.array([3.0, 2.0])})
    assert [c.status for c in wrong.results] == ["holds", "wrong"]


def test_check_claims_of_the_wrong_shape_is_a_shape_error() -> None:
    w = gi.symbols("w", shape=(2,))
    with pytest.raises(gi.ShapeError, match=r"claimed partial by w has shape \(3,\), but w has shape \(2,\)"):
        gi.check_claims(gi.sum(w), {"w": [1.0, 1.0, 1.0]})


def test_stand_in_names_do_not_clash_with_variables() -> None:
    w = gi.symbols("w", shape=(2,))
    w_0 = gi.symbols("w_0")
    report = gi.check_claims(gi.sum(w * w) * w_0, {"w": 2 * w * w_0, "w_0": gi.sum(w * w)})
    assert report.ok and [c.variable for c in report.results] == ["w[0]", "w[1]", "w_0"]


# ------------------------------------------------------------------ step_sweep, CLI


def test_step_sweep_on_arrays_says_what_to_do() -> None:
    w = gi.symbols("w", shape=(2,))
    with pytest.raises(gi.ArgumentError, match="step_sweep takes an expression of scalars.*graphir.compare"):
        gi.step_sweep(gi.sum(w * w), {"w": [1.0, 2.0]})


def test_cli_compare_and_check_of_scalar_text_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    from graphir.cli import main

    assert main(["compare", "x*y", "--at", "x=2,y=3"]) == 0
    assert "d/dx" in capsys.readouterr().out
    assert main(["check", "x**2*y", "--claim", "x=2*x*y"]) == 0
