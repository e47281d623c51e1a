"""e = (a + b) * (b + 1) at a = 2, b = 1: the example of Christopher Olah's
"Calculus on Computational Graphs: Backpropagation" (colah.github.io, 2015).

b feeds two nodes, so its derivative is the sum over two paths:
de/db = (b + 1) * 1 + (a + b) * 1 = 2 + 3 = 5, and de/da = b + 1 = 2.

Run:  python examples/olah.py [FOLDER]    (default out/olah)
"""

from __future__ import annotations

from pathlib import Path

from _worked import run

import graphir as gi
from graphir.text.worked import Explanation

NAME = "olah"

INTRO = """\
The example of Christopher Olah's
[*Calculus on Computational Graphs: Backpropagation*](https://colah.github.io/posts/2015-08-Backprop/)
(2015): $c = a + b$, $d = b + 1$, $e = c \\cdot d$. The input $b$ feeds two
nodes, so reverse mode sends it two contributions that add up, and the sum
over paths has two paths for $b$: $\\partial e/\\partial b = 2 + 3 = 5$,
while $\\partial e/\\partial a = b + 1 = 2$."""


def build(frames: bool = False) -> Explanation:
    a, b = gi.symbols("a b")
    e = (a + b) * (b + 1)
    title = "Worked example: e = (a + b)(b + 1) at a = 2, b = 1"
    return gi.explain(e, {a: 2, b: 1}, title=title, intro=INTRO, name="e", frames=frames,
                      sympy_timeout=None)


def write(folder: Path, frames: bool = False) -> list[Path]:
    return build(frames=frames).save(folder)


if __name__ == "__main__":
    run(NAME, write)
