"""The intermediate representation: an append-only table of interned nodes.

A :class:`Graph` stores node ``i`` as ``ops[i]`` (``"var"``, ``"const"``,
``"data"`` or a primitive name), ``args[i]`` (operand node ids, in order),
``params[i]`` (the name of a variable, the float of a constant, the
:class:`Data` of a data array, an operation's parameter such as a reduction's
axis, else ``None``) and ``shapes[i]`` (the node's static shape, ``()`` for a
scalar, computed by the primitive's shape rule when the node is built).  A
node's operands always exist before it, so ids are a topological order.  Nodes
are interned: building a node that exists returns its id, so structurally
identical subexpressions are one node.  Variables are keyed by name, constants
by bit pattern (:func:`const_key`: ``-0.0`` stays apart from ``0.0``, and each nan
payload from the others), data arrays by name, shape and bytes.

Two side tables ride along, outside interning (they change no value and no
structure): each variable's *creation stamp* (from one process-wide counter, so
variables sort in the order they were created, whichever graph they were merged
into; :meth:`Graph.copy_from` keeps the stamp) and the *display names* given
with ``expr.named("u")`` (node id -> text, used by pictures and text only).

Nothing is ever removed or rewritten, so many expressions can share one graph
and an expression's meaning never changes.  The one exception is explicit: a
node stores its op's *name*, and passes look the record up in
:data:`graphir.PRIMITIVES` when they run.  Built-in records never change, but a
user's primitive registered again with ``register_primitive(..., replace=True)``
changes what every graph already holding it computes, and after
``unregister_primitive`` those graphs raise :class:`GraphError` (unknown op).

>>> g = Graph()
>>> x = g.var("x")
>>> g.apply("mul", x, x) == g.apply("mul", x, x)
True
>>> g.args[g.apply("mul", x, x)]
(0, 0)
"""

from __future__ import annotations

import hashlib
import itertools
import struct
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx
import numpy as np

from . import primitives
from .errors import GraphError, ShapeError
from .shapes import Shape

__all__ = [
    "Graph",
    "Data",
    "validate",
    "to_networkx",
    "cycle_message",
    "display_name_problem",
    "const_key",
]

# Creation stamps of variables: one counter for the whole process, so "created
# before" means the same in every graph.
_STAMPS = itertools.count()


_PACK = struct.Struct("<d").pack


def const_key(value: float) -> tuple[str, Any]:
    """The interning key of the constant ``value``: one key per bit pattern.

    A float that is neither zero nor nan is its own key (equal floats have equal bits);
    ``0.0``, ``-0.0`` and each nan are keyed by their 8 bytes, so they stay apart.

    >>> const_key(2.0), const_key(0.0) == const_key(-0.0), const_key(float("nan"))[1]
    (('const', 2.0), False, b'\\x00\\x00\\x00\\x00\\x00\\x00\\xf8\\x7f')
    """
    if value != 0.0 and value == value:
        return ("const", value)
    return ("const", _PACK(value))


def display_name_problem(text: Any) -> str | None:
    """Why ``text`` cannot be a display name (``expr.named(text)``), or None when it can.

    Any script is allowed; a display name is one line of at most 40 characters.

    >>> display_name_problem("θ₁"), display_name_problem("a\\nb")
    (None, 'it holds a control character (a display name is one line)')
    """
    if not isinstance(text, str):
        return f"a display name is a string, got {type(text).__name__}"
    if not text.strip():
        return "it is empty"
    if len(text) > 40:
        return f"it has {len(text)} characters (at most 40)"
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in text):
        return "it holds a control character (a display name is one line)"
    if text != text.strip():
        return "it starts or ends with a space"
    return None


