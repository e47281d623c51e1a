"""Building expressions: the :class:`Expr` handle, its operators and the elementary functions.

An :class:`Expr` is a node of a :class:`~graphir.ir.Graph`.  Operators and
functions append interned nodes, so building an expression of ``n`` nodes costs
O(n).  When operands live in different graphs, the smaller one is copied into
the larger (variables are matched by name).

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> f = (x + y) * (x + y)
>>> f.num_nodes
4
>>> f.eval(x=2, y=3)
25.0
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Collection, Sequence
from typing import Any

import networkx as nx
import numpy as np

from . import primitives
from .errors import ArgumentError, GraphError
from .ir import Graph, to_networkx
from .traversal import postorder, topo_order

__all__ = [
    "Expr",
    "symbols",
    "trace",
    "as_expr",
    "lift",
    "RuleKit",
    "FUNCTIONS",
    "variable_name_problem",
    "check_variable_names",
]

_UFUNCS: dict[Any, str] = {
    u: p.name for p in primitives.PRIMITIVES.values() for u in p.ufuncs
}


def _data_array(x: Any) -> np.ndarray | None:
    """``x`` when it is a NumPy array of real numbers with at least one axis, else None."""
    if isinstance(x, np.ndarray) and x.ndim and x.dtype.kind in "biuf":
        return x
    return None


def _number(x: Any) -> float | None:
    """``x`` as a float when it is one real number, else None; ArgumentError when it is
    a number no float holds (``10**400``)."""
    try:
        if type(x) is float or type(x) is int:  # the common case, before the ABC checks
            return float(x)
        if isinstance(x, (bool, np.bool_)):
            return float(x)
        if isinstance(x, numbers.Real):
            return float(x)
        if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "biuf":
            return float(x)
    except (OverflowError, ValueError, TypeError):
        from .arguments import describe

        raise ArgumentError(f"cannot use {describe(x)} in an expression: no float holds it") from None
    return None


def lift(*xs: Any) -> tuple[Graph, list[int]]:
    """Put expressions and numbers into one graph: ``(graph, node ids)``.

    The graph is the largest among the expressions' graphs (a new one when
    all are numbers); the others are copied into it.
    """
    graph: Graph | None = None
    for x in xs:
        if isinstance(x, Expr) and (graph is None or len(x.ir) > len(graph)):
            graph = x.ir
    if graph is None:
        graph = Graph()
    ids = []
    for x in xs:
        if isinstance(x, Expr):
            ids.append(x._id if x.ir is graph else graph.copy_from(x.ir, [x._id])[x._id])
            continue
        v = _number(x)
        if v is None:
            a = _data_array(x)
            if a is None:
                raise TypeError(f"cannot use {type(x).__name__} {x!r} in an expression")
            ids.append(graph.data(a))
            continue
        ids.append(graph.const(v))
    return graph, ids


def as_expr(x: Any) -> Expr:
    """``x`` as an expression (a number becomes a constant).

    >>> as_expr(2).eval()
    2.0
    """
    if isinstance(x, Expr):
        return x
    g, (i,) = lift(x)
    return Expr(g, i)


def _apply(op: str, *operands: Any, param: Any = None) -> Expr:
    g, ids = lift(*operands)
    return Expr(g, g.apply(op, *ids, param=param))


def _binary(op: str, swap: bool = False) -> Callable[[Expr, Any], Any]:
    def method(self: Expr, other: Any) -> Any:
        if type(other) is Expr and other._g is self._g:  # the common case: one graph
            g = self._g
            return Expr(g, g.apply(op, other._id, self._id) if swap else g.apply(op, self._id, other._id))
        if not isinstance(other, Expr) and _number(other) is None and _data_array(other) is None:
            return NotImplemented
        return _apply(op, other, self) if swap else _apply(op, self, other)

    method.__name__ = f"__{'r' if swap else ''}{op}__"
    return method


class Expr:
    """A node of a computation graph, with operators that build more nodes.

    >>> import graphir as gi
    >>> x, = gi.symbols("x,")
    >>> str(2 * gi.sin(x) ** 2)
    '2*sin(x)**2'
    """

    __slots__ = ("_g", "_id", "_order")
    # NumPy must not read an expression as a sequence (it has __getitem__ and __iter__).
    __len__ = None
    __array_priority__ = 1000

    def __init__(self, graph: Graph, node: int):
        self._g = graph
        self._id = node
        self._order: list[int] | None = None

    # --------------------------------------------------------------- operators
    __add__ = _binary("add")
    __radd__ = _binary("add", swap=True)
    __sub__ = _binary("sub")
    __rsub__ = _binary("sub", swap=True)
    __mul__ = _binary("mul")
    __rmul__ = _binary("mul", swap=True)
    __truediv__ = _binary("div")
    __rtruediv__ = _binary("div", swap=True)
    __pow__ = _binary("pow")
    __rpow__ = _binary("pow", swap=True)

    def __neg__(self) -> Expr:
        return Expr(self._g, self._g.apply("neg", self._id))

    def __pos__(self) -> Expr:
        return self

    def __abs__(self) -> Expr:
        return Expr(self._g, self._g.apply("abs", self._id))

    __matmul__ = _binary("matmul")
    __rmatmul__ = _binary("matmul", swap=True)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if any(isinstance(x, np.ndarray) and x.dtype == object for x in inputs):
            # An array of expressions: NumPy applies the ufunc entry by entry.
            boxed = [_boxed(x) if isinstance(x, Expr) else x for x in inputs]
            return getattr(ufunc, method)(*boxed, **kwargs)
        op = _UFUNCS.get(ufunc)
        if method != "__call__" or kwargs or op is None:
            return NotImplemented
        return _apply(op, *inputs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        from . import arrays

        fn = arrays.NUMPY_FUNCTIONS.get(func)
        if fn is None:
            return NotImplemented
        return fn(*args, **kwargs)

    # --------------------------------------------------------------- arrays
    @property
    def shape(self) -> tuple[int, ...]:
        """The static shape: ``()`` for a scalar.

        >>> import graphir as gi
        >>> W = gi.symbols("W", shape=(2, 3))
        >>> W.shape, (W @ np.ones(3)).shape, W.T.shape
        ((2, 3), (2,), (3, 2))
        """
        return self._g.shapes[self._id]

    @property
    def ndim(self) -> int:
        """Number of axes (0 for a scalar)."""
        return len(self.shape)

    @property
    def T(self) -> Expr:
        """The transpose (a vector or scalar is its own transpose, as in NumPy)."""
        from .arrays import transpose

        return transpose(self)

    def __getitem__(self, key: Any) -> Expr:
        from .shapes import normalize_key

        if not self.shape:
            raise TypeError("a scalar expression cannot be indexed")
        return _apply("index", self, param=normalize_key(key, self.shape))

    def __iter__(self) -> Any:
        if not self.shape:
            raise TypeError("a scalar expression is not iterable")
        return (self[k] for k in range(self.shape[0]))

    # --------------------------------------------------------------- identity
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Expr):
            if other.ir is self._g:
                return other._id == self._id
            return _structure(self) == _structure(other)
        v = _number(other)
        return v is not None and self._g.const_value(self._id) == v

    def __hash__(self) -> int:
        # A structural digest, so that equal expressions of different graphs hash alike
        # (``__eq__`` compares them by structure); a constant hashes as its value, which
        # it also equals.
        g, i = self._g, self._id
        if g.ops[i] == "const" and g.params[i] == g.params[i]:
            return hash(g.params[i])
        return g.digest(i)

    def __bool__(self) -> bool:
        raise TypeError("the truth value of an expression is undefined; compare values with .eval()")

    def __repr__(self) -> str:
        from .printing import to_text

        return to_text(self, limit=400)

    def __str__(self) -> str:
        from .printing import to_text

        return to_text(self)

    # --------------------------------------------------------------- structure
    @property
    def ir(self) -> Graph:
        """The IR holding this expression: the append-only node table
        (:class:`graphir.ir.Graph`) that passes read and extend.

        >>> import graphir as gi
        >>> x, = gi.symbols("x,")
        >>> e = gi.sin(x)
        >>> e.ir.ops[e.node], e.ir.args[e.node] == (x.node,)
        ('sin', True)
        """
        return self._g

    @property
    def node(self) -> int:
        """The id of this expression's node in its graph."""
        return self._id

    @property
    def op(self) -> str:
        """The op of the top node (``"add"``, ``"var"``, ...)."""
        return self._g.ops[self._id]

    @property
    def name(self) -> str | None:
        """The name of a variable, else None."""
        return self._g.params[self._id] if self.op == "var" else None

    @property
    def value(self) -> float | None:
        """The value of a constant, else None."""
        return self._g.const_value(self._id)

    @property
    def args(self) -> tuple[Expr, ...]:
        """The operands, in order."""
        return tuple(Expr(self._g, a) for a in self._g.args[self._id])

    @property
    def order(self) -> list[int]:
        """Ids of the nodes this expression depends on, in topological order."""
        if self._order is None:
            self._order = topo_order(self._g, [self._id])
        return self._order

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx DAG of this expression's nodes.

        Node attributes: ``op``, ``name`` (variables), ``value`` (constants).
        One edge per operand slot, operand -> result, keyed by and carrying
        ``position``, so ``x*x`` has two edges.
        """
        return to_networkx(self._g, self.order)

    @property
    def num_nodes(self) -> int:
        """Number of nodes of :attr:`graph`."""
        return len(self.order)

    @property
    def variables(self) -> tuple[Expr, ...]:
        """The variables, in the order they were created (the order of ``symbols(...)``,
        of :func:`trace`'s parameters, of first appearance in :func:`~graphir.parse`'s text).

        >>> w, b = symbols("w b")
        >>> [v.name for v in ((b + 2 * w - 1) ** 2).variables]
        ['w', 'b']
        """
        g = self._g
        return tuple(Expr(g, i) for i in g.in_creation_order(self.order))

    def named(self, text: str) -> Expr:
        """The same node with a display name: pictures, trace tables and the chain-rule
        text write ``text`` for it.  It changes no value and no structure (the name is
        kept beside the node, and equal nodes are one node, so ``x + y`` built again
        shows the name too); naming a node again replaces its name.

        >>> x, y = symbols("x y")
        >>> u = (x + y).named("u")
        >>> u.display_name, u == x + y, str(u * u)
        ('u', True, '(x + y)*(x + y)')
        """
        from .ir import display_name_problem

        why = display_name_problem(text)
        if why is not None:
            raise ArgumentError(f"{str(text)[:80]!r} is not a valid display name: {why}")
        if not self._g.args[self._id]:
            what = "a variable has its name" if self.op == "var" else "constants are shown by value"
            raise ArgumentError(f"named() names an operation's result; {what}")
        self._g.display_names[self._id] = text
        return Expr(self._g, self._id)

    @property
    def display_name(self) -> str | None:
        """The name given with :meth:`named`, else None."""
        return self._g.display_names.get(self._id)

    # --------------------------------------------------------------- numbers
    def eval(self, values: dict[Any, Any] | None = None, /, **kwargs: Any) -> Any:
        """Value at a point: a float, or an ndarray when inputs are arrays.

        >>> import graphir as gi
        >>> x, y = gi.symbols("x y")
        >>> (x * y).eval(x=2, y=3)
        6.0
        >>> (x * y).eval({"x": 2, y: [1, 2]})
        array([2., 4.])
        """
        from .arguments import as_point
        from .passes.evaluate import evaluate

        point = as_point(values)
        point.update(kwargs)
        return evaluate([self], point)[0]

    def to_sympy(self) -> Any:
        """The SymPy expression (see :func:`graphir.from_sympy` for the way back)."""
        from .bridges.sympy_convert import to_sympy

        return to_sympy(self)

    # --------------------------------------------------------------- notebooks
    def _repr_latex_(self) -> str:
        from .printing import to_latex

        return "$" + to_latex(self, limit=2000) + "$"

    def _repr_svg_(self) -> str | None:
        from .pictures.dot import svg_or_none

        return svg_or_none(self)

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, str]:
        """The notebook display: ``text/plain`` (the formula), ``image/svg+xml`` (:func:`graphir.to_svg`,
        left out when Graphviz cannot draw it) and ``text/latex``; only the types in ``include``
        (when given) and not in ``exclude``.  Never raises.

        >>> import graphir as gi
        >>> gi.parse("x + 1")._repr_mimebundle_(include=["text/plain"])
        {'text/plain': 'x + 1'}
        """
        makers = {"text/plain": lambda: repr(self), "image/svg+xml": self._repr_svg_,
                  "text/latex": self._repr_latex_}
        out: dict[str, str] = {}
        for mime, make in makers.items():
            if (include is not None and mime not in include) or (exclude is not None and mime in exclude):
                continue
            try:
                value = make()
            except Exception:  # broad on purpose: a notebook display must never raise
                value = None
            if value is not None:
                out[mime] = value
        return out


def _structure(e: Expr) -> list[tuple[Any, ...]]:
    """The expression's DAG numbered depth first (:func:`~graphir.traversal.postorder`),
    so equal structures compare equal whatever their node ids."""
    g = e.ir
    ops, args, params = g.ops, g.args, g.params
    order = postorder(g, [e._id])
    pos = {i: k for k, i in enumerate(order)}
    out = []
    for i in order:
        p = params[i]
        out.append((ops[i], p.hex() if isinstance(p, float) else p, tuple(pos[a] for a in args[i])))
    return out


def variable_name_problem(name: Any, functions: Collection[str] | None = None) -> str | None:
    """Why ``name`` cannot name a variable, or None when it can.

    A variable's name is a name the parser reads back as that variable, so that
    ``parse(str(expr))`` is ``expr``: an ASCII identifier that is not a Python
    keyword, does not start with ``__``, and is neither a constant (``pi``, ``e``,
    ``inf``, ``nan``) nor a function's name or alias (``sin``, ``ln``, ``max``...).
    ``functions`` is :func:`graphir.primitives.call_names` (given when checking many).

    >>> variable_name_problem("x_1"), variable_name_problem("ln"), variable_name_problem("pi")
    (None, 'it is a function in text', 'it is a constant in text')
    >>> variable_name_problem("1x")
    'it is not an ASCII identifier (a letter or _, then letters, digits or _)'
    """
    if not isinstance(name, str):
        return f"a name is a string, got {type(name).__name__}"
    why = primitives.name_problem(name)
    if why is None and name in (primitives.call_names() if functions is None else functions):
        why = "it is a function in text"
    return why


def check_variable_names(names: Sequence[Any]) -> None:
    """Raise for the first name that cannot name a variable (see :func:`variable_name_problem`):
    :class:`TypeError` for a name that is not a string, else :class:`ArgumentError`.

    >>> check_variable_names(["x", "sin"])
    Traceback (most recent call last):
    ...
    graphir.errors.ArgumentError: 'sin' is not a valid variable name: it is a function in text
    """
    functions = primitives.call_names()
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"variable names are strings, got {type(name).__name__} {name!r}")
        why = variable_name_problem(name, functions)
        if why is not None:
            raise ArgumentError(f"{name[:80]!r} is not a valid variable name: {why}")


def symbols(names: str | Sequence[str], shape: Any = ()) -> Any:
    """Variables, as :func:`sympy.symbols`: ``"x y z"`` or ``"x, y"`` give a tuple,
    a single name gives one expression, a trailing comma forces a tuple.
    With ``shape``, each variable holds an array of exactly that shape.

    >>> x, y = symbols("x y")
    >>> symbols("t").name
    't'
    >>> symbols("W", shape=(2, 3)).shape
    (2, 3)
    """
    from .shapes import as_shape

    shape = as_shape(shape)
    if isinstance(names, str):
        as_tuple = names.strip().endswith(",")
        parts = [p for p in names.replace(",", " ").split() if p]
    else:
        parts, as_tuple = list(names), True
    check_variable_names(parts)
    g = Graph()
    out = tuple(Expr(g, g.var(p, shape=shape)) for p in parts)
    if len(out) == 1 and not as_tuple:
        return out[0]
    return out


def trace(fn: Callable[..., Any]) -> Any:
    """Call ``fn`` with one variable per parameter (named after it); return what it builds.

    >>> import graphir as gi
    >>> f = gi.trace(lambda x, y: x * gi.sin(y))
    >>> [v.name for v in f.variables]
    ['x', 'y']
    """
    if not callable(fn):
        raise TypeError(f"trace takes a function, got {type(fn).__name__}")
    try:
        signature = inspect.signature(fn)
    except ValueError:  # a builtin that does not tell its parameters (np.sin)
        raise ArgumentError(f"trace cannot read the parameters of {fn!r}; wrap it in a lambda") from None
    params = [
        p.name
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if not params:
        raise ArgumentError("trace needs a function with at least one positional parameter")
    check_variable_names(params)
    g = Graph()
    out = fn(*[Expr(g, g.var(p)) for p in params])
    if isinstance(out, (tuple, list)):
        return type(out)(as_expr(o) for o in out)
    return as_expr(out)


class RuleKit:
    """What partial-derivative rules build with: ``b.cos(x)``, ``b.const(2)``, ``b.value(e)``.

    >>> x, = symbols("x,")
    >>> b = RuleKit(x.ir)
    >>> str(b.cos(x)), b.value(b.const(2)), b.cos is b.cos
    ('cos(x)', 2.0, True)
    """

    def __init__(self, graph: Graph):
        self.graph = graph

    def const(self, v: float) -> Expr:
        return Expr(self.graph, self.graph.const(v))

    def value(self, e: Expr) -> float | None:
        return e.ir.const_value(e._id)

    def __getattr__(self, op: str) -> Callable[..., Expr]:
        if op not in primitives.PRIMITIVES:
            raise AttributeError(op)
        graph = self.graph

        def build(*args: Any, param: Any = None) -> Expr:
            if len(args) == 1 and type(args[0]) is Expr and args[0]._g is graph:
                return Expr(graph, graph.apply(op, args[0]._id, param=param))
            return _apply(op, *args, param=param)

        if not primitives.PRIMITIVES[op].user:  # (a user's op may be unregistered: look it up each time)
            self.__dict__[op] = build
        return build


def _make_function(p: primitives.Primitive) -> Callable[..., Expr]:
    names = ["x", "y", "z", "w"][: p.arity] if p.arity <= 4 else [f"x{i}" for i in range(p.arity)]

    def fn(*args: Any) -> Expr:
        if len(args) != p.arity:
            raise TypeError(f"{p.name}() takes {p.arity} argument(s), got {len(args)}")
        return _apply(p.name, *args)

    fn.__name__ = p.name
    fn.__qualname__ = p.name
    fn.__doc__ = f"``{p.text.format(*names)}`` as an expression node (numbers become constants)."
    fn.record = p  # type: ignore[attr-defined]
    return fn


# The builders of the built-in elementwise primitives, by name (graphir exports them as
# gi.sin ...; the array operations' builders, with their keywords, are in graphir.arrays).
FUNCTIONS: dict[str, Callable[..., Expr]] = {
    name: _make_function(p) for name, p in primitives.PRIMITIVES.items() if p.elementwise
}


def _boxed(x: Any) -> np.ndarray:
    """``x`` in a 0-d object array (an expression as one entry of an array of expressions)."""
    a = np.empty((), dtype=object)
    a[()] = x
    return a


def _ufunc_method(op: str) -> Callable[[Expr], Expr]:
    def method(self: Expr) -> Expr:
        return _apply(op, self)

    return method


# NumPy applies a unary ufunc to an array of expressions by calling each entry's method
# of the ufunc's name (np.exp -> entry.exp()).
for _p in primitives.PRIMITIVES.values():
    for _u in _p.ufuncs:
        if _p.arity == 1 and not hasattr(Expr, _u.__name__):
            setattr(Expr, _u.__name__, _ufunc_method(_p.name))


def expr_list(exprs: Any) -> tuple[list[Expr], bool]:
    """Normalise one expression or a sequence of them: ``(list, was_a_single_one)``."""
    if isinstance(exprs, (Expr, numbers.Real)):
        return [as_expr(exprs)], True
    out = [as_expr(e) for e in exprs]
    if not out:
        raise GraphError("no expressions given")
    return out, False
