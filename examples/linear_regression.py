"""Linear regression on one data point: the squared error 0.5*(y - w*x - b)^2.

The data (x, y) = (2, 7) are variables given a value; the gradient is taken
with respect to the parameters w and b only (wrt=[w, b]), as a training step
would: dL/dw = -(y - w*x - b)*x, dL/db = -(y - w*x - b).  At w = 1.5, b = 0.5
the residual is 3.5, so the gradient is (-7, -3.5).

Run:  python examples/linear_regression.py [FOLDER]    (default docs/examples/linear_regression)
"""

from __future__ import annotations

from pathlib import Path

from _worked import run

import graphir as gi
from graphir.text.worked import Explanation

NAME = "linear_regression"
POINT = {"x": 2.0, "y": 7.0, "w": 1.5, "b": 0.5}

INTRO = """\
The loss of a linear model $\\hat y = w x + b$ on one data point $(x, y) = (2, 7)$:
$L = \\tfrac12 (y - w x - b)^2$ at $w = 1.5$, $b = 0.5$. The data are inputs of
the graph like the parameters, but the gradient is taken with respect to $w$
and $b$ only (`wrt=[w, b]`): reverse mode sends no adjoint towards $x$ and $y$.
By hand: the residual is $r = y - w x - b = 3.5$, so
$\\partial L/\\partial w = -r x = -7$ and $\\partial L/\\partial b = -r = -3.5$."""


def build(frames: bool = False) -> Explanation:
    x, y, w, b = gi.symbols("x y w b")
    loss = 0.5 * (y - w * x - b) ** 2
    return gi.explain(loss, POINT, wrt=[w, b], title="Worked example: linear regression, one data point",
                      intro=INTRO, name="L", frames=frames)


def write(folder: Path, frames: bool = False) -> list[Path]:
    return build(frames=frames).save(folder)


if __name__ == "__main__":
    run(NAME, write)
