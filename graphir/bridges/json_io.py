"""Lossless JSON save and load of expressions.

The document lists the nodes the outputs depend on, operands before results::

    {"format": "graphir", "version": 1,
     "nodes": [{"id": 0, "op": "var", "name": "x"},
               {"id": 1, "op": "const", "value": 2.0},
               {"id": 2, "op": "mul", "args": [0, 1]}],
     "outputs": [2], "single": true}

Finite constants are JSON numbers (Python writes the shortest text that reads
back to the same double, ``-0.0`` included); ``inf``, ``-inf`` and ``nan`` are
the strings ``"inf"``, ``"-inf"`` and ``"nan"``.  The same expression always
gives the same text: nodes are numbered in graphir's topological order (by
level, then creation order; the variables in the order they were created, which
is the order loading gives them) and keys are sorted.  A node named with
``expr.named("u")`` carries ``"display_name": "u"``.

Arrays (version 2): a shaped variable carries ``"shape": [2, 3]``; a data node
``{"op": "data", "shape": [2, 3], "values": [...], "name": "X"}`` lists its
entries in C order as constants are written (every finite double exactly); an
operation with a parameter carries ``"param"``: an axis (``1`` or ``null``),
transpose axes or a shape (a list of ints), an index key (a list of ints and
``["slice", start, stop, step]``), or for ``unindex`` ``[key, shape]``, all
in graphir's normal form (non-negative, in range).  A document is written with
the lowest version that holds it: one without arrays is still version 1, which
every graphir reads.

Loading checks everything and raises :class:`~graphir.errors.GraphError`
saying what is wrong (not JSON, wrong format or version, a missing or
duplicate id, an unknown op, a wrong number of operands, an operand that does
not exist, a cycle...).  Nodes may come in any order; they are added in
topological order (Kahn's algorithm, iterative), so a chain of 100,000 nodes
loads in well under a second.

>>> import graphir as gi
>>> x, = gi.symbols("x,")
>>> text = to_json(2 * x)
>>> text.startswith('{"format": "graphir", "nodes": [{"id": 0, "name": "x", "op": "var"}')
True
>>> text.endswith('"outputs": [2], "single": true, "version": 1}')
True
>>> from_json(text) == 2 * x
True
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections.abc import Collection
from typing import Any

import numpy as np

from .. import primitives
from .. import shapes as sh
from ..build import Expr, expr_list, lift, variable_name_problem
from ..errors import GraphError, ShapeError
from ..ir import Data, Graph, cycle_message, display_name_problem
from ..traversal import topo_order

__all__ = ["to_json", "from_json", "FORMAT", "VERSION", "VERSIONS", "MAX_NESTING"]

FORMAT = "graphir"
VERSION = 2
#: The versions :func:`from_json` reads (1: scalars only; 2: shapes, data and parameters).
VERSIONS = (1, 2)

#: The deepest nesting of arrays and objects :func:`from_json` reads.  A graphir
#: document nests 3 deep (``{"nodes": [{"args": [...]}]}``); the limit leaves room for
#: fields to come and stops a hostile document long before Python's json reader
#: would run out of stack (it recurses once per level).
MAX_NESTING = 100

_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def _value_to_json(v: float) -> float | str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def to_json(exprs: Any) -> str:
    """The JSON text of an expression, or of a list of expressions sharing one graph.

    >>> import graphir as gi
    >>> x, y = gi.symbols("x y")
    >>> back = from_json(to_json([x * y, x + y]))
    >>> [str(e) for e in back]
    ['x*y', 'x + y']
    """
    items, single = expr_list(exprs)
    graph, roots = lift(*items)
    order = list(items[0].order if single else topo_order(graph, roots))
    # Variables are leaves (first in the order): listed in creation order, which
    # from_json reads back as their order.
    at = [k for k, i in enumerate(order) if graph.ops[i] == "var"]
    for k, i in zip(at, graph.in_creation_order(order[k] for k in at), strict=True):
        order[k] = i
    new_id = {old: k for k, old in enumerate(order)}
    ops, args, params = graph.ops, graph.args, graph.params
    shown = graph.display_names
    # Written by hand (the same text json.dumps(sort_keys=True) gives, checked by the
    # tests) because building 10^5 dicts first costs more than the writing itself.
    parts: list[str] = []
    arrays = False
    for k, i in enumerate(order):
        op = ops[i]
        if op == "var":
            shape = graph.shapes[i]
            extra = f', "shape": {json.dumps(shape)}' if shape else ""
            arrays = arrays or bool(shape)
            parts.append(f'{{"id": {k}, "name": {json.dumps(params[i])}, "op": "var"{extra}}}')
        elif op == "const":
            value = json.dumps(_value_to_json(params[i]))
            parts.append(f'{{"id": {k}, "op": "const", "value": {value}}}')
        elif op == "data":
            arrays = True
            parts.append(_data_to_json(k, params[i]))
        else:
            a = ", ".join([str(new_id[j]) for j in args[i]])
            label = f'"display_name": {json.dumps(shown[i])}, ' if i in shown else ""
            param = ""
            if primitives.get(op).has_param:
                arrays = True
                param = f', "param": {json.dumps(params[i])}'
            parts.append(f'{{"args": [{a}], {label}"id": {k}, "op": {json.dumps(op)}{param}}}')
    outputs = ", ".join(str(new_id[r]) for r in roots)
    return (
        f'{{"format": "{FORMAT}", "nodes": [{", ".join(parts)}], "outputs": [{outputs}], '
        f'"single": {"true" if single else "false"}, "version": {VERSION if arrays else 1}}}'
    )


def _data_to_json(k: int, d: Data) -> str:
    """The text of data node number ``k``: its name, shape and entries in C order."""
    values = json.dumps([_value_to_json(v) for v in d.array.ravel().tolist()])
    name = "" if d.name is None else f'"name": {json.dumps(d.name)}, '
    return f'{{"id": {k}, {name}"op": "data", "shape": {json.dumps(d.shape)}, "values": {values}}}'


# ---------------------------------------------------------------- loading


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _value_from_json(where: str, v: Any) -> float:
    if isinstance(v, str):
        if v in _NON_FINITE:
            return _NON_FINITE[v]
        raise GraphError(f'{where}: the value {v!r} is not a number (strings allowed: "inf", "-inf", "nan")')
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise GraphError(f"{where}: the value must be a number, got {type(v).__name__} {v!r}")
    try:
        return float(v)
    except OverflowError:
        raise GraphError(f"{where}: the value {v} is too large for a float") from None


def _check_node(k: int, node: Any, functions: Collection[str]) -> tuple[Any, str, tuple[Any, ...], Any]:
    """(id, op, args, param) of node number ``k`` of the list, checked on its own."""
    if not isinstance(node, dict):
        raise GraphError(f"nodes[{k}] must be an object, got {type(node).__name__}")
    if "id" not in node:
        raise GraphError(f"nodes[{k}] has no id")
    nid = node["id"]
    if not _is_int(nid):
        raise GraphError(f"nodes[{k}]: the id must be an integer, got {nid!r}")
    where = f"node {nid}"
    if "op" not in node:
        raise GraphError(f"{where} has no op")
    op = node["op"]
    if not isinstance(op, str):
        raise GraphError(f"{where}: the op must be a string, got {op!r}")
    raw_args = node.get("args", [])
    if not isinstance(raw_args, list):
        raise GraphError(f"{where} ({op}): args must be a list, got {type(raw_args).__name__}")
    args = tuple(raw_args)
    for pos, a in enumerate(args):
        if not _is_int(a):
            raise GraphError(f"{where} ({op}): operand {pos} must be a node id, got {a!r}")
    shown = node.get("display_name")
    if shown is not None:
        why = "a variable or constant has none" if op in primitives.LEAF_OPS else display_name_problem(shown)
        if why is not None:
            raise GraphError(f"{where} ({op}): {str(shown)[:80]!r} is not a valid display name: {why}")
    return nid, op, args, _check_param(where, op, node, args, functions)


def _check_param(
    where: str, op: str, node: dict[str, Any], args: tuple[Any, ...], functions: Collection[str]
) -> Any:
    """The name of a variable, the value of a constant, None for an operation (checked)."""
    if op == "var":
        name = node.get("name")
        if "name" not in node:
            raise GraphError(f"{where} (var) has no name")
        if not isinstance(name, str) or not name:
            raise GraphError(f"{where} (var): the name must be a non-empty string, got {name!r}")
        why = variable_name_problem(name, functions)
        if why is not None:
            raise GraphError(f"{where} (var): {name[:80]!r} is not a valid variable name: {why}")
        if args:
            raise GraphError(f"{where} (var): a variable takes no operands, got {len(args)}")
        return name, _read_shape(f"{where} (var)", node.get("shape", []))
    if op == "data":
        return _read_data(where, node, args, functions)
    if op == "const":
        if "value" not in node:
            raise GraphError(f"{where} (const) has no value")
        if args:
            raise GraphError(f"{where} (const): a constant takes no operands, got {len(args)}")
        return _value_from_json(f"{where} (const)", node["value"])
    return _op_param(where, op, node, args)


def _op_param(where: str, op: str, node: dict[str, Any], args: tuple[Any, ...]) -> Any:
    """The parameter of an operation (None for one without), its operand count checked."""
    p = primitives.PRIMITIVES.get(op)
    if p is None:
        raise GraphError(f"{where}: unknown op {op!r}")
    if "args" not in node:
        raise GraphError(f"{where} ({op}) has no args")
    if len(args) != p.arity and not (p.arity is None and args):
        raise GraphError(f"{where} ({op}): takes {p.arity or 'one or more'} operand(s), got {len(args)}")
    if not p.has_param:
        if node.get("param") is not None:
            raise GraphError(f"{where} ({op}): {op} takes no param")
        return None
    if "param" not in node:
        raise GraphError(f"{where} ({op}) has no param")
    return _tuples(node["param"])


def _tuples(v: Any) -> Any:
    """A JSON value with every list made a tuple (how graphir stores parameters)."""
    return tuple(_tuples(x) for x in v) if isinstance(v, list) else v


def _read_shape(where: str, raw: Any) -> tuple[int, ...]:
    if not isinstance(raw, list) or not all(_is_int(n) and n >= 0 for n in raw):
        raise GraphError(f"{where}: the shape must be a list of non-negative integers, got {str(raw)[:80]}")
    return tuple(raw)


def _read_data(where: str, node: dict[str, Any], args: tuple[Any, ...], functions: Collection[str]) -> Data:
    """The array of a data node: a valid name or none, a shape, and that many values."""
    if args:
        raise GraphError(f"{where} (data): a data node takes no operands, got {len(args)}")
    name = node.get("name")
    if name is not None:
        why = variable_name_problem(name, functions) if isinstance(name, str) else "it is not a string"
        if why is not None:
            raise GraphError(f"{where} (data): {str(name)[:80]!r} is not a valid name: {why}")
    shape = _read_shape(f"{where} (data)", node.get("shape"))
    values = node.get("values")
    if not isinstance(values, list) or len(values) != sh.size(shape):
        got = f"{len(values)} values" if isinstance(values, list) else type(values).__name__
        raise GraphError(f"{where} (data): 'values' must list the {sh.size(shape)} entries of shape {shape}, "
                         f"got {got}")
    array = np.array([_value_from_json(f"{where} (data)", v) for v in values], dtype=float)
    return Data(array.reshape(shape), name)


def from_json(text: str | bytes) -> Any:
    """The expression saved by :func:`to_json` (a list when a list was saved), in a new graph.

    Raises :class:`~graphir.errors.GraphError` saying what is wrong with a
    malformed document.

    >>> from_json('{"format": "graphir", "version": 3}')
    Traceback (most recent call last):
    ...
    graphir.errors.GraphError: unsupported graphir document version 3 (this graphir reads versions 1, 2)
    """
    doc = _read_document(text)
    table = _read_nodes(doc["nodes"])
    outputs, single = _read_outputs(doc, table)
    shown = {n["id"]: n["display_name"] for n in doc["nodes"] if n.get("display_name") is not None}
    graph, built = _build(table, shown)
    out = [Expr(graph, built[o]) for o in outputs]
    return out[0] if single else out


_Table = dict[int, tuple[Any, str, tuple[Any, ...], Any]]  # id -> (id, op, args, param)


def _read_document(text: str | bytes) -> dict[str, Any]:
    """The JSON object, checked to be a graphir document of this version with a list of nodes."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode(json.detect_encoding(text))
        except UnicodeDecodeError as exc:
            raise GraphError(f"not a JSON document: {exc}") from None
    if isinstance(text, str):
        _check_nesting(text)
    try:
        doc = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise GraphError(f"not a JSON document: {exc}") from None
    if not isinstance(doc, dict):
        raise GraphError(f"a graphir document is a JSON object, got {type(doc).__name__}")
    if doc.get("format") != FORMAT:
        raise GraphError(f"not a graphir document: format is {doc.get('format')!r}, expected {FORMAT!r}")
    version = doc.get("version")
    if version not in VERSIONS or isinstance(version, (bool, float)):
        raise GraphError(
            f"unsupported graphir document version {version!r} (this graphir reads versions "
            f"{', '.join(map(str, VERSIONS))})"
        )
    nodes = doc.get("nodes")
    if not isinstance(nodes, list):
        raise GraphError(f"'nodes' must be a list, got {type(nodes).__name__}")
    return doc


