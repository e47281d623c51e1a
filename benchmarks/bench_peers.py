"""graphir against its peers (issue 11): every row of the issue's table, measured in one run.

Each row is one piece of work, written once as Python code over a module of
math functions (``m.sin``, ``m.exp``...), and done by every tool the way that
tool is meant to be used:

* graphir: ``gi.grad`` (reverse mode, a graph pass) then ``gi.lambdify`` with
  ``backend=None`` when that argument exists (the fastest path it picks), on
  the scalar form (one symbol per input);
* JAX: ``jax.jit(jax.grad(f))`` on CPU in float64, compiled ahead of time
  (``.lower()``: trace and differentiate, ``.compile()``: XLA);
* PyTorch (CPU, float64): ``torch.autograd.grad`` (taped on every call);
* CasADi: an ``SX`` graph, ``casadi.gradient``, a ``casadi.Function`` (mapped
  over the points for the 10^6-point rows);
* PyTensor: ``pytensor.grad`` and ``pytensor.function`` (default mode);
* SymPy: ``diff`` then ``lambdify(cse=True)`` (``math`` for scalars, NumPy for arrays);
* HIPS autograd: ``autograd.grad`` / ``elementwise_grad`` (taped on every call).

Rosenbrock is written in vector form for the array tools (JAX, PyTorch,
PyTensor, autograd) and in scalar form (a loop over the inputs) for graphir,
CasADi and SymPy, as their users write it; the Speelpenning product, the nested
``sin(f)*f``, the logistic map and the random graph are loops for every tool.
Every gradient is checked against graphir's (``numpy.allclose``) before it is timed.

Rows: Rosenbrock's gradient (n = 10 and 10^4: one call, and the set-up = build
+ differentiate + compile + first call), the Speelpenning product loop (n =
1000), the derivative of 80 nested ``sin(f)*f`` (differentiate, one call,
nodes) and of 80 steps of the logistic map ``3.9 f (1 - f)`` (nodes), a random
graph of 10^5 elementary operations of 100 inputs (reverse pass, compile, one
gradient evaluation, peak memory), and the gradient of the 20-operation
expression and of Baydin's ``ln(x1) + x1*x2 - sin(x2)`` on 10^6 points.

Calls are timed in this process, interleaved (medians); set-ups, the random
graph and memory are measured in a fresh child process per tool (cold caches,
except PyTensor's on-disk cache of compiled C modules), with a time limit.
Everything runs on one thread: this script sets ``OMP_NUM_THREADS``,
``MKL_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``NUMBA_NUM_THREADS`` to 1 and
``XLA_FLAGS`` to one XLA thread before NumPy is imported, and calls
``torch.set_num_threads(1)``.  A peer that is not installed, fails or times out
prints a line, never a traceback.  Install the peers with ``pip install -e '.[bench]'``.

Run: ``.venv/bin/python benchmarks/bench_peers.py [--quick] [--only ROWS] [--timeout S]``.
"""

from __future__ import annotations

import os

# One thread for every tool: set before NumPy, JAX or PyTorch is imported.
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "JAX_PLATFORMS": "cpu",
    "TF_CPP_MIN_LOG_LEVEL": "3",
}
for _k, _v in ONE_THREAD.items():
    os.environ.setdefault(_k, _v)

import collections  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from _common import available, fmt_ratio, fmt_seconds, machine, median_times, parser, table  # noqa: E402

import graphir as gi  # noqa: E402
from graphir.traversal import reachable  # noqa: E402

TOOLS = ("graphir", "JAX", "PyTorch", "CasADi", "PyTensor", "SymPy", "autograd")
PEERS = TOOLS[1:]
MODULE = {
    "graphir": "graphir",
    "JAX": "jax",
    "PyTorch": "torch",
    "CasADi": "casadi",
    "PyTensor": "pytensor",
    "SymPy": "sympy",
    "autograd": "autograd",
}
N_INPUTS = 100  # inputs of the random graph
CAP = 2.0  # size of the random graph's values (at 4, rounding differences grow to 100% at 10^5 ops)


class Skip(Exception):
    """This tool does not do this work (the message says why)."""


