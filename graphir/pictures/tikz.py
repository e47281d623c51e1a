r"""TikZ code of an expression's computation graph, laid out by Graphviz, with LaTeX labels.

The nodes sit where ``dot`` puts them in the Graphviz picture (one ``dot -Tjson0`` run on
the DOT text :func:`graphir.to_dot` writes), the edges follow its splines and their labels
its label positions; every label is LaTeX (``v_{1} = \ln{\left(v_{-1} \right)}``, values,
tangents and adjoints, the local partials and contributions on the edges).

* ``to_tikz(expr)``: a ``tikzpicture`` to ``\input`` into a document that loads
  ``tikz`` and ``amsmath`` (the colours are defined inside the picture);
* ``standalone=True``: a whole document that ``pdflatex`` compiles, its page cropped to
  the picture (``article`` and ``tikz`` only: Debian's ``texlive-latex-base`` and
  ``texlive-pictures``; the ``standalone`` class is in ``texlive-latex-extra``);
* ``overlay=True``: a Beamer frame with one slide per frame of
  :func:`graphir.pictures.frames.build_frames` (the primal pass node by node, the seed,
  one slide per chain-rule step, the result), each with its caption; with
  ``standalone=True`` a whole ``beamer`` document.

Names a user gives (variables, ``expr.named(...)``, ``name=``) are escaped for LaTeX.

>>> import graphir as gi
>>> code = to_tikz(gi.parse("ln(x)"), at={"x": 2})  # doctest: +SKIP
>>> "v_{1} = \\ln{\\left(v_{0} \\right)}" in code  # doctest: +SKIP
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ArgumentError
from ..printing import display_number, latex_name, node_text, pi_or_e
from ..text.notation import FROM_SUBSCRIPT, GREEK, latex_array, mark_latex, marks_apart, shape_text, vlatex
from . import style
from .dot import write_dot
from .graphviz import run_graphviz
from .labels import contribution_text, edge_texts, flow_text, has_arrays, plain, static_looks, steps_by_edge
from .model import Picture, prepared

__all__ = ["to_tikz", "tex_text", "tex_name"]

_TEXT_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_GREEK_NAME = {ch: name for name, ch in GREEK.items()}
_SUBSCRIPTS = FROM_SUBSCRIPT
_SYMBOLS = {"−": "$-$", "·": "$\\cdot$", "×": "$\\times$", "∂": "$\\partial$", "√": "$\\surd$",
            "ᵀ": "$^{\\top}$", "…": "\\dots{}", "≈": "$\\approx$",
            "→": "$\\to$", "∞": "$\\infty$"}
_MARKED = re.compile("(.)([\u0304\u0307])")
_COMMAND_END = re.compile(r"\\[A-Za-z]+$")


def tex_text(text: str, math: Mapping[str, str] | None = None) -> str:
    r"""``text`` for LaTeX's text mode: its special characters escaped, Greek letters,
    symbols and subscripts written as math, neighbouring math in one group (``v̄₋₁`` is
    ``$\bar{v}_{-1}$``); other characters are left to the engine: pdflatex knows Latin
    letters, lualatex and xelatex any script.  ``math`` maps characters (placeholders)
    to math-mode LaTeX written in their place.

    >>> print(tex_text("a_b & 100% #1 {x} ~ ^ \\ <θ₁>"))
    a\_b \& 100\% \#1 \{x\} \~{} \^{} \textbackslash{} \textless{}$\theta_{1}$\textgreater{}
    >>> print(tex_text("ō · ḣ"))
    $\bar{o}$ $\cdot$ $\dot{h}$
    >>> print(tex_text("v̄₋₁ = v̄₃ · ∂v₃/∂v₋₁ = 1 · (-0.5)"))
    $\bar{v}_{-1}$ = $\bar{v}_{3}$ $\cdot$ $\partial v_{3}$/$\partial v_{-1}$ = 1 $\cdot$ ($-$0.5)
    """
    if not text:
        return ""
    tokens: list[list[str]] = []  # [kind, body]: kind "text", "math" or "sub" (math: a subscript)
    chars = _MARKED.sub(lambda m: m.group(1) + ("\x01" if m.group(2) == "\u0304" else "\x02"),
                        marks_apart(text))
    for ch, next_ch in zip(chars, [*chars[1:], ""], strict=True):
        if math and ch in math:
            tokens.append(["math", math[ch]])
        elif ch in "\x01\x02" and tokens:
            accent = "bar" if ch == "\x01" else "dot"
            tokens[-1] = ["math", f"\\{accent}{{{tokens[-1][1]}}}"]
        elif ch in _SUBSCRIPTS and tokens and tokens[-1][0] == "sub":
            tokens[-1][1] = tokens[-1][1][:-1] + _SUBSCRIPTS[ch] + "}"
        elif ch in _SUBSCRIPTS:
            if tokens and tokens[-1][0] == "text" and tokens[-1][1].isascii() and tokens[-1][1].isalpha():
                tokens[-1][0] = "math"  # v₃: the v of the picture's v_{3}
            tokens.append(["sub", f"_{{{_SUBSCRIPTS[ch]}}}"])
        elif ch == "-" and next_ch.isdigit() and not (tokens and tokens[-1][1][-1:].isalnum()):
            tokens.append(["math", "-"])  # a minus sign, not a hyphen
        elif ch in _SYMBOLS:
            symbol = _SYMBOLS[ch]
            tokens.append(["math", symbol[1:-1]] if symbol.startswith("$") else ["text", symbol])
        elif ch in _TEXT_SPECIAL:
            tokens.append(["text", _TEXT_SPECIAL[ch]])
        elif ch in _GREEK_NAME:
            tokens.append(["math", f"\\{_GREEK_NAME[ch]}"])
        else:
            tokens.append(["text", ch])
    out = []
    for n, (kind, body) in enumerate(tokens):
        math = kind != "text"
        before = n > 0 and tokens[n - 1][0] != "text"
        after = n + 1 < len(tokens) and tokens[n + 1][0] != "text"
        if before and math and _COMMAND_END.search(tokens[n - 1][1]) and body[:1].isalpha():
            body = " " + body  # \partial v, not \partialv
        out.append(("" if before or not math else "$") + body + ("" if after or not math else "$"))
    return "".join(out)


def tex_name(text: str, kind: str = "primal") -> str:
    r"""A name a user gave (variable, display name, output) in math mode, with the mark of
    ``kind``: an ASCII identifier as a variable (``x1`` -> ``x_{1}``), other text in
    ``\text{}``, escaped.

    >>> tex_name("x1"), tex_name("x1", "adjoint"), tex_name("a&b", "adjoint")
    ('x_{1}', '\\bar{x}_{1}', '\\overline{\\text{a\\&b}}')
    """
    if text.isascii() and text.isidentifier():
        return latex_name(text) if kind == "primal" else mark_latex(text, kind)
    body = f"\\text{{{tex_text(text)}}}"
    if kind == "primal":
        return body
    return f"\\{'overline' if kind == 'adjoint' else 'dot'}{{{body}}}"


def tex_number(v: Any) -> str:
    """A value as the pictures write it, in math mode (an array as a ``bmatrix``)."""
    if np.ndim(v):
        return latex_array(v)
    return _math(display_number(v))


def _math(text: str) -> str:
    """A text of numbers and operators (``1 · (-1) = -1``) in math mode."""
    for a, b in (("·", r"\cdot"), ("×", r"\times"), ("−", "-"), ("-inf", r"-\infty"), ("inf", r"\infty"),
                 ("nan", r"\mathrm{nan}")):
        text = text.replace(a, b)
    return text


class _Tex:
    """The LaTeX of a picture's names, formulas and label lines."""

    def __init__(self, pic: Picture):
        self.pic = pic
        g = pic.graph
        self.names = {i: self.name(i) for i in pic.num}
        for i in pic.nodes:
            if pic.kind[i] == "data":
                self.names[i] = tex_name(g.params[i].name or "array")

    def name(self, i: int, kind: str = "primal") -> str:
        shown = self.pic.graph.display_names.get(i)
        return vlatex(self.pic.num[i], kind) if shown is None else tex_name(shown, kind)

    def expr(self, i: int) -> str:
        g = self.pic.graph
        if i in self.names:
            return self.names[i]
        if g.ops[i] == "const":
            return self.const(g.params[i])
        return node_text(g, i, self.names, latex=True, limit=120)

    @staticmethod
    def const(v: float) -> str:
        name = pi_or_e(v)
        return ("\\pi" if name == "pi" else "e") if name else _math(display_number(v))

    def name_line(self, i: int) -> str:
        pic, g = self.pic, self.pic.graph
        if pic.kind[i] == "const":
            return f"${self.const(g.params[i])}$"
        head = self.names[i]
        if pic.kind[i] in ("op", "output"):
            head += " = " + node_text(g, i, self.names, latex=True, limit=120)
        shape = shape_text(g.shapes[i])
        if not shape:
            return f"${head}$"
        return f"${head}$ \\textcolor{{gimuted}}{{$({_math(shape)})$}}"

    def value_line(self, i: int) -> str | None:
        pic, g = self.pic, self.pic.graph
        if pic.kind[i] == "data":
            return f"${latex_array(g.params[i].array)}$"
        if pic.kind[i] == "input":
            var = tex_name(g.params[i])
            return f"${var}$" if pic.at is None else f"${var} = {tex_number(pic.values[i])}$"
        if pic.kind[i] == "const" or pic.at is None:
            return None
        return f"$= {tex_number(pic.values[i])}$"

    def deriv_line(self, i: int, value: Any = None) -> str:
        pic = self.pic
        lhs = self.name(i, pic.deriv_kind)
        if pic.at is None:
            d = pic.deriv_node(i)
            return f"${lhs} = {'0' if d is None else self.expr(d)}$"
        if value is None:
            d = pic.deriv_node(i)
            value = 0.0 if d is None else pic.values[d]
        return f"${lhs} = {tex_number(value)}$"

    def partial_line(self, e: Any) -> str:
        pic = self.pic
        assert e.partial is not None
        head = f"\\partial {self.names[e.dst]}/\\partial {self.names[e.src]}"
        formula = self.expr(e.partial)
        text = f"{head} = {formula}"
        if pic.at is not None:
            value = tex_number(pic.values[e.partial])
            text = text if formula == value else f"{text} = {value}"
        rep = f" \\text{{ (operand {e.operand + 1})}}" if e.repeated else ""
        return f"${text}${rep}"

    def rule(self, e: Any) -> str:
        """The rule of an array op's edge (:func:`~graphir.pictures.labels.flow_text`) with
        LaTeX names: ``$\\bar{v}_{3}$ $\\cdot$ $h^{\\top}$``."""
        names: dict[str, str] = {}

        def name(i: int, kind: str) -> str:
            mark = chr(0xE000 + len(names))  # a placeholder tex_text writes as the name
            names[mark] = self.expr(i) if kind == "primal" else self.name(i, kind)
            return mark

        return tex_text(flow_text(self.pic, e, name), names)

    def contribution_line(self, s: Any) -> str:
        pic = self.pic
        e = next(e for e in pic.edges if (e.dst, e.operand) == (s.node, s.operand))
        if has_arrays(pic, e):  # the rule, as the Graphviz picture writes it, and its value
            return f"{self.rule(e)} $= {tex_number(pic.values[s.contribution])}$"
        return f"${_math(contribution_text(pic, s))}$"


