"""Limits on SymPy work: a size check before it starts, a time limit while it runs.

SymPy works on trees.  A graphir expression is a DAG whose shared
subexpressions SymPy writes out (and walks, compares and simplifies) once per
use, so its tree form can be exponentially larger than the graph: 16 rounds of
``f = maximum(f*y, f+y)`` are 50 nodes and a tree of about 400,000.  SymPy also
computes exact numbers exactly: ``9**9**9`` is an integer of 370 million digits.
Both would keep SymPy busy for hours, so:

* :func:`check_size` refuses, before SymPy starts, an expression whose tree form
  has more than ``max_sympy_size`` nodes (default :data:`MAX_SYMPY_SIZE`),
  counted on the DAG in one pass that stops counting at the limit, or that holds
  an exact power of more than :data:`MAX_DIGITS` digits
  (:class:`~graphir.errors.SymbolicTooLarge`);
* :func:`time_limit` stops SymPy after ``sympy_timeout`` seconds (default
  :data:`DEFAULT_TIMEOUT`) with :class:`~graphir.errors.SymbolicTimeout`.

The time limit is a ``SIGALRM`` timer (:func:`signal.setitimer`): SymPy is plain
Python, so the signal stops it between two bytecodes, at no cost while it runs
and with no process or thread left behind.  A timer works only in the main
thread of a POSIX process: elsewhere (Windows, another thread, or while another
``ITIMER_REAL`` timer is armed, e.g. pytest-timeout's) SymPy runs without a time
limit and only the size check applies.

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> f = x
>>> for _ in range(16):
...     f = gi.maximum(f * y, f + y)
>>> tree_size(f.ir, f.node, 10**9)
393211
>>> check_size(f)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graphir.errors.SymbolicTooLarge: the expression's tree form ... has more than 20000 nodes, ...
"""

from __future__ import annotations

import math
import signal
import threading
import time
import types
from fractions import Fraction
from typing import Any

import numpy as np

from .. import primitives
from ..build import Expr
from ..errors import ArgumentError, SymbolicError, SymbolicTimeout, SymbolicTooLarge
from ..traversal import tree_size

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_SYMPY_SIZE",
    "MAX_DIGITS",
    "check_size",
    "time_limit",
    "read_timeout",
    "read_size",
    "SYMPY_FAILURES",
    "sympy_failed",
]

#: Seconds SymPy may work on one task (simplify, differentiate, decide a claim) by default.
DEFAULT_TIMEOUT = 5.0

#: Nodes of the tree form (shared subexpressions written out) SymPy is given at most, by default.
MAX_SYMPY_SIZE = 20_000

#: Digits of an exact number (``9**9**9``) SymPy is asked to compute at most.
MAX_DIGITS = 10_000

# Ops on exact SymPy numbers whose result SymPy computes exactly (other functions of numbers,
# sin(2) or exp(3), stay unevaluated and cost nothing).
_DIGITS_OPS = {"add", "sub", "mul", "div", "neg", "pow", "abs", "maximum", "minimum"}

_LARGEST_EXACT = 2.0**53  # the bridge writes integer constants up to this as SymPy Integers


def read_timeout(seconds: Any) -> float | None:
    """A ``sympy_timeout`` argument: seconds (> 0), or None for no limit.

    >>> read_timeout(2), read_timeout(None)
    (2.0, None)
    """
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float, np.integer, np.floating)):
        raise TypeError(f"sympy_timeout must be a number of seconds or None, got {type(seconds).__name__}")
    s = float(seconds)
    if not s > 0 or math.isnan(s):
        raise ArgumentError(
            f"sympy_timeout must be a positive number of seconds (or None: no limit), got {s}"
        )
    return s


def read_size(limit: Any) -> int | None:
    """A ``max_sympy_size`` argument: a positive number of nodes, or None for no limit.

    >>> read_size(100), read_size(None)
    (100, None)
    """
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)):
        raise TypeError(f"max_sympy_size must be an int or None, got {type(limit).__name__}")
    if limit < 1:
        raise ArgumentError(f"max_sympy_size must be at least 1 (or None: no limit), got {limit}")
    return int(limit)


