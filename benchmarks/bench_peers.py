"""Compiled gradients against a hand-written NumPy gradient and against peers.

Two functions, each written once as Python code over a module of math
functions, so that every tool computes exactly the same function:

* Baydin et al. (2018): ``ln(x1) + x1*x2 - sin(x2)``;
* a 20-operation elementwise expression of x, y, z.

At 10^6 points per input, this prints the median time of the full gradient
(all partials) of:

* graphir: ``gi.lambdify(gi.grad(f))`` (reverse mode, then one straight-line
  NumPy function; target <= 1.2x the hand-written NumPy gradient);
* hand-written NumPy (the reference, ratio 1);
* where installed (optional, never a dependency of graphir): SymPy
  ``diff`` + ``lambdify(cse=True)``; HIPS autograd ``elementwise_grad``; JAX
  ``jit(grad(sum(f)))`` on CPU in float64 (compile time excluded; inputs
  already on the device).

Every result is checked against the hand-written gradient before timing.

Run: ``.venv/bin/python benchmarks/bench_peers.py [--quick] [--points N]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from _common import available, fmt_ratio, fmt_seconds, machine, median_times, once, parser, table

import graphir as gi

TARGET = 1.2


# ---------------------------------------------------------------- the functions, written once


def baydin(m: Any, x1: Any, x2: Any) -> Any:
    return m.log(x1) + x1 * x2 - m.sin(x2)


def baydin_grad_numpy(x1: np.ndarray, x2: np.ndarray) -> tuple[np.ndarray, ...]:
    return 1.0 / x1 + x2, x1 - np.cos(x2)


def f20(m: Any, x: Any, y: Any, z: Any) -> Any:
    """20 operations: 8 elementary functions, 12 arithmetic operations."""
    a = m.sin(x) * m.exp(y)  # 3
    b = m.log(1.0 + x * x) * m.tanh(z)  # 5
    c = m.sqrt(1.0 + y * y) / (1.0 + z * z)  # 6
    d = m.cos(x * y) * z  # 3
    return a + b - c + d  # 3


def f20_grad_numpy(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, ...]:
    """The gradient as one would write it by hand, sharing what the partials share."""
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


CASES = {
    "Baydin: ln(x1) + x1*x2 - sin(x2)": (baydin, baydin_grad_numpy, ("x1", "x2")),
    "20-op elementwise f(x, y, z)": (f20, f20_grad_numpy, ("x", "y", "z")),
}


# ---------------------------------------------------------------- each tool's compiled gradient


def graphir_gradient(fn: Callable[..., Any], names: tuple[str, ...]) -> tuple[Callable[..., Any], str]:
    xs = gi.symbols(list(names))
    f = fn(gi, *xs)
    compiled = gi.lambdify(list(gi.grad(f, xs)), xs)
    return compiled, compiled.source


def sympy_gradient(fn: Callable[..., Any], names: tuple[str, ...]) -> Callable[..., Any]:
    import sympy as sp

    xs = sp.symbols(list(names))
    f = fn(sp, *xs)
    return sp.lambdify(xs, [sp.diff(f, v) for v in xs], modules="numpy", cse=True)


def autograd_gradient(fn: Callable[..., Any], names: tuple[str, ...]) -> Callable[..., Any]:
    import autograd
    import autograd.numpy as anp

    return autograd.elementwise_grad(lambda *a: fn(anp, *a), tuple(range(len(names))))


def jax_gradient(fn: Callable[..., Any], names: tuple[str, ...]) -> tuple[Callable[..., Any], Any]:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    g = jax.jit(jax.grad(lambda *a: jnp.sum(fn(jnp, *a)), argnums=tuple(range(len(names)))))

    def run(*arrays: Any) -> Any:
        out = g(*arrays)
        jax.block_until_ready(out)
        return out

    return run, jnp


def check(got: Any, want: tuple[np.ndarray, ...], who: str) -> None:
    for g, w in zip(got, want, strict=True):
        g = np.asarray(g, dtype=float)
        err = np.max(np.abs(g - w) / (1.0 + np.abs(w)))
        if not err < 1e-12:
            raise AssertionError(f"{who}: gradient differs from the hand-written one by {err:.3g}")


def measure_case(
    fn: Callable[..., Any],
    hand: Callable[..., Any],
    names: tuple[str, ...],
    points: int,
    repeats: int,
    versions: dict[str, str | None],
    rng: np.random.Generator,
) -> tuple[list[list[Any]], str]:
    """Rows of one function's table, and graphir's generated source."""
    arrays = [rng.uniform(0.5, 2.0, points) for _ in names]
    want = hand(*arrays)
    # name -> (callable, build/compile time, note)
    runs: dict[str, tuple[Callable[[], Any], float | None, str]] = {
        "hand-written NumPy": (lambda: hand(*arrays), None, "the reference"),
    }
    missing = []

    (g_gi, source), t_build = once(lambda: graphir_gradient(fn, names))
    check(g_gi(*arrays), want, "graphir")
    n_ops = sum(1 for line in source.splitlines() if line.lstrip().startswith("v"))
    runs["graphir lambdify(grad)"] = (
        lambda: g_gi(*arrays),
        t_build,
        f"{n_ops} array ops in the generated code",
    )

    if versions["sympy"]:
        g_sp, t_build = once(lambda: sympy_gradient(fn, names))
        check(g_sp(*arrays), want, "sympy")
        runs[f"SymPy {versions['sympy']} diff + lambdify(cse=True)"] = (lambda: g_sp(*arrays), t_build, "")
    else:
        missing.append("SymPy")
    if versions["autograd"]:
        g_ag = autograd_gradient(fn, names)
        check(g_ag(*arrays), want, "autograd")
        runs[f"autograd {versions['autograd']} elementwise_grad"] = (
            lambda: g_ag(*arrays),
            None,
            "traces the function on every call",
        )
    else:
        missing.append("autograd (pip install autograd)")
    if versions["jax"]:
        g_jx, jnp = jax_gradient(fn, names)
        dev = [jnp.asarray(a) for a in arrays]
        _, t_compile = once(lambda: g_jx(*dev))
        check(g_jx(*dev), want, "jax")
        runs[f"JAX {versions['jax']} jit(grad), CPU, float64"] = (
            lambda: g_jx(*dev),
            t_compile,
            "build/compile = first call (trace + XLA)",
        )
    else:
        missing.append("JAX (pip install jax)")

    times = median_times({name: run for name, (run, _, _) in runs.items()}, repeats)
    t_hand = times["hand-written NumPy"]
    rows = []
    for name, (_, t_build, note) in runs.items():
        if name.startswith("graphir"):
            verdict = "ok" if times[name] / t_hand <= TARGET else "MISSED"
            note = f"{note}; target <= {TARGET}x: {verdict}"
        ratio = times[name] / t_hand
        rows.append([name, fmt_seconds(times[name]), fmt_ratio(ratio), fmt_seconds(t_build), note])
    for name in missing:
        rows.append([name, "not installed", "-", "-", ""])
    return rows, source


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=1_000_000, help="points per input")
    p.add_argument("--show-source", action="store_true", help="print graphir's generated gradient code")
    args = p.parse_args()
    repeats = 5 if args.quick else 21

    versions = {name: available(name) for name in ("sympy", "autograd", "jax")}
    rng = np.random.default_rng(1)
    print(
        f"# compiled gradients at {args.points:,} points per input ({machine()}; "
        f"median of {repeats}, measured interleaved)"
    )
    for title, (fn, hand, names) in CASES.items():
        rows, source = measure_case(fn, hand, names, args.points, repeats, versions, rng)
        print(f"\n## {title}\n")
        print(table(["gradient", "median time", "vs hand-written", "build/compile", "note"], rows))
        if args.show_source:
            print(f"\ngraphir's generated gradient:\n\n```python\n{source}```")


if __name__ == "__main__":
    main()
