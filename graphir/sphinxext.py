"""A Sphinx extension: the ``graphir`` directive writes a worked example from one line.

In ``conf.py``: ``extensions = ["graphir.sphinxext"]`` (with ``"myst_parser"`` the
directive works in MyST Markdown as ```` ```{graphir} ````)::

    .. graphir:: ln(x1) + x1*x2 - sin(x2)
       :at: x1=2, x2=5
       :show: graph trace chain
       :caption: The example of Baydin et al. (2018)
       :name: fig-baydin

The content is one expression in graphir's text syntax (:func:`graphir.parse`), or
with ``:python:`` Python code whose last expression is the graph (an ``Expr``, or an
``Explanation`` from :func:`graphir.explain`, whose point, mode and wrt are used);
the code runs in a fresh namespace with the folder of ``conf.py`` on ``sys.path``.

Options: ``:at:`` (``x1=2, x2=5``), ``:mode:`` (``reverse``, the default, or
``forward``), ``:wrt:`` (names), ``:show:`` (any of ``graph trace chain paths compare
steps``; default ``graph``, and ``trace`` with ``:at:``), ``:alt:`` (default: a
description of the graph), ``:caption:``, ``:name:`` (a label for ``:ref:``; with a
caption the picture is a numbered figure), ``:format:`` (``svg``, inline, the default,
or ``png``, for HTML pages; ``tikz`` for LaTeX, where a PDF is the default).

HTML pages get the picture as inline accessible SVG, the trace table as an HTML
table, the chain rule, sums over paths and comparison as in :func:`graphir.explain`,
and the HTML stepper (inline, its ids prefixed per directive, so several on a page never clash); LaTeX
gets a PDF picture (or the ``tikzpicture`` of :func:`graphir.to_tikz`, scaled down to fit, with
``tikz`` added to the preamble), the trace table as a LaTeX array and the rest as LaTeX
that pdflatex compiles, names in math (:func:`graphir.embed.latex_text`); other builders a
PNG and text.  Every picture is a file named by a hash of what decides its bytes (the DOT
source, the format, graphir's version), kept under the output folder
(``_images/graphir-<hash>.svg``): a rebuild reuses it without running Graphviz.
A bad expression or option fails the build with the file, the line and graphir's
message (``sphinx-build -W``; without ``-W`` the page shows the error).

>>> setup.__module__
'graphir.sphinxext'
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import embed
from .text.markup import latex_fit

try:
    from docutils import nodes
    from docutils.parsers.rst import directives
    from sphinx.util import logging
    from sphinx.util.docutils import SphinxDirective
except ImportError:  # pragma: no cover - graphir imports without Sphinx; setup() says what is missing
    nodes = None  # type: ignore[assignment]
    SphinxDirective = object  # type: ignore[assignment,misc]

__all__ = ["setup", "GraphirDirective"]

_Element = nodes.Element if nodes is not None else object
_General = nodes.General if nodes is not None else object


class graphir_picture(_General, _Element):  # type: ignore[misc,valid-type]  # docutils style
    """The graph (``kind="graph"``) or the stepper (``kind="steps"``) of one directive: the
    expression as JSON, drawn by each builder's visitor (cached by hash)."""


def _example(node: Any) -> embed.Example:
    from .bridges.json_io import from_json

    point = json.loads(node["point"])
    return embed.Example(from_json(node["expr"]), point, node["mode"], json.loads(node["wrt"]),
                         alt=node["alt"], title=node["title"], look=json.loads(node["look"]),
                         name=node["name"])


def _outdir(translator: Any) -> Path:
    return Path(translator.builder.outdir)


def _file(translator: Any, node: Any, kind: str, folder: str, suffix: str,
          make: Callable[[embed.Example, str], bytes]) -> tuple[str, bytes] | None:
    """(name, bytes) of one picture of ``node``: the file ``graphir-<key><suffix>`` under the
    output folder's ``folder``, reused or made by ``make(example, key)``; None (and a warning
    at the directive's line) when it cannot be made."""
    ex = _example(node)
    try:
        key = embed.picture_key(ex, kind)
        name = f"graphir-{key}{suffix}"
        return name, embed.cached(_outdir(translator) / folder / name, lambda: make(ex, key))
    except Exception as exc:  # a page must say what failed, not stop the build with a trace
        logging.getLogger(__name__).warning("graphir: %s", embed.error_text(exc), location=node)
        return None


