"""Running Graphviz: the one place a ``dot`` process is started.

:func:`run_graphviz` pipes DOT source through a Graphviz program and returns its
output, with a one-line :class:`~graphir.RenderError` when the program is missing
or fails; :func:`output_format` and :func:`graphviz_args` decide the format and
the command-line flags of each output format.

>>> output_format(__import__("pathlib").Path("f.svg"), None)
'svg'
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ..errors import RenderError
from . import style

__all__ = [
    "run_graphviz", "output_format", "graphviz_args", "without_dates", "svg_spaces", "finish",
    "FORMATS", "TEXT_FORMATS", "SUFFIXES", "RASTER",
]

#: Output formats :func:`render` writes (``dot`` writes the DOT source itself).
FORMATS = ("svg", "png", "pdf", "dot")

#: Formats :func:`render` writes as text without Graphviz's drawing: Mermaid and TikZ.
TEXT_FORMATS = ("mermaid", "tikz")

#: File suffixes that name a format other than themselves.
SUFFIXES = {"mmd": "mermaid", "mermaid": "mermaid", "tex": "tikz", "tikz": "tikz"}

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
    """The format to write: ``format``, else the suffix of ``path`` (``.mmd`` is Mermaid,
    ``.tex`` TikZ); RenderError if unknown.

    >>> output_format(Path("f.tex"), None), output_format(Path("f"), "Mermaid")
    ('tikz', 'mermaid')
    """
    fmt = (format or "").lower()
    if not fmt:
        suffix = path.suffix.lstrip(".").lower()
        fmt = SUFFIXES.get(suffix, suffix)
    if not fmt:
        raise RenderError(
            f"cannot tell the format of {str(path)!r}: "
            "give a suffix (.svg, .png, .pdf, .mmd, .tex) or format="
        )
    if fmt not in FORMATS + TEXT_FORMATS:
        raise RenderError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS + TEXT_FORMATS)}")
    return fmt


#: Formats drawn in pixels: only these get ``-Gdpi``.
RASTER = ("png",)


def graphviz_args(*formats: str, dpi: float = style.PNG_DPI) -> list[str]:
    """Command-line options of one Graphviz process writing ``formats``.

    The resolution (``-Gdpi``) is given to raster formats only: Graphviz applies it to
    every output of the process, and an SVG drawn with it has a ``viewBox`` in points
    but content scaled by dpi/72, which a browser clips.  So one process never writes
    raster and vector formats together (ValueError).

    >>> graphviz_args("svg", "pdf"), graphviz_args("png")
    (['-Tsvg', '-Tpdf'], ['-Tpng', '-Gdpi=110'])
    >>> graphviz_args("png", dpi=200)
    ['-Tpng', '-Gdpi=200']
    """
    raster = [f in RASTER for f in formats]
    if any(raster) and not all(raster):
        raise ValueError(f"one Graphviz process cannot write {', '.join(formats)}: split raster from vector")
    args = [f"-T{f}" for f in formats]
    if any(raster):
        args.append(f"-Gdpi={dpi}")
    return args


_PDF_DATE = re.compile(rb"/(?:CreationDate|ModDate)\s*\((?:[^()\\]|\\.)*\)")


def without_dates(data: bytes) -> bytes:
    """A PDF's bytes with its ``/CreationDate`` and ``/ModDate`` entries blanked out.

    Graphviz's cairo PDF records when it was drawn (``SOURCE_DATE_EPOCH`` does not
    change that in Graphviz 2.43), so the same picture gave other bytes each run.
    Each entry becomes as many spaces (whitespace between a dictionary's entries),
    so every byte offset of the cross-reference table stays right.

    >>> without_dates(b"<< /Producer (cairo) /CreationDate (D:20260101120000Z) >>")
    b'<< /Producer (cairo)                                   >>'
    """
    return _PDF_DATE.sub(lambda m: b" " * len(m.group(0)), data)


_EDGE_SPACES = re.compile(rb"(<text\b[^>]*>)( +)|( +)(</text>)")


def svg_spaces(data: bytes) -> bytes:
    """An SVG's bytes with the spaces at either end of a ``<text>`` made non-breaking.

    Graphviz writes a label line with a bold part as two ``<text>`` elements,
    ``<B>v₁</B>`` and `` = ln v₋₁``; SVG viewers drop the leading space of the second
    (whitespace collapses), so browsers showed ``v₁= ln v₋₁``.

    >>> svg_spaces(b'<text x="1"> = ln v</text><text>a </text>')
    b'<text x="1">&#160;= ln v</text><text>a&#160;</text>'
    """
    def sub(m: re.Match[bytes]) -> bytes:
        if m.group(1) is not None:
            return m.group(1) + b"&#160;" * len(m.group(2))
        return b"&#160;" * len(m.group(3)) + m.group(4)

    return _EDGE_SPACES.sub(sub, data)


def finish(data: bytes, fmt: str) -> bytes:
    """Graphviz's output in format ``fmt`` made reproducible (PDF dates) and browser-safe (SVG spaces)."""
    if fmt == "pdf":
        return without_dates(data)
    if fmt == "svg":
        return svg_spaces(data)
    return data
