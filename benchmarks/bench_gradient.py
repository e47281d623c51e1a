"""The cheap gradient principle on Rosenbrock's function of n scalar symbols.

Reverse mode gives all n partials for a small constant factor of the cost of
the function (Griewank and Walther, "Evaluating Derivatives", 2008, ch. 4:
at most about 4-5x the operations).  For n = 100, 1,000 and 10,000 this
prints, measured in one run:

* nodes of f and nodes of the graph holding all n reverse partials
  (:func:`graphir.traversal.reachable` over the partial nodes) and their ratio
  (target: <= 3.5x);
* the time to differentiate (reverse: one pass; forward: n passes);
* the compiled gradient (:func:`graphir.lambdify` of all n partials) against
  the compiled f, each on arrays of 1,000 points per input (target: <= 4x).

Forward mode costs n passes over the whole graph (O(n^2)); it is measured
while its estimated time stays under ``--forward-budget`` seconds, and the
table says when it was skipped.

Run: ``.venv/bin/python benchmarks/bench_gradient.py [--quick]``.
"""

from __future__ import annotations

import gc

import numpy as np
from _common import fmt_ratio, fmt_seconds, machine, median_times, once, parser, table

import graphir as gi
from graphir.traversal import reachable

NODES_TARGET = 3.5
TIME_TARGET = 4.0


def rosenbrock(n: int):
    """sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 over n scalar symbols."""
    xs = gi.symbols([f"x{i}" for i in range(n)])
    f = 0.0
    for i in range(n - 1):
        f = f + 100.0 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1.0 - xs[i]) ** 2
    return f, xs


def rosen_der_numpy(x: np.ndarray) -> np.ndarray:
    """SciPy's formula (scipy.optimize.rosen_der), on an (n, points) array: the check."""
    xm, xm_m1, xm_p1 = x[1:-1], x[:-2], x[2:]
    der = np.zeros_like(x)
    der[1:-1] = 200 * (xm - xm_m1**2) - 400 * (xm_p1 - xm**2) * xm - 2 * (1 - xm)
    der[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0])
    der[-1] = 200 * (x[-1] - x[-2] ** 2)
    return der


def measure(n: int, points: int, budget: float, repeats: int, rng: np.random.Generator) -> dict:
    """All figures for one n."""
    (f, xs), t_build = once(lambda: rosenbrock(n))
    graph = f.ir
    f_nodes = len(reachable(graph, [f.node]))

    g_rev, t_rev = once(lambda: gi.grad(f, xs, mode="reverse"))
    g_nodes = len(reachable(graph, [d.node for d in g_rev]))
    clean, t_clean = once(lambda: gi.cleanup(list(g_rev)))
    c_nodes = len(reachable(graph, [d.node for d in clean]))

    # Forward mode: time one pass, estimate n passes, run them when within budget.
    _, t_one = once(lambda: gi.diff(f, xs[n // 2], mode="forward"))
    t_fwd = g_fwd_nodes = None
    note = None
    if t_one * n <= budget:
        g_fwd, t_fwd = once(lambda: gi.grad(f, xs, mode="forward"))
        g_fwd_nodes = len(reachable(graph, [d.node for d in g_fwd]))
    else:
        note = (
            f"n = {n}: forward mode skipped (one pass took {fmt_seconds(t_one)}, "
            f"n passes would take about {fmt_seconds(t_one * n)} > budget {budget:.0f} s)"
        )

    # Compiled f and gradient on arrays of points.
    f_c, t_cf = once(lambda: gi.lambdify(f, xs))
    g_c, t_cg = once(lambda: gi.lambdify(list(g_rev), xs))
    pts = rng.uniform(-2.0, 2.0, (n, points))
    cols = list(pts)
    want = rosen_der_numpy(pts)
    err = np.max(np.abs(np.array(g_c(*cols)) - want) / (1 + np.abs(want)))
    assert err < 1e-12, f"compiled gradient disagrees with SciPy's formula: {err}"
    runs = {"f": lambda: f_c(*cols), "grad": lambda: g_c(*cols)}
    if c_nodes < g_nodes:
        gcl_c = gi.lambdify(list(clean), xs)
        runs["clean"] = lambda: gcl_c(*cols)
    gc.collect()
    times = median_times(runs, repeats)
    ratio_nodes, ratio_time = g_nodes / f_nodes, times["grad"] / times["f"]
    return {
        "nodes": [
            n,
            f_nodes,
            g_nodes,
            fmt_ratio(ratio_nodes),
            c_nodes,
            fmt_ratio(c_nodes / f_nodes),
            "-" if g_fwd_nodes is None else g_fwd_nodes,
            "ok" if ratio_nodes <= NODES_TARGET else "MISSED",
        ],
        "diff": [n, fmt_seconds(t_build), fmt_seconds(t_rev), fmt_seconds(t_clean), fmt_seconds(t_fwd)],
        "time": [
            n,
            fmt_seconds(times["f"]),
            fmt_seconds(times["grad"]),
            fmt_ratio(ratio_time),
            fmt_ratio(times["clean"] / times["f"]) if "clean" in times else "-",
            fmt_seconds(t_cf),
            fmt_seconds(t_cg),
            "ok" if ratio_time <= TIME_TARGET else "MISSED",
        ],
        "note": note,
    }


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100,1000,10000", help="comma-separated n")
    p.add_argument("--points", type=int, default=1000, help="points per input array")
    p.add_argument("--forward-budget", type=float, default=60.0, help="seconds allowed for forward mode")
    args = p.parse_args()
    repeats = 5 if args.quick else 21
    rng = np.random.default_rng(0)
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        results.append(measure(n, args.points, args.forward_budget, repeats, rng))
        gc.collect()

    print(f"# cheap gradient: Rosenbrock of n symbols ({machine()}; median of {repeats})\n")
    print(f"## nodes (target: reverse gradient graph <= {NODES_TARGET}x the nodes of f)\n")
    print(
        table(
            [
                "n",
                "nodes f",
                "nodes grad (reverse)",
                "ratio",
                "after cleanup",
                "ratio",
                "nodes grad (forward)",
                "target",
            ],
            [r["nodes"] for r in results],
        )
    )
    print("\n## time to differentiate\n")
    print(
        table(
            ["n", "build f", "reverse (1 pass)", "cleanup", "forward (n passes)"],
            [r["diff"] for r in results],
        )
    )
    print(
        f"\n## compiled, {args.points} points per input, measured interleaved "
        f"(target: gradient <= {TIME_TARGET}x f)\n"
    )
    print(
        table(
            [
                "n",
                "f",
                "all n partials",
                "ratio",
                "ratio after cleanup",
                "compile f",
                "compile grad",
                "target",
            ],
            [r["time"] for r in results],
        )
    )
    for r in results:
        if r["note"]:
            print(f"\n{r['note']}")


if __name__ == "__main__":
    main()