class Clock:
    """Laps of a piece of work: ``lap(name)`` adds the time since the previous lap to ``name``."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.t
        self.t = now


# ---------------------------------------------------------------- the functions, written once


def rosen_scalar(xs: Sequence[Any]) -> Any:
    f = 0.0
    for i in range(len(xs) - 1):
        f = f + 100.0 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1.0 - xs[i]) ** 2
    return f


def rosen_vector(m: Any, x: Any) -> Any:
    return m.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def speelpenning(xs: Sequence[Any]) -> Any:
    y = xs[0]
    for i in range(1, len(xs)):
        y = y * xs[i]
    return y


def nested(m: Any, x: Any, depth: int = 80) -> Any:
    f = x
    for _ in range(depth):
        f = m.sin(f) * f
    return f


def logistic(x: Any, steps: int = 80) -> Any:
    f = x
    for _ in range(steps):
        f = 3.9 * f * (1.0 - f)
    return f


def baydin(m: Any, x1: Any, x2: Any) -> Any:
    return m.log(x1) + x1 * x2 - m.sin(x2)


def f20(m: Any, x: Any, y: Any, z: Any) -> Any:
    """20 operations: 8 elementary functions, 12 arithmetic operations."""
    a = m.sin(x) * m.exp(y)  # 3
    b = m.log(1.0 + x * x) * m.tanh(z)  # 5
    c = m.sqrt(1.0 + y * y) / (1.0 + z * z)  # 6
    d = m.cos(x * y) * z  # 3
    return a + b - c + d  # 3


POINTS = {"chain20": f20, "baydin": baydin}  # the works on arrays of points
UNARY = ("sin", "cos", "tanh")
BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b}


def random_program(n_ops: int, x0: Sequence[float], seed: int = 11) -> list[tuple[str, int, int]]:
    """``n_ops`` operations ``(op, a, b)`` on value ids (0..99 are the inputs; ``b`` -1 for unary ops).

    Each operation takes the oldest value nobody used yet as ``a`` (so that every
    value reaches the output) and a recent value as ``b``; an add, sub or mul whose
    value at ``x0`` would exceed ``CAP`` in size becomes a ``sin`` (the values stay bounded,
    and the gradient well conditioned: peers that round ``sin`` differently agree to ~1e-10).
    """
    rng = random.Random(seed)
    vals = [float(v) for v in x0]
    unused = collections.deque(range(len(vals)))
    fns = {"sin": math.sin, "cos": math.cos, "tanh": math.tanh}
    program = []
    for _ in range(n_ops):
        m = len(vals)
        a = unused.popleft()
        b = m - 1 - min(int(rng.expovariate(1 / 50)), m - 1)
        op = ("sin", "cos", "tanh", "add", "sub", "mul")[rng.randrange(6)]
        v = fns[op](vals[a]) if op in fns else BINARY[op](vals[a], vals[b])
        if abs(v) > CAP:
            op, v = "sin", math.sin(vals[a])
        program.append((op, a, b if op in BINARY else -1))
        vals.append(v)
        unused.append(m)
    return program


def run_program(m: Any, xs: Sequence[Any], program: Sequence[tuple[str, int, int]]) -> Any:
    """The random graph's output (the sum of the values nobody uses) with the math module ``m``."""
    vals = list(xs)
    used = bytearray(len(xs) + len(program))
    fns = {name: getattr(m, name) for name in UNARY}
    for op, a, b in program:
        if b < 0:
            vals.append(fns[op](vals[a]))
        else:
            vals.append(BINARY[op](vals[a], vals[b]))
            used[b] = 1
        used[a] = 1
    f = 0.0
    for i in range(len(xs), len(vals)):
        if not used[i]:
            f = f + vals[i]
    return f


# ---------------------------------------------------------------- inputs of each work


def inputs(work: str, size: int) -> list[Any]:
    """The point(s) where the gradient is taken: a list of NumPy arrays (or floats)."""
    rng = np.random.default_rng(11)
    if work in ("rosen", "rosen_setup"):
        return [rng.uniform(-1.2, 1.2, size)]
    if work == "speel":
        return [rng.uniform(0.95, 1.05, size)]
    if work in ("nested", "logistic"):
        return [0.7]
    if work == "random":
        return [rng.uniform(-1.0, 1.0, N_INPUTS)]
    if work == "chain20":
        return [rng.uniform(0.5, 2.0, size) for _ in range(3)]
    if work == "baydin":
        return [rng.uniform(0.5, 2.0, size) for _ in range(2)]
    raise ValueError(work)


