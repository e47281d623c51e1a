"""The docs site's gallery of worked examples: one thumbnail of each example's graph, drawn at build time.

A docs-only Sphinx extension (``conf.py`` puts ``docs/_ext`` on ``sys.path``), in the style of
``graphir.sphinxext``.  In MyST::

    ```{graphir-gallery}
    square_sum | square_sum | (x + y)² at (2, 3) | the smallest graph with a shared node
    ```

Each line is ``PAGE | SCRIPT | TITLE | WHAT``: the page (a document beside this one), the
example script in ``examples/`` (its ``build()`` gives the :class:`graphir.Explanation`), and
the words under the picture.  The thumbnail is the plain computation graph (no values: it has
to read small) as accessible inline SVG (:func:`graphir.to_svg`), laid out as the script lays
out its own pictures (``rankdir="TB"`` for the wide ones), linked to the page.  A bad line or
a script that fails stops the build with the file and line (``-W``).
"""

from __future__ import annotations

import importlib
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

import graphir as gi


def thumbnail(script: str, page: str) -> str:
    """The plain graph of ``examples/<script>.py``'s worked example, as inline SVG.

    >>> svg = thumbnail("square_sum", "square_sum")
    >>> svg.startswith("<svg") and 'role="img"' in svg and 'id="thumb-square_sum-' in svg
    True
    """
    explanation = importlib.import_module(script).build()
    look = {k: v for k, v in explanation.pictures.items() if k in ("rankdir", "compact", "font_size")}
    return gi.to_svg(explanation.expr, id_prefix=f"thumb-{page}-", **look)


class GalleryDirective(SphinxDirective):
    """``graphir-gallery``: a grid of linked thumbnails, one per content line."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        grid = nodes.container(classes=["graphir-gallery"])
        for offset, line in enumerate(self.content):
            if not line.strip():
                continue
            fields = [f.strip() for f in line.split("|")]
            if len(fields) != 4 or not all(fields[:3]):
                return [self.state.document.reporter.error(
                    f"graphir-gallery: want 'PAGE | SCRIPT | TITLE | WHAT', got {line!r}",
                    line=self.content_offset + offset + 1)]
            page, script, title, what = fields
            try:
                svg = thumbnail(script, page)
            except Exception as exc:  # any failure of the script stops the build, named
                return [self.state.document.reporter.error(
                    f"graphir-gallery: {script}: {type(exc).__name__}: {exc}",
                    line=self.content_offset + offset + 1)]
            grid += self._item(page, title, what, svg)
        return [grid]

    def _item(self, page: str, title: str, what: str, svg: str) -> nodes.Node:
        item = nodes.container(classes=["graphir-gallery-item"])
        heading = nodes.paragraph(classes=["graphir-gallery-title"])
        ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget=page,
                                    refexplicit=True, refdoc=self.env.docname)
        ref += nodes.inline(title, title)
        heading += ref
        item += heading
        item += nodes.raw("", f'<div class="graphir">{svg}</div>', format="html")
        item += nodes.paragraph(what, what, classes=["graphir-gallery-what"])
        return item


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("graphir-gallery", GalleryDirective)
    return {"version": gi.__version__, "parallel_read_safe": True, "parallel_write_safe": True}
