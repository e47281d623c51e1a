"""Hypothesis strategies for graphir tests: random expressions and points.

A random expression is drawn as a :class:`Recipe`: a short straight-line
program (SSA form) whose steps are ``("var", name)``, ``("const", value)`` or
``(op, i, j, ...)`` with ``i, j`` indices of earlier steps; the last step is
the result.  Steps may be reused, so recipes describe DAGs with shared
subexpressions.  A recipe can be built three independent ways:

* :meth:`Recipe.to_expr` with graphir's operators and functions (``x + y``,
  ``gi.sin(x)``), the way a user writes it;
* :meth:`Recipe.to_text`, fully parenthesised text for :func:`graphir.parse`;
* :meth:`Recipe.to_sympy`, a SymPy expression built from the registry's
  ``sympy`` builders on ``sympy.Symbol(name, real=True)``.

Every built-in primitive of :data:`graphir.PRIMITIVES` is used.  Operands are
kept inside each primitive's domain (``log``, ``sqrt`` and the base of ``pow``
get ``abs(a) + 0.5`` or ``1 + a*a``; ``asin``/``acos``/``tan`` get
``0.5*sin(a)`` or ``0.75*tanh(a)``; ``log1p`` gets ``a*a`` or ``abs(a)``; a
divisor is positive), so most points give finite values.  Overflow (``exp``
of ``exp``) can still give inf: skip non-finite values.

Typical use::

    from hypothesis import given
    from tests.strategies import recipes, points

    @given(recipes(), points())
    def test_something(r, p):
        f = r.to_expr()
        ...

Everything here is iterative; recipes are small (``max_ops`` operations).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

import graphir as gi
from graphir import primitives

__all__ = [
    "EXAMPLES",
    "Recipe",
    "recipes",
    "expressions",
    "points",
    "builtin_ops",
    "VARIABLES",
    "CONSTANTS",
    "WILD_CONSTANTS",
    "KINK_OPS",
    "wild_recipes",
    "wild_points",
]

VARIABLES: tuple[str, ...] = ("x", "y", "z")

# Examples per property test; raise it to fuzz longer: GRAPHIR_EXAMPLES=2000 pytest ...
EXAMPLES: int = int(os.environ.get("GRAPHIR_EXAMPLES", "80"))

# Constants leaves are drawn from: integers, dyadic fractions (exact in SymPy as
# Rational), a non-dyadic float (0.1 becomes a SymPy Float), pi and negatives.
CONSTANTS: tuple[float, ...] = (0.5, 1.0, 2.0, 3.0, 0.25, 1.5, 0.1, -1.0, -2.5, math.pi)

# Constants that stress printing and parsing: infinities, nan, signed zeros, the largest,
# smallest and subnormal floats, numbers Python writes with an exponent, pi and e and their
# negatives, and other negatives (which go into every position of a wild recipe).
WILD_CONSTANTS: tuple[float, ...] = (
    *CONSTANTS,
    math.inf, -math.inf, math.nan, 0.0, -0.0,
    1.7976931348623157e308, -1.7976931348623157e308, 1e300, 1e16, 1e22, 123456789012345680.0,
    2.2250738585072014e-308, 5e-324, -5e-324, 1e-5, -1e-7,
    math.e, -math.pi, -math.e, 1 / 3, -2.0, -0.5, -3.0,
)

# Ops whose value or derivative has a kink or a jump; pass ``ops=`` to leave them out.
KINK_OPS: frozenset[str] = frozenset({"abs", "maximum", "minimum", "sign", "heaviside"})


def builtin_ops() -> list[str]:
    """Names of the built-in elementwise primitives (user-registered ones and array operations
    left out), in registry order."""
    return [name for name, p in primitives.PRIMITIVES.items() if not p.user and p.elementwise]


Step = tuple[Any, ...]


@dataclass(frozen=True)
class Recipe:
    """A random expression as a straight-line program; the last step is the result.

    >>> r = Recipe((("var", "x"), ("const", 2.0), ("mul", 0, 1), ("sin", 2)))
    >>> r.to_text()
    'sin((x * 2.0))'
    >>> r.to_expr().eval(x=0.25)  # doctest: +ELLIPSIS
    0.479...
    """

    steps: tuple[Step, ...]

    # ------------------------------------------------------------ builders
    def to_expr(self) -> gi.Expr:
        """Build with graphir's operators (``+ - * / **``, unary ``-``) and functions."""
        return self.step_exprs()[-1]

    def step_exprs(self) -> list[gi.Expr]:
        """The expression of every step, built as :meth:`to_expr` builds them (the last is the result)."""
        from graphir.build import FUNCTIONS, as_expr

        built: list[Any] = []
        for step in self.steps:
            kind = step[0]
            if kind == "var":
                built.append(gi.symbols(step[1] + ",")[0])
            elif kind == "const":
                built.append(as_expr(step[1]))
            else:
                a = [built[i] for i in step[1:]]
                op_fn = _OPERATORS.get(kind)
                built.append(op_fn(*a) if op_fn else FUNCTIONS[kind](*a))
        return built

    def to_text(self) -> str:
        """Fully parenthesised text for :func:`graphir.parse` (same graph as :meth:`to_expr`)."""
        text: list[str] = []
        for step in self.steps:
            kind = step[0]
            if kind == "var":
                text.append(step[1])
            elif kind == "const":
                text.append(_const_text(step[1]))
            else:
                a = [text[i] for i in step[1:]]
                sym = _INFIX.get(kind)
                if kind == "neg":
                    text.append(f"(-{a[0]})")
                elif sym:
                    text.append(f"({a[0]} {sym} {a[1]})")
                else:
                    text.append(f"{kind}({', '.join(a)})")
        return text[-1]

    def to_sympy(self) -> Any:
        """The SymPy expression, from the registry's builders on real symbols."""
        import sympy as sp

        built: list[Any] = []
        for step in self.steps:
            kind = step[0]
            if kind == "var":
                built.append(sp.Symbol(step[1], real=True))
            elif kind == "const":
                built.append(_const_sympy(sp, step[1]))
            else:
                built.append(primitives.PRIMITIVES[kind].sympy(sp, *[built[i] for i in step[1:]]))
        return built[-1]

    # ------------------------------------------------------------ facts
    @property
    def ops(self) -> set[str]:
        """The primitives this recipe uses."""
        return {s[0] for s in self.steps if s[0] not in ("var", "const")}

    @property
    def variables(self) -> list[str]:
        """Names of the variables the result depends on, in order of their steps."""
        used = {len(self.steps) - 1}
        for i in range(len(self.steps) - 1, -1, -1):
            if i in used and self.steps[i][0] not in ("var", "const"):
                used.update(self.steps[i][1:])
        return [s[1] for i, s in enumerate(self.steps) if s[0] == "var" and i in used]

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return f"Recipe({self.to_text()!r})"