def flat(out: Any) -> np.ndarray:
    """A gradient (a float, an array, a list or tuple of them, a tensor...) as one float64 vector."""
    if isinstance(out, (list, tuple)):
        return np.concatenate([flat(o) for o in out]) if out else np.zeros(0)
    if hasattr(out, "detach"):  # torch
        out = out.detach().numpy()
    elif hasattr(out, "full"):  # casadi.DM
        out = out.full()
    return np.asarray(out, dtype=float).ravel()


Prepared = tuple[Callable[[], Any], str]  # (one gradient call, note)

# ---------------------------------------------------------------- graphir


def gi_lambdify(exprs: Any, args: Any) -> Callable[..., Any]:
    """``gi.lambdify`` with ``backend=None`` (the fastest path) when this version has the argument."""
    if "backend" in inspect.signature(gi.lambdify).parameters:
        return gi.lambdify(exprs, args, backend=None)
    return gi.lambdify(exprs, args)


def gi_scalar(build: Callable[[Sequence[Any]], Any], x0: np.ndarray, clock: Clock) -> Prepared:
    xs = gi.symbols([f"x{i}" for i in range(len(x0))])
    f = build(xs)
    clock.lap("build")
    g = gi.grad(f, xs)
    clock.lap("reverse")
    fn = gi_lambdify(list(g), xs)
    clock.lap("compile")
    args = [float(v) for v in x0]
    return (lambda: fn(*args)), ""


def gi_points(fn: Callable[..., Any], arrays: list[np.ndarray], clock: Clock) -> Prepared:
    xs = gi.symbols([f"x{i}" for i in range(len(arrays))])
    f = fn(gi, *xs)
    clock.lap("build")
    g = gi.grad(f, xs)
    clock.lap("reverse")
    c = gi_lambdify(list(g), xs)
    clock.lap("compile")
    return (lambda: c(*arrays)), ""


def gi_derivative(fn: Callable[..., Any], x0: float, clock: Clock) -> Prepared:
    (x,) = gi.symbols("x,")
    f = fn(x)
    clock.lap("build")
    d = gi.diff(f, x)
    clock.lap("reverse")
    c = gi_lambdify(d, [x])
    clock.lap("compile")
    clock.counts["nodes"] = len(reachable(d.ir, [d.node]))
    return (lambda: c(x0)), ""


def graphir_work(work: str, size: int, clock: Clock) -> Prepared:
    (x0, *rest) = inputs(work, size)
    if work in ("rosen", "rosen_setup"):
        return gi_scalar(rosen_scalar, x0, clock)
    if work == "speel":
        return gi_scalar(speelpenning, x0, clock)
    if work == "random":
        program = random_program(size, x0)
        return gi_scalar(lambda xs: run_program(gi, xs, program), x0, clock)
    if work == "nested":
        return gi_derivative(lambda x: nested(gi, x), x0, clock)
    if work == "logistic":
        return gi_derivative(logistic, x0, clock)
    fn = POINTS[work]
    return gi_points(fn, [x0, *rest], clock)


# ---------------------------------------------------------------- JAX


def jax_work(work: str, size: int, clock: Clock) -> Prepared:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    (x0, *rest) = inputs(work, size)
    argnums: Any = 0
    if work in ("rosen", "rosen_setup"):
        f: Callable[..., Any] = lambda x: rosen_vector(jnp, x)  # noqa: E731
    elif work == "speel":  # a loop in JAX is lax.scan (x[i] one by one: no compile within minutes)
        f = lambda x: jax.lax.scan(lambda c, xi: (c * xi, None), x[0], x[1:])[0]  # noqa: E731
    elif work == "random":  # 100 scalar arguments (x[i] one by one: 10^5 gathers and scatters)
        program = random_program(size, x0)
        f = lambda *xs: run_program(jnp, xs, program)  # noqa: E731
        argnums = tuple(range(N_INPUTS))
        x0, rest = x0[0], list(x0[1:])
    elif work == "nested":
        f = lambda x: nested(jnp, x)  # noqa: E731
    elif work == "logistic":
        raise Skip("no node count")
    else:
        fn = POINTS[work]
        argnums = tuple(range(1 + len(rest)))
        f = lambda *a: jnp.sum(fn(jnp, *a))  # noqa: E731
    args = [jnp.asarray(a) for a in (x0, *rest)]
    clock.lap("build")
    lowered = jax.jit(jax.grad(f, argnums=argnums)).lower(*args)
    clock.lap("reverse")
    compiled = lowered.compile()
    clock.lap("compile")

    def run() -> Any:
        return jax.block_until_ready(compiled(*args))

    return run, "reverse = jit(grad(f)).lower() (trace + differentiate), compile = .compile() (XLA)"


