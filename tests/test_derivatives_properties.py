"""Property tests of the derivative passes over the whole primitive registry.

For every built-in primitive, at points drawn from the domains its record
declares (:data:`graphir.primitives.DOMAINS`):

* first partials in forward and reverse mode equal SymPy's ``diff`` of the
  record's own SymPy counterpart, evaluated at 30 digits (to 1e-10 relative);
* second partials (``diff(f, x, x)``, both mixed partials of binary ops, in
  forward-over-forward, reverse-over-reverse and both mixed orders, and the
  ``hessian``) equal SymPy's second derivatives;
* first and second partials agree with central differences (looser tolerance).

On random composite expressions (``tests/strategies.py``) the forward and
reverse gradients equal each other and :func:`graphir.symbolic_grad`.
The graphs are validated after every test (``tests/conftest.py``).
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import graphir as gi
from graphir import primitives
from graphir.build import FUNCTIONS
from graphir.primitives import DOMAINS
from tests.strategies import KINK_OPS, Recipe, points, recipes

BUILTIN = [name for name, p in primitives.PRIMITIVES.items() if not p.user and p.elementwise]
NAMES = ("x", "y")
MODES = ("forward", "reverse")
RTOL, ATOL = 1e-10, 1e-12
PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def in_domain(domain: str) -> st.SearchStrategy[float]:
    """A float inside one of the intervals of ``DOMAINS[domain]``."""
    intervals = DOMAINS[domain]
    return st.sampled_from(intervals).flatmap(
        lambda iv: st.floats(iv[0], iv[1], allow_nan=False, allow_subnormal=False)
    )


def point_for(name: str) -> st.SearchStrategy[dict[str, float]]:
    p = primitives.PRIMITIVES[name]
    return st.fixed_dictionaries({NAMES[k]: in_domain(p.domain[k]) for k in range(p.arity)})


@functools.cache
def case(name: str) -> tuple[gi.Expr, tuple[gi.Expr, ...], sp.Expr, tuple[sp.Symbol, ...]]:
    """``(f, its variables, SymPy counterpart, SymPy symbols)`` for one primitive."""
    p = primitives.PRIMITIVES[name]
    xs = gi.symbols(NAMES[: p.arity] if p.arity > 1 else NAMES[0] + ",")
    syms = sp.symbols(" ".join(NAMES[: p.arity]) + ",", real=True)
    return FUNCTIONS[name](*xs), xs, p.sympy(sp, *syms), syms


@functools.cache
def sympy_partial(name: str, wrt: tuple[int, ...]) -> sp.Expr:
    _, _, e, syms = case(name)
    return sp.diff(e, *[syms[k] for k in wrt])


def sympy_value(name: str, wrt: tuple[int, ...], at: dict[str, float]) -> float:
    """SymPy's partial evaluated at 30 digits (the inputs are exact binary floats)."""
    _, _, _, syms = case(name)
    e = sympy_partial(name, wrt)
    subs = {s: sp.Float(at[s.name], 30) for s in syms}
    v = e.evalf(30, subs=subs)
    # DiracDelta away from 0 (derivative of sign / heaviside) evaluates to 0.
    v = v.replace(sp.DiracDelta, lambda *a: sp.S.Zero) if v.has(sp.DiracDelta) else v
    return float(v)


