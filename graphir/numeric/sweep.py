"""Error against step size for every finite-difference method, and its picture.

:func:`step_sweep` runs :func:`graphir.finite_difference` with the steps
``1e-1, 1e-2, ..., 1e-16`` (absolute steps) for each method and measures the
error against the exact partials (SymPy's, or reverse mode's when SymPy cannot
take the expression).  The classic picture follows: one-sided differences lose
accuracy as ``h`` (truncation) for large steps and as ``eps/h`` (round-off)
for small ones, with the best step near ``sqrt(eps)``; central differences go
as ``h^2`` and are best near ``eps^(1/3)``; the complex step has no
subtraction and stays at machine precision once ``h`` is small.  For
``"richardson"`` the step is the first of its halving sequence.

>>> import graphir as gi
>>> x = gi.symbols("x")
>>> s = step_sweep(gi.sin(x), {x: 1.0})
>>> float(s.steps[0]), float(s.steps[-1]), s.errors["central"].shape
(0.1, 1e-16, (1, 16))
>>> float(s.rel_errors["complex"][0, -1]) < 1e-15
True
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..arguments import as_point, wrt_items, wrt_names
from ..bridges.sympy_limits import DEFAULT_TIMEOUT, MAX_SYMPY_SIZE, read_size, read_timeout
from ..errors import ArgumentError, GraphirError, RenderError
from ..files import write_file
from ..printing import error_number, format_number, to_text
from .compare import REFERENCE_LABELS, fallback_reference, relative_error, split_reference
from .finite_difference import (
    EPS,
    METHODS,
    RICHARDSON_LEVELS,
    Sampler,
    _central,
    _complex,
    _one_sided,
    _richardson,
    as_expression,
    check_method,
    has_arrays,
)
from .report import Report

__all__ = ["step_sweep", "StepSweep", "STEPS"]

STEPS = np.array([float(f"1e-{k}") for k in range(1, 17)])  # exactly the decimal steps

_STYLE = {
    "forward": {"color": "#1f77b4", "marker": "o", "linestyle": "-"},
    "backward": {"color": "#17becf", "marker": "v", "linestyle": "--"},
    "central": {"color": "#2ca02c", "marker": "s", "linestyle": "-"},
    "complex": {"color": "#d62728", "marker": "D", "linestyle": "-"},
    "richardson": {"color": "#9467bd", "marker": "^", "linestyle": ":"},
}


@dataclass
class StepSweep(Report):
    """Errors of finite differences for a range of steps.

    ``steps`` has shape ``(k,)``; ``estimates[m]``, ``errors[m]`` (absolute)
    and ``rel_errors[m]`` (relative to the reference, absolute where it is 0)
    have shape ``(len(wrt), k)``: row ``i`` is the partial by ``wrt[i]``.
    """

    expression: str
    point: dict[str, float]
    wrt: list[str]
    reference: str
    reference_values: np.ndarray
    steps: np.ndarray
    estimates: dict[str, np.ndarray]
    errors: dict[str, np.ndarray]
    rel_errors: dict[str, np.ndarray]

    @property
    def methods(self) -> list[str]:
        """The finite-difference methods swept."""
        return list(self.errors)

    def best_steps(self) -> dict[str, np.ndarray]:
        """Per method, the step of least error for each variable (nan when no step gave a finite value)."""
        out = {}
        for m, err in self.errors.items():
            best = np.full(len(self.wrt), np.nan)
            for i, row in enumerate(err):
                if np.any(np.isfinite(row)):
                    best[i] = self.steps[int(np.nanargmin(np.where(np.isfinite(row), row, np.nan)))]
            out[m] = best
        return out

    def __str__(self) -> str:
        at = ", ".join(f"{k}={format_number(v)}" for k, v in self.point.items())
        lines = [f"Relative error of finite differences of {self.expression} at {at} "
                 f"(reference: {REFERENCE_LABELS.get(self.reference, self.reference)})"]
        for i, name in enumerate(self.wrt):
            lines += ["", f"d/d{name} = {format_number(self.reference_values[i])}"]
            header = ["step", *self.methods]
            body = [[f"{h:.0e}", *(error_number(self.rel_errors[m][i, k]) for m in self.methods)]
                    for k, h in enumerate(self.steps)]
            widths = [max(len(header[c]), *(len(b[c]) for b in body)) for c in range(len(header))]
            lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
            lines += ["  ".join(c.rjust(w) for c, w in zip(b, widths, strict=True)) for b in body]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (non-finite numbers become None)."""

        def arr(a: np.ndarray) -> list[Any]:
            return [[float(v) if math.isfinite(v) else None for v in row] for row in np.atleast_2d(a)]

        return {
            "expression": self.expression,
            "point": dict(self.point),
            "wrt": list(self.wrt),
            "reference": self.reference,
            "reference_values": [float(v) for v in self.reference_values],
            "steps": [float(h) for h in self.steps],
            "estimates": {m: arr(v) for m, v in self.estimates.items()},
            "errors": {m: arr(v) for m, v in self.errors.items()},
            "rel_errors": {m: arr(v) for m, v in self.rel_errors.items()},
        }

    def plot(self, path: str | Path, variables: Sequence[str] | None = None, format: str | None = None,
             dpi: int = 110) -> Path:
        """Write the log-log picture of relative error against step (PNG, SVG or PDF).

        One panel per variable (``variables`` picks them).  The output is
        byte-for-byte reproducible (no timestamps, fixed SVG ids).  Needs
        matplotlib; raises :class:`graphir.RenderError` when it is missing.
        """
        return _plot(self, Path(path), variables, format, dpi)


