"""Finite-difference error against step size: the picture in docs/numerics.md.

The function is the classic test case of Squire and Trapp ("Using complex
variables to estimate derivatives of real functions", SIAM Review 40, 1998):
f(x) = exp(x) / sqrt(sin(x)^3 + cos(x)^3) at x = 1.5.  Forward and backward
differences are best near h = sqrt(eps), central differences near eps^(1/3);
the complex step stays at machine precision for every small step.

Run:  python examples/step_sweep.py [OUT.png]    (default docs/img/step_sweep.png)
"""

from __future__ import annotations

import sys
from pathlib import Path

import graphir as gi

TEXT = "exp(x)/sqrt(sin(x)^3 + cos(x)^3)"
POINT = {"x": 1.5}


def main(out: str | None = None) -> Path:
    path = Path(out) if out else Path(__file__).resolve().parent.parent / "docs" / "img" / "step_sweep.png"
    sweep = gi.step_sweep(gi.parse(TEXT), POINT)
    print(sweep)
    written = sweep.plot(path)
    print(f"wrote {written}")
    return written


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
