"""Safe text input: a small operator-precedence parser with a whitelist.

The text is split into tokens (numbers, names, the operators of the
registry ``+ - * / ** ^``, and ``( ) ,``) and parsed by shunting-yard with
explicit stacks: no recursion (a 10^5-term sum or deeply nested parentheses are
fine), and nothing ever reaches ``eval``, ``exec``, ``sympify`` or
``parse_expr``.  Names are variables, except the constants ``pi``, ``e``,
``inf`` and ``nan`` (``Inf``, ``NaN``, ``Infinity``: any spelling Python's
``float`` reads) and the functions of the registry (``ln`` = ``log``).  A minus
written right before a number or ``inf``/``nan`` is part of that constant
(``-2``, ``-inf``), as in Python and SymPy.  Each operator's symbols,
precedence and associativity are read from its record
(:attr:`~graphir.primitives.Primitive.infix`, ``prec``, ``assoc``).
Anything else (attributes, strings, subscripts, lambdas, keywords...) is a
:class:`~graphir.errors.ParseError` with a 1-based column and what was expected.

Why not Python's ``ast``: its tokenizer limits nesting to 200 parentheses,
gives ``^`` the precedence of xor, and its error messages speak of Python,
not of formulas.  The grammar is Python's for the operators it shares
(``-x**2`` is ``-(x**2)``, ``**`` is right-associative).

>>> from graphir.parser import parse
>>> str(parse("ln(x1) + x1*x2 - sin(x2)"))
'log(x1) + x1*x2 - sin(x2)'
>>> str(parse("2^x^2"))
'2**x**2'

The *let form* that printing writes when a long subexpression repeats is read too:
``formula where s1 = ...; s2 = ...`` names each subexpression once (``where`` is a
keyword only right after an operand, so it stays a valid variable name elsewhere).
Each name may be used in the formula and in the definitions after its own.

>>> str(parse("s1*s1 + cos(s1) where s1 = sin(x*y + 0.5)"))
's1*s1 + cos(s1) where s1 = sin(x*y + 0.5)'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from . import primitives
from .build import Expr
from .errors import ParseError
from .ir import Graph
from .primitives import Primitive

__all__ = ["parse"]

_TOKEN = r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>{symbols}|[(),])
"""

_CONSTANTS = {"pi": math.pi, "e": math.e}
# Written as numbers by printing (and by Python's repr); read in any case, as float() does.
_SPECIAL_NUMBERS = {"inf": math.inf, "infinity": math.inf, "nan": math.nan}


def _constant(name: str) -> float | None:
    """The value of a name that is a constant (``pi``, ``e``, ``inf``, ``NaN``...), else None."""
    v = _CONSTANTS.get(name)
    return v if v is not None else _SPECIAL_NUMBERS.get(name.lower())


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

def _operators() -> tuple[dict[str, Primitive], dict[str, Primitive]]:
    """The binary and the prefix operators of the registry, by symbol."""
    binary: dict[str, Primitive] = {}
    prefix: dict[str, Primitive] = {}
    for p in primitives.PRIMITIVES.values():
        for symbol in p.infix:
            (binary if p.arity == 2 else prefix)[symbol] = p
    return binary, prefix


# A prefix "+" changes nothing; it binds like the prefix operators of the registry.
_PLUS = "+"


class _Token(NamedTuple):
    kind: str  # "number", "name", "op", "bad" (a character no token starts with) or "end"
    text: str
    col: int  # 1-based


def _is_literal(tok: _Token) -> bool:
    """A number, or a name like ``inf`` that is written as a number (a minus before it folds)."""
    return tok.kind == "number" or (tok.kind == "name" and tok.text.lower() in _SPECIAL_NUMBERS)


@lru_cache(maxsize=8)
def _token_pattern(symbols: frozenset[str]) -> re.Pattern[str]:
    longest_first = sorted(symbols, key=lambda s: (-len(s), s))
    return re.compile(_TOKEN.format(symbols="|".join(map(re.escape, longest_first))), re.VERBOSE)