def _reference(
    e: Any, wrt: Any, names: list[str], point: dict[str, float],
    sympy_timeout: float | None, max_sympy_size: int | None,
) -> tuple[str, np.ndarray, np.ndarray]:
    """``(key, hi, lo)``: SymPy's partials in high precision (as in :func:`graphir.compare`),
    else :func:`~graphir.numeric.compare.fallback_reference`."""
    if not names:
        return "symbolic", np.zeros(0), np.zeros(0)
    try:
        from ..bridges.sympy_calculus import precise_grad

        precise = precise_grad(e, point, wrt, sympy_timeout=sympy_timeout, max_sympy_size=max_sympy_size)
        hi, lo = split_reference(list(precise))
        if np.all(np.isfinite(hi)):
            return "symbolic", hi, lo
    except (GraphirError, ImportError):
        pass
    key, values = fallback_reference(e, point, wrt)
    return key, values, np.zeros_like(values)


class _Stacked(Sampler):
    """A :class:`Sampler` for one copy of the variables per step: slot ``k*n + j`` moves
    variable ``j``, so every step is evaluated in the same pass over the graph."""

    def __init__(self, expr: Any, base: dict[str, float], names: list[str]):
        super().__init__(expr, base, names)
        self.n = len(names)

    def __call__(self, index: np.ndarray, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        index = np.asarray(index, dtype=int)
        return super().__call__(np.where(index < 0, -1, index % self.n), delta)


_RUNNERS: dict[str, Callable[..., tuple[np.ndarray, dict[str, Any]]]] = {
    "forward": lambda s, x, h: _one_sided(s, x, h, 1.0),
    "backward": lambda s, x, h: _one_sided(s, x, h, -1.0),
    "central": _central,
    "complex": _complex,
    "richardson": lambda s, x, h: _richardson(s, x, h, RICHARDSON_LEVELS),
}


def _all_steps(e: Any, point: dict[str, float], wrt: Any, names: list[str], method: str,
               hs: np.ndarray) -> np.ndarray:
    """``finite_difference(e, point, wrt, method, step=h)`` for every ``h`` of ``hs``, as
    columns, from one evaluation pass per method (the same numbers, elementwise)."""
    if not names:
        return np.zeros((0, len(hs)))
    s = _Stacked(e, point, names)
    x = np.array([s.base[n] for n in names], dtype=float)
    k = len(hs)
    d, _ = _RUNNERS[method](s, np.tile(x, k), np.repeat(hs, len(names)))
    return np.asarray(d, dtype=float).reshape(k, len(names)).T


def step_sweep(
    expr: Any,
    at: Mapping[Any, Any],
    wrt: Any = None,
    steps: Sequence[float] | None = None,
    methods: Sequence[str] = METHODS,
    *,
    sympy_timeout: float | None = DEFAULT_TIMEOUT,
    max_sympy_size: int | None = MAX_SYMPY_SIZE,
) -> StepSweep:
    """Errors of each finite-difference method for the steps ``1e-1 ... 1e-16``.

    Parameters
    ----------
    expr : an expression (or text for :func:`graphir.parse`).
    at : the point, variables or names -> real numbers.
    wrt : variables or names; default ``expr.variables``.
    steps : absolute steps to try (default :data:`STEPS`, 16 values).
    methods : finite-difference methods (default all five).
    sympy_timeout, max_sympy_size : limits on SymPy's reference derivatives, as in
        :func:`graphir.compare`; past them the reference is the complex step (Richardson,
        reverse AD where it is not finite), and ``reference`` says which.

    Returns
    -------
    StepSweep
        ``.steps``, ``.errors[method]`` of shape ``(len(wrt), len(steps))``, and ``.plot(path)``.

    Examples
    --------
    >>> import graphir as gi
    >>> x = gi.symbols("x")
    >>> s = step_sweep(gi.sin(x), {x: 1.0}, methods=["central"])
    >>> 1e-7 <= float(s.best_steps()["central"][0]) <= 1e-4
    True
    """
    e = as_expression(expr)
    wrt = wrt_items(wrt)  # read again by each method below
    if has_arrays(e, wrt):
        raise ArgumentError(
            "step_sweep takes an expression of scalars (its table has one row per variable and step); "
            "for an array expression, sweep one entry: write it with scalar variables, or compare "
            "the methods at their default steps with graphir.compare"
        )
    point = as_point(at, scalar=True)
    names = wrt_names(e, wrt, unique=True)
    hs = np.array(STEPS if steps is None else steps, dtype=float)
    if hs.ndim != 1 or not np.all(np.isfinite(hs) & (hs > 0)):
        raise ArgumentError(f"steps must be positive finite numbers, got {steps}")
    for m in methods:
        check_method(m)
    reference, ref, ref_lo = _reference(
        e, wrt, names, point, read_timeout(sympy_timeout), read_size(max_sympy_size)
    )
    estimates, errors, rel = {}, {}, {}
    for m in methods:
        with warnings.catch_warnings():
            # Large steps may leave the domain (nan); that is what the sweep shows.
            warnings.simplefilter("ignore", RuntimeWarning)
            est = _all_steps(e, point, wrt, names, m, hs)
        estimates[m] = est
        errors[m], rel[m] = relative_error(est, ref[:, None], ref_lo[:, None])
    return StepSweep(to_text(e, limit=120), point, names, reference, ref, hs, estimates, errors, rel)


# ------------------------------------------------------------------ picture


def _plot(s: StepSweep, path: Path, variables: Sequence[str] | None, format: str | None, dpi: int) -> Path:
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise RenderError(
            "step_sweep(...).plot needs matplotlib: pip install matplotlib (or graphir[plot])"
        ) from None
    fmt = (format or path.suffix.lstrip(".") or "png").lower()
    if fmt not in ("png", "svg", "pdf"):
        raise RenderError(f"cannot write a {fmt!r} picture; use .png, .svg or .pdf")
    names = list(variables) if variables is not None else list(s.wrt)
    for n in names:
        if n not in s.wrt:
            raise ArgumentError(f"{n!r} is not among the swept variables {s.wrt}")
    if not names:
        raise RenderError("nothing to plot: the expression has no variables")
    rc = {
        "svg.hashsalt": "graphir",
        "svg.fonttype": "path",
        "font.size": 10,
        "axes.titlesize": 11,
        "pdf.compression": 6,
    }
    if "svg.id" in matplotlib.rcParams:
        rc["svg.id"] = "graphir-step-sweep"
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(9.0, 5.6 * len(names)), dpi=dpi, layout="constrained")
        axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
        for ax, name in zip(axes, names, strict=True):
            _panel(ax, s, s.wrt.index(name))
        at = ", ".join(f"{k} = {format_number(v)}" for k, v in s.point.items())
        expr = s.expression if len(s.expression) <= 90 else s.expression[:87] + "..."
        fig.suptitle(f"Finite-difference error against step size\nf = {expr}   at {at}", fontsize=12)
        metadata: dict[str, Any] = {
            "png": {"Software": None},
            "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
        }[fmt]
        data = io.BytesIO()
        fig.savefig(data, format=fmt, metadata=metadata)
    return write_file(path, data.getvalue())


