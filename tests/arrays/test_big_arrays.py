"""A 100,000-node chain of array operations: evaluation, reverse-mode gradient, lambdify,
clean-up, printing and JSON finish in time proportional to the graph (no RecursionError).
The gradient graph and its evaluation are the slow part; set ``GRAPHIR_BIG=1`` to also
run the forward-mode Jacobian."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import graphir as gi
from tests.limits_helpers import cpu_budget

N = 100_000
BUDGET = 60.0
RUN_ALL = os.environ.get("GRAPHIR_BIG", "") not in ("", "0")
A0 = np.array([[0.5, -0.2, 0.1], [0.3, 0.4, -0.6], [-0.1, 0.2, 0.3]])


@pytest.fixture(scope="module")
def chain() -> tuple[gi.Expr, dict[str, np.ndarray]]:
    """v_{k+1} = sin(A @ v_k) * 0.5 + v_k on a (3,) vector, then the sum of its entries."""
    A = gi.symbols("A", shape=(3, 3))
    v = gi.symbols("x", shape=(3,))
    for _ in range(N // 4):
        v = gi.sin(A @ v) * 0.5 + v
    e = gi.sum(v)
    assert e.num_nodes >= N
    return e, {"A": A0, "x": np.array([0.1, -0.2, 0.3])}


def _reference(at: dict[str, np.ndarray]) -> float:
    v = at["x"]
    for _ in range(N // 4):
        v = np.sin(at["A"] @ v) * 0.5 + v
    return float(v.sum())


def _grad(e: gi.Expr, at: dict[str, np.ndarray]) -> Any:
    dA, dx = gi.grad(e, ["A", "x"])
    assert dA.shape == (3, 3) and dx.shape == (3,)
    got = [dA.eval(at), dx.eval(at)]
    assert all(np.all(np.isfinite(g)) for g in got)
    return got


CALLS: dict[str, tuple[Callable[[gi.Expr, dict[str, np.ndarray]], Any], bool]] = {
    "eval": (lambda e, at: pytest.approx(_reference(at), rel=1e-12) == e.eval(at), False),
    "lambdify": (lambda e, at: pytest.approx(_reference(at), rel=1e-12)
                 == gi.lambdify(e, ["A", "x"])(at["A"], at["x"]),
                 False),
    "grad": (_grad, False),
    "cleanup": (lambda e, at: gi.cleanup(e).num_nodes <= e.num_nodes, False),
    "str": (lambda e, at: " where " in str(e), False),
    "json": (lambda e, at: gi.from_json(gi.to_json(e)).num_nodes == e.num_nodes, False),
    "jvp": (lambda e, at: gi.jvp(e, {"x": np.ones(3)}).shape == (), False),
    "jacobian": (lambda e, at: gi.jacobian(e, ["x"])[0][0].shape == (3,), True),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_array_chain(chain: tuple[gi.Expr, dict[str, np.ndarray]], name: str) -> None:
    e, at = chain
    call, slow = CALLS[name]
    if slow and not RUN_ALL:
        pytest.skip("linear but slow at 100,000 nodes: run with GRAPHIR_BIG=1")
    t0 = time.perf_counter()
    with cpu_budget(2 * BUDGET, f"{name} on the array chain"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = call(e, at)
    seconds = time.perf_counter() - t0
    assert result is not False, name
    assert seconds < BUDGET, f"{name} on the array chain took {seconds:.1f} s"
