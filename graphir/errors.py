"""The exception types graphir raises.

Every error graphir raises on purpose derives from :class:`GraphirError`, so a
caller (the command line among them) can catch them all in one place.
"""

from __future__ import annotations

__all__ = [
    "GraphirError",
    "GraphError",
    "ParseError",
    "EvalError",
    "SymbolicError",
    "RenderError",
    "RenderTooLarge",
    "EvalWarning",
]


class GraphirError(Exception):
    """Base class of every error graphir raises on purpose."""


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


class SymbolicError(GraphirError, ValueError):
    """SymPy cannot take this expression (too deeply nested, unsupported function...)."""


class RenderError(GraphirError, ValueError):
    """A picture cannot be drawn (graph too large, unknown format, no Graphviz...)."""


class RenderTooLarge(RenderError):
    """A graph has more operation nodes (``n_ops``) than a picture draws readably (``limit``)."""

    def __init__(self, message: str, n_ops: int, limit: int):
        super().__init__(message)
        self.n_ops = n_ops
        self.limit = limit


class EvalWarning(RuntimeWarning):
    """A node produced nan or inf from finite inputs (log of a negative, 1/0, overflow)."""