def ours(expr: gi.Expr, at: dict[str, float]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no EvalWarning inside the domains
        return expr.eval(**at)


def wrt_pairs(arity: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(arity) for j in range(arity)]


def kink_ok(name: str, at: dict[str, float]) -> bool:
    """Keep maximum/minimum away from ties (central differences straddle the kink)."""
    if primitives.PRIMITIVES[name].arity == 2 and name in KINK_OPS:
        return abs(at["x"] - at["y"]) > 1e-3
    return True


def central(fn, at: dict[str, float], var: str) -> float:
    h = 1e-5 * (1.0 + abs(at[var]))
    hi, lo = dict(at), dict(at)
    hi[var] += h
    lo[var] -= h
    return (fn(hi) - fn(lo)) / (hi[var] - lo[var])


# ---------------------------------------------------------------- the registry


def test_every_builtin_primitive_is_covered():
    assert len(BUILTIN) >= 26
    for name in BUILTIN:
        p = primitives.PRIMITIVES[name]
        assert len(p.partials) == p.arity == len(p.domain)
        assert all(d in DOMAINS for d in p.domain)


@pytest.mark.parametrize("name", BUILTIN)
def test_value_matches_sympy(name):
    f, _, _, _ = case(name)

    @PROPS
    @given(point_for(name))
    def check(at):
        _, _, e, syms = case(name)
        want = float(e.evalf(30, subs={s: sp.Float(at[s.name], 30) for s in syms}))
        assert close(ours(f, at), want)

    check()


@pytest.mark.parametrize("name", BUILTIN)
def test_first_partials_forward_reverse_sympy(name):
    f, xs, _, _ = case(name)
    partials = {mode: [gi.diff(f, v, mode=mode) for v in xs] for mode in MODES}
    grads = {mode: gi.grad(f, mode=mode) for mode in MODES}

    @PROPS
    @given(point_for(name))
    def check(at):
        for k in range(len(xs)):
            want = sympy_value(name, (k,), at)
            fwd = ours(partials["forward"][k], at)
            rev = ours(partials["reverse"][k], at)
            assert close(fwd, want), (k, fwd, want)
            assert close(rev, want), (k, rev, want)
            assert close(fwd, rev)
            assert close(ours(grads["forward"][k], at), want)
            assert close(ours(grads["reverse"][k], at), want)

    check()


@pytest.mark.parametrize("name", BUILTIN)
def test_second_partials_all_mode_orders_and_hessian(name):
    f, xs, _, _ = case(name)
    combos = [(m1, m2) for m1 in MODES for m2 in MODES]
    second = {}
    for i, j in wrt_pairs(len(xs)):
        for m1, m2 in combos:
            second[i, j, m1, m2] = gi.diff(gi.diff(f, xs[i], mode=m1), xs[j], mode=m2)
        second[i, j, "diff", "forward"] = gi.diff(f, xs[i], xs[j], mode="forward")
        second[i, j, "diff", "reverse"] = gi.diff(f, xs[i], xs[j], mode="reverse")
    H = gi.hessian(f)
    assert len(H) == len(xs) and all(len(row) == len(xs) for row in H)

    @PROPS
    @given(point_for(name))
    def check(at):
        for i, j in wrt_pairs(len(xs)):
            want = sympy_value(name, (i, j), at)
            for key, d in second.items():
                if key[:2] == (i, j):
                    got = ours(d, at)
                    assert close(got, want), (key, got, want)
            assert close(ours(H[i][j], at), want), ("hessian", i, j)
            assert H[i][j].node == H[j][i].node  # exactly symmetric

    check()


@pytest.mark.parametrize("name", BUILTIN)
def test_partials_match_central_differences(name):
    f, xs, _, _ = case(name)
    first = {mode: gi.grad(f, mode=mode) for mode in MODES}
    H = gi.hessian(f)
    names = [v.name for v in xs]

    @PROPS
    @given(point_for(name))
    def check(at):
        assume(kink_ok(name, at))
        for k, var in enumerate(names):
            fd = central(lambda p: ours(f, p), at, var)
            for mode in MODES:
                assert close(ours(first[mode][k], at), fd, 1e-6, 1e-6), (mode, var)
            for j, var2 in enumerate(names):
                # second partial = central difference of the first partial (reverse mode)
                fd2 = central(lambda p, d=first["reverse"][j]: ours(d, p), at, var)
                assert close(ours(H[k][j], at), fd2, 1e-5, 1e-5), (var, var2)

    check()


# ---------------------------------------------------------------- random composites


def _finite(values) -> bool:
    return all(np.isfinite(v) for v in values)


def _eval_all(exprs, at) -> list[float]:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return [e.eval(**at) for e in exprs]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(min_ops=3, max_ops=10), points())
def test_random_expressions_forward_equals_reverse(r, at):
    f = r.to_expr()
    wrt = list(gi.symbols("x y z"))
    fwd = gi.grad(f, wrt, mode="forward")
    rev = gi.grad(f, wrt, mode="reverse")
    a, b = _eval_all(fwd, at), _eval_all(rev, at)
    assume(_finite(a) and _finite(b))
    for u, v in zip(a, b, strict=True):
        assert close(u, v, 1e-9, 1e-9), (r, a, b)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(min_ops=2, max_ops=8, ops=[o for o in BUILTIN if o not in KINK_OPS]), points())
def test_random_expressions_match_sympy_diff_of_the_recipe(r, at):
    """Independent of graphir's SymPy bridge: the recipe builds its own SymPy expression."""
    f = r.to_expr()
    e = r.to_sympy()
    syms = {s.name: s for s in e.free_symbols}
    names = ("x", "y", "z")
    subs = {syms[n]: sp.Float(at[n], 30) for n in names if n in syms}
    want = []
    for n in names:
        if n not in syms:
            want.append(0.0)
            continue
        v = complex(sp.diff(e, syms[n]).evalf(30, subs=subs))
        assume(v.imag == 0.0)
        want.append(v.real)
    variables = gi.symbols(names)  # objects: a variable f does not use has partial 0
    fwd = _eval_all(gi.grad(f, variables, mode="forward"), at)
    rev = _eval_all(gi.grad(f, variables, mode="reverse"), at)
    assume(_finite(want) and _finite(fwd) and _finite(rev))
    scale = max(1.0, *(abs(v) for v in want))
    for w, a, b in zip(want, fwd, rev, strict=True):
        assert close(a, w, 1e-8, 1e-9 * scale), (r, want, fwd)
        assert close(b, w, 1e-8, 1e-9 * scale), (r, want, rev)


