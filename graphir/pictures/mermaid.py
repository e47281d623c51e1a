"""A Mermaid ``flowchart`` of an expression's computation graph: the Graphviz picture's labels
as text, for Markdown that draws diagrams itself (GitHub, GitLab, mkdocs-material), no image file.

Nodes and edges are those of :func:`graphir.to_dot`, in its order and with its labels
(:func:`graphir.pictures.labels.static_looks`, read as plain text): a node's name and
formula, its value, its tangent or adjoint; one arrow per operand slot (``x*x`` has two),
labelled with the local partial derivative and the contribution that flows along it.
Inputs are stadiums, operations rounded boxes, the output a double-sided box, constants
plain boxes reached by dotted arrows; ``classDef`` colours follow the picture's.

>>> import graphir as gi
>>> print(to_mermaid(gi.parse("sin(x)")), end="")
flowchart LR
    accTitle: the computation graph of f = sin(x)
    n0(["v₀<br/>x"]):::var
    n1[["v₁ = sin v₀"]]:::output
    n0 --> n1
    classDef var fill:#d6eaf8,stroke:#0072b2,color:#000000
    classDef op fill:#ffffff,stroke:#4d4d4d,color:#000000
    classDef output fill:#fde3c8,stroke:#d55e00,stroke-width:2px,color:#000000
    classDef const fill:#eeeeee,stroke:#9a9a9a,color:#000000
    classDef data fill:#f4f4f4,stroke:#6f6f6f,color:#000000
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import style
from .dot import legend
from .labels import plain, static_looks
from .model import Picture, prepared

__all__ = ["to_mermaid", "mermaid_text"]

#: Mermaid's shape brackets of each node kind: (open, close).
SHAPES = {
    "input": ('(["', '"])'),
    "op": ('("', '")'),
    "output": ('[["', '"]]'),
    "const": ('["', '"]'),
    "data": ('[("', '")]'),
}

#: The class of each node kind (the issue's names: ``var``, ``op``, ``const``).
CLASSES = {"input": "var", "op": "op", "output": "output", "const": "const", "data": "data"}

# Characters Mermaid reads inside a quoted label, written as its entity codes.  ``#`` first:
# Mermaid's codes start with it.
_ENTITIES = (("#", "#35;"), ('"', "#quot;"), ("&", "#amp;"), ("<", "#lt;"), (">", "#gt;"))


def mermaid_text(text: str) -> str:
    """``text`` made safe inside a quoted Mermaid label (``"..."``): quotes, ``#``, ``&``,
    ``<`` and ``>`` as Mermaid's entity codes (brackets are safe between quotes).

    >>> mermaid_text('a "b" <c> #1 [d]')
    'a #quot;b#quot; #lt;c#gt; #35;1 [d]'
    """
    for ch, code in _ENTITIES:
        text = text.replace(ch, code)
    return text


def _label(lines: list[str]) -> str:
    return "<br/>".join(mermaid_text(plain(line)) for line in lines)


def _class_defs() -> list[str]:
    out = []
    for kind, cls in CLASSES.items():
        fill, border = style.COLORS[kind]
        width = ",stroke-width:2px" if kind == "output" else ""
        out.append(f"    classDef {cls} fill:{fill},stroke:{border}{width},color:#000000")
    return out


def _title(pic: Picture) -> str:
    from ..build import Expr
    from ..printing import to_text

    exprs = "; ".join(to_text(Expr(pic.graph, o), limit=160) for o in pic.outputs)
    title = f"{pic.output_name} = {exprs}" if len(pic.outputs) == 1 else exprs
    return f"the computation graph of {title}" + (f" at {pic.point_text()}" if pic.at is not None else "")


def _one_line(text: str) -> str:
    """An accessibility line: Mermaid ends it at a newline and reads ``;`` and ``%%`` itself."""
    return " ".join(text.replace("%%", "%").split())


def write_mermaid(pic: Picture, partials: bool, rankdir: str) -> str:
    """The Mermaid text of ``pic`` (see :func:`to_mermaid`)."""
    looks, elooks = static_looks(pic, partials)
    out = [f"flowchart {rankdir}", f"    accTitle: {_one_line(_title(pic))}"]
    key = legend(pic)
    if key is not None:
        # (Mermaid's arrows point the way values flow, also in reverse mode)
        words = plain(key.replace('<BR ALIGN="LEFT"/>', "; ")).replace(" (the arrows)", "")
        out.append(f"    accDescr: {_one_line(words).rstrip(';')}")
    for i in pic.nodes:
        k = pic.kind[i]
        start, end = SHAPES[k]
        out.append(f"    n{pic.dot_id(i)}{start}{_label(looks[i].lines)}{end}:::{CLASSES[k]}")
    for e, look in zip(pic.edges, elooks, strict=True):
        arrow = "-.->" if look.style == "dashed" else "-->"
        text = f'|"{_label(look.lines)}"|' if look.lines else ""
        out.append(f"    n{pic.dot_id(e.src)} {arrow}{text} n{pic.dot_id(e.dst)}")
    out.extend(_class_defs())
    return "\n".join(out) + "\n"


def to_mermaid(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    wrt: Any = None,
    *,
    name: str | None = None,
    compact: bool = False,
    cleanup: bool | None = None,
    partials: bool | None = None,
    rankdir: str | None = None,
    max_nodes: int | None = style.MAX_NODES,
) -> str:
    """A Mermaid ``flowchart`` of the computation graph of ``expr``, with the picture's labels.

    Paste it into a fenced ``mermaid`` code block of Markdown: GitHub, GitLab and
    mkdocs-material draw it, no image file needed.  The arguments are those of
    :func:`graphir.to_dot`: ``at`` shows values, ``mode`` tangents or adjoints and the local
    partials on the arrows; ``rankdir`` ``"LR"`` (default) or ``"TB"`` is the flowchart's
    direction.  In reverse mode the arrows still point the way values flow (Mermaid draws
    no arrow backwards); their labels carry the adjoint contributions.  ``accTitle`` and
    ``accDescr`` lines describe the graph for screen readers.  The same input gives the
    same text.

    >>> import graphir as gi
    >>> text = to_mermaid(gi.parse("x*x"), at={"x": 3}, mode="reverse")
    >>> text.count("n0 -->")  # one arrow per operand slot
    2
    >>> "v̄₀ = 6" in text
    True
    """
    pic, page, partials = prepared(expr, at, mode, wrt, max_nodes=max_nodes, name=name, compact=compact,
                                   cleanup=cleanup, partials=partials, rankdir=rankdir)
    return write_mermaid(pic, partials, page.rankdir)
