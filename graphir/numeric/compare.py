"""Every way graphir computes a gradient, side by side: values, errors, time and size.

:func:`compare` computes the partials of one expression at one point by

* ``symbolic``: SymPy's own derivatives (:func:`graphir.symbolic_grad`), evaluated with
  40 significant digits (:func:`graphir.bridges.sympy_calculus.precise_grad`: mpmath,
  the point's floats and the graph's constants taken exactly);
* ``forward`` and ``reverse``: the forward- and reverse-mode graph passes;
* ``fd-forward``, ``fd-backward``, ``fd-central``, ``fd-complex``, ``fd-richardson``:
  :func:`graphir.finite_difference` with each method and its default step,

and measures each against the symbolic values in high precision, so that every error,
the symbolic row's own rounding included, is the true one; when SymPy gives no
derivative (it fails, is stopped, is refused, or its value is no real number) against
the complex step, else Richardson extrapolation, else reverse AD
(:attr:`Comparison.reference` says which, :data:`REFERENCE_LABELS` in words).  Each
method works on its own copy of the expression, so no method reuses nodes
another one built and the times are fair.

Sizes: for the graph passes, the nodes the partials depend on (the derivative
graph, primal nodes included); for the symbolic row, SymPy's ``count_ops`` of
its derivatives, before (``size``) and after common-subexpression elimination
(``size_cse``); for finite differences, the nodes of the expression, which is
evaluated ``evals`` times.

>>> import graphir as gi
>>> x1, x2 = gi.symbols("x1 x2")
>>> c = compare(gi.log(x1) + x1 * x2 - gi.sin(x2), {"x1": 2, "x2": 5})
>>> [r.method for r in c.rows][:3]
['symbolic', 'forward', 'reverse']
>>> bool(c.row("reverse").abs_error.max() < 1e-14)
True
"""

from __future__ import annotations

import html
import math
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..arguments import as_point, as_shaped_point, variable_shapes, wrt_items, wrt_names
from ..bridges import sympy_limits as limits
from ..bridges.sympy_calculus import REFERENCE_DIGITS
from ..build import Expr
from ..errors import GraphirError, ShapeError
from ..ir import Graph
from ..passes.evaluate import evaluate
from ..printing import error_number, format_number, to_text
from ..traversal import reachable
from .finite_difference import (
    METHODS,
    RICHARDSON_LEVELS,
    as_expression,
    default_step,
    evaluations,
    finite_difference,
    has_arrays,
)
from .report import Report, mime_bundle

__all__ = ["compare", "Comparison", "Row", "relative_error", "split_reference", "REFERENCE_LABELS"]

LABELS = {
    "symbolic": "symbolic (SymPy)",
    "forward": "forward AD",
    "reverse": "reverse AD",
    "fd-forward": "forward difference",
    "fd-backward": "backward difference",
    "fd-central": "central difference",
    "fd-complex": "complex step",
    "fd-richardson": "Richardson",
}


@dataclass
class Row:
    """One method's partials and how they fare.

    ``method`` is the key (``"symbolic"``, ``"forward"``, ``"reverse"``,
    ``"fd-central"``, ...), ``kind`` is ``"symbolic"``, ``"ad"`` or ``"fd"``.
    ``values``, ``abs_error``, ``rel_error`` hold one entry per variable;
    ``rel_error`` is ``abs_error / |reference|`` (the absolute error where the
    reference is 0).  ``size`` is described in the module docstring;
    ``size_cse`` is set for the symbolic row only.  ``error_estimate`` and
    ``step`` are set for finite differences.  ``note`` says why a row has no
    values.
    """

    method: str
    kind: str
    label: str
    values: np.ndarray
    abs_error: np.ndarray
    rel_error: np.ndarray
    seconds: float
    size: int | None
    size_cse: int | None = None
    evals: int | None = None
    error_estimate: np.ndarray | None = None
    step: np.ndarray | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        """True when the row has finite values."""
        return bool(np.all(np.isfinite(self.values)))

    def to_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready data (non-finite numbers become None)."""
        return {
            "method": self.method,
            "kind": self.kind,
            "label": self.label,
            "values": _list(self.values),
            "abs_error": _list(self.abs_error),
            "rel_error": _list(self.rel_error),
            "seconds": self.seconds,
            "size": self.size,
            "size_cse": self.size_cse,
            "evals": self.evals,
            "error_estimate": None if self.error_estimate is None else _list(self.error_estimate),
            "step": None if self.step is None else _list(self.step),
            "note": self.note,
        }


def _list(a: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(a, dtype=float).ravel()]


def relative_error(
    values: np.ndarray, reference: np.ndarray, reference_lo: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(|values - reference|, relative error)``; where the reference is 0 the relative error is
    the absolute one.

    ``reference_lo`` is what the float ``reference`` leaves out of a more precise one
    (``reference + reference_lo``, see :func:`split_reference`): the error of a value
    that is the reference rounded to a float is then that rounding, not 0.

    >>> relative_error(np.array([1.5, 1e-3]), np.array([1.0, 0.0]))
    (array([0.5  , 0.001]), array([0.5  , 0.001]))
    """
    values = np.asarray(values, dtype=float)
    reference = np.asarray(reference, dtype=float)
    lo = np.zeros_like(reference) if reference_lo is None else np.asarray(reference_lo, dtype=float)
    with np.errstate(all="ignore"):
        # values - reference is exact when they are close (Sterbenz), which is when it matters.
        ab = np.abs((values - reference) - lo)
        rel = np.where(reference != 0, ab / np.abs(reference), ab)
    return ab, rel