def _tokens(text: str, symbols: frozenset[str]) -> list[_Token]:
    """Every token with its column, then ``("end", "", column)``."""
    pattern = _token_pattern(symbols)
    out = []
    pos = 0
    while pos < len(text):
        m = pattern.match(text, pos)
        if m is None:
            out.append(_Token("bad", text[pos], pos + 1))
            pos += 1
            continue
        kind = m.lastgroup
        if kind != "space":
            out.append(_Token(kind, m.group(), pos + 1))
        pos = m.end()
    out.append(_Token("end", "", len(text) + 1))
    return out


def _describe(tok: _Token) -> str:
    return "the end of the text" if tok.kind == "end" else repr(tok.text)


@dataclass(slots=True)
class _Pending:
    """An entry of the operator stack: an operator waiting for its operands, an open
    parenthesis, or a call collecting its arguments."""

    kind: str  # "binary", "prefix", "paren" or "call"
    col: int
    symbol: str = ""  # as written: "-", "^", or a function's name or alias
    record: Primitive | None = None  # None for a prefix "+" and for "paren"
    before_number: bool = False  # a prefix operator written right before a number literal
    nargs: int = 1  # arguments of a call so far

    @property
    def prec(self) -> int:
        return self.record.prec if self.record is not None else primitives.UNARY


