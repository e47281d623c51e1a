"""Benchmark of graphir's core: building, evaluating, compiling and parsing.

Run from the repository root::

    .venv/bin/python benchmarks/bench_core.py            # full run (under half a minute)
    .venv/bin/python benchmarks/bench_core.py --quick    # 2 runs per median, same sizes

Every figure is the median of several runs measured in this one process, and
every ratio compares two medians of the same run:

* build cost per node for chains of 10^4, 10^5, 10^6 nodes (``x = sin(x)*0.5 + x``):
  it must stay flat (O(n)); the 10^6-node graph is also evaluated and saved
  (``gi.to_json``, when the JSON bridge is there);
* ``gi.lambdify`` and ``expr.eval`` of ``ln(x1) + x1*x2 - sin(x2)`` on 10^6 points
  against the same formula written by hand in NumPy (targets: at most 1.2x and 2x);
* ``gi.parse`` against ``sympy.parse_expr`` on the same 10^3- and 10^4-term text
  (SymPy goes through Python's compiler, which gives up on a 10^4-term sum with a
  RecursionError; the table says so).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import machine, table  # also puts the repository root on sys.path

import graphir as gi

ROWS: list[tuple[str, str, str, str, str]] = []


def median_seconds(fn: Callable[[], Any], repeats: int, number: int = 1) -> float:
    """Median over ``repeats`` runs of the time of one call (each run averages ``number`` calls)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def fmt_time(t: float) -> str:
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.2f} ms"
    return f"{t * 1e6:.2f} us"


def row(name: str, seconds: float | None, unit: str = "", ratio: str = "", verdict: str = "") -> None:
    ROWS.append((name, fmt_time(seconds) if seconds is not None else "-", unit, ratio, verdict))
    print("  " + "  ".join(c for c in (name + ":", *ROWS[-1][1:]) if c), flush=True)


def check(value: float, target: float) -> str:
    return f"<= {target:g}x: {'ok' if value <= target else 'MISSED'}"


# ---------------------------------------------------------------- chains