_OPERATORS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "neg": lambda a: -a,
}
_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def _const_text(v: float) -> str:
    if v == math.pi:
        return "pi"
    if v == math.e:
        return "e"
    s = repr(float(v))
    return f"({s})" if v < 0 else s


def _const_sympy(sp: Any, v: float) -> Any:
    if v == math.pi:
        return sp.pi
    if v == math.e:
        return sp.E
    if v == int(v):
        return sp.Integer(int(v))
    if (v * 1024).is_integer():
        return sp.Rational(v)  # exact binary fraction
    return sp.Float(v, precision=53)


# ---------------------------------------------------------------- drawing

# Wrappers keep an operand a inside a domain; each is a list of steps where
# "a" stands for the operand and ints (>= 0) for the wrapper's own earlier steps.
_WRAPPERS: dict[str, list[list[tuple[Any, ...]]]] = {
    "real": [[]],
    "nonzero": [[]],  # sign, heaviside, abs: any value is fine for evaluation
    "positive": [
        [("abs", "a"), ("const", 0.5), ("add", 0, 1)],  # abs(a) + 0.5
        [("mul", "a", "a"), ("const", 1.0), ("add", 1, 0)],  # 1 + a*a
    ],
    "unit": [
        [("sin", "a"), ("const", 0.5), ("mul", 1, 0)],  # 0.5*sin(a)
        [("tanh", "a"), ("const", 0.75), ("mul", 1, 0)],  # 0.75*tanh(a)
    ],
    "gt-1": [
        [("mul", "a", "a")],  # a*a
        [("abs", "a")],  # abs(a)
    ],
}
# The divisor of div must stay away from 0, not merely be nonzero.
_DIVISOR = "positive"