# A JSON string, closed or running to the end of the text (linear: no backtracking).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\(?:.|\Z)[^"\\]*)*(?:"|\Z)', re.DOTALL)


def _check_nesting(text: str) -> None:
    """GraphError when arrays and objects nest deeper than :data:`MAX_NESTING`, found
    before decoding: brackets outside strings, counted with NumPy.

    >>> _check_nesting("[" * 101 + "]" * 101)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphir.errors.GraphError: the document nests arrays and objects 101 deep; a graphir document ...
    """
    if "\\" in text:  # escaped quotes: strings found by a regular expression
        text = _JSON_STRING.sub('""', text)
    codes = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    opening = (codes == ord("[")) | (codes == ord("{"))
    brackets = np.flatnonzero(opening | (codes == ord("]")) | (codes == ord("}")))
    if len(brackets) <= MAX_NESTING:
        return
    # Without backslashes every quote opens or closes a string: a bracket after an odd
    # number of quotes is inside one.
    quotes = np.flatnonzero(codes == ord('"'))
    outside = brackets[np.searchsorted(quotes, brackets) % 2 == 0]
    depth = int(np.cumsum(np.where(opening[outside], 1, -1)).max(initial=0))
    if depth > MAX_NESTING:
        raise GraphError(
            f"the document nests arrays and objects {depth} deep; a graphir document nests at most "
            f"{MAX_NESTING} deep"
        )


