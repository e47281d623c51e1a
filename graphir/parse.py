"""Safe text input: a small operator-precedence parser with a whitelist.

The text is split into tokens (numbers, names, ``+ - * / ** ^ ( ) ,``) and
parsed by shunting-yard with explicit stacks: no recursion (a 10^5-term sum or
deeply nested parentheses are fine), and nothing ever reaches ``eval``,
``exec``, ``sympify`` or ``parse_expr``.  Names are variables, except ``pi``
and ``e`` (constants) and the functions of the registry (``ln`` = ``log``).
Anything else (attributes, strings, subscripts, lambdas, keywords...) is a
:class:`~graphir.errors.ParseError` with a 1-based column and what was expected.

Why not Python's ``ast``: its tokenizer limits nesting to 200 parentheses,
gives ``^`` the precedence of xor, and its error messages speak of Python,
not of formulas.  The grammar is Python's for the operators it shares
(``-x**2`` is ``-(x**2)``, ``**`` is right-associative).

>>> from graphir.parse import parse
>>> str(parse("ln(x1) + x1*x2 - sin(x2)"))
'log(x1) + x1*x2 - sin(x2)'
>>> str(parse("2^x^2"))
'2**x**2'
"""

from __future__ import annotations

import math
import re
from typing import Any

from . import primitives
from .build import Expr
from .errors import ParseError
from .ir import Graph

__all__ = ["parse"]

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>\*\*|[-+*/^(),])
    """,
    re.VERBOSE,
)

_CONSTANTS = {"pi": math.pi, "e": math.e}

_FORBIDDEN_CHARS = {
    ".": "attribute access is not allowed",
    "[": "subscripts and lists are not allowed",
    "]": "subscripts and lists are not allowed",
    "{": "sets and dicts are not allowed",
    "}": "sets and dicts are not allowed",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "=": "assignments and keyword arguments are not allowed",
    ":": "':' (lambdas, slices, annotations) is not allowed",
    ";": "more than one statement is not allowed",
    "@": "'@' is not allowed",
    "%": "'%' is not allowed",
    "<": "comparisons are not allowed",
    ">": "comparisons are not allowed",
    "!": "'!' is not allowed",
    "&": "'&' is not allowed",
    "|": "'|' is not allowed",
    "~": "'~' is not allowed",
    "#": "comments are not allowed",
    "\\": "backslashes are not allowed",
    "`": "backticks are not allowed",
}

_KEYWORDS = {
    "lambda": "lambda is not allowed",
    "for": "comprehensions ('for') are not allowed",
    "in": "'in' is not allowed",
    "if": "conditionals ('if') are not allowed",
    "else": "conditionals ('else') are not allowed",
    "import": "'import' is not allowed",
    "and": "'and' is not allowed",
    "or": "'or' is not allowed",
    "not": "'not' is not allowed",
    "is": "'is' is not allowed",
    "None": "'None' is not allowed",
    "True": "'True' is not allowed",
    "False": "'False' is not allowed",
    "await": "'await' is not allowed",
    "yield": "'yield' is not allowed",
}

def _function_names() -> dict[str, str]:
    names = {}
    for p in primitives.PRIMITIVES.values():
        if p.is_infix:
            continue
        names[p.name] = p.name
        for a in p.aliases:
            names[a] = p.name
    # pow is infix but also a function: pow(x, y), power(x, y)
    for a in ("pow", *primitives.PRIMITIVES["pow"].aliases):
        names[a] = "pow"
    return names


# binary operator -> (primitive, precedence, right associative)
_BINARY = {
    "+": ("add", 1, False),
    "-": ("sub", 1, False),
    "*": ("mul", 2, False),
    "/": ("div", 2, False),
    "**": ("pow", 4, True),
    "^": ("pow", 4, True),
}
_UNARY_PREC = 3


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, column) for every token, then ("end", "", column)."""
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            out.append(("bad", text[pos], pos + 1))
            pos += 1
            continue
        kind = m.lastgroup
        if kind != "space":
            out.append((kind, m.group(), pos + 1))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


def _describe(tok: tuple[str, str, int]) -> str:
    return "the end of the text" if tok[0] == "end" else repr(tok[1])


