"""Markdown to HTML, for the documents graphir writes itself (a notebook shows them as HTML).

Only the Markdown graphir writes is read: headings, paragraphs, fenced code,
display math between ``$$`` lines, pipe tables (with their alignment row),
``-`` lists, and inline code, math, links, images, ``**bold**`` and ``*italic*``.
Math is kept as written (``$...$``, ``$$...$$``) for MathJax, which Jupyter and
its HTML export run on HTML output; everything else is escaped.  No id is
written, so several documents can share one page.

>>> md = "# Title\\n\\nSome `x*y` and $v_{1}$.\\n\\n| a | b |\\n|:--|--:|\\n| 1 | 2 |"
>>> print(markdown_html(md), end="")
<h1>Title</h1>
<p>Some <code>x*y</code> and $v_{1}$.</p>
<table>
<tr><th style="text-align:left">a</th><th style="text-align:right">b</th></tr>
<tr><td style="text-align:left">1</td><td style="text-align:right">2</td></tr>
</table>
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["markdown_html", "inline_html", "markdown_latex", "inline_latex", "latex_fit"]

#: ``image(src, alt)``: the markup for an image, or None for a plain ``<img>``.
ImageHook = Callable[[str, str], "str | None"]

_INLINE = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"
    r"|(?P<math>\$\$.+?\$\$|\$[^$\n]+?\$)"
    r"|!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*)\)"
    r"|\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*"
)
_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_ALIGN_ROW = re.compile(r"^\|?(\s*:?-+:?\s*\|)*\s*:?-+:?\s*\|?$")
_LIST_ITEM = re.compile(r"[-*] ")


def inline_html(text: str, image: ImageHook | None = None) -> str:
    """One line of Markdown as HTML: code, math (kept for MathJax), images, links, emphasis.

    >>> inline_html("**x1**: `a<b`, [page](p.html) and $a < b$")
    '<strong>x1</strong>: <code>a&lt;b</code>, <a href="p.html">page</a> and $a &lt; b$'
    """
    e = html.escape
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(e(text[pos:m.start()], quote=False))
        pos = m.end()
        if m["code"]:
            out.append(f"<code>{e(m['code_text'].strip(), quote=False)}</code>")
        elif m["math"]:
            out.append(e(m["math"], quote=False))
        elif m["src"] is not None:
            made = image(m["src"], m["alt"]) if image else None
            out.append(made if made is not None else f'<img src="{e(m["src"])}" alt="{e(m["alt"])}">')
        elif m["href"]:
            out.append(f'<a href="{e(m["href"])}">{inline_html(m["text"], image)}</a>')
        elif m["bold"]:
            out.append(f"<strong>{inline_html(m['bold'], image)}</strong>")
        else:
            out.append(f"<em>{inline_html(m['em'], image)}</em>")
    out.append(e(text[pos:], quote=False))
    return "".join(out)


def _cells(line: str) -> list[str]:
    """The cells of a table row: split at ``|`` outside math and code; ``\\|`` is a bar."""
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
    cells, cur, quote = [], [], ""
    k = 0
    while k < len(s):
        ch = s[k]
        if ch == "\\" and k + 1 < len(s) and s[k + 1] == "|":
            cur.append("|")
            k += 2
            continue
        if ch in "$`" and (not quote or quote == ch):
            quote = "" if quote else ch
        if ch == "|" and not quote:
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        k += 1
    cells.append("".join(cur).strip())
    return cells


def _table(lines: list[str], image: ImageHook | None) -> list[str]:
    rows = [_cells(line) for line in lines]
    aligns: list[str] = []
    if len(lines) > 1 and _ALIGN_ROW.match(lines[1].strip()):
        for c in rows.pop(1):
            right, left = c.endswith(":"), c.startswith(":")
            aligns.append("center" if left and right else "right" if right else "left")
    out = ["<table>"]
    for k, row in enumerate(rows):
        tag = "th" if k == 0 and aligns else "td"
        cells = []
        for j, c in enumerate(row):
            style = f' style="text-align:{aligns[j]}"' if j < len(aligns) else ""
            cells.append(f"<{tag}{style}>{inline_html(c, image)}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return out


def _starts_block(line: str) -> bool:
    s = line.strip()
    return (not s or s.startswith(("```", "|")) or s == "$$" or bool(_HEADING.match(s))
            or bool(_LIST_ITEM.match(s)))


def _fenced(lines: list[str], i: int, end: str) -> tuple[list[str], int]:
    """The lines after line ``i`` up to the closing ``end`` line, and the index after it."""
    body: list[str] = []
    i += 1
    while i < len(lines) and lines[i].strip() != end:
        body.append(lines[i])
        i += 1
    return body, i + 1


def _blocks(md: str) -> Iterator[tuple[str, Any]]:
    """The blocks of a Markdown document as graphir writes them: (kind, data) with kind
    ``code`` (language, lines), ``math`` (lines), ``heading`` (level, text), ``table``
    (lines), ``list`` (item texts) or ``para`` (text)."""
    lines = md.split("\n")
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if not s:
            i += 1
        elif s.startswith("```"):
            body, i = _fenced(lines, i, "```")
            yield "code", (s[3:].strip(), body)
        elif s == "$$":
            body, i = _fenced(lines, i, "$$")
            yield "math", body
        elif m := _HEADING.match(s):
            yield "heading", (len(m.group(1)), m.group(2))
            i += 1
        elif s.startswith("|"):
            start = i
            while i < len(lines) and lines[i].strip().startswith("|"):
                i += 1
            yield "table", lines[start:i]
        elif _LIST_ITEM.match(s):
            items = []
            while i < len(lines) and _LIST_ITEM.match(lines[i].strip()):
                items.append(lines[i].strip()[2:])
                i += 1
            yield "list", items
        else:
            para = [s]
            i += 1
            while i < len(lines) and not _starts_block(lines[i]):
                para.append(lines[i].strip())
                i += 1
            yield "para", " ".join(para)


def markdown_html(md: str, image: ImageHook | None = None) -> str:
    """The HTML of a Markdown document as graphir writes them (see the module's docstring).

    ``image(src, alt)`` may give the markup of each image (inline SVG, say); None keeps ``<img>``.
    """
    out: list[str] = []
    for kind, data in _blocks(md):
        if kind == "code":
            lang = f' class="language-{html.escape(data[0])}"' if data[0] else ""
            out.append(f"<pre><code{lang}>" + html.escape("\n".join(data[1]), quote=False) + "</code></pre>")
        elif kind == "math":
            out.append('<div class="math">$$' + html.escape("\n".join(data), quote=False) + "$$</div>")
        elif kind == "heading":
            out.append(f"<h{data[0]}>{inline_html(data[1], image)}</h{data[0]}>")
        elif kind == "table":
            out += _table(data, image)
        elif kind == "list":
            out += ["<ul>", *(f"<li>{inline_html(item, image)}</li>" for item in data), "</ul>"]
        else:
            out.append(f"<p>{inline_html(data, image)}</p>")
    return "\n".join(out) + "\n"


def latex_fit(body: str, height: str | None = None) -> str:
    r"""LaTeX of ``body`` (text-mode material) in a box at most as wide as the line (and at most
    ``height`` high, e.g. ``0.4\textheight``): a larger one is scaled down (``graphicx``'s
    ``\resizebox``), a smaller one kept as it is.

    >>> latex_fit("x").startswith("\\setbox0=\\hbox{x}")
    True
    """
    tall = "" if height is None else (f"\\ifdim\\dimexpr\\ht0+\\dp0\\relax>{height}"
                                      f"\\setbox0=\\hbox{{\\resizebox{{!}}{{{height}}}{{\\box0}}}}\\fi")
    return (f"\\setbox0=\\hbox{{{body}}}\\ifdim\\wd0>\\linewidth"
            f"\\setbox0=\\hbox{{\\resizebox{{\\linewidth}}{{!}}{{\\box0}}}}\\fi{tall}\\leavevmode\\box0")


def inline_latex(text: str, escape: Callable[[str], str]) -> str:
    r"""One line of Markdown as LaTeX text: ``**bold**``, ``*italic*`` and inline code
    (``\texttt``), math kept as written, link texts without their targets; the rest
    through ``escape`` (text to LaTeX, e.g. :func:`graphir.pictures.tikz.tex_text`).

    >>> inline_latex("**x1**: `a_b` and $v_{1}$", lambda s: s.replace("_", "\\_"))
    '\\textbf{x1}: \\texttt{a\\_b} and $v_{1}$'
    """
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(escape(text[pos:m.start()]))
        pos = m.end()
        if m["code"]:
            out.append(f"\\texttt{{{escape(m['code_text'].strip())}}}")
        elif m["math"]:
            out.append(m["math"])
        elif m["src"] is not None:
            out.append(escape(m["alt"]))
        elif m["href"]:
            out.append(inline_latex(m["text"], escape))
        elif m["bold"]:
            out.append(f"\\textbf{{{inline_latex(m['bold'], escape)}}}")
        else:
            out.append(f"\\emph{{{inline_latex(m['em'], escape)}}}")
    out.append(escape(text[pos:]))
    return "".join(out)


def _table_latex(lines: list[str], escape: Callable[[str], str]) -> list[str]:
    rows = [_cells(line) for line in lines]
    aligns = "l" * max(len(r) for r in rows)
    head = len(lines) > 1 and bool(_ALIGN_ROW.match(lines[1].strip()))
    if head:
        aligns = "".join("c" if c.startswith(":") and c.endswith(":") else "r" if c.endswith(":") else "l"
                         for c in rows.pop(1))
    body = [f"\\begin{{tabular}}{{{aligns}}}\\hline"]
    for k, row in enumerate(rows):
        cells = [inline_latex(c, escape) for c in row]
        if k == 0 and head:
            cells = [f"\\textbf{{{c}}}" if c else c for c in cells]
        body.append(" & ".join(cells) + (" \\\\ \\hline" if k == 0 and head else " \\\\"))
    body.append("\\hline\\end{tabular}")
    return ["\\begin{center}\\small", latex_fit("\n".join(body)), "\\end{center}"]


def markdown_latex(md: str, escape: Callable[[str], str]) -> str:
    r"""LaTeX (text mode, for a document that loads ``amsmath`` and ``graphicx``) of a
    Markdown document as graphir writes them: paragraphs, ``tabular`` tables (scaled down
    to the line's width when wider), ``itemize`` lists, code in ``verbatim``, math as
    written, headings as bold paragraphs; text through ``escape`` (see :func:`inline_latex`).

    >>> print(markdown_latex("Some `x`.\n\n- one", lambda s: s), end="")
    Some \texttt{x}.
    <BLANKLINE>
    \begin{itemize}
    \item one
    \end{itemize}
    """
    out: list[str] = []
    for kind, data in _blocks(md):
        if kind == "code":
            out.append("\\begin{verbatim}\n" + "\n".join(data[1]) + "\n\\end{verbatim}")
        elif kind == "math":
            out.append("\\[" + "\n".join(data) + "\\]")
        elif kind == "heading":
            out.append(f"\\paragraph{{{inline_latex(data[1], escape)}}}")
        elif kind == "table":
            out.append("\n".join(_table_latex(data, escape)))
        elif kind == "list":
            items = [f"\\item {inline_latex(item, escape)}" for item in data]
            out.append("\n".join(["\\begin{itemize}", *items, "\\end{itemize}"]))
        else:
            out.append(inline_latex(data, escape))
    return "\n\n".join(out) + "\n"
