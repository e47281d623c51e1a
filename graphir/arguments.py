"""Reading arguments: the one place graphir decides what a ``mode``, a ``wrt`` and a point mean.

Every public function that takes ``mode=``, ``wrt=`` or ``at=`` reads it here, so
one mistake gives one exception class and one message whichever function got it:

* :class:`TypeError` when the argument is not the kind of object asked for (a
  point that is not a mapping, a number where a variable goes);
* :class:`~graphir.errors.ArgumentError` when it is, but its value cannot be
  taken (an unknown mode, a name that matches no variable, a point value that
  is not a number);
* :class:`~graphir.errors.EvalError` stays what it is everywhere: a variable
  that has no value at evaluation.

The rules:

* a variable is given as an expression (a ``var`` node) or as its name;
* ``wrt`` is one variable, a name, or a sequence of them; ``None`` means every
  variable, in the order the variables were created.  A *name* must be the name of a
  variable of the expression (a typo is an error); a variable *object* the
  expression does not use is allowed, and its derivative is 0, as in SymPy;
* a point maps variables or names to numbers or arrays (a constant expression
  counts as its value); ``scalar=True`` asks for one real number per variable.

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> wrt_names(x * y, None), wrt_names(x * y, "y"), as_point({x: 2, "y": 3}, scalar=True)
(['x', 'y'], ['y'], {'x': 2.0, 'y': 3.0})
>>> wrt_names(x * y, ["W"])
Traceback (most recent call last):
...
graphir.errors.ArgumentError: no variable named 'W' in the expression; its variables are x, y
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from . import primitives
from .build import Expr
from .errors import ArgumentError

__all__ = [
    "MODES",
    "check_mode",
    "variable_name",
    "variables_of",
    "wrt_names",
    "wrt_items",
    "forward_seeds",
    "as_point",
    "as_value",
    "as_shaped_point",
    "variable_shapes",
    "no_such_variable",
    "its_variables",
    "describe",
    "real_only_uses",
    "unreadable_numbers",
]

#: The derivative passes, as ``mode=`` names them.
MODES = ("forward", "reverse")


def check_mode(mode: Any, *, optional: bool = False) -> str | None:
    """``mode`` when it is ``"forward"`` or ``"reverse"`` (or None, when ``optional``).

    >>> check_mode("forward"), check_mode(None, optional=True)
    ('forward', None)
    >>> check_mode("sideways")
    Traceback (most recent call last):
    ...
    graphir.errors.ArgumentError: mode must be 'forward' or 'reverse', got 'sideways'
    """
    if optional and mode is None:
        return None
    if isinstance(mode, str) and mode in MODES:
        return mode
    allowed = "'forward', 'reverse' or None" if optional else "'forward' or 'reverse'"
    raise ArgumentError(f"mode must be {allowed}, got {mode!r}")


def variable_name(v: Any) -> str:
    """The name of a variable given as an expression or as its name.

    >>> import graphir as gi
    >>> variable_name(gi.symbols("x")), variable_name("x")
    ('x', 'x')
    """
    if isinstance(v, Expr):
        if v.op != "var":
            raise ArgumentError(f"expected a variable or its name, got the expression {v!r}")
        return v.name  # type: ignore[return-value]
    if isinstance(v, str):
        if not v:
            raise ArgumentError("expected a variable or its name, got the empty string")
        return v
    raise TypeError(f"expected a variable or its name, got {type(v).__name__} {v!r}")


def variables_of(exprs: Expr | Iterable[Expr]) -> list[str]:
    """Names of the variables of ``exprs``, in the order they were created (a name met
    in several graphs takes its earliest creation).

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> variables_of([y * 2, x + y])
    ['x', 'y']
    """
    stamps: dict[str, int] = {}
    for e in [exprs] if isinstance(exprs, Expr) else exprs:
        g = e.ir
        for v in e.variables:
            s = g.stamp(v.node)
            if v.name not in stamps or s < stamps[v.name]:
                stamps[v.name] = s  # type: ignore[index]
    return sorted(stamps, key=lambda n: stamps[n])


def its_variables(variables: Sequence[str]) -> str:
    """``its variables are x, y`` (or ``it has no variables``), for messages.

    >>> its_variables(["x", "y"]), its_variables([])
    ('its variables are x, y', 'it has no variables')
    """
    return f"its variables are {', '.join(variables)}" if variables else "it has no variables"


def no_such_variable(name: str, variables: Sequence[str]) -> ArgumentError:
    """The error for a name that matches no variable (most of the time, a typo).

    >>> str(no_such_variable("W", ["x", "y"]))
    "no variable named 'W' in the expression; its variables are x, y"
    """
    return ArgumentError(f"no variable named {name!r} in the expression; {its_variables(variables)}")


def _known(exprs_or_variables: Any) -> list[str]:
    """Variable names of expressions, or the names themselves when names are given."""
    if isinstance(exprs_or_variables, Expr):
        return variables_of([exprs_or_variables])
    items = list(exprs_or_variables)
    if all(isinstance(v, str) for v in items):
        return items
    return variables_of(items)


def _name_of_known(w: Any, known: Sequence[str]) -> str:
    name = variable_name(w)
    if isinstance(w, str) and name not in known:
        raise no_such_variable(name, known)
    return name


def wrt_items(wrt: Any) -> list[Any] | None:
    """``wrt`` as a list of variables and names (None stays None), for a function that
    hands the same ``wrt`` to several others: each reads it with :func:`wrt_names`,
    so an absent variable object stays a zero there, not an error.

    >>> wrt_items("x"), wrt_items(None), wrt_items(iter(["x", "y"]))
    (['x'], None, ['x', 'y'])
    """
    if wrt is None:
        return None
    if isinstance(wrt, (Expr, str)):
        return [wrt]
    if not isinstance(wrt, Iterable):
        raise TypeError(f"wrt is a variable, its name, or a sequence of them, got {type(wrt).__name__}")
    return list(wrt)


def wrt_names(exprs: Any, wrt: Any, *, unique: bool = False) -> list[str]:
    """The names of the variables ``wrt`` to differentiate ``exprs`` by.

    ``exprs`` is an expression, a sequence of them, or the list of their
    variable names.  ``wrt`` is one variable, a name, or a sequence of them;
    None gives every variable of ``exprs`` in the order they were created.  A
    name must name a variable of ``exprs`` (else :class:`ArgumentError`); a
    variable object they do not use is kept (its derivative is 0).  Repeats
    are kept in order (``diff(f, x, x)`` differentiates twice) unless
    ``unique``, which refuses them (one number per variable, as finite
    differences need).

    >>> import graphir as gi
    >>> x, y, z = gi.symbols("x y z")
    >>> wrt_names(x * y, [y, x, y]), wrt_names(["x", "y"], z)
    (['y', 'x', 'y'], ['z'])
    >>> wrt_names(x * y, "xx")
    Traceback (most recent call last):
    ...
    graphir.errors.ArgumentError: no variable named 'xx' in the expression; its variables are x, y
    """
    known = _known(exprs)
    items = wrt_items(wrt)
    if items is None:
        return known
    names = [_name_of_known(w, known) for w in items]
    if unique and len(set(names)) != len(names):
        raise ArgumentError(f"a variable is repeated in wrt: {', '.join(names)}")
    return names


def forward_seeds(variables: Any, wrt: Any) -> dict[str, Any]:
    """Forward-mode seeds, by variable name: a mapping ``wrt`` is the direction itself
    (variables or names -> tangents; missing ones are 0); otherwise the first
    variable of ``wrt`` (default: the first variable) gets tangent 1.

    ``variables`` is what :func:`wrt_names` takes first; names are checked the same way.

    >>> forward_seeds(["x1", "x2"], None), forward_seeds(["x1", "x2"], ["x2", "x1"])
    ({'x1': 1.0}, {'x2': 1.0})
    >>> forward_seeds(["x1", "x2"], {"x2": 0.5})
    {'x2': 0.5}
    """
    if isinstance(wrt, Mapping):
        known = _known(variables)
        return {_name_of_known(k, known): t for k, t in wrt.items()}
    names = wrt_names(variables, wrt)
    return {names[0]: 1.0} if names else {}


def as_value(name: str, v: Any) -> Any:
    """The value of the variable ``name`` as a NumPy float (or complex) scalar or array.

    A constant expression counts as its value.  A float or complex array is
    used as it is (no copy); passes never write into it.

    >>> float(as_value("x", 2)), as_value("x", [1, 2])
    (2.0, array([1., 2.]))
    """
    if isinstance(v, Expr):
        if v.variables:
            raise ArgumentError(f"the value of {name} must be a number, got the expression {v!r}")
        v = v.eval()
    try:
        a = np.asarray(v)
    except Exception as exc:
        raise ArgumentError(f"the value of {name} must be a number, got {describe(v)}") from exc
    if a.dtype.kind in "biuf":
        a = a.astype(float, copy=False)
    elif a.dtype.kind == "O" and a.ndim == 0 and isinstance(v, numbers.Real):
        try:  # an int past the float range (10**400), a Fraction, a Decimal...
            a = np.asarray(float(v))
        except (OverflowError, ValueError, TypeError):
            raise ArgumentError(f"the value of {name}, {describe(v)}, is too large for a float") from None
    elif a.dtype.kind != "c":
        raise ArgumentError(f"the value of {name} must be a number, got {describe(v)}")
    return a[()] if a.ndim == 0 else a


def describe(v: Any, limit: int = 60) -> str:
    """``repr(v)`` cut to about ``limit`` characters, for messages (a long integer
    says how many digits it has: Python refuses to print one past 4300 digits).

    >>> describe(10**400), describe([0.5] * 30)
    ('an integer of 401 digits', '[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0....')
    """
    if isinstance(v, int) and v.bit_length() > 4 * limit:
        if v.bit_length() < 14_000:  # str() takes up to 4300 digits
            return f"an integer of {len(str(abs(v)))} digits"
        return f"an integer of about {int(v.bit_length() * math.log10(2)) + 1} digits"
    try:
        text = repr(v)
    except Exception:  # a foreign object whose repr fails: its type says enough
        return f"a {type(v).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_point(at: Any, *, scalar: bool = False) -> dict[str, Any]:
    """A point as ``{name: value}``: ``at`` maps variables or names to numbers or arrays
    (None is the empty point).

    Without ``scalar`` the values are kept as given: evaluation reads each one
    it needs with :func:`as_value` (so a value for a variable the expression
    does not use is never looked at).  With ``scalar``, each value must be one
    real number, and comes back as a float.  Names are not checked against an
    expression: a point may hold values for variables an expression does not use.

    >>> import graphir as gi
    >>> x = gi.symbols("x")
    >>> as_point({x: 2, "y": [1, 2]}), as_point({x: 2}, scalar=True)
    ({'x': 2, 'y': [1, 2]}, {'x': 2.0})
    >>> as_point({"x": [1, 2]}, scalar=True)
    Traceback (most recent call last):
    ...
    graphir.errors.ArgumentError: the value of x must be one real number, got [1, 2]
    """
    if at is None:
        return {}
    if not isinstance(at, Mapping):
        raise TypeError(f"a point maps variables (or their names) to values, got {type(at).__name__} {at!r}")
    if not scalar:
        return {variable_name(k): v for k, v in at.items()}
    point: dict[str, Any] = {}
    for k, v in at.items():
        name = variable_name(k)
        a = as_value(name, v)
        if np.ndim(a) != 0 or np.iscomplexobj(a):
            raise ArgumentError(f"the value of {name} must be one real number, got {v!r}")
        point[name] = float(a)
    return point


def variable_shapes(expr: Any, wrt: Any = None) -> dict[str, tuple[int, ...]]:
    """Name -> shape of the variables of ``expr`` and of the variable objects in ``wrt``.

    >>> import graphir as gi
    >>> W = gi.symbols("W", shape=(2, 3)); x = gi.symbols("x")
    >>> variable_shapes(gi.sum(W) * x)
    {'W': (2, 3), 'x': ()}
    """
    out = {v.name: v.shape for v in expr.variables}
    items = wrt_items(wrt) or []
    for w in items:
        if isinstance(w, Expr) and w.ir.is_var(w.node):
            out.setdefault(w.name, w.shape)
    return out


def as_shaped_point(at: Any, shapes: Mapping[str, tuple[int, ...]]) -> dict[str, Any]:
    """A point of one value per variable: a float for a variable of no shape (and one not in
    ``shapes``), a float array of exactly its shape for a shaped one (a copy), else
    :class:`~graphir.errors.EvalError` naming the variable and both shapes.

    >>> as_shaped_point({"w": [1, 2], "x": 3}, {"w": (2,), "x": ()})
    {'w': array([1., 2.]), 'x': 3.0}
    """
    from .errors import EvalError

    raw = as_point(at)
    point: dict[str, Any] = {}
    for name, v in raw.items():
        want = shapes.get(name, ())
        if not want:
            point.update(as_point({name: v}, scalar=True))
            continue
        a = as_value(name, v)
        if np.shape(a) != want:
            raise EvalError(f"variable {name!r} has shape {want}, but its value has shape {np.shape(a)}")
        if np.iscomplexobj(a):
            raise ArgumentError(f"the value of {name} must be real numbers, got {describe(v)}")
        point[name] = np.array(a, dtype=float)
    return point


def real_only_uses(graph: Any, order: Sequence[int]) -> dict[str, str]:
    """Variable name -> the first real-only primitive (one with a ``complex_numpy``)
    its value reaches in ``order`` (topological), for the variables that reach one:
    they take real values only, whatever the complex step does inside.

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> f = gi.abs(x) * gi.sin(y)
    >>> real_only_uses(f.ir, f.order)
    {'x': 'abs'}
    """
    ops, args = graph.ops, graph.args
    below: dict[int, str] = {}  # node -> a real-only op that uses its value
    for i in reversed(order):  # users before operands
        op = ops[i]
        if not args[i]:
            continue
        real_only = op if primitives.get(op).complex_numpy is not None else below.get(i)
        if real_only is not None:
            for a in args[i]:
                below.setdefault(a, real_only)
    return {graph.params[i]: below[i] for i in order if ops[i] == "var" and i in below}


# A number as the parser reads it, not inside a name ("log1p", "x2e5").
_NUMBER = re.compile(r"(?<![A-Za-z_0-9.])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_TINY = float(np.finfo(float).tiny)  # the smallest normal double
EPS = float(np.finfo(float).eps)


def unreadable_numbers(text: str) -> list[str]:
    """What is lost reading the numbers written in ``text`` as floats, one phrase per
    number: a number that overflows to inf, or underflows to 0 or to a subnormal
    float (fewer significant digits).  Empty when every number reads fine.

    >>> for lost in unreadable_numbers("2*1e-400 + 1e400 - 1e-320 + 1e-300"):
    ...     print(lost)
    1e-400 underflows to 0
    1e400 overflows to inf
    1e-320 underflows to the subnormal 9.9998886718268301e-321 (digits are lost)
    """
    problems = []
    for m in _NUMBER.finditer(text):
        literal = m.group()
        v = float(literal)
        if math.isinf(v):
            problems.append(f"{literal} overflows to inf")
        elif v == 0.0 and any(c in "123456789" for c in literal.lower().partition("e")[0]):
            problems.append(f"{literal} underflows to 0")
        elif 0.0 < v < _TINY and abs(Fraction(v) / Fraction(literal) - 1) > EPS:
            problems.append(f"{literal} underflows to the subnormal {v:.17g} (digits are lost)")
    return problems