class Data:
    """The array of a data node: a read-only float copy and the name it is shown by
    (``None`` for an unnamed array).  Equal when name, shape and every bit are equal.

    >>> Data(np.arange(3.0), "X") == Data([0, 1, 2], "X"), Data([1.0], None).shape
    (True, (1,))
    """

    __slots__ = ("array", "name", "_key")

    def __init__(self, array: Any, name: str | None = None):
        a = np.array(array, dtype=float)
        a.flags.writeable = False
        self.array = a
        self.name = name
        self._key = (name, a.shape, hashlib.sha1(a.tobytes()).hexdigest())

    @property
    def shape(self) -> Shape:
        return self.array.shape

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Data) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return f"Data({self.name or 'array'}, shape={self.shape})"


class Graph:
    """Append-only node table with interning."""

    __slots__ = (
        "ops",
        "args",
        "params",
        "shapes",
        "_index",
        "_by_op",
        "stamps",
        "display_names",
        "_digests",
        "__weakref__",
    )

    def __init__(self) -> None:
        self.ops: list[str] = []
        self.args: list[tuple[int, ...]] = []
        self.params: list[Any] = []
        #: node id -> static shape (``()`` for a scalar)
        self.shapes: list[Shape] = []
        #: interning of leaves: ("var", name), const_key(value), ("data", Data) -> id
        self._index: dict[tuple[Any, ...], int] = {}
        #: interning of operations: op -> {args (or (args, param) with a parameter) -> id}; the
        #: key of a node without parameter is its own operand tuple (no second object per node)
        self._by_op: dict[str, dict[Any, int]] = {}
        #: variable node id -> creation stamp (smaller: created earlier)
        self.stamps: dict[int, int] = {}
        #: node id -> display name given with ``expr.named(...)``
        self.display_names: dict[int, str] = {}
        #: structural digests of nodes 0, 1, ... (:meth:`digest`), computed on demand
        self._digests: list[int] = []

    def __len__(self) -> int:
        return len(self.ops)

    def _add(
        self, key: tuple[Any, ...], op: str, args: tuple[int, ...], param: Any, shape: Shape = ()
    ) -> int:
        i = self._index.get(key)
        if i is None:
            i = len(self.ops)
            self.ops.append(op)
            self.args.append(args)
            self.params.append(param)
            self.shapes.append(shape)
            self._index[key] = i
        return i

    def var(self, name: str, stamp: int | None = None, shape: Shape = ()) -> int:
        """Id of the variable ``name`` (created on first use; :meth:`find_var` only looks).

        A new variable gets the creation stamp ``stamp`` (a copy keeps its
        original's), else the next one of the process; an existing one keeps its own.
        A variable holds a scalar (``shape=()``) or an array of exactly ``shape``;
        the same name with another shape raises :class:`~graphir.errors.ShapeError`.
        """
        n = len(self.ops)
        i = self._add(("var", name), "var", (), name, shape)
        if i == n:
            self.stamps[i] = next(_STAMPS) if stamp is None else stamp
        elif self.shapes[i] != shape:
            raise ShapeError(
                f"variable {name!r} has shape {self.shapes[i]} in one expression and {shape} in another"
            )
        return i

    def stamp(self, i: int) -> int:
        """The creation stamp of variable node ``i`` (variables sort by it: :meth:`in_creation_order`)."""
        return self.stamps.get(i, -1)

    def in_creation_order(self, ids: Iterable[int]) -> list[int]:
        """The variable nodes among ``ids``, in the order they were created.

        >>> g = Graph(); y = g.var("y"); h = Graph(); x = h.var("x"); z = h.var("z")
        >>> [g.params[i] for i in g.in_creation_order(g.copy_from(h, [z, x]).values())]
        ['x', 'z']
        >>> [g.params[i] for i in g.in_creation_order(range(len(g)))]
        ['y', 'x', 'z']
        """
        ops = self.ops
        return sorted((i for i in ids if ops[i] == "var"), key=lambda i: (self.stamps.get(i, -1), i))

    def display_name(self, i: int) -> str | None:
        """The display name of node ``i`` (given with ``expr.named``), else None."""
        return self.display_names.get(i)

    def find_var(self, name: str) -> int | None:
        """Id of the variable ``name``, or None when the graph has none (nothing is created).

        >>> g = Graph(); x = g.var("x")
        >>> g.find_var("x") == x, g.find_var("y"), len(g)
        (True, None, 1)
        """
        return self._index.get(("var", name))

    def is_var(self, i: int) -> bool:
        """Whether node ``i`` is a variable."""
        return self.ops[i] == "var"

    def name(self, i: int) -> str | None:
        """The name of node ``i`` when it is a variable, else None."""
        return self.params[i] if self.ops[i] == "var" else None

    def const(self, value: float) -> int:
        """Id of the constant ``value`` (a float; one node per bit pattern)."""
        value = float(value)
        key = ("const", value) if value != 0.0 and value == value else ("const", _PACK(value))
        return self._add(key, "const", (), value)

    def data(self, value: Any, name: str | None = None) -> int:
        """Id of a data array (never differentiated), shown by ``name`` when it has one.

        >>> g = Graph(); i = g.data([[1.0, 2.0]], "X")
        >>> g.shapes[i], g.data([[1.0, 2.0]], "X") == i
        ((1, 2), True)
        """
        d = value if isinstance(value, Data) else Data(value, name)
        return self._add(("data", d), "data", (), d, d.shape)

    def apply(self, op: str, *args: int, param: Any = None) -> int:
        """Id of ``op(*args)`` (with the op's parameter ``param``, such as a reduction's
        axis); the operands must be ids of this graph.  The node's shape comes from the
        primitive's shape rule, which raises :class:`~graphir.errors.ShapeError` when the
        operands' shapes do not fit."""
        key = args if param is None else (args, param)
        table = self._by_op.get(op)
        if table is not None:
            i = table.get(key)
            if i is not None:
                return i
        shapes = self.shapes
        record = primitives.get(op)
        shape: Shape = ()
        if param is not None or not record.elementwise:
            shape = record.out_shape(param, *[shapes[a] for a in args])
        else:
            for a in args:
                if shapes[a]:
                    shape = record.out_shape(param, *[shapes[a] for a in args])
                    break
        if table is None:
            table = self._by_op[op] = {}
        i = table[key] = len(self.ops)
        self.ops.append(op)
        self.args.append(args)
        self.params.append(param)
        self.shapes.append(shape)
        return i

    def scalar_builder(self, op: str) -> Callable[..., int]:
        """:meth:`apply` of the elementwise ``op`` (no parameter) to scalar operands, as a
        closure over the columns: ``build(a)`` or ``build(a, b)`` by the op's arity.  No record
        lookup and no shape rule (the node is a scalar); the same interning, so it builds
        exactly the node :meth:`apply` builds.  The caller guarantees scalar operands
        (derivative passes build millions of nodes with it).

        >>> g = Graph(); x = g.var("x"); mul, sin = g.scalar_builder("mul"), g.scalar_builder("sin")
        >>> mul(x, sin(x)) == g.apply("mul", x, g.apply("sin", x)), len(g)
        (True, 3)
        """
        record = primitives.get(op)
        if not record.elementwise or record.arity not in (1, 2):
            raise GraphError(f"{op}: no scalar builder (not an elementwise op of one or two operands)")
        table = self._by_op.setdefault(op, {})
        ops, args, params, shapes = self.ops, self.args, self.params, self.shapes
        get, push_op, push_args = table.get, ops.append, args.append
        push_param, push_shape = params.append, shapes.append

        def unary(a: int) -> int:
            t = (a,)
            i = get(t)
            if i is None:
                i = table[t] = len(ops)
                push_op(op)
                push_args(t)
                push_param(None)
                push_shape(())
            return i

        def binary(a: int, b: int) -> int:
            t = (a, b)
            i = get(t)
            if i is None:
                i = table[t] = len(ops)
                push_op(op)
                push_args(t)
                push_param(None)
                push_shape(())
            return i

        return unary if record.arity == 1 else binary

    def digest(self, i: int) -> int:
        """A structural hash of node ``i``: equal for structurally equal expressions, in
        this graph or another (so ``Expr.__hash__`` agrees with ``Expr.__eq__``).

        Computed once per node, from its op, parameter and its operands' digests, for
        every node up to ``i`` not yet digested (ids are a topological order, so this
        loop never recurses).

        >>> g, h = Graph(), Graph()
        >>> _ = h.var("y"); a = g.apply("sin", g.var("x")); b = h.apply("sin", h.var("x"))
        >>> g.digest(a) == h.digest(b), g.digest(a) == g.digest(g.var("x"))
        (True, False)
        """
        digests = self._digests
        ops, args, params = self.ops, self.args, self.params
        for j in range(len(digests), i + 1):
            p = params[j]
            if ops[j] == "const":
                p = hash(p) if p == p else hash(p.hex())  # (a nan's own hash is its id)
            elif p is not None:
                p = hash(p)
            digests.append(hash((ops[j], p, *[digests[a] for a in args[j]])))
        return digests[i]

    def const_value(self, i: int) -> float | None:
        """The value of node ``i`` when it is a constant, else None."""
        return self.params[i] if self.ops[i] == "const" else None

    def copy_from(self, other: Graph, roots: list[int]) -> dict[int, int]:
        """Intern the nodes ``roots`` depend on from ``other``; map old id -> new id.

        Any ascending order of ids would copy operands first; the copy goes by
        level (:func:`~graphir.traversal.topo_order`) so that it is canonical: the
        same expression gets the same ids in a new graph whatever else ``other``
        holds (pictures name edges by these ids).
        """
        from .traversal import topo_order  # (traversal needs this module only for type hints)

        ops, args, params = other.ops, other.args, other.params
        mapping: dict[int, int] = {}
        for i in topo_order(other, roots):
            op = ops[i]
            if op == "var":
                mapping[i] = self.var(params[i], other.stamps.get(i), other.shapes[i])
            elif op == "const":
                mapping[i] = self.const(params[i])
            elif op == "data":
                mapping[i] = self.data(params[i])
            else:
                mapping[i] = self.apply(op, *[mapping[a] for a in args[i]], param=params[i])
        for i, text in other.display_names.items():
            j = mapping.get(i)
            if j is not None and j not in self.display_names:
                self.display_names[j] = text
        return mapping


