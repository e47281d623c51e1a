"""Render time of the pictures of the Baydin example ln(x1) + x1*x2 - sin(x2) at (2, 5).

For each job this prints the median wall time over several runs and the number
of Graphviz processes one run starts:

* ``to_dot`` (reverse mode, no Graphviz);
* one SVG and one PNG (reverse mode);
* ``steps=True`` in reverse and forward mode: every frame as SVG and PNG, the
  animated GIF and the HTML stepper (layout computed once by ``dot``, all
  frames drawn by one ``neato -n2`` process).

Run: ``.venv/bin/python benchmarks/bench_render.py [--quick]``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from _common import fmt_seconds, machine, median_time, parser, table

import graphir as gi
from graphir.pictures.frames import build_frames
from graphir.pictures.model import picture

AT = {"x1": 2.0, "x2": 5.0}


def processes_started(job: Callable[[], object]) -> int:
    """Run ``job`` once; the number of processes (Graphviz's, here) it started."""
    started = 0
    run = subprocess.run

    def counting_run(*args: object, **kwargs: object) -> subprocess.CompletedProcess:
        nonlocal started
        started += 1
        return run(*args, **kwargs)  # type: ignore[call-overload]

    subprocess.run = counting_run  # type: ignore[assignment]
    try:
        job()
    finally:
        subprocess.run = run
    return started


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    args = p.parse_args()
    repeats = 3 if args.quick else 7
    f = gi.parse("ln(x1) + x1*x2 - sin(x2)")
    tmp = Path(tempfile.mkdtemp(prefix="bench_render_"))
    try:
        jobs = {
            "to_dot (reverse)": lambda: gi.to_dot(f, at=AT, mode="reverse"),
            "render SVG (reverse)": lambda: gi.render(f, tmp / "f.svg", at=AT, mode="reverse"),
            "render PNG (reverse)": lambda: gi.render(f, tmp / "f.png", at=AT, mode="reverse"),
            "steps=True (reverse)": lambda: gi.render(f, tmp / "rev", at=AT, mode="reverse", steps=True),
            "steps=True (forward)": lambda: gi.render(f, tmp / "fwd", at=AT, mode="forward", steps=True),
        }
        frames = {
            "steps=True (reverse)": len(build_frames(picture(f, at=AT, mode="reverse"))),
            "steps=True (forward)": len(build_frames(picture(f, at=AT, mode="forward"))),
        }
        rows = []
        for name, job in jobs.items():
            calls = processes_started(job)
            t = median_time(job, repeats, warmup=0)
            n = frames.get(name)
            rows.append([name, "-" if n is None else n, calls, fmt_seconds(t),
                         "-" if n is None else fmt_seconds(t / n)])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"# render time, Baydin example at (2, 5) ({machine()}; median of {repeats})\n")
    print(table(["job", "frames", "Graphviz processes", "median time", "per frame"], rows))


if __name__ == "__main__":
    main()
