"""MkDocs (and any Python-Markdown site): a ``pymdownx.superfences`` custom fence.

In ``mkdocs.yml``::

    markdown_extensions:
      - pymdownx.superfences:
          custom_fences:
            - name: graphir
              class: graphir
              validator: !!python/name:graphir.mkdocs.validate
              format: !!python/name:graphir.mkdocs.fence_graphir

and in a page::

    ```graphir at="x1=2, x2=5" show="graph trace"
    ln(x1) + x1*x2 - sin(x2)
    ```

The fence's content is one expression (:func:`graphir.parse`); its options are the
directive's (:mod:`graphir.sphinxext`): ``at``, ``mode``, ``wrt``, ``show``, ``alt``,
``caption``.  It becomes inline accessible SVG (:func:`graphir.to_svg`) and, with
``at``, the trace table as HTML.  A bad option or expression stops the build with
graphir's message (pymdownx's ``SuperFencesException``); Graphviz runs on every build.

>>> validate("graphir", {"mode": "forward"}, {}, {}, None)
True
"""

from __future__ import annotations

from typing import Any

from . import embed
from .errors import GraphirError

__all__ = ["fence_graphir", "validate", "FENCE_OPTIONS"]

#: The options a fence takes (``python`` and ``name`` are the Sphinx directive's only).
FENCE_OPTIONS = ("at", "mode", "wrt", "show", "alt", "caption")


def _fail(message: str) -> Exception:
    try:
        from pymdownx.superfences import SuperFencesException
    except ImportError:  # pragma: no cover - the fence is only called by pymdownx
        return GraphirError(message)
    return SuperFencesException(f"graphir fence: {message}")


def validate(language: str, inputs: dict[str, Any], options: dict[str, Any], attrs: dict[str, Any],
             md: Any) -> bool:
    """The superfences validator: the fence's options, checked (a bad one stops the build).

    >>> options = {}
    >>> validate("graphir", {"at": "x=1", "show": "graph trace"}, options, {}, None), options["show"]
    (True, 'graph trace')
    """
    unknown = sorted(set(inputs) - set(FENCE_OPTIONS))
    if unknown:
        raise _fail(f"unknown option {unknown[0]!r}; the options are {', '.join(FENCE_OPTIONS)}")
    try:
        embed.read_options(inputs, "x")
    except GraphirError as exc:
        raise _fail(str(exc)) from None
    options.update(inputs)
    return True


def fence_graphir(source: str, language: str, css_class: str, options: dict[str, Any], md: Any,
                  **kwargs: Any) -> str:
    """The superfences format function: the fence's expression as inline SVG (and tables).

    >>> html = fence_graphir("x*y", "graphir", "graphir", {"at": "x=2, y=3"}, None)  # doctest: +SKIP
    >>> 'role="img"' in html and "<table" in html  # doctest: +SKIP
    True
    """
    try:
        spec = embed.read_options({k: v for k, v in options.items() if k in FENCE_OPTIONS}, source)
        ex = embed.load(spec)
        prefix = f"gi{embed.digest(source, repr(sorted(options.items())))}-"
        return embed.example_html(ex, spec, prefix)
    except GraphirError as exc:
        raise _fail(f"{exc} (in {source.strip()[:60]!r})") from None