def build_chain(n: int) -> gi.Expr:
    """About ``n`` nodes: x_{k+1} = sin(x_k)*0.5 + x_k (three nodes per step)."""
    x = gi.symbols("x")
    e = x
    for _ in range((n - 2) // 3):
        e = gi.sin(e) * 0.5 + e
    return e


def bench_chains(sizes: list[int], repeats: int) -> None:
    print("chains: build, evaluate, save", flush=True)
    per_node: dict[int, float] = {}
    for n in sizes:
        reps = repeats if n < 10**6 else max(1, repeats // 2)
        chain: list[gi.Expr] = []

        def build(n: int = n, chain: list[gi.Expr] = chain) -> None:
            chain[:] = [build_chain(n)]

        t = median_seconds(build, reps)
        e = chain[0]
        nodes = e.num_nodes
        per_node[n] = t / nodes
        row(f"build chain of {nodes:,} nodes", t, f"{per_node[n] * 1e6:.2f} us/node")
        t = median_seconds(lambda e=e: e.eval(x=1.0), reps)
        row(f"eval chain of {nodes:,} nodes (scalar)", t, f"{t / nodes * 1e6:.2f} us/node")
        if n == max(sizes):
            xs = np.linspace(0.0, 2.0, 100)
            t = median_seconds(lambda e=e, xs=xs: e.eval(x=xs), reps)
            row(f"eval chain of {nodes:,} nodes (100 points)", t, f"{t / nodes * 1e6:.2f} us/node")
            bench_json(e, reps)
        del chain[:], e
        gc.collect()
    small, large = min(sizes), max(sizes)
    flat = per_node[large] / per_node[small]
    row(
        f"build cost per node, {large:,} vs {small:,} nodes",
        None,
        "",
        f"{flat:.2f}",
        check(flat, 2.0) + " (flat: O(n))",
    )


def bench_json(e: gi.Expr, reps: int) -> None:
    try:
        to_json, from_json = gi.to_json, gi.from_json
    except (AttributeError, ImportError) as exc:
        row(f"save {e.num_nodes:,} nodes with gi.to_json", None, f"not available: {exc.__class__.__name__}")
        return
    out: list[str] = []
    t = median_seconds(lambda: out.__setitem__(slice(None), [to_json(e)]), reps)
    row(f"save {e.num_nodes:,} nodes with gi.to_json", t, f"{len(out[0]) / 1e6:.1f} MB of text")
    t = median_seconds(lambda: from_json(out[0]), reps)
    row(f"load {e.num_nodes:,} nodes with gi.from_json", t)


# ---------------------------------------------------------------- the Baydin function


def bench_baydin(n_points: int, repeats: int) -> None:
    print(f"ln(x1) + x1*x2 - sin(x2) on {n_points:,} points", flush=True)
    x1, x2 = gi.symbols("x1 x2")
    f = gi.log(x1) + x1 * x2 - gi.sin(x2)
    rng = np.random.default_rng(0)
    a = rng.uniform(0.5, 3.0, n_points)
    b = rng.uniform(-3.0, 3.0, n_points)
    fn = gi.lambdify(f, [x1, x2])

    def by_hand() -> Any:
        return np.log(a) + a * b - np.sin(b)

    ref = by_hand()
    assert np.array_equal(fn(a, b), ref) and np.array_equal(f.eval(x1=a, x2=b), ref)
    number = 5
    # interleave the three so that drifts of the machine hit them alike
    times: dict[str, list[float]] = {"hand": [], "lambdify": [], "eval": []}
    calls = {"hand": by_hand, "lambdify": lambda: fn(a, b), "eval": lambda: f.eval(x1=a, x2=b)}
    for _ in range(repeats):
        for name, call in calls.items():
            times[name].append(median_seconds(call, 1, number))
    med = {k: statistics.median(v) for k, v in times.items()}
    row("NumPy by hand", med["hand"])
    r = med["lambdify"] / med["hand"]
    row("gi.lambdify(f)(x1, x2)", med["lambdify"], "", f"{r:.2f} (vs by hand)", check(r, 1.2))
    r = med["eval"] / med["hand"]
    row("f.eval(x1=..., x2=...)", med["eval"], "", f"{r:.2f} (vs by hand)", check(r, 2.0))
    t = median_seconds(lambda: gi.lambdify(f, [x1, x2]), repeats, 20)
    row("gi.lambdify(f, [x1, x2]) itself (compile)", t)


# ---------------------------------------------------------------- parsing


def sum_text(n_terms: int) -> str:
    return " + ".join(f"{k % 7 + 1}*sin(x{k % 100})**2" for k in range(n_terms))


def bench_parse(n_terms: list[int], repeats: int) -> None:
    print("parsing", flush=True)
    try:
        from sympy.parsing.sympy_parser import parse_expr
    except ImportError:
        parse_expr = None
    for n in n_terms:
        text = sum_text(n)
        t_gi = median_seconds(lambda text=text: gi.parse(text), repeats)
        row(f"gi.parse, {n:,}-term sum ({len(text):,} characters)", t_gi)
        if parse_expr is None:
            row(f"sympy.parse_expr, {n:,}-term sum", None, "sympy not installed")
            continue
        failure = None

        def sympy_parse(text: str = text) -> None:
            parse_expr(text)

        try:
            t_sp = median_seconds(sympy_parse, max(1, repeats // 2))
        except (RecursionError, MemoryError, SyntaxError, ValueError) as exc:
            failure = f"fails: {exc.__class__.__name__}"
        if failure:
            row(f"sympy.parse_expr, {n:,}-term sum", None, failure)
        else:
            row(f"sympy.parse_expr, {n:,}-term sum", t_sp, "", f"{t_sp / t_gi:.1f} (sympy / graphir)")


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (still all sizes)")
    ap.add_argument("--repeats", type=int, default=None, help="runs per median (default 5, --quick 2)")
    args = ap.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 5)
    print(f"graphir {gi.__version__}; {machine()}; {repeats} runs per median", flush=True)
    t0 = time.perf_counter()
    bench_chains([10**4, 10**5, 10**6], repeats)
    bench_baydin(10**6, repeats)
    bench_parse([10**3, 10**4], repeats)
    print()
    print(table(("benchmark", "median", "note", "ratio", "target"), ROWS))
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