def _panel(ax: Any, s: StepSweep, i: int) -> None:
    from matplotlib.ticker import LogLocator, NullLocator

    hs = s.steps
    x = s.point.get(s.wrt[i], 0.0)
    scale = max(abs(x), 1.0)
    floor = EPS / 16
    h_fwd, h_ctr = math.sqrt(EPS) * scale, EPS ** (1 / 3) * scale
    lo, hi = hs.min() / 2, hs.max() * 2
    top = 1e2

    # Regions for the simple differences.
    ax.axvspan(lo, h_fwd, color="#f4cccc", alpha=0.55, lw=0)
    ax.axvspan(h_ctr, hi, color="#cfe2f3", alpha=0.6, lw=0)
    ax.text(math.sqrt(lo * h_fwd), top / 3, "round-off dominates\nerror grows like ε/h",
            ha="center", va="top", fontsize=9, color="#990000")
    ax.text(math.sqrt(h_ctr * hi), top / 3, "truncation dominates\nerror shrinks like h (one-sided)\n"
            "or h² (central) as h → 0", ha="center", va="top", fontsize=8.5, color="#0b5394")
    ax.text(math.sqrt(h_fwd * h_ctr), top / 3, "between:\none-sided still\ntruncation,\ncentral\n"
            "already round-off", ha="center", va="top", fontsize=8, color="#555555")

    # Machine epsilon.
    ax.axhline(EPS, color="#666666", lw=0.8, ls="--")
    ax.text(hi / 1.3, EPS * 1.5, f"machine ε = {EPS:.1e}", fontsize=8, color="#444444", va="bottom",
            ha="right")

    # The default steps graphir uses, named on a top axis.
    for h0 in (h_fwd, h_ctr):
        ax.axvline(h0, color="#444444", lw=0.9, ls=":")

    any_zero = False
    for m in s.methods:
        err = s.rel_errors[m][i]
        any_zero = any_zero or bool(np.any(err == 0))
        shown = np.where(np.isfinite(err), np.maximum(err, floor), np.nan)
        style = _STYLE.get(m, {})
        label = {
            "forward": "forward difference  (f(x+h) − f(x))/h",
            "backward": "backward difference  (f(x) − f(x−h))/h",
            "central": "central difference  (f(x+h) − f(x−h))/2h",
            "complex": "complex step  Im f(x+ih)/h  (large h: same error as central)",
            "richardson": "Richardson extrapolation (h = first step)",
        }.get(m, m)
        width = 3.2 if m == "central" else 1.5
        ax.plot(hs, shown, label=label, lw=width, ms=4.5, alpha=0.85 if m == "central" else 1.0, **style)
        if m in ("forward", "backward", "central") and np.any(np.isfinite(err)):
            k = int(np.nanargmin(np.where(np.isfinite(err), err, np.nan)))
            ax.plot([hs[k]], [max(err[k], floor)], marker="*", ms=15, color=style.get("color"),
                    markeredgecolor="black", markeredgewidth=0.6, linestyle="none", zorder=5)
    ax.plot([], [], marker="*", ms=12, color="white", markeredgecolor="black", linestyle="none",
            label="least error measured (one-sided, central)")

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(floor / 2, top)
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=20))
    top_axis = ax.secondary_xaxis("top")
    top_axis.set_xticks([h_fwd, h_ctr], ["√ε·s", "∛ε·s"])
    top_axis.xaxis.set_minor_locator(NullLocator())
    top_axis.tick_params(labelsize=8, length=3)
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=12))
    ax.set_xlabel("step h")
    ax.set_ylabel("relative error  |estimate − exact| / |exact|")
    ref = {"symbolic": "SymPy's derivative, 40 digits", "fd-complex": "the complex step",
           "fd-richardson": "Richardson extrapolation"}.get(s.reference, "reverse-mode AD")
    ax.set_title(f"∂f/∂{s.wrt[i]} = {format_number(s.reference_values[i])}"
                 f"   (the exact value: {ref})", fontsize=10)
    ax.grid(True, which="major", color="#dddddd", lw=0.5)
    note = "  A relative error of exactly 0 is drawn at ε/16." if any_zero else ""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=2, fontsize=8, frameon=False,
              title="Dotted lines: graphir's default steps, √ε·s (one-sided) and ∛ε·s (central), "
              "s = max(|x|, 1)." + (f"\n{note.strip()}" if note else ""), title_fontsize=8)
