"""Every public function, called with an argument of any type or value, answers with
a result or one of graphir's own errors (or TypeError, for an argument of the wrong
kind): never a foreign exception such as AttributeError, OverflowError or SymPy's
ValueError (issue 8, finding 6)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphir as gi

x, y = gi.symbols("x y")
F = gi.sin(x) * y + x

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**4000), 2**1024, 0, -1]),  # (hypothesis prints examples: <4300 digits)
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(),
    st.text(max_size=8),
    st.sampled_from(["x", "y", "z", "1x", "ｘ", "sin", "pi", "", "__class__", "x=1", "1e-400"]),
    st.binary(max_size=4),
    st.sampled_from([x, y, F, gi.sin(x), gi.symbols("z"), object(), math.nan, np.float64(2.0)]),
    st.sampled_from([np.array([1.0, 2.0]), np.array([[1j]]), np.array([], dtype=object), np.array("x")]),
)
ANYTHING = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.sampled_from(["x", "y", "z", "1x"]) | st.sampled_from([x, y]), inner, max_size=3),
    ),
    max_leaves=6,
)


def _identity_rule(b: Any, out: Any, a: Any) -> Any:
    return b.const(1.0)


CALLS: dict[str, Callable[[Any], Any]] = {
    "symbols": lambda v: gi.symbols(v),
    "trace": lambda v: gi.trace(v),
    "from_json": lambda v: gi.from_json(v),
    "to_json": lambda v: gi.to_json(v),
    "from_sympy": lambda v: gi.from_sympy(v),
    "to_sympy": lambda v: gi.to_sympy(v),
    "register name": lambda v: gi.register_primitive(v, np.negative, [_identity_rule]),
    "register numpy": lambda v: gi.register_primitive("fuzzed", v, [_identity_rule]),
    "register partials": lambda v: gi.register_primitive("fuzzed", np.negative, v),
    "register arity": lambda v: gi.register_primitive("fuzzed", np.negative, [_identity_rule], arity=v),
    "register domain": lambda v: gi.register_primitive("fuzzed", np.negative, [_identity_rule], domain=v),
    "register label": lambda v: gi.register_primitive("fuzzed", np.negative, [_identity_rule], label=v),
    "unregister": lambda v: gi.unregister_primitive(v),
    "eval point": lambda v: F.eval(v),
    "eval x": lambda v: F.eval(x=v, y=1.0),
    "lambdify args": lambda v: gi.lambdify(F, v),
    "lambdify exprs": lambda v: gi.lambdify(v, [x, y]),
    "lambdify call": lambda v: gi.lambdify(F, [x, y])(v, 1.0),
    "diff": lambda v: gi.diff(F, v),
    "diff mode": lambda v: gi.diff(F, x, mode=v),
    "grad": lambda v: gi.grad(F, v),
    "jacobian": lambda v: gi.jacobian([F, x], v),
    "hessian": lambda v: gi.hessian(F, v),
    "jvp": lambda v: gi.jvp(F, v),
    "vjp": lambda v: gi.vjp([F], v),
    "value_and_grad at": lambda v: gi.value_and_grad(F, v),
    "value_and_grad x": lambda v: gi.value_and_grad(F, {"x": v, "y": 2.0}),
    "value_and_grad wrt": lambda v: gi.value_and_grad(F, {"x": 1.0, "y": 2.0}, wrt=v),
    "finite_difference at": lambda v: gi.finite_difference(F, v),
    "finite_difference x": lambda v: gi.finite_difference(F, {"x": v, "y": 2.0}),
    "finite_difference method": lambda v: gi.finite_difference(F, {"x": 1.0, "y": 2.0}, method=v),
    "finite_difference step": lambda v: gi.finite_difference(F, {"x": 1.0, "y": 2.0}, step=v),
    "finite_difference wrt": lambda v: gi.finite_difference(F, {"x": 1.0, "y": 2.0}, wrt=v),
    "to_dot at": lambda v: gi.to_dot(F, at=v),
    "to_dot mode": lambda v: gi.to_dot(F, at={"x": 1.0, "y": 2.0}, mode=v),
    "trace_table at": lambda v: gi.trace_table(F, v),
    "cleanup": lambda v: gi.cleanup(v),
    "forward_pass": lambda v: gi.forward_pass(F, v),
    "reverse_pass": lambda v: gi.reverse_pass(F, v),
    "simplify": lambda v: gi.simplify(v),
    "validate": lambda v: gi.validate(v),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_public_functions_raise_only_graphir_errors_or_type_errors(name: str) -> None:
    call = CALLS[name]

    @settings(max_examples=60, suppress_health_check=list(HealthCheck))
    @given(ANYTHING)
    def one(value: Any) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call(value)
        except (gi.GraphirError, TypeError):
            pass
        finally:
            if "fuzzed" in gi.PRIMITIVES:
                gi.unregister_primitive("fuzzed")

    one()
