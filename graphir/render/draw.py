"""Drawing pictures to files: one picture, or the chain rule step by step.

:func:`render` writes SVG, PNG or PDF through Graphviz's ``dot`` program
(format from the file suffix or ``format``).  With ``steps=True`` it writes a
folder of frames (one per step, see :mod:`graphir.render.frames`) on a layout
computed once and pinned, an animated GIF and one self-contained HTML page
that steps through them.

>>> import graphir as gi, tempfile, pathlib
>>> x, y = gi.symbols("x y")
>>> out = pathlib.Path(tempfile.mkdtemp()) / "f.svg"
>>> [p.name for p in render((x + y) ** 2, out, at={"x": 2, "y": 3})]  # doctest: +SKIP
['f.svg']
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import RenderError
from . import style

__all__ = ["render", "run_graphviz", "FORMATS", "GRAPHVIZ_CALLS"]

#: Output formats :func:`render` writes (``dot`` writes the DOT source itself).
FORMATS = ("svg", "png", "pdf", "dot")

#: Number of Graphviz processes started by this module (for benchmarks and tests).
GRAPHVIZ_CALLS = [0]

_INSTALL = (
    "Graphviz's '{0}' program is not installed or not on PATH; install Graphviz "
    "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; conda: conda install graphviz)"
)


def run_graphviz(args: Sequence[str], source: bytes, cwd: str | Path | None = None) -> bytes:
    """Run a Graphviz program (``args[0]``: ``dot``, ``neato``) on DOT ``source``; its stdout.

    Raises :class:`~graphir.RenderError` when the program is missing or fails.
    """
    program = shutil.which(args[0])
    if program is None:
        raise RenderError(_INSTALL.format(args[0]))
    GRAPHVIZ_CALLS[0] += 1
    try:
        proc = subprocess.run(
            [program, *args[1:]], input=source, capture_output=True, cwd=cwd, check=False, timeout=300
        )
    except OSError as exc:
        raise RenderError(_INSTALL.format(args[0]) + f" ({exc})") from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"Graphviz '{args[0]}' took more than 300 s; draw a smaller part") from exc
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"Graphviz '{args[0]}' failed: {msg[-1] if msg else proc.returncode}")
    return proc.stdout


def output_format(path: Path, format: str | None) -> str:
    """The format to write: ``format``, else the suffix of ``path``; RenderError if unknown."""
    fmt = (format or path.suffix.lstrip(".")).lower()
    if not fmt:
        raise RenderError(
            f"cannot tell the format of {str(path)!r}: give a suffix (.svg, .png, .pdf) or format="
        )
    if fmt not in FORMATS:
        raise RenderError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


def graphviz_args(fmt: str) -> list[str]:
    """Command-line options for output format ``fmt``."""
    args = [f"-T{fmt}"]
    if fmt == "png":
        args.append(f"-Gdpi={style.PNG_DPI}")
    return args


def render(
    expr: Any,
    path: str | Path,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    steps: bool = False,
    format: str | None = None,  # noqa: A002 - the contract names it
    wrt: Any = None,
    *,
    max_nodes: int | None = style.MAX_NODES,
    partials: bool | None = None,
) -> list[Path]:
    """Draw the computation graph of ``expr`` to a file, or step by step to a folder.

    Parameters
    ----------
    expr : Expr or sequence of Expr
    path : str or Path
        The file to write; with ``steps=True`` a folder (created).
    at, mode, wrt, partials, max_nodes
        As in :func:`graphir.to_dot`.
    steps : bool
        Write one frame per step: the primal pass node by node, then the tangent
        (forward) or adjoint (reverse, the default) pass edge by edge; plus
        ``steps.gif`` and ``stepper.html``. Needs ``at``.
    format : {"svg", "png", "pdf", "dot"}, optional
        Default: the suffix of ``path``.  With ``steps=True`` the frames are
        always written as SVG and PNG; ``format="pdf"`` adds PDF frames.

    Returns
    -------
    list of Path
        Every file written.

    Examples
    --------
    >>> import graphir as gi, tempfile, pathlib
    >>> x1, x2 = gi.symbols("x1 x2")
    >>> f = gi.log(x1) + x1 * x2 - gi.sin(x2)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> paths = render(f, folder / "f.png", at={"x1": 2, "x2": 5}, mode="reverse")  # doctest: +SKIP
    """
    path = Path(path)
    if steps:
        from .frames import render_steps

        return render_steps(expr, path, at, mode or "reverse", wrt, format=format, max_nodes=max_nodes)
    fmt = output_format(path, format)
    from .dot import to_dot

    source = to_dot(expr, at, mode, wrt, partials=partials, max_nodes=max_nodes)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "dot":
        path.write_text(source, encoding="utf-8")
        return [path]
    data = run_graphviz(["dot", *graphviz_args(fmt)], source.encode("utf-8"))
    path.write_bytes(data)
    return [path]