# ---------------------------------------------------------------- PyTorch


def torch_work(work: str, size: int, clock: Clock) -> Prepared:
    import torch

    torch.set_num_threads(1)
    (x0, *rest) = inputs(work, size)
    if work in ("chain20", "baydin"):
        fn = POINTS[work]
        ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x0, *rest)]
        f: Callable[[], Any] = lambda: fn(torch, *ts).sum()  # noqa: E731
    else:
        x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        ts = [x]
        if work in ("rosen", "rosen_setup"):
            f = lambda: rosen_vector(torch, x)  # noqa: E731
        elif work == "speel":
            f = lambda: speelpenning(x.unbind())  # noqa: E731
        elif work == "random":
            program = random_program(size, x0)
            f = lambda: run_program(torch, x.unbind(), program)  # noqa: E731
        else:
            f = lambda: nested(torch, x)  # noqa: E731
    clock.lap("build")
    return (lambda: torch.autograd.grad(f(), ts)), "define-by-run: each call tapes f and runs it backwards"


# ---------------------------------------------------------------- CasADi


def casadi_work(work: str, size: int, clock: Clock) -> Prepared:
    import casadi as ca

    (x0, *rest) = inputs(work, size)
    if work in ("chain20", "baydin"):
        fn = POINTS[work]
        xs = [ca.SX.sym(f"x{i}") for i in range(1 + len(rest))]
        x = ca.vertcat(*xs)
        f = fn(ca, *xs)
    elif work in ("nested", "logistic"):
        x = ca.SX.sym("x")
        f = nested(ca, x) if work == "nested" else logistic(x)
    else:
        x = ca.SX.sym("x", len(x0))
        xs = [x[i] for i in range(len(x0))]
        if work in ("rosen", "rosen_setup"):
            f = rosen_scalar(xs)
        elif work == "speel":
            f = speelpenning(xs)
        else:
            f = run_program(ca, xs, random_program(size, x0))
    clock.lap("build")
    g = ca.gradient(f, x)
    clock.lap("reverse")
    F = ca.Function("g", [x], [g])
    clock.counts["nodes"] = F.n_nodes()
    if work in ("chain20", "baydin"):
        F = F.map(len(x0))
        arg = ca.DM(np.vstack([x0, *rest]))
    else:
        arg = ca.DM(x0)
    clock.lap("compile")
    return (lambda: F(arg)), "SX graph, casadi.gradient, casadi.Function (.map over the points)"


# ---------------------------------------------------------------- PyTensor


def pytensor_work(work: str, size: int, clock: Clock) -> Prepared:
    import pytensor
    import pytensor.tensor as pt

    (x0, *rest) = inputs(work, size)
    if work in ("chain20", "baydin"):
        fn = POINTS[work]
        xs = [pt.dvector(f"x{i}") for i in range(1 + len(rest))]
        f = pt.sum(fn(pt, *xs))
        args = [x0, *rest]
    else:
        x = pt.dscalar("x") if work == "nested" else pt.dvector("x")
        xs = [x]
        args = [np.float64(x0)] if work == "nested" else [x0]
        if work in ("rosen", "rosen_setup"):
            f = rosen_vector(pt, x)
        elif work == "speel":
            f = speelpenning([x[i] for i in range(len(x0))])
        elif work == "random":
            f = run_program(pt, [x[i] for i in range(N_INPUTS)], random_program(size, x0))
        else:
            f = nested(pt, x)
    clock.lap("build")
    g = pytensor.grad(f, xs)
    clock.lap("reverse")
    c = pytensor.function(xs, g)
    clock.lap("compile")
    return (lambda: c(*args)), f"pytensor.function ({type(c.maker.linker).__name__})"


# ---------------------------------------------------------------- SymPy

SYMPY_MAX_N = 200


