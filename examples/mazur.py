"""Matt Mazur's 2-2-2 network, one step of backpropagation, as matrices and scalarized.

"A Step by Step Backpropagation Example" (Matt Mazur, 2015) trains a network with
two inputs, two hidden neurons and two outputs, sigmoid in both layers, one bias
per layer (shared by its neurons), on one training pair: inputs 0.05, 0.10,
targets 0.01, 0.99, squared error E = sum(0.5*(target - out)^2), learning rate
0.5.  His weights w1 ... w8 are the two matrices here, one row per neuron:
w1 and w2 feed h1 from i1 and i2, w3 and w4 feed h2, w5 and w6 feed o1 from h1
and h2, w7 and w8 feed o2:

    W1 = [[w1, w2], [w3, w4]],  W2 = [[w5, w6], [w7, w8]],
    h = sigmoid(W1 @ x + b1),   o = sigmoid(W2 @ h + b2).

One reverse pass gives the gradient of every weight; one gradient-descent step
(weights only, as in the post; the biases stay) reproduces his published
numbers, which the script checks and prints.  The worked example is written
twice: the matrix graph (``README.md``) and the same computation scalarized
with ``gi.scalarize`` (``scalarized/README.md``: one node per neuron, his w1 is
``W1_0_0``).

Run:  python examples/mazur.py [FOLDER]    (default out/mazur)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _worked import run

import graphir as gi
from graphir.text.worked import Explanation

NAME = "mazur"
INPUTS = [0.05, 0.10]
TARGETS = [0.01, 0.99]
POINT = {
    "W1": np.array([[0.15, 0.20], [0.25, 0.30]]),  # w1 w2 / w3 w4
    "W2": np.array([[0.40, 0.45], [0.50, 0.55]]),  # w5 w6 / w7 w8
    "b1": 0.35,
    "b2": 0.60,
}
LEARNING_RATE = 0.5
WEIGHTS = ["W1", "W2"]  # the post updates the weights, not the biases

#: The published numbers: total error before the step, and w1 ... w8 after it.
PUBLISHED_ERROR = 0.298371109
PUBLISHED_W = {
    "w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
    "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121,
}


def loss() -> gi.Expr:
    W1, W2 = gi.symbols("W1 W2", shape=(2, 2))
    b1, b2 = gi.symbols("b1 b2")
    x = gi.constant(INPUTS, name="x")
    t = gi.constant(TARGETS, name="t")
    h = gi.sigmoid(W1 @ x + b1).named("h")
    o = gi.sigmoid(W2 @ h + b2).named("o")
    return gi.sum(0.5 * (t - o) ** 2)


def mazur_names(W1: np.ndarray, W2: np.ndarray) -> dict[str, float]:
    """The two matrices as Mazur's w1 ... w8 (row by row)."""
    return {f"w{k + 1}": float(v) for k, v in enumerate([*np.ravel(W1), *np.ravel(W2)])}


def training_step() -> tuple[float, dict[str, np.ndarray], dict[str, float], float]:
    """(total error, gradient of W1 and W2, w1 ... w8 after one step, error after it)."""
    f = loss()
    error, grads = gi.value_and_grad(f, POINT, wrt=WEIGHTS)
    grad = {n: np.asarray(g) for n, g in zip(WEIGHTS, grads, strict=True)}
    new = {n: POINT[n] - LEARNING_RATE * grad[n] for n in WEIGHTS}
    after = float(f.eval({**POINT, **new}))
    return float(error), grad, mazur_names(new["W1"], new["W2"]), after


def check() -> None:
    """Assert the published numbers (to the digits the post prints)."""
    error, _, new, _ = training_step()
    assert abs(error - PUBLISHED_ERROR) < 5e-10, error
    for name, want in PUBLISHED_W.items():
        assert abs(new[name] - want) < 5e-9, (name, new[name], want)


