"""The worked example of Baydin, Pearlmutter, Radul and Siskind (2018), drawn and explained.

f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (x1, x2) = (2, 5) is the running
example of "Automatic differentiation in machine learning: a survey"
(JMLR 18(153), 2018): Table 2 is its forward-mode trace, Table 3 its
reverse-mode trace.  This script writes both, computed by graphir's own graph
passes, with the pictures::

    FOLDER/README.md            reverse mode: trace tables, chain rule edge by edge,
                                sum over paths, check against SymPy and finite differences
    FOLDER/graph.svg, .png      the computation graph
    FOLDER/graph_reverse.svg    values, adjoints and local partials on the graph
    FOLDER/steps/               steps.gif, stepper.html, one frame per step (SVG, PNG)
    FOLDER/forward/...          the same in forward mode (Table 2)

Run:  python examples/baydin_worked.py [FOLDER]    (default out/baydin)
"""

from __future__ import annotations

import sys
from pathlib import Path

from _worked import ROOT, run, shown

import graphir as gi
from graphir.text.worked import Explanation

NAME = "baydin"
TEXT = "ln(x1) + x1*x2 - sin(x2)"
POINT = {"x1": 2.0, "x2": 5.0}
DEFAULT = ROOT / "out" / "baydin"

PAPER = (
    "Baydin, Pearlmutter, Radul and Siskind, [*Automatic differentiation in machine learning: "
    "a survey*](https://jmlr.org/papers/v18/17-468.html), JMLR 18(153), 2018"
)

INTRO_REVERSE = f"""\
The running example of {PAPER}: Table 3 of the paper is the reverse-mode trace
below, computed here by graphir's own reverse pass. Every number matches the
paper's table to the 3 decimals it shows, in the tables and in the pictures alike.

The same example in forward mode (the paper's Table 2): [forward/README.md](forward/README.md)."""

INTRO_FORWARD = f"""\
The running example of {PAPER}: Table 2 of the paper is the forward-mode trace
below, seeded with $\\dot x_1 = 1$, $\\dot x_2 = 0$, computed here by graphir's
own forward pass.

The same example in reverse mode (the paper's Table 3): [../README.md](../README.md)."""


def build(mode: str = "reverse", frames: bool = False) -> Explanation:
    f = gi.parse(TEXT)
    title = f"Worked example: ln(x1) + x1*x2 - sin(x2) at (2, 5), {mode} mode"
    intro = INTRO_REVERSE if mode == "reverse" else INTRO_FORWARD
    wrt = "x1" if mode == "forward" else None
    return gi.explain(f, POINT, mode=mode, wrt=wrt, title=title, intro=intro, frames=frames,
                      sympy_timeout=None)


def write(folder: Path, frames: bool = False) -> list[Path]:
    """Reverse mode into ``folder``, forward mode into ``folder/forward``."""
    folder = Path(folder)
    return build("reverse", frames).save(folder) + build("forward", frames).save(folder / "forward")


def main(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    ex = build("reverse")
    print(ex.table)
    print()
    print("The chain rule, edge by edge:")
    print("\n".join("  " + line for line in ex.chain_lines()))
    print()
    folder = run(NAME, lambda folder: write(folder, frames=True), argv, default=DEFAULT)
    steps = folder / "steps"
    print(f"picture: {shown(folder / 'graph_reverse.svg')}, animation: {shown(steps / 'steps.gif')}, "
          f"stepper: {shown(steps / 'stepper.html')}; forward mode: {shown(folder / 'forward')}/")
    return folder


if __name__ == "__main__":
    main()
