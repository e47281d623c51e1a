"""The picture as one accessible SVG string, for HTML pages, notebooks and docs.

:func:`to_svg` draws the same picture as :func:`graphir.render` (the same DOT, laid
out by Graphviz) and post-processes Graphviz's SVG: the root says ``role="img"`` and
points (``aria-labelledby``, ``aria-describedby``) at a ``<title>`` (one line:
:func:`graphir.text.describe.title_text`) and a ``<desc>`` (the graph in words:
:func:`graphir.text.describe.describe`); every node and edge group gets ``class``
names (``node var``, ``node op``, ``node op output``, ``node const``, ``node data``;
``edge operand`` plus ``adjoint`` or ``tangent`` when derivatives flow along it,
``constant`` from a constant or data) and a tooltip (the ``<title>`` child browsers
show on hover) with full-precision values; every ``id`` and every reference to one
(``href="#…"``, ``url(#…)``) is prefixed per picture, so several SVGs share a page.

The XML declaration, DOCTYPE and Graphviz's comments are left out: the string can go
inside HTML as it is, and still parses as XML.

>>> import graphir as gi
>>> svg = to_svg(gi.parse("x*sin(x)"), at={"x": 2}, mode="reverse")  # doctest: +SKIP
>>> svg.startswith("<svg") and 'role="img"' in svg  # doctest: +SKIP
True
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..arguments import variables_of
from ..build import Expr
from ..errors import ArgumentError
from ..printing import full_number
from ..text.describe import describe, title_text
from . import style
from .dot import legend, write_dot
from .graphviz import finish, run_graphviz
from .labels import static_looks
from .model import EdgeView, Picture, prepared

__all__ = ["to_svg", "NODE_CLASSES"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_Q = f"{{{SVG_NS}}}"

#: The ``class`` names of a node group, by the picture's kind of node (after ``node``).
NODE_CLASSES = {"input": "var", "op": "op", "output": "op output", "const": "const", "data": "data"}

_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_URL = re.compile(r"url\(#([^)]+)\)")


def _full(v: Any) -> str:
    """Every digit: ``0.6931471805599453``, ``2`` (not ``2.0``), an array's entries likewise."""
    if np.ndim(v):
        return np.array2string(np.asarray(v, dtype=float), separator=", ", floatmode="unique",
                               max_line_width=10**6, threshold=64)
    s = full_number(v)
    return s[:-2] if s.endswith(".0") else s


def node_tooltip(pic: Picture, i: int) -> str:
    """``v₁ = ln v₋₁ = 0.6931471805599453, adjoint v̄₁ = 1``: the node's formula, its value and
    (with a mode) its final tangent or adjoint, at full precision."""
    g = pic.graph
    k = pic.kind[i]
    if k == "const":
        return f"constant {_full(g.params[i])}"
    if k == "data":
        head = f"{pic.names[i]} (data {pic.shape_of(i)}) = {_full(g.params[i].array)}"
    elif k == "input":
        head = f"{pic.names[i]} = {g.params[i]}"
    else:
        head = f"{pic.names[i]} = {pic.formula(i)}"
    if k != "data" and pic.at is not None:
        head += f" = {_full(pic.values[i])}"
    if k == "output":
        head = f"output {pic.output_name}: {head}" if len(pic.outputs) == 1 else f"output: {head}"
    if pic.result is not None and i in pic.shows_derivative:
        d = pic.deriv_node(i)
        if pic.at is not None:
            value = _full(0.0 if d is None else pic.values[d])
        else:
            value = "0" if d is None else pic.expr_text(d)
        head += f", {pic.deriv_kind} {pic.name(i, pic.deriv_kind)} = {value}"
    return head