@dataclass
class _Layout:
    nodes: dict[int, tuple[float, float]]
    edges: list[tuple[list[tuple[float, float]], tuple[float, float] | None]]
    bb: tuple[float, float, float, float]
    extra: dict[str, Any] = field(default_factory=dict)


def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")[-2:]
    return float(x), float(y)


def graphviz_layout(pic: Picture, page: style.Page, partials: bool) -> _Layout:
    """Node centres, edge splines and edge label positions (points) of the Graphviz picture."""
    looks, elooks = static_looks(pic, partials)
    source = write_dot(pic, looks, elooks, None, page=page)  # no key under it: TikZ draws none
    data = json.loads(run_graphviz(["dot", "-Tjson0"], source.encode("utf-8")).decode("utf-8"))
    by_name = {o["name"]: o for o in data.get("objects", [])}
    nodes = {i: _point(by_name[str(pic.dot_id(i))]["pos"]) for i in pic.nodes}
    by_id = {e["id"]: e for e in data.get("edges", [])}
    edges = []
    for e in pic.edges:
        d = by_id[e.id]
        points = [_point(t) for t in d["pos"].split() if not t.startswith(("s,", "e,"))]
        edges.append((points, _point(d["lp"]) if "lp" in d else None))
    bb = tuple(float(x) for x in data["bb"].split(","))
    return _Layout(nodes, edges, bb)  # type: ignore[arg-type]