def sympy_work(work: str, size: int, clock: Clock) -> Prepared:
    import sympy as sp

    (x0, *rest) = inputs(work, size)
    modules = "math"
    if work in ("chain20", "baydin"):
        fn = POINTS[work]
        xs = list(sp.symbols(f"x0:{1 + len(rest)}"))
        f = fn(sp, *xs)
        args = [x0, *rest]
        modules = "numpy"
    elif work == "nested":
        raise Skip("diff of 80 nested sin(f)*f does not finish within minutes (see bench_swell.py)")
    elif work == "random":
        xs = list(sp.symbols(f"x0:{len(x0)}"))
        f = run_program(sp, xs, random_program(size, x0))
        args = [float(v) for v in x0]
    else:
        if len(x0) > SYMPY_MAX_N:
            raise Skip(f"n = {len(x0)}: n derivatives of an n-term expression (O(n^2)); run up to n = 200")
        xs = list(sp.symbols(f"x0:{len(x0)}"))
        f = rosen_scalar(xs) if work in ("rosen", "rosen_setup") else speelpenning(xs)
        args = [float(v) for v in x0]
    clock.lap("build")
    g = [sp.diff(f, v) for v in xs]
    clock.lap("reverse")
    c = sp.lambdify(xs, g, modules=modules, cse=True)
    clock.lap("compile")
    return (lambda: c(*args)), f"diff, lambdify(cse=True, modules={modules!r})"


# ---------------------------------------------------------------- autograd


def autograd_work(work: str, size: int, clock: Clock) -> Prepared:
    import autograd
    import autograd.numpy as anp

    (x0, *rest) = inputs(work, size)
    if work in ("chain20", "baydin"):
        fn = POINTS[work]
        argnums = tuple(range(1 + len(rest)))
        g = autograd.elementwise_grad(lambda *a: fn(anp, *a), argnums)
        args = [x0, *rest]
    else:
        if work in ("rosen", "rosen_setup"):
            f: Callable[[Any], Any] = lambda x: rosen_vector(anp, x)  # noqa: E731
        elif work == "speel":
            f = speelpenning
        elif work == "random":
            program = random_program(size, x0)
            f = lambda x: run_program(anp, [x[i] for i in range(N_INPUTS)], program)  # noqa: E731
        else:
            f = lambda x: nested(anp, x)  # noqa: E731
        g = autograd.grad(f)
        args = [x0]
    clock.lap("build")
    return (lambda: g(*args)), "define-by-run: each call tapes f and runs it backwards"


WORK = {
    "graphir": graphir_work,
    "JAX": jax_work,
    "PyTorch": torch_work,
    "CasADi": casadi_work,
    "PyTensor": pytensor_work,
    "SymPy": sympy_work,
    "autograd": autograd_work,
}


# ---------------------------------------------------------------- measuring


def short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first[:120]}" if first else type(exc).__name__


class TimeLimit(Exception):
    """A set-up took longer than allowed."""


def _alarm(signum: int, frame: Any) -> None:
    raise TimeLimit


def prepare(tool: str, work: str, size: int, limit: float = 0.0) -> tuple[Prepared, Clock]:
    """The tool's gradient call for ``work``, after its set-up (timed in laps); raises on failure.

    With ``limit`` (seconds; Unix), a set-up still running then is interrupted (where it
    runs Python code) and raises :class:`TimeLimit`.
    """
    if work == "logistic" and tool not in ("graphir", "CasADi"):
        raise Skip("no node count")
    clock = Clock()
    alarm = limit > 0 and hasattr(signal, "setitimer")
    if alarm:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prepared = WORK[tool](work, size, clock)
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    return prepared, clock


def memory_kb() -> dict[str, int]:
    """VmRSS and VmHWM of this process in kB (empty where /proc is not there)."""
    try:
        with open("/proc/self/status") as fh:
            text = fh.read()
    except OSError:
        return {}
    return {k: int(m.group(1)) for k in ("VmRSS", "VmHWM") if (m := re.search(rf"{k}:\s+(\d+)", text))}