def _read_nodes(nodes: list[Any]) -> _Table:
    """The nodes by id, each checked, with unique ids and operands that exist."""
    table: _Table = {}
    functions = primitives.call_names()
    for k, node in enumerate(nodes):
        nid, op, args, param = _check_node(k, node, functions)
        if nid in table:
            raise GraphError(f"duplicate node id {nid}")
        table[nid] = (nid, op, args, param)
    for nid, (_, op, args, _) in table.items():
        for pos, a in enumerate(args):
            if a not in table:
                raise GraphError(f"node {nid} ({op}): operand {pos} is node {a}, which does not exist")
    return table


def _read_outputs(doc: dict[str, Any], table: _Table) -> tuple[list[int], bool]:
    """The output ids and the ``single`` flag, checked against the nodes."""
    if "outputs" not in doc:
        raise GraphError("the document has no outputs")
    outputs = doc["outputs"]
    if not isinstance(outputs, list) or not outputs:
        raise GraphError(f"'outputs' must be a non-empty list of node ids, got {outputs!r}")
    for o in outputs:
        if not _is_int(o) or o not in table:
            raise GraphError(f"output {o!r} is not a node of the document")
    single = doc.get("single", False)
    if not isinstance(single, bool):
        raise GraphError(f"'single' must be true or false, got {single!r}")
    if single and len(outputs) != 1:
        raise GraphError(f"'single' is true but there are {len(outputs)} outputs")
    return outputs, single