_STYLES = {
    "input": "gnode, rounded corners=9bp, draw=givarb, fill=givarf",
    "op": "gnode, rounded corners=3bp, draw=giopb, fill=giopf",
    "output": "gnode, rounded corners=3bp, draw=gioutb, fill=gioutf, double, double distance=1.2bp",
    "const": "gnode, draw=giconstb, fill=giconstf, font=\\scriptsize",
    "data": "gnode, rounded corners=3bp, draw=gidatab, fill=gidataf",
}
_COLOR_NAMES = {"input": "givar", "op": "giop", "output": "giout", "const": "giconst", "data": "gidata"}


def _preamble_lines(pic: Picture) -> list[str]:
    out = []
    for kind, stem in _COLOR_NAMES.items():
        fill, border = style.COLORS[kind]
        out.append(f"\\definecolor{{{stem}f}}{{HTML}}{{{fill[1:].upper()}}}")
        out.append(f"\\definecolor{{{stem}b}}{{HTML}}{{{border[1:].upper()}}}")
    for name, key in (("gideriv", pic.deriv_kind if pic.mode else "adjoint"), ("giedge", "edge"),
                      ("gimuted", "muted"), ("gipartial", "partial"), ("gicurf", "current_fill"),
                      ("gicurb", "current_border")):
        out.append(f"\\definecolor{{{name}}}{{HTML}}{{{style.COLORS[key][1:].upper()}}}")
    return out


