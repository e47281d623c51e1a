"""(x + y)^2 at (2, 3): the smallest graph with a shared node.

x + y is computed once and squared; both partials are 2(x + y) = 10.

Run:  python examples/square_sum.py [FOLDER]    (default out/square_sum)
"""

from __future__ import annotations

from pathlib import Path

from _worked import run

import graphir as gi
from graphir.text.worked import Explanation

NAME = "square_sum"

INTRO = """\
The smallest interesting graph: $x + y$ is one node, squared. Both partial
derivatives are $2(x + y) = 10$; the adjoint trace shows the chain rule
reaching them through the one shared node $v_1 = x + y$."""


def build(frames: bool = False) -> Explanation:
    x, y = gi.symbols("x y")
    title = "Worked example: (x + y)^2 at (2, 3)"
    return gi.explain((x + y) ** 2, {x: 2, y: 3}, title=title, intro=INTRO, frames=frames,
                      sympy_timeout=None)


def write(folder: Path, frames: bool = False) -> list[Path]:
    return build(frames=frames).save(folder)


if __name__ == "__main__":
    run(NAME, write)
