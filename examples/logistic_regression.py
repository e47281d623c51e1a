"""Logistic regression over a dataset: the summed log-loss of p = sigmoid(X @ w + b).

Five points with two features (the data node ``X``) and labels 0/1 (``y``);
the loss is minus the log-likelihood,
L = -sum(y * log(p) + (1 - y) * log(1 - p)), the *sum* form (not the mean), so
its gradient is the closed form dL/dw = Xᵀ(σ(X w + b) - y) and
dL/db = sum(σ(X w + b) - y), which the script computes with plain NumPy, checks
against graphir's reverse mode and prints.

Run:  python examples/logistic_regression.py [FOLDER]    (default out/logistic_regression)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from _worked import run

import graphir as gi
from graphir.text.worked import Explanation

NAME = "logistic_regression"
X_DATA = np.array([[0.5, 1.0], [1.5, -0.5], [2.5, 0.0], [-1.0, 2.0], [0.0, -1.5]])
Y_DATA = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
POINT = {"w": np.array([0.3, -0.4]), "b": -0.2}


def loss() -> gi.Expr:
    w = gi.symbols("w", shape=(2,))
    b = gi.symbols("b")
    X = gi.constant(X_DATA, name="X")
    y = gi.constant(Y_DATA, name="y")
    p = gi.sigmoid(X @ w + b).named("p")
    return -gi.sum(y * gi.log(p) + (1 - y) * gi.log(1 - p))


def closed_form() -> tuple[float, np.ndarray, float]:
    """(L, Xᵀ(p - y), sum(p - y)) with plain Python floats and NumPy."""
    z = X_DATA @ POINT["w"] + POINT["b"]
    p = np.array([1 / (1 + math.exp(-v)) for v in z])
    value = -sum(math.log(q) if t == 1 else math.log(1 - q) for q, t in zip(p, Y_DATA, strict=True))
    return value, X_DATA.T @ (p - Y_DATA), float(np.sum(p - Y_DATA))


def gradient() -> tuple[float, np.ndarray, float]:
    """(L, dL/dw, dL/db) by graphir's reverse mode."""
    value, (gw, gb) = gi.value_and_grad(loss(), POINT, wrt=["w", "b"])
    return float(value), np.asarray(gw), float(gb)


def check() -> None:
    got, want = gradient(), closed_form()
    assert abs(got[0] - want[0]) < 1e-12 and abs(got[2] - want[2]) < 1e-12, (got, want)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-12)


def epilogue() -> str:
    value, gw, gb = closed_form()
    return (
        "## By hand\n\n"
        "For the summed log-loss the gradient is $X^\\top (\\sigma(X w + b) - y)$ for $w$ and "
        "$\\sum (\\sigma(X w + b) - y)$ for $b$ (divide both by $n$ for the mean log-loss). "
        f"Plain Python floats give $L = {value:.12g}$, $X^\\top (p - y) = ({gw[0]:.12g},\\ {gw[1]:.12g})$ "
        f"and $\\sum (p - y) = {gb:.12g}$: the same gradient."
    )


INTRO = """\
A logistic model $p = \\sigma(X w + b)$ on five labelled points with two
features; the loss is minus the log-likelihood,
$L = -\\sum \\big(y \\log p + (1 - y) \\log (1 - p)\\big)$ (the sum, not the mean).
$X$ and the labels $y$ are data nodes; the inputs are $w$ and $b$. The chain rule
through $\\log' = 1/u$ and $\\sigma' = \\sigma(1 - \\sigma)$ collapses to the familiar
$p - y$ per point; the matmul edge turns it into $X^\\top (p - y)$."""


def build(frames: bool = False) -> Explanation:
    return gi.explain(loss(), POINT, title="Worked example: logistic regression over a dataset",
                      intro=INTRO, epilogue=epilogue(), name="L", frames=frames, rankdir="TB",
                      sympy_timeout=None)


def write(folder: Path, frames: bool = False) -> list[Path]:
    return build(frames=frames).save(folder)


def main() -> None:
    check()
    value, gw, gb = gradient()
    print(f"L = {value:.12g}; dL/dw = {np.array2string(gw, precision=12)}, dL/db = {gb:.12g}")
    print("closed form Xᵀ(σ(Xw + b) - y), sum(σ(Xw + b) - y): the same numbers")
    run(NAME, write)


if __name__ == "__main__":
    main()
