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
from typing import TYPE_CHECKING, Any

from .arrays import (
    broadcast_to,
    constant,
    dot,
    logsumexp,
    matmul,
    mean,
    reshape,
    softmax,
    stack,
    sum,  # shadows the builtin, as abs does (NumPy's name)
    sum_to,
    transpose,
)
from .build import FUNCTIONS as _FUNCTIONS
from .build import Expr, symbols, trace
from .errors import (
    ArgumentError,
    EvalError,
    EvalWarning,
    GraphError,
    GraphirError,
    OutputError,
    ParseError,
    RenderError,
    RenderTooLarge,
    ShapeError,
    SymbolicError,
    SymbolicTimeout,
    SymbolicTooLarge,
)
from .ir import Graph
from .ir import validate as _validate_graph
from .parser import parse
from .passes.compile import lambdify
from .primitives import PRIMITIVES, register_primitive, unregister_primitive

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
abs = _FUNCTIONS["abs"]  # shadows the builtin on purpose: the public API (docs/index.md) names it
sigmoid = _FUNCTIONS["sigmoid"]
log1p = _FUNCTIONS["log1p"]
expm1 = _FUNCTIONS["expm1"]
pow = _FUNCTIONS["pow"]  # shadows the builtin, as abs does
maximum = _FUNCTIONS["maximum"]
minimum = _FUNCTIONS["minimum"]
sign = _FUNCTIONS["sign"]
heaviside = _FUNCTIONS["heaviside"]


def validate(expr: Expr | Graph) -> None:
    """Check the graph holding ``expr`` (or a :class:`~graphir.ir.Graph` itself);
    raise :class:`GraphError` saying what is wrong.

    >>> x, = symbols("x,")
    >>> validate(sin(x)); validate(sin(x).ir)
    """
    if isinstance(expr, Graph):
        _validate_graph(expr)
    elif isinstance(expr, Expr):
        _validate_graph(expr.ir)
    else:
        raise TypeError(f"validate takes an expression or a graph, got {type(expr).__name__}")


# Public names imported on first use: name -> module (relative to graphir).
_LAZY = {
    "from_sympy": "bridges.sympy_convert",
    "to_sympy": "bridges.sympy_convert",
    "simplify": "bridges.sympy_calculus",
    "symbolic_grad": "bridges.sympy_calculus",
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
    "scalarize": "passes.scalarize",
    "finite_difference": "numeric.finite_difference",
    "compare": "numeric.compare",
    "Comparison": "numeric.compare",
    "step_sweep": "numeric.sweep",
    "check_claims": "numeric.check",
    "check_partials": "numeric.gradcheck",
    "to_dot": "pictures.dot",
    "to_svg": "pictures.svg",
    "describe": "text.describe",
    "alt_text": "text.describe",
    "trace_table": "text.trace_table",
    "explain": "text.worked",
    "to_python": "text.code",
    # result types, for isinstance checks and annotations
    "PassResult": "passes.chain",
    "Step": "passes.chain",
    "TraceTable": "text.trace_table",
    "Explanation": "text.worked",
    "ClaimReport": "numeric.check",
    "PartialsReport": "numeric.gradcheck",
    "StepSweep": "numeric.sweep",
}

if TYPE_CHECKING:  # what __getattr__ loads on first use, spelled out for IDEs and type checkers
    from .bridges.json_io import from_json, to_json
    from .bridges.sympy_calculus import simplify, symbolic_grad
    from .bridges.sympy_convert import from_sympy, to_sympy
    from .derivatives import (
        diff,
        forward_pass,
        grad,
        hessian,
        jacobian,
        jvp,
        reverse_pass,
        value_and_grad,
        vjp,
    )
    from .numeric.check import ClaimReport, check_claims
    from .numeric.compare import Comparison, compare
    from .numeric.finite_difference import finite_difference
    from .numeric.gradcheck import PartialsReport, check_partials
    from .numeric.sweep import StepSweep, step_sweep
    from .passes.chain import PassResult, Step
    from .passes.cleanup import cleanup
    from .passes.scalarize import scalarize
    from .pictures.dot import to_dot
    from .pictures.svg import to_svg
    from .text.code import to_python
    from .text.describe import alt_text, describe
    from .text.trace_table import TraceTable, trace_table
    from .text.worked import Explanation, explain


def render(
    expr: Expr,
    path: Any,
    at: Any = None,
    mode: str | None = None,
    steps: bool = False,
    format: str | None = None,
    **kwargs: Any,
) -> Any:  # format shadows the builtin on purpose: the public API (docs/index.md) names it
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
    "unregister_primitive",
    "GraphirError",
    "ArgumentError",
    "GraphError",
    "ParseError",
    "EvalError",
    "EvalWarning",
    "SymbolicError",
    "SymbolicTooLarge",
    "SymbolicTimeout",
    "RenderError",
    "OutputError",
    "RenderTooLarge",
    "ShapeError",
    "constant",
    "matmul",
    "dot",
    "sum",
    "mean",
    "transpose",
    "reshape",
    "broadcast_to",
    "sum_to",
    "logsumexp",
    "softmax",
    "stack",
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
    "sign",
    "heaviside",
    "from_sympy",
    "to_sympy",
    "simplify",
    "symbolic_grad",
    "to_json",
    "from_json",
    "diff",
    "grad",
    "jacobian",
    "hessian",
    "jvp",
    "vjp",
    "value_and_grad",
    "forward_pass",
    "reverse_pass",
    "cleanup",
    "scalarize",
    "finite_difference",
    "compare",
    "Comparison",
    "step_sweep",
    "check_claims",
    "check_partials",
    "to_dot",
    "to_svg",
    "describe",
    "alt_text",
    "trace_table",
    "explain",
    "to_python",
    "PassResult",
    "Step",
    "TraceTable",
    "Explanation",
    "ClaimReport",
    "PartialsReport",
    "StepSweep",
]