class _Parser:
    """Shunting-yard over the tokens: operands go to ``out`` as node ids, operators
    wait on ``ops`` until an operator that binds less tightly, a ``)``, a ``,`` or
    the end reduces them."""

    def __init__(self, text: str) -> None:
        self.functions = primitives.call_names()
        self.binary, self.prefix = _operators()
        self.tokens = _tokens(text, frozenset(self.binary) | frozenset(self.prefix) | {_PLUS})
        self.k = 0  # the current token
        self.graph = Graph()
        self.out: list[int] = []
        self.ops: list[_Pending] = []
        self.bindings: dict[str, int] = {}  # the names of a where clause -> their nodes

    def run(self) -> Expr:
        where = _where_keyword(self.tokens)
        if where is None:
            return Expr(self.graph, self.expression())
        tokens = self.tokens
        definitions = _definitions(tokens[where + 1 :])
        bound = {name.text for name, _ in definitions}
        for tok, after in zip(tokens, tokens[1:], strict=False):
            # variables are created in the order the text first names them
            if tok.kind == "name" and tok.text not in bound and self.is_variable(tok, after):
                self.graph.var(tok.text)
        for name, body in definitions:
            self.tokens, self.k = body, 0
            self.bindings[name.text] = self.expression()
        self.tokens, self.k = [*tokens[:where], _Token("end", "", tokens[where].col)], 0
        return Expr(self.graph, self.expression())

    def is_variable(self, tok: _Token, after: _Token) -> bool:
        """A name token that :meth:`name` reads as a variable."""
        return (
            after.text != "(" and _constant(tok.text) is None and tok.text not in self.functions
            and tok.text not in _KEYWORDS and tok.text != "where" and not tok.text.startswith("__")
        )

    def expression(self) -> int:
        """Parse ``self.tokens`` from ``self.k`` up to its end token: the node written."""
        expect_operand = True
        while True:
            tok = self.tokens[self.k]
            if tok.kind == "bad":
                why = _FORBIDDEN_CHARS.get(tok.text, f"the character {tok.text!r} is not allowed")
                raise ParseError(f"{why} (column {tok.col})", tok.col, "an expression")
            if expect_operand:
                expect_operand = self.operand(tok)
            elif tok.kind == "end":
                self.finish(tok.col)
                break
            else:
                expect_operand = self.operator(tok)
            self.k += 1
        (root,) = self.out
        self.out.clear()
        return root

    # ------------------------------------------------------------ where an operand is expected

    def operand(self, tok: _Token) -> bool:
        """Read a token where an operand is expected; True while one still is."""
        if tok.kind == "number":
            self.out.append(self.graph.const(float(tok.text)))
            return False
        if tok.kind == "name":
            return self.name(tok)
        if tok.kind == "op" and (tok.text in self.prefix or tok.text == _PLUS):
            before_number = _is_literal(self.tokens[self.k + 1])
            self.ops.append(_Pending("prefix", tok.col, tok.text, self.prefix.get(tok.text), before_number))
            return True
        if tok.text == "(":
            self.ops.append(_Pending("paren", tok.col))
            return True
        raise ParseError(
            f"expected an expression at column {tok.col}, found {_describe(tok)}",
            tok.col,
            "an expression",
        )

    def name(self, tok: _Token) -> bool:
        """A variable, a constant, or the start of a call (True: an argument is expected)."""
        name, col = tok.text, tok.col
        if name in _KEYWORDS:
            raise ParseError(f"{_KEYWORDS[name]} (column {col})", col, "an expression")
        if self.tokens[self.k + 1].text == "(":
            self.open_call(tok)
            return True
        value = _constant(name)
        if name in self.functions and value is None:
            raise ParseError(
                f"function {name!r} at column {col} needs its arguments in parentheses", col, "'('"
            )
        if name.startswith("__"):
            raise ParseError(f"the name {name!r} is not allowed (column {col})", col, "a variable name")
        g = self.graph
        bound = self.bindings.get(name)
        if bound is not None:
            self.out.append(bound)
        else:
            self.out.append(g.var(name) if value is None else g.const(value))
        return False

    def open_call(self, tok: _Token) -> None:
        if tok.text not in self.functions:
            hint = "" if tok.text.startswith("_") else f" (for a product write {tok.text}*(...))"
            raise ParseError(
                f"unknown function {tok.text!r} at column {tok.col}{hint}", tok.col, "a known function"
            )
        record = primitives.get(self.functions[tok.text])
        self.ops.append(_Pending("call", tok.col, tok.text, record))
        self.k += 1  # the "(" (run() steps over it)
        after = self.tokens[self.k + 1]
        if after.text == ")":
            raise ParseError(
                f"expected an expression at column {after.col}, found ')'", after.col, "an expression"
            )

    # ------------------------------------------------------------ where an operator is expected

    def operator(self, tok: _Token) -> bool:
        """Read a token after an operand; True when an operand must follow."""
        if tok.kind == "op" and tok.text in self.binary:
            record = self.binary[tok.text]
            while self.ops and self.reduces_before(self.ops[-1], record):
                self.reduce_top()
            self.ops.append(_Pending("binary", tok.col, tok.text, record))
            return True
        if tok.text == ")":
            self.close_group(tok.col)
            return False
        if tok.text == ",":
            self.next_argument(tok.col)
            return True
        hint = " (write the product with '*')" if tok.kind in ("name", "number") or tok.text == "(" else ""
        raise ParseError(
            f"expected an operator at column {tok.col}, found {_describe(tok)}{hint}",
            tok.col,
            "an operator",
        )

    @staticmethod
    def reduces_before(top: _Pending, incoming: Primitive) -> bool:
        """The operator on top of the stack takes its operands before ``incoming`` does."""
        if top.kind not in ("binary", "prefix"):
            return False
        return top.prec > incoming.prec or (top.prec == incoming.prec and incoming.assoc != "right")

    def reduce_top(self) -> None:
        top = self.ops.pop()
        if top.record is None:  # a prefix "+"
            return
        if top.kind == "binary":
            b = self.out.pop()
            a = self.out.pop()
            self.out.append(self.graph.apply(top.record.name, a, b))
            return
        # "-2" and "-inf" are the constants -2 and -inf (as in Python and SymPy), but
        # "-(2)" and "-2**x" keep their neg node: fold only a minus written right
        # before a number literal (or inf, nan) whose node it applies to.
        a = self.out.pop()
        v = self.graph.const_value(a)
        if top.symbol == "-" and top.before_number and v is not None:
            self.out.append(self.graph.const(-v))
        else:
            self.out.append(self.graph.apply(top.record.name, a))

    def reduce_group(self) -> None:
        """Reduce every operator back to the innermost open parenthesis or call."""
        while self.ops and self.ops[-1].kind not in ("paren", "call"):
            self.reduce_top()

    def close_group(self, col: int) -> None:
        self.reduce_group()
        if not self.ops:
            raise ParseError(f"unmatched ')' at column {col}", col, "an operator or the end of the text")
        top = self.ops.pop()
        if top.kind != "call":
            return
        prim = top.record
        assert prim is not None
        if top.nargs != prim.arity:
            raise ParseError(
                f"{top.symbol} takes {prim.arity} argument{'s' if prim.arity > 1 else ''}, "
                f"got {top.nargs} (column {top.col})",
                top.col,
                f"{prim.arity} arguments",
            )
        operands = self.out[len(self.out) - top.nargs :]
        del self.out[len(self.out) - top.nargs :]
        self.out.append(self.graph.apply(prim.name, *operands))

    def next_argument(self, col: int) -> None:
        self.reduce_group()
        if not self.ops or self.ops[-1].kind != "call":
            raise ParseError(f"',' outside a function call at column {col}", col, "an operator")
        self.ops[-1].nargs += 1

    def finish(self, col: int) -> None:
        while self.ops:
            top = self.ops[-1]
            if top.kind in ("paren", "call"):
                raise ParseError(
                    f"expected ')' at column {col} to close the '(' opened at column {top.col}",
                    col,
                    "')'",
                )
            self.reduce_top()