def reset_peak() -> bool:
    """Reset the peak resident size (Linux: write 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def timed_calls(run: Callable[[], Any], budget: float, most: int) -> float:
    """Median time of ``run()`` over at least 3 calls, at most ``most``, within about ``budget`` seconds."""
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < most and (len(times) < 3 or time.perf_counter() - start < budget):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def child_main(tool: str, work: str, size: int, budget: float) -> None:
    """In a child process: set up, one first call, repeated calls, peak memory; one JSON line."""
    import gc

    if MODULE[tool] != "graphir":
        __import__(MODULE[tool])
    inputs(work, size)
    gc.collect()
    base = memory_kb().get("VmRSS")
    have_reset = reset_peak()
    out: dict[str, Any] = {"tool": tool, "work": work}
    try:
        (run, note), clock = prepare(tool, work, size)
        grad = flat(run())
        clock.lap("first call")
        out["laps"] = clock.laps
        peak = memory_kb().get("VmHWM")
        if base is not None and peak is not None and have_reset:
            out["memory"] = (peak - base) * 1024
        out["call"] = timed_calls(run, budget, 21)
        out["grad"] = grad.tolist()
        out["note"] = note
    except Skip as exc:
        out["skip"] = str(exc)
    except Exception as exc:  # broad on purpose: a peer's failure is a line of the report
        out["error"] = short_error(exc)
    print(json.dumps(out), flush=True)


def in_child(tool: str, work: str, size: int, timeout: float, budget: float) -> dict[str, Any]:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", tool, work, str(size), str(budget)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s", "status": "timeout"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"child exited with {proc.returncode}: {tail[:120]}"}


# ---------------------------------------------------------------- rows and the report


@dataclass
class Row:
    """One line of the table: ``what`` is measured ("call", a lap name, "setup", "memory", "nodes")."""

    title: str
    work: str
    size: int
    quick_size: int
    what: str
    target: float | None = None
    against: str | None = None  # the peer the target is stated against (None: the best peer)
    not_best: tuple[str, ...] = ()  # peers shown but never "best" (their figure is not the same work)
    cells: dict[str, Any] = field(default_factory=dict)  # tool -> float or a status word


def rows_of_issue() -> list[Row]:
    return [
        Row("Rosenbrock gradient, scalar form, n = 10", "rosen", 10, 10, "call", 1.5),
        Row("same, n = {n} (grad call)", "rosen", 10_000, 1000, "call", 3.0),
        Row(
            "same, n = {n}: build + differentiate + compile + first call",
            "rosen_setup",
            10_000,
            1000,
            "setup",
            1.0,
            "JAX",
            not_best=DEFINE_BY_RUN,
        ),
        Row("Speelpenning product loop, n = {n}", "speel", 1000, 1000, "call", 2.0),
        Row("80 nested sin(f)*f: differentiate", "nested", 80, 80, "reverse", 2.0, "CasADi"),
        Row("80 nested sin(f)*f: derivative, one call", "nested", 80, 80, "call"),
        Row("80 nested sin(f)*f: derivative's nodes", "nested", 80, 80, "nodes"),
        Row("logistic map, 80 steps: derivative's nodes", "logistic", 80, 80, "nodes", 1.0, "CasADi"),
        Row(
            "random graph of {n} ops, 100 inputs: reverse pass",
            "random",
            100_000,
            2000,
            "reverse",
            1.0,
            "CasADi",
        ),
        Row("same: compile", "random", 100_000, 2000, "compile", 1.0, "CasADi"),
        Row("same: one gradient evaluation", "random", 100_000, 2000, "call", 1.0, "CasADi"),
        Row("same: peak memory (build to first gradient)", "random", 100_000, 2000, "memory"),
        Row("20-op expression on {n} points, gradient", "chain20", 1_000_000, 100_000, "call", 1.0),
        Row("Baydin on {n} points, gradient", "baydin", 1_000_000, 100_000, "call", 1.0),
    ]


IN_CHILD = ("random", "rosen_setup")
DEFINE_BY_RUN = ("PyTorch", "autograd")  # no set-up: their "set-up" is one taped call


def fmt_size(n: int) -> str:
    return f"10^{round(math.log10(n))}" if n >= 1000 and 10 ** round(math.log10(n)) == n else f"{n:,}"


def fmt_cell(row: Row, value: Any) -> str:
    if not isinstance(value, (int, float)):
        return str(value)
    if row.what == "nodes":
        return f"{value:,}"
    if row.what == "memory":
        return f"{value / 2**20:,.0f} MB"
    return fmt_seconds(value)


class Notes:
    """Lines printed under the table (each once)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)


def check(tool: str, got: np.ndarray, want: np.ndarray | None) -> str | None:
    """Why ``got`` is not graphir's gradient ``want`` (None when it is, or when there is nothing to check)."""
    if want is None or tool == "graphir":
        return None
    if got.shape != want.shape:
        return f"gradient of shape {got.shape}, graphir's is {want.shape}"
    if not np.allclose(got, want, rtol=1e-7, atol=1e-9 * max(1.0, float(np.max(np.abs(want))))):
        err = float(np.max(np.abs(got - want) / (1e-300 + np.abs(want) + 1.0)))
        return f"gradient differs from graphir's (relative error {err:.2g})"
    return None