def edge_tooltip(pic: Picture, e: EdgeView, contribution: Any = None) -> str:
    """``v₋₁ → v₁ (operand 1); ∂v₁/∂v₋₁ = 1/v₋₁ = 0.5; adjoint contribution 1 · 0.5 = 0.5``."""
    text = f"{pic.names.get(e.src, pic.expr_text(e.src))} → {pic.names[e.dst]} (operand {e.operand + 1})"
    if e.partial is not None:
        formula = pic.expr_text(e.partial)
        text += f"; {pic.partial_name(e)} = {formula}"
        if pic.at is not None:
            text += f" = {_full(pic.values[e.partial])}"
    if contribution is not None and pic.at is not None:
        v = pic.values
        s = contribution
        if s.partial is not None and not np.ndim(v[s.contribution]):
            text += (f"; {pic.deriv_kind} contribution {_full(v[s.incoming])} · {_full(v[s.partial])}"
                     f" = {_full(v[s.contribution])}")
        else:
            text += f"; {pic.deriv_kind} contribution {_full(v[s.contribution])}"
    return text


def _edge_class(pic: Picture, e: EdgeView) -> str:
    if not e.carries:
        return "edge operand constant"
    if pic.result is not None and e.src in pic.shows_derivative:
        return f"edge operand {pic.deriv_kind}"
    return "edge operand"


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    """Prefix every ``id`` and every reference to one (``#id`` in ``href``, ``url(#id)``)."""
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for el in root.iter():
        for key, value in list(el.attrib.items()):
            if key == "id":
                el.set(key, prefix + value)
            elif key in ("href", f"{{{XLINK_NS}}}href") and value.startswith("#") and value[1:] in ids:
                el.set(key, "#" + prefix + value[1:])
            elif "url(#" in value:
                el.set(key, _URL.sub(lambda m: f"url(#{prefix}{m.group(1)})" if m.group(1) in ids
                                     else m.group(0), value))


def _set_title(group: ET.Element, text: str) -> None:
    title = group.find(f"{_Q}title")
    if title is None:
        title = ET.Element(f"{_Q}title")
        group.insert(0, title)
    title.text = text


def _annotate(root: ET.Element, pic: Picture) -> None:
    """Classes and tooltips on Graphviz's node and edge groups (found by the DOT ids)."""
    by_id: dict[str, tuple[str, str]] = {}
    for i in pic.nodes:
        by_id[f"n{pic.dot_id(i)}"] = (f"node {NODE_CLASSES[pic.kind[i]]}", node_tooltip(pic, i))
    steps = {}
    if pic.result is not None:
        steps = {(s.node, s.operand): s for s in pic.result.steps}
    for e in pic.edges:
        by_id[e.id] = (_edge_class(pic, e), edge_tooltip(pic, e, steps.get((e.dst, e.operand))))
    for el in root.iter(f"{_Q}g"):
        found = by_id.get(el.get("id", ""))
        if found is not None:
            el.set("class", found[0])
            _set_title(el, found[1])
        elif el.get("class") == "graph":
            title = el.find(f"{_Q}title")
            if title is not None:  # Graphviz's "graphir": the root's title says it
                el.remove(title)


def picture_words(pic: Picture) -> tuple[str, str]:
    """The title (:func:`~graphir.text.describe.title_text`) and the description in words
    (:func:`~graphir.text.describe.describe`) of what picture ``pic`` shows."""
    drawn = [Expr(pic.graph, o) for o in pic.outputs]
    named = pic.output_name
    word_name = named if named.isidentifier() and named not in variables_of(drawn) else None
    wrt: Any = pic.wrt
    if pic.mode == "forward" and pic.result is not None and pic.at is not None:
        g = pic.graph
        wrt = {g.params[i]: pic.values[s] for i, s in pic.result.seeds.items() if g.ops[i] == "var"}
    return (title_text(drawn, pic.at, pic.mode, name=word_name),
            describe(drawn, pic.at, pic.mode, wrt if pic.mode else None, name=word_name))


def _check_prefix(id_prefix: str | None) -> None:
    if id_prefix is not None and not (isinstance(id_prefix, str) and _PREFIX.match(id_prefix)):
        raise ArgumentError(f"id_prefix must start with a letter or _ and hold only letters, digits, "
                            f"'_', '-' and '.', got {id_prefix!r}")


