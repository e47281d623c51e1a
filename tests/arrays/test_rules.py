"""Every array primitive's jvp and vjp rule against central differences, driven by the registry.

``CASES`` holds, for every record that is not elementwise, a builder of a small random
instance (shapes drawn by hypothesis).  Each instance is differentiated by ``gi.jacobian``
in both modes, by ``gi.jvp`` and by ``gi.vjp``, and every result is compared with central
differences of the evaluated expression.  A new array record without a row here fails
:func:`test_every_array_record_has_a_case`.  Elementwise primitives are checked with
broadcasting operand shapes: their adjoints are summed back to each operand's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import graphir as gi
from graphir import primitives, shapes
from graphir.build import _apply
from tests.strategies import builtin_ops

Instance = tuple[gi.Expr, dict[str, np.ndarray]]
Draw = Callable[..., Any]

dims = st.integers(1, 3)


def _values(rng: np.random.Generator, shapes: dict[str, tuple[int, ...]], low: float = -1.5,
            high: float = 1.5) -> tuple[list[gi.Expr], dict[str, np.ndarray]]:
    exprs = [gi.symbols(n, shape=s) for n, s in shapes.items()]
    return exprs, {n: rng.uniform(low, high, s) for n, s in shapes.items()}


def _matmul(draw: Draw, rng: np.random.Generator) -> Instance:
    m, n, p = draw(dims), draw(dims), draw(dims)
    left, right = draw(st.sampled_from([((m, n), (n, p)), ((m, n), (n,)), ((n,), (n, p)), ((n,), (n,))]))
    (a, b), v = _values(rng, {"a": left, "b": right})
    return a @ b, v


def _reduction(op: Callable[..., gi.Expr]) -> Callable[[Draw, np.random.Generator], Instance]:
    def build(draw: Draw, rng: np.random.Generator) -> Instance:
        shape = tuple(draw(st.lists(dims, min_size=1, max_size=3)))
        axis = draw(st.sampled_from([None, *range(-len(shape), len(shape))]))
        (x,), v = _values(rng, {"x": shape})
        return op(x, axis=axis), v

    return build


def _softmax(draw: Draw, rng: np.random.Generator) -> Instance:
    shape = tuple(draw(st.lists(dims, min_size=1, max_size=3)))
    axis = draw(st.sampled_from([None, *range(-len(shape), len(shape))]))
    (x,), v = _values(rng, {"x": shape})
    w = rng.uniform(-1, 1, shape)  # a weighted sum mixes every output entry into one scalar check
    return gi.softmax(x, axis=axis) * w, v


def _transpose(draw: Draw, rng: np.random.Generator) -> Instance:
    shape = tuple(draw(st.lists(dims, min_size=2, max_size=3)))
    axes = draw(st.one_of(st.none(), st.permutations(range(len(shape)))))
    (x,), v = _values(rng, {"x": shape})
    return gi.transpose(x, axes), v


def _key(draw: Draw, shape: tuple[int, ...]) -> tuple[Any, ...]:
    key: list[Any] = []
    for n in shape[: draw(st.integers(1, len(shape)))]:
        if draw(st.booleans()):
            key.append(draw(st.integers(-n, n - 1)))
        else:
            start = draw(st.one_of(st.none(), st.integers(-n, n - 1)))
            stop = draw(st.one_of(st.none(), st.integers(-n, n)))
            key.append(slice(start, stop, draw(st.sampled_from([None, 1, 2]))))
    return tuple(key)


def _index(draw: Draw, rng: np.random.Generator) -> Instance:
    shape = tuple(draw(st.lists(dims, min_size=1, max_size=3)))
    key = _key(draw, shape)
    (x,), v = _values(rng, {"x": shape})
    return x[key], v


def _unindex(draw: Draw, rng: np.random.Generator) -> Instance:
    shape = tuple(draw(st.lists(dims, min_size=1, max_size=3)))
    key = shapes.normalize_key(_key(draw, shape), shape)
    (g,), v = _values(rng, {"g": shapes.index_shape(key, shape)})
    return _apply("unindex", g, param=(key, shape)), v


def _reshape(draw: Draw, rng: np.random.Generator) -> Instance:
    shape = tuple(draw(st.lists(dims, min_size=1, max_size=3)))
    n = int(np.prod(shape))
    target = draw(st.sampled_from([(n,), (1, n), (n, 1), tuple(reversed(shape))]))
    (x,), v = _values(rng, {"x": shape})
    return gi.reshape(x, target), v


def _broadcast_pair(draw: Draw) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A shape and a larger shape it broadcasts to."""
    big = tuple(draw(st.lists(dims, min_size=1, max_size=3)))
    small = tuple(1 if draw(st.booleans()) else n for n in big[draw(st.integers(0, len(big))) :])
    return small, big