def _coord(p: tuple[float, float]) -> str:
    return f"({p[0]:.1f},{p[1]:.1f})"


def _path(src: str, dst: str, points: list[tuple[float, float]]) -> str:
    """A Graphviz B-spline (``p0 c c p1 c c p2 ...``) from node ``src`` to node ``dst``."""
    parts = [f"({src})"]
    for k in range(1, len(points) - 1, 3):
        end = f"({dst})" if k + 2 >= len(points) - 1 else _coord(points[k + 2])
        parts.append(f".. controls {_coord(points[k])} and {_coord(points[k + 1])} .. {end}")
    if len(parts) == 1:
        parts.append(f"-- ({dst})")
    return " ".join(parts)


def _node_text(lines: list[str]) -> str:
    return "\\\\".join(lines) if lines else "{}"


def write_tikz(pic: Picture, layout: _Layout, partials: bool, slides: _Slides | None = None) -> str:
    """The ``tikzpicture`` of ``pic`` at ``layout``; with ``slides``, Beamer overlays."""
    tex = _Tex(pic)
    out = ["\\begin{tikzpicture}[x=1bp, y=1bp, font=\\normalsize,",
           "  gnode/.style={align=center, inner sep=2.5bp, line width=0.6bp},",
           *[f"  {k}/.style={{{v}}}," for k, v in _STYLES.items()],
           "  gedge/.style={draw=giedge, line width=0.5bp, -{>[scale=0.9]}},",
           "  glabel/.style={align=center, font=\\footnotesize, inner sep=1bp},"]
    out.append("]")
    out.extend(_preamble_lines(pic))
    for i in pic.nodes:
        lines = slides.node_lines(i) if slides is not None else _static_node_lines(pic, tex, i)
        extra = slides.node_style(i) if slides is not None else ""
        out.append(f"\\node[{pic.kind[i]}{extra}] (n{pic.dot_id(i)}) at {_coord(layout.nodes[i])} "
                   f"{{{_node_text(lines)}}};")
    looks, elooks = static_looks(pic, partials)
    steps = steps_by_edge(pic)
    for k, (e, look) in enumerate(zip(pic.edges, elooks, strict=True)):
        points, lp = layout.edges[k]
        opts = "gedge"
        if look.style == "dashed":
            opts += ", draw=giconstb, dashed"
        if look.dir == "back":
            opts += ", <-"
        if slides is not None:
            opts += slides.edge_style(k)
        out.append(f"\\draw[{opts}] {_path(f'n{pic.dot_id(e.src)}', f'n{pic.dot_id(e.dst)}', points)};")
        if slides is not None:
            lines = slides.edge_lines(k)
        else:
            lines = _static_edge_lines(pic, tex, k, partials, steps)
        if lines and lp is not None:
            out.append(f"\\node[glabel] at {_coord(lp)} {{{_node_text(lines)}}};")
    out.append("\\end{tikzpicture}")
    return "\n".join(out) + "\n"