def to_svg(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    mode: str | None = None,
    wrt: Any = None,
    *,
    name: str | None = None,
    compact: bool | None = None,
    cleanup: bool | None = None,
    id_prefix: str | None = None,
    partials: bool | None = None,
    max_nodes: int | None = style.MAX_NODES,
    rankdir: str | None = None,
    font_size: float | None = None,
) -> str:
    """The computation graph of ``expr`` as one self-contained, accessible SVG string.

    The picture :func:`graphir.render` draws (same arguments), with ``role="img"``, a
    ``<title>`` and a ``<desc>`` (the graph in words, :func:`graphir.text.describe.describe`),
    ``class`` names on nodes (``var``, ``op``, ``output``, ``const``, ``data``) and edges
    (``operand``; ``adjoint``/``tangent`` when derivatives flow along it; ``constant``),
    tooltips with full-precision values, and every id prefixed.

    Parameters
    ----------
    expr, at, mode, wrt, name, compact, cleanup, partials, max_nodes, rankdir, font_size
        As in :func:`graphir.to_dot`.
    id_prefix : str, optional
        Put before every id (``"fig1-"``).  Default: ``gi-`` and a hash of the picture,
        so different pictures on one page never share an id (the same picture twice
        does: give each its own prefix).

    Returns
    -------
    str
        ``<svg ...>...</svg>`` without XML declaration; the same input gives the same text.
        Raises :class:`~graphir.RenderError` when Graphviz is missing.

    Examples
    --------
    >>> import graphir as gi
    >>> x1, x2 = gi.symbols("x1 x2")
    >>> svg = to_svg(gi.log(x1) + x1 * x2 - gi.sin(x2), at={x1: 2, x2: 5}, mode="reverse")  # doctest: +SKIP
    >>> "∂y/∂x1 = 5.5" in svg  # doctest: +SKIP
    True
    """
    _check_prefix(id_prefix)
    pic, page, partials = prepared(expr, at, mode, wrt, max_nodes=max_nodes, name=name, compact=compact,
                                   cleanup=cleanup, partials=partials, rankdir=rankdir, font_size=font_size)
    looks, elooks = static_looks(pic, partials)
    source = write_dot(pic, looks, elooks, legend(pic), page=page)  # what to_dot writes
    raw = finish(run_graphviz(["dot", "-Tsvg"], source.encode("utf-8")), "svg")
    root = ET.fromstring(raw)
    title, desc = picture_words(pic)
    _annotate(root, pic)
    prefix = id_prefix if id_prefix is not None else "gi-" + hashlib.sha256(raw).hexdigest()[:10] + "-"
    _prefix_ids(root, prefix)
    t = ET.Element(f"{_Q}title", {"id": f"{prefix}title"})
    t.text = title
    d = ET.Element(f"{_Q}desc", {"id": f"{prefix}desc"})
    d.text = desc
    t.tail = d.tail = "\n"
    root.insert(0, d)
    root.insert(0, t)
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}title")
    root.set("aria-describedby", f"{prefix}desc")
    root.set("class", "graphir")
    return _serialize(root)


def _serialize(root: ET.Element) -> str:
    """The tree as text with ``xmlns`` on the root and plain names (``<g>``, ``xlink:href``):
    ElementTree would write ``ns0:`` prefixes, and its ``default_namespace`` refuses
    unprefixed attributes."""
    xlink = False
    for el in root.iter():
        el.tag = el.tag.removeprefix(_Q)
        for key in [k for k in el.attrib if k.startswith(f"{{{XLINK_NS}}}")]:
            el.set("xlink:" + key.split("}", 1)[1], el.attrib.pop(key))
            xlink = True
    attrs = {"xmlns": SVG_NS, **({"xmlns:xlink": XLINK_NS} if xlink else {}), **root.attrib}
    root.attrib.clear()
    root.attrib.update(attrs)
    return ET.tostring(root, encoding="unicode") + "\n"
