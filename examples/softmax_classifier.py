"""A softmax classifier with cross-entropy: the gradient is softmax minus one-hot.

Three points with two features (the data node ``X``) in three classes, labels
one-hot in ``Y``; logits Z = X @ W + b (W is 2×3, b one bias per class),
class probabilities P = softmax(Z) row by row, and the cross-entropy summed over
the points, L = -sum(Y * log(P)).  Its gradient with respect to the logits is
P - Y (softmax minus one-hot), so dL/dW = Xᵀ(P - Y) and dL/db = the column sums
of P - Y.  The script checks all three against plain NumPy and prints them.

Run:  python examples/softmax_classifier.py [FOLDER]    (default out/softmax_classifier)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _worked import run

import graphir as gi
from graphir.text.worked import Explanation

NAME = "softmax_classifier"
X_DATA = np.array([[1.0, 0.5], [-0.5, 1.5], [0.0, -1.0]])
LABELS = [0, 2, 1]
Y_DATA = np.eye(3)[LABELS]  # one-hot rows
POINT = {"W": np.array([[0.2, -0.3, 0.1], [0.4, 0.1, -0.2]]), "b": np.array([0.0, 0.1, -0.1])}


def cross_entropy(Z: gi.Expr) -> gi.Expr:
    Y = gi.constant(Y_DATA, name="Y")
    P = gi.softmax(Z, axis=1).named("P")
    return -gi.sum(Y * gi.log(P))


def loss() -> gi.Expr:
    W = gi.symbols("W", shape=(2, 3))
    b = gi.symbols("b", shape=(3,))
    X = gi.constant(X_DATA, name="X")
    return cross_entropy((X @ W + b).named("Z"))


def softmax_rows(Z: np.ndarray) -> np.ndarray:
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def closed_form() -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """(L, P - Y, Xᵀ(P - Y), column sums of P - Y) with plain NumPy."""
    P = softmax_rows(X_DATA @ POINT["W"] + POINT["b"])
    value = -float(np.sum(np.log(P[np.arange(3), LABELS])))
    return value, P - Y_DATA, X_DATA.T @ (P - Y_DATA), (P - Y_DATA).sum(axis=0)


def gradient() -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """(L, dL/dZ, dL/dW, dL/db) by graphir's reverse mode (dL/dZ: the loss of free logits Z)."""
    value, (gW, gb) = gi.value_and_grad(loss(), POINT, wrt=["W", "b"])
    Z = gi.symbols("Z", shape=(3, 3))
    logits = X_DATA @ POINT["W"] + POINT["b"]
    _, (gZ,) = gi.value_and_grad(cross_entropy(Z), {"Z": logits})
    return float(value), np.asarray(gZ), np.asarray(gW), np.asarray(gb)


def check() -> None:
    got, want = gradient(), closed_form()
    assert abs(got[0] - want[0]) < 1e-12, (got[0], want[0])
    for g, w in zip(got[1:], want[1:], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def epilogue() -> str:
    value, gZ, gW, gb = closed_form()
    rows = " \\\\ ".join(" & ".join(f"{v:.6g}" for v in row) for row in gZ)
    return (
        "## By hand\n\n"
        "The cross-entropy of a softmax has the gradient $P - Y$ with respect to the logits "
        "(softmax minus one-hot), so $\\partial L/\\partial W = X^\\top (P - Y)$ and "
        "$\\partial L/\\partial b$ is the column sums of $P - Y$. Plain NumPy gives "
        f"$L = {value:.12g}$ and\n\n$$P - Y = \\begin{{bmatrix}} {rows} \\end{{bmatrix}}$$\n\n"
        f"with column sums $({', '.join(f'{v:.12g}' for v in gb)})$: the gradient of $b$ above."
    )


INTRO = """\
A linear classifier with three classes: logits $Z = X W + b$ for three points
with two features, probabilities $P = \\operatorname{softmax}(Z)$ row by row, and
the cross-entropy with the one-hot labels $Y$ summed over the points,
$L = -\\sum Y \\odot \\log P$. $X$ and $Y$ are data nodes; the inputs are the
weight matrix $W$ (2×3) and the bias vector $b$, broadcast to every row and
summed back in the reverse pass."""


def build(frames: bool = False) -> Explanation:
    return gi.explain(loss(), POINT, title="Worked example: a softmax classifier with cross-entropy",
                      intro=INTRO, epilogue=epilogue(), name="L", frames=frames, rankdir="TB",
                      sympy_timeout=None)


def write(folder: Path, frames: bool = False) -> list[Path]:
    return build(frames=frames).save(folder)


def main() -> None:
    check()
    value, gZ, gW, gb = gradient()
    print(f"L = {value:.12g}")
    print("dL/dZ = softmax(Z) - one-hot =", np.array2string(gZ, precision=9).replace("\n", ""))
    print("dL/dW = Xᵀ(P - Y) =", np.array2string(gW, precision=9).replace("\n", ""))
    print("dL/db =", np.array2string(gb, precision=9))
    run(NAME, write)


if __name__ == "__main__":
    main()
