"""Expression swell: f_{k+1} = sin(f_k) * f_k, f_0 = x, at depth 5 ... 80.

Symbolic differentiation of a nested expression writes every repeated
subexpression out again; a graph shares it.  For each depth this prints,
measured in one run:

* nodes of f and of graphir's derivative graph (reverse and forward mode) and
  their ratio (target: <= 3.5x at every depth), and the time to differentiate
  (it should grow linearly with the depth);
* SymPy's ``count_ops`` of ``diff(f, x)`` as a tree, before and after ``cse``,
  with the time of ``diff`` and of ``cse``, in a subprocess capped at
  ``--timeout`` seconds ("timeout" for what did not finish in time; the
  stages run diff, cse, count_ops after cse, count_ops before cse).

Run: ``.venv/bin/python benchmarks/bench_swell.py [--quick]``.
"""

from __future__ import annotations

import json
import subprocess
import sys

from _common import fmt_ratio, fmt_seconds, machine, median_times, parser, table

import graphir as gi
from graphir.traversal import reachable

DEPTHS = (5, 10, 20, 40, 80)
TARGET = 3.5

# Run in a subprocess so that a slow SymPy can be stopped; prints one JSON line per stage.
SYMPY_CHILD = r"""
import json, sys, time
import sympy as sp
depth = int(sys.argv[1])
x = sp.Symbol("x")
f = x
for _ in range(depth):
    f = sp.sin(f) * f
def say(stage, **kw):
    print(json.dumps({"stage": stage, **kw}), flush=True)
t = time.perf_counter(); d = sp.diff(f, x); say("diff", seconds=time.perf_counter() - t)
t = time.perf_counter(); repl, red = sp.cse(d); say("cse", seconds=time.perf_counter() - t)
ops_cse = sum(sp.count_ops(e) for _, e in repl) + sum(sp.count_ops(e) for e in red)
say("count_cse", ops=int(ops_cse))
ops = sp.count_ops(d)
say("count_diff", ops=int(ops))
say("count_f", ops=int(sp.count_ops(f)))
"""


def sympy_figures(depth: int, timeout: float) -> dict[str, dict]:
    """SymPy's figures at ``depth``: {"diff": {...}, "cse": {...}}; a stage missing timed out."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", SYMPY_CHILD, str(depth)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        out = proc.stdout
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
    found = {}
    for line in out.splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            found[rec["stage"]] = rec
    return found


def nested(depth: int):
    x = gi.symbols("x")
    f = x
    for _ in range(depth):
        f = gi.sin(f) * f
    return f, x


def measure(depth: int, repeats: int) -> list:
    """graphir's row for one depth."""
    f, x = nested(depth)
    f_nodes = f.num_nodes
    cells: list = [depth, f_nodes]
    ok = True
    d = None
    for mode in ("reverse", "forward"):
        d = gi.diff(f, x, mode=mode)
        d_nodes = d.num_nodes
        ok = ok and d_nodes / f_nodes <= TARGET
        # each call differentiates a freshly built f, so interning cannot reuse earlier work;
        # the time to build f is measured alongside and subtracted
        times = median_times(
            {
                "build+diff": lambda mode=mode: gi.diff(nested(depth)[0], "x", mode=mode),
                "build": lambda: nested(depth),
            },
            repeats,
        )
        t = max(times["build+diff"] - times["build"], 0.0)
        cells += [d_nodes, fmt_ratio(d_nodes / f_nodes), fmt_seconds(t)]
    clean = gi.cleanup(d)
    both = len(reachable(f.ir, [f.node, gi.diff(f, x).node]))
    return cells + [clean.num_nodes, both, "ok" if ok else "MISSED"]


def sympy_row(depth: int, timeout: float, f_nodes: int, df_nodes: int) -> list:
    s = sympy_figures(depth, timeout)

    def get(stage: str, key: str, seconds: bool = False) -> str:
        rec = s.get(stage)
        if rec is None:
            return "timeout"
        return fmt_seconds(rec[key]) if seconds else str(rec[key])

    return [
        depth,
        get("count_f", "ops"),
        get("diff", "seconds", True),
        get("count_diff", "ops"),
        get("cse", "seconds", True),
        get("count_cse", "ops"),
        f_nodes,
        df_nodes,
    ]


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--timeout", type=float, default=20.0, help="seconds allowed for SymPy per depth")
    p.add_argument("--no-sympy", action="store_true", help="leave SymPy out")
    args = p.parse_args()
    repeats = 5 if args.quick else 21

    rows = [measure(depth, repeats) for depth in DEPTHS]
    sym_rows = [] if args.no_sympy else [sympy_row(r[0], args.timeout, r[1], r[2]) for r in rows]

    print(f"# expression swell: f_(k+1) = sin(f_k)*f_k ({machine()}; median of {repeats})\n")
    print(f"## graphir (target: derivative graph <= {TARGET}x the nodes of f)\n")
    print(
        table(
            [
                "depth",
                "nodes f",
                "nodes df (reverse)",
                "ratio",
                "time reverse",
                "nodes df (forward)",
                "ratio",
                "time forward",
                "after cleanup",
                "nodes f and df together",
                "target",
            ],
            rows,
        )
    )
    if sym_rows:
        print(f"\n## SymPy (count_ops of the tree; subprocess capped at {args.timeout:.0f} s)\n")
        print(
            table(
                [
                    "depth",
                    "count_ops f",
                    "time diff",
                    "count_ops diff",
                    "time cse",
                    "count_ops after cse",
                    "graphir nodes f",
                    "graphir nodes df (reverse)",
                ],
                sym_rows,
            )
        )
        print(
            "\ncount_ops counts operations of the tree (a shared subexpression once per use); "
            "graphir counts nodes of the graph (each distinct subexpression once, leaves included)."
        )


if __name__ == "__main__":
    main()
