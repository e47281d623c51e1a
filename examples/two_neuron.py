"""A network of two neurons trained by one step of backpropagation.

x -> h = sigmoid(w1*x + b1) -> o = sigmoid(w2*h + b2), loss 0.5*(o - t)^2 for
one training pair (x, t) = (1.5, 1).  Reverse mode gives the gradient with
respect to the four weights; one gradient-descent step with learning rate 0.5
updates them, and the loss goes down.  The script prints the gradient, the new
weights and the loss before and after, and writes the worked example.

Run:  python examples/two_neuron.py [FOLDER]    (default docs/examples/two_neuron)
"""

from __future__ import annotations

from pathlib import Path

from _worked import run

import graphir as gi
from graphir.text.worked import Explanation

NAME = "two_neuron"
X, TARGET = 1.5, 1.0
WEIGHTS = {"w1": 0.4, "b1": 0.1, "w2": -0.6, "b2": 0.2}
LEARNING_RATE = 0.5


def loss() -> gi.Expr:
    w1, b1, w2, b2 = gi.symbols("w1 b1 w2 b2")
    h = gi.sigmoid(w1 * X + b1).named("h")
    o = gi.sigmoid(w2 * h + b2).named("o")
    return 0.5 * (o - TARGET) ** 2


def training_step() -> tuple[float, dict[str, float], dict[str, float], float]:
    """(loss before, gradient, updated weights, loss after) of one gradient-descent step."""
    f = loss()
    names = list(WEIGHTS)
    before, g = gi.value_and_grad(f, WEIGHTS, wrt=names)
    grad = {n: float(v) for n, v in zip(names, g, strict=True)}
    new = {n: WEIGHTS[n] - LEARNING_RATE * grad[n] for n in names}
    after = f.eval(new)
    return float(before), grad, new, float(after)


def step_table() -> str:
    before, grad, new, after = training_step()
    lines = [
        "## One step of gradient descent",
        "",
        f"With learning rate $\\eta = {LEARNING_RATE}$, each weight moves against its partial: "
        "$w \\leftarrow w - \\eta\\, \\partial L / \\partial w$.",
        "",
        "| weight | before | ∂L/∂weight | after |",
        "|:--|--:|--:|--:|",
    ]
    for n in WEIGHTS:
        lines.append(f"| {n} | {WEIGHTS[n]:.6g} | {grad[n]:.6g} | {new[n]:.6g} |")
    lines += ["", f"The loss goes from {before:.6g} to {after:.6g}."]
    return "\n".join(lines)


INTRO = f"""\
Two neurons in a row: $h = \\sigma(w_1 x + b_1)$, $o = \\sigma(w_2 h + b_2)$, and the
squared error $L = \\tfrac12 (o - t)^2$ on one training pair $(x, t) = ({X:g}, {TARGET:g})$.
Backpropagation is reverse mode: one backward pass gives the partials for all
four weights. The training pair is part of the expression (the grey constants),
so the inputs of the graph are the weights."""


def build(frames: bool = False) -> Explanation:
    return gi.explain(loss(), WEIGHTS, title="Worked example: two neurons, one backpropagation step",
                      intro=INTRO, epilogue=step_table(), name="L", frames=frames, rankdir="TB")


def write(folder: Path, frames: bool = False) -> list[Path]:
    return build(frames=frames).save(folder)


def main() -> None:
    before, grad, new, after = training_step()
    print("gradient:      " + ", ".join(f"dL/d{n} = {v:.6g}" for n, v in grad.items()))
    print("new weights:   " + ", ".join(f"{n} = {v:.6g}" for n, v in new.items()))
    print(f"loss:          {before:.6g} before, {after:.6g} after one step (learning rate {LEARNING_RATE})")
    run(NAME, write)


if __name__ == "__main__":
    main()