def _build(table: _Table, shown: dict[int, str]) -> tuple[Graph, dict[int, int]]:
    """A new graph of the nodes (with the display names ``shown``, by document id), and
    document id -> node id; GraphError on a cycle.

    Kahn's algorithm: a node is built once all its operands are; among the nodes
    ready, the first in the document goes first, so a document already in
    topological order (as to_json writes it) is built in its own order.
    """
    users: dict[int, list[int]] = {}
    missing_ops: dict[int, int] = {}
    for nid, (_, _, args, _) in table.items():
        for a in args:
            users.setdefault(a, []).append(nid)
        missing_ops[nid] = len(args)
    position = {nid: k for k, nid in enumerate(table)}
    graph = Graph()
    built: dict[int, int] = {}
    ready = [(position[nid], nid) for nid in table if missing_ops[nid] == 0]
    heapq.heapify(ready)
    while ready:
        _, nid = heapq.heappop(ready)
        _, op, args, param = table[nid]
        try:
            built[nid] = _add_node(graph, op, [built[a] for a in args], param)
        except (ShapeError, TypeError, ValueError, OverflowError) as exc:
            raise GraphError(f"node {nid} ({op}): {exc}") from None
        if nid in shown:
            graph.display_names[built[nid]] = shown[nid]
        for u in users.get(nid, ()):
            missing_ops[u] -= 1
            if missing_ops[u] == 0:
                heapq.heappush(ready, (position[u], u))
    if len(built) != len(table):
        left = set(table) - set(built)
        edges = ((a, nid) for nid in left for a in table[nid][2] if a in left)
        raise GraphError(cycle_message(edges) or f"the nodes {sorted(left)[:10]} depend on each other")
    return graph, built