def _where_keyword(tokens: list[_Token]) -> int | None:
    """Index of the ``where`` that starts a let form's definitions: the name ``where``
    right after an operand (a number, a name or a ``)``), else None."""
    for k in range(1, len(tokens)):
        tok, before = tokens[k], tokens[k - 1]
        if tok.kind == "name" and tok.text == "where" and (
            before.kind in ("number", "name") or before.text == ")"
        ):
            return k
    return None


def _definitions(tokens: list[_Token]) -> list[tuple[_Token, list[_Token]]]:
    """The definitions ``name = expression`` of a where clause, separated by ``;``: each
    name with the tokens of its expression (ended by an end token)."""
    out: list[tuple[_Token, list[_Token]]] = []
    seen: set[str] = set()
    start = 0
    for k, tok in enumerate(tokens):
        if tok.kind == "end" or (tok.kind == "bad" and tok.text == ";"):
            part = tokens[start:k]
            end = _Token("end", "", tok.col)
            if len(part) < 3 or part[0].kind != "name" or part[1].text != "=":
                col = part[0].col if part else tok.col
                raise ParseError(
                    f"expected a definition 'name = expression' at column {col} after 'where'",
                    col,
                    "a definition",
                )
            name = part[0]
            if name.text in seen or name.text in _KEYWORDS or _constant(name.text) is not None:
                raise ParseError(
                    f"the name {name.text!r} cannot be defined at column {name.col} "
                    "(defined twice, or a keyword or constant)",
                    name.col,
                    "a new name",
                )
            seen.add(name.text)
            out.append((name, [*part[2:], end]))
            start = k + 1
    return out


def parse(text: str) -> Expr:
    """The expression written in ``text``.

    ``^`` or ``**`` for power, ``ln`` = ``log``, the constants ``pi``, ``e``,
    ``inf`` and ``nan`` (also ``Inf``, ``NaN``, ``Infinity``), numbers like ``1e-3``;
    the functions of :data:`graphir.PRIMITIVES` by name; the let form
    ``formula where s1 = ...; s2 = ...`` that :func:`graphir.printing.to_text` writes
    for repeated subexpressions.

    >>> parse("x^2 + 1e-3").eval(x=2)
    4.001
    >>> parse("maximum(x, -inf)").eval(x=2)
    2.0
    >>> parse("sin(")
    Traceback (most recent call last):
    ...
    graphir.errors.ParseError: expected an expression at column 5, found the end of the text
    """
    if not isinstance(text, str):
        raise ParseError(f"parse takes text, got {type(text).__name__}")
    return _Parser(text).run()
