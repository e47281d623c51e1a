"""Logistic regression on three points: the sum of the log-losses, written out.

The model is p = sigmoid(w*x + b); a point with label 1 costs -log(p), a point
with label 0 costs -log(1 - p); the loss is minus the summed log-likelihood.
The data are numbers in the expression, so
the graph's inputs are the weights w and b only.  (No step-by-step animation
here: forty steps over a wide graph; see the smaller examples for those.)

Run:  python examples/logistic_regression.py [FOLDER]    (default docs/examples/logistic_regression)
"""

from __future__ import annotations

from pathlib import Path

from _worked import run

import graphir as gi
from graphir.text.worked import Explanation

NAME = "logistic_regression"
DATA = [(0.5, 0), (1.5, 1), (2.5, 1)]  # (x, label)
POINT = {"w": 0.3, "b": -0.2}


def loss() -> gi.Expr:
    w, b = gi.symbols("w b")
    loglik = None  # the log-likelihood, summed point by point
    for x, label in DATA:
        p = gi.sigmoid(w * x + b)
        term = gi.log(p) if label == 1 else gi.log(1 - p)
        loglik = term if loglik is None else loglik + term
    return -loglik


INTRO = """\
A logistic model $p = \\sigma(w x + b)$ on three labelled points
$(x, \\text{label}) = (0.5, 0), (1.5, 1), (2.5, 1)$; the loss is the sum of the
log-losses, $-\\log p$ for label 1 and $-\\log(1 - p)$ for label 0, written out
term by term as minus the log-likelihood (the data are numbers in the
expression, so the only inputs are $w$ and $b$). For each point the chain rule gives the familiar
$(p - \\text{label})\\, x$ for $w$ and $p - \\text{label}$ for $b$; the graph
computes it node by node, through $\\sigma' = \\sigma (1 - \\sigma)$ and $\\log' = 1/u$."""


def epilogue() -> str:
    # the closed form, from the data: sum over points of (p - label) * (x, 1)
    import math

    w, b = POINT["w"], POINT["b"]
    gw = gb = 0.0
    for x, label in DATA:
        p = 1 / (1 + math.exp(-(w * x + b)))
        gw += (p - label) * x
        gb += p - label
    return (
        "## By hand\n\n"
        "The closed form $\\sum_i (p_i - \\text{label}_i)\\,(x_i, 1)$ evaluated with plain Python floats "
        f"gives $({gw:.12g},\\ {gb:.12g})$: the same gradient."
    )


def build(frames: bool = False) -> Explanation:
    # 40 steps make a long animation of a wide graph: this example has the pictures, not the frames
    del frames
    return gi.explain(loss(), POINT, title="Worked example: logistic regression on three points",
                      intro=INTRO, epilogue=epilogue(), name="L", steps=False, rankdir="TB")


def write(folder: Path, frames: bool = False) -> list[Path]:
    return build(frames=frames).save(folder)


if __name__ == "__main__":
    run(NAME, write)
