"""The backends of gi.lambdify side by side: NumPy (the reference), NumPy in blocks, numba.

Prints, per backend, the median time of:

* one gradient evaluation of a random graph of 10^5 operations of 100 scalar
  inputs (scalar inputs: one point), with the time to build the compiled function;
* the gradient of Baydin's ``ln(x1) + x1*x2 - sin(x2)`` and of the 20-op chain of
  ``bench_peers.py`` on 10^6 points, against the same gradient written by hand in NumPy.

Backends: ``numpy`` with ``block=0`` (one NumPy call per node on whole arrays),
``numpy`` with its default blocks (:data:`graphir.passes.compile.BLOCK` points at a
time on long arrays), ``numba`` (an instruction table run by a compiled loop; skipped
when numba is not installed: ``pip install 'graphir[fast]'``).

Run: ``.venv/bin/python benchmarks/bench_backends.py [--quick] [--ops N] [--points N]``.
"""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np
from _common import available, fmt_ratio, fmt_seconds, machine, median_times, parser, table
from bench_peers import baydin, f20

import graphir as gi
from graphir.passes.compile import BLOCK


def baydin_grad_numpy(x1: np.ndarray, x2: np.ndarray) -> tuple[np.ndarray, ...]:
    """Baydin's gradient as one would write it by hand."""
    return 1.0 / x1 + x2, x1 - np.cos(x2)


def f20_grad_numpy(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, ...]:
    """The gradient of the 20-op chain as one would write it by hand, sharing what the partials share."""
    ey = np.exp(y)
    t = np.tanh(z)
    q = 1.0 + x * x
    r = np.sqrt(1.0 + y * y)
    w = 1.0 + z * z
    xy = x * y
    sz = np.sin(xy) * z
    gx = np.cos(x) * ey + 2.0 * x * t / q - sz * y
    gy = np.sin(x) * ey - y / (r * w) - sz * x
    gz = np.log(q) * (1.0 - t * t) + 2.0 * z * r / (w * w) + np.cos(xy)
    return gx, gy, gz


def random_graph(n_ops: int, n_inputs: int, seed: int = 0) -> tuple[gi.Expr, list[gi.Expr]]:
    """A random expression of ``n_ops`` operations on ``n_inputs`` scalars, values bounded
    (sin, cos, tanh, +, -, and products scaled by 1/2), each operation reading recent ones."""
    rnd = random.Random(seed)
    xs = gi.symbols([f"x{k}" for k in range(n_inputs)])
    nodes: list[gi.Expr] = list(xs)
    for _ in range(n_ops):
        a = nodes[-1 - min(rnd.randrange(len(nodes)), rnd.randrange(64))]
        b = nodes[rnd.randrange(len(nodes))]
        k = rnd.randrange(6)
        nodes.append(
            [gi.sin(a), gi.cos(a), gi.tanh(a), a + b, a - b, a * b * 0.5][k]  # type: ignore[list-item]
        )
    return nodes[-1], xs


def built(exprs: Any, xs: Any, **options: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    f = gi.lambdify(exprs, xs, **options)
    return f, time.perf_counter() - start


def backends(has_numba: bool) -> dict[str, dict[str, Any]]:
    out = {"numpy, no blocks": {"backend": "numpy", "block": 0}, f"numpy, blocks of {BLOCK}": {}}
    if has_numba:
        out["numba"] = {"backend": "numba"}
    return out


def graph_rows(n_ops: int, repeats: int, has_numba: bool) -> list[list[Any]]:
    f, xs = random_graph(n_ops, 100)
    start = time.perf_counter()
    g = gi.grad(f, xs)
    grad_time = time.perf_counter() - start
    point = [0.1 * k - 5.0 for k in range(100)]
    rows, runs = [], {}
    for name, options in backends(has_numba).items():
        if "block" in options and options["block"] == 0:
            continue  # one point: blocks change nothing
        fn, setup = built(g, xs, **options)
        first = time.perf_counter()
        fn(*point)
        first = time.perf_counter() - first
        runs[name] = (fn, setup, first)
    want = runs[next(iter(runs))][0](*point)
    for name, (fn, _, _) in runs.items():
        err = max(abs(a - b) / (1.0 + abs(b)) for a, b in zip(fn(*point), want, strict=True))
        assert err < 1e-9, f"{name}: gradient differs by {err}"
    times = median_times({n: (lambda fn=fn: fn(*point)) for n, (fn, _, _) in runs.items()}, repeats)
    base = times[next(iter(times))]
    for name, (_, setup, first) in runs.items():
        rows.append([name, fmt_seconds(times[name]), fmt_ratio(times[name] / base), fmt_seconds(setup),
                     fmt_seconds(first)])
    print(f"\n## random graph of {n_ops} ops, 100 inputs: one gradient evaluation at one point\n")
    print(f"(reverse pass: {fmt_seconds(grad_time)}; gradient graph: {len(g[0].ir)} nodes)\n")
    return rows


def points_rows(fn: Any, hand: Any, names: tuple[str, ...], points: int, repeats: int,
                has_numba: bool) -> list[list[Any]]:
    xs = gi.symbols(list(names))
    g = list(gi.grad(fn(gi, *xs), xs))
    rng = np.random.default_rng(0)
    arrays = [rng.uniform(0.5, 2.0, points) for _ in names]
    want = hand(*arrays)
    runs: dict[str, Any] = {"hand-written NumPy": (lambda: hand(*arrays), None)}
    for name, options in backends(has_numba).items():
        f, setup = built(g, xs, **options)
        got = f(*arrays)
        for a, b in zip(got, want, strict=True):
            err = np.max(np.abs(a - b) / (1.0 + np.abs(b)))
            assert err < 1e-12, f"{name}: gradient differs from the hand-written one by {err}"
        runs[f"graphir {name}"] = (lambda f=f: f(*arrays), setup)
    times = median_times({n: r[0] for n, r in runs.items()}, repeats)
    base = times["hand-written NumPy"]
    return [[n, fmt_seconds(times[n]), fmt_ratio(times[n] / base), fmt_seconds(runs[n][1])] for n in runs]


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--ops", type=int, default=100_000, help="operations of the random graph")
    p.add_argument("--points", type=int, default=1_000_000, help="points of the 10^6-point rows")
    opts = p.parse_args()
    repeats = 5 if opts.quick else 21
    numba_version = available("numba")
    print(f"# backends of gi.lambdify ({machine()}; median of {repeats})\n")
    if numba_version is None:
        print("numba is not installed (pip install 'graphir[fast]'): its rows are skipped.")
    else:
        print(f"numba {numba_version}; its first call compiles the loops once (cached on disk).")
    has = numba_version is not None
    print(table(["backend", "median", "ratio to numpy", "setup (lambdify)", "first call"],
                graph_rows(opts.ops, repeats, has)))
    for title, (fn, hand, names) in {
        "Baydin: ln(x1) + x1*x2 - sin(x2)": (baydin, baydin_grad_numpy, ("x1", "x2")),
        "20-op elementwise f(x, y, z)": (f20, f20_grad_numpy, ("x", "y", "z")),
    }.items():
        print(f"\n## {title}: gradient on {opts.points} points\n")
        print(table(["tool", "median", "ratio to hand", "setup (lambdify)"],
                    points_rows(fn, hand, names, opts.points, repeats, has)))


if __name__ == "__main__":
    main()
