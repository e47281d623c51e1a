"""Sphinx configuration of graphir's documentation site (``make docs``).

The pages are MyST Markdown.  Every worked example is computed at build time by
graphir's own directive (``graphir.sphinxext``), so the site cannot go stale;
``sphinx-build -W`` turns every warning into an error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# graphir from this checkout, the example scripts (``:python:`` imports them) and the docs-only
# extensions in _ext/.
for path in (ROOT, ROOT / "examples", DOCS / "_ext"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import graphir  # noqa: E402

project = "graphir"
author = "the graphir authors"
copyright = "the graphir authors"  # no year: the build is the same every day
version = release = graphir.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.imgmath",
    "graphir.sphinxext",
    "gallery",  # _ext/gallery.py: the thumbnails of the worked examples
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
highlight_language = "text"  # literal blocks of docstrings are text; code blocks name their language
exclude_patterns = ["_build", "mkdocs-example", "img/README.md"]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image"]
myst_heading_anchors = 4

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
# The docstrings write types in words ("an expression"): shown as written, not cross-referenced.
napoleon_use_param = False
napoleon_use_ivar = True

# Formulas drawn by LaTeX when the site is built (make docs installs it), as SVG: they show
# without a network (MathJax would come from a CDN) and the same on every reader's machine.
# imgmath's LaTeX file loads anyfontsize, which Debian's texlive-latex-base lacks: _tex/ holds a
# stand-in (the formulas are drawn at the document's 12pt, so no size needs scaling).
imgmath_image_format = "svg"
imgmath_font_size = 12
imgmath_use_preview = False
os.environ["TEXINPUTS"] = str(DOCS / "_tex") + os.pathsep + os.environ.get("TEXINPUTS", "")

try:
    import furo  # noqa: F401

    html_theme = "furo"
except ImportError:  # the site builds with Sphinx's own theme too
    html_theme = "alabaster"
html_title = f"graphir {release}"
html_static_path = ["_static"]
html_css_files = ["graphir-docs.css"]
html_last_updated_fmt = None
html_show_sourcelink = False


def setup(app: object) -> None:
    """```mermaid blocks (gi.to_mermaid's text, which GitHub draws) show as their text here."""
    from pygments.lexers.special import TextLexer

    app.add_lexer("mermaid", TextLexer)  # type: ignore[attr-defined]