def _draw(translator: Any, node: Any, fmt: str, folder: str) -> str | None:
    """File name of the picture in ``fmt`` (``png``, ``pdf``) under ``folder``, or None."""
    from .pictures.draw import picture_bytes

    got = _file(translator, node, fmt, folder, f".{fmt}",
                lambda ex, key: picture_bytes(ex.expr, fmt, **ex.picture_args()))
    return None if got is None else got[0]


def _inline(translator: Any, node: Any, kind: str, suffix: str,
            make: Callable[[embed.Example, str], str]) -> str | None:
    """Inline markup of ``node`` made by ``make(example, prefix)``, or None: cached with the
    key's prefix (``gi<key>-``), every id then prefixed for this directive (its serial)."""
    got = _file(translator, node, kind, "_images", suffix,
                lambda ex, key: make(ex, f"gi{key}-").encode("utf-8"))
    if got is None:
        return None
    key = got[0][len("graphir-"):-len(suffix)]
    return got[1].decode("utf-8").replace(f"gi{key}-", f"gi{key}-{node['serial']}-")


def _svg(translator: Any, node: Any) -> str | None:
    """The inline SVG, or None."""
    return _inline(translator, node, "svg-inline", ".svg", embed.picture_svg)


def _steps(translator: Any, node: Any) -> str | None:
    """The stepper (inline, SVG frames), or None."""
    return _inline(translator, node, "stepper-inline", "-stepper.html", embed.steps_html)


def visit_html(self: Any, node: Any) -> None:
    """HTML: inline SVG (or a PNG ``<img>``), or the stepper."""
    alt = html.escape(node["alt"], quote=True)
    if node["kind"] == "steps":
        stepper = _steps(self, node)
        body = stepper or f"<p>[the chain rule step by step: {alt}]</p>"
    elif node["format"] == "png":
        name = _draw(self, node, "png", "_images")
        body = (f'<img src="{self.builder.imgpath}/{name}" alt="{alt}" class="graphir-graph">' if name
                else f"<p>[{alt}]</p>")
    else:
        svg = _svg(self, node)
        body = f'<div class="graphir-graph">{svg}</div>' if svg else f"<p>[{alt}]</p>"
    self.body.append(body + "\n")
    raise nodes.SkipNode


def visit_latex(self: Any, node: Any) -> None:
    """LaTeX: the picture as PDF, or with ``:format: tikz`` as TikZ code (the ``tikz`` package
    is then added to the preamble); the stepper is left out of print."""
    if node["kind"] != "graph":
        raise nodes.SkipNode
    if node["format"] == "tikz":
        got = _file(self, node, "tikz", "", ".tikz", lambda ex, key: embed.picture_tikz(ex).encode("utf-8"))
        if got:
            registry = self.builder.app.registry
            if not registry.has_latex_package("tikz"):
                self.builder.app.add_latex_package("tikz")
            self.body.append("\n" + latex_fit(got[1].decode("utf-8"), "0.4\\textheight") + "\n")
    else:
        name = _draw(self, node, "pdf", "")
        if name:
            self.body.append(f"\n\\sphinxincludegraphics[width=\\linewidth,height=0.4\\textheight,"
                             f"keepaspectratio]{{{name}}}\n")
    raise nodes.SkipNode


def visit_text(self: Any, node: Any) -> None:
    """Other builders: a PNG next to the page's files, and the alt text."""
    if node["kind"] == "graph":
        name = _draw(self, node, "png", "_images")
        where = f"_images/{name}: " if name else ""
        self.add_text(f"[graph: {where}{node['alt']}]")
    raise nodes.SkipNode


def _raw(html_text: str, latex: str, text: str) -> list[Any]:
    return [nodes.raw("", html_text, format="html"), nodes.raw("", latex, format="latex"),
            nodes.raw("", text, format="text")]


def _flag_or_text(value: str | None) -> str:
    return value or ""