def split_reference(precise: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """High-precision numbers (``mpmath.mpf``) as two float arrays ``(hi, lo)``: ``hi`` the
    nearest floats, ``lo`` the rest (``hi + lo`` holds about 32 digits).

    >>> import mpmath
    >>> with mpmath.workdps(40):
    ...     third = mpmath.mpf(1) / 3
    >>> hi, lo = split_reference([third])
    >>> bool(hi[0] == 1 / 3), float(lo[0])
    (True, 1.850371707708594e-17)
    """
    import mpmath

    hi = np.array([float(v) for v in precise], dtype=float)
    with mpmath.workdps(60):
        lo = np.array([float(v - mpmath.mpf(h)) if math.isfinite(h) else 0.0
                       for v, h in zip(precise, hi, strict=True)], dtype=float)
    return hi, lo


#: What the errors are measured against, in the title of the table.
REFERENCE_LABELS = {
    "symbolic": f"SymPy's derivative evaluated to {REFERENCE_DIGITS} digits (mpmath)",
    "fd-complex": "the complex step (SymPy gave no derivative)",
    "fd-richardson": "Richardson extrapolation (SymPy gave no derivative; the complex step is not finite)",
    "reverse": "reverse AD (SymPy gave no derivative, and no difference quotient is finite here)",
}


@dataclass
class Comparison(Report):
    """The result of :func:`compare`: ``rows`` (one :class:`Row` per method) and what was compared.

    ``str()`` is an aligned text table, :meth:`to_markdown` a Markdown table,
    :meth:`to_json` the same fields as JSON.
    """

    expression: str
    point: dict[str, float]
    wrt: list[str]
    reference: str
    rows: list[Row] = field(default_factory=list)
    reference_values: list[str] = field(default_factory=list)
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def coordinates(self) -> list[str]:
        """What each entry of a row's ``values`` is the partial by: the variable's name, or
        ``W[0,1]`` for an entry of an array variable (row-major, variable after variable)."""
        return coordinate_names(self.wrt, self.shapes)

    def partial(self, method: str, name: str) -> np.ndarray:
        """The partials of ``method``'s row by the variable ``name``, as an array of its shape
        (a 0-d array for a scalar variable).

        >>> import graphir as gi
        >>> w = gi.symbols("w", shape=(2,))
        >>> compare(gi.sum(w * w), {"w": [1.0, 3.0]}).partial("reverse", "w").tolist()
        [2.0, 6.0]
        """
        values = self.row(method).values
        for n, part in zip(self.wrt, self.variable_slices(), strict=True):
            if n == name:
                return values[part].reshape(self.shapes.get(n, ()))
        raise KeyError(f"no variable {name!r}; the variables are {', '.join(self.wrt)}")

    def row(self, method: str) -> Row:
        """The row of ``method`` (``"central"`` finds ``"fd-central"``; ``"forward"`` is forward AD)."""
        for r in self.rows:
            if r.method == method:
                return r
        for r in self.rows:
            if r.method == f"fd-{method}":
                return r
        raise KeyError(f"no row {method!r}; rows: {', '.join(r.method for r in self.rows)}")

    def __getitem__(self, method: str) -> Row:
        return self.row(method)

    @property
    def methods(self) -> list[str]:
        """The row keys, in order."""
        return [r.method for r in self.rows]

    def title(self) -> str:
        """One line: what, where, and against what the errors are measured."""
        at = ", ".join(f"{k}={_point_text(v)}" for k, v in self.point.items())
        ref = REFERENCE_LABELS.get(self.reference, self.reference)
        return f"Partial derivatives of {self.expression} at {at}; errors against {ref}"

    def _table(self) -> tuple[list[str], list[list[str]]]:
        parts = self.variable_slices()
        shaped = [bool(self.shapes.get(n)) for n in self.wrt]
        header = ["method", *(f"‖d/d{n}‖" if a else f"d/d{n}" for n, a in zip(self.wrt, shaped, strict=True)),
                  "abs error", "rel error", "time [ms]", "size", "size (cse)", "evals", "note"]
        body = []
        for r in self.rows:
            vals = [_norm_text(r.values[part]) if a else format_number(r.values[part][0])
                    for a, part in zip(shaped, parts, strict=True)]
            body.append([
                r.label,
                *vals,
                _errors([_largest(r.abs_error[part]) for part in parts]),
                _errors([_largest(r.rel_error[part]) for part in parts]),
                f"{r.seconds * 1e3:.2f}",
                "" if r.size is None else str(r.size),
                "" if r.size_cse is None else str(r.size_cse),
                "" if r.evals is None else str(r.evals),
                r.note,
            ])
        # Drop columns that are empty in every row (the note column, usually).
        keep = [k for k in range(len(header)) if k < len(header) - 1 or any(b[k] for b in body)]
        return [header[k] for k in keep], [[b[k] for k in keep] for b in body]

    def variable_slices(self) -> list[slice]:
        """The slice of a row's values that holds each variable's partials."""
        out, start = [], 0
        for n in self.wrt:
            size = math.prod(self.shapes.get(n, ()))
            out.append(slice(start, start + size))
            start += size
        return out

    def __str__(self) -> str:
        header, body = self._table()
        widths = [max(len(header[k]), *(len(b[k]) for b in body)) for k in range(len(header))]
        left = {0, header.index("note")} if "note" in header else {0}

        def line(cells: list[str]) -> str:
            return "  ".join(
                c.ljust(widths[k]) if k in left else c.rjust(widths[k]) for k, c in enumerate(cells)
            ).rstrip()

        rule = "  ".join("-" * w for w in widths)
        notes = (
            "errors: |value - reference| per variable; rel error = abs error / |reference|",
            *(("array variables: ‖d/dW‖ is the norm of the partials (square root of the sum of "
               "squares), errors the largest over the entries; Comparison.partial(method, name) "
               "gives every entry",) if any(self.shapes.get(n) for n in self.wrt) else ()),
            "size: nodes of the derivative graph (AD), SymPy operations (symbolic), "
            "nodes of the expression (finite differences, evaluated evals times)",
        )
        return "\n".join([self.title(), "", line(header), rule, *(line(b) for b in body), "",
                          *notes])

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's display protocol: the table as text, HTML and Markdown."""
        return mime_bundle({"text/plain": self.__str__, "text/html": self.to_html,
                            "text/markdown": self.to_markdown}, include, exclude)

    def to_html(self) -> str:
        """An HTML table with the same columns as ``str()``, the title as its caption.

        >>> import graphir as gi
        >>> page = compare(gi.parse("x*y"), {"x": 2, "y": 3}).to_html()
        >>> page.startswith('<table class="graphir-compare">') and "<td>reverse AD</td>" in page
        True
        """
        header, body = self._table()
        e = html.escape
        out = ['<table class="graphir-compare">', f"<caption>{e(self.title())}</caption>",
               "<tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"]
        for b in body:
            cells = [f"<td>{e(c)}</td>" if k == 0 or header[k] == "note" else
                     f'<td style="text-align:right">{e(c)}</td>' for k, c in enumerate(b)]
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table>")
        return "\n".join(out)

    def to_markdown(self) -> str:
        """A Markdown table with the same columns as ``str()``."""
        header, body = self._table()

        def esc(s: str) -> str:
            return s.replace("|", "\\|")

        lines = [f"**{esc(self.title())}**", "", "| " + " | ".join(header) + " |",
                 "|" + "|".join(":---" if k == 0 else "---:" for k in range(len(header))) + "|"]
        lines += ["| " + " | ".join(esc(c) for c in b) + " |" for b in body]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """Plain data: expression, point, wrt, reference and the rows."""
        return {
            "expression": self.expression,
            "point": {k: np.asarray(v).tolist() for k, v in self.point.items()},
            "wrt": list(self.wrt),
            "shapes": {n: list(self.shapes.get(n, ())) for n in self.wrt},
            "coordinates": self.coordinates,
            "reference": self.reference,
            "reference_label": REFERENCE_LABELS.get(self.reference, self.reference),
            "reference_values": list(self.reference_values),
            "rows": [r.to_dict() for r in self.rows],
        }


def coordinate_names(names: list[str], shapes: dict[str, tuple[int, ...]]) -> list[str]:
    """One name per partial: the variable's, or ``W[0,1]`` per entry of an array variable.

    >>> coordinate_names(["b", "w"], {"w": (2,)})
    ['b', 'w[0]', 'w[1]']
    """
    from ..bridges.sympy_convert import entry_name

    out = []
    for n in names:
        shape = tuple(shapes.get(n, ()))
        out += [entry_name(n, index) for index in np.ndindex(*shape)] if shape else [n]
    return out


def flat_values(values: Any) -> np.ndarray:
    """Partials as one float array, entry by entry: ``finite_difference``'s ndarray, or its
    tuple of arrays (one per variable) laid end to end."""
    if isinstance(values, tuple):
        parts = [np.ravel(np.asarray(v, dtype=float)) for v in values]
        return np.concatenate(parts) if parts else np.zeros(0)
    return np.ravel(np.asarray(values, dtype=float))


def _point_text(v: Any) -> str:
    a = np.asarray(v)
    if a.ndim == 0:
        return format_number(float(a))
    if a.size > 6:
        return f"<array of shape {a.shape}>"
    texts = np.frompyfunc(lambda v: format_number(float(v)), 1, 1)(a).tolist()
    return str(texts).replace("'", "")


def _norm_text(values: np.ndarray) -> str:
    with np.errstate(all="ignore"):
        return f"{float(np.sqrt(np.sum(np.square(values)))):.10g}"


def _largest(errors: np.ndarray) -> float:
    errors = np.asarray(errors, dtype=float)
    if errors.size == 0:
        return 0.0
    return float(np.nan) if np.any(np.isnan(errors)) else float(np.max(errors))


def _errors(a: Any) -> str:
    return ", ".join(error_number(v) for v in np.asarray(a, dtype=float))


def _fresh_copy(e: Expr) -> Expr:
    g = Graph()
    return Expr(g, g.copy_from(e.ir, [e.node])[e.node])


def _size(exprs: tuple[Expr, ...]) -> int:
    if not exprs:
        return 0
    g = exprs[0].ir
    return len(reachable(g, [d.node for d in exprs]))


def _evaluate_all(partials: tuple[Expr, ...], point: dict[str, Any]) -> np.ndarray:
    if not partials:
        return np.zeros(0)
    values = evaluate(list(partials), point)
    return flat_values(tuple(np.real(v) for v in values))


def _symbolic_row(
    e: Expr, wrt: Any, names: list[str], point: dict[str, Any],
    sympy_timeout: float | None, max_sympy_size: int | None, n_coordinates: int,
) -> tuple[Row, list[Any] | None]:
    """The symbolic row (its values: SymPy's partials in high precision, rounded to floats)
    and those partials as ``mpmath.mpf`` (None when SymPy cannot give them)."""
    from ..bridges.sympy_calculus import precise_grad

    t0 = time.perf_counter()
    try:
        precise = [x for p in precise_grad(e, point, wrt, sympy_timeout=sympy_timeout,
                                           max_sympy_size=max_sympy_size)
                   for x in (p.ravel() if isinstance(p, np.ndarray) else [p])] if names else []
    except (GraphirError, ImportError) as exc:
        nan = np.full(n_coordinates, np.nan)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        note = first if first.startswith("SymPy") else f"SymPy cannot take it: {first}"
        return Row("symbolic", "symbolic", LABELS["symbolic"], nan, nan.copy(), nan.copy(),
                   time.perf_counter() - t0, None, note=note), None
    seconds = time.perf_counter() - t0
    values = np.array([float(v) for v in precise], dtype=float)
    size, size_cse = _sympy_sizes(e, wrt, sympy_timeout, max_sympy_size)
    zeros = np.zeros(len(values))
    row = Row("symbolic", "symbolic", LABELS["symbolic"], values, zeros, zeros.copy(), seconds,
              size, size_cse=size_cse, evals=1)
    if not row.ok:
        row.note = "SymPy's derivative is no real number here"
    return row, precise


def _entries(obj: Any) -> list[Any]:
    """The entries of a SymPy Matrix or N-dim array; a scalar as the one entry."""
    import sympy

    if isinstance(obj, sympy.MatrixBase):
        return list(obj)
    if isinstance(obj, sympy.NDimArray):
        return list(sympy.flatten(obj.tolist()))
    return [obj]


def _sympy_sizes(
    e: Expr, wrt: Any, sympy_timeout: float | None, max_sympy_size: int | None,
) -> tuple[int | None, int | None]:
    """SymPy's operation count of its partials of ``e``, before and after ``sympy.cse``
    (None, None when SymPy cannot count them within ``sympy_timeout``)."""
    from ..bridges.sympy_calculus import symbolic_grad
    from ..bridges.sympy_convert import to_sympy

    try:
        import sympy

        with limits.time_limit(sympy_timeout, "counting the operations of the derivatives"):
            partials = symbolic_grad(e, wrt, sympy_timeout=None, max_sympy_size=max_sympy_size)
            sps = [x for p in partials for x in _entries(to_sympy(p, max_sympy_size=max_sympy_size))]
            size = int(sum(sympy.count_ops(s) for s in sps))
            replacements, reduced = sympy.cse(sps)
            size_cse = int(sum(sympy.count_ops(r) for _, r in replacements) +
                           sum(sympy.count_ops(r) for r in reduced))
    except (GraphirError, ImportError, *limits.SYMPY_FAILURES):
        return None, None
    return size, size_cse


def compare(
    expr: Any,
    at: Mapping[Any, Any],
    wrt: Any = None,
    *,
    sympy_timeout: float | None = limits.DEFAULT_TIMEOUT,
    max_sympy_size: int | None = limits.MAX_SYMPY_SIZE,
) -> Comparison:
    """Partials of ``expr`` at ``at`` by every method, with errors, times and sizes.

    Parameters
    ----------
    expr : an expression (or text for :func:`graphir.parse`).
    at : the point, variables or names -> real numbers (an array of its shape for a shaped
        variable: the expression is then a scalar of arrays, each row holds one value per
        entry, named by :attr:`Comparison.coordinates`, and the table shows an array
        variable's partials by their norm and its errors as the largest over its entries).
    wrt : variables or names; default ``expr.variables``.
    sympy_timeout : seconds SymPy may take for the symbolic row (None: no limit); a SymPy
        that is stopped, fails or is refused (``max_sympy_size``, see
        :func:`graphir.simplify`) leaves the row empty with a note, and the errors are
        measured against the complex step (see ``reference``).
    max_sympy_size : the largest tree form (shared subexpressions written out) SymPy is given.

    Returns
    -------
    Comparison
        ``rows`` in the order symbolic, forward, reverse, fd-forward,
        fd-backward, fd-central, fd-complex, fd-richardson; ``reference`` is
        ``"symbolic"`` (SymPy's derivative at 40 digits), or ``"fd-complex"``,
        ``"fd-richardson"``, ``"reverse"`` when SymPy gave none;
        ``reference_values`` holds the reference as decimal text (all its digits).

    Examples
    --------
    >>> import graphir as gi
    >>> x = gi.symbols("x")
    >>> c = compare(gi.sin(x), {x: 1.0})
    >>> c.reference
    'symbolic'
    >>> bool(c.row("central").rel_error[0] < 1e-9)
    True
    """
    from ..derivatives import grad

    e = as_expression(expr)
    wrt = wrt_items(wrt)  # read by every method below
    names = wrt_names(e, wrt, unique=True)
    arrays = has_arrays(e, wrt)
    shapes = variable_shapes(e, wrt) if arrays else {}
    point = as_shaped_point(at, shapes) if arrays else as_point(at, scalar=True)
    if arrays and e.shape:
        raise ShapeError(f"compare takes a scalar expression, got one of shape {e.shape}; compare "
                         "the gradient of one entry (or of a sum of them)")
    coordinates = coordinate_names(names, shapes)
    sympy_timeout, max_sympy_size = limits.read_timeout(sympy_timeout), limits.read_size(max_sympy_size)
    sym, precise = _symbolic_row(_fresh_copy(e), wrt, names, point, sympy_timeout, max_sympy_size,
                                 len(coordinates))
    rows: list[Row] = [sym]
    for mode in ("forward", "reverse"):
        copy = _fresh_copy(e)
        t0 = time.perf_counter()
        partials = grad(copy, wrt, mode=mode)
        values = _evaluate_all(partials, point)
        seconds = time.perf_counter() - t0
        rows.append(Row(mode, "ad", LABELS[mode], values, values * 0, values * 0, seconds,
                        _size(partials), evals=1))
    n_nodes = e.num_nodes
    for method in METHODS:
        copy = _fresh_copy(e)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            # Out-of-domain perturbed points show as nan in the row; no warning per node.
            warnings.simplefilter("ignore", RuntimeWarning)
            values = flat_values(finite_difference(copy, point, wrt, method=method))
        seconds = time.perf_counter() - t0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            _, estimate = finite_difference(copy, point, wrt, method=method, return_error=True)
        key = f"fd-{method}"
        rows.append(Row(key, "fd", LABELS[key], values, values * 0, values * 0, seconds, n_nodes,
                        evals=evaluations(method, len(coordinates), RICHARDSON_LEVELS),
                        error_estimate=flat_values(estimate),
                        step=_default_steps(method, point, names, shapes)))
    reference, hi, lo, digits = _reference(rows, precise, e, point, wrt)
    for r in rows:
        r.abs_error, r.rel_error = relative_error(r.values, hi, lo)
    return Comparison(to_text(e, limit=200), point, names, reference, rows, digits,
                      {n: shapes.get(n, ()) for n in names})


def _default_steps(method: str, point: dict[str, Any], names: list[str],
                   shapes: dict[str, tuple[int, ...]]) -> np.ndarray:
    """The default step of ``method`` per partial (per entry of an array variable)."""
    out = []
    for n in names:
        v = point.get(n, np.zeros(shapes.get(n, ())))
        out += [default_step(method, float(x)) for x in np.ravel(v)]
    return np.array(out, dtype=float)


def _reference(
    rows: list[Row], precise: list[Any] | None, e: Expr, point: dict[str, Any], wrt: Any,
) -> tuple[str, np.ndarray, np.ndarray, list[str]]:
    """The reference: SymPy's partials in high precision when all are real numbers, else
    :func:`fallback_reference`.  Returns its key, its ``(hi, lo)`` floats and its values as
    decimal text."""
    import mpmath

    if precise is not None and rows[0].ok:
        hi, lo = split_reference(precise)
        text = [mpmath.nstr(v, REFERENCE_DIGITS, min_fixed=-5, max_fixed=8) for v in precise]
        return "symbolic", hi, lo, text
    key, hi = fallback_reference(_fresh_copy(e), point, wrt)
    return key, hi, np.zeros_like(hi), [repr(float(v)) if math.isfinite(v) else "nan" for v in hi]


def fallback_reference(e: Expr, point: dict[str, Any], wrt: Any) -> tuple[str, np.ndarray]:
    """The reference when SymPy gives none: the complex step, else Richardson extrapolation,
    else reverse AD (the first whose values are all finite), as ``(key, values)``.  Where
    the expression itself is not finite no difference quotient means anything: reverse AD."""
    from ..derivatives import grad

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # the AD rows have said where values are not finite
        at_point = np.asarray(evaluate([e], point)[0])
        methods = ("complex", "richardson") if np.all(np.isfinite(at_point)) else ()
        for method in methods:
            values = flat_values(finite_difference(e, point, wrt, method=method))
            if np.all(np.isfinite(values)):
                return f"fd-{method}", values
    return "reverse", _evaluate_all(grad(e, wrt, mode="reverse"), point)
