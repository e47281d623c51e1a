"""Finite differences: derivatives from function values alone, with an error estimate.

Five methods, each evaluating the expression (one vectorised pass of the
evaluator over all perturbed points) and never its derivative graph:

``"forward"``  ``(f(x+h) - f(x)) / h``, error O(h); default ``h = sqrt(eps) * max(|x|, 1)``.
``"backward"`` ``(f(x) - f(x-h)) / h``, error O(h); same step.
``"central"``  ``(f(x+h) - f(x-h)) / 2h``, error O(h^2); default ``h = eps^(1/3) * max(|x|, 1)``.
``"complex"``  ``Im f(x+ih) / h`` (complex step), no subtraction, so no cancellation:
               with ``h = 1e-20 * max(|x|, 1)`` it is exact to rounding.  Every
               primitive is evaluated with its complex-safe implementation.
``"richardson"`` central differences at ``h, h/2, h/4, ...`` extrapolated to
               ``h = 0`` with Neville's tableau (polynomial in ``h^2``), keeping
               the entry whose neighbours agree best (Ridders' rule); default start
               ``h = 0.1 * max(|x|, 1)``.

Steps are made exactly representable: the difference is divided by
``(x + h) - x`` as computed, not by ``h``.  A step below the spacing of floats
at ``x`` gives the difference 0 (and a huge error estimate).

The error estimate (``return_error=True``) is truncation + round-off:
truncation from an estimate of the next derivative (``|f''| h / 2`` for one-sided,
``|f'''| h^2 / 6`` for central and complex step), round-off ``eps * |f| / h``
(``eps * |f'|`` for complex step, which does not cancel); for Richardson the
disagreement of neighbouring tableau entries.  It is an estimate, not a bound.

>>> import graphir as gi
>>> x1, x2 = gi.symbols("x1 x2")
>>> f = gi.log(x1) + x1 * x2 - gi.sin(x2)
>>> finite_difference(f, {"x1": 2, "x2": 5}, method="complex")
array([5.5       , 1.71633781])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..arguments import as_point, as_shaped_point, describe, variable_name, variable_shapes, wrt_names
from ..build import Expr, as_expr
from ..errors import ArgumentError, EvalError, ShapeError
from ..passes.evaluate import values_of_nodes
from ..shapes import Shape

__all__ = [
    "finite_difference", "METHODS", "default_step", "richardson_derivative", "neville", "evaluations",
    "as_expression", "check_method",
]

METHODS = ("forward", "backward", "central", "complex", "richardson")
EPS = float(np.finfo(float).eps)

# Relative default step per method: h = factor * max(|x|, 1).
_STEP_FACTOR = {
    "forward": math.sqrt(EPS),
    "backward": math.sqrt(EPS),
    "central": EPS ** (1.0 / 3.0),
    "complex": 1e-20,
    "richardson": 0.1,
}
RICHARDSON_LEVELS = 10


# ------------------------------------------------------------------ arguments


def as_expression(expr: Any) -> Expr:
    """``expr`` as an expression: an :class:`Expr`, a number, or text for :func:`graphir.parse`."""
    if isinstance(expr, str):
        from ..parser import parse

        return parse(expr)
    return as_expr(expr)


def default_step(method: str, x: float) -> float:
    """The step :func:`finite_difference` takes for ``method`` at ``x`` when none is given.

    >>> default_step("central", 0.5) == default_step("central", 1.0)
    True
    >>> default_step("forward", 1e6) / default_step("forward", 1.0)
    1000000.0
    """
    check_method(method)
    return _STEP_FACTOR[method] * max(abs(x), 1.0)


def check_method(method: str) -> str:
    """``method`` when it is one of :data:`METHODS`, else :class:`~graphir.errors.ArgumentError`.

    >>> check_method("central")
    'central'
    """
    if method not in METHODS:
        raise ArgumentError(f"unknown method {method!r}; the methods are: {', '.join(METHODS)}")
    return method


def _steps(
    method: str, step: Any, names: list[str], base: dict[str, float], given_only: bool = False,
) -> np.ndarray:
    """One step per variable of ``names``; with ``given_only``, nan where none is given
    (the caller takes the default step, per entry for an array)."""
    def default(name: str) -> float:
        return math.nan if given_only else default_step(method, base[name])

    if step is None:
        return np.array([default(n) for n in names])
    if isinstance(step, Mapping):
        given = {variable_name(k): v for k, v in step.items()}
        unknown = set(given) - set(names)
        if unknown:
            raise ArgumentError(f"step given for {sorted(unknown)}, which are not differentiated by")
        hs = [given[n] if n in given else default(n) for n in names]
    elif not isinstance(step, Iterable) or isinstance(step, (str, bytes)) or getattr(step, "ndim", None) == 0:
        hs = [step] * len(names)
    else:
        hs = list(step)
        if len(hs) != len(names):
            raise ArgumentError(f"step needs one value per variable ({len(names)}: {names}), got {len(hs)}")
    try:
        out = np.array(hs, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ArgumentError(f"steps must be positive finite numbers, got {describe(hs)}") from None
    given = ~np.isnan(out) if given_only else np.ones(out.shape, dtype=bool)
    if out.shape != (len(names),) or not np.all(np.isfinite(out[given]) & (out[given] > 0)):
        raise ArgumentError(f"steps must be positive finite numbers, got {hs}")
    return out


# ------------------------------------------------------------------ evaluation


class Sampler:
    """Evaluates one expression at many perturbations of one point in a single pass.

    ``sampler(index, delta)`` returns ``f`` at ``x + delta[k] * e_index[k]`` for
    each ``k`` (an index of -1 leaves the point as it is), and the perturbed
    coordinates as represented.
    """

    def __init__(self, expr: Expr, base: dict[str, float], names: list[str]):
        self.expr = expr
        self.order = expr.order
        self.names = names
        self.base = dict(base)
        used = {v.name for v in expr.variables}
        for n in names:
            if n not in used:
                # A variable the expression does not use needs no value from the user.
                self.base.setdefault(n, 0.0)
        missing = [n for n in used if n not in self.base]
        if missing:
            raise EvalError(f"no value given for variable {sorted(missing)[0]!r}")
        self.evaluations = 0

    def __call__(self, index: np.ndarray, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        index = np.asarray(index, dtype=int)
        delta = np.asarray(delta)
        m = len(index)
        complex_mode = np.iscomplexobj(delta)
        dtype = complex if complex_mode else float
        point: dict[str, Any] = dict(self.base)
        moved = np.empty(m, dtype=dtype)
        for j, name in enumerate(self.names):
            col = np.full(m, self.base[name], dtype=dtype)
            sel = index == j
            col[sel] = col[sel] + delta[sel]
            moved[sel] = col[sel]
            point[name] = col
        env = values_of_nodes(self.expr.ir, self.order, point, keep=[self.expr.node])
        self.evaluations += m
        values = np.broadcast_to(np.asarray(env[self.expr.node]), (m,)).copy()
        return values, moved

    def value(self) -> float:
        """``f`` at the point itself."""
        env = values_of_nodes(self.expr.ir, self.order, self.base, keep=[self.expr.node])
        self.evaluations += 1
        return float(np.real(env[self.expr.node]))


class ArraySampler(Sampler):
    """A :class:`Sampler` for expressions with arrays: the coordinates are the entries of
    the variables ``names`` (row-major, variable after variable), and each perturbed
    point is one evaluation (a shaped variable takes exactly its shape, so points cannot
    be stacked into one pass).
    """

    def __init__(self, expr: Expr, base: dict[str, Any], names: list[str], shapes: Mapping[str, Shape]):
        super().__init__(expr, base, names)
        self.shapes = {n: tuple(shapes.get(n, ())) for n in names}
        for n in names:
            if self.shapes[n] and np.ndim(self.base[n]) == 0 and self.base[n] == 0.0:
                self.base[n] = np.zeros(self.shapes[n])  # a variable the expression does not use
        # coordinate k is the entry flat[k] of variable names[owner[k]]
        self.owner = np.concatenate(
            [np.full(math.prod(self.shapes[n]), j, dtype=int) for j, n in enumerate(names)]
        ) if names else np.zeros(0, dtype=int)
        starts = np.cumsum([0] + [math.prod(self.shapes[n]) for n in names])
        self.flat = np.arange(len(self.owner)) - starts[self.owner] if names else self.owner

    def coordinates(self) -> np.ndarray:
        """The point's values at the coordinates."""
        flat = {n: np.ravel(self.base[n]) for n in self.names}
        return np.array([flat[self.names[j]][f] for j, f in zip(self.owner, self.flat, strict=True)],
                        dtype=float)

    def split(self, flat: np.ndarray) -> tuple[np.ndarray, ...]:
        """Values per coordinate as one array per variable, of its shape."""
        out, start = [], 0
        for n in self.names:
            size = math.prod(self.shapes[n])
            out.append(np.asarray(flat[start : start + size], dtype=float).reshape(self.shapes[n]))
            start += size
        return tuple(out)

    def __call__(self, index: np.ndarray, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        index = np.asarray(index, dtype=int)
        delta = np.asarray(delta)
        dtype = complex if np.iscomplexobj(delta) else float
        values = np.empty(len(index), dtype=dtype)
        moved = np.empty(len(index), dtype=dtype)
        for k, (c, d) in enumerate(zip(index, delta, strict=True)):
            point = dict(self.base)
            if c >= 0:
                name = self.names[self.owner[c]]
                v = np.array(self.base[name], dtype=dtype)
                if v.ndim:
                    v.flat[self.flat[c]] += d
                    moved[k] = v.flat[self.flat[c]]
                else:
                    v = v + d
                    moved[k] = v
                point[name] = v
            env = values_of_nodes(self.expr.ir, self.order, point, keep=[self.expr.node])
            values[k] = env[self.expr.node]
        self.evaluations += len(index)
        return values, moved


def _effective(moved: np.ndarray, x: np.ndarray, nominal: np.ndarray) -> np.ndarray:
    """The step as represented: ``moved - x``; the nominal step where it vanished (difference 0)."""
    h = np.abs(moved - x)
    return np.where(h > 0, h, nominal)


# ------------------------------------------------------------------ the methods


def _one_sided(s: Sampler, x: np.ndarray, h: np.ndarray, sign: float) -> tuple[np.ndarray, dict[str, Any]]:
    n = len(x)
    idx = np.arange(n)
    # f(x) in the same vectorised pass as f(x + h), so both go through the same code path.
    f, moved = s(np.append(idx, -1), np.append(sign * h, 0.0))
    fh, fx, moved = f[:n], float(f[n]), moved[:n]
    heff = _effective(moved, x, h)
    d = sign * (fh - fx) / heff
    return d, {"fx": fx, "f_used": np.abs(fh) + abs(fx), "h": heff}


def _central(s: Sampler, x: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    n = len(x)
    idx = np.concatenate([np.arange(n), np.arange(n)])
    f, moved = s(idx, np.concatenate([h, -h]))
    fp, fm = f[:n], f[n:]
    xp, xm = moved[:n], moved[n:]
    width = xp - xm
    d = np.where(width > 0, (fp - fm) / np.where(width > 0, width, 1.0), 0.0)
    return d, {"f_used": np.abs(fp) + np.abs(fm), "h": np.where(width > 0, width / 2, h)}


def _complex(s: Sampler, x: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    n = len(x)
    f, _ = s(np.arange(n), 1j * h)
    return np.imag(f) / h, {"h": h}


def _richardson(
    s: Sampler, x: np.ndarray, h0: np.ndarray, levels: int
) -> tuple[np.ndarray, dict[str, Any]]:
    n = len(x)
    factors = 0.5 ** np.arange(levels)
    hs = np.outer(factors, h0)  # (levels, n)
    idx = np.tile(np.arange(n), levels)
    f, moved = s(np.concatenate([idx, idx]), np.concatenate([hs.ravel(), -hs.ravel()]))
    k = levels * n
    fp, fm = f[:k].reshape(levels, n), f[k:].reshape(levels, n)
    xp, xm = moved[:k].reshape(levels, n), moved[k:].reshape(levels, n)
    width = xp - xm
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(width > 0, (fp - fm) / np.where(width > 0, width, 1.0), 0.0)
    half = np.where(width > 0, width / 2, hs)
    values = np.empty(n)
    errors = np.empty(n)
    used = np.empty(n, dtype=int)
    for j in range(n):
        values[j], errors[j], used[j] = neville(d[:, j], half[:, j] ** 2)
    scale = np.abs(fp[0]) + np.abs(fm[0])
    return values, {"tableau_error": errors, "levels_used": used, "f_used": scale, "h": h0}


def neville(d: np.ndarray, t: np.ndarray, safe: float = 2.0) -> tuple[float, float, int]:
    """Extrapolate estimates ``d[k]`` made at ``t[k] = h_k**2`` (decreasing) to ``t = 0``.

    Neville's tableau ``T[k][j]`` uses ``d[k-j..k]``; the result is the entry
    whose distance to its two parents is smallest (Ridders), stopping when the
    diagonal starts to grow (round-off takes over).  Returns ``(value,
    error estimate, levels used)``.  Leading non-finite estimates (steps that
    leave the domain) are skipped.

    >>> import numpy as np
    >>> h = 0.1 * 0.5 ** np.arange(6)
    >>> d = (np.sin(1 + h) - np.sin(1 - h)) / (2 * h)
    >>> value, err, used = neville(d, h**2)
    >>> bool(abs(value - np.cos(1)) < 1e-14)
    True
    """
    finite = np.isfinite(d)
    start = 0
    while start < len(d) and not finite[start]:
        start += 1
    if start == len(d):
        return float("nan"), float("inf"), 0
    stop = start
    while stop < len(d) and finite[stop]:
        stop += 1
    d, t = d[start:stop], t[start:stop]
    best, err = float(d[0]), float("inf")
    prev_row = [float(d[0])]
    used = 1
    for k in range(1, len(d)):
        row = [float(d[k])]
        for j in range(1, k + 1):
            a, b = row[j - 1], prev_row[j - 1]
            denom = t[k - j] - t[k]
            val = a + (a - b) * t[k] / denom if denom != 0 else a
            row.append(val)
            e = max(abs(val - a), abs(val - b))
            if e <= err:
                best, err = val, e
        used = k + 1
        if abs(row[k] - prev_row[k - 1]) >= safe * err:
            break
        prev_row = row
    return best, err, used


def richardson_derivative(
    fn: Callable[[np.ndarray], np.ndarray], x: float, h0: float | None = None, levels: int = RICHARDSON_LEVELS
) -> tuple[float, float]:
    """Derivative of a vectorised scalar NumPy function at ``x`` by Richardson extrapolation
    of central differences: ``(value, error estimate)``.

    >>> import numpy as np
    >>> d, err = richardson_derivative(np.exp, 0.0)
    >>> bool(abs(d - 1) < 1e-13), bool(err < 1e-12)
    (True, True)
    """
    h0 = _STEP_FACTOR["richardson"] * max(abs(x), 1.0) if h0 is None else float(h0)
    hs = h0 * 0.5 ** np.arange(levels)
    xp, xm = x + hs, x - hs
    with np.errstate(all="ignore"):
        fp = np.asarray(fn(xp), dtype=float)
        fm = np.asarray(fn(xm), dtype=float)
        width = xp - xm
        d = np.where(width > 0, (fp - fm) / np.where(width > 0, width, 1.0), 0.0)
    value, err, _ = neville(d, (np.where(width > 0, width, 2 * hs) / 2) ** 2)
    return value, max(err, EPS * abs(value)) if math.isfinite(value) else err


# ------------------------------------------------------------------ error estimates


def _higher_derivative(s: Sampler, x: np.ndarray, order: int) -> np.ndarray:
    """Rough ``|f''|`` (order 2) or ``|f'''|`` (order 3) per variable, for truncation estimates."""
    n = len(x)
    scale = np.maximum(np.abs(x), 1.0)
    if order == 2:
        k = EPS**0.25 * scale
        idx = np.concatenate([np.arange(n), np.arange(n)])
        f, moved = s(idx, np.concatenate([k, -k]))
        fx = s.value()
        hp, hm = moved[:n] - x, x - moved[n:]
        return np.abs((f[:n] - fx) / hp - (fx - f[n:]) / hm) / ((hp + hm) / 2)
    k = EPS**0.2 * scale
    idx = np.tile(np.arange(n), 4)
    f, _ = s(idx, np.concatenate([2 * k, k, -k, -2 * k]))
    f2, f1, fm1, fm2 = f[:n], f[n : 2 * n], f[2 * n : 3 * n], f[3 * n :]
    return np.abs(f2 - 2 * f1 + 2 * fm1 - fm2) / (2 * k**3)


def _error(method: str, s: Sampler, x: np.ndarray, d: np.ndarray, info: dict[str, Any]) -> np.ndarray:
    h = info["h"]
    with np.errstate(all="ignore"):
        if method in ("forward", "backward"):
            trunc = _higher_derivative(s, x, 2) * h / 2
            rounding = EPS * info["f_used"] / h
        elif method == "central":
            trunc = _higher_derivative(s, x, 3) * h**2 / 6
            rounding = EPS * info["f_used"] / (2 * h)
        elif method == "complex":
            trunc = _higher_derivative(s, x, 3) * h**2 / 6
            rounding = EPS * np.abs(d)
        else:
            trunc = info["tableau_error"]
            rounding = EPS * np.abs(d)
        err = np.where(np.isfinite(trunc), trunc, 0.0) + rounding
    return np.where(np.isfinite(d), err, np.nan)


# ------------------------------------------------------------------ public


def finite_difference(
    expr: Any,
    at: Mapping[Any, Any],
    wrt: Any = None,
    method: str = "central",
    step: float | Sequence[float] | Mapping[Any, float] | None = None,
    *,
    return_error: bool = False,
    levels: int = RICHARDSON_LEVELS,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Partial derivatives by finite differences: an ndarray, one per variable of ``wrt``.

    Parameters
    ----------
    expr : an expression (or text for :func:`graphir.parse`).
    at : the point, variables or names -> real numbers (every variable of ``expr``; an
        array of its shape for a shaped variable).
    wrt : variables or names to differentiate by; default ``expr.variables``.
    method : ``"forward"``, ``"backward"``, ``"central"``, ``"complex"`` or ``"richardson"``.
    step : None (a good step per variable, scaled by ``max(|x|, 1)``, see
        :func:`default_step`), one number, one number per variable, or a
        mapping variable -> step.  For ``"richardson"`` it is the first step.
    return_error : also return an error estimate per partial (truncation + round-off).
    levels : number of step halvings for ``"richardson"``.

    Returns
    -------
    ndarray, or ``(values, error_estimates)`` with ``return_error=True``.

    An expression with arrays (a shaped variable, a data constant) must be a scalar; it is
    differenced one entry of each variable at a time (a given step applies to every entry
    of its variable, the default step is taken per entry), and the partials come as a
    tuple of arrays, one per variable, of its shape (0-d for a scalar variable), as
    :func:`graphir.value_and_grad` gives them.

    >>> import graphir as gi
    >>> w = gi.symbols("w", shape=(2,))
    >>> finite_difference(gi.sum(w ** 3), {"w": [1.0, 2.0]}, method="complex")
    (array([ 3., 12.]),)

    Examples
    --------
    >>> import graphir as gi
    >>> x = gi.symbols("x")
    >>> d, err = finite_difference(gi.exp(x), {x: 0.0}, return_error=True)
    >>> bool(abs(d[0] - 1) < 1e-9), bool(err[0] < 1e-9)
    (True, True)
    >>> finite_difference(gi.exp(x), {x: 0.0}, method="complex").tolist()
    [1.0]
    """
    check_method(method)
    e = as_expression(expr)
    names = wrt_names(e, wrt, unique=True)
    if has_arrays(e, wrt):
        return _finite_difference_arrays(e, at, wrt, names, method, step, return_error, levels)
    base = as_point(at, scalar=True)
    s = Sampler(e, base, names)
    x = np.array([s.base[n] for n in names], dtype=float)
    h = _steps(method, step, names, s.base)
    if not names:
        empty = np.zeros(0)
        return (empty, empty.copy()) if return_error else empty
    return _run(s, x, h, method, return_error, levels)


def has_arrays(e: Expr, wrt: Any = None) -> bool:
    """Whether ``e`` (or a variable of ``wrt``) holds an array anywhere: then the variables'
    values are arrays of their shapes and finite differences go entry by entry.

    >>> import graphir as gi
    >>> has_arrays(gi.symbols("x") * 2), has_arrays(gi.sum(gi.symbols("w", shape=(2,))))
    (False, True)
    """
    g = e.ir
    return any(g.shapes[i] for i in e.order) or any(variable_shapes(e, wrt).values())


def _finite_difference_arrays(
    e: Expr, at: Any, wrt: Any, names: list[str], method: str, step: Any, return_error: bool, levels: int,
) -> Any:
    """:func:`finite_difference` of an expression with arrays: one coordinate per entry of each
    variable; the partials (and errors) as one array per variable, of its shape."""
    if e.shape:
        raise ShapeError(
            f"finite_difference takes a scalar expression, got one of shape {e.shape}; "
            "difference its entries (or a sum of them) one at a time"
        )
    shapes = variable_shapes(e, wrt)
    s = ArraySampler(e, as_shaped_point(at, shapes), names, shapes)
    x = s.coordinates()
    per_variable = _steps(method, step, names, {n: 0.0 for n in names}, given_only=True)
    h = np.array([default_step(method, float(v)) if np.isnan(per_variable[j]) else per_variable[j]
                  for v, j in zip(x, s.owner, strict=True)], dtype=float).reshape(len(x))
    if not len(x):
        empty = tuple(np.zeros(s.shapes[n]) for n in names)
        return (empty, tuple(a.copy() for a in empty)) if return_error else empty
    out = _run(s, x, h, method, return_error, levels)
    if return_error:
        return s.split(out[0]), s.split(out[1])
    return s.split(out)


def _run(s: Sampler, x: np.ndarray, h: np.ndarray, method: str, return_error: bool, levels: int) -> Any:
    runners: dict[str, Callable[[], tuple[np.ndarray, dict[str, Any]]]] = {
        "forward": lambda: _one_sided(s, x, h, 1.0),
        "backward": lambda: _one_sided(s, x, h, -1.0),
        "central": lambda: _central(s, x, h),
        "complex": lambda: _complex(s, x, h),
        "richardson": lambda: _richardson(s, x, h, max(int(levels), 2)),
    }
    d, info = runners[method]()
    d = np.asarray(d, dtype=float)
    if not return_error:
        return d
    return d, _error(method, s, x, d, info)


def evaluations(method: str, n: int, levels: int = RICHARDSON_LEVELS) -> int:
    """Function evaluations :func:`finite_difference` makes for ``n`` variables (without error estimate).

    >>> evaluations("central", 3), evaluations("forward", 3)
    (6, 4)
    """
    check_method(method)
    return {
        "forward": n + 1,
        "backward": n + 1,
        "central": 2 * n,
        "complex": n,
        "richardson": 2 * n * levels,
    }[method]
