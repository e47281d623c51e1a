"""Is a claimed partial derivative right?  Symbolically where SymPy can tell, numerically always.

:func:`check_claims` takes an expression and claimed partials (``{"w": "(y -
w*x - b)*1"}``) and, for each claim:

1. **symbolically**: ``sympy.simplify(claimed - true)``; 0 means *equal*, a
   nonzero constant or an expression SymPy proves nonzero means *not equal*,
   anything else is *undecided*;
2. **numerically**, always: at points drawn reproducibly (a seeded generator,
   values rounded to 3 significant digits so they read well) from boxes where
   the expression, its true partial and the claim are finite, plus the user's
   ``at`` point; the true partial comes from reverse mode.  A wrong claim gets
   a counterexample: a point giving every variable of the expression and of the
   claim, with the claimed and the true value there.

A claim *holds* when SymPy finds it equal, or when SymPy cannot decide and
every sample point agrees; it is *wrong* when SymPy proves a difference or a
point disagrees.  ``report.ok`` is True only when every claim holds.

>>> import graphir as gi
>>> r = check_claims("x**2 * y", {"x": "2*x*y", "y": "x"})
>>> r.ok, [c.status for c in r.results]
(False, ['holds', 'wrong'])
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..arguments import as_point, variable_name
from ..bridges.sympy_limits import (
    DEFAULT_TIMEOUT,
    MAX_SYMPY_SIZE,
    SYMPY_FAILURES,
    read_size,
    read_timeout,
    time_limit,
)
from ..build import Expr, as_expr
from ..errors import ArgumentError, GraphirError, SymbolicTimeout, SymbolicTooLarge
from ..ir import Graph
from ..passes.evaluate import values_of_nodes
from ..printing import display_number, error_number, format_number, to_text
from ..traversal import topo_order
from .finite_difference import as_expression
from .report import Report

__all__ = ["check_claims", "ClaimReport", "ClaimResult", "sample_points", "read_domain"]

#: A sampling domain: ``("real", lo, hi)`` (an interval) or ``("int", lo, hi)`` (integers, both ends in).
Domain = tuple[str, float, float]

# Boxes the sample points are drawn from, in turn, until enough finite points are found.
BOXES = ((-3.0, 3.0), (0.1, 3.0), (-10.0, 10.0), (0.1, 10.0), (-100.0, 100.0), (1.0, 100.0))
BATCH = 64
SIMPLIFY_LIMIT = 400  # SymPy operations beyond which simplify is not attempted


@dataclass
class ClaimResult:
    """The verdict on one claimed partial derivative.

    ``status`` is ``"holds"``, ``"wrong"`` or ``"undecided"``; ``symbolic`` is
    ``"equal"``, ``"not equal"``, ``"undecided"`` or ``"not asked"`` with ``symbolic_note``
    saying why; ``points`` sample points were compared and ``mismatches`` of
    them disagreed; ``counterexample`` (a wrong claim) maps every variable to
    its value, with ``claimed_value`` and ``true_value`` there.
    """

    variable: str
    claim: str
    true: str
    symbolic: str
    symbolic_note: str
    points: int
    mismatches: int
    max_difference: float
    counterexample: dict[str, float] | None
    claimed_value: float | None
    true_value: float | None
    status: str
    note: str = ""
    diagnosis: str = ""

    @property
    def holds(self) -> bool:
        """True when the claim is right."""
        return self.status == "holds"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "variable": self.variable,
            "claim": self.claim,
            "true": self.true,
            "status": self.status,
            "symbolic": self.symbolic,
            "symbolic_note": self.symbolic_note,
            "points": self.points,
            "mismatches": self.mismatches,
            "max_difference": _finite_or_none(self.max_difference),
            "counterexample": self.counterexample,
            "claimed_value": _finite_or_none(self.claimed_value),
            "true_value": _finite_or_none(self.true_value),
            "diagnosis": self.diagnosis,
            "note": self.note,
        }

    def lines(self) -> list[str]:
        """The readable block ``str(report)`` shows for this claim."""
        head = {"holds": "holds", "wrong": "WRONG", "undecided": "undecided"}[self.status]
        out = [f"d/d{self.variable}: {head}",
               f"  claimed:  {self.claim}",
               f"  true:     {self.true}"]
        sym = {
            "equal": "equal",
            "not equal": "not equal",
            "undecided": "cannot decide",
            "not asked": "not asked (symbolic=False)",
        }[self.symbolic]
        out.append(f"  SymPy:    {sym}" + (f" ({self.symbolic_note})" if self.symbolic_note else ""))
        if self.points == 0:
            out.append("  numeric:  no sample point where the expression and the claim are finite")
        elif self.mismatches:
            out.append(f"  numeric:  differs at {self.mismatches} of {self.points} sample points")
        else:
            out.append(f"  numeric:  agrees at all {self.points} sample points "
                       f"(largest difference {error_number(self.max_difference)})")
        if self.counterexample is not None:
            at = ", ".join(f"{k}={format_number(v)}" for k, v in self.counterexample.items())
            out.append(f"  for example at {at}:")
            out.append(f"            claimed {_num(self.claimed_value)}, true {_num(self.true_value)}")
        if self.diagnosis:
            out.append(f"  diagnosis: {self.diagnosis}")
        if self.note:
            out.append(f"  note:     {self.note}")
        return out


def _num(v: float | None) -> str:
    return "undefined" if v is None or not math.isfinite(v) else display_number(v)


def _finite_or_none(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


@dataclass
class ClaimReport(Report):
    """What :func:`check_claims` found: ``results`` per claim and ``ok`` (every claim holds)."""

    expression: str
    results: list[ClaimResult] = field(default_factory=list)
    at: dict[str, float] | None = None

    @property
    def ok(self) -> bool:
        """True only when every claim holds."""
        return bool(self.results) and all(r.holds for r in self.results)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = [f"Checking claimed partial derivatives of {self.expression}", ""]
        for r in self.results:
            lines += [*r.lines(), ""]
        wrong = sum(r.status == "wrong" for r in self.results)
        open_ = sum(r.status == "undecided" for r in self.results)
        n = len(self.results)
        if self.ok:
            lines.append("The claim holds." if n == 1 else f"All {n} claims hold.")
        else:
            parts = []
            if wrong:
                parts.append(f"{wrong} of {n} claim{'s' if n != 1 else ''} wrong")
            if open_:
                parts.append(f"{open_} undecided")
            lines.append((", ".join(parts) or "no claims") + ".")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"expression": self.expression, "at": self.at, "ok": self.ok,
                "results": [r.to_dict() for r in self.results]}


# ------------------------------------------------------------------ sampling


def read_domain(spec: Any) -> Domain:
    """A sampling domain from ``"0,1"`` or ``(0, 1)`` (the interval), ``"int:1,10"`` or
    ``range(1, 11)`` (the integers 1 to 10).

    >>> read_domain("0,1"), read_domain("int:1,10"), read_domain(range(1, 11))
    (('real', 0.0, 1.0), ('int', 1.0, 10.0), ('int', 1.0, 10.0))
    """
    if isinstance(spec, range):
        if spec.step != 1 or len(spec) == 0:
            raise ArgumentError(f"a domain range must be non-empty with step 1, got {spec!r}")
        return ("int", float(spec.start), float(spec.stop - 1))
    kind = "real"
    parts: Any = spec
    if isinstance(spec, tuple) and len(spec) == 3 and spec[0] in ("real", "int"):
        kind, parts = spec[0], spec[1:]  # a domain read before
    elif isinstance(spec, str):
        text = spec.strip()
        if text.startswith("int:"):
            kind, text = "int", text[4:]
        parts = text.split(",")
    try:
        lo, hi = (float(v) for v in parts)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"a domain is LO,HI (an interval) or int:LO,HI (integers), got {spec!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
        raise ArgumentError(f"a domain needs finite LO <= HI, got {spec!r}")
    if kind == "int" and (lo != int(lo) or hi != int(hi)):
        raise ArgumentError(f"an integer domain needs integer ends, got {spec!r}")
    return (kind, lo, hi)


def _round3(a: np.ndarray) -> np.ndarray:
    """Round to 3 significant digits (points that read well and are exactly what was evaluated)."""
    out = np.array([float(f"{v:.3g}") for v in a.ravel()]).reshape(a.shape)
    return out


def sample_points(
    names: list[str], at: dict[str, float] | None, seed: int, box: tuple[float, float], batch: int = BATCH,
    around: bool = False, domains: Mapping[str, Domain] | None = None,
) -> dict[str, np.ndarray]:
    """A batch of candidate points (columns by name): uniform in ``box``, or around ``at``;
    a variable with a domain (``domains``, see :func:`read_domain`) is drawn from it.

    >>> pts = sample_points(["x", "n"], None, 0, (-3.0, 3.0), batch=4, domains={"n": ("int", 1, 3)})
    >>> sorted(pts), pts["x"].shape, set(pts["n"]) <= {1.0, 2.0, 3.0}
    (['n', 'x'], (4,), True)
    """
    rng = np.random.default_rng(seed)
    cols = {}
    for n in names:
        if domains and n in domains:
            kind, lo, hi = domains[n]
            if kind == "int":
                cols[n] = rng.integers(int(lo), int(hi) + 1, batch).astype(float)
                continue
            cols[n] = np.clip(_round3(rng.uniform(lo, hi, batch)), lo, hi)
            continue
        if around and at is not None and n in at:
            c = at[n]
            cols[n] = c + rng.uniform(-0.5, 0.5, batch) * max(abs(c), 1.0)
        else:
            cols[n] = rng.uniform(box[0], box[1], batch)
        cols[n] = _round3(cols[n])
    return cols


def _values(exprs: list[Expr], point: dict[str, Any], m: int) -> list[np.ndarray]:
    from ..build import lift

    graph, roots = lift(*exprs)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        env = values_of_nodes(graph, topo_order(graph, roots), point, keep=roots)
    out = []
    for r in roots:
        v = np.asarray(env[r])
        if np.iscomplexobj(v):
            v = np.where(np.imag(v) == 0, np.real(v), np.nan)
        out.append(np.broadcast_to(v.astype(float), (m,)).copy())
    return out


# ------------------------------------------------------------------ symbolic


def _symbolic(
    e: Expr, name: str, claim: Expr, sympy_timeout: float | None, max_sympy_size: int | None,
) -> tuple[str, str, Expr | None]:
    """``(verdict, note, SymPy's true partial as an expression, or None)``.

    SymPy gets ``sympy_timeout`` seconds for the whole verdict; when it cannot decide
    (it fails, is stopped, or the expression is too large for it) the verdict is
    ``"undecided"`` with the reason, and the numeric check decides.
    """
    found: list[Expr] = []
    try:
        with time_limit(sympy_timeout, f"deciding the claim for d/d{name}"):
            return _decide(e, name, claim, max_sympy_size, found)
    except SymbolicTimeout as exc:
        note = (f"stopped after {exc.seconds:g} s; give it longer with sympy_timeout= "
                "(the command line's --sympy-timeout)")
        return "undecided", note, found[0] if found else None
    except SymbolicTooLarge as exc:
        return "undecided", f"not asked: {_first_line(exc)}", found[0] if found else None
    except (GraphirError, ImportError) as exc:
        why = _first_line(exc)
        note = why if why.startswith("SymPy") else f"SymPy cannot take it: {why}"
        return "undecided", note, found[0] if found else None
    except SYMPY_FAILURES as exc:
        return "undecided", f"SymPy failed: {_first_line(exc)}", found[0] if found else None


def _decide(
    e: Expr, name: str, claim: Expr, max_sympy_size: int | None, found: list[Expr],
) -> tuple[str, str, Expr | None]:
    """The verdict of :func:`_symbolic`, which catches what SymPy raises (SymPy's true
    partial is appended to ``found`` as soon as it is known)."""
    import sympy

    from ..bridges.sympy_calculus import symbolic_grad
    from ..bridges.sympy_convert import to_sympy

    scratch = Graph()  # the variable as an object: a partial of 0 when ``e`` does not use it
    true_expr = symbolic_grad(
        e, [Expr(scratch, scratch.var(name))], sympy_timeout=None, max_sympy_size=max_sympy_size
    )[0]
    found.append(true_expr)
    true = to_sympy(true_expr, max_sympy_size=max_sympy_size)
    c = to_sympy(claim, max_sympy_size=max_sympy_size)
    d = c - true
    if sympy.count_ops(d) > SIMPLIFY_LIMIT:
        return "undecided", "too large for sympy.simplify", true_expr
    s = sympy.simplify(d)
    if s == 0:
        return "equal", "claimed - true simplifies to 0", true_expr
    if s.is_number and s.is_finite and s.is_zero is False:
        return "not equal", f"claimed - true simplifies to the constant {s}", true_expr
    if s.is_zero is False:
        return "not equal", f"SymPy proves claimed - true = {_short(s)} is never 0", true_expr
    try:
        if s.is_polynomial() and sympy.expand(s) != 0:
            # A polynomial that does not expand to 0 is not identically 0.
            return "not equal", f"claimed - true = {_short(sympy.factor(s))}, a nonzero polynomial", true_expr
    except (*SYMPY_FAILURES, sympy.PolynomialError):
        pass
    try:
        f = sympy.factor(s)
        s = f if len(str(f)) < len(str(s)) else s
    except (*SYMPY_FAILURES, sympy.PolynomialError):
        pass
    return "undecided", f"claimed - true simplifies to {_short(s)}", true_expr


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def _short(s: Any, limit: int = 120) -> str:
    text = str(s)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _true_text(true_expr: Expr | None, ad: Expr) -> str:
    """SymPy's derivative as it comes back (readable), else graphir's own, cleaned up."""
    if true_expr is not None:
        return to_text(true_expr, limit=300)
    try:
        from ..passes.cleanup import cleanup

        return to_text(cleanup(ad), limit=300)
    except (ImportError, GraphirError):
        return to_text(ad, limit=300)


# ------------------------------------------------------------------ diagnosis

Taken = list[tuple[dict[str, float], float, float]]  # (point, claimed, true) per sample point
MAX_INNER = 200  # subexpressions tried as a missing inner derivative


def _close(a: np.ndarray, b: np.ndarray | float, rtol: float, atol: float) -> bool:
    b = np.broadcast_to(np.asarray(b, dtype=float), a.shape)
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b))))


def _number(v: float) -> str:
    return display_number(float(f"{v:.12g}"))


def _diagnose(e: Expr, name: str, claim: Expr, taken: Taken, rtol: float, atol: float) -> str:
    """How a wrong claim differs from the true partial, in words ("" when no pattern fits):
    a sign, a constant factor, an additive constant, a missing inner derivative (the
    first that fits at every sample point)."""
    if len(taken) < 2:
        return ""
    c = np.array([cv for _, cv, _ in taken])
    t = np.array([tv for _, _, tv in taken])
    tol = (10 * rtol, 10 * atol)  # the values themselves carry rounding
    nonzero = np.abs(t) > atol
    if nonzero.sum() >= 2 and _close(c[~nonzero], 0.0, *tol):
        k = c[nonzero] / t[nonzero]
        if _close(k, k[0], *tol) and abs(k[0]) > 0:
            if _close(k[:1], -1.0, *tol):
                return "off by a sign: the claim is minus the true derivative"
            return f"off by a constant factor: the claim is {_number(k[0])} times the true derivative"
    d = c - t
    if _close(d, d[0], *tol):
        return f"off by an additive constant: claimed - true = {_number(d[0])} everywhere"
    return _missing_inner(e, name, claim, taken, t, *tol)


def _missing_inner(e: Expr, name: str, claim: Expr, taken: Taken, t: np.ndarray, rtol: float,
                   atol: float) -> str:
    """``"missing the inner derivative ..."`` when ``true / claim`` (or, for a claim
    ``A * B``, ``true / A`` in place of ``B``) is the derivative by ``name`` of a
    subexpression of ``e`` at every sample point."""
    from ..build import lift
    from ..passes.cleanup import cleanup
    from ..passes.forward import forward
    from .compare import _fresh_copy

    copy = _fresh_copy(e)
    g = copy.ir
    order = topo_order(g, [copy.node])
    uses = set()
    for i in order:
        if (g.ops[i] == "var" and g.params[i] == name) or any(a in uses for a in g.args[i]):
            uses.add(i)
    inner = [i for i in order if i in uses and g.args[i] and i != copy.node][-MAX_INNER:]
    if not inner or name not in [v.name for v in copy.variables]:
        return ""
    tangents = forward(g, [copy.node], {g.var(name): g.const(1.0)})
    du = {i: tangents.derivative_of(i) for i in inner}
    inner = [i for i in inner if du[i] is not None]
    # What the claim is missing: true/claim; for a claim A*B also true/A (B is the wrong factor).
    cg, (croot,) = lift(claim)
    wanted: list[tuple[str, Expr]] = []
    if cg.ops[croot] == "mul":
        a, b = cg.args[croot]
        wanted += [(to_text(Expr(cg, b), limit=60), Expr(cg, a)),
                   (to_text(Expr(cg, a), limit=60), Expr(cg, b))]
    wanted.append(("", claim))
    point = {n: np.array([p[n] for p, _, _ in taken]) for n in taken[0][0]}
    m = len(taken)
    dus = _values([Expr(g, du[i]) for i in inner], point, m) if inner else []
    divisors = _values([w for _, w in wanted], point, m)
    for (factor, _), divisor in zip(wanted, divisors, strict=True):
        ok = np.abs(divisor) > atol
        if ok.sum() < 2:
            continue
        ratio = t[ok] / divisor[ok]
        if _close(ratio, 1.0, rtol, atol):
            continue  # this part already is the true derivative
        for i, values in reversed(list(zip(inner, dus, strict=True))):  # outermost first
            if np.all(np.isfinite(values[ok])) and _close(ratio, values[ok], rtol, atol):
                d_text = to_text(cleanup(Expr(g, du[i])), limit=60)
                u_text = to_text(Expr(g, i), limit=60)
                where = f": the factor {factor} should be {d_text}" if factor else ""
                return (f"missing the inner derivative {d_text} (the derivative of {u_text} "
                        f"by {name}){where}")
    return ""


# ------------------------------------------------------------------ public


def check_claims(
    expr: Any,
    claims: Mapping[Any, Any],
    at: Mapping[Any, Any] | None = None,
    samples: int = 20,
    *,
    seed: int = 0,
    rtol: float = 1e-7,
    atol: float = 1e-10,
    symbolic: bool = True,
    sympy_timeout: float | None = DEFAULT_TIMEOUT,
    max_sympy_size: int | None = MAX_SYMPY_SIZE,
    domains: Mapping[Any, Any] | None = None,
) -> ClaimReport:
    """Check claimed partial derivatives of ``expr``, symbolically and at sample points.

    Parameters
    ----------
    expr : an expression (or text for :func:`graphir.parse`).
    claims : variable (or name) -> claimed partial (text, expression or number); for an
        array variable, an expression of its shape, or a NumPy array or nested list of numbers.
        An expression with arrays is checked entry by entry: its SymPy form, with one scalar
        variable per entry, goes through the same checks, and the report has one result per
        entry of each claimed partial, named ``W[0,1]`` (so SymPy's size limits apply to it).
    at : a point to check at as well (names -> values); variables it leaves out are sampled.
    samples : number of sample points per claim (besides ``at``).
    seed : seed of the generator the points are drawn with (same seed, same points).
    rtol, atol : a point agrees when ``|claimed - true| <= atol + rtol * max(|claimed|, |true|)``.
    symbolic : also ask SymPy (``False``: numeric check only).
    sympy_timeout : seconds SymPy may spend on each claim (None: no limit); a SymPy that is
        stopped, fails or is refused cannot decide, and the sample points decide.
    max_sympy_size : SymPy is not asked about an expression whose tree form (shared
        subexpressions written out) has more nodes (None: no limit).
    domains : variable (or name) -> where it is sampled: ``(lo, hi)`` or ``"lo,hi"`` (an
        interval), ``range(a, b)`` or ``"int:lo,hi"`` (integers); the others are drawn from
        boxes around 0 (see :func:`read_domain`).

    Returns
    -------
    ClaimReport
        ``.results`` per claim, ``.ok``, ``str()`` to read, ``.to_json()``.  A wrong claim
        has a ``diagnosis`` where one fits: a missing inner derivative, a sign, a
        constant factor, an additive constant.

    Examples
    --------
    >>> import graphir as gi
    >>> L = gi.parse("(y - w*x - b)^2/2")
    >>> r = check_claims(L, {"w": "-(y - w*x - b)*x", "b": "-(y - w*x - b)"})
    >>> r.ok
    True
    >>> r = check_claims(L, {"w": "(y - w*x - b)*1"}, at={"w": 1, "x": 2, "y": 3, "b": 0})
    >>> r.ok, r.results[0].counterexample, r.results[0].claimed_value, r.results[0].true_value
    (False, {'y': 3.0, 'w': 1.0, 'x': 2.0, 'b': 0.0}, 1.0, -2.0)
    """
    from ..derivatives import diff

    e = as_expression(expr)
    if not claims:
        raise ArgumentError("no claims given: pass {variable: claimed partial derivative}")
    sympy_timeout, max_sympy_size = read_timeout(sympy_timeout), read_size(max_sympy_size)
    parsed: list[tuple[str, Expr]] = []
    for k, v in claims.items():
        parsed.append((variable_name(k), _claim_expression(v)))
    domains = {variable_name(k): read_domain(v) for k, v in (domains or {}).items()}
    if any(e.ir.shapes[i] for i in e.order) or any(c.ir.shapes[i] for _, c in parsed for i in c.order):
        return _check_array_claims(
            e, parsed, at, domains, samples=samples, seed=seed, rtol=rtol, atol=atol, symbolic=symbolic,
            sympy_timeout=sympy_timeout, max_sympy_size=max_sympy_size,
        )
    base = as_point(at, scalar=True) if at is not None else None
    report = ClaimReport(to_text(e, limit=300), at=base)
    expr_names = [v.name for v in e.variables]
    for name, claim in parsed:
        names = list(expr_names)
        for v in claim.variables:
            if v.name not in names:
                names.append(v.name)  # type: ignore[arg-type]
        if name in expr_names:
            true_ad = diff(e, name, mode="reverse")
        else:
            true_ad = as_expr(0.0)
        sym_verdict, sym_note, true_expr = ("not asked", "", None)
        if symbolic:
            sym_verdict, sym_note, true_expr = _symbolic(e, name, claim, sympy_timeout, max_sympy_size)
        result, taken = _numeric(e, name, claim, true_ad, names, base, samples, seed, rtol, atol, domains)
        result.true = _true_text(true_expr, true_ad)
        result.symbolic, result.symbolic_note = sym_verdict, sym_note
        if sym_verdict == "equal":
            result.status = "holds"
            if result.mismatches:
                result.note = " ".join(filter(None, [result.note, (
                    "SymPy finds the claim equal; the numeric differences are rounding "
                    "or points outside the domain")]))
                result.counterexample = result.claimed_value = result.true_value = None
        elif sym_verdict == "not equal":
            result.status = "wrong"
            if not result.mismatches:
                result.note = " ".join(filter(None, [result.note, "no sample point showed the difference"]))
        else:
            result.status = "wrong" if result.mismatches else ("holds" if result.points else "undecided")
        if result.status == "wrong":
            result.diagnosis = _diagnose(e, name, claim, taken, rtol, atol)
        report.results.append(result)
    return report


def _claim_expression(v: Any) -> Expr:
    """A claimed partial as an expression: text is parsed, arrays of numbers are data."""
    if isinstance(v, str):
        return as_expression(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        from ..arrays import constant

        try:
            return constant(np.asarray(v, dtype=float))
        except (TypeError, ValueError):
            raise ArgumentError(f"a claimed partial must be numbers or an expression, got {v!r}") from None
    return as_expr(v)


class _StandIns:
    """One scalar variable per entry of each array variable of ``shapes``: ``W_0_1`` (a name
    no variable has) for ``W[0,1]``, and the ways between the two namings."""

    def __init__(self, shapes: dict[str, tuple[int, ...]]):
        from ..bridges.sympy_convert import entry_symbol, symbol

        self.shapes = shapes
        taken = set(shapes)
        self.plain: dict[tuple[str, tuple[int, ...]], str] = {}
        self.subs: dict[Any, Any] = {}
        for name, shape in shapes.items():
            for index in np.ndindex(*shape) if shape else ():
                stand_in = f"{name}_{'_'.join(map(str, index))}"
                while stand_in in taken:
                    stand_in += "_"
                taken.add(stand_in)
                self.plain[name, index] = stand_in
                self.subs[entry_symbol(name, index)] = symbol(stand_in)
        self.back = {v: entry_symbol(n, i).name for (n, i), v in self.plain.items()}
        words = sorted(self.back, key=len, reverse=True)
        self.pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b") if words else None

    def scalar(self, obj: Any) -> Expr:
        """The graphir expression of a SymPy entry, with the stand-ins for the array entries."""
        import sympy

        from ..bridges.sympy_convert import from_sympy

        # strict: an entry is a SymPy object or a number, never text (no parse_expr)
        return from_sympy(sympy.sympify(obj, strict=True).xreplace(self.subs))

    def spread(self, name: str, value: Any) -> dict[str, Any]:
        """``{stand-in: entry}`` of an array ``value`` of the variable ``name``; ``{name: value}``
        for a scalar."""
        if not self.shapes.get(name):
            return {name: value}
        value = np.broadcast_to(value, self.shapes[name])
        return {self.plain[name, index]: value[index] for index in np.ndindex(*self.shapes[name])}

    def named(self, text: str) -> str:
        """``text`` with the entries named ``W[0,1]`` again."""
        return text if self.pattern is None else self.pattern.sub(lambda m: self.back[m.group(1)], text)


def _check_array_claims(
    e: Expr, parsed: list[tuple[str, Expr]], at: Mapping[Any, Any] | None, domains: dict[str, Domain],
    **options: Any,
) -> ClaimReport:
    """:func:`check_claims` of an expression with arrays: every entry of an array variable
    becomes a scalar variable (:class:`_StandIns`) in the SymPy forms of the expression
    and the claims, the scalar claims are checked, and the report names each entry
    ``W[0,1]`` again."""
    from ..arguments import as_shaped_point, variable_shapes
    from ..bridges.sympy_convert import sympy_entries
    from ..errors import ShapeError

    if e.shape:
        raise ShapeError(f"check_claims takes a scalar expression, got one of shape {e.shape}; "
                         "claim the partials of one entry (or of a sum of them)")
    shapes = variable_shapes(e)
    for _, c in parsed:
        for v in c.variables:
            shapes.setdefault(v.name, v.shape)
    names = _StandIns(shapes)
    size = options["max_sympy_size"]
    scalar_claims: dict[str, Expr] = {}
    for name, c in parsed:
        want = shapes.get(name, ())
        if c.shape not in (want, ()):
            raise ShapeError(
                f"the claimed partial by {name} has shape {c.shape}, but {name} has shape {want}"
            )
        entries = np.asarray(sympy_entries(c, max_sympy_size=size), dtype=object)
        for stand_in, entry in names.spread(name, entries if want else entries[()]).items():
            scalar_claims[stand_in] = names.scalar(entry)
    point = None if at is None else as_shaped_point(at, shapes)
    scalar_point = None if point is None else {
        k: float(v) for name, value in point.items() for k, v in names.spread(name, value).items()
    }
    scalar_domains = {k: dom for name, dom in domains.items() for k in names.spread(name, 0.0)}
    report = check_claims(names.scalar(sympy_entries(e, max_sympy_size=size)), scalar_claims, scalar_point,
                          domains=scalar_domains, **options)
    for r in report.results:
        r.variable, r.claim, r.true = names.named(r.variable), names.named(r.claim), names.named(r.true)
        r.symbolic_note, r.diagnosis = names.named(r.symbolic_note), names.named(r.diagnosis)
        r.note = names.named(r.note)
        if r.counterexample is not None:
            r.counterexample = {names.back.get(k, k): v for k, v in r.counterexample.items()}
    report.expression = to_text(e, limit=300)
    if point is not None:
        report.at = {k: np.asarray(v).tolist() for k, v in point.items()}
    return report


def _numeric(
    e: Expr, name: str, claim: Expr, true_ad: Expr, names: list[str], base: dict[str, float] | None,
    samples: int, seed: int, rtol: float, atol: float, domains: dict[str, Domain],
) -> tuple[ClaimResult, Taken]:
    """Compare the claim with the true partial at sample points (and at ``base``); also
    returns the points used, with the claimed and the true value at each."""
    chunks: list[dict[str, np.ndarray]] = []
    if base is not None:
        fill = sample_points(names, None, seed, BOXES[0], batch=1, domains=domains)
        chunks.append({n: np.array([base[n]]) if n in base else fill[n] for n in names})
        chunks.append(sample_points(names, base, seed + 1, BOXES[0], around=True, domains=domains))
    for k, box in enumerate(BOXES):
        chunks.append(sample_points(names, None, seed + 2 + k, box, domains=domains))
    taken: Taken = []
    wanted = samples + (1 if base is not None else 0)
    note = ""
    for k, chunk in enumerate(chunks):
        m = len(next(iter(chunk.values()))) if chunk else 1
        fv, tv, cv = _values([e, true_ad, claim], dict(chunk), m)
        ok = np.isfinite(fv) & np.isfinite(tv) & np.isfinite(cv)
        if k == 0 and base is not None and not ok[0]:
            note = "the expression, its partial or the claim is not finite at the point given; not used"
        for j in np.flatnonzero(ok)[: wanted - len(taken)]:
            taken.append(({n: float(chunk[n][j]) for n in names}, float(cv[j]), float(tv[j])))
        if len(taken) >= wanted:
            break
    mismatches = []
    max_diff = 0.0
    for point, c, t in taken:
        diff = abs(c - t)
        max_diff = max(max_diff, diff)
        if diff > atol + rtol * max(abs(c), abs(t)):
            mismatches.append((point, c, t))
    first = mismatches[0] if mismatches else None
    return ClaimResult(
        variable=name,
        claim=to_text(claim, limit=300),
        true="",
        symbolic="undecided",
        symbolic_note="",
        points=len(taken),
        mismatches=len(mismatches),
        max_difference=max_diff,
        counterexample=None if first is None else first[0],
        claimed_value=None if first is None else first[1],
        true_value=None if first is None else first[2],
        status="undecided",
        note=note,
    ), taken