def _static_node_lines(pic: Picture, tex: _Tex, i: int) -> list[str]:
    lines = [tex.name_line(i)]
    value = tex.value_line(i)
    if value is not None:
        lines.append(value)
    if pic.result is not None and i in pic.shows_derivative:
        lines.append(f"\\textcolor{{gideriv}}{{{tex.deriv_line(i)}}}")
    return lines


def _static_edge_lines(pic: Picture, tex: _Tex, k: int, partials: bool, steps: dict[Any, Any]) -> list[str]:
    """The edge's label lines of the Graphviz picture (:func:`~graphir.pictures.labels.edge_texts`)
    in LaTeX."""
    lines = []
    for t in edge_texts(pic, pic.edges[k], partials, steps):
        if t.role == "partial":
            lines.append(f"\\textcolor{{gipartial}}{{{tex.partial_line(pic.edges[k])}}}")
        elif t.role == "contribution":
            lines.append(f"\\textcolor{{gideriv}}{{{tex.contribution_line(t.step)}}}")
        elif t.role == "rule":
            lines.append(f"\\textcolor{{gideriv}}{{{tex.rule(pic.edges[k])}}}")
        else:
            lines.append(f"\\textcolor{{gimuted}}{{${_math(t.text)}$}}")
    return lines


class _Slides:
    """Beamer overlays from the frames of :func:`~graphir.pictures.frames.build_frames`:
    slide ``k + 1`` shows frame ``k``."""

    def __init__(self, pic: Picture):
        from .frames import build_frames

        self.pic, self.tex = pic, _Tex(pic)
        self.frames = build_frames(pic)
        self.n = len(self.frames)
        self.value_from: dict[int, int] = {}
        self.derivs: dict[int, list[tuple[int, str]]] = {}  # node -> (first slide, line)
        self.contrib_from: dict[int, tuple[int, str]] = {}  # edge -> (slide, line)
        self.current_nodes: dict[int, list[int]] = {}
        self.current_edges: dict[int, list[int]] = {}
        self.seed_slide = self.n
        self.texts: list[str] = []
        edge_of = {(e.dst, e.operand): k for k, e in enumerate(pic.edges)}
        primal = iter(pic.op_nodes)
        for k, f in enumerate(self.frames, start=1):
            if f.kind == "primal":
                i = next(primal)
                self.value_from[i] = k
                self.current_nodes.setdefault(i, []).append(k)
            elif f.kind == "seed":
                self.seed_slide = k
                self._seed(k)
            elif f.kind == "step":
                s = f.step
                assert s is not None
                line = self.tex.deriv_line(s.target, pic.values[s.after])
                self.derivs.setdefault(s.target, []).append((k, line))
                edge = edge_of[(s.node, s.operand)]
                self.contrib_from[edge] = (k, self.tex.contribution_line(s))
                self.current_nodes.setdefault(s.target, []).append(k)
                self.current_edges.setdefault(edge, []).append(k)
            else:
                for i in pic.nodes:
                    if i in pic.shows_derivative and not self.derivs.get(i):
                        self.derivs.setdefault(i, []).append((k, self.tex.deriv_line(i)))
            self.texts.append(tex_text(f.caption))

    def _seed(self, k: int) -> None:
        pic = self.pic
        r = pic.result
        assert r is not None
        if pic.mode == "reverse":
            seeded = [o for o in r.seeds if o in pic.shows_derivative]
        else:
            seeded = [i for i in pic.nodes if pic.kind[i] == "input"]
        for i in seeded:
            s = r.seeds.get(i)
            value = 0.0 if s is None else pic.values[s]
            self.derivs.setdefault(i, []).append((k, self.tex.deriv_line(i, value)))

    def node_lines(self, i: int) -> list[str]:
        pic = self.pic
        lines = [self.tex.name_line(i)]
        value = self.tex.value_line(i)
        if value is not None:
            start = self.value_from.get(i, 1)
            lines.append(value if start == 1 else f"{{\\visible<{start}->{{{value}}}}}")
        if pic.kind[i] not in ("const", "data"):
            changes = self.derivs.get(i, [])
            parts = []
            for n, (start, line) in enumerate(changes):
                end = changes[n + 1][0] - 1 if n + 1 < len(changes) else None
                span = f"{start}-{end}" if end is not None else f"{start}-"
                parts.append(f"\\only<{span}>{{\\textcolor{{gideriv}}{{{line}}}}}")
            lines.append("".join(parts) or "\\strut")
        return lines

    def node_style(self, i: int) -> str:
        slides = self.current_nodes.get(i)
        if not slides:
            return ""
        return f", onslide={{<{','.join(map(str, slides))}>{{fill=gicurf, draw=gicurb, line width=1.6bp}}}}"

    def edge_style(self, k: int) -> str:
        slides = self.current_edges.get(k)
        out = ""
        if k in self.contrib_from:
            out += f", onslide={{<{self.contrib_from[k][0]}->{{draw=gideriv}}}}"
        if slides:
            out += f", onslide={{<{','.join(map(str, slides))}>{{draw=gicurb, line width=1.6bp}}}}"
        return out

    def edge_lines(self, k: int) -> list[str]:
        e = self.pic.edges[k]
        if not e.carries:
            return []
        lines = []
        if e.partial is not None:
            lines.append(f"{{\\visible<{self.seed_slide}->{{\\textcolor{{gipartial}}{{{self.tex.partial_line(e)}}}}}}}")
        elif k not in self.contrib_from:  # an array op's rule, as the frames show it
            rule = self.tex.rule(e)
            lines.append(f"{{\\visible<{self.seed_slide}->{{\\textcolor{{gipartial}}{{{rule}}}}}}}")
        if k in self.contrib_from:
            start, line = self.contrib_from[k]
            lines.append(f"{{\\visible<{start}->{{\\textcolor{{gideriv}}{{{line}}}}}}}")
        return lines

    def captions(self) -> str:
        return "".join(f"\\only<{k}>{{{text}}}" for k, text in enumerate(self.texts, start=1))