def _broadcast_to(draw: Draw, rng: np.random.Generator) -> Instance:
    small, big = _broadcast_pair(draw)
    (x,), v = _values(rng, {"x": small})
    return _apply("broadcast_to", x, param=big), v


def _sum_to(draw: Draw, rng: np.random.Generator) -> Instance:
    small, big = _broadcast_pair(draw)
    (x,), v = _values(rng, {"x": big})
    return _apply("sum_to", x, param=small), v


def _stack(draw: Draw, rng: np.random.Generator) -> Instance:
    shape = tuple(draw(st.lists(dims, min_size=0, max_size=2)))
    k = draw(st.integers(1, 3))
    xs, v = _values(rng, {f"x{j}": shape for j in range(k)})
    return gi.stack([x * x if j % 2 else x for j, x in enumerate(xs)]), v


CASES: dict[str, Callable[[Draw, np.random.Generator], Instance]] = {
    "matmul": _matmul,
    "sum": _reduction(gi.sum),
    "transpose": _transpose,
    "index": _index,
    "unindex": _unindex,
    "reshape": _reshape,
    "broadcast_to": _broadcast_to,
    "sum_to": _sum_to,
    "logsumexp": _reduction(gi.logsumexp),
    "softmax": _softmax,
    "stack": _stack,
}


@st.composite
def instances(draw: Draw, op: str) -> tuple[gi.Expr, dict[str, np.ndarray], np.random.Generator]:
    """A random instance of ``CASES[op]``, its point, and the generator that drew the values."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    e, values = CASES[op](draw, rng)
    return e, values, rng


def test_every_array_record_has_a_case() -> None:
    array_records = {p.name for p in primitives.PRIMITIVES.values() if not p.elementwise}
    assert array_records == set(CASES), "every array primitive needs a row in CASES"


def numeric_jacobian(e: gi.Expr, values: dict[str, np.ndarray], name: str, h: float = 1e-6) -> np.ndarray:
    """``d e / d name`` by central differences, shaped ``e.shape + values[name].shape``."""
    x = values[name]
    cols = []
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = h
        up = e.eval({**values, name: x + step.reshape(x.shape)})
        down = e.eval({**values, name: x - step.reshape(x.shape)})
        cols.append((np.asarray(up) - np.asarray(down)) / (2 * h))
    return np.moveaxis(np.array(cols).reshape(x.shape + e.shape), list(range(x.ndim)),
                       list(range(e.ndim, e.ndim + x.ndim)))


def check_derivatives(e: gi.Expr, values: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Jacobians in both modes, jvp and vjp, against central differences."""
    names = list(values)
    expected = {n: numeric_jacobian(e, values, n) for n in names}
    fwd = gi.jacobian(e, names, mode="forward")[0]
    rev = gi.jacobian(e, names, mode="reverse")[0]
    for n, jf, jr in zip(names, fwd, rev, strict=True):
        want = expected[n]
        assert jf.shape == jr.shape == want.shape, n
        got_f, got_r = np.asarray(jf.eval(values)), np.asarray(jr.eval(values))
        np.testing.assert_allclose(got_f, want, rtol=1e-6, atol=1e-7, err_msg=f"forward d/d{n}")
        np.testing.assert_allclose(got_r, got_f, rtol=1e-12, atol=1e-12, err_msg=f"forward != reverse d/d{n}")
        compiled = gi.lambdify(jr, names)(*values.values())
        np.testing.assert_allclose(compiled, got_r, rtol=1e-14, atol=1e-14, err_msg=f"lambdify d/d{n}")
        cleaned = np.asarray(gi.cleanup(jr).eval(values))
        np.testing.assert_allclose(cleaned, got_r, rtol=1e-14, atol=1e-14, err_msg=f"cleanup d/d{n}")
    np.testing.assert_array_equal(gi.lambdify(e, names)(*values.values()), e.eval(values))
    tangents = {n: rng.uniform(-1, 1, values[n].shape) for n in names}
    t = gi.jvp(e, tangents)
    assert t.shape == e.shape
    want_t = sum(np.tensordot(expected[n], tangents[n], axes=values[n].ndim) for n in names)
    np.testing.assert_allclose(np.asarray(t.eval(values)), want_t, rtol=1e-6, atol=1e-7, err_msg="jvp")
    c = rng.uniform(-1, 1, e.shape)
    for n, d in zip(names, gi.vjp(e, [c], names), strict=True):
        assert d.shape == values[n].shape, n
        want_c = np.tensordot(c, expected[n], axes=e.ndim)
        got_c = np.asarray(d.eval(values))
        np.testing.assert_allclose(got_c, want_c, rtol=1e-6, atol=1e-7, err_msg=f"vjp {n}")


