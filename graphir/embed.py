"""Worked examples inside other people's documents: what the Sphinx directive
(:mod:`graphir.sphinxext`) and the MkDocs fence (:mod:`graphir.mkdocs`) share.

A writer gives one expression (graphir's text syntax, or Python code whose last
expression is the graph) and a few options (``at``, ``mode``, ``wrt``, ``show``,
``alt``, ``caption``, ``format``).  :func:`read_options` checks the options,
:func:`load` builds the :class:`Example` (the expression, the point, the trace
table and, when asked, the worked example), and the ``*_html`` functions write
its parts as HTML fragments, the ``*_latex`` functions as LaTeX that ``pdflatex``
compiles (names in math: ``v̄_-1`` is ``$\\bar{v}_{-1}$``).  Pictures are cached by
:func:`cached`: a file named by a hash of everything that decides its bytes, reused
without Graphviz.

>>> spec = read_options({"at": "x1=2, x2=5"}, "ln(x1) + x1*x2 - sin(x2)")
>>> spec.show, spec.mode
(('graph', 'trace'), 'reverse')
>>> ex = load(spec)
>>> ex.table.result
{'x1': 5.5, 'x2': 1.7163378145367738}
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ArgumentError, GraphirError
from .text.markup import latex_fit, markdown_html, markdown_latex
from .text.notation import marks_apart, subscript

__all__ = [
    "SHOW", "FORMATS", "Spec", "Example", "read_options", "load", "cached", "digest",
    "picture_svg", "trace_html", "chain_html", "paths_html", "compare_html", "steps_html", "figure_html",
    "latex_text", "picture_tikz", "trace_latex", "chain_latex", "paths_latex", "compare_latex",
]

#: What a directive can show, in the order the parts appear on the page.
SHOW = ("graph", "trace", "chain", "paths", "compare", "steps")
#: Picture formats: ``svg`` (inline markup) or ``png`` (an image file) for HTML pages, ``tikz``
#: (TikZ code) for LaTeX, whose default is a PDF file; another builder takes its own default.
FORMATS = ("svg", "png", "tikz")
MODES = ("forward", "reverse")
#: The option names (a directive's or a fence's).
OPTIONS = ("at", "mode", "wrt", "show", "alt", "caption", "name", "format", "python")


@dataclass(frozen=True)
class Spec:
    """One directive or fence: its content and checked options."""

    source: str
    at: str | None = None
    mode: str = "reverse"
    wrt: tuple[str, ...] = ()
    show: tuple[str, ...] = ("graph",)
    alt: str | None = None
    caption: str | None = None
    format: str = "svg"
    python: bool = False


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", text.strip()) if w]


def read_options(options: Mapping[str, Any], source: str) -> Spec:
    """The :class:`Spec` of ``source`` with ``options`` (text values, as a directive gets them).

    Raises :class:`~graphir.ArgumentError` for an unknown option or value.

    >>> read_options({"show": "graph, chain", "at": "x=1"}, "x*x").show
    ('graph', 'chain')
    >>> read_options({"mode": "sideways"}, "x")
    Traceback (most recent call last):
    ...
    graphir.errors.ArgumentError: mode: 'sideways' is not one of forward, reverse
    """
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ArgumentError(f"unknown option {unknown[0]!r}; the options are {', '.join(OPTIONS)}")
    if not source.strip():
        raise ArgumentError("no expression: write one as the content (e.g. ln(x1) + x1*x2 - sin(x2))")
    at = (options.get("at") or "").strip() or None
    mode = (options.get("mode") or "reverse").strip()
    if mode not in MODES:
        raise ArgumentError(f"mode: {mode!r} is not one of {', '.join(MODES)}")
    fmt = (options.get("format") or "svg").strip().lower()
    if fmt not in FORMATS:
        raise ArgumentError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    show_text = options.get("show")
    show = _words(show_text) if show_text else (["graph", "trace"] if at else ["graph"])
    for s in show:
        if s not in SHOW:
            raise ArgumentError(f"show: {s!r} is not one of {', '.join(SHOW)}")
    if not show:
        raise ArgumentError(f"show: give at least one of {', '.join(SHOW)}")
    python = "python" in options and options["python"] in (None, "", True, "true", "yes")
    needs_point = [s for s in show if s != "graph"]
    if needs_point and not at and not python:
        raise ArgumentError(f"show: {needs_point[0]} needs a point: give :at: (e.g. x1=2, x2=5)")
    return Spec(
        source=source.strip("\n"), at=at, mode=mode, wrt=tuple(_words(options.get("wrt") or "")),
        show=tuple(s for s in SHOW if s in show), alt=options.get("alt") or None,
        caption=options.get("caption") or None, format=fmt, python=python,
    )


@dataclass
class Example:
    """What a directive draws: the expression, and with a point its trace and worked example."""

    expr: Any
    point: dict[str, Any] | None
    mode: str | None
    wrt: Any
    table: Any = None
    explanation: Any = None
    alt: str = ""
    title: str = ""  # the writer's own alt text (else the SVG's title is graphir's)
    extra: dict[str, Any] = field(default_factory=dict)
    #: how the pictures look (``rankdir``, ``font_size``, ``compact``: an Explanation's own choice)
    look: dict[str, Any] = field(default_factory=dict)
    name: str | None = None  # the output's name in pictures (an Explanation's ``name=``)

    def picture_args(self) -> dict[str, Any]:
        """Keywords of the picture with values (or of the plain graph without a point), in the
        look the writer chose."""
        args = {k: v for k, v in self.look.items() if k != "dpi"}  # resolution: the builder's
        if self.point is None:
            return args
        return {**args, "at": self.point, "mode": self.mode, "wrt": self.wrt, "name": self.name}

    def page(self) -> Any:
        """The look as a :class:`graphir.pictures.style.Page` (for the step-by-step frames)."""
        from .pictures.style import page

        return page(**{k: v for k, v in self.look.items() if k != "dpi"})

    def point_json(self) -> str:
        """The point as JSON (arrays as nested lists), for a cache key or a document node."""
        if self.point is None:
            return "null"
        return json.dumps({k: np.asarray(v).tolist() for k, v in self.point.items()}, sort_keys=True)


def run_python(code: str, folder: str | Path | None = None) -> Any:
    """Run ``code`` in a fresh namespace (``folder`` first on ``sys.path``); the value of its
    last statement, which must be an expression.

    >>> run_python("import graphir as gi\\nx = gi.symbols('x')\\nx * x")
    x*x
    """
    tree = ast.parse(code, "<graphir directive>", "exec")
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise ArgumentError("python: the last statement must be an expression (the graph to show)")
    last = ast.Expression(tree.body.pop().value)
    namespace: dict[str, Any] = {"__name__": "__graphir_directive__"}
    added = folder is not None and str(folder) not in sys.path
    if added:
        sys.path.insert(0, str(folder))
    try:
        exec(compile(tree, "<graphir directive>", "exec"), namespace)  # the writer's own code
        return eval(compile(last, "<graphir directive>", "eval"), namespace)
    finally:
        if added:
            sys.path.remove(str(folder))


def _point(expr: Any, spec: Spec) -> dict[str, float] | None:
    if not spec.at:
        return None
    from .cli import point_for

    try:
        return point_for(expr, spec.at)
    except GraphirError as exc:  # the command line's wording, said for a document's option
        raise ArgumentError(str(exc).replace("--at ", "at ").replace("--at:", "at:")) from None


def load(spec: Spec, folder: str | Path | None = None) -> Example:
    """Build the :class:`Example` of ``spec`` (``folder``: where ``python`` code imports from).

    Raises :class:`~graphir.GraphirError` (a parse error, a bad point, ...) with graphir's message.
    """
    from .build import Expr
    from .text.trace_table import trace_table
    from .text.worked import Explanation, explain

    if spec.python:
        value = run_python(spec.source, folder)
    else:
        from .parser import parse

        value = parse(spec.source)
    if isinstance(value, Explanation):
        ex = Example(value.expr, value.point, value.mode, value.wrt, value.table, value,
                     look=dict(value.pictures), name=value.table.output_labels[0][0])
    elif isinstance(value, Expr):
        point = _point(value, spec)
        mode = spec.mode if point is not None else None
        wrt = _wrt(spec, mode)
        ex = Example(value, point, mode, wrt)
        if point is not None:
            ex.table = trace_table(value, point, mode, wrt)
            if {"chain", "paths", "compare"} & set(spec.show):
                ex.explanation = explain(value, point, mode, wrt, steps=False)
    else:
        raise ArgumentError(
            f"the graph to show must be an Expr or an Explanation, got {type(value).__name__}")
    if ex.point is None and any(s != "graph" for s in spec.show):
        need = next(s for s in spec.show if s != "graph")
        raise ArgumentError(f"show: {need} needs a point: give :at: (e.g. x1=2, x2=5)")
    if ex.table is not None and ex.point is not None and ex.wrt is None:
        ex.wrt = list(ex.table.wrt) if ex.mode == "reverse" else dict(ex.table.tangents)
    ex.alt = spec.alt or _alt(ex)
    ex.title = spec.alt or ""
    return ex


def _wrt(spec: Spec, mode: str | None) -> Any:
    if not spec.wrt:
        return None
    if mode == "forward":
        if len(spec.wrt) != 1:
            raise ArgumentError("wrt: forward mode seeds one variable; give one name")
        return spec.wrt[0]
    return list(spec.wrt)


def _alt(ex: Example) -> str:
    """Alt text: the graph in one line (:func:`graphir.text.describe.alt_text`)."""
    from .text.describe import alt_text

    if ex.point is None:
        return alt_text(ex.expr)
    return alt_text(ex.expr, ex.point, ex.mode, ex.wrt, name=ex.name)


def digest(*parts: str) -> str:
    """A short hex hash of ``parts`` and graphir's version: the name of a cached file.

    >>> len(digest("x*x", "svg")), digest("a") == digest("a"), digest("a") == digest("b")
    (16, True, False)
    """
    from . import __version__

    h = hashlib.sha256(__version__.encode("utf-8"))
    for p in parts:
        h.update(b"\0" + p.encode("utf-8"))
    return h.hexdigest()[:16]


def cached(path: str | Path, make: Callable[[], bytes]) -> bytes:
    """The bytes of ``path`` when it exists, else ``make()`` written there (whole, atomically)."""
    path = Path(path)
    if path.is_file():
        return path.read_bytes()
    data = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return data


def picture_key(ex: Example, kind: str) -> str:
    """The cache key of one picture of ``ex`` (``kind``: svg, png, pdf, steps): a hash of the
    DOT source it is drawn from, so any change to the expression or the options is a new file."""
    from .pictures.dot import to_dot

    return digest(kind, to_dot(ex.expr, **ex.picture_args()), ex.alt)


def picture_svg(ex: Example, prefix: str) -> str:
    """The accessible inline SVG of ``ex`` (:func:`graphir.to_svg`) with every id prefixed by ``prefix``."""
    from .pictures.svg import to_svg

    svg = to_svg(ex.expr, id_prefix=prefix, **ex.picture_args())
    if ex.title:  # the writer's alt text is the picture's accessible name
        title = html.escape(ex.title)
        svg = re.sub(r"(<title\b[^>]*>).*?(</title>)", lambda m: m.group(1) + title + m.group(2),
                     svg, count=1, flags=re.S)
    return svg


def trace_html(ex: Example) -> str:
    """The trace table as an HTML table."""
    return str(ex.table.to_html())


def chain_html(ex: Example) -> str:
    """The chain rule edge by edge, one line per step, as preformatted text."""
    lines = "\n".join(html.escape(s) for s in ex.explanation.chain_lines())
    return ('<div class="graphir-chain"><p><strong>The chain rule, edge by edge</strong></p>'
            f'<pre style="overflow-x:auto">{lines}</pre></div>')


def paths_html(ex: Example) -> str:
    """The sum over paths of each input (tables and sentences)."""
    body = []
    for ps in ex.explanation.path_sums:
        body += ex.explanation.paths_markdown(ps)
    return ('<div class="graphir-paths"><p><strong>Sum over paths</strong></p>'
            + markdown_html("\n".join(body)) + "</div>")


def compare_html(ex: Example) -> str:
    """The check against SymPy and finite differences."""
    return ('<div class="graphir-compare"><p><strong>Checked against SymPy and finite differences'
            "</strong></p>" + markdown_html("\n".join(ex.explanation.comparison_markdown())) + "</div>")


def steps_html(ex: Example, prefix: str) -> str:
    """The stepper of ``ex`` (:meth:`graphir.Steps.to_html`) inline, in the look the writer
    chose: controls, keys and script scoped to it, every id prefixed by ``prefix`` (give each
    stepper on a page its own), so it takes the height it needs and several share a page.
    Needs Graphviz."""
    from .pictures.steps import steps

    look = {k: v for k, v in ex.look.items() if k != "dpi"}  # resolution: PNG only
    return steps(ex.expr, ex.point, ex.mode or "reverse", ex.wrt, name=ex.name, **look).to_html(prefix)


def figure_html(picture: str, caption: str | None, ident: str | None = None) -> str:
    """A ``<figure>`` holding ``picture`` (SVG markup or an ``<img>``), with its caption."""
    idattr = f' id="{html.escape(ident, quote=True)}"' if ident else ""
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="graphir-figure"{idattr}>{picture}{cap}</figure>'


def error_text(exc: BaseException) -> str:
    """One line for an error in the writer's content: graphir's message, else the type and message."""
    if isinstance(exc, GraphirError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def example_html(ex: Example, spec: Spec, prefix: str) -> str:
    """Every part ``spec.show`` asks for as one HTML fragment (what the MkDocs fence writes):
    the picture (inline SVG, ids prefixed by ``prefix``) in a figure, then the tables and
    the stepper.  Needs Graphviz for the picture and the stepper."""
    parts = []
    if "graph" in spec.show:
        parts.append(figure_html(f'<div class="graphir-graph">{picture_svg(ex, prefix)}</div>', spec.caption))
    if "trace" in spec.show:
        parts.append(trace_html(ex))
    for kind, write in (("chain", chain_html), ("paths", paths_html), ("compare", compare_html)):
        if kind in spec.show:
            parts.append(write(ex))
    if "steps" in spec.show:
        parts.append(steps_html(ex, f"{prefix}steps-"))
    return '<div class="graphir">' + "\n".join(parts) + "</div>"


# a one-letter name with a mark and a number, as the worked example writes them: v_-1, v̄_5, x̄1
_INDEXED = re.compile("(?<![A-Za-z0-9_])([A-Za-z][\u0304\u0307]?)(?:_(-?[0-9]+)|(?<=[\u0304\u0307])([0-9]+))"
                      "(?![A-Za-z0-9_])")


def latex_text(text: str) -> str:
    r"""Text of the worked example (:meth:`graphir.Explanation.chain_lines`, its Markdown) for
    LaTeX's text mode (:func:`graphir.pictures.tikz.tex_text`), with the names of the trace
    table in math as its LaTeX writes them, so ``pdflatex`` takes it.

    >>> print(latex_text("v̄_-1 += v̄_1 · ∂v_1/∂v_-1 → x̄1 (max_1)"))
    $\bar{v}_{-1}$ += $\bar{v}_{1}$ $\cdot$ $\partial v_{1}$/$\partial v_{-1}$ $\to$ $\bar{x}_{1}$ (max\_1)
    >>> print(latex_text("\u0233 = 1, caf\u00e9"))
    $\bar{y}$ = 1, café
    """
    from .pictures.tikz import tex_text

    def sub(m: re.Match[str]) -> str:
        return m.group(1) + subscript(int(m.group(2) or m.group(3)))

    return tex_text(_INDEXED.sub(sub, marks_apart(text)))  # ȳ as y and its bar, as v̄_1 is written


def picture_tikz(ex: Example) -> str:
    """The picture of ``ex`` as a ``tikzpicture`` (:func:`graphir.to_tikz`; needs the ``tikz``
    and ``amsmath`` packages), in the look the writer chose.  Needs Graphviz."""
    from .pictures.tikz import to_tikz

    args = {k: v for k, v in ex.picture_args().items() if k not in ("font_size", "dpi")}
    return to_tikz(ex.expr, **args)


def _fit_center(body: str) -> str:
    return f"\\begin{{center}}\\small\\setlength{{\\tabcolsep}}{{3pt}}\n{latex_fit(body)}\n\\end{{center}}\n"


def _titled(title: str, body: str) -> str:
    # kept with what follows where the package is loaded (Sphinx's LaTeX loads needspace)
    return (f"\\par\\ifdefined\\needspace\\needspace{{6\\baselineskip}}\\fi\\medskip\\noindent"
            f"\\textbf{{{title}}}\\par\\nopagebreak\n{body}")


_SECTION_ROW = re.compile(r"\\hline\\text\{([^}]*)\}((?: &)+) \\\\")


def trace_latex(ex: Example) -> str:
    """The trace table as a LaTeX ``array`` (:meth:`graphir.TraceTable.to_latex`, each section's
    title across the row, rows spaced for the fractions), scaled down to the line's width
    when wider."""
    array = _SECTION_ROW.sub(lambda m: f"\\hline\\multicolumn{{{m.group(2).count('&') + 1}}}{{l}}"
                             f"{{\\text{{{m.group(1)}}}}} \\\\", ex.table.to_latex())
    return _fit_center("\\renewcommand{\\arraystretch}{1.3}$" + array + "$")


def chain_latex(ex: Example) -> str:
    """The chain rule edge by edge as a ``tabular``, one row per step (:meth:`chain_rows`)."""
    rows = ex.explanation.chain_rows()
    used = [j for j in range(len(rows[0])) if any(r[j] for r in rows)] if rows else []
    lines = [" & ".join(latex_text(r[j]) for j in used) + " \\\\" for r in rows]
    table = "\\begin{tabular}{" + "l" * len(used) + "}\n" + "\n".join(lines) + "\n\\end{tabular}"
    return _titled("The chain rule, edge by edge", _fit_center(table))


def paths_latex(ex: Example) -> str:
    """The sum over paths of each input (tables and sentences) as LaTeX."""
    body = [s for ps in ex.explanation.path_sums for s in ex.explanation.paths_markdown(ps)]
    return _titled("Sum over paths", markdown_latex("\n".join(body), latex_text))


def compare_latex(ex: Example) -> str:
    """The check against SymPy and finite differences as LaTeX."""
    return _titled("Checked against SymPy and finite differences",
                   markdown_latex("\n".join(ex.explanation.comparison_markdown()), latex_text))
