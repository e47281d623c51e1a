"""backend=None on big graphs of scalars, and the lowering to an instruction table.

For a graph of at least ``DEFAULT_MIN_OPS`` operations, all of them computed by the
compiled loop bit for bit as NumPy computes them (:func:`exact_opcodes`), ``lambdify``
with ``backend=None`` runs the instruction table on numbers: the values are the NumPy
backend's, bit for bit; nan, inf (inputs or intermediate values), arrays and complex
numbers go to the NumPy backend, its values and its warnings.  The lowering (integer
columns, registers allocated by a compiled loop) is checked against the former one (a
walk in depth-first order, kept here) by running both tables.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import graphir as gi
from graphir.build import Expr, as_expr, lift
from graphir.errors import EvalError
from graphir.passes import instructions, numba_backend, numba_kernels
from graphir.passes.instructions import OPCODES, Program, lower, run_python
from graphir.traversal import postorder, reachable
from tests.strategies import VARIABLES, points, recipes

needs_numba = pytest.mark.skipif(not numba_kernels.AVAILABLE, reason="numba is not installed (graphir[fast])")


def former_lower(graph, roots, arg_ids) -> Program:
    """The lowering before the integer columns: a Python walk in depth-first order."""
    ops, args, params = graph.ops, graph.args, graph.params
    order = postorder(graph, roots)
    problem = instructions.lowerable(graph, order)
    if problem is not None:
        raise EvalError(problem)
    uses: dict[int, int] = {}
    for i in order:
        for a in args[i]:
            uses[a] = uses.get(a, 0) + 1
    for r in roots:
        uses[r] = 1 << 62
    where: dict[int, int] = {}
    arg_regs, n_regs, free, consts, code = [], 0, [], [], []
    for a in arg_ids:
        if a >= 0 and ops[a] == "var" and a not in where and a in uses:
            where[a], n_regs = n_regs, n_regs + 1
        arg_regs.append(where.get(a, -1) if a >= 0 and a in uses else -1)
    for i in order:
        if ops[i] == "const":
            where[i] = -1 - len(consts)
            consts.append(float(params[i]))
        elif ops[i] != "var":
            operands = [where[a] for a in args[i]]
            for a in args[i]:
                uses[a] -= 1
                if uses[a] == 0 and where[a] >= 0:
                    free.append(where[a])
            dest = free.pop() if free else n_regs
            n_regs = max(n_regs, dest + 1)
            where[i] = dest
            code.append((OPCODES[ops[i]], dest, operands[0], operands[-1]))
    return Program(np.array(code, np.int64).reshape(-1, 4), np.array(consts), max(n_regs, 1),
                   np.array(arg_regs, np.int64), np.array([where[r] for r in roots], np.int64))


def bits(values) -> list[int]:
    return [int(np.float64(v).view(np.int64)) for v in values]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(max_ops=8), points())
def test_the_lowering_runs_as_the_former_one(recipe, point):
    f = recipe.to_expr()
    g = [f, gi.sin(f) * f, gi.symbols("x") + 0.0]
    graph, roots = lift(*g)
    ids = [graph.find_var(n) if graph.find_var(n) is not None else -1 for n in VARIABLES]
    values = [point[n] for n in VARIABLES]
    new, old = lower(graph, roots, ids), former_lower(graph, roots, ids)
    assert len(new.code) == len(old.code)
    if OPCODES["pow"] not in old.code[:, 0]:  # pow(x, 2.0) lowers to x * x (2.0 may then go unused)
        assert sorted(new.consts.tolist()) == sorted(old.consts.tolist())
    with np.errstate(all="ignore"):
        assert bits(run_python(new, values)) == bits(run_python(old, values))
    names = [{graph.params[i] for i in reachable(graph, [r]) if graph.ops[i] == "var"} for r in roots]
    assert new.depends == tuple(sum(1 << k for k, n in enumerate(VARIABLES) if n in used) for used in names)


def test_the_lowering_without_numba_gives_the_same_table(monkeypatch):
    x, y = gi.symbols("x y")
    f = [gi.sin(x * y) ** 2.0 + x, x, 3.0 * y - gi.cos(x), as_expr(2.0)]
    graph, roots = lift(*f)
    ids = [graph.find_var("x"), -1, graph.find_var("y")]
    compiled = lower(graph, roots, ids)
    monkeypatch.setattr(numba_kernels, "AVAILABLE", False)
    plain = lower(graph, roots, ids)
    for field in ("code", "consts", "arg_regs", "outputs"):
        np.testing.assert_array_equal(getattr(plain, field), getattr(compiled, field))
    assert plain.n_regs == compiled.n_regs and compiled.arg_regs.tolist() == [0, -1, 1]
    assert compiled.depends == (0b101, 0b001, 0b101, 0)


def test_what_does_not_lower_says_which_node():
    x, W = gi.symbols("x"), gi.symbols("W", shape=(2,))
    f = gi.sin(x) + gi.sum(W)
    with pytest.raises(instructions.NotLowerable, match=r"variable W is an array \(shape \(2,\)\)"):
        lower(f.ir, [f.node], [x.node, W.node])


# ---------------------------------------------------------------- backend=None picks the table


def least(monkeypatch, ops: int) -> None:
    monkeypatch.setattr(numba_backend, "DEFAULT_MIN_OPS", ops)
    monkeypatch.setattr(numba_backend, "DEFAULT_MIN_OPS_LOADED", ops)


def chain(n: int, x: gi.Expr, y: gi.Expr) -> gi.Expr:
    e = x
    for k in range(n // 4):
        e = gi.sin(e) * y + (e - 0.25 * k)
    return e


def random_graph(n_ops: int, xs: list[gi.Expr], seed: int = 3) -> gi.Expr:
    """A random graph of exact ops (sin, cos, + - *) whose values stay bounded."""
    rng = random.Random(seed)
    vals = list(xs)
    for _ in range(n_ops):
        a, b = vals[rng.randrange(len(vals))], vals[-1 - rng.randrange(min(50, len(vals)))]
        op = rng.randrange(5)
        vals.append([gi.sin(a), gi.cos(a), gi.sin(a + b), gi.sin(a - b), a * gi.cos(b)][op])
    return sum(vals[-20:], gi.symbols("x0") * 0.0)


@needs_numba
def test_a_chain_of_100000_nodes_runs_on_the_table():
    x, y = gi.symbols("x y")
    e = chain(100_000, x, y)
    f = gi.lambdify([e, x * y], [x, y])
    assert f.backend == "numba"
    want = gi.lambdify([e, x * y], [x, y], backend="numpy")(0.3, 0.7)
    got = f(0.3, 0.7)
    assert all(type(v) is float for v in got) and bits(got) == bits(want)


@needs_numba
def test_a_random_graph_and_its_gradient(monkeypatch):
    least(monkeypatch, 1000)
    xs = list(gi.symbols([f"x{i}" for i in range(10)]))
    g = gi.grad(random_graph(2000, xs), xs)
    f = gi.lambdify(list(g), xs)
    assert f.backend == "numba"
    point = [0.1 * k - 0.4 for k in range(10)]
    assert bits(f(*point)) == bits(gi.lambdify(list(g), xs, backend="numpy")(*point))
    assert bits(f(*point)) == bits(gi.lambdify(list(g), xs, backend="python")(*point))


@needs_numba
def test_which_backend_is_chosen(monkeypatch):
    least(monkeypatch, 100)
    x, y = gi.symbols("x y")
    assert gi.lambdify(chain(400, x, y), [x, y]).backend == "numba"
    assert gi.lambdify(chain(400, x, y) ** 2.0, [x, y]).backend == "numba"  # x ** 2.0 is x * x
    assert not hasattr(gi.lambdify(chain(40, x, y), [x, y]), "backend")  # small: the python backend
    assert gi.lambdify(chain(40, x, y), [x, y]).python_source is not None
    exact = {instructions.OPNAMES[k] for k in numba_backend.exact_opcodes()}
    assert exact >= {"add", "sub", "mul", "div", "neg", "abs", "sqrt", "maximum", "minimum", "sign"}
    assert not hasattr(gi.lambdify(gi.tanh(chain(400, x, y)), [x, y]), "backend")  # tanh is libm's in numba
    assert not hasattr(gi.lambdify(chain(400, x, y) ** 3.0, [x, y]), "backend")
    for name in set(instructions.OPNAMES) - exact:  # ops numba does not compute as NumPy does, here
        graph, (r,) = lift(chain(400, x, y))
        e = Expr(graph, graph.apply(name, r, r) if gi.PRIMITIVES[name].arity == 2 else graph.apply(name, r))
        assert not hasattr(gi.lambdify(e, [x, y]), "backend"), name
    monkeypatch.setattr(numba_kernels, "AVAILABLE", False)
    assert not hasattr(gi.lambdify(chain(400, x, y), [x, y]), "backend")  # no numba: the python backend


@needs_numba
def test_numbers_that_are_not_floats_and_arrays(monkeypatch):
    least(monkeypatch, 100)
    x, y = gi.symbols("x y")
    e = chain(400, x, y)
    f, ref = gi.lambdify(e, [x, y]), gi.lambdify(e, [x, y], backend="numpy")
    assert bits([f(1, np.float64(0.5))]) == bits([ref(1.0, 0.5)])
    a = np.linspace(-1, 1, 7)
    np.testing.assert_array_equal(f(a, 0.5), ref(a, 0.5))
    assert f(0.5 + 0j, 0.5) == ref(0.5 + 0j, 0.5)
    with pytest.raises(TypeError, match="takes 2 argument"):
        f(1.0)


@needs_numba
def test_nan_and_inf_fall_back_with_the_warnings(monkeypatch):
    least(monkeypatch, 100)
    x, y = gi.symbols("x y")
    vanishing = chain(400, x, y) + 1.0 / (1.0 / (x - 1.0))  # inf inside, 0 outside at x = 1
    cases = [(vanishing, (1.0, 0.5)), (chain(400, x, y), (np.inf, 0.5)), (chain(400, x, y), (0.5, np.nan)),
             (gi.sqrt(chain(400, x, y) - 1e9), (0.5, 0.5))]
    for e, point in cases:
        f, ref = gi.lambdify(e, [x, y]), gi.lambdify(e, [x, y], backend="numpy")
        assert f.backend == "numba"
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            value = f(*point)
        with warnings.catch_warnings(record=True) as want:
            warnings.simplefilter("always")
            expected = ref(*point)
        assert bits([value]) == bits([expected])
        assert [str(w.message) for w in got] == [str(w.message) for w in want]