def _add_node(graph: Graph, op: str, args: list[int], param: Any) -> int:
    """The node read from a document; a parameter not in graphir's normal form for
    its operand's shape raises (ShapeError, TypeError or ValueError)."""
    if op == "var":
        return graph.var(param[0], shape=param[1])
    if op == "const":
        return graph.const(param)
    if op == "data":
        return graph.data(param)
    if primitives.get(op).has_param:
        shape = graph.shapes[args[0]]
        if _normal_param(op, param, shape) != param:
            raise ValueError(f"the param {str(param)[:80]} is not in normal form for shape {shape}")
    return graph.apply(op, *args, param=param)


def _normal_param(op: str, param: Any, shape: tuple[int, ...]) -> Any:
    """``param`` as graphir's builders would store it for an operand of ``shape``."""
    if op in ("sum", "logsumexp", "softmax"):
        return sh.normalize_axis(op, param, shape)
    if op == "transpose":
        axes = () if param is None else sorted(sh.normalize_axis(op, a, shape) for a in param)
        if param is not None and axes != list(range(len(shape))):
            raise ValueError(f"the axes {param} are no permutation of the axes of {shape}")
        return param
    if op == "index":
        return _normal_key(param, shape)
    if op == "unindex":
        if not (isinstance(param, tuple) and len(param) == 2):
            raise ValueError("the param of unindex is [key, shape]")
        full = sh.as_shape(param[1])
        return (_normal_key(param[0], full), full)
    return sh.as_shape(param)  # reshape, broadcast_to, sum_to


def _normal_key(key: Any, shape: tuple[int, ...]) -> Any:
    """A stored index key, normalised again against ``shape``."""
    if not isinstance(key, tuple):
        raise ValueError(f"an index key is a list, got {key!r}")
    items = []
    for k in key:
        if isinstance(k, tuple):
            if len(k) != 4 or k[0] != "slice":
                raise ValueError(f"a slice is [\"slice\", start, stop, step], got {list(k)}")
            items.append(slice(*k[1:]))
        else:
            items.append(k)
    return sh.normalize_key(tuple(items), shape)
