"""Drawing pictures to files: one picture, or the chain rule step by step.

:func:`render` writes SVG, PNG or PDF through Graphviz's ``dot`` program, or the text of a
Mermaid flowchart or a TikZ document (format from the file suffix or ``format``).  With
``steps=True`` it writes a folder of frames (one per step, see :mod:`graphir.pictures.frames`)
on a layout computed once and pinned; by default SVG and PNG frames, an animated GIF and
one self-contained HTML page that steps through them, or only the format asked for (or,
for TikZ, one Beamer document with a slide per step).

>>> import graphir as gi, tempfile, pathlib
>>> x, y = gi.symbols("x y")
>>> out = pathlib.Path(tempfile.mkdtemp()) / "f.svg"
>>> [p.name for p in render((x + y) ** 2, out, at={"x": 2, "y": 3})]  # doctest: +SKIP
['f.svg']
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import RenderError
from ..files import write_file
from . import style
from .graphviz import SUFFIXES, TEXT_FORMATS, finish, graphviz_args, output_format, run_graphviz

__all__ = ["render", "picture_bytes"]


def render(
    expr: Any,
    path: str | Path,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    steps: bool = False,
    format: str | None = None,  # the public name (docs/); shadows the builtin here only
    wrt: Any = None,
    *,
    max_nodes: int | None = style.MAX_NODES,
    partials: bool | None = None,
    overwrite: bool = False,
    name: str | None = None,
    rankdir: str | None = None,
    font_size: float | None = None,
    dpi: float | None = None,
    compact: bool | None = None,
    cleanup: bool | None = None,
) -> list[Path]:
    """Draw the computation graph of ``expr`` to a file, or step by step to a folder.

    Parameters
    ----------
    expr : Expr or sequence of Expr
    path : str or Path
        The file to write (an existing file is replaced); with ``steps=True`` a
        folder (created), written under the rule of :mod:`graphir.files`: a
        missing, empty or graphir-written folder, else :class:`~graphir.OutputError`
        (but a TikZ file with ``steps=True``: see ``format``).
    at, mode, wrt, partials, max_nodes, name
        As in :func:`graphir.to_dot` (``name``: what keys and captions call the output).
    rankdir, font_size, compact, cleanup
        As in :func:`graphir.to_dot`: ``"LR"`` (default) or ``"TB"``; label size in points;
        constants inside their users' labels; draw ``gi.cleanup(expr)`` (default: for a
        derivative only).
    dpi : number, optional
        Resolution of PNG pictures and frames (default 110); vector formats ignore it.
    steps : bool
        Write one frame per step (``frame_000.svg``, ...): the primal pass node by
        node, then the tangent (forward) or adjoint (reverse, the default) pass
        edge by edge. Needs ``at``.
    format : {"svg", "png", "pdf", "dot", "mermaid", "tikz"}, optional
        Default: the suffix of ``path`` (``.mmd``: ``"mermaid"``, :func:`graphir.to_mermaid`'s
        flowchart; ``.tex``: ``"tikz"``, :func:`graphir.to_tikz`'s document that ``pdflatex``
        compiles).  With ``steps=True`` and ``"tikz"`` (or a ``.tex`` path), ``path`` is one
        file: a Beamer document with one slide per step; Mermaid has no steps
        (:class:`~graphir.RenderError`).  Otherwise, with ``steps=True`` it says which frames
        are written: none given, SVG and PNG frames, ``steps.gif`` (when Pillow is
        installed) and ``stepper.html``; ``"svg"``, SVG frames and ``stepper.html``
        (the page that steps through them); ``"png"``, PNG frames and ``steps.gif``;
        ``"pdf"``, PDF frames; ``"dot"``, each frame's DOT source, laid out already.
    overwrite : bool
        With ``steps=True``: write into a non-empty folder graphir did not write,
        replacing same-named files (no other file is removed).

    Returns
    -------
    list of Path
        Exactly the files written (besides a folder's manifest, ``.graphir-manifest.json``).

    Examples
    --------
    >>> import graphir as gi, tempfile, pathlib
    >>> x1, x2 = gi.symbols("x1 x2")
    >>> f = gi.log(x1) + x1 * x2 - gi.sin(x2)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> paths = render(f, folder / "f.png", at={"x1": 2, "x2": 5}, mode="reverse")  # doctest: +SKIP
    """
    path = Path(path)
    if steps and _text_format(path, format) is not None:
        if _text_format(path, format) == "mermaid":
            raise RenderError("a Mermaid flowchart has no steps: draw it without steps, or write TikZ "
                              "(a .tex file: a Beamer document, one slide per step) or a folder of frames")
        if at is None:
            raise RenderError("steps=True needs a point: pass at={'x': 2, ...}")
        from .tikz import to_tikz

        _no_font_size("tikz", font_size)
        text = to_tikz(expr, at, mode or "reverse", wrt, standalone=True, overlay=True, max_nodes=max_nodes,
                       name=name, rankdir=rankdir, compact=compact or False, cleanup=cleanup)
        return [write_file(path, text)]
    if steps:
        from .frames import render_steps

        return render_steps(expr, path, at, mode or "reverse", wrt, format=format, max_nodes=max_nodes,
                            overwrite=overwrite, name=name, page=style.page(rankdir, font_size, dpi, compact),
                            cleanup=cleanup)
    data = picture_bytes(expr, output_format(path, format), at, mode, wrt, partials=partials,
                         max_nodes=max_nodes, name=name, rankdir=rankdir, font_size=font_size, dpi=dpi,
                         compact=compact, cleanup=cleanup)
    return [write_file(path, data)]


def picture_bytes(
    expr: Any,
    fmt: str,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    wrt: Any = None,
    *,
    partials: bool | None = None,
    max_nodes: int | None = style.MAX_NODES,
    name: str | None = None,
    rankdir: str | None = None,
    font_size: float | None = None,
    dpi: float | None = None,
    compact: bool | None = None,
    cleanup: bool | None = None,
) -> bytes:
    """The bytes of the picture :func:`render` writes in format ``fmt`` (``"svg"``, ``"png"``,
    ``"pdf"``, ``"dot"``, ``"mermaid"`` or ``"tikz"``: a standalone document); the same input
    gives the same bytes.

    >>> import graphir as gi
    >>> picture_bytes(gi.parse("x + 1"), "dot")[:7]
    b'digraph'
    """
    from .dot import to_dot

    if fmt in TEXT_FORMATS:
        _no_font_size(fmt, font_size)
        style.page(dpi=dpi)  # checked, though a text format has no pixels
        if fmt == "mermaid":
            from .mermaid import to_mermaid

            text = to_mermaid(expr, at, mode, wrt, partials=partials, max_nodes=max_nodes, name=name,
                              rankdir=rankdir, compact=compact or False, cleanup=cleanup)
        else:
            from .tikz import to_tikz

            text = to_tikz(expr, at, mode, wrt, standalone=True, partials=partials, max_nodes=max_nodes,
                           name=name, rankdir=rankdir, compact=compact or False, cleanup=cleanup)
        return text.encode("utf-8")
    page = style.page(rankdir, font_size, dpi)
    source = to_dot(expr, at, mode, wrt, partials=partials, max_nodes=max_nodes, name=name,
                    rankdir=rankdir, font_size=font_size, compact=compact, cleanup=cleanup)
    if fmt == "dot":
        return source.encode("utf-8")
    return finish(run_graphviz(["dot", *graphviz_args(fmt, dpi=page.dpi)], source.encode("utf-8")), fmt)


def _text_format(path: Path, format: str | None) -> str | None:
    """``"mermaid"`` or ``"tikz"`` when ``format`` (else the suffix of ``path``) names one."""
    fmt = (format or SUFFIXES.get(path.suffix.lstrip(".").lower(), "")).lower()
    return fmt if fmt in TEXT_FORMATS else None


def _no_font_size(fmt: str, font_size: float | None) -> None:
    if font_size is not None:
        what = "Mermaid flowchart" if fmt == "mermaid" else "TikZ picture"
        raise RenderError(f"a font size applies to Graphviz pictures (svg, png, pdf) only; a {what} "
                          "takes the font of the page it is in")