def _exact_constant(v: float) -> tuple[float, float] | None:
    """``(value, log10 of its largest part)`` of a constant the bridge writes as an exact
    SymPy number (an Integer or a Rational), else None."""
    if not math.isfinite(v):
        return None
    if (v.is_integer() and abs(v) <= _LARGEST_EXACT) or (abs(v) < 2.0**40 and (v * 2.0**10).is_integer()):
        f = Fraction(v)
        return v, math.log10(max(abs(f.numerator), f.denominator, 1))
    return None  # a Float: SymPy rounds it to its precision, nothing grows


def _exact_result(op: str, operands: list[tuple[float, float]]) -> tuple[float, float]:
    """``(value, log10 size)`` of ``op`` on exact numbers, as SymPy would compute it."""
    if op == "pow":
        (b, size), (e, _) = operands
        grown = 0.0 if abs(b) in (0.0, 1.0) else abs(e) * size  # |p/q|**e: p**e and q**e
    elif op in ("mul", "div"):
        grown = sum(o[1] for o in operands)
    else:
        grown = max(o[1] for o in operands) + (math.log10(2.0) if op in ("add", "sub") else 0.0)
    with np.errstate(all="ignore"):
        value = float(primitives.get(op).numpy(*[o[0] for o in operands]))
    return value, grown


def _largest_exact_number(expr: Expr) -> tuple[float, int]:
    """``(log10 size, node)`` of the largest exact number SymPy would compute for ``expr``."""
    g = expr.ir
    ops, args, params = g.ops, g.args, g.params
    exact: dict[int, tuple[float, float] | None] = {}
    worst, where = 0.0, expr.node
    for i in expr.order:
        op = ops[i]
        if op == "const":
            exact[i] = _exact_constant(params[i])
            continue
        operands = [exact.get(a) for a in args[i]]
        if op not in _DIGITS_OPS or any(o is None for o in operands):
            exact[i] = None
            continue
        exact[i] = r = _exact_result(op, operands)  # type: ignore[arg-type]
        if r[1] > worst:
            worst, where = r[1], i
    return worst, where


def check_size(expr: Expr, max_sympy_size: int | None = MAX_SYMPY_SIZE) -> None:
    """Refuse (:class:`~graphir.errors.SymbolicTooLarge`) an expression too large for SymPy.

    Two checks, each linear in the graph: the tree form may have at most
    ``max_sympy_size`` nodes (None: no limit), and no exact power may have more
    than :data:`MAX_DIGITS` digits (``9**9**9`` has 370 million).

    >>> import graphir as gi
    >>> check_size(gi.parse("x*9**9**9"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphir.errors.SymbolicTooLarge: SymPy would compute 9**387420489 exactly, ... 369,693,100 digits ...
    """
    limit = read_size(max_sympy_size)
    if limit is not None:
        n = tree_size(expr.ir, expr.node, limit, sorted(expr.order))
        if n > limit:
            raise SymbolicTooLarge(
                f"the expression's tree form (shared subexpressions written out, as SymPy holds them) "
                f"has more than {limit} nodes, the limit max_sympy_size={limit} for SymPy work; pass "
                "a larger max_sympy_size= (None: no limit) or use a smaller expression",
                n, limit,
            )
    size, node = _largest_exact_number(expr)
    digits = math.floor(size) + 1 if math.isfinite(size) else math.inf
    if digits > MAX_DIGITS:
        g = expr.ir
        base, exponent = (_number_text(expr, a) for a in g.args[node][:2])
        what = f"{base}**{exponent}" if g.ops[node] == "pow" else "a number"
        shown = f"{digits:,}" if digits < 1e15 else f"{digits:.3g}"
        raise SymbolicTooLarge(
            f"SymPy would compute {what} exactly, a number of about {shown} digits "
            f"(more than MAX_DIGITS = {MAX_DIGITS} of graphir.bridges.sympy_limits); "
            "SymPy keeps integers exact, so use smaller numbers",
            int(min(digits, 2**62)), MAX_DIGITS,
        )


def _number_text(expr: Expr, node: int) -> str:
    from ..passes.evaluate import evaluate

    with np.errstate(all="ignore"):
        v = float(np.real(evaluate([Expr(expr.ir, node)], {})[0]))
    return str(int(v)) if v.is_integer() and abs(v) < 1e300 else repr(v)


