"""Worked examples: one expression at one point, differentiated and explained step by step.

:func:`explain` gathers, for one expression, point and mode, everything a
reader needs to follow automatic differentiation by hand:

1. the function (LaTeX as written, and as SymPy reads it);
2. the computation graph, plain and with values and tangents/adjoints;
3. the primal trace and the tangent or adjoint trace (:func:`graphir.trace_table`);
4. the chain rule written out edge by edge with numbers, accumulation visible
   (``v̄_0 += v̄_2 · ∂v_2/∂v_0 = (1)(2) = 2  → v̄_0 = -0.284 + 2 = 1.716``);
5. the result, checked against SymPy and finite differences (:func:`graphir.compare`);
6. for each input, the sum over paths: every path from the input to the output
   with the product of the local partials along it (paths are counted per
   operand slot, so ``x*x`` has two); the products add up to the partial;
7. the step-by-step frames (:func:`graphir.render` with ``steps=True``): the
   animated GIF inline, the HTML stepper linked.

:attr:`Explanation.markdown` is that document (pictures linked by relative
paths); :meth:`Explanation.save` writes it as ``README.md`` with its pictures
into a folder.  The text is deterministic: no times, no absolute paths, so the
same call writes the same bytes.

>>> import graphir as gi
>>> x1, x2 = gi.symbols("x1 x2")
>>> ex = explain(gi.log(x1) + x1 * x2 - gi.sin(x2), {"x1": 2, "x2": 5})
>>> "→ v̄_0 = -0.284 + 2 = 1.716" in ex.markdown
True
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import primitives
from ..bridges import sympy_limits as limits
from ..bridges.sympy_convert import to_sympy
from ..build import Expr, expr_list
from ..errors import ArgumentError, GraphirError, RenderTooLarge
from ..passes.cleanup import cleanup as clean_up
from ..printing import (
    display_number,
    display_operand,
    error_number,
    format_number,
    latex_name,
    to_latex,
    to_text,
)
from .describe import markdown_alt, table_alt_text
from .notation import latex_array, mark_text
from .paths import MAX_PATHS, GraphPath, PathSum, path_sum
from .trace_table import TIMES, TraceTable, cell, pad, real_point, width

__all__ = ["explain", "Explanation", "GraphPath", "PathSum", "MAX_PATHS", "MAX_NODES", "FILES"]

#: The file names :meth:`Explanation.save` writes (besides the frames in ``steps/``).
FILES = {
    "readme": "README.md",
    "graph": "graph.svg",
    "graph_png": "graph.png",
    "values": "graph_{mode}.svg",
    "values_png": "graph_{mode}.png",
    "steps": "steps",
}

ARROW = " \u2192 "

#: Largest number of operation nodes :func:`explain` takes without ``max_nodes=None``.
MAX_NODES = 2000


@dataclass(eq=False, repr=False)
class Explanation:
    """A worked example: :attr:`markdown`, and :meth:`save` to write it with its pictures.

    Attributes
    ----------
    expr : the expression explained.
    point : variable name -> value.
    mode : ``"forward"`` or ``"reverse"``.
    table : the :class:`~graphir.text.trace_table.TraceTable` (primal and derivative rows).
    path_sums : one :class:`PathSum` per differentiated (reverse) or seeded (forward) input.
    comparison : the :class:`~graphir.numeric.compare.Comparison`, or None when it failed
        (``comparison_note`` says why).
    sympy_form : SymPy's text and LaTeX of the expression (None without SymPy).
    sympy_derivatives : (variable, text, LaTeX) of SymPy's partial derivatives.
    pictures : the picture options (``rankdir``, ``font_size``, ``dpi``) :meth:`save` draws with.
    markdown : the document, pictures linked relative to the folder :meth:`save` writes.
    """

    expr: Expr
    point: dict[str, float]
    mode: str
    wrt: Any
    table: TraceTable
    title: str
    intro: str | None = None
    epilogue: str | None = None
    steps: bool = True
    frames: bool = True
    path_sums: list[PathSum] = field(default_factory=list)
    comparison: Any = None
    comparison_note: str = ""
    sympy_form: tuple[str, str] | None = None
    sympy_derivatives: list[tuple[str, str, str]] = field(default_factory=list)
    pictures: dict[str, Any] = field(default_factory=dict)
    markdown: str = field(init=False)

    def __post_init__(self) -> None:
        self.markdown = self._document(self._relative)

    # ------------------------------------------------------------------ files
    @property
    def files(self) -> dict[str, str]:
        """Names of the files :meth:`save` writes, by role."""
        return {k: v.format(mode=self.mode) for k, v in FILES.items()}

    def _relative(self, key: str) -> str:
        return self.files[key]

    def save(self, folder: str | Path, overwrite: bool = False) -> list[Path]:
        """Write ``README.md`` and its pictures into ``folder`` (created); return the paths written.

        Pictures: ``graph.svg``/``.png`` (the graph), ``graph_<mode>.svg``/``.png``
        (values and tangents/adjoints), ``steps/`` (frames, ``steps.gif``,
        ``stepper.html``).  Needs Graphviz (``dot``); raises
        :class:`~graphir.RenderError` when it is missing.

        ``folder`` must be missing, empty or written by graphir before (it keeps a
        manifest, ``.graphir-manifest.json``): files of an earlier save that this
        one does not write are removed, no other file.  Any other folder raises
        :class:`~graphir.OutputError` with nothing written, unless ``overwrite=True``:
        then same-named files are replaced and the others kept.
        """
        from ..files import check_folder, write_folder
        from ..pictures.draw import picture_bytes
        from ..pictures.frames import step_files
        from ..pictures.style import page

        check_folder(folder, overwrite)
        f = self.files
        kw = self._picture_options()
        look = self.pictures
        files = {
            f["graph"]: picture_bytes(self.expr, "svg", **look),
            f["graph_png"]: picture_bytes(self.expr, "png", **look),
            f["values"]: picture_bytes(self.expr, "svg", **kw, **look),
            f["values_png"]: picture_bytes(self.expr, "png", **kw, **look),
        }
        if self.steps:
            for name, data in step_files(self.expr, **kw, page=page(**look)).items():
                if self.frames or not name.startswith("frame_"):
                    files[f"{f['steps']}/{name}"] = data
        files[f["readme"]] = self.markdown.encode("utf-8")
        return write_folder(folder, files, overwrite)

    def _picture_options(self) -> dict[str, Any]:
        """What the picture with values and tangents/adjoints is drawn with."""
        return {"at": self.point, "mode": self.mode, "name": self.table.output_labels[0][0],
                "wrt": self.table.wrt if self.mode == "reverse" else self.table.tangents}

    def svg_pictures(self) -> dict[str, str]:
        """The two graph pictures as SVG text, by role (``"graph"``, ``"values"``); none without
        Graphviz (or when drawing fails): the documents then say they are not drawn."""
        try:
            from ..pictures.draw import picture_bytes

            return {"graph": picture_bytes(self.expr, "svg", **self.pictures).decode("utf-8"),
                    "values": picture_bytes(self.expr, "svg", **self._picture_options(),
                                            **self.pictures).decode("utf-8")}
        except GraphirError:
            return {}

    def _repr_markdown_(self) -> str:
        """The document with the two graph pictures embedded (data URIs), for Jupyter."""
        uris = {k: "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
                for k, svg in self.svg_pictures().items()}
        return self._document(lambda key: uris.get(key, ""), steps=False)

    def to_html(self) -> str:
        """The document as HTML, the pictures inline as accessible SVG (:func:`graphir.to_svg`:
        no files, no data URIs, ids prefixed per picture), math kept for MathJax (``$...$``),
        as a notebook shows it.  Without Graphviz the pictures are left out, the text stays.

        >>> import graphir as gi
        >>> page = explain(gi.parse("x*y"), {"x": 2, "y": 3}).to_html()
        >>> page.startswith('<div class="graphir-doc">') and "<h2>The result</h2>" in page
        True
        """
        from .markup import markdown_html

        try:
            from ..pictures.svg import to_svg

            look = {k: v for k, v in self.pictures.items() if k != "dpi"}  # SVG has no resolution
            svgs = {"graph": to_svg(self.expr, **look),
                    "values": to_svg(self.expr, **self._picture_options(), **look)}
        except GraphirError:
            svgs = {}
        by_file = {self.files[k]: svg for k, svg in svgs.items()}
        md = self._document(lambda key: self.files[key] if key in svgs else "", steps=False)
        body = markdown_html(md, lambda src, alt: by_file.get(src))
        return ('<div class="graphir-doc">\n<style>.graphir-doc svg { max-width: 100%; height: auto; }'
                "</style>\n" + body + "</div>\n")

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's display protocol: the document as HTML (pictures inline), Markdown and text."""
        from ..numeric.report import mime_bundle

        return mime_bundle({"text/plain": self.__repr__, "text/html": self.to_html,
                            "text/markdown": self._repr_markdown_}, include, exclude)

    def __repr__(self) -> str:
        return f"<Explanation {self.mode} mode: {self.table.label()} at {self.table.at_text()}>"

    def __str__(self) -> str:
        return self.markdown

    # ------------------------------------------------------------------ writing
    def _document(self, link: Any, steps: bool = True) -> str:
        t = self.table
        d = "tangent" if self.mode == "forward" else "adjoint"
        lab = t.output_labels[0][0]
        lab_tex = t.output_labels[0][1]
        out: list[str] = [f"# {self.title}", ""]
        if self.intro:
            out += [self.intro.strip(), ""]
        # 1. the function
        out += ["## The function", "", "$$", f"{lab_tex} = {to_latex(self.expr, limit=4000)}", "$$", ""]
        value = cell(t.values[t.outputs[0]])
        out += [f"at ${t.at_text(latex=True)}$, where ${lab_tex} = {value}$.", ""]
        out += [f"graphir keeps the expression exactly as written: `{to_text(self.expr, limit=2000)}`."]
        if self.sympy_form:
            out += [f"SymPy reads it as `{self.sympy_form[0]}` (SymPy rewrites expressions; "
                    "the graph keeps them as written)."]
        out.append("")
        # 2. the graph
        out += ["## The computation graph", ""]
        out += [_image(link("graph"), table_alt_text(t, values=False)), ""]
        inputs = [f"${r.name_latex} = {r.formula_latex}$" for r in t.primal_rows if r.kind == "input"]
        n_op = sum(1 for r in t.primal_rows if r.kind == "op")
        shown = t.graph.display_names
        named = [f"${r.name_latex}$" for r in t.primal_rows if r.kind == "op" and r.node in shown]
        n_op -= len(named)
        ops = {1: "$v_{1}$", 2: "$v_{1}$ and $v_{2}$"}.get(n_op, f"$v_{{1}}, \\dots, v_{{{n_op}}}$")
        if named:  # nodes named in the code keep their name and take no number
            named_text = f"{_and(named)} (named in the code)"
            ops = named_text if n_op == 0 else f"{ops} and {named_text}"
        out += [
            f"Every operation is a node. The input{'s are' if len(inputs) != 1 else ' is'} "
            f"{_and(inputs)}; the operation{'s are' if n_op + len(named) != 1 else ' is'} {ops}, numbered in "
            "evaluation order (the convention of Griewank and Walther, used by Baydin et al. 2018). "
            "Constants are shown by value. An operand used twice (as in `x*x`) has one edge per use.",
            "",
        ]
        if t.arrays:
            out += [
                "Some nodes hold arrays: each shows its shape, and small values are written out entry "
                "by entry (larger ones as shape, least and greatest entry and norm). Data arrays are "
                "drawn by name with their values. An edge of an array operation (`@`, `sum`, ...) "
                "carries the rule that moves the derivative (such as $\\bar v \\cdot X^{\\top}$) rather "
                "than a Jacobian; where an operand was broadcast, its adjoint is summed back "
                "(`sum_to`).",
                "",
            ]
        # 3. primal trace
        out += ["## Evaluating: the primal trace", ""]
        out += ["Going forward through the graph, each node is computed from its operands:", ""]
        out += [t.section_markdown("primal"), ""]
        # 4. derivative pass
        if self.mode == "reverse":
            seeds = mark_text(lab, "adjoint")
            out += ["## Reverse mode: the adjoint trace", ""]
            out += [
                f"Reverse mode starts from the output with {seeds} = 1 and walks the graph backwards. "
                "Each node sends its adjoint $\\bar v_k = \\partial " + lab_tex + "/\\partial v_k$ times the "
                "local partial derivative to each of its operands; an operand used more than once "
                "collects (adds up) one contribution per use. One pass gives the whole gradient.",
                "",
            ]
        else:
            seeds = t.seed_text()
            out += ["## Forward mode: the tangent trace", ""]
            out += [
                f"Forward mode seeds the inputs with tangents ({seeds}, every other input 0) and "
                "carries, next to each value, its tangent $\\dot v_k = \\partial v_k / \\partial "
                f"{latex_name(next(iter(t.tangents), 'x'))}$: each node adds up, over its operands, "
                "the operand's tangent times the local partial derivative. One pass gives one "
                "directional derivative.",
                "",
            ]
        out += [_image(link("values"), table_alt_text(t, self.mode)), ""]
        out += [
            "Each node shows its value and, in colour, its " + d + "; each edge its local partial "
            "derivative and the contribution it carries.",
            "",
        ]
        out += [t.section_markdown("tangent" if self.mode == "forward" else "adjoint"), ""]
        # 5. chain rule edge by edge
        out += ["## The chain rule, edge by edge", ""]
        out += [
            "The same pass with the numbers put in, one line per edge, in the order the pass "
            f"takes them. `+=` adds a contribution to {'an' if d == 'adjoint' else 'a'} {d} that "
            "already has one."
            + (" An edge that would carry a zero tangent adds nothing: the pass skips it, so it has "
               "no line." if self.mode == "forward" else ""),
            "",
            "```text",
            *self.chain_lines(),
            "```",
            "",
        ]
        # 6. result
        out += ["## The result", ""]
        out += self._result_lines()
        out.append("")
        # 7. sum over paths
        out += ["## Sum over paths", ""]
        out += [
            "The chain rule on a graph says: the derivative of the output with respect to an input "
            "is the sum, over every path from the input to the output, of the product of the local "
            "partial derivatives along the path. Reverse and forward mode compute the same sum "
            "without listing the paths (they share the common parts).",
            "",
        ]
        if t.arrays:
            out += ["With arrays the local partials are Jacobians (matrices), not numbers, so the paths "
                    "are not listed one by one: the " + d + " trace above is this sum, taken matrix by "
                    "matrix through the rules on the edges.", ""]
        for ps in self.path_sums:
            out += self.paths_markdown(ps)
        # 8. comparison
        out += ["## Checked against SymPy and finite differences", ""]
        out += self.comparison_markdown()
        # 9. steps
        if steps and self.steps:
            folder = link("steps")
            out += ["## Step by step", ""]
            out += [
                "The same computation as an animation: first the primal pass node by node, then the "
                f"{d} pass edge by edge (the current step highlighted).",
                "",
                _image(f"{folder}/steps.gif", f"Animation, one frame per step: the primal pass node by node, "
                       f"then the {d} pass edge by edge. {table_alt_text(t, self.mode)}"),
                "",
                f"Step through it at your own pace in [{folder}/stepper.html]({folder}/stepper.html) "
                "(open it in a browser; arrow keys step)"
                + (f", or look at the frames one by one: [{folder}/frame_000.svg]({folder}/frame_000.svg), "
                   "... (SVG and PNG)." if self.frames else "."),
                "",
            ]
        if self.epilogue:
            out += [self.epilogue.strip(), ""]
        return "\n".join(out).rstrip() + "\n"

    def chain_lines(self) -> list[str]:
        """The chain rule with numbers, one line per step of the pass (plain text, aligned).

        Each line: the target, ``=`` or ``+=`` (a contribution added to a value that
        already had one), the chain-rule factor, the local partial written out,
        the numbers, the contribution and, for ``+=``, the running sum.
        """
        rows = self.chain_rows()
        widths = [max(width(r[j]) for r in rows) for j in range(len(rows[0]))] if rows else []
        return [" ".join(pad(c, w) for c, w in zip(r, widths, strict=True) if w).rstrip() for r in rows]

    def chain_rows(self) -> list[list[str]]:
        """The cells of :meth:`chain_lines`, one list per line (every line has as many, some
        empty): for a table in another format (the LaTeX of the Sphinx directive)."""
        t = self.table
        if t.arrays:
            return self._array_chain_rows()
        rows: list[list[str]] = []
        for r in t.derivative_rows:
            if r.kind == "seed":
                rows.append([r.name, "=", r.formula, "", "", "= " + display_number(r.value), ""])
        for s in t.pass_result.steps:
            src = t.dname(s.node) if self.mode == "reverse" else t.dname(s.arg)
            contrib = t.value_of(s.contribution)
            acc = s.before is not None
            total = ""
            if acc:
                before, after = display_number(t.value_of(s.before)), display_number(t.value_of(s.after))
                total = f"\u2192 {t.dname(s.target)} = {before} + {display_operand(contrib)} = {after}"
            rows.append([
                t.dname(s.target), "+=" if acc else "=",
                f"{src}{TIMES}{t.partial_symbol(s.node, s.arg)}",
                f"= {src}{TIMES}{t.partial_text(s.partial)}",
                f"= ({display_number(t.value_of(s.incoming))})({display_number(t.value_of(s.partial))})",
                "= " + display_number(contrib),
                total,
            ])
        for r in t.derivative_rows:
            if r.kind in ("result", "output"):
                rows.append([r.name, "=", r.formula, "", "", "= " + display_number(r.value), ""])
        return rows

    def _array_chain_rows(self) -> list[list[str]]:
        """:meth:`chain_rows` of an expression with arrays: the rule of each step (an
        array op's, or the entrywise partial) and the values, arrays in compact rows."""
        t = self.table
        rows: list[list[str]] = []
        steps = {id(r.steps[0]): r for r in t.derivative_rows if r.kind == "step"}
        for r in t.derivative_rows:
            if r.kind == "seed":
                rows.append([r.name, "=", r.formula, "= " + cell(r.value), ""])
        for s in t.pass_result.steps:
            acc = s.before is not None
            if self.mode == "reverse":
                r = steps[id(s)]
                rule = r.formula[len(t.dname(s.target)) + 3:] if acc else r.formula
            else:
                src = t.dname(s.arg)
                rule = (t.rule(s.node, s.operand, src) if s.partial is None
                        else f"{src}{TIMES}{t.partial_text(s.partial)}")
            total = f"\u2192 {t.dname(s.target)} = {cell(t.value_of(s.after))}" if acc else ""
            rows.append([t.dname(s.target), "+=" if acc else "=", rule,
                         "= " + cell(t.value_of(s.contribution)), total])
        for r in t.derivative_rows:
            if r.kind in ("result", "output"):
                rows.append([r.name, "=", r.formula, "= " + cell(r.value), ""])
        return rows

    def _result_lines(self) -> list[str]:
        t = self.table
        lab = t.output_labels[0][0]
        lab_tex = t.output_labels[0][1]
        out = []
        if self.mode == "reverse":
            parts = [f"\\frac{{\\partial {lab_tex}}}{{\\partial {latex_name(n)}}} = {latex_array(v)}"
                     for n, v in t.result.items()]
            out += ["$$", ",\\qquad ".join(parts), "$$", ""]
            out += ["Full precision:", ""]
            for n, v in t.result.items():
                out.append(f"- ∂{lab}/∂{n} = {mark_text(n, 'adjoint')} = `{_full(v)}`")
        else:
            (name, v), = t.result.items()
            direction = t.seed_text()
            seeded = next(iter(t.tangents), None)
            var = None if seeded is None else t.graph.find_var(seeded)
            scalar_seed = var is None or not t.graph.shapes[var]
            unit = len(t.tangents) == 1 and np.ndim(t.tangents[seeded]) == 0 and t.tangents[seeded] == 1
            if unit and scalar_seed:
                n = next(iter(t.tangents))
                out += ["$$", f"\\frac{{\\partial {lab_tex}}}{{\\partial {latex_name(n)}}} = "
                        f"\\dot{{{lab_tex}}} = {latex_array(v)}", "$$", ""]
            else:
                out += [f"The directional derivative along ({direction}) is ${latex_array(v)}$.", ""]
            out += [f"Full precision: {mark_text(lab, 'tangent')} = `{_full(v)}`. "
                    "Forward mode gives one directional derivative per pass: "
                    "seed another input for its partial."]
        return out

    def paths_markdown(self, ps: PathSum) -> list[str]:
        """The Markdown lines of one input's sum over paths (a table of paths and a sentence)."""
        t = self.table
        lab = t.output_labels[0][0]
        head = f"**{ps.variable}**: "
        if ps.count == 0:
            return [head + f"no path from {ps.variable} to {lab}: the partial is 0.", ""]
        out = [head + f"{ps.count} path{'s' if ps.count != 1 else ''} from {ps.variable} to {lab}.", ""]
        out += ["| path | local partials along it | product |", "|:--|:--|--:|"]
        for p in ps.paths:
            if not p.edges:
                out.append(f"| {ps.variable} (the output itself) | | 1 |")
                continue
            nodes = [self._node_label(p.edges[0][0])] + [self._node_label(v) for _, v, _ in p.edges]
            symbols = TIMES.join(t.partial_symbol(v, u) for u, v, _ in p.edges)
            values = TIMES.join(display_operand(x) for x in p.partials)
            out.append(f"| {ARROW.join(nodes)} | {symbols} = {values} | {display_number(p.product)} |")
        out.append("")
        shown = " + ".join(display_operand(p.product) for p in ps.paths)
        d = t.result.get(ps.variable) if self.mode == "reverse" else None
        if ps.count > len(ps.paths):
            out.append(
                f"Only the first {len(ps.paths)} of the {ps.count} paths are listed. The sum over all "
                f"{ps.count} paths is {display_number(ps.total)}."
            )
        elif ps.count == 1:
            out.append(f"One path: the partial is its product, {display_number(ps.total)}.")
        else:
            out.append(f"Sum over the paths: {shown} = {display_number(ps.total)}.")
        if d is not None:
            bar = mark_text(ps.variable, "adjoint")
            out[-1] += f" Reverse mode gave ∂{lab}/∂{ps.variable} = {bar} = {display_number(d)}."
        elif self.mode == "forward":
            seed = t.tangents.get(ps.variable, 0.0)
            dot = mark_text(ps.variable, "tangent")
            out[-1] += f" Times the seed {dot} = {display_number(seed)}: {display_number(seed * ps.total)}."
        out.append("")
        return out

    def _node_label(self, i: int) -> str:
        g = self.table.graph
        if g.ops[i] == "var":
            return g.params[i]
        return f"{primitives.get(g.ops[i]).label} ({self.table.name(i)})"

    def comparison_markdown(self) -> list[str]:
        """The Markdown lines of the check against SymPy and finite differences."""
        t = self.table
        lab = t.output_labels[0][0]
        out: list[str] = []
        if self.sympy_derivatives:
            out += ["SymPy's derivatives, for reference:", ""]
            for n, s, _ in self.sympy_derivatives:
                out.append(f"- ∂{lab}/∂{n} = `{s}`")
            out.append("")
        c = self.comparison
        if c is None:
            return out + [self.comparison_note or "No comparison.", ""]
        names = list(c.wrt)
        ref = {"symbolic": "SymPy's derivative evaluated to 40 digits", "fd-complex": "the complex step",
               "fd-richardson": "Richardson extrapolation"}.get(c.reference, "reverse mode")
        out += [f"Every method at the same point (`gi.compare`); the error is the largest absolute "
                f"difference from {ref}:", ""]
        if any(c.shapes.get(n) for n in names):
            return out + self._array_comparison(c, lab)
        out.append("| method | " + " | ".join(f"∂{lab}/∂{n}" for n in names) + " | max abs error |")
        out.append("|:--|" + "--:|" * (len(names) + 1))
        for r in c.rows:
            vals = [_full(v) for v in r.values]
            err = max((float(e) for e in r.abs_error), default=0.0)
            out.append(f"| {r.label} | " + " | ".join(vals) + f" | {error_number(err)} |")
        out += ["", "Automatic differentiation (both modes) agrees with SymPy to rounding; finite "
                "differences carry the truncation and rounding errors of their step "
                "(graphir's documentation explains them in `docs/numerics.md`).", ""]
        return out


    def _array_comparison(self, c: Any, lab: str) -> list[str]:
        """The comparison of an array expression: per variable the largest error over its
        entries (every entry is in :meth:`graphir.Comparison.partial` and its JSON)."""
        names = list(c.wrt)
        out = ["| method | " + " | ".join(f"error in ∂{lab}/∂{n}" for n in names) + " | max abs error |"]
        out.append("|:--|" + "--:|" * (len(names) + 1))
        for r in c.rows:
            errors = np.asarray(r.abs_error, dtype=float)
            per = [error_number(float(np.max(errors[part], initial=0.0))) for part in c.variable_slices()]
            total = error_number(float(np.max(errors, initial=0.0)))
            out.append(f"| {r.label} | " + " | ".join(per) + f" | {total} |")
        out += ["", "Automatic differentiation (both modes) agrees with SymPy to rounding; finite "
                "differences carry the truncation and rounding errors of their step "
                "(graphir's documentation explains them in `docs/numerics.md`).", ""]
        return out