def validate(graph: Graph) -> None:
    """Check that ``graph`` is well formed; raise :class:`GraphError` saying what is not.

    Checks: known ops, arity, operands that exist and come before the node
    (no cycles), a name on every variable, a float on every constant, and
    interning (no two nodes with the same key).

    >>> g = Graph(); x = g.var("x"); _ = g.apply("sin", x)
    >>> validate(g)
    >>> g.args[1] = (5,)
    >>> validate(g)
    Traceback (most recent call last):
    ...
    graphir.errors.GraphError: node 1 (sin): operand 0 is node 5, which does not exist
    """
    n = len(graph.ops)
    if not (len(graph.args) == len(graph.params) == len(graph.shapes) == n):
        raise GraphError("node table columns have different lengths")
    seen: dict[tuple[Any, ...], int] = {}
    for i in range(n):
        op, args, param = graph.ops[i], graph.args[i], graph.params[i]
        key = _validate_node(graph, i, op, args, param)
        if key in seen:
            raise GraphError(f"node {i} ({op}) duplicates node {seen[key]}: interning is broken")
        seen[key] = i
    _validate_display_names(graph)
    for i in range(n):
        if any(a >= i for a in graph.args[i]):
            message = cycle_message((a, j) for j in range(n) for a in graph.args[j])
            raise GraphError(message or f"node {i} comes before one of its operands")


