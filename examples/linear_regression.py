"""Linear regression over a dataset: L = 0.5 * mean((X @ w + b - y)^2).

Four data points with two features (the data node ``X``) and their targets
(``y``); the parameters are the weight vector ``w`` and the bias ``b``.  With
the residual r = X w + b - y, the gradient is the closed form
dL/dw = Xᵀ r / n and dL/db = mean(r), which the script computes with plain
NumPy, checks against graphir's reverse mode and prints.

Run:  python examples/linear_regression.py [FOLDER]    (default out/linear_regression)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _worked import run

import graphir as gi
from graphir.text.worked import Explanation

NAME = "linear_regression"
X_DATA = np.array([[1.0, 2.0], [2.0, 0.5], [3.0, 1.5], [4.0, 3.0]])
Y_DATA = np.array([3.0, 2.5, 5.0, 8.0])
POINT = {"w": np.array([0.5, 1.0]), "b": 0.25}


def loss() -> gi.Expr:
    w = gi.symbols("w", shape=(2,))
    b = gi.symbols("b")
    X = gi.constant(X_DATA, name="X")
    y = gi.constant(Y_DATA, name="y")
    return 0.5 * gi.mean((X @ w + b - y) ** 2)


def closed_form() -> tuple[float, np.ndarray, float]:
    """(L, Xᵀ r / n, mean(r)) with plain NumPy."""
    n = len(Y_DATA)
    r = X_DATA @ POINT["w"] + POINT["b"] - Y_DATA
    return 0.5 * float(r @ r) / n, X_DATA.T @ r / n, float(r.mean())


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
        "With the residual $r = X w + b - y$ and $n = 4$ points, the closed form is "
        "$\\partial L / \\partial w = X^\\top r / n$ and "
        "$\\partial L / \\partial b = \\operatorname{mean}(r)$. "
        f"Plain NumPy gives $L = {value:.12g}$, $X^\\top r / n = ({gw[0]:.12g},\\ {gw[1]:.12g})$ and "
        f"$\\operatorname{{mean}}(r) = {gb:.12g}$: the gradient above."
    )


INTRO = """\
The loss of a linear model $\\hat y = X w + b$ over a dataset of four points with
two features: $L = \\tfrac12 \\operatorname{mean}((X w + b - y)^2)$. The data
$X$ (4×2) and $y$ are data nodes, shown by name and never differentiated; the
inputs of the graph are $w$ (a vector) and $b$. In the reverse pass the adjoint
of $w$ is $X^\\top \\bar v$ (the rule on the matmul edge), and the adjoint of
the bias, broadcast to every point in the forward pass, is summed back."""


def build(frames: bool = False) -> Explanation:
    return gi.explain(loss(), POINT, title="Worked example: linear regression over a dataset",
                      intro=INTRO, epilogue=epilogue(), name="L", frames=frames, rankdir="TB",
                      sympy_timeout=None)


def write(folder: Path, frames: bool = False) -> list[Path]:
    return build(frames=frames).save(folder)


def main() -> None:
    check()
    value, gw, gb = gradient()
    print(f"L = {value:.12g}; dL/dw = {np.array2string(gw, precision=12)}, dL/db = {gb:.12g}")
    print("closed form Xᵀr/n, mean(r): the same numbers")
    run(NAME, write)


if __name__ == "__main__":
    main()