@pytest.mark.parametrize("op", sorted(CASES))
@settings(max_examples=12)
@given(data=st.data())
def test_array_rule_matches_central_differences(op: str, data: st.DataObject) -> None:
    e, values, rng = data.draw(instances(op))
    assume(op in e.ir.ops)  # a builder may simplify (reshape to the same shape is the operand)
    check_derivatives(e, values, rng)


@pytest.mark.parametrize("op", sorted(CASES))
@settings(max_examples=5)
@given(data=st.data())
def test_array_rule_second_order(op: str, data: st.DataObject) -> None:
    """The rules build nodes, so a gradient is differentiable again: the Hessian of a
    scalar made from the instance matches central differences of the gradient."""
    e, values, rng = data.draw(instances(op))
    w = rng.uniform(-1, 1, e.shape)
    f = gi.sum(gi.sin(e) * w) if e.shape else gi.sin(e)
    names = list(values)
    for n, g in zip(names, gi.grad(f, names), strict=True):
        for m in names:
            want = numeric_jacobian(g, values, m)
            got = np.asarray(gi.jacobian(g, [m])[0][0].eval(values))
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"d2/d{n}d{m}")


# ------------------------------------------------------------ elementwise with broadcasting

BROADCAST_PAIRS = [
    ((), (2, 3)),
    ((2, 3), ()),
    ((1, 3), (3,)),
    ((3,), (2, 3)),
    ((2, 1), (2, 3)),
    ((2, 3), (2, 1)),
    ((2, 2, 3), (3,)),
    ((3,), (2, 2, 3)),
    ((2, 1, 3), (2, 1)),
]


def _domain_values(rng: np.random.Generator, domain: str, shape: tuple[int, ...]) -> np.ndarray:
    intervals = primitives.DOMAINS[domain]
    lo, hi = intervals[rng.integers(len(intervals))]
    sign = rng.choice([-1.0, 1.0]) if domain == "nonzero" else 1.0
    v = rng.uniform(lo, hi, shape)
    return np.abs(v) * sign if domain == "nonzero" else v


@pytest.mark.parametrize("pair", BROADCAST_PAIRS, ids=str)
@pytest.mark.parametrize("op", builtin_ops())
def test_elementwise_broadcasting(op: str, pair: tuple[tuple[int, ...], ...]) -> None:
    record = primitives.get(op)
    rng = np.random.default_rng(sum(map(ord, op + str(pair))))
    operand_shapes = pair if record.arity == 2 else (max(pair, key=len),)
    names = [f"x{k}" for k in range(len(operand_shapes))]
    xs = [gi.symbols(n, shape=s) for n, s in zip(names, operand_shapes, strict=True)]
    domains = zip(names, record.domain, operand_shapes, strict=True)
    values = {n: _domain_values(rng, d, s) for n, d, s in domains}
    if op in ("maximum", "minimum", "abs", "sign", "heaviside"):
        values = {n: v + 0.01 * (k + 1) for k, (n, v) in enumerate(values.items())}
    e = _apply(op, *xs)
    assert e.shape == np.broadcast_shapes(*operand_shapes)
    check_derivatives(e, values, rng)
