"""One table-driven test over every record of the primitive registry.

For each built-in :class:`graphir.primitives.Primitive`, at points sampled from
its domain (:data:`graphir.primitives.DOMAINS`, seeded per primitive):

* the NumPy implementation against the SymPy counterpart evaluated with 30 digits;
* each partial rule, built on a graph with :class:`graphir.build.RuleKit` and
  evaluated, against ``sympy.diff`` of the SymPy counterpart and against central
  differences of the NumPy implementation;
* the complex implementation against NumPy on real input, and the complex-step
  derivative ``imag(f(x + ih)) / h`` against the partial rule.

Binary primitives are sampled away from the kink ``x == y`` (maximum, minimum);
the domains of abs, sign and heaviside already keep away from 0.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest
import sympy as sp

import graphir as gi
from graphir.build import FUNCTIONS, RuleKit, symbols
from graphir.primitives import DOMAINS, PRIMITIVES, Primitive

BUILTIN = [p for p in PRIMITIVES.values() if not p.user and p.elementwise]
N_POINTS = 20
KINK_GAP = 0.1  # |x - y| at least this for binary primitives (maximum/minimum kinks)
DIGITS = 30


def sample_points(p: Primitive, n: int = N_POINTS) -> np.ndarray:
    """``n`` points (rows) drawn from the record's domain, one column per operand."""
    rng = np.random.default_rng(zlib.crc32(p.name.encode()))
    rows: list[list[float]] = []
    while len(rows) < n:
        row = []
        for d in p.domain:
            intervals = DOMAINS[d]
            lo, hi = intervals[rng.integers(len(intervals))]
            row.append(float(rng.uniform(lo, hi)))
        if p.arity == 2 and abs(row[0] - row[1]) < KINK_GAP:
            continue
        rows.append(row)
    return np.array(rows)


def sympy_at(e: sp.Expr, syms: tuple[sp.Symbol, ...], row: np.ndarray) -> float:
    value = e.evalf(DIGITS, subs={s: sp.Float(float(v), DIGITS) for s, v in zip(syms, row, strict=True)})
    return float(value)


def test_registry_covers_the_public_functions():
    for name in ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp",
                 "log", "sqrt", "abs", "sigmoid", "log1p", "expm1", "pow", "maximum", "minimum"]:
        assert name in PRIMITIVES
        assert getattr(gi, name) is FUNCTIONS[name]


@pytest.mark.parametrize("p", BUILTIN, ids=[p.name for p in BUILTIN])
def test_primitive_record(p: Primitive):
    # --- the record is self-consistent
    assert len(p.partials) == p.arity
    assert len(p.domain) == p.arity
    assert all(d in DOMAINS for d in p.domain)
    pts = sample_points(p)
    cols = [pts[:, k] for k in range(p.arity)]

    # --- NumPy value vs SymPy value
    syms = sp.symbols(" ".join(f"x{k}" for k in range(p.arity)) + ",", real=True)
    e = p.sympy(sp, *syms)
    ref = np.array([sympy_at(e, syms, row) for row in pts])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = np.asarray(p.numpy(*cols), dtype=float)
        scalar = np.array([float(p.numpy(*row)) for row in pts])
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-15, err_msg=f"{p.name}: numpy vs sympy")
    np.testing.assert_array_equal(got, scalar)

    # --- partial rules, built on a graph and evaluated
    names = [s.name for s in syms]
    args = symbols(" ".join(names) + ",")
    out = FUNCTIONS[p.name](*args)
    assert out.op == p.name and [a.name for a in out.args] == names
    b = RuleKit(out.ir)
    point = dict(zip(names, cols, strict=True))
    h = 1e-5
    for k, rule in enumerate(p.partials):
        partial = rule(b, out, *args)
        assert isinstance(partial, gi.Expr)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value = np.broadcast_to(np.asarray(partial.eval(point), dtype=float), (len(pts),))

        # vs sympy.diff (DiracDelta terms vanish at the sampled points, away from kinks)
        d = sp.diff(e, syms[k])
        dref = np.array([sympy_at(d, syms, row) for row in pts])
        np.testing.assert_allclose(
            value, dref, rtol=1e-12, atol=1e-13, err_msg=f"{p.name}: partial {k} vs sympy.diff"
        )

        # vs central differences of the NumPy implementation
        step = h * np.maximum(1.0, np.abs(cols[k]))
        up = [c + step if j == k else c for j, c in enumerate(cols)]
        down = [c - step if j == k else c for j, c in enumerate(cols)]
        central = (p.numpy(*up) - p.numpy(*down)) / (2 * step)
        np.testing.assert_allclose(
            value, central, rtol=1e-6, atol=1e-7, err_msg=f"{p.name}: partial {k} vs central differences"
        )

        # complex step: imag(f(x + ih)) / h equals the partial
        tiny = 1e-20
        z = [c + 1j * tiny if j == k else c.astype(complex) for j, c in enumerate(cols)]
        cs = np.imag(p.complex_impl()(*z)) / tiny
        np.testing.assert_allclose(
            value, cs, rtol=1e-12, atol=1e-13, err_msg=f"{p.name}: partial {k} vs complex step"
        )

    # --- the complex implementation agrees with NumPy on real input
    cimpl = p.complex_impl()
    np.testing.assert_allclose(np.asarray(cimpl(*cols), dtype=float), got, rtol=1e-15, atol=0)
    zc = cimpl(*[c.astype(complex) for c in cols])
    np.testing.assert_allclose(np.real(zc), got, rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(np.imag(zc), 0.0)


def test_sigmoid_tails_are_finite_and_exact():
    sig = PRIMITIVES["sigmoid"].numpy
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        assert float(sig(-1000.0)) == 0.0
        assert float(sig(1000.0)) == 1.0
        np.testing.assert_array_equal(sig(np.array([-1000.0, 0.0, 1000.0])), [0.0, 0.5, 1.0])
        assert float(sig(-40.0)) > 0.0  # the negative tail keeps its tiny value, not 0
        np.testing.assert_allclose(float(sig(-40.0)), float(np.exp(-40.0)), rtol=1e-15)
    x = gi.symbols("x")
    f = gi.sigmoid(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no EvalWarning, no RuntimeWarning
        assert f.eval(x=-1000) == 0.0
        assert f.eval(x=1000) == 1.0
        b = RuleKit(f.ir)
        d = PRIMITIVES["sigmoid"].partials[0](b, f, x)
        assert d.eval(x=1000) == 0.0
        assert d.eval(x=-1000) == 0.0
        assert d.eval(x=0) == 0.25