def near_a_kink(r: Recipe, at: dict[str, float], rel: float = 1e-9) -> bool:
    """True when an operand of ``abs``, ``sign``, ``heaviside`` (vs 0) or of ``maximum``,
    ``minimum`` (vs each other) is within ``rel`` of its kink, ties included.

    There, a float tie and an exact one part: ``maximum(1.0, 1.0 + x)`` at ``x = 1e-17`` is
    a tie in floating point (``1.0 + 1e-17 == 1.0``) but not for SymPy.
    """
    built = r.step_exprs()
    for step in r.steps:
        if step[0] in KINK_OPS:
            a, b = (*_eval_all([built[i] for i in step[1:]], at), 0.0)[:2]
            if abs(a - b) <= rel * max(1.0, abs(a), abs(b)):
                return True
    return False


# The case hypothesis found (issue 7): a tie after rounding; kept to prove near_a_kink skips it.
ROUNDED_TIE = Recipe(
    (("const", 1.0), ("var", "x"), ("add", 0, 1), ("maximum", 0, 2), ("const", 0.5), ("add", 4, 3))
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(min_ops=2, max_ops=8), points())
@example(ROUNDED_TIE, {"x": 1e-17, "y": 0.0, "z": 0.0})
def test_random_expressions_match_symbolic_grad(r, at):
    """All primitives, kinks included, at points away from the kinks: there a float tie and an
    exact tie part (see :func:`near_a_kink`), so graphir's documented convention at a tie
    (``test_a_tie_after_rounding_follows_the_documented_convention``) and SymPy's can differ."""
    assume(not near_a_kink(r, at))
    f = r.to_expr()
    wrt = list(gi.symbols("x y z"))
    sym = gi.symbolic_grad(f, wrt)
    fwd = gi.grad(f, wrt, mode="forward")
    rev = gi.grad(f, wrt, mode="reverse")
    s, a, b = _eval_all(sym, at), _eval_all(fwd, at), _eval_all(rev, at)
    assume(_finite(s) and _finite(a) and _finite(b))
    scale = max(1.0, *(abs(v) for v in s))
    for u, v, w in zip(s, a, b, strict=True):
        assert close(v, u, 1e-8, 1e-9 * scale), (r, s, a)
        assert close(w, u, 1e-8, 1e-9 * scale), (r, s, b)


@pytest.mark.parametrize("mode", MODES)
def test_a_tie_after_rounding_follows_the_documented_convention(mode):
    """``0.5 + maximum(1.0, 1.0 + x)`` at ``x = 1e-17``: ``1.0 + x`` rounds to ``1.0``, a tie,
    so each operand of ``maximum`` gets 1/2 (docs/derivatives.md, "Conventions at
    non-differentiable points"); SymPy, exact, says 1 there (``Heaviside(1e-17)``)."""
    f = ROUNDED_TIE.to_expr()
    x = gi.symbols("x")
    assert ROUNDED_TIE.to_text() == "(0.5 + maximum(1.0, (1.0 + x)))"
    assert 1.0 + 1e-17 == 1.0
    assert gi.diff(f, x, mode=mode).eval(x=1e-17) == 0.5
    assert gi.diff(f, x, mode=mode).eval(x=1e-3) == 1.0  # away from the tie: the larger operand
    assert gi.symbolic_grad(f, [x])[0].eval(x=1e-17) == 1.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes(min_ops=2, max_ops=6, ops=[o for o in BUILTIN if o not in KINK_OPS]), points())
def test_random_expressions_hessian_symmetric_and_matches_forward_over_forward(r, at):
    f = r.to_expr()
    wrt = list(gi.symbols("x y z"))
    H = gi.hessian(f, wrt)
    for i in range(3):
        hi = _eval_all(H[i], at)
        ff = _eval_all([gi.diff(f, wrt[i], w, mode="forward") for w in wrt], at)
        assume(_finite(hi) and _finite(ff))
        scale = max(1.0, *(abs(v) for v in ff))
        for u, v in zip(hi, ff, strict=True):
            assert close(u, v, 1e-8, 1e-9 * scale), (r, i, hi, ff)
