"""Per-node gradient check: does each primitive's partial rule match its NumPy function?

For every operation node of an expression, :func:`check_partials` takes the
operands' actual values at a point, builds each registered partial rule on a
scratch graph (with :class:`graphir.build.RuleKit`, exactly as the derivative
passes do: a constant operand stays a constant, so specialised rules such as
``x**2 -> 2*x`` are the ones checked) and evaluates it there, and compares it
with a Richardson-extrapolated central difference of the primitive's NumPy
function at the same operand values.  A rule that disagrees is reported with
its node, primitive, operand and both numbers.

This is how the author of a primitive registered with
:func:`graphir.register_primitive` finds a wrong partial.

On arrays, an elementwise node's partial rule is checked at up to three of its
entries (first, middle, last; ``entry`` names which), and an array operation
(``matmul``, ``sum``, ``index``...) has its ``jvp`` and ``vjp`` rules checked
along a random direction ``t`` with a random weight ``w`` (both drawn from the
node's id): ``w · jvp(t)`` and ``vjp(w) · t`` against the central difference
of ``w · f(x + h t)`` in ``h``.  A user's primitive is elementwise (it
broadcasts), so it is checked entry by entry.

>>> import graphir as gi
>>> x, y = gi.symbols("x y")
>>> r = check_partials(gi.sin(x) * y, {"x": 0.5, "y": 2.0})
>>> r.ok, len(r.results)
(True, 3)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import primitives
from ..arguments import as_point
from ..build import Expr, RuleKit
from ..errors import GraphirError
from ..ir import Graph
from ..passes.chain import partial_node
from ..passes.evaluate import evaluate, values_of_nodes
from ..printing import display_number, error_number, format_number, node_text, to_text
from .check import BOXES, sample_points
from .finite_difference import as_expression, richardson_derivative
from .report import Report

__all__ = ["check_partials", "PartialsReport", "PartialCheck"]

_SLOT_NAMES = ("x", "y", "z", "w")


@dataclass
class PartialCheck:
    """One partial rule of one node at one point.

    ``status`` is ``"ok"``, ``"wrong"`` or ``"skipped"`` (the primitive or the
    rule is not finite there, or the difference quotient is unreliable:
    ``note`` says which).
    """

    node: int
    op: str
    operand: int
    formula: str
    operand_text: str
    rule: str
    point: dict[str, float]
    operand_values: list[float]
    rule_value: float
    fd_value: float
    fd_error: float
    status: str
    note: str = ""
    entry: tuple[int, ...] | None = None  # on arrays: the entry of an elementwise node checked

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        out = {
            "node": self.node, "op": self.op, "operand": self.operand, "formula": self.formula,
            "operand_text": self.operand_text, "rule": self.rule, "point": self.point,
            "operand_values": [num(v) for v in self.operand_values],
            "rule_value": num(self.rule_value), "fd_value": num(self.fd_value),
            "fd_error": num(self.fd_error), "status": self.status, "note": self.note,
        }
        if self.entry is not None:
            out["entry"] = list(self.entry)
        return out


@dataclass
class PartialsReport(Report):
    """What :func:`check_partials` found: ``results`` per (point, node, operand); ``ok`` when no
    rule is wrong; ``failures`` the wrong ones."""

    expression: str
    points: list[dict[str, float]]
    results: list[PartialCheck] = field(default_factory=list)

    @property
    def failures(self) -> list[PartialCheck]:
        """The checks whose rule disagrees with the difference quotient."""
        return [r for r in self.results if r.status == "wrong"]

    @property
    def ok(self) -> bool:
        """True when no partial rule disagrees."""
        return not self.failures

    def __bool__(self) -> bool:
        return self.ok

    def wrong_rules(self) -> list[tuple[str, int]]:
        """The distinct ``(primitive, operand)`` pairs whose rule disagrees somewhere."""
        seen: list[tuple[str, int]] = []
        for r in self.failures:
            if (r.op, r.operand) not in seen:
                seen.append((r.op, r.operand))
        return seen

    def __str__(self) -> str:
        npts = len(self.points)
        lines = [f"Checking the partial-derivative rule of every node of {self.expression} "
                 f"at {npts} point{'s' if npts != 1 else ''}", ""]
        reported: set[tuple[int, int]] = set()
        counts: dict[tuple[int, int], list[int]] = {}
        for q in self.results:
            c = counts.setdefault((q.node, q.operand), [0, 0])
            c[0] += q.status == "wrong"
            c[1] += 1
        for r in self.failures:
            if (r.node, r.operand) in reported:
                continue
            reported.add((r.node, r.operand))
            bad, total = counts[(r.node, r.operand)]
            at = ", ".join(f"{k}={_value_text(v)}" for k, v in r.point.items())
            vals = ", ".join(format_number(v) for v in r.operand_values)
            where = f"entry {r.entry}: operands {vals}" if r.entry is not None else f"operands {vals}"
            lines += [
                f"WRONG  node {r.node}: {r.formula}   (wrong at {bad} of {total} "
                f"{'point' if r.entry is None else 'checked entr'}{_plural(total, r.entry is None)})",
                f"       primitive {r.op!r}, partial by operand {r.operand} ({r.operand_text}), "
                f"rule {r.rule}",
                f"       at {at} ({where if r.operand_values else r.note}):",
                f"       the rule gives {display_number(r.rule_value)}, difference quotients of "
                f"{r.op}'s NumPy function give {display_number(r.fd_value)} "
                f"(error estimate {error_number(r.fd_error)})",
                "",
            ]
        ok = sum(r.status == "ok" for r in self.results)
        skipped = [r for r in self.results if r.status == "skipped"]
        ops = sorted({r.op for r in self.results if r.status == "ok"})
        lines.append(f"{ok} check{'s' if ok != 1 else ''} agree" + (f" ({', '.join(ops)})" if ops else ""))
        if skipped:
            reasons = sorted({r.note for r in skipped})
            lines.append(f"{len(skipped)} skipped: {'; '.join(reasons)}")
        wrong = self.wrong_rules()
        if wrong:
            lines.append("Wrong rules: " + ", ".join(f"{op} (operand {k})" for op, k in wrong))
        else:
            lines.append("No rule disagrees.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"expression": self.expression, "points": self.points, "ok": self.ok,
                "wrong_rules": [{"op": op, "operand": k} for op, k in self.wrong_rules()],
                "results": [r.to_dict() for r in self.results]}


def _listed(point: Mapping[str, Any]) -> dict[str, Any]:
    """``point`` with every array value as nested lists (numbers stay numbers)."""
    return {n: v.tolist() if isinstance(v, np.ndarray) else v for n, v in point.items()}


def _plural(n: int, point: bool) -> str:
    if point:
        return "s" if n != 1 else ""
    return "ies" if n != 1 else "y"


def _value_text(v: Any) -> str:
    """A number, or a short list of numbers (the value of an array variable)."""
    if not isinstance(v, list):
        return format_number(v)
    flat = np.asarray(v, dtype=float).ravel()
    shown = ", ".join(format_number(float(x)) for x in flat[:6])
    return f"[{shown}{', …' if flat.size > 6 else ''}]"


def _array_points(e: Expr, at: Mapping[Any, Any] | None, samples: int, seed: int) -> list[dict[str, Any]]:
    """Points of an expression with arrays: ``at`` (values of the variables' shapes), or up to
    ``samples`` random points where it is finite (entries drawn from the boxes in turn)."""
    if at is not None:
        point = as_point(at)
        evaluate([e], point)  # EvalError for a missing value or a wrong shape
        return [{n: np.asarray(v, dtype=float) for n, v in point.items()}]
    rng = np.random.default_rng(seed)
    found: list[dict[str, Any]] = []
    for k in range(8 * samples):
        lo, hi = BOXES[k % 2]
        point = {v.name: np.round(rng.uniform(lo, hi, v.shape), 3) for v in e.variables}
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            if np.all(np.isfinite(evaluate([e], point)[0])):
                found.append(point)
        if len(found) >= samples:
            break
    return found


def _points(e: Expr, at: Mapping[Any, Any] | None, samples: int, seed: int) -> list[dict[str, Any]]:
    if any(e.ir.shapes[i] for i in e.order):
        return _array_points(e, at, samples, seed)
    if at is not None:
        return [as_point(at, scalar=True)]
    names = [v.name for v in e.variables]
    found: list[dict[str, float]] = []
    for k, box in enumerate(BOXES):
        cols = sample_points(names, None, seed + k, box)
        m = len(next(iter(cols.values()))) if cols else 1
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            v = np.broadcast_to(np.asarray(evaluate([e], dict(cols))[0], dtype=float), (m,))
        for j in np.flatnonzero(np.isfinite(v)):
            found.append({n: float(cols[n][j]) for n in names})
            if len(found) >= samples:
                return found
        if not names:
            return found or [{}]
    return found


class _Texts:
    """Text of nodes for the report.  Printing a node of a huge graph with a length limit costs
    a walk of everything below it, so beyond :data:`FULL_TEXT_NODES` nodes only the first
    :data:`FULL_TEXT_BUDGET` texts are written in full and the rest name their operands by id."""

    def __init__(self, graph: Graph, size: int):
        self.graph = graph
        self.budget = None if size <= FULL_TEXT_NODES else FULL_TEXT_BUDGET
        self.cache: dict[tuple[int, int], str] = {}

    def __call__(self, i: int, limit: int) -> str:
        key = (i, limit)
        if key not in self.cache:
            g = self.graph
            if self.budget is None or self.budget > 0:
                if self.budget is not None:
                    self.budget -= 1
                self.cache[key] = to_text(Expr(g, i), limit=limit)
            elif not g.args[i]:
                self.cache[key] = to_text(Expr(g, i))
            else:
                self.cache[key] = node_text(g, i, {a: f"node{a}" for a in g.args[i] if g.args[a]})
        return self.cache[key]


FULL_TEXT_NODES = 5000
FULL_TEXT_BUDGET = 100


def _slot_names(arity: int) -> list[str]:
    return list(_SLOT_NAMES[:arity]) if arity <= len(_SLOT_NAMES) else [f"x{k}" for k in range(arity)]


def _rule_expr(p: primitives.Primitive, k: int, const_values: list[float | None]) -> Expr:
    """Partial rule ``k`` of ``p`` built on a scratch graph; operands are variables named by slot
    (``x``, ``y``...) or constants where the expression has constants."""
    g = Graph()
    names = _slot_names(p.arity)
    ids = [g.var(n) if c is None else g.const(c) for n, c in zip(names, const_values, strict=True)]
    return Expr(g, partial_node(g, RuleKit(g), g.apply(p.name, *ids), k))


def check_partials(
    expr: Any,
    at: Mapping[Any, Any] | None = None,
    *,
    samples: int = 3,
    seed: int = 0,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> PartialsReport:
    """Check every node's partial rules against difference quotients of its NumPy function.

    Parameters
    ----------
    expr : an expression (or text for :func:`graphir.parse`).
    at : the point (names -> values); default: ``samples`` points drawn with ``seed`` where
        the expression is finite.
    rtol, atol : a rule agrees when ``|rule - fd| <= atol + rtol * max(|rule|, |fd|) + 10 * err``,
        ``err`` being the difference quotient's own error estimate.

    Returns
    -------
    PartialsReport
        ``.ok``, ``.failures`` (node, primitive, operand, both values), ``str()``, ``.to_json()``.

    Examples
    --------
    >>> import graphir as gi
    >>> halfsq = gi.register_primitive("halfsq", lambda x: x * x / 2, [lambda b, out, x: 2.0 * x])
    >>> x = gi.symbols("x")
    >>> r = check_partials(halfsq(gi.sin(x)), {"x": 1.0})
    >>> r.ok, r.wrong_rules()
    (False, [('halfsq', 0)])
    >>> gi.unregister_primitive("halfsq")
    """
    e = as_expression(expr)
    g = e.ir
    order = e.order
    points = _points(e, at, samples, seed)
    # (reports hold plain data: an array's value as nested lists)
    report = PartialsReport(to_text(e, limit=200), [_listed(p) for p in points])
    rules: dict[tuple[str, int, tuple[float | None, ...]], tuple[Expr | None, str]] = {}
    text = _Texts(g, len(order))
    for point in points:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            env = values_of_nodes(g, order, point)
        for i in order:
            op = g.ops[i]
            if op in primitives.LEAF_OPS:
                continue
            p = primitives.get(op)
            if not p.elementwise:
                report.results += _array_checks(g, i, p, env, point, rtol, atol)
                continue
            args = g.args[i]
            consts = tuple(g.const_value(a) for a in args)
            names = _slot_names(p.arity)
            for entry, vals in _entries(g, i, env):
                for k in range(p.arity):
                    key = (op, k, consts)
                    if key not in rules:
                        try:
                            r = _rule_expr(p, k, list(consts))
                            rules[key] = (r, to_text(r, limit=120))
                        except Exception as exc:  # broad on purpose: a user's rule may fail in any way
                            rules[key] = (None, f"<the rule raised {type(exc).__name__}: {exc}>")
                    rule, rule_text = rules[key]
                    check = PartialCheck(i, op, k, "", "", f"d{op}/d{names[k]} = {rule_text}",
                                         _listed(point), vals, math.nan, math.nan, math.nan, "ok",
                                         entry=entry)
                    report.results.append(_judge(check, p, rule, vals, k, names, rtol, atol))
    # Texts last, so the failures get full formulas first when the graph is huge.
    for c in sorted(report.results, key=lambda c: c.status != "wrong"):
        c.formula = text(c.node, 80)
        c.operand_text = text(g.args[c.node][c.operand], 60)
    return report


def _entries(g: Graph, i: int, env: dict[int, Any]) -> list[tuple[tuple[int, ...] | None, list[float]]]:
    """The operand values of an elementwise node: one scalar set (entry None) for a scalar
    node, else those at up to three entries of the node (first, middle, last)."""
    shape = g.shapes[i]
    if not shape:
        return [(None, [float(np.real(env[a])) for a in g.args[i]])]
    operands = [np.broadcast_to(np.real(env[a]), shape) for a in g.args[i]]
    n = int(np.prod(shape))
    picked = sorted({0, n // 2, n - 1}) if n else []
    return [(idx, [float(o[idx]) for o in operands])
            for idx in (tuple(int(j) for j in np.unravel_index(f, shape)) for f in picked)]


def _array_checks(g: Graph, i: int, p: primitives.Primitive, env: dict[int, Any], point: dict[str, Any],
                  rtol: float, atol: float) -> list[PartialCheck]:
    """The jvp and vjp rules of the array op at node ``i``, per operand, along a random direction."""
    args, param = g.args[i], g.params[i]
    h = Graph()
    names = _slot_names(len(args))
    ids = [h.var(n, shape=g.shapes[a]) for n, a in zip(names, args, strict=True)]
    node = h.apply(p.name, *ids, param=param)
    values = {n: np.asarray(np.real(env[a]), dtype=float) for n, a in zip(names, args, strict=True)}
    rng = np.random.default_rng(i)
    out: list[PartialCheck] = []
    for k, a in enumerate(args):
        t = rng.uniform(-1.0, 1.0, g.shapes[a])
        w = rng.uniform(-1.0, 1.0, g.shapes[i])

        def fn(hs: np.ndarray, k: int = k, t: np.ndarray = t, w: np.ndarray = w) -> np.ndarray:
            def at(step: float) -> float:
                operands = [values[n] for n in names]
                operands[k] = operands[k] + step * t
                y = p.numpy(*operands, param) if p.has_param else p.numpy(*operands)
                return float(np.sum(w * y))

            return np.array([at(float(step)) for step in hs])

        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            fd = richardson_derivative(fn, 0.0, h0=1e-2 * max(1.0, float(np.max(np.abs(values[names[k]]),
                                                                                 initial=0.0))))
        for kind, seed_shape, weight in (("jvp", g.shapes[a], w), ("vjp", g.shapes[i], t)):
            c = PartialCheck(i, p.name, k, "", "", "", _listed(point), [], math.nan, *fd, "ok",
                             note=f"{kind} along a random direction")
            try:
                s_id = h.var(f"tangent{k}" if kind == "jvp" else "cotangent", shape=seed_shape)
                rule = p.jvp if kind == "jvp" else p.vjp
                assert rule is not None
                r = rule(RuleKit(h), k, Expr(h, node), Expr(h, s_id), *[Expr(h, j) for j in ids])
                c.rule = f"{kind} by {names[k]} = {to_text(r, limit=120)}"
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore", RuntimeWarning)
                    value = evaluate([r], {**values, f"tangent{k}": t, "cotangent": w})[0]
                c.rule_value = float(np.sum(weight * np.real(value)))
            except Exception as exc:  # broad on purpose: a rule may fail in any way
                c.rule = f"{kind} by {names[k]}"
                c.status, c.note = "wrong", f"the {kind} rule failed: {type(exc).__name__}: {exc}"
                out.append(c)
                continue
            out.append(_verdict(c, rtol, atol))
    return out


def _judge(c: PartialCheck, p: primitives.Primitive, rule: Expr | None, vals: list[float], k: int,
           names: list[str], rtol: float, atol: float) -> PartialCheck:
    if rule is None:
        c.status, c.note = "wrong", "the rule could not be built"
        return c
    if not all(math.isfinite(v) for v in vals):
        c.status, c.note = "skipped", "an operand is not finite"
        return c
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            c.rule_value = float(np.real(evaluate([rule], dict(zip(names, vals, strict=True)))[0]))
        except GraphirError as exc:
            c.status, c.note = "wrong", f"the rule cannot be evaluated: {exc}"
            return c

        def fn(t: np.ndarray) -> np.ndarray:
            operands = [np.full_like(t, v) for v in vals]
            operands[k] = t
            return np.asarray(p.numpy(*operands), dtype=float)

        fd_value, fd_error = richardson_derivative(fn, vals[k])
        c.fd_value, c.fd_error = float(fd_value), float(fd_error)
    return _verdict(c, rtol, atol)


def _verdict(c: PartialCheck, rtol: float, atol: float) -> PartialCheck:
    """``c`` judged by its rule value against its difference quotient and that one's error."""
    if not math.isfinite(c.fd_value):
        c.status, c.note = "skipped", "the primitive is not differentiable (finite) here"
        return c
    if not math.isfinite(c.rule_value):
        c.status, c.note = "wrong", "the rule is not finite where the difference quotient is"
        return c
    if c.fd_error > 1e-3 * max(abs(c.fd_value), 1.0):
        c.status, c.note = "skipped", "difference quotients do not settle (a kink or jump here?)"
        return c
    tol = atol + rtol * max(abs(c.rule_value), abs(c.fd_value)) + 10 * c.fd_error
    c.status = "ok" if abs(c.rule_value - c.fd_value) <= tol else "wrong"
    return c