class GraphirDirective(SphinxDirective):  # type: ignore[misc,valid-type]
    """``.. graphir::``: the content is one expression; the options say what to show."""

    has_content = True
    required_arguments = 0
    optional_arguments = 0
    final_argument_whitespace = True
    option_spec = ({
        "at": _flag_or_text, "mode": _flag_or_text, "wrt": _flag_or_text, "show": _flag_or_text,
        "alt": _flag_or_text, "caption": _flag_or_text, "name": directives.unchanged,
        "format": _flag_or_text, "python": directives.flag,
    } if nodes is not None else {})

    def run(self) -> list[Any]:
        options = {k: v for k, v in self.options.items() if k != "name"}
        if "python" in options:
            options["python"] = True
        try:
            spec = embed.read_options(options, "\n".join(self.content))
            folder = Path(self.config.graphir_conf_dir or self.env.srcdir)
            ex = embed.load(spec, folder)
        except Exception as exc:  # the writer's expression or code: say what, no trace
            raise self.error(f"graphir: {embed.error_text(exc)}") from None
        return self._nodes(spec, ex)

    def _picture(self, ex: embed.Example, spec: embed.Spec, kind: str) -> Any:
        from .bridges.json_io import to_json

        serial = self.env.new_serialno("graphir")
        wrt = ex.wrt
        if isinstance(wrt, dict):  # forward seeds: name -> tangent (a number or an array)
            wrt = {k: np.asarray(v).tolist() for k, v in wrt.items()}
        node = graphir_picture(kind=kind, expr=to_json(ex.expr), point=ex.point_json(), mode=ex.mode,
                               wrt=json.dumps(wrt), alt=ex.alt, title=ex.title, format=spec.format,
                               serial=serial, look=json.dumps(ex.look, sort_keys=True), name=ex.name)
        self.set_source_info(node)
        return node

    def _nodes(self, spec: embed.Spec, ex: embed.Example) -> list[Any]:
        box = nodes.container(classes=["graphir"])
        self.set_source_info(box)
        named: Any = box
        if "graph" in spec.show:
            pic = self._picture(ex, spec, "graph")
            if spec.caption:
                fig = nodes.figure("", pic, classes=["graphir-figure"])
                caption = nodes.caption(spec.caption, "", *self.parse_inline(spec.caption)[0])
                self.set_source_info(caption)
                fig += caption
                self.set_source_info(fig)
                box += fig
                named = fig
            else:
                box += pic
        for kind, write_html, write_latex, text in (
            ("trace", embed.trace_html, embed.trace_latex, lambda: str(ex.table)),
            ("chain", embed.chain_html, embed.chain_latex, lambda: "\n".join(ex.explanation.chain_lines())),
            ("paths", embed.paths_html, embed.paths_latex, lambda: "\n".join(_paths_lines(ex))),
            ("compare", embed.compare_html, embed.compare_latex,
             lambda: "\n".join(ex.explanation.comparison_markdown())),
        ):
            if kind in spec.show:
                box += _raw(write_html(ex), write_latex(ex), text())
        if "steps" in spec.show:
            box += self._picture(ex, spec, "steps")
        self.add_name(named)
        return [box]


def _paths_lines(ex: embed.Example) -> list[str]:
    return [s for ps in ex.explanation.path_sums for s in ex.explanation.paths_markdown(ps)]


def _conf_dir(app: Any, config: Any) -> None:
    if config.graphir_conf_dir is None and app.confdir is not None:
        config.graphir_conf_dir = str(app.confdir)


def _static(app: Any) -> None:
    """Serve graphir's style sheet (``graphir/static/graphir.css``) with the HTML pages."""
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app: Any) -> dict[str, Any]:
    """Register the ``graphir`` directive (Sphinx calls this for ``extensions = ["graphir.sphinxext"]``)."""
    if nodes is None:  # pragma: no cover
        raise ImportError("graphir.sphinxext needs Sphinx: pip install 'graphir[docs]'")
    from . import __version__

    def skip(self: Any, node: Any) -> None:
        pass

    app.add_node(graphir_picture, html=(visit_html, skip), latex=(visit_latex, skip),
                 text=(visit_text, skip), man=(visit_text, skip), texinfo=(visit_text, skip))
    app.add_directive("graphir", GraphirDirective)
    # where `:python:` code imports from: the folder of conf.py (set once the config is read)
    app.add_config_value("graphir_conf_dir", None, "", types=(str, type(None)))
    app.connect("config-inited", _conf_dir)
    app.connect("builder-inited", _static)
    app.add_css_file("graphir.css")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