def parse(text: str) -> Expr:
    """The expression written in ``text``.

    ``^`` or ``**`` for power, ``ln`` = ``log``, ``pi`` and ``e``, numbers like
    ``1e-3``; the functions of :data:`graphir.PRIMITIVES` by name.

    >>> parse("x^2 + 1e-3").eval(x=2)
    4.001
    >>> parse("sin(")
    Traceback (most recent call last):
    ...
    graphir.errors.ParseError: expected an expression at column 5, found the end of the text
    """
    if not isinstance(text, str):
        raise ParseError(f"parse takes text, got {type(text).__name__}")
    funcs = _function_names()
    toks = _tokens(text)
    graph = Graph()
    out: list[int] = []  # operand stack (node ids)
    # operator stack: ("bin", symbol, col) | ("neg"/"pos", col, before_a_number) | ("paren", col)
    # | ("call", fname, col, nargs)
    ops: list[list[Any]] = []
    expect_operand = True

    def reduce_top() -> None:
        top = ops.pop()
        if top[0] == "bin":
            b = out.pop()
            a = out.pop()
            out.append(graph.apply(_BINARY[top[1]][0], a, b))
        elif top[0] == "neg":
            # "-2" is the constant -2 (as in Python and SymPy), but "-(2)" and
            # "-2**x" keep their neg node: fold only a minus written right
            # before a number literal whose node it applies to.
            a = out.pop()
            v = graph.const_value(a)
            out.append(graph.const(-v) if top[2] and v is not None else graph.apply("neg", a))

    def close_group(col: int) -> None:
        while ops and ops[-1][0] not in ("paren", "call"):
            reduce_top()
        if not ops:
            raise ParseError(f"unmatched ')' at column {col}", col, "an operator or the end of the text")
        top = ops.pop()
        if top[0] == "call":
            _, fname, fcol, nargs = top
            prim = primitives.get(funcs[fname])
            if nargs != prim.arity:
                raise ParseError(
                    f"{fname} takes {prim.arity} argument{'s' if prim.arity > 1 else ''}, "
                    f"got {nargs} (column {fcol})",
                    fcol,
                    f"{prim.arity} arguments",
                )
            operands = out[len(out) - nargs :]
            del out[len(out) - nargs :]
            out.append(graph.apply(prim.name, *operands))

    k = 0
    while True:
        kind, tok, col = toks[k]
        if kind == "bad":
            why = _FORBIDDEN_CHARS.get(tok, f"the character {tok!r} is not allowed")
            raise ParseError(f"{why} (column {col})", col, "an expression")
        if expect_operand:
            if kind == "number":
                out.append(graph.const(float(tok)))
                expect_operand = False
            elif kind == "name":
                if tok in _KEYWORDS:
                    raise ParseError(f"{_KEYWORDS[tok]} (column {col})", col, "an expression")
                if toks[k + 1][1] == "(":
                    if tok not in funcs:
                        hint = "" if tok.startswith("_") else f" (for a product write {tok}*(...))"
                        raise ParseError(
                            f"unknown function {tok!r} at column {col}{hint}", col, "a known function"
                        )
                    ops.append(["call", tok, col, 1])
                    k += 2
                    if toks[k][1] == ")":
                        raise ParseError(
                            f"expected an expression at column {toks[k][2]}, found ')'",
                            toks[k][2],
                            "an expression",
                        )
                    continue
                if tok in funcs and tok not in _CONSTANTS:
                    raise ParseError(
                        f"function {tok!r} at column {col} needs its arguments in parentheses",
                        col,
                        "'('",
                    )
                if tok.startswith("__"):
                    raise ParseError(
                        f"the name {tok!r} is not allowed (column {col})", col, "a variable name"
                    )
                out.append(graph.const(_CONSTANTS[tok]) if tok in _CONSTANTS else graph.var(tok))
                expect_operand = False
            elif tok in ("-", "+"):
                ops.append(["neg" if tok == "-" else "pos", col, toks[k + 1][0] == "number"])
            elif tok == "(":
                ops.append(["paren", col])
            else:
                raise ParseError(
                    f"expected an expression at column {col}, found {_describe(toks[k])}",
                    col,
                    "an expression",
                )
        else:
            if tok in _BINARY:
                _, prec, right = _BINARY[tok]
                while ops:
                    top = ops[-1]
                    if top[0] == "bin":
                        tprec = _BINARY[top[1]][1]
                    elif top[0] in ("neg", "pos"):
                        tprec = _UNARY_PREC
                    else:
                        break
                    if tprec > prec or (tprec == prec and not right):
                        reduce_top()
                    else:
                        break
                ops.append(["bin", tok, col])
                expect_operand = True
            elif tok == ")":
                close_group(col)
            elif tok == ",":
                while ops and ops[-1][0] not in ("paren", "call"):
                    reduce_top()
                if not ops or ops[-1][0] != "call":
                    raise ParseError(f"',' outside a function call at column {col}", col, "an operator")
                ops[-1][3] += 1
                expect_operand = True
            elif kind == "end":
                while ops:
                    if ops[-1][0] in ("paren", "call"):
                        ocol = ops[-1][2] if ops[-1][0] == "call" else ops[-1][1]
                        raise ParseError(
                            f"expected ')' at column {col} to close the '(' opened at column {ocol}",
                            col,
                            "')'",
                        )
                    reduce_top()
                break
            else:
                hint = " (write the product with '*')" if kind in ("name", "number") or tok == "(" else ""
                raise ParseError(
                    f"expected an operator at column {col}, found {_describe(toks[k])}{hint}",
                    col,
                    "an operator",
                )
        k += 1
    (root,) = out
    return Expr(graph, root)