def _full(v: Any) -> str:
    """Every digit of a value: a number as :func:`~graphir.printing.format_number`, an array
    as the list of its entries' digits."""
    if np.ndim(v) == 0:
        return format_number(v)
    return str(np.vectorize(format_number, otypes=[object])(np.asarray(v)).tolist()).replace("'", "")


def _and(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _image(target: str, alt: str) -> str:
    """A Markdown image with ``alt`` as its alt text (escaped); a note when it was not drawn."""
    if not target:
        return f"*({markdown_alt(alt.rstrip('.'))}: not drawn)*"
    return f"![{markdown_alt(alt)}]({target})"


def explain(
    expr: Any,
    at: Mapping[Any, Any],
    mode: str = "reverse",
    wrt: Any = None,
    *,
    title: str | None = None,
    intro: str | None = None,
    epilogue: str | None = None,
    steps: bool = True,
    name: str | None = None,
    frames: bool = True,
    max_nodes: int | None = MAX_NODES,
    sympy_timeout: float | None = limits.DEFAULT_TIMEOUT,
    max_sympy_size: int | None = limits.MAX_SYMPY_SIZE,
    rankdir: str | None = None,
    font_size: float | None = None,
    dpi: float | None = None,
    compact: bool | None = None,
    cleanup: bool | None = None,
) -> Explanation:
    """The worked example of differentiating ``expr`` at ``at``: trace tables, the chain rule
    edge by edge with numbers, the sum over paths, checks, pictures.

    Parameters
    ----------
    expr : one expression.
    at : variable (or name) -> number, for every variable.
    mode : ``"reverse"`` (adjoints) or ``"forward"`` (tangents).
    wrt : as in :func:`graphir.trace_table` (reverse: variables to differentiate for;
        forward: the variable seeded with 1, or a mapping variable -> tangent).
    title, intro, epilogue : optional heading, and Markdown put before and after the document.
    steps : also write the step-by-step frames, GIF and HTML stepper in :meth:`Explanation.save`.
    name : what to call the output (``L`` for a loss; default ``y``).
    frames : keep the single frames (``steps/frame_NNN.svg``/``.png``) next to the GIF and the
        HTML stepper, which show the same pictures.
    max_nodes : refuse (:class:`~graphir.errors.RenderTooLarge`) an expression with more
        operation nodes than this (default :data:`MAX_NODES`; None: any size, the work is
        linear in the graph), since no reader follows a longer worked example.
    sympy_timeout, max_sympy_size : limits on each SymPy step (the derivatives shown and
        the symbolic row of the comparison), as in :func:`graphir.compare`; past them the
        document says SymPy could not be asked.
    rankdir, font_size, dpi, compact : how the saved pictures fit a page, as in :func:`graphir.render`.
    cleanup : explain ``gi.cleanup(expr)`` (tables, chain rule and pictures alike); default
        (None): when ``expr`` is a derivative returned by ``gi.grad``, ``gi.diff``, ...

    Returns
    -------
    Explanation
        ``.markdown`` (the document), ``.save(folder)`` (writes ``README.md`` and pictures).

    Examples
    --------
    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> ex = explain((x + y) ** 2, {x: 2, y: 3})
    >>> ex.table.result
    {'x': 10.0, 'y': 10.0}
    """
    exprs, single = expr_list(expr)
    if not single and len(exprs) != 1:
        raise ArgumentError("explain takes one expression")
    expr = exprs[0]
    from ..pictures.model import cleaned

    if cleaned([expr.node], expr.ir, cleanup):
        expr = clean_up(expr)
    point = real_point(at)
    _check_nodes(expr, max_nodes)
    look = {k: v for k, v in (("rankdir", rankdir), ("font_size", font_size), ("dpi", dpi),
                              ("compact", compact)) if v is not None}
    _check_look(look)
    sympy_timeout, max_sympy_size = limits.read_timeout(sympy_timeout), limits.read_size(max_sympy_size)
    table = TraceTable([expr], point, mode, wrt, name=name, given=at)
    if mode == "reverse":
        inputs, compared = list(table.wrt), list(table.wrt)
    else:
        inputs, compared = [n for n, t in table.tangents.items() if np.any(t != 0)], list(table.variables)
    out = table.outputs[0]

    def partial(node: int, slot: int) -> float:
        return table.value_of(table.partial_node(node, slot))

    comparison, note = None, ""
    try:
        from ..numeric.compare import compare

        comparison = compare(expr, point, compared, sympy_timeout=sympy_timeout,
                             max_sympy_size=max_sympy_size)
    except (GraphirError, ImportError) as exc:  # pragma: no cover - depends on the bridge
        note = f"the comparison could not be made: {exc}"
    sympy_form, sympy_derivatives = (None, []) if table.arrays else _sympy(
        expr, compared, sympy_timeout, max_sympy_size)
    return Explanation(
        expr=expr, point=point, mode=mode, wrt=wrt, table=table,
        title=title or f"Worked example: {table.label()}", intro=intro, epilogue=epilogue,
        steps=steps, frames=frames,
        path_sums=[] if table.arrays else [path_sum(table.graph, out, n, partial) for n in inputs],
        comparison=comparison, comparison_note=note,
        sympy_form=sympy_form, sympy_derivatives=sympy_derivatives, pictures=look,
    )


def _check_look(look: dict[str, Any]) -> None:
    """ArgumentError now, not at :meth:`Explanation.save`, for a bad picture option."""
    from ..pictures.style import page

    page(**look)


def _check_nodes(expr: Expr, max_nodes: int | None) -> None:
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ArgumentError(f"max_nodes must be a positive int or None (no limit), got {max_nodes!r}")
    ops = expr.ir.ops
    n_ops = sum(1 for i in expr.order if ops[i] not in ("var", "const"))
    if n_ops > max_nodes:
        raise RenderTooLarge(
            f"the expression has {n_ops} operation nodes, more than max_nodes={max_nodes} a worked "
            "example shows readably; pass max_nodes=None (or a larger number) to explain it anyway "
            "(the command line's --max-nodes 0), or explain a part of it",
            n_ops, max_nodes,
        )


def _sympy(
    expr: Expr, names: list[str], sympy_timeout: float | None, max_sympy_size: int | None,
) -> tuple[tuple[str, str] | None, list[tuple[str, str, str]]]:
    """SymPy's printing of the function and of its partials for ``names`` (text, LaTeX);
    nothing when SymPy cannot do it within the limits."""
    try:
        import sympy

        with limits.time_limit(sympy_timeout, "writing the derivatives"):
            s = to_sympy(expr, max_sympy_size=max_sympy_size)
            syms = {str(v): v for v in s.free_symbols}
            derivs = []
            for n in names:
                d = sympy.diff(s, syms[n]) if n in syms else sympy.S.Zero
                derivs.append((n, str(d), sympy.latex(d)))
            return (str(s), sympy.latex(s)), derivs
    except (GraphirError, ImportError, *limits.SYMPY_FAILURES):
        return None, []