def step_table() -> str:
    error, grad, new, after = training_step()
    old = mazur_names(POINT["W1"], POINT["W2"])
    dw = mazur_names(grad["W1"], grad["W2"])
    lines = [
        "## One step of gradient descent, against the published numbers",
        "",
        f"With learning rate $\\eta = {LEARNING_RATE}$ each weight moves against its partial, "
        "$w \\leftarrow w - \\eta\\, \\partial E / \\partial w$ (the biases stay, as in the post). "
        "Mazur's $w_1 \\dots w_8$ are the entries of $W_1$ and $W_2$ row by row "
        "($w_1, w_2$ feed $h_1$; $w_5, w_6$ feed $o_1$).",
        "",
        "| weight | entry | before | ∂E/∂w | after | published |",
        "|:--|:--|--:|--:|--:|--:|",
    ]
    entries = [f"W{1 + k // 4}[{k % 4 // 2},{k % 2}]" for k in range(8)]
    for k, name in enumerate(PUBLISHED_W):
        lines.append(f"| {name} | {entries[k]} | {old[name]:.9g} | {dw[name]:.9g} | {new[name]:.9g} | "
                     f"{PUBLISHED_W[name]:.9g} |")
    lines += ["", f"The total error is {error:.9f} (published: {PUBLISHED_ERROR}); after the step it is "
              f"{after:.9f}."]
    return "\n".join(lines)


INTRO = """\
The network of Matt Mazur's "A Step by Step Backpropagation Example" (2015):
$h = \\sigma(W_1 x + b_1)$, $o = \\sigma(W_2 h + b_2)$ and the error
$E = \\sum \\tfrac12 (t - o)^2$ for the inputs $x = (0.05, 0.10)$ (the data node `x`)
and targets $t = (0.01, 0.99)$ (`t`). Backpropagation is reverse mode: the adjoint of
$W_2$ is the outer product $\\bar v\\, h^\\top$, and the adjoint of $h$ is
$W_2^\\top \\bar v$. The same computation, one node per neuron, is in
[scalarized/](scalarized/README.md)."""

SCALAR_INTRO = """\
Mazur's network after `gi.scalarize`: the matrix graph of [the matrix
version](../README.md) with one scalar node per entry, as the post draws it.
His $w_1 \\dots w_8$ are `W1_0_0`, `W1_0_1`, `W1_1_0`, `W1_1_1`, `W2_0_0`, ...
(row $i$, column $j$ of $W_1$ is `W1_i_j`); the hidden neurons are `h[0]`, `h[1]`
and the outputs `o[0]`, `o[1]`."""


def scalar_point() -> dict[str, float]:
    point = {"b1": POINT["b1"], "b2": POINT["b2"]}
    for name in WEIGHTS:
        for (i, j), v in np.ndenumerate(POINT[name]):
            point[f"{name}_{i}_{j}"] = float(v)
    return point


def build(frames: bool = False) -> Explanation:
    """The matrix graph (its pictures need the array pictures of graphir)."""
    return gi.explain(loss(), POINT, title="Worked example: Mazur's 2-2-2 network, one backpropagation step",
                      intro=INTRO, epilogue=step_table(), name="E", frames=frames, rankdir="TB",
                      sympy_timeout=None)


def build_scalarized() -> Explanation:
    """The same network scalarized: one node per neuron (no step frames: 40 steps)."""
    return gi.explain(gi.scalarize(loss()), scalar_point(),
                      title="Worked example: Mazur's 2-2-2 network, scalarized",
                      intro=SCALAR_INTRO, name="E", steps=False, rankdir="TB", compact=True,
                      sympy_timeout=None)


def write(folder: Path, frames: bool = False) -> list[Path]:
    folder = Path(folder)
    written = build(frames=frames).save(folder)
    return written + build_scalarized().save(folder / "scalarized")


def main() -> None:
    check()
    error, grad, new, after = training_step()
    print(f"total error:   {error:.9f} (published {PUBLISHED_ERROR})")
    for name in WEIGHTS:
        print(f"dE/d{name} =", np.array2string(grad[name], precision=9).replace("\n", ""))
    print("after one step (learning rate 0.5): " + ", ".join(f"{n} = {v:.9f}" for n, v in new.items()))
    print(f"error after the step: {after:.9f}; every published number reproduced")
    run(NAME, write)


if __name__ == "__main__":
    main()
