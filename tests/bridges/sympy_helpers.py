"""Shared helpers of the SymPy bridge tests (conversion and calculus)."""

from __future__ import annotations

import warnings
from fractions import Fraction

import sympy as sp
from hypothesis import HealthCheck, settings

import graphir as gi
from graphir.bridges.sympy_convert import symbol
from graphir.build import FUNCTIONS
from tests.strategies import EXAMPLES

X, Y, Z = gi.symbols("x y z")
SX, SY, SZ = (sp.Symbol(n, real=True) for n in "xyz")
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def apply_op(name: str, *args: object) -> gi.Expr:
    return FUNCTIONS[name](*args)


def values(e: gi.Expr, point: dict[str, float]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return e.eval(point)


def precise(s: object, point: dict[str, float]) -> float:
    subs = {symbol(k): sp.Float(v, 40) for k, v in point.items()}
    return complex(s.evalf(40, subs=subs))


def doubles_only(s: object) -> bool:
    """True when every number in ``s`` is exactly a double (or p/q of two such integers).

    SymPy sometimes makes numbers no double holds, e.g. ``log1p(0.01)`` becomes
    ``log(Rational(1.01...))`` with a 58-bit numerator; graphir keeps the nearest
    double there, so such expressions cannot come back identical.
    """
    for r in s.atoms(sp.Rational):
        if max(abs(int(r.p)), int(r.q)) > 2**53 and Fraction(float(r)) != Fraction(int(r.p), int(r.q)):
            return False
    return True


def canonical(s: sp.Basic) -> bool:
    """True when rebuilding ``s`` from its parts gives ``s`` again.

    SymPy occasionally leaves a part in a form its own constructors would not
    produce (``Abs(Abs(x)/2)`` becomes ``Abs(Abs(x))/2``, and ``Abs(Abs(x))``
    would evaluate to ``Abs(x)``); graphir rebuilds through those constructors.
    """
    if not s.args:
        return True
    return all(canonical(a) for a in s.args) and s.func(*s.args) == s
