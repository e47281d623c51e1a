"""Array gradients: graphir's compiled gradient against hand-written NumPy, JAX and PyTorch.

Three functions, each written once in graphir and differentiated by hand in
NumPy, measured side by side in one run (medians of interleaved repeats):

* logistic regression on a 10^5 x 10 dataset, the mean cross-entropy
  ``mean(log1p(exp(z)) - y z)`` with ``z = X w + b``, gradient w.r.t. ``w`` and
  ``b`` (hand: ``Xᵀ (σ(z) - y) / n`` with ``σ(z) = 1 / (1 + exp(-z))``; both
  overflow only for ``|z| > 709``, far from this data; target: graphir <= 1.1x).
  The loss is written in this form because its chain rule *is* the hand
  formula; the textbook form ``-mean(y log σ + (1 - y) log(1 - σ))`` reaches
  ``σ - y`` only by algebra, which graphir's exact passes do not do;
* a 2-layer MLP, batch 10^4, 16 inputs, hidden 256, tanh, mean squared error,
  gradient w.r.t. both weight matrices and both biases (target <= 1.1x);
* Rosenbrock in vector form, ``sum(100 (x[1:] - x[:-1]**2)**2 + (1 - x[:-1])**2)``,
  n = 10^4 and 10^6: gradient time (hand: SciPy's ``rosen_der`` formula; target
  <= 1.2x) and the time to build, differentiate and compile (target < 50 ms at
  any n).

graphir's gradient is ``gi.lambdify(gi.grad(f, wrt), wrt)`` (reverse mode, one
straight-line NumPy function); before timing, every tool's gradient is checked
against the hand-written one (``np.allclose``).  JAX (``jit(grad)``, CPU,
float64) and PyTorch (``backward``, CPU, float64) are measured when installed
(``pip install jax`` / ``torch``; neither is a dependency of graphir) and
skipped with a line saying so otherwise.

Run: ``.venv/bin/python benchmarks/arrays.py [--quick] [--show-source]``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from _common import available, fmt_ratio, fmt_seconds, machine, median_times, once, parser, table
from bench_gradient import rosen_der_numpy

import graphir as gi

SETUP_TARGET = 0.050  # seconds: build + differentiate + compile


@dataclass
class Case:
    """One function: graphir's compiled gradient, the hand-written one, and the peers'."""

    title: str
    target: float
    args: list[np.ndarray]
    hand: Callable[..., Any]
    graphir: Callable[[], Callable[..., Any]]  # builds, differentiates, compiles
    jax: Callable[[Any], Callable[..., Any]] | None = None  # (jax module) -> gradient of arrays
    torch: Callable[[Any], Callable[..., Any]] | None = None  # (torch module) -> gradient of tensors
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- logistic regression


def sigmoid_numpy(z: np.ndarray) -> np.ndarray:
    """The logistic function as one writes it by hand."""
    return 1.0 / (1.0 + np.exp(-z))


def logistic_case(rows: int, cols: int, rng: np.random.Generator) -> Case:
    X = rng.normal(size=(rows, cols))
    y = (rng.uniform(size=rows) < 0.5).astype(float)
    w0, b0 = rng.normal(size=cols) * 0.3, np.float64(0.1)

    def hand(w: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
        r = (sigmoid_numpy(X @ w + b) - y) / rows
        return X.T @ r, r.sum()

    def build() -> Callable[..., Any]:
        w, b = gi.symbols("w", shape=(cols,)), gi.symbols("b")
        Xc, yc = gi.constant(X, name="X"), gi.constant(y, name="y")
        z = Xc @ w + b
        loss = gi.mean(gi.log1p(gi.exp(z)) - yc * z)
        return gi.lambdify(list(gi.grad(loss, [w, b])), [w, b])

    def jax_grad(jax: Any) -> Callable[..., Any]:
        jnp = jax.numpy
        Xj, yj = jnp.asarray(X), jnp.asarray(y)

        def loss(w: Any, b: Any) -> Any:
            z = Xj @ w + b
            return jnp.mean(jnp.log1p(jnp.exp(z)) - yj * z)

        return jax.jit(jax.grad(loss, argnums=(0, 1)))

    def torch_grad(torch: Any) -> Callable[..., Any]:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def grad(w: Any, b: Any) -> Any:
            w, b = w.detach().requires_grad_(), b.detach().requires_grad_()
            z = Xt @ w + b
            torch.mean(torch.log1p(torch.exp(z)) - yt * z).backward()
            return w.grad, b.grad

        return grad

    return Case(
        f"logistic regression, X {rows} x {cols}: gradient w.r.t. w, b",
        1.1,
        [w0, b0],
        hand,
        build,
        jax_grad,
        torch_grad,
    )


# ---------------------------------------------------------------- 2-layer MLP


def mlp_case(batch: int, inputs: int, hidden: int, rng: np.random.Generator) -> Case:
    X = rng.normal(size=(batch, inputs))
    y = rng.normal(size=batch)
    W1 = rng.normal(size=(inputs, hidden)) / np.sqrt(inputs)
    b1 = rng.normal(size=hidden) * 0.1
    w2 = rng.normal(size=hidden) / np.sqrt(hidden)
    b2 = np.float64(0.2)

    def hand(W1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: float) -> tuple[np.ndarray, ...]:
        h = np.tanh(X @ W1 + b1)
        r = (h @ w2 + b2 - y) / batch
        dh = np.multiply.outer(r, w2) * (1.0 - h * h)
        return X.T @ dh, dh.sum(axis=0), h.T @ r, r.sum()

    def build() -> Callable[..., Any]:
        W1, b1 = gi.symbols("W1", shape=(inputs, hidden)), gi.symbols("b1", shape=(hidden,))
        w2, b2 = gi.symbols("w2", shape=(hidden,)), gi.symbols("b2")
        Xc, yc = gi.constant(X, name="X"), gi.constant(y, name="y")
        h = gi.tanh(Xc @ W1 + b1)
        loss = 0.5 * gi.mean((h @ w2 + b2 - yc) ** 2)
        wrt = [W1, b1, w2, b2]
        return gi.lambdify(list(gi.grad(loss, wrt)), wrt)

    def jax_grad(jax: Any) -> Callable[..., Any]:
        jnp = jax.numpy
        Xj, yj = jnp.asarray(X), jnp.asarray(y)

        def loss(W1: Any, b1: Any, w2: Any, b2: Any) -> Any:
            h = jnp.tanh(Xj @ W1 + b1)
            return 0.5 * jnp.mean((h @ w2 + b2 - yj) ** 2)

        return jax.jit(jax.grad(loss, argnums=(0, 1, 2, 3)))

    def torch_grad(torch: Any) -> Callable[..., Any]:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def grad(*params: Any) -> Any:
            W1, b1, w2, b2 = ps = [p.detach().requires_grad_() for p in params]
            h = torch.tanh(Xt @ W1 + b1)
            (0.5 * torch.mean((h @ w2 + b2 - yt) ** 2)).backward()
            return tuple(p.grad for p in ps)

        return grad

    return Case(
        f"2-layer MLP, batch {batch}, {inputs} inputs, hidden {hidden}, tanh, MSE: "
        "gradient w.r.t. W1, b1, w2, b2",
        1.1,
        [W1, b1, w2, b2],
        hand,
        build,
        jax_grad,
        torch_grad,
    )


# ---------------------------------------------------------------- Rosenbrock


def rosenbrock(m: Any, x: Any) -> Any:
    return m.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_case(n: int, rng: np.random.Generator) -> Case:
    def build() -> Callable[..., Any]:
        x = gi.symbols("x", shape=(n,))
        return gi.lambdify(gi.grad(rosenbrock(gi, x), [x])[0], [x])

    def jax_grad(jax: Any) -> Callable[..., Any]:
        return jax.jit(jax.grad(lambda x: rosenbrock(jax.numpy, x)))

    def torch_grad(torch: Any) -> Callable[..., Any]:
        def grad(x: Any) -> Any:
            x = x.detach().requires_grad_()
            rosenbrock(torch, x).backward()
            return x.grad

        return grad

    return Case(
        f"Rosenbrock, vector form, n = {n}: gradient",
        1.2,
        [rng.uniform(-2.0, 2.0, n)],
        rosen_der_numpy,
        build,
        jax_grad,
        torch_grad,
    )


# ---------------------------------------------------------------- measuring


def as_tuple(out: Any) -> tuple[np.ndarray, ...]:
    """A gradient (one array or several) as a tuple of float arrays."""
    if not isinstance(out, (list, tuple)):
        out = (out,)
    return tuple(np.asarray(o.detach() if hasattr(o, "detach") else o, dtype=float) for o in out)


def check(got: Any, want: Any, who: str) -> None:
    """``got`` equals the hand-written gradient ``want`` (np.allclose, entry by entry)."""
    for k, (g, w) in enumerate(zip(as_tuple(got), as_tuple(want), strict=True)):
        if g.shape != w.shape or not np.allclose(g, w, rtol=1e-10, atol=1e-13):
            err = np.max(np.abs(g - w)) if g.shape == w.shape else f"shape {g.shape} != {w.shape}"
            raise AssertionError(f"{who}: gradient {k} differs from the hand-written one: {err}")


def peers(case: Case, versions: dict[str, str | None]) -> dict[str, tuple[Callable[[], Any], float | None]]:
    """JAX's and PyTorch's runs of ``case`` (checked), by row name, with their first-call time."""
    runs: dict[str, tuple[Callable[[], Any], float | None]] = {}
    want = case.hand(*case.args)
    if versions["jax"] and case.jax is not None:
        import jax

        jax.config.update("jax_enable_x64", True)
        g = case.jax(jax)
        dev = [jax.numpy.asarray(a) for a in case.args]

        def run_jax(g: Any = g, dev: list[Any] = dev) -> Any:  # (bound now: g is reused below)
            return jax.block_until_ready(g(*dev))

        out, t_first = once(run_jax)
        check(out, want, "JAX")
        runs[f"JAX {versions['jax']} jit(grad), CPU, float64"] = (run_jax, t_first)
    if versions["torch"] and case.torch is not None:
        import torch

        g = case.torch(torch)
        tens = [torch.as_tensor(np.asarray(a, dtype=float)) for a in case.args]
        out, t_first = once(lambda: g(*tens))
        check(out, want, "PyTorch")
        runs[f"PyTorch {versions['torch']} backward, CPU, float64"] = (lambda: g(*tens), t_first)
    return runs


def measure(case: Case, repeats: int, versions: dict[str, str | None], show_source: bool) -> list[list[Any]]:
    """The rows of one case's table."""
    compiled, t_setup = once(case.graphir)
    check(compiled(*case.args), case.hand(*case.args), "graphir")
    if show_source:
        print(f"graphir's gradient code for {case.title}:\n{compiled.source}")
    n_ops = sum(1 for line in compiled.source.splitlines() if line.lstrip().startswith("v"))
    runs: dict[str, tuple[Callable[[], Any], float | None]] = {
        "hand-written NumPy": (lambda: case.hand(*case.args), None),
        "graphir lambdify(grad)": (lambda: compiled(*case.args), t_setup),
    }
    runs.update(peers(case, versions))
    gc.collect()
    times = median_times({name: run for name, (run, _) in runs.items()}, repeats)
    t_hand = times["hand-written NumPy"]
    rows = []
    for name, (_, t_first) in runs.items():
        ratio = times[name] / t_hand
        note = ""
        if name.startswith("graphir"):
            ok = ratio <= case.target
            note = f"{n_ops} ops; target <= {case.target}x: {'ok' if ok else 'MISSED'}"
            if case.title.startswith("Rosenbrock"):
                ok = t_setup < SETUP_TARGET
                note += f"; setup < {SETUP_TARGET * 1e3:.0f} ms: {'ok' if ok else 'MISSED'}"
        elif name.startswith(("JAX", "PyTorch")):
            note = "setup = first call" + (" (trace + XLA compile)" if name.startswith("JAX") else "")
        rows.append([name, fmt_seconds(times[name]), fmt_ratio(ratio), fmt_seconds(t_first), note])
    return rows


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--show-source", action="store_true", help="print graphir's generated gradient code")
    args = p.parse_args()
    repeats = 7 if args.quick else 31
    rng = np.random.default_rng(0)
    versions = {name: available(name) for name in ("jax", "torch")}
    cases = [
        logistic_case(100_000, 10, rng),
        mlp_case(10_000, 16, 256, rng),
        rosenbrock_case(10_000, rng),
        rosenbrock_case(1_000_000, rng),
    ]
    print(f"# array gradients ({machine()}; median of {repeats}, interleaved)\n")
    for name, pip in (("jax", "jax"), ("torch", "torch")):
        if not versions[name]:
            print(f"{name} is not installed (pip install {pip}): its rows are skipped.")
    for case in cases:
        rows = measure(case, repeats, versions, args.show_source)
        print(f"\n## {case.title}\n")
        print(table(["tool", "median", "ratio to hand", "setup (build + grad + compile)", "note"], rows))
        gc.collect()


if __name__ == "__main__":
    main()