def group(rows: list[Row], quick: bool, child: bool) -> dict[tuple[str, int], list[Row]]:
    """The rows measured in child processes (``child``) or here, by (work, size)."""
    works: dict[tuple[str, int], list[Row]] = {}
    for row in rows:
        if (row.work in IN_CHILD) == child:
            works.setdefault((row.work, row.quick_size if quick else row.size), []).append(row)
    return works


def try_prepare(tool: str, work: str, size: int, rows: list[Row], limit: float, notes: Notes) -> Any:
    """``((run, note), clock, gradient)``, or None with the rows' cells and a note saying why not."""
    try:
        (run, note), clock = prepare(tool, work, size, limit)
        return (run, note), clock, flat(run())
    except Skip as exc:
        fill(rows, tool, "-", notes, "" if "no node count" in str(exc) else f"{tool}, {work}: {exc}")
    except TimeLimit:
        fill(rows, tool, "timeout", notes, f"{tool}, {work}: set-up unfinished after {limit:.0f} s")
    except Exception as exc:  # broad on purpose: a peer's failure is a line of the report
        fill(rows, tool, "error", notes, f"{tool}, {work}: {short_error(exc)}")
    return None


def agrees(tool: str, got: np.ndarray, want: np.ndarray | None, rows: list[Row], notes: Notes) -> bool:
    """Whether ``tool``'s gradient is graphir's; if not, its cells say "wrong" and a note says by how much."""
    wrong = check(tool, got, want)
    if wrong:
        fill(rows, tool, "wrong", notes, f"{tool}, {rows[0].work}: {wrong}")
    return not wrong


def measure_here(rows: list[Row], tools: list[str], args: Any, repeats: int, notes: Notes) -> None:
    """The rows measured in this process: calls (interleaved), laps (median of repeats), node counts."""
    for (work, size), its_rows in group(rows, args.quick, child=False).items():
        runs: dict[str, Callable[[], Any]] = {}
        want = None
        for tool in tools:
            prepared = try_prepare(tool, work, size, its_rows, args.timeout, notes)
            if prepared is None:
                continue
            (run, note), clock, got = prepared
            want = got if tool == "graphir" else want
            if not agrees(tool, got, want, its_rows, notes):
                continue
            runs[tool] = run
            figures = {**clock.laps, **clock.counts}
            for row in its_rows:
                if row.what in figures:
                    row.cells[tool] = figures[row.what]
            if note:
                notes.add(f"{tool}: {note}")
        for row in its_rows:
            if row.what not in ("call", "nodes"):
                median_laps(row, list(runs), size, repeats)
        if runs and any(r.what == "call" for r in its_rows):
            times = median_times(runs, repeats)
            for row in its_rows:
                if row.what == "call":
                    row.cells.update(times)


def median_laps(row: Row, tools: list[str], size: int, repeats: int) -> None:
    """``row.what``'s lap, median over ``repeats`` fresh set-ups of each tool."""
    for tool in tools:
        laps = []
        for _ in range(repeats):
            _, clock = prepare(tool, row.work, size)
            if row.what in clock.laps:
                laps.append(clock.laps[row.what])
        if laps:
            row.cells[tool] = statistics.median(laps)
        else:
            row.cells.pop(tool, None)


def fill(rows: list[Row], tool: str, word: str, notes: Notes, line: str) -> None:
    for row in rows:
        row.cells[tool] = word
    if line:
        notes.add(line)


def measure_children(rows: list[Row], tools: list[str], args: Any, notes: Notes) -> None:
    """The set-up and random-graph rows, each tool in a fresh child process."""
    for (work, size), its_rows in group(rows, args.quick, child=True).items():
        want = None
        reps = args.setup_repeats if work == "rosen_setup" else 1
        for tool in tools:
            budget = 2.0 if args.quick else 10.0
            results = [in_child(tool, work, size, args.timeout, budget) for _ in range(reps)]
            res = results[0]
            if "error" in res or "skip" in res:
                word = res.get("status", "error") if "error" in res else "-"
                fill(
                    its_rows,
                    tool,
                    word,
                    notes,
                    f"{tool}, {work} ({fmt_size(size)}): {res.get('error') or res.get('skip')}",
                )
                continue
            got = np.asarray(res["grad"])
            want = got if tool == "graphir" else want
            if not agrees(tool, got, want, its_rows, notes):
                continue
            if res.get("note"):
                notes.add(f"{tool}: {res['note']}")
            for row in its_rows:
                row.cells[tool] = child_figure(row, results)