def _validate_leaf(graph: Graph, i: int, op: str, args: tuple[int, ...], param: Any) -> tuple[Any, ...]:
    """GraphError for what is wrong with the variable, constant or data node ``i``; else its key."""
    if args:
        raise GraphError(f"node {i} ({op}): a {op} has no operands, got {len(args)}")
    if op == "var":
        if not isinstance(param, str) or not param:
            raise GraphError(f"node {i} (var): a variable needs a name, got {param!r}")
        return ("var", param)
    if op == "const":
        if not isinstance(param, float):
            raise GraphError(f"node {i} (const): a constant needs a float, got {param!r}")
        key: tuple[Any, ...] = const_key(param)
    else:
        if not isinstance(param, Data):
            raise GraphError(f"node {i} (data): a data node needs a Data array, got {param!r}")
        key = ("data", param)
    if graph.shapes[i] != (() if op == "const" else param.shape):
        raise GraphError(f"node {i} ({op}): shape {graph.shapes[i]} does not match its value")
    return key


def _validate_node(graph: Graph, i: int, op: str, args: tuple[int, ...], param: Any) -> tuple[Any, ...]:
    """GraphError for what is wrong with node ``i``; its interning key when nothing is."""
    n = len(graph.ops)
    if op in primitives.LEAF_OPS:
        return _validate_leaf(graph, i, op, args, param)
    prim = primitives.get(op)
    key = (op, args) if param is None else (op, args, param)
    if prim.arity is not None and len(args) != prim.arity:
        raise GraphError(f"node {i} ({op}): takes {prim.arity} operands, got {len(args)}")
    for k, a in enumerate(args):
        if not isinstance(a, int) or not 0 <= a < n:
            raise GraphError(f"node {i} ({op}): operand {k} is node {a}, which does not exist")
    if all(a < i for a in args):
        try:
            shape = prim.out_shape(param, *[graph.shapes[a] for a in args])
        except (ShapeError, TypeError) as exc:
            raise GraphError(f"node {i} ({op}): {exc}") from None
        if shape != graph.shapes[i]:
            raise GraphError(f"node {i} ({op}): shape {graph.shapes[i]}, but its operands give {shape}")
    return key