#: What SymPy raises when it cannot do something (``Max(asin(8), x)``: "The argument
#: 'asin(8)' is not comparable"); graphir reports each as a SymbolicError.
SYMPY_FAILURES: tuple[type[BaseException], ...] = (
    ValueError, TypeError, ArithmeticError, NotImplementedError, AttributeError, RecursionError,
)


def sympy_failed(exc: BaseException, doing: str) -> SymbolicError:
    """The :class:`~graphir.errors.SymbolicError` to raise for SymPy's own ``exc``.

    >>> str(sympy_failed(ValueError("The argument 'asin(8)' is not comparable."), "simplifying"))
    "SymPy failed simplifying the expression: The argument 'asin(8)' is not comparable."
    """
    if isinstance(exc, RecursionError):
        return SymbolicError(f"SymPy hit the recursion limit {doing} the expression")
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return SymbolicError(f"SymPy failed {doing} the expression: {text}")


# ------------------------------------------------------------------ time limit


class _TimeUp(BaseException):
    """Raised by the timer inside SymPy; a BaseException, so SymPy's own
    ``except Exception`` clauses cannot swallow it (like KeyboardInterrupt)."""

    def __init__(self, owner: time_limit):
        super().__init__()
        self.owner = owner


# Deadlines of the active limits, innermost last (the earliest: a nested limit that would
# end later than its outer one is not armed at all).
_ACTIVE: list[time_limit] = []

_REPEAT = 0.05  # re-fire while still inside, should SymPy swallow even a BaseException


def _fire(signum: int, frame: types.FrameType | None) -> None:
    if _ACTIVE and _ACTIVE[-1].armed and time.monotonic() >= _ACTIVE[-1].deadline - 1e-3:
        raise _TimeUp(_ACTIVE[-1])


def _timer_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class time_limit:
    """Stop the SymPy work inside the ``with`` block after ``seconds``
    (:class:`~graphir.errors.SymbolicTimeout` saying ``what`` did not finish).

    ``seconds=None`` means no limit.  Limits nest: the earlier deadline wins,
    and the error names the limit that was hit.

    >>> with time_limit(5.0, "nothing"):
    ...     pass
    >>> import time
    >>> with time_limit(0.05, "sleeping"):  # doctest: +ELLIPSIS
    ...     for _ in range(100):
    ...         time.sleep(0.01)
    Traceback (most recent call last):
    ...
    graphir.errors.SymbolicTimeout: SymPy did not finish sleeping within 0.05 s; give it longer ...
    """

    def __init__(self, seconds: Any, what: str = "the task"):
        self.seconds = read_timeout(seconds)
        self.what = what
        self.deadline = math.inf
        self.armed = False
        self.previous_handler: Any = None

    def __enter__(self) -> time_limit:
        if self.seconds is None or not _timer_usable():
            return self
        now = time.monotonic()
        self.deadline = now + self.seconds
        if _ACTIVE:
            if _ACTIVE[-1].deadline <= self.deadline:
                return self  # the outer limit ends first: it alone is armed
        elif signal.getitimer(signal.ITIMER_REAL)[0] > 0:
            return self  # someone else's timer: leave it alone
        else:
            self.previous_handler = signal.signal(signal.SIGALRM, _fire)
        self.armed = True
        _ACTIVE.append(self)
        signal.setitimer(signal.ITIMER_REAL, self.seconds, _REPEAT)
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if not self.armed:
            return
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        _ACTIVE.remove(self)
        if _ACTIVE:
            remaining = max(_ACTIVE[-1].deadline - time.monotonic(), 1e-4)
            signal.setitimer(signal.ITIMER_REAL, remaining, _REPEAT)
        else:
            previous = self.previous_handler
            signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
        if isinstance(exc, _TimeUp) and exc.owner is self:
            raise SymbolicTimeout(
                f"SymPy did not finish {self.what} within {self.seconds:g} s; give it longer with "
                "sympy_timeout=SECONDS (the command line's --sympy-timeout), or None for no limit",
                self.seconds,  # type: ignore[arg-type]
            ) from None
