"""The derivative passes and the caches of issue 11 ("Fast everywhere"), items 2-4.

Measured in one run (medians), for before/after comparisons of graphir alone
(``bench_peers.py`` holds the ratios to other tools):

* a random graph of ``--ops`` scalar operations (default 10^5) on 100 inputs
  (:func:`random_graph`): build time, nodes, the gradient w.r.t. all 100 inputs
  (``gi.grad``: one reverse pass, no step records), the public
  ``gi.reverse_pass`` (with its steps), one forward pass (``gi.diff(..., mode=
  "forward")`` by one input) and the nodes of the gradient;
* the derivative of 80 nested ``f = sin(f) * f`` (``gi.diff``);
* 8,000 distinct sums ``x + k`` put in a ``set`` (``Expr.__hash__``);
* ``gi.value_and_grad`` of Rosenbrock's function of 10 symbols called in a loop at
  new points, against one ``expr.eval`` of the function;
* the peak memory (``VmHWM`` of a fresh child process) of building the random
  graph, its gradient and ``gi.lambdify`` of the gradient (target: < 300 MB).

Run: ``.venv/bin/python benchmarks/bench_passes.py [--quick] [--ops N] [--no-memory]``.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import numpy as np
from _common import ROOT, fmt_seconds, machine, median_times, once, parser, table
from bench_gradient import rosenbrock
from bench_swell import nested

import graphir as gi
from graphir.traversal import reachable

INPUTS = 100
OPS = ("add", "sub", "mul", "sin", "cos", "mul", "add")


def random_graph(ops: int, inputs: int = INPUTS, seed: int = 0):
    """A random graph of ``ops`` scalar operations on ``inputs`` variables.

    Each operation draws its op from ``add sub mul sin cos`` (products and sums
    twice as often) and its operands among the 1,000 nodes built last, so the
    graph is deep and most nodes are used; the output is the sum of the last 100
    nodes.  Returns ``(f, variables)``.
    """
    rng = np.random.default_rng(seed)
    xs = gi.symbols([f"x{i}" for i in range(inputs)])
    g = xs[0].ir
    nodes = [x.node for x in xs]
    choice = rng.integers(0, len(OPS), ops)
    back = rng.integers(1, 1001, (ops, 2))
    for k in range(ops):
        op = OPS[choice[k]]
        n = len(nodes)
        a = nodes[n - min(int(back[k, 0]), n)]
        if op in ("sin", "cos"):
            nodes.append(g.apply(op, a))
        else:
            nodes.append(g.apply(op, a, nodes[n - min(int(back[k, 1]), n)]))
    out = nodes[-1]
    for i in nodes[-100:-1]:
        out = g.apply("add", out, i)
    return gi.Expr(g, out), list(xs)


MEMORY_CHILD = r"""
import sys, json, time
def peak():
    # VmHWM: the peak resident size of this process image (ru_maxrss would carry the
    # parent's peak across fork and exec on Linux)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
sys.path.insert(0, {root!r}); sys.path.insert(0, {root!r} + "/benchmarks")
import graphir as gi
from bench_passes import random_graph
f, xs = random_graph({ops})
t = time.perf_counter(); g = gi.grad(f, xs); t_grad = time.perf_counter() - t
mb_grad = peak()
t = time.perf_counter(); fn = gi.lambdify(list(g), xs); t_lam = time.perf_counter() - t
print(json.dumps({{"grad_mb": mb_grad, "peak_mb": peak(), "lambdify_s": t_lam}}))
"""


def memory(ops: int) -> dict:
    """Peak RSS (MB) of a fresh process building the random graph, its gradient and its lambdify."""
    code = MEMORY_CHILD.format(root=ROOT, ops=ops)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def random_rows(ops: int, repeats: int) -> list[list[str]]:
    (f, xs), t_build = once(lambda: random_graph(ops))
    f_nodes = len(reachable(f.ir, [f.node]))
    # Every pass appends to a fresh copy of the graph, so each repeat does the same work.
    import graphir.build as build

    def fresh():
        g, (i,) = build.lift(f)
        h = type(g)()
        m = h.copy_from(g, [i])
        ys = [gi.Expr(h, j) for j in h.in_creation_order(range(len(h)))]
        return gi.Expr(h, m[i]), ys

    copies = [fresh() for _ in range(3 * repeats + 3)]
    it = iter(copies)
    grads: list = []

    def do_grad():
        e, ys = next(it)
        grads.append(gi.grad(e, ys))

    def do_pass():
        e, ys = next(it)
        gi.reverse_pass(e, wrt=ys)

    def do_forward():
        e, ys = next(it)
        gi.diff(e, ys[0], mode="forward")

    t = median_times({"grad": do_grad, "pass": do_pass, "fwd": do_forward}, repeats)
    g = grads[0]
    g_nodes = len(reachable(g[0].ir, [d.node for d in g]))
    return [
        [f"random graph, {ops} ops, {INPUTS} inputs: build", fmt_seconds(t_build), f"{f_nodes} nodes"],
        ["  gi.grad (one reverse pass, all inputs)", fmt_seconds(t["grad"]), f"{g_nodes} gradient nodes"],
        ["  gi.reverse_pass (with steps)", fmt_seconds(t["pass"]), ""],
        ["  gi.diff(mode='forward') by one input", fmt_seconds(t["fwd"]), ""],
    ]


def small_rows(repeats: int) -> list[list[str]]:
    f80, x = nested(80)
    d = gi.diff(f80, x)
    d_nodes = len(reachable(d.ir, [d.node]))

    xs = gi.symbols("x,")
    sums = [xs[0] + float(k) for k in range(8000)]

    fr, ys = rosenbrock(10)
    rng = np.random.default_rng(0)
    points = [dict(zip([y.name for y in ys], rng.standard_normal(10), strict=True)) for _ in range(64)]
    pit = iter(points * 1000)
    t = median_times(
        {
            "d80": lambda: gi.diff(*nested(80)),
            "set": lambda: len(set(sums)),
            "vg": lambda: gi.value_and_grad(fr, next(pit)),
            "eval": lambda: fr.eval(next(pit)),
        },
        repeats,
    )
    return [
        ["derivative of 80 nested sin(f)*f (build + diff)", fmt_seconds(t["d80"]), f"{d_nodes} nodes"],
        ["8,000 distinct sums in a set", fmt_seconds(t["set"]), ""],
        ["value_and_grad, Rosenbrock n = 10, one call", fmt_seconds(t["vg"]), ""],
        ["  expr.eval of the function, one call", fmt_seconds(t["eval"]),
         f"value_and_grad / eval = {t['vg'] / t['eval']:.1f}x"],
    ]


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--ops", type=int, default=100_000, help="operations of the random graph")
    p.add_argument("--no-memory", action="store_true", help="skip the child process measuring memory")
    a = p.parse_args()
    repeats = 3 if a.quick else 7
    print(f"# derivative passes and caches ({machine()}; median of {repeats})\n")
    rows = small_rows(5 if a.quick else 21)
    rows += random_rows(a.ops, repeats)
    if not a.no_memory:
        m = memory(a.ops)
        if "error" in m:
            rows.append(["peak memory: grad + lambdify", "-", f"failed: {m['error']}"])
        else:
            rows.append(["peak memory (VmHWM): random graph + grad", f"{m['grad_mb']:.0f} MB", ""])
            rows.append(["  ... + lambdify of the gradient", f"{m['peak_mb']:.0f} MB",
                         f"lambdify {fmt_seconds(m['lambdify_s'])}; target < 300 MB"])
    gc.collect()
    print(table(["case", "median", "note"], rows))


if __name__ == "__main__":
    main()
