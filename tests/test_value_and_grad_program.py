"""``value_and_grad`` called again at numbers runs a program compiled once (the python backend):
the same bits as evaluating the gradient, and the same warnings where NumPy warns."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import graphir as gi
from graphir import derivatives
from graphir.passes.evaluate import evaluate


def cases() -> list[tuple[gi.Expr, dict[str, float]]]:
    x1, x2 = gi.symbols("x1 x2")
    xs = gi.symbols(" ".join(f"r{i}" for i in range(6)))
    rosen = sum(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(5))
    return [
        (gi.log(x1) + x1 * x2 - gi.sin(x2), {"x1": 2.0, "x2": 5.0}),
        (rosen, {f"r{i}": 0.3 * i - 0.7 for i in range(6)}),
        (gi.sigmoid(x1 * x2) ** 3 / (1 + gi.exp(-x2)) + gi.tanh(x1) * gi.sqrt(x2), {"x1": -1.5, "x2": 0.25}),
        (gi.maximum(x1, x2) * gi.abs(x1 - 2 * x2) + gi.atan(x1) ** 2.5, {"x1": 0.75, "x2": 3}),
        (gi.log(x1) * x2, {"x1": 0.0, "x2": 1.0}),  # NumPy warns: the program must not hide it
        (gi.exp(x1 * x2), {"x1": 400.0, "x2": 2.0}),  # overflow
    ]


def reference(f: gi.Expr, point: dict[str, float]) -> tuple[list, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = evaluate([f, *gi.grad(f)], point)
    return values, [str(w.message) for w in caught]


@pytest.mark.parametrize("k", range(6))
def test_repeated_calls_give_the_bits_and_warnings_of_evaluation(k):
    f, point = cases()[k]
    want, want_warnings = reference(f, point)
    for _ in range(3):  # the first call evaluates, the later ones run the compiled program
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value, partials = gi.value_and_grad(f, point)
        assert [str(w.message) for w in caught] == want_warnings
        assert np.array_equal(np.array([value, *partials]), np.array(want, dtype=float), equal_nan=True)
        assert type(value) is float and partials.dtype == np.float64


def test_the_program_is_compiled_once_and_reused():
    f, point = cases()[1]
    gi.value_and_grad(f, point)
    gi.value_and_grad(f, point)
    programs = derivatives._PROGRAMS[f.ir]
    [entry] = [v for v in programs.values() if v not in (0, 1)]
    names, program = entry
    gi.value_and_grad(f, point)
    assert derivatives._PROGRAMS[f.ir] is programs and list(programs.values()).count(entry) == 1
    assert names == [f"r{i}" for i in range(6)]


def test_arrays_and_missing_values_take_the_usual_path():
    x, y = gi.symbols("x y")
    for _ in range(3):
        v, g = gi.value_and_grad(x * y, {"x": [1.0, 2.0], "y": 3.0})
        assert v.tolist() == [3.0, 6.0] and g.tolist() == [[3.0, 3.0], [1.0, 2.0]]
    gi.value_and_grad(x * y, {"x": 1.0, "y": 2.0})
    with pytest.raises(gi.EvalError, match="no value given for variable 'y'"):
        gi.value_and_grad(x * y, {"x": 1.0}, wrt=[x])
