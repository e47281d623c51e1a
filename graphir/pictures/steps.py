"""The chain rule step by step as one object: frames in memory, a stepper for notebooks and pages.

:func:`steps` draws the frames of ``gi.render(expr, folder, at, steps=True)``
(one per step, see :mod:`graphir.pictures.frames`) as SVG text, without
writing files, and returns a :class:`Steps`: ``len()`` frames with their
captions, :attr:`Steps.html` (the self-contained stepper page), :meth:`Steps.save`
(the frames and the page into a folder) and Jupyter's display protocol, which
shows the stepper inline.  The stepper is plain HTML and a small script scoped
to its own element: it works offline, in static HTML exports of notebooks
(no widget, no kernel), and several steppers share a page.

>>> import graphir as gi
>>> s = steps(gi.parse("ln(x1) + x1*x2 - sin(x2)"), {"x1": 2, "x2": 5})  # doctest: +SKIP
>>> len(s), s.captions[10]  # doctest: +SKIP
(15, 'v̄₀ = v̄₃ · ∂v₃/∂v₀ = -1 · 0.284 = -0.284')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RenderError
from ..files import check_folder, write_folder
from ..numeric.report import mime_bundle
from . import style
from .frames import drawn_frames, page_title
from .html import stepper_fragment, stepper_html
from .svg import picture_words

__all__ = ["steps", "Steps"]


@dataclass(eq=False, repr=False)
class Steps:
    """The frames of one step-by-step rendering, in order.

    Attributes
    ----------
    title : what the frames show (``f = ... at x1 = 2, x2 = 5, step by step``).
    mode : ``"forward"`` or ``"reverse"``.
    svgs : one SVG document per frame, as Graphviz wrote it.
    captions : one plain-text caption per frame (also drawn under each picture).
    kinds : each frame's kind: ``"primal"``, ``"seed"``, ``"step"`` or ``"result"``.
    description : the graph in words (:func:`graphir.describe`), offered beside the frames.
    """

    title: str
    mode: str
    svgs: list[str]
    captions: list[str]
    kinds: list[str] = field(default_factory=list)
    description: str = ""

    def __len__(self) -> int:
        return len(self.svgs)

    def __repr__(self) -> str:
        return f"<Steps {self.mode} mode: {self.title}, {len(self)} frames>"

    @property
    def html(self) -> str:
        """The stepper as a page of its own (the ``stepper.html`` that :meth:`save` writes)."""
        return stepper_html(self.svgs, self.captions, self.title, self.mode, description=self.description)

    def to_html(self, prefix: str | None = None) -> str:
        """The stepper as one element to put inside another page (a notebook output, a docs
        page): controls, keys and ids scoped to it, so several share a page (``prefix``: put
        before every id, by default a hash of the content; see :func:`stepper_fragment`)."""
        return stepper_fragment(self.svgs, self.captions, self.title, self.mode,
                                description=self.description, prefix=prefix)

    @property
    def files(self) -> dict[str, bytes]:
        """What :meth:`save` writes, by name: ``frame_000.svg``, ... and ``stepper.html``."""
        out = {f"frame_{k:03d}.svg": svg.encode("utf-8") for k, svg in enumerate(self.svgs)}
        out["stepper.html"] = self.html.encode("utf-8")
        return out

    def save(self, folder: str | Path, overwrite: bool = False) -> list[Path]:
        """Write the SVG frames and ``stepper.html`` into ``folder``; return the paths written.

        The same files as ``gi.render(expr, folder, at, steps=True, format="svg")``, under the
        same rule (:mod:`graphir.files`): ``folder`` must be missing, empty or written by
        graphir, else :class:`~graphir.OutputError` with nothing written, unless
        ``overwrite=True`` (same-named files replaced, no other removed).
        """
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise RenderError(f"Steps.save writes a folder of frames, but {str(folder)!r} is a file")
        check_folder(folder, overwrite)
        return write_folder(folder, self.files, overwrite)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's display protocol: the stepper (HTML) and a line of text."""
        return mime_bundle({"text/plain": self.__repr__, "text/html": self.to_html}, include, exclude)


def steps(
    expr: Any,
    at: Mapping[Any, Any],
    mode: str = "reverse",
    wrt: Any = None,
    *,
    name: str | None = None,
    max_nodes: int | None = style.MAX_NODES,
    rankdir: str | None = None,
    font_size: float | None = None,
    compact: bool | None = None,
    cleanup: bool | None = None,
) -> Steps:
    """The chain rule of ``expr`` at ``at`` step by step, as a :class:`Steps` (frames in memory).

    The frames of :func:`graphir.render` with ``steps=True``: the primal pass node by node,
    the seed, the tangent (forward) or adjoint (reverse) pass edge by edge, the result.
    Options as in :func:`graphir.render`.  Needs Graphviz (:class:`~graphir.RenderError`
    without it).  In a notebook the result shows as the stepper.

    >>> import graphir as gi
    >>> s = steps(gi.parse("x*x"), {"x": 3})  # doctest: +SKIP
    >>> len(s), s.kinds[-1], "graphir-stepper" in s._repr_mimebundle_()["text/html"]  # doctest: +SKIP
    (5, 'result', True)
    """
    if at is None:
        raise RenderError("steps needs a point: pass at={'x': 2, ...}")
    page = style.page(rankdir, font_size, None, compact)
    pic, frames, files = drawn_frames(expr, at, mode, wrt, formats=("svg",), max_nodes=max_nodes, name=name,
                                      page=page, cleanup=cleanup)
    return Steps(
        title=page_title(pic),
        mode=pic.mode or "",
        svgs=[data.decode("utf-8") for data in files.values()],
        captions=[f.caption for f in frames],
        kinds=[f.kind for f in frames],
        description=picture_words(pic)[1],
    )
