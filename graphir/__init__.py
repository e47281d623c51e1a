"""graphir: expressions as computation graphs, derivatives you can see.

>>> import graphir as gi
>>> x1, x2 = gi.symbols("x1 x2")
>>> f = gi.log(x1) + x1 * x2 - gi.sin(x2)
>>> round(f.eval(x1=2, x2=5), 3)
11.652
"""

from __future__ import annotations

from .build import FUNCTIONS as _FUNCTIONS
from .build import Expr, symbols, trace
from .errors import EvalError, EvalWarning, GraphError, GraphirError, ParseError, RenderError, SymbolicError
from .ir import validate as _validate_graph
from .passes.compile import lambdify
from .primitives import PRIMITIVES, register_primitive as _register

__version__ = "0.1.0"

sin = _FUNCTIONS["sin"]
cos = _FUNCTIONS["cos"]
tan = _FUNCTIONS["tan"]
asin = _FUNCTIONS["asin"]
acos = _FUNCTIONS["acos"]
atan = _FUNCTIONS["atan"]
sinh = _FUNCTIONS["sinh"]
cosh = _FUNCTIONS["cosh"]
tanh = _FUNCTIONS["tanh"]
exp = _FUNCTIONS["exp"]
log = _FUNCTIONS["log"]
sqrt = _FUNCTIONS["sqrt"]
abs = _FUNCTIONS["abs"]  # noqa: A001 - the contract names it
sigmoid = _FUNCTIONS["sigmoid"]
log1p = _FUNCTIONS["log1p"]
expm1 = _FUNCTIONS["expm1"]
pow = _FUNCTIONS["pow"]  # noqa: A001
maximum = _FUNCTIONS["maximum"]
minimum = _FUNCTIONS["minimum"]


def validate(expr: Expr) -> None:
    """Check the graph holding ``expr``; raise :class:`GraphError` saying what is wrong.

    >>> x, = symbols("x,")
    >>> validate(sin(x))
    """
    _validate_graph(expr._g)


__all__ = [
    "Expr", "symbols", "trace", "lambdify", "validate", "PRIMITIVES",
    "GraphirError", "GraphError", "ParseError", "EvalError", "EvalWarning", "SymbolicError",
    "RenderError",
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "log",
    "sqrt", "abs", "sigmoid", "log1p", "expm1", "pow", "maximum", "minimum",
]
