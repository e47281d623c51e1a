"""Expression swell: f_{k+1} = sin(f_k) * f_k, f_0 = x, at depth 5 ... 80.

Symbolic differentiation of a nested expression writes every repeated
subexpression out again; a graph shares it.  For each depth this prints,
measured in one run:

* nodes of f and of graphir's derivative graph (reverse and forward mode) and
  their ratio (target: <= 3.5x at every depth), and the time to differentiate
  (it should grow linearly with the depth);
* SymPy's ``count_ops`` of ``diff(f, x)`` as a tree, before and after ``cse``,
  with the time of each, in a subprocess capped at ``--timeout`` seconds
  ("timeout" beyond).

Run: ``.venv/bin/python benchmarks/bench_swell.py [--quick]``.
"""

from __future__ import annotations

import json
import subprocess
import sys

from _common import fmt_ratio, fmt_seconds, machine, median_time, parser, table

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
t = time.perf_counter(); d = sp.diff(f, x); t_diff = time.perf_counter() - t
t = time.perf_counter(); ops = sp.count_ops(d); t_count = time.perf_counter() - t
print(json.dumps({"stage": "diff", "f_ops": int(sp.count_ops(f)), "ops": int(ops),
                  "seconds": t_diff, "count_seconds": t_count}), flush=True)
t = time.perf_counter(); repl, red = sp.cse(d); t_cse = time.perf_counter() - t
ops_cse = sum(sp.count_ops(e) for _, e in repl) + sum(sp.count_ops(e) for e in red)
print(json.dumps({"stage": "cse", "ops": int(ops_cse), "seconds": t_cse}), flush=True)
"""


def sympy_figures(depth: int, timeout: float) -> dict[str, dict]:
    """SymPy's figures at ``depth``: {"diff": {...}, "cse": {...}}; a stage missing timed out."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", SYMPY_CHILD, str(depth)],
            capture_output=True, text=True, timeout=timeout,
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


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--timeout", type=float, default=20.0, help="seconds allowed for SymPy per depth")
    p.add_argument("--no-sympy", action="store_true", help="leave SymPy out")
    args = p.parse_args()
    repeats = 3 if args.quick else 9

    rows, sym_rows = [], []
    for depth in DEPTHS:
        f, x = nested(depth)
        f_nodes = f.num_nodes
        cells = [depth, f_nodes]
        ok = True
        for mode in ("reverse", "forward"):
            d = gi.diff(f, x, mode=mode)
            # nodes of the derivative graph, and of everything it and f need together
            d_nodes = d.num_nodes
            ok = ok and d_nodes / f_nodes <= TARGET
            # time on a fresh graph each call, so that interning cannot reuse earlier work
            t = median_time(lambda mode=mode: gi.diff(nested(depth)[0], "x", mode=mode), repeats)
            t_build = median_time(lambda: nested(depth), repeats)
            cells += [d_nodes, fmt_ratio(d_nodes / f_nodes), fmt_seconds(max(t - t_build, 0.0))]
        clean = gi.cleanup(d)
        both = len(reachable(f._g, [f.node, gi.diff(f, x).node]))
        cells += [clean.num_nodes, both, "ok" if ok else "MISSED"]
        rows.append(cells)

        if not args.no_sympy:
            s = sympy_figures(depth, args.timeout)
            dif, cse = s.get("diff"), s.get("cse")
            sym_rows.append([
                depth,
                dif["f_ops"] if dif else "-",
                dif["ops"] if dif else "timeout",
                fmt_seconds(dif["seconds"]) if dif else "timeout",
                cse["ops"] if cse else "timeout",
                fmt_seconds(cse["seconds"]) if cse else "timeout",
                f_nodes, rows[-1][2],
            ])

    print(f"# expression swell: f_(k+1) = sin(f_k)*f_k ({machine()}; median of {repeats})\n")
    print(f"## graphir (target: derivative graph <= {TARGET}x the nodes of f)\n")
    print(table(
        ["depth", "nodes f", "nodes df (reverse)", "ratio", "time reverse", "nodes df (forward)", "ratio",
         "time forward", "after cleanup", "nodes f and df together", "target"],
        rows,
    ))
    if sym_rows:
        print(f"\n## SymPy (count_ops of the tree; subprocess capped at {args.timeout:.0f} s)\n")
        print(table(
            ["depth", "count_ops f", "count_ops diff", "time diff", "count_ops after cse", "time cse",
             "graphir nodes f", "graphir nodes df"],
            sym_rows,
        ))
        print("\ncount_ops counts operations of the tree (a shared subexpression once per use); "
              "graphir counts nodes of the graph (each distinct subexpression once, leaves included).")


if __name__ == "__main__":
    main()
