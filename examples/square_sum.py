"""(x + y)^2 at (2, 3): the smallest graph with a shared node.

x + y is computed once and squared; both partials are 2(x + y) = 10.

Run:  python examples/square_sum.py [FOLDER]    (default docs/examples/square_sum)
"""

from __future__ import annotations

from pathlib import Path

from _worked import run

import graphir as gi

NAME = "square_sum"

INTRO = """\
The smallest interesting graph: $x + y$ is one node, squared. Both partial
derivatives are $2(x + y) = 10$; the adjoint trace shows the chain rule
reaching them through the one shared node $v_1 = x + y$."""


def build() -> gi.render.explain.Explanation:  # type: ignore[name-defined]
    x, y = gi.symbols("x y")
    return gi.explain((x + y) ** 2, {x: 2, y: 3}, title="Worked example: (x + y)^2 at (2, 3)", intro=INTRO)


def write(folder: Path) -> list[Path]:
    return build().save(folder)


if __name__ == "__main__":
    run(NAME, write)
