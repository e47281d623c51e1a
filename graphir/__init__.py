"""graphir: expressions as computation graphs, derivatives you can see.

The core (building, evaluating, compiling) needs only NumPy and networkx and
imports fast; everything else (SymPy bridge, derivatives, finite differences,
pictures) is imported on first use.

>>> import graphir as gi
>>> x1, x2 = gi.symbols("x1 x2")
>>> f = gi.log(x1) + x1 * x2 - gi.sin(x2)
>>> round(f.eval(x1=2, x2=5), 3)
11.652
"""

from __future__ import annotations

import importlib
from typing import Any

from .build import FUNCTIONS as _FUNCTIONS
from .build import Expr, symbols, trace
from .errors import (
    EvalError,
    EvalWarning,
    GraphError,
    GraphirError,
    ParseError,
    RenderError,
    SymbolicError,
)
from .ir import validate as _validate_graph
from .parse import parse
from .passes.compile import lambdify
from .primitives import PRIMITIVES, register_primitive

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
abs = _FUNCTIONS["abs"]  # shadows the builtin: the contract names it
sigmoid = _FUNCTIONS["sigmoid"]
log1p = _FUNCTIONS["log1p"]
expm1 = _FUNCTIONS["expm1"]
pow = _FUNCTIONS["pow"]  # shadows the builtin, as abs does
maximum = _FUNCTIONS["maximum"]
minimum = _FUNCTIONS["minimum"]


def validate(expr: Expr) -> None:
    """Check the graph holding ``expr``; raise :class:`GraphError` saying what is wrong.

    >>> x, = symbols("x,")
    >>> validate(sin(x))
    """
    _validate_graph(expr.ir)


# Public names imported on first use: name -> module (relative to graphir).
_LAZY = {
    "from_sympy": "bridges.sympy_bridge",
    "to_sympy": "bridges.sympy_bridge",
    "simplify": "bridges.sympy_bridge",
    "symbolic_grad": "bridges.sympy_bridge",
    "to_json": "bridges.json_io",
    "from_json": "bridges.json_io",
    "diff": "derivatives",
    "grad": "derivatives",
    "jacobian": "derivatives",
    "hessian": "derivatives",
    "jvp": "derivatives",
    "vjp": "derivatives",
    "value_and_grad": "derivatives",
    "forward_pass": "derivatives",
    "reverse_pass": "derivatives",
    "cleanup": "passes.cleanup",
    "finite_difference": "numeric.finite_difference",
    "compare": "numeric.compare",
    "Comparison": "numeric.compare",
    "step_sweep": "numeric.sweep",
    "check_claims": "numeric.check",
    "check_partials": "numeric.gradcheck",
    "to_dot": "pictures.dot",
    "trace_table": "text.trace_table",
    "explain": "text.worked",
}


def render(
    expr: Expr,
    path: Any,
    at: Any = None,
    mode: str | None = None,
    steps: bool = False,
    format: str | None = None,
    **kwargs: Any,
) -> Any:  # format shadows the builtin: the contract names it
    """Write the graph of ``expr`` as SVG/PNG/PDF; ``steps=True`` writes one frame per chain-rule step.

    See :func:`graphir.pictures.draw.render` for every option; returns the written paths.
    """
    from .pictures.draw import render as _render

    return _render(expr, path, at=at, mode=mode, steps=steps, format=format, **kwargs)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'graphir' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Expr",
    "symbols",
    "trace",
    "parse",
    "render",
    "lambdify",
    "validate",
    "PRIMITIVES",
    "register_primitive",
    "GraphirError",
    "GraphError",
    "ParseError",
    "EvalError",
    "EvalWarning",
    "SymbolicError",
    "RenderError",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "exp",
    "log",
    "sqrt",
    "abs",
    "sigmoid",
    "log1p",
    "expm1",
    "pow",
    "maximum",
    "minimum",
    *_LAZY,
]
