"""The ``graphir`` command line (also ``python -m graphir``).

Each subcommand is one function registered with :func:`command` in the table
:data:`COMMANDS`, together with its arguments (shared ones such as
:data:`EXPR` and :data:`AT` are defined once here).  The frame around them
guarantees the contract of the command line: results on stdout; every error
as ONE line on stderr (``graphir: error: ...``) and a non-zero exit status,
never a traceback.

Exit status: 0 success, 1 error (bad expression, missing value, ...),
2 usage error (unknown option, malformed ``--at``), 130 interrupted.
``GRAPHIR_DEBUG=1`` in the environment re-raises unexpected exceptions
(with their traceback) instead of the one-line ``internal error``.

>>> main(["eval", "x*y + 1", "--at", "x=2,y=3"])
7.0
0
>>> parse_at("x=pi/2, y=-1e-3")
{'x': 1.5707963267948966, 'y': -0.001}
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .errors import ArgumentError, GraphirError, OutputError, RenderTooLarge
from .printing import full_number

__all__ = [
    "main",
    "command",
    "arg",
    "Arg",
    "Command",
    "COMMANDS",
    "EXPR",
    "AT",
    "UsageError",
    "parse_at",
    "point_for",
    "read_expr",
    "format_value",
]

PROG = "graphir"

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(GraphirError):
    """The command line itself is malformed (exit status 2)."""


# ------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Arg:
    """One ``add_argument`` call: its flags and keyword arguments."""

    flags: tuple[str, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


def arg(*flags: str, **kwargs: Any) -> Arg:
    """An argument of a subcommand, as given to :meth:`argparse.ArgumentParser.add_argument`.

    >>> arg("--wrt", metavar="NAMES").flags
    ('--wrt',)
    """
    return Arg(flags, kwargs)


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, an example, its arguments and its function."""

    name: str
    help: str
    example: str
    arguments: tuple[Arg, ...]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def command(
    name: str, *, help: str, example: str, arguments: Iterable[Arg] = ()
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register ``run(args) -> exit status`` as the subcommand ``name``.

    Parameters
    ----------
    name : the subcommand (``"eval"``).
    help : one line for ``graphir --help``.
    example : a complete command line shown in ``graphir NAME --help``.
    arguments : :class:`Arg` records (see :func:`arg`), added in order.

    Examples
    --------
    >>> "eval" in COMMANDS
    True
    """

    def register(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        if name in COMMANDS:
            raise ArgumentError(f"the subcommand {name!r} is registered twice")
        COMMANDS[name] = Command(name, help, example, tuple(arguments), run)
        return run

    return register


# ------------------------------------------------------------------ shared arguments

EXPR = arg(
    "expr",
    metavar="EXPR",
    help="the expression, e.g. 'ln(x1) + x1*x2 - sin(x2)' (quote it for the shell; "
    "one that starts with '-' goes after '--')",
)
AT = arg(
    "--at",
    action="append",
    metavar="NAME=VALUE,...",
    help="the point: name=value pairs separated by commas, e.g. x=2,y=pi/2 "
    "(values are numbers or constant expressions; may be repeated)",
)


AT_REQUIRED = arg(*AT.flags, **AT.kwargs, required=True)


def _split_top_level(text: str) -> list[str]:
    """Split at commas outside parentheses, so ``x=pow(2,3),y=1`` has two items."""
    items, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == "," and depth == 0:
            items.append(text[start:k])
            start = k + 1
    items.append(text[start:])
    return items


def _parse(text: str) -> Any:
    from .parser import parse

    return parse(text)


def _constant(name: str, text: str) -> float:
    try:
        e = _parse(text)
    except GraphirError as exc:
        raise UsageError(f"--at: bad value for {name}: {exc}") from None
    used = [v.name for v in e.variables]
    if used:
        raise UsageError(
            f"--at: the value of {name} must be a number or a constant expression like pi/2, "
            f"got {text.strip()!r} (it uses {', '.join(map(str, used))})"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = float(e.eval())
    if not math.isfinite(v):
        raise UsageError(f"--at: the value of {name} is not finite ({text.strip()} = {v})")
    from .arguments import unreadable_numbers

    lost = unreadable_numbers(text)
    if lost:
        _warning(f"--at: {name}={text.strip()}: {'; '.join(lost)}, so {name} is {v!r}")
    return v


def parse_at(specs: str | Sequence[str] | None) -> dict[str, float]:
    """The point written as ``name=value`` pairs separated by commas.

    Values are numbers or constant expressions (``pi/2``, ``-1e-3``,
    ``sqrt(2)``), read by :func:`graphir.parse` and evaluated; never by
    ``eval``.  Several strings (a repeated ``--at``) are merged.

    Parameters
    ----------
    specs : one string, several, or None (no point).

    Returns
    -------
    dict mapping each name to its value, in the order given.

    Raises
    ------
    UsageError
        A pair is not ``name=value``, a name is not a variable name or is
        given twice, or a value is not a finite constant.

    Examples
    --------
    >>> parse_at("x=2,y=3")
    {'x': 2.0, 'y': 3.0}
    >>> parse_at(["a=pow(2, 3)", "b = -1e-3"])
    {'a': 8.0, 'b': -0.001}
    >>> parse_at("x")
    Traceback (most recent call last):
    ...
    graphir.cli.UsageError: --at: expected name=value, got 'x'
    """
    if specs is None:
        return {}
    if isinstance(specs, str):
        specs = [specs]
    point: dict[str, float] = {}
    for spec in specs:
        for item in _split_top_level(spec):
            name, eq, value = item.partition("=")
            name = name.strip()
            if not eq or not name or not value.strip():
                raise UsageError(f"--at: expected name=value, got {item.strip()!r}")
            if not name.isidentifier():
                raise UsageError(f"--at: {name!r} is not a variable name (in {item.strip()!r})")
            if name in point:
                raise UsageError(f"--at: {name!r} is given twice")
            point[name] = _constant(name, value)
    return point


def point_for(expr: Any, specs: str | Sequence[str] | None, require_all: bool = True) -> dict[str, float]:
    """The point of ``--at`` checked against the variables of ``expr``.

    A name the expression does not use is an error (usually a typo), and so
    is a variable without a value when ``require_all``.

    Examples
    --------
    >>> import graphir as gi
    >>> point_for(gi.parse("x + y"), "y=1, x=2")
    {'y': 1.0, 'x': 2.0}
    >>> point_for(gi.parse("x + y"), "x=1")
    Traceback (most recent call last):
    ...
    graphir.errors.EvalError: no value given for variable 'y' (give one with --at y=...)
    """
    from .arguments import as_point, its_variables, variables_of
    from .errors import EvalError

    point = as_point(parse_at(specs), scalar=True)
    names = variables_of(expr)
    for name in point:
        if name not in names:
            raise ArgumentError(
                f"--at gives a value for {name!r}, which the expression does not use ({its_variables(names)})"
            )
    if require_all:
        missing = [n for n in names if n not in point]
        if len(missing) == 1:
            raise EvalError(
                f"no value given for variable {missing[0]!r} (give one with --at {missing[0]}=...)"
            )
        if missing:
            raise EvalError(
                f"no value given for variables {', '.join(map(repr, missing))} "
                f"(give them with --at {','.join(n + '=...' for n in missing)})"
            )
    return point


def read_expr(text: str) -> Any:
    """The expression of the command line (a :class:`graphir.ParseError` names the column)."""
    return _parse(text)


def format_value(v: Any) -> str:
    """A number as the shortest text that reads back exactly (:func:`graphir.printing.full_number`).

    >>> format_value(11.652071455223084), format_value(2.0)
    ('11.652071455223084', '2.0')
    """
    return full_number(v)


# ------------------------------------------------------------------ subcommands


@command(
    "eval",
    help="print the value of an expression at a point",
    example="graphir eval 'ln(x1) + x1*x2 - sin(x2)' --at x1=2,x2=5",
    arguments=(EXPR, AT),
)
def run_eval(args: argparse.Namespace) -> int:
    """``graphir eval EXPR --at ...``: the value, exact to the last digit."""
    expr = read_expr(args.expr)
    point = point_for(expr, args.at)
    print(format_value(expr.eval(point)))
    return EXIT_OK


WRT = arg(
    "--wrt",
    metavar="NAMES",
    help="variables to differentiate with respect to, separated by commas "
    "(default: all, in the order the variables were created)",
)


def read_wrt(expr: Any, text: str | None) -> list[str]:
    """The ``--wrt`` names (default: the expression's variables); a name that is not one
    of the expression's variables is an error (:func:`graphir.arguments.wrt_names`).

    >>> import graphir as gi
    >>> read_wrt(gi.parse("x*y"), "y, x")
    ['y', 'x']
    >>> read_wrt(gi.parse("x*y"), "z")
    Traceback (most recent call last):
    ...
    graphir.errors.ArgumentError: no variable named 'z' in the expression; its variables are x, y
    """
    from .arguments import wrt_names

    if not text:
        return wrt_names(expr, None)
    names = [n.strip() for n in text.split(",") if n.strip()]
    for n in names:
        if not n.isidentifier():
            raise UsageError(f"--wrt: {n!r} is not a variable name")
    if not names:
        raise UsageError("--wrt: give at least one variable name")
    return wrt_names(expr, names)


MAX_PRINTED = 20_000

SYMPY_TIMEOUT = arg(
    "--sympy-timeout",
    type=float,
    default=None,
    metavar="SECONDS",
    help="stop SymPy after SECONDS (default 5; 0 lets it run as long as it takes)",
)


def read_sympy_timeout(seconds: float | None) -> float | None:
    """The ``--sympy-timeout`` value as the ``sympy_timeout`` keyword: the default when not
    given, None (no limit) for 0.

    >>> read_sympy_timeout(None), read_sympy_timeout(0.5), read_sympy_timeout(0)
    (5.0, 0.5, None)
    """
    from .bridges.sympy_limits import DEFAULT_TIMEOUT

    if seconds is None:
        return DEFAULT_TIMEOUT
    if not seconds >= 0 or math.isinf(seconds):
        raise UsageError(f"--sympy-timeout: expected a number of seconds >= 0 (0: no limit), got {seconds}")
    return None if seconds == 0 else seconds


#: Options of the commands that draw: how a picture fits a page, and the output's name.
PAGE = (
    arg("--rankdir", choices=("LR", "TB"), default=None,
        help="the graph runs left to right (LR, default) or top to bottom (TB, for narrow pages)"),
    arg("--font-size", type=float, default=None, metavar="N",
        help="label size in points (default 12); edge and constant labels scale with it"),
    arg("--dpi", type=float, default=None, metavar="N", help="resolution of PNG pictures (default 110)"),
    arg("--name", default=None, metavar="NAME",
        help="what the pictures and text call the output (default f; e.g. L for a loss)"),
    arg("--compact", action="store_true",
        help="no node for a constant: its user's label writes it (v1 = v0^2), for small pages"),
)


def read_page(args: argparse.Namespace) -> dict[str, Any]:
    """The picture keywords (``rankdir``, ``font_size``, ``dpi``, ``name``, ``compact``) given on
    the command line; a bad value is a usage error.

    >>> read_page(argparse.Namespace(rankdir="TB", font_size=None, dpi=200.0, name=None, compact=True))
    {'rankdir': 'TB', 'dpi': 200, 'compact': True}
    """
    from .pictures.style import page

    look = {k: getattr(args, k) for k in ("rankdir", "font_size", "dpi") if getattr(args, k) is not None}
    try:
        look = {k: getattr(page(**look), k) for k in look}
    except ArgumentError as exc:
        raise UsageError(f"--{str(exc).replace('_', '-')}") from None
    if args.name is not None:
        look["name"] = args.name
    if args.compact:
        look["compact"] = True
    return look


@command(
    "diff",
    help="print the partial derivatives of an expression (forward or reverse AD, or SymPy)",
    example="graphir diff 'ln(x1) + x1*x2 - sin(x2)' --wrt x1,x2 --mode reverse --simplify",
    arguments=(
        EXPR,
        WRT,
        arg(
            "--mode",
            choices=("forward", "reverse", "symbolic"),
            default="reverse",
            help="forward or reverse graph pass, or SymPy's own derivative (default: reverse)",
        ),
        arg("--simplify", action="store_true", help="simplify each partial through SymPy"),
        arg(
            "--code",
            action="store_true",
            help="print the gradient as a Python program instead: the primal statements, then "
            "reverse mode's adjoint statements, one per chain-rule step (gi.to_python)",
        ),
        AT,
        SYMPY_TIMEOUT,
    ),
)
def run_diff(args: argparse.Namespace) -> int:
    """``graphir diff EXPR``: one line per variable, ``d/dx = ...`` (and its value with ``--at``);
    with ``--code``, the forward-and-adjoint program of the gradient."""
    import graphir as gi
    from graphir.printing import to_text

    expr = read_expr(args.expr)
    names = read_wrt(expr, args.wrt)
    if args.code:
        if args.mode != "reverse" or args.simplify or args.at:
            raise UsageError("--code writes reverse mode's program: drop --mode, --simplify and --at")
        print(gi.to_python(expr, name="f", grad=True, wrt=names), end="")
        return EXIT_OK
    point = point_for(expr, args.at) if args.at else None
    timeout = read_sympy_timeout(args.sympy_timeout)
    if args.mode == "symbolic":
        partials = gi.symbolic_grad(expr, names, sympy_timeout=timeout)
    else:
        partials = gi.grad(expr, names, mode=args.mode)
    for name, d in zip(names, partials, strict=True):
        if args.simplify:
            d = gi.simplify(d, sympy_timeout=timeout)
        text = to_text(d, limit=MAX_PRINTED)
        line = f"d/d{name} = {text}"
        if point is not None:
            line += f"  = {format_value(d.eval(point))}"
        print(line)
    return EXIT_OK


FORCE = arg(
    "--force",
    action="store_true",
    help="write into a non-empty folder graphir did not write, replacing same-named files "
    "(graphir never deletes a file it did not write)",
)


PICTURE_MODE = arg(
    "--mode",
    choices=("forward", "reverse"),
    default=None,
    help="show tangents (forward) or adjoints (reverse) on nodes and local partials on edges",
)


@command(
    "render",
    help="draw the computation graph (SVG, PNG, PDF, Mermaid or TikZ); --steps writes one frame per "
    "chain-rule step",
    example="graphir render 'ln(x1) + x1*x2 - sin(x2)' --at x1=2,x2=5 --mode reverse -o baydin.svg",
    arguments=(
        EXPR,
        AT,
        PICTURE_MODE,
        WRT,
        arg(
            "--steps",
            action="store_true",
            help="one frame per step (needs --at), plus an animated GIF and an HTML stepper; -o is a folder "
            "(with TikZ: one Beamer document, a slide per step)",
        ),
        arg(
            "-o",
            "--output",
            required=True,
            metavar="OUT",
            help="the picture (format from its suffix: .svg, .png, .pdf, .mmd for Mermaid, .tex for a TikZ "
            "document; an existing file is replaced) or, with --steps, a folder (new, empty, one graphir "
            "wrote before, or add --force)",
        ),
        arg("--format", choices=("svg", "png", "pdf", "mermaid", "tikz"), default=None,
            help="format when OUT has no suffix; with --steps, write only frames of this format "
            "(tikz: the Beamer document OUT)"),
        arg("--max-nodes", type=int, default=None, metavar="N",
            help="refuse graphs with more than N operation nodes (default 150; 0 draws any size)"),
        FORCE,
        *PAGE,
    ),
)
def run_render(args: argparse.Namespace) -> int:
    """``graphir render EXPR -o OUT``: the picture(s); prints each written path."""
    import graphir as gi

    expr = read_expr(args.expr)
    if args.steps and not args.at:
        raise UsageError("--steps needs a point: add --at name=value,...")
    point = point_for(expr, args.at) if args.at else None
    wrt = read_wrt(expr, args.wrt) if args.wrt else None
    limit: dict[str, Any] = read_page(args)
    if args.max_nodes is not None:
        limit["max_nodes"] = None if args.max_nodes <= 0 else args.max_nodes
    try:
        paths = gi.render(
            expr, args.output, at=point, mode=args.mode, steps=args.steps, format=args.format, wrt=wrt,
            overwrite=args.force, **limit,
        )
    except OutputError as exc:
        raise _with_force(exc) from None
    except RenderTooLarge as exc:
        raise RenderTooLarge(
            f"the graph has {exc.n_ops} operation nodes, more than max_nodes={exc.limit} draws readably; "
            "add --max-nodes 0 to draw it anyway, or draw a subexpression",
            exc.n_ops, exc.limit,
        ) from None
    for p in paths:
        print(p)
    return EXIT_OK


def _with_force(exc: OutputError) -> OutputError:
    """The refusal of a folder, telling the command line's option instead of the Python one."""
    return OutputError(str(exc).replace("pass overwrite=True", "add --force"), exc.folder)


@command(
    "explain",
    help="write the worked example (Markdown, pictures, trace table, chain rule, frames) to a folder",
    example="graphir explain 'ln(x1) + x1*x2 - sin(x2)' --at x1=2,x2=5 --mode reverse -o out/baydin",
    arguments=(
        EXPR,
        AT_REQUIRED,
        arg(
            "--mode",
            choices=("forward", "reverse"),
            default="reverse",
            help="the pass to explain (default: reverse)",
        ),
        WRT,
        arg("-o", "--output", required=True, metavar="OUT_DIR",
            help="the folder to write (created; if not empty, one graphir wrote before, or add --force)"),
        FORCE,
        arg("--max-nodes", type=int, default=None, metavar="N",
            help="refuse expressions with more than N operation nodes (default 2000; 0: any size)"),
        SYMPY_TIMEOUT,
        *PAGE,
    ),
)
def run_explain(args: argparse.Namespace) -> int:
    """``graphir explain EXPR --at ... -o OUT_DIR``: prints the Markdown file's path."""
    import graphir as gi

    expr = read_expr(args.expr)
    point = point_for(expr, args.at)
    wrt = read_wrt(expr, args.wrt) if args.wrt else None
    limits: dict[str, Any] = {"sympy_timeout": read_sympy_timeout(args.sympy_timeout), **read_page(args)}
    if args.max_nodes is not None:
        limits["max_nodes"] = None if args.max_nodes <= 0 else args.max_nodes
    explanation = gi.explain(expr, point, mode=args.mode, wrt=wrt, **limits)
    try:
        paths = explanation.save(args.output, overwrite=args.force)
    except OutputError as exc:
        raise _with_force(exc) from None
    markdown = [p for p in paths if str(p).endswith(".md")]
    print(markdown[0] if markdown else args.output)
    return EXIT_OK


@command(
    "compare",
    help="one table: SymPy, forward and reverse AD, and each finite-difference method at a point",
    example="graphir compare 'ln(x1) + x1*x2 - sin(x2)' --at x1=2,x2=5 --format markdown",
    arguments=(
        EXPR,
        AT_REQUIRED,
        WRT,
        arg(
            "--format",
            choices=("text", "markdown", "json"),
            default="text",
            help="a text table (default), a Markdown table or JSON",
        ),
        SYMPY_TIMEOUT,
    ),
)
def run_compare(args: argparse.Namespace) -> int:
    """``graphir compare EXPR --at ...``: the comparison table."""
    import graphir as gi

    expr = read_expr(args.expr)
    point = point_for(expr, args.at)
    wrt = read_wrt(expr, args.wrt) if args.wrt else None
    c = gi.compare(expr, point, wrt=wrt, sympy_timeout=read_sympy_timeout(args.sympy_timeout))
    print({"text": str, "markdown": lambda c: c.to_markdown(), "json": lambda c: c.to_json()}[args.format](c))
    return EXIT_OK


def read_claims(specs: Sequence[str]) -> dict[str, str]:
    """``--claim x=TEXT`` options as ``{name: text}``; a name given twice is an error."""
    claims: dict[str, str] = {}
    for spec in specs:
        name, sep, text = spec.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or not text.strip():
            raise UsageError(f"--claim: expected name=expression, got {spec!r}")
        if name in claims:
            raise UsageError(f"--claim: {name} is claimed twice")
        claims[name] = text
    return claims


def read_domains(specs: Sequence[str]) -> dict[str, Any]:
    """``--domain y=0,1`` and ``--domain n=int:1,10`` options as ``{name: domain}``.

    >>> read_domains(["y=0,1", "n=int:1,10"])
    {'y': ('real', 0.0, 1.0), 'n': ('int', 1.0, 10.0)}
    """
    from .numeric.check import read_domain

    domains: dict[str, Any] = {}
    for spec in specs:
        name, sep, text = spec.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise UsageError(f"--domain: expected NAME=LO,HI or NAME=int:LO,HI, got {spec!r}")
        if name in domains:
            raise UsageError(f"--domain: {name} is given twice")
        try:
            domains[name] = read_domain(text)
        except ValueError as exc:
            raise UsageError(f"--domain {name}: {exc}") from None
    return domains


@command(
    "check",
    help="check claimed partial derivatives (symbolically where SymPy decides, numerically always)",
    example="graphir check '(y - w*x - b)^2/2' --claim w='-(y - w*x - b)*x' --claim b='-(y - w*x - b)'",
    arguments=(
        EXPR,
        arg(
            "--claim",
            action="append",
            required=True,
            metavar="NAME=EXPR",
            help="a claimed partial derivative, e.g. x='2*(x+y)' (repeat for several variables)",
        ),
        arg(
            "--at",
            action="append",
            metavar="NAME=VALUE,...",
            help="also check at this point (first, before the sampled points)",
        ),
        arg(
            "--domain",
            action="append",
            default=[],
            metavar="NAME=LO,HI",
            help="sample NAME in the interval [LO, HI], or NAME=int:LO,HI for the integers LO..HI "
            "(repeat for several variables)",
        ),
        arg("--format", choices=("text", "json"), default="text", help="a readable report (default) or JSON"),
        SYMPY_TIMEOUT,
    ),
)
def run_check(args: argparse.Namespace) -> int:
    """``graphir check EXPR --claim x=...``: exit status 0 only when every claim holds."""
    import graphir as gi

    expr = read_expr(args.expr)
    claims = read_claims(args.claim)
    for name, text in claims.items():
        try:
            read_expr(text)
        except gi.ParseError as exc:
            raise gi.ParseError(f"--claim {name}: {exc}", exc.column, exc.expected) from None
    point = point_for(expr, args.at) if args.at else None
    domains = read_domains(args.domain)
    report = gi.check_claims(expr, claims, at=point, sympy_timeout=read_sympy_timeout(args.sympy_timeout),
                             domains=domains)
    print(report.to_json() if args.format == "json" else str(report))
    return EXIT_OK if report.ok else EXIT_ERROR


# ------------------------------------------------------------------ the frame


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors become :class:`UsageError` (one line, exit status 2)."""

    def error(self, message: str) -> NoReturn:
        hint = f"see '{self.prog} --help'"
        if "required: EXPR" in message:
            hint = f"an expression that starts with '-' goes after '--'; {hint}"
        raise UsageError(f"{' '.join(message.split())} ({hint})")


def _examples() -> str:
    lines = ["examples:"] + [f"  {c.example}" for c in COMMANDS.values()]
    lines += [
        "",
        "exit status: 0 success, 1 error, 2 usage error.",
        "Set GRAPHIR_DEBUG=1 for a traceback on an internal error.",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per entry of :data:`COMMANDS`."""
    from . import __version__

    parser = _Parser(
        prog=PROG,
        description="graphir: derivatives you can see. Expressions become computation graphs; "
        "graphir evaluates and differentiates them as graph passes.",
        epilog=_examples(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", parser_class=_Parser)
    for c in COMMANDS.values():
        p = sub.add_parser(
            c.name,
            help=c.help,
            description=c.help[:1].upper() + c.help[1:] + ".",
            epilog=f"example:\n  {c.example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        for a in c.arguments:
            p.add_argument(*a.flags, **a.kwargs)
        p.set_defaults(_run=c.run)
    return parser


def _error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {' '.join(str(message).split())}\n")
    sys.stderr.flush()


def _warning(message: str) -> None:
    """A warning on stderr, one line, every time (Python's warnings show a repeat once)."""
    sys.stderr.write(f"{PROG}: warning: {' '.join(message.split())}\n")


def _show_warning(
    message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    _warning(str(message))


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        raise UsageError(f"no command given: choose one of {', '.join(COMMANDS)} (see '{PROG} --help')")
    return args._run(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Never raises (except with ``GRAPHIR_DEBUG=1`` on an internal error):
    errors are written to stderr as one line.
    """
    debug = os.environ.get("GRAPHIR_DEBUG", "") not in ("", "0")
    old_showwarning = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        status = _run(argv)
        sys.stdout.flush()
        return status
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_ERROR)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except GraphirError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``graphir ... | head``): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        # (Only as the program: a caller's own stdout is left alone.)
        if argv is None:
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
        return EXIT_ERROR
    except OSError as exc:
        # A file or folder that cannot be written or read: the user's to fix, not a bug.
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        _error(f"cannot write or read{where} ({exc.strerror or exc})")
        return EXIT_ERROR
    except Exception as exc:
        if debug:
            raise
        _error_internal(exc)
        return EXIT_ERROR
    finally:
        warnings.showwarning = old_showwarning


def _error_internal(exc: BaseException) -> None:
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    sys.stderr.write(
        f"{PROG}: internal error: {' '.join(what.split())} (set GRAPHIR_DEBUG=1 for a traceback)\n"
    )