def child_figure(row: Row, results: list[dict[str, Any]]) -> Any:
    if row.what == "setup":
        return statistics.median(sum(r["laps"].values()) for r in results if "laps" in r)
    if row.what == "memory":
        return results[0].get("memory", "?")
    if row.what == "call":
        return statistics.median(r["call"] for r in results)
    laps = [r["laps"][row.what] for r in results if row.what in r.get("laps", {})]
    return statistics.median(laps) if laps else "-"


def verdict(row: Row) -> tuple[str, str, str]:
    """(best peer, graphir / best peer, target) cells of ``row``."""
    peers = {
        t: v
        for t, v in row.cells.items()
        if t != "graphir" and t not in row.not_best and isinstance(v, (int, float))
    }
    ours = row.cells.get("graphir")
    if not peers:
        return "-", "-", "-" if row.target is None else f"<= {row.target:g}x: no peer"
    best = min(peers, key=lambda t: peers[t])
    if not isinstance(ours, (int, float)):
        return best, "-", "-"
    ratio = ours / peers[best]
    if row.target is None:
        return best, fmt_ratio(ratio), "-"
    against = row.against or best
    if against not in peers:
        return best, fmt_ratio(ratio), f"<= {row.target:g}x {against}: {against} not measured"
    r = ours / peers[against]
    ok = "ok" if r <= row.target else "MISSED"
    who = "best peer" if row.against is None else against
    return best, fmt_ratio(ratio), f"<= {row.target:g}x {who}: {r:.2f}x {ok}"


def report(rows: list[Row], tools: list[str], quick: bool) -> str:
    headers = ["work", *tools, "best peer", "graphir / best", "target"]
    lines = []
    for row in rows:
        n = row.quick_size if quick else row.size
        title = row.title.format(n=fmt_size(n))
        best, ratio, target = verdict(row)
        cells = [fmt_cell(row, row.cells.get(t, "-")) for t in tools]
        lines.append([title, *cells, best, ratio, target])
    return table(headers, lines)


def versions(tools: Sequence[str], notes: Notes) -> list[str]:
    """The tools that import (with their versions noted); a line for each that does not."""
    found = []
    for tool in tools:
        v = gi.__version__ if tool == "graphir" else available(MODULE[tool])
        if v is None:
            notes.add(f"{tool}: not installed (pip install -e '.[bench]'): its cells are '-'")
            continue
        found.append(tool)
        notes.add(f"{tool} {v}")
    return found


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        tool, work, size, budget = sys.argv[2:6]
        child_main(tool, work, int(size), float(budget))
        return
    p = parser(__doc__.splitlines()[0])
    p.add_argument(
        "--only",
        default="",
        help="comma-separated works: rosen,rosen_setup,speel,nested,"
        "logistic,random,chain20,baydin (default: all)",
    )
    p.add_argument("--tools", default="", help="comma-separated tools (default: all installed)")
    p.add_argument("--timeout", type=float, default=None, help="seconds per set-up (120; quick 10)")
    args = p.parse_args()
    args.timeout = args.timeout or (10.0 if args.quick else 120.0)
    args.setup_repeats = 1 if args.quick else 3
    repeats = 5 if args.quick else 21
    notes = Notes()
    wanted = [t for t in TOOLS if not args.tools or t in args.tools.split(",")]
    tools = versions(wanted, notes)
    rows = [r for r in rows_of_issue() if not args.only or r.work in args.only.split(",")]
    t0 = time.perf_counter()
    measure_here(rows, tools, args, repeats, notes)
    measure_children(rows, tools, args, notes)
    print(
        f"# graphir and its peers ({machine()}; one thread each; medians of {repeats} calls, "
        f"set-ups median of {args.setup_repeats}{'; QUICK: smaller sizes' if args.quick else ''})\n"
    )
    print(report(rows, tools, args.quick))
    print()
    for line in notes.lines:
        print(f"- {line}")
    print(f"\n(measured in {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