def _validate_display_names(graph: Graph) -> None:
    """GraphError for a display name that is no valid text or is not on an operation node."""
    n = len(graph.ops)
    for i, text in graph.display_names.items():
        if not (isinstance(i, int) and 0 <= i < n) or graph.ops[i] in primitives.LEAF_OPS:
            raise GraphError(f"display name {text!r} is on {i!r}, which is no operation node")
        why = display_name_problem(text)
        if why is not None:
            raise GraphError(f"node {i}: {text!r} is not a valid display name: {why}")


def cycle_message(edges: Iterable[tuple[Any, Any]]) -> str | None:
    """``the graph has a cycle: 1 -> 2 -> 1`` for the edges ``operand -> user``; None without a cycle.

    >>> cycle_message([(0, 1), (1, 2), (2, 1)])
    'the graph has a cycle: 1 -> 2 -> 1'
    >>> cycle_message([(0, 1)]) is None
    True
    """
    try:
        cycle = nx.find_cycle(nx.DiGraph(edges))
    except nx.NetworkXNoCycle:
        return None
    path = " -> ".join(str(u) for u, _ in cycle) + f" -> {cycle[0][0]}"
    return f"the graph has a cycle: {path}"


def to_networkx(graph: Graph, order: list[int]) -> nx.MultiDiGraph:
    """The networkx view of the nodes ``order``: attributes ``op``, ``name``/``value``
    (``param`` for an operation's parameter, ``shape`` for a node holding an array),
    and one edge per operand slot, keyed and labelled by the operand position."""
    g = nx.MultiDiGraph()
    for i in order:
        op, param = graph.ops[i], graph.params[i]
        attrs: dict[str, Any] = {"op": op}
        if graph.shapes[i]:
            attrs["shape"] = graph.shapes[i]
        if op == "var":
            attrs["name"] = param
        elif op == "const":
            attrs["value"] = param
        elif op == "data":
            attrs["name"], attrs["value"] = param.name, param.array
        elif param is not None:
            attrs["param"] = param
        g.add_node(i, **attrs)
    for i in order:
        for pos, a in enumerate(graph.args[i]):
            g.add_edge(a, i, key=pos, position=pos)
    return g
