"""gi.lambdify per backend on graphs of scalars: the time to compile and one call.

Rows: Rosenbrock's gradient in scalar form (n = 10 and n = 10^4 symbols) and a random
graph of about 10^5 operations on 100 inputs (its value; ``--grad`` adds its gradient).
For each backend of ``graphir.passes.compile.BACKENDS`` that takes the graph: lambdify
time (once; the first row includes the python backend's one-off calibration, printed
apart) and the median of one call at a point of Python floats, with the ratio to the
NumPy backend measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_compile.py [--quick] [--grad]``.
"""

from __future__ import annotations

import random
import time

import numpy as np
from _common import fmt_ratio, fmt_seconds, machine, median_time, once, parser, table

import graphir as gi
from graphir.passes.compile import BACKENDS
from graphir.passes.scalar_code import scalar_forms


def rosenbrock(n: int):
    xs = gi.symbols([f"x{i}" for i in range(n)])
    f = 0.0
    for i in range(n - 1):
        f = f + 100.0 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1.0 - xs[i]) ** 2
    return f, list(xs)


def random_graph(n_ops: int = 100_000, n_in: int = 100, seed: int = 0):
    """Each op takes two operands among the last 1000 nodes."""
    rnd = random.Random(seed)
    xs = list(gi.symbols([f"x{i}" for i in range(n_in)]))
    nodes = list(xs)
    ops = [
        lambda a, b: a + b,
        lambda a, b: a * b,
        lambda a, b: a - b,
        lambda a, b: gi.sin(a),
        lambda a, b: gi.tanh(a) * b,
    ]
    while len(nodes) < n_ops:
        lo = max(0, len(nodes) - 1000)
        a, b = nodes[rnd.randrange(lo, len(nodes))], nodes[rnd.randrange(lo, len(nodes))]
        nodes.append(rnd.choice(ops)(a, b))
    return nodes[-1], xs


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--grad", action="store_true", help="also the gradient of the random graph")
    p.add_argument("--repeats", type=int, default=31)
    opts = p.parse_args()
    repeats = 5 if opts.quick else opts.repeats
    print(f"# gi.lambdify per backend ({machine()}; median of {repeats})\n")
    _, t_cal = once(scalar_forms)
    print(f"python backend calibration (once per process): {fmt_seconds(t_cal)}\n")
    cases = [("Rosenbrock gradient, n = 10", lambda: (lambda f, xs: (gi.grad(f, xs), xs))(*rosenbrock(10)))]
    cases.append(
        (
            "Rosenbrock gradient, n = 10^4",
            lambda: (lambda f, xs: (gi.grad(f, xs), xs))(*rosenbrock(100 if opts.quick else 10_000)),
        )
    )
    cases.append(("random graph, 10^5 ops", lambda: random_graph(10_000 if opts.quick else 100_000)))
    if opts.grad:
        cases.append(
            (
                "random graph, 10^5 ops: gradient",
                lambda: (lambda f, xs: (gi.grad(f, xs), xs))(
                    *random_graph(10_000 if opts.quick else 100_000)
                ),
            )
        )
    rows = []
    rng = np.random.default_rng(0)
    for title, make in cases:
        (exprs, xs), t_build = once(make)
        point = [float(v) for v in rng.uniform(-1.0, 1.0, len(xs))]
        ref_call = None
        for name in BACKENDS:
            t0 = time.perf_counter()
            try:
                fn = gi.lambdify(exprs, xs, backend=name)
            except gi.ArgumentError as exc:
                rows.append([title, name, "-", "-", "-", str(exc)[:50]])
                continue
            t_lam = time.perf_counter() - t0
            t_call = median_time(
                lambda fn=fn, point=point: fn(*point), repeats if len(xs) < 1000 else max(3, repeats // 3)
            )
            if name == "numpy":
                ref_call = t_call
            rows.append(
                [
                    title,
                    name,
                    fmt_seconds(t_lam),
                    fmt_seconds(t_call),
                    fmt_ratio(t_call / ref_call) if ref_call else "-",
                    f"build + grad {fmt_seconds(t_build)}",
                ]
            )
    print(table(["graph", "backend", "lambdify", "one call", "call vs numpy", "note"], rows))


if __name__ == "__main__":
    main()