@st.composite
def recipes(
    draw: Any,
    max_ops: int = 6,
    ops: Sequence[str] | None = None,
    variables: Sequence[str] = VARIABLES,
    constants: Sequence[float] = CONSTANTS,
    min_ops: int = 1,
    wild: bool = False,
) -> Recipe:
    """A random :class:`Recipe` with ``min_ops`` to ``max_ops`` primitive applications
    (not counting the domain wrappers) over ``variables``.

    ``ops`` restricts the primitives (default: every built-in one, see
    :func:`builtin_ops`); wrappers may still use ``abs``, ``add``, ``mul``,
    ``sin`` and ``tanh`` to keep operands in their domains.

    ``wild=True`` (see :func:`wild_recipes`) drops the domain wrappers, draws
    constants as often as variables, and lets ``neg`` apply to constants and to
    ``neg`` itself: values may be nan or infinite, and :meth:`Recipe.to_text`
    then no longer reads back to the same graph (use :meth:`Recipe.to_expr`).
    """
    names = list(ops) if ops is not None else builtin_ops()
    steps: list[Step] = []
    index: dict[Step, int] = {}

    def add(step: Step) -> int:
        # Intern steps like the graph does, so recipes stay small and readable.
        if step not in index:
            index[step] = len(steps)
            steps.append(step)
        return index[step]

    def leaf() -> int:
        if draw(st.integers(0, 1 if wild else 3)) > 0 or not constants:  # mostly variables
            return add(("var", draw(st.sampled_from(list(variables)))))
        return add(("const", float(draw(st.sampled_from(list(constants))))))

    def operand(domain: str) -> int:
        # An earlier step (favouring recent ones) or a new leaf.
        if steps and draw(st.integers(0, 2)) > 0:
            k = draw(st.integers(0, len(steps) - 1))
            a = len(steps) - 1 - min(k, draw(st.integers(0, len(steps) - 1)))
        else:
            a = leaf()
        wrapper = draw(st.sampled_from(_WRAPPERS["real" if wild else domain]))
        local: list[int] = []
        for w in wrapper:
            if w[0] == "const":
                local.append(add(w))
            else:
                local.append(add((w[0], *[a if r == "a" else local[r] for r in w[1:]])))
        return local[-1] if local else a

    n_ops = draw(st.integers(min_ops, max_ops))
    for _ in range(n_ops):
        name = draw(st.sampled_from(names))
        p = primitives.PRIMITIVES[name]
        domains = list(p.domain)
        if name == "div":
            domains = ["real", _DIVISOR]
        args = [operand(domains[k] if k < len(domains) else "real") for k in range(p.arity)]
        if name == "neg" and wild:
            for _ in range(draw(st.integers(0, 3))):  # a chain of minus signs
                args = [add(("neg", *args))]
        elif name == "neg" and steps[args[0]][0] == "const":
            # parse folds -2 into the constant -2: negate variables only, so that
            # to_text() parses back to exactly the graph to_expr() builds.
            args = [add(("var", draw(st.sampled_from(list(variables)))))]
        add((name, *args))
    if not steps:
        leaf()
    return Recipe(tuple(steps))


def wild_recipes(max_ops: int = 8, **kwargs: Any) -> st.SearchStrategy[Recipe]:
    """Recipes with no domain guards over :data:`WILD_CONSTANTS`: nan, infinities, signed
    zeros, extreme and negative constants in every position, powers of negatives, chains of
    unary minus.  Build them with :meth:`Recipe.to_expr` (their text may fold ``-(2)``).

    >>> from hypothesis import find
    >>> r = find(wild_recipes(), lambda r: "inf" in str(r.to_expr()))
    >>> "inf" in str(r.to_expr())
    True
    """
    kwargs.setdefault("constants", WILD_CONSTANTS)
    return recipes(max_ops=max_ops, wild=True, **kwargs)


def expressions(max_leaves: int = 6, **kwargs: Any) -> st.SearchStrategy[gi.Expr]:
    """Random graphir expressions (built with operators); ``max_leaves`` bounds the
    number of primitive applications drawn (see :func:`recipes` for the options)."""
    return recipes(max_ops=max_leaves, **kwargs).map(Recipe.to_expr)


def points(
    names: Sequence[str] = VARIABLES,
    low: float = -3.0,
    high: float = 3.0,
) -> st.SearchStrategy[dict[str, float]]:
    """A point: dict name -> float in ``[low, high]`` (no nan, no subnormals)."""
    value = st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return st.fixed_dictionaries({n: value for n in names})


def wild_points(names: Sequence[str] = VARIABLES) -> st.SearchStrategy[dict[str, float]]:
    """A point whose values may be any float: nan, infinities, subnormals, signed zeros, huge."""
    value = st.one_of(st.floats(), st.sampled_from(WILD_CONSTANTS), st.floats(-3.0, 3.0))
    return st.fixed_dictionaries({n: value for n in names})
