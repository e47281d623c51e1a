"""The exception types graphir raises.

Every error graphir raises on purpose derives from :class:`GraphirError` (and
from :class:`ValueError`), so a caller (the command line among them) can catch
them all in one place.  Besides, two builtin exceptions keep their usual
meaning: :class:`TypeError` when an argument is not the kind of Python object
asked for (a list where a mapping goes, a number where a variable goes, text
inside an expression), and :class:`KeyError` for a lookup by a key that is not
there (``comparison["nope"]``).  An argument of the right kind with a value
graphir cannot take raises :class:`ArgumentError`, whichever function got it
(:mod:`graphir.arguments` reads them all).

>>> import graphir as gi
>>> issubclass(gi.ArgumentError, gi.GraphirError), issubclass(gi.ArgumentError, ValueError)
(True, True)
"""

from __future__ import annotations

__all__ = [
    "GraphirError",
    "ArgumentError",
    "GraphError",
    "ParseError",
    "EvalError",
    "ShapeError",
    "SymbolicError",
    "SymbolicTooLarge",
    "SymbolicTimeout",
    "RenderError",
    "RenderTooLarge",
    "OutputError",
    "EvalWarning",
]


class GraphirError(Exception):
    """Base class of every error graphir raises on purpose."""


class ArgumentError(GraphirError, ValueError):
    """An argument has the right type but a value graphir cannot take: an unknown
    ``mode``, a ``wrt`` name that matches no variable, a point value that is not a
    number (see :mod:`graphir.arguments`, where every argument is read)."""


class GraphError(GraphirError, ValueError):
    """A graph or a graph document is malformed (unknown op, wrong arity, cycle...)."""


class ParseError(GraphirError, ValueError):
    """Text given to :func:`graphir.parse` is not a valid expression.

    ``column`` is 1-based (``None`` when the error has no position) and
    ``expected`` says what the parser wanted there.
    """

    def __init__(self, message: str, column: int | None = None, expected: str | None = None):
        super().__init__(message)
        self.column = column
        self.expected = expected


class EvalError(GraphirError, ValueError):
    """An expression cannot be evaluated with the values given (a missing variable...)."""


class ShapeError(GraphirError, ValueError):
    """An expression is built from operands whose shapes do not fit, or a shaped
    variable gets a value of another shape; the message names the operation and
    the shapes (``matmul: (2, 3) @ (2,): 3 != 2``)."""


class SymbolicError(GraphirError, ValueError):
    """SymPy cannot take this expression (too deeply nested, unsupported function...)."""


class SymbolicTooLarge(SymbolicError):
    """An expression is refused before SymPy starts: its tree form (shared subexpressions
    written out) has ``size`` nodes, more than ``limit`` (``max_sympy_size``), or it holds
    an exact number of ``size`` digits, more than ``limit``."""

    def __init__(self, message: str, size: int, limit: int):
        super().__init__(message)
        self.size = size
        self.limit = limit


class SymbolicTimeout(SymbolicError):
    """SymPy was stopped after ``seconds`` (``sympy_timeout``) without an answer."""

    def __init__(self, message: str, seconds: float):
        super().__init__(message)
        self.seconds = seconds


class RenderError(GraphirError, ValueError):
    """A picture cannot be drawn (graph too large, unknown format, no Graphviz...)."""


class RenderTooLarge(RenderError):
    """A graph has more operation nodes (``n_ops``) than a picture draws readably (``limit``)."""

    def __init__(self, message: str, n_ops: int, limit: int):
        super().__init__(message)
        self.n_ops = n_ops
        self.limit = limit


class OutputError(GraphirError, ValueError):
    """A folder cannot be written without touching files graphir did not write
    (see :mod:`graphir.files`); ``folder`` is the folder refused."""

    def __init__(self, message: str, folder: str | None = None):
        super().__init__(message)
        self.folder = folder


class EvalWarning(RuntimeWarning):
    """A node produced nan or inf from finite inputs (log of a negative, 1/0, overflow)."""