_DOC = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath}
\usepackage{tikz}
\pagestyle{empty}
\newsavebox{\graphirbox}
\begin{document}
\ifdefined\pdfpagewidth\else\let\pdfpagewidth\pagewidth\let\pdfpageheight\pageheight\fi
\sbox{\graphirbox}{%
%PICTURE%}
\pdfpagewidth=\dimexpr\wd\graphirbox+12bp\relax
\pdfpageheight=\dimexpr\ht\graphirbox+\dp\graphirbox+12bp\relax
\hoffset=-1in \voffset=-1in \oddsidemargin=6bp \topmargin=6bp \headheight=0pt \headsep=0pt
\parindent=0pt
\usebox{\graphirbox}
\end{document}
"""

#: A TikZ key for Beamer: ``onslide=<3,5>{fill=yellow}`` applies the style on those slides only.
ONSLIDE = r"\tikzset{onslide/.code args={<#1>#2}{\only<#1>{\pgfkeysalso{#2}}}}"

_BEAMER = r"""\documentclass[aspectratio=169]{beamer}
\usepackage[T1]{fontenc}
\usepackage{tikz}
\setbeamertemplate{navigation symbols}{}
\begin{document}
%PICTURE%\end{document}
"""


def to_tikz(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    wrt: Any = None,
    *,
    standalone: bool = False,
    overlay: bool = False,
    name: str | None = None,
    compact: bool = False,
    cleanup: bool | None = None,
    partials: bool | None = None,
    rankdir: str | None = None,
    max_nodes: int | None = style.MAX_NODES,
) -> str:
    r"""TikZ code of the computation graph of ``expr``: the Graphviz layout, LaTeX labels.

    The arguments are those of :func:`graphir.to_dot` (``rankdir="TB"`` runs top to
    bottom).  The ``tikzpicture`` needs ``\usepackage{tikz}`` and ``\usepackage{amsmath}``;
    ``standalone=True`` gives a whole document that ``pdflatex`` compiles (a page the size
    of the picture).  ``overlay=True`` (needs ``at`` and a mode) gives a Beamer ``frame``
    with one slide per step of the worked example (:func:`graphir.pictures.frames.build_frames`):
    values appear node by node, then every chain-rule step adds its contribution on its
    edge, with the step's caption under the picture; with ``standalone=True``, a whole
    ``beamer`` document.  Runs Graphviz's ``dot`` once (for the positions); the same input
    gives the same text.

    >>> import graphir as gi
    >>> code = to_tikz(gi.parse("ln(x1) + x1*x2 - sin(x2)"), at={"x1": 2, "x2": 5}, mode="reverse")
    >>> code.splitlines()[0]
    '\\begin{tikzpicture}[x=1bp, y=1bp, font=\\normalsize,'
    >>> "$\\bar{v}_{-1} = 5.5$" in code and "$v_{1} = \\ln{\\left(v_{-1} \\right)}$" in code
    True
    """
    for what, flag in (("standalone", standalone), ("overlay", overlay)):
        if not isinstance(flag, bool):
            raise ArgumentError(f"{what} must be True or False, got {flag!r}")
    pic, page, shows_partials = prepared(expr, at, mode, wrt, max_nodes=max_nodes, name=name,
                                         compact=compact, cleanup=cleanup, partials=partials,
                                         rankdir=rankdir)
    layout = graphviz_layout(pic, page, shows_partials)
    if overlay:
        slides = _Slides(pic)
        title = tex_text(plain(_frame_title(pic)))
        body = (f"\\begin{{frame}}[fragile]{{{title}}}\n{ONSLIDE}\n\\centering\n"
                f"{_fit(layout)}{{%\n{write_tikz(pic, layout, shows_partials, slides)}}}\n"
                f"\\par\\medskip\\raggedright\\small {slides.captions()}\n\\end{{frame}}\n")
        return _BEAMER.replace("%PICTURE%", body) if standalone else body
    code = write_tikz(pic, layout, shows_partials)
    return _DOC.replace("%PICTURE%", code) if standalone else code


def _fit(layout: _Layout) -> str:
    """The ``resizebox`` that fills a slide: the width for a wide graph, else 60% of the
    height (the step's caption goes under it)."""
    x0, y0, x1, y1 = layout.bb
    wide = (x1 - x0) > 2.4 * max(y1 - y0, 1.0)
    return "\\resizebox{\\linewidth}{!}" if wide else "\\resizebox{!}{0.6\\textheight}"


def _frame_title(pic: Picture) -> str:
    from .frames import page_title

    return page_title(pic)
