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

__all__ = ["check_claims", "ClaimReport", "ClaimResult", "sample_points"]

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


def _round3(a: np.ndarray) -> np.ndarray:
    """Round to 3 significant digits (points that read well and are exactly what was evaluated)."""
    out = np.array([float(f"{v:.3g}") for v in a.ravel()]).reshape(a.shape)
    return out


def sample_points(
    names: list[str], at: dict[str, float] | None, seed: int, box: tuple[float, float], batch: int = BATCH,
    around: bool = False,
) -> dict[str, np.ndarray]:
    """A batch of candidate points (columns by name): uniform in ``box``, or around ``at``.

    >>> pts = sample_points(["x", "y"], None, 0, (-3.0, 3.0), batch=4)
    >>> sorted(pts), pts["x"].shape
    (['x', 'y'], (4,))
    """
    rng = np.random.default_rng(seed)
    cols = {}
    for n in names:
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
) -> ClaimReport:
    """Check claimed partial derivatives of ``expr``, symbolically and at sample points.

    Parameters
    ----------
    expr : an expression (or text for :func:`graphir.parse`).
    claims : variable (or name) -> claimed partial (text, expression or number).
    at : a point to check at as well (names -> values); variables it leaves out are sampled.
    samples : number of sample points per claim (besides ``at``).
    seed : seed of the generator the points are drawn with (same seed, same points).
    rtol, atol : a point agrees when ``|claimed - true| <= atol + rtol * max(|claimed|, |true|)``.
    symbolic : also ask SymPy (``False``: numeric check only).
    sympy_timeout : seconds SymPy may spend on each claim (None: no limit); a SymPy that is
        stopped, fails or is refused cannot decide, and the sample points decide.
    max_sympy_size : SymPy is not asked about an expression whose tree form (shared
        subexpressions written out) has more nodes (None: no limit).

    Returns
    -------
    ClaimReport
        ``.results`` per claim, ``.ok``, ``str()`` to read, ``.to_json()``.

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
        parsed.append((variable_name(k), as_expression(v) if isinstance(v, str) else as_expr(v)))
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
        result = _numeric(e, name, claim, true_ad, names, base, samples, seed, rtol, atol)
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
        report.results.append(result)
    return report


def _numeric(
    e: Expr, name: str, claim: Expr, true_ad: Expr, names: list[str], base: dict[str, float] | None,
    samples: int, seed: int, rtol: float, atol: float,
) -> ClaimResult:
    """Compare the claim with the true partial at sample points (and at ``base``)."""
    chunks: list[dict[str, np.ndarray]] = []
    if base is not None:
        fill = sample_points(names, None, seed, BOXES[0], batch=1)
        chunks.append({n: np.array([base[n]]) if n in base else fill[n] for n in names})
        chunks.append(sample_points(names, base, seed + 1, BOXES[0], around=True))
    for k, box in enumerate(BOXES):
        chunks.append(sample_points(names, None, seed + 2 + k, box))
    taken: list[tuple[dict[str, float], float, float]] = []
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
    )
