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
from collections.abc import Callable

__all__ = ["markdown_html", "inline_html"]

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


def markdown_html(md: str, image: ImageHook | None = None) -> str:
    """The HTML of a Markdown document as graphir writes them (see the module's docstring).

    ``image(src, alt)`` may give the markup of each image (inline SVG, say); None keeps ``<img>``.
    """
    lines = md.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if not s:
            i += 1
        elif s.startswith("```"):
            body, i = _fenced(lines, i, "```")
            lang = f' class="language-{html.escape(s[3:].strip())}"' if s[3:].strip() else ""
            out.append(f"<pre><code{lang}>" + html.escape("\n".join(body), quote=False) + "</code></pre>")
        elif s == "$$":
            body, i = _fenced(lines, i, "$$")
            out.append('<div class="math">$$' + html.escape("\n".join(body), quote=False) + "$$</div>")
        elif m := _HEADING.match(s):
            n = len(m.group(1))
            out.append(f"<h{n}>{inline_html(m.group(2), image)}</h{n}>")
            i += 1
        elif s.startswith("|"):
            start = i
            while i < len(lines) and lines[i].strip().startswith("|"):
                i += 1
            out += _table(lines[start:i], image)
        elif _LIST_ITEM.match(s):
            out.append("<ul>")
            while i < len(lines) and _LIST_ITEM.match(lines[i].strip()):
                out.append(f"<li>{inline_html(lines[i].strip()[2:], image)}</li>")
                i += 1
            out.append("</ul>")
        else:
            para = [s]
            i += 1
            while i < len(lines) and not _starts_block(lines[i]):
                para.append(lines[i].strip())
                i += 1
            out.append(f"<p>{inline_html(' '.join(para), image)}</p>")
    return "\n".join(out) + "\n"
