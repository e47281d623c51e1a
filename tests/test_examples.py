"""The worked examples of issue 10 reproduce their published and closed-form numbers.

Each script's numbers are checked here against values written out independently:
Matt Mazur's published numbers ("A Step by Step Backpropagation Example", 2015),
and closed forms computed with plain NumPy in this file.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import graphir as gi

ROOT = Path(__file__).resolve().parent.parent


def example(name: str):
    if str(ROOT / "examples") not in sys.path:
        sys.path.insert(0, str(ROOT / "examples"))
    return importlib.import_module(name)


def test_mazur_reproduces_the_published_numbers() -> None:
    m = example("mazur")
    error, grad, new, after = m.training_step()
    assert error == pytest.approx(0.298371109, abs=5e-10)
    published = [0.149780716, 0.19956143, 0.24975114, 0.29950229,
                 0.35891648, 0.408666186, 0.511301270, 0.561370121]
    for k, want in enumerate(published):
        assert new[f"w{k + 1}"] == pytest.approx(want, abs=5e-9), f"w{k + 1}"
    # the post's intermediate numbers: dE/dw5 = 0.082167041, dE/dw1 = 0.000438568
    assert grad["W2"][0, 0] == pytest.approx(0.082167041, abs=5e-10)
    assert grad["W1"][0, 0] == pytest.approx(0.000438568, abs=5e-10)
    assert after < error
    m.check()


def test_mazur_scalarized_is_the_same_network() -> None:
    m = example("mazur")
    f = gi.scalarize(m.loss())
    names = [v.name for v in f.variables]
    assert names == [f"W{k}_{i}_{j}" for k in (1, 2) for i in (0, 1) for j in (0, 1)] + ["b1", "b2"]
    point = m.scalar_point()
    value, grads = gi.value_and_grad(f, point)
    assert float(value) == pytest.approx(0.298371109, abs=5e-10)
    new_w1 = point["W1_0_0"] - 0.5 * float(grads[0])
    new_w5 = point["W2_0_0"] - 0.5 * float(grads[4])
    assert new_w1 == pytest.approx(0.149780716, abs=5e-9) and new_w5 == pytest.approx(0.35891648, abs=5e-9)
    ex = m.build_scalarized()
    assert "h[0]" in ex.markdown and "o[1]" in ex.markdown


def test_linear_regression_against_x_transpose_r_over_n() -> None:
    m = example("linear_regression")
    value, gw, gb = m.gradient()
    X, y, w, b = m.X_DATA, m.Y_DATA, m.POINT["w"], m.POINT["b"]
    r = X @ w + b - y
    assert value == pytest.approx(0.5 * np.mean(r**2), rel=1e-14)
    np.testing.assert_allclose(gw, X.T @ r / len(y), rtol=1e-13)
    assert gb == pytest.approx(r.mean(), rel=1e-13)
    m.check()


def test_logistic_regression_against_x_transpose_sigma_minus_y() -> None:
    m = example("logistic_regression")
    value, gw, gb = m.gradient()
    X, y, w, b = m.X_DATA, m.Y_DATA, m.POINT["w"], m.POINT["b"]
    p = 1 / (1 + np.exp(-(X @ w + b)))
    assert value == pytest.approx(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-13)
    np.testing.assert_allclose(gw, X.T @ (p - y), rtol=1e-12)
    assert gb == pytest.approx(np.sum(p - y), rel=1e-12)
    m.check()


def test_softmax_classifier_gradient_is_softmax_minus_one_hot() -> None:
    m = example("softmax_classifier")
    value, gZ, gW, gb = m.gradient()
    Z = m.X_DATA @ m.POINT["W"] + m.POINT["b"]
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    Y = np.eye(3)[m.LABELS]
    assert value == pytest.approx(-np.sum(Y * np.log(P)), rel=1e-13)
    np.testing.assert_allclose(gZ, P - Y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gW, m.X_DATA.T @ (P - Y), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gb, (P - Y).sum(axis=0), rtol=1e-12, atol=1e-15)
    m.check()


@pytest.mark.parametrize("name", ["mazur", "linear_regression", "logistic_regression", "softmax_classifier"])
def test_the_scripts_check_their_numbers_in_a_fresh_interpreter(name: str) -> None:
    """As a reader runs them: from examples/, without graphir installed on the path first."""
    code = f"import {name}; {name}.check(); print('checked')"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "examples", capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "checked"
