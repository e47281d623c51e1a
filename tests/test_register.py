"""Registering a user's own primitive: the builder it returns, refusing a silent
replacement, ``replace=True``, and ``unregister_primitive``."""

from __future__ import annotations

import pytest

import graphir as gi
from graphir.primitives import PRIMITIVES


@pytest.fixture
def cleanup():
    """Names registered by one test, unregistered afterwards (the registry is global)."""
    names: list[str] = []
    yield names
    for name in names:
        if name in PRIMITIVES:
            gi.unregister_primitive(name)


def test_register_returns_the_builder_with_its_record(cleanup):
    cleanup.append("cube")
    cube = gi.register_primitive("cube", lambda x: x**3, [lambda b, out, x: 3.0 * x * x])
    assert callable(cube) and cube.__name__ == "cube"
    assert cube.record is PRIMITIVES["cube"]
    assert cube.record.user and cube.record.arity == 1
    x = gi.symbols("x")
    assert cube(x).eval(x=2) == 8.0
    assert gi.diff(cube(x), x).eval(x=2) == 12.0


def test_registering_a_name_again_raises_and_old_expressions_keep_their_value(cleanup):
    cleanup.append("cube")
    cube = gi.register_primitive("cube", lambda x: x**3, [lambda b, out, x: 3.0 * x * x])
    x = gi.symbols("x")
    f = cube(x)
    with pytest.raises(gi.GraphError, match="'cube' is already registered.*replace=True"):
        gi.register_primitive("cube", lambda x: x**2, [lambda b, out, x: 2.0 * x])
    assert f.eval(x=2) == 8.0
    assert PRIMITIVES["cube"] is cube.record


def test_replace_true_changes_what_existing_expressions_compute(cleanup):
    cleanup.append("cube")
    cube = gi.register_primitive("cube", lambda x: x**3, [lambda b, out, x: 3.0 * x * x])
    x = gi.symbols("x")
    f = cube(x)
    square = gi.register_primitive("cube", lambda x: x**2, [lambda b, out, x: 2.0 * x], replace=True)
    assert square.record is PRIMITIVES["cube"] and square.record is not cube.record
    assert f.eval(x=2) == 4.0  # the IR stores the op's name: the graph computes with the new record
    assert gi.diff(f, x).eval(x=2) == 4.0


def test_unregister_then_register_again(cleanup):
    cleanup.append("cube")
    old = gi.register_primitive("cube", lambda x: x**3, [lambda b, out, x: 3.0 * x * x])
    f = old(gi.symbols("x"))
    gi.unregister_primitive("cube")
    assert "cube" not in PRIMITIVES
    with pytest.raises(gi.GraphError, match="unknown op 'cube'"):
        f.eval(x=2)
    with pytest.raises(gi.GraphError, match="unknown op 'cube'"):
        gi.unregister_primitive("cube")
    cube = gi.register_primitive("cube", lambda x: x**2, [lambda b, out, x: 2.0 * x])
    assert cube(gi.symbols("x")).eval(x=3) == 9.0


@pytest.mark.parametrize("replace", [False, True])
def test_built_ins_are_never_replaced(replace):
    sin = PRIMITIVES["sin"]
    with pytest.raises(gi.GraphError, match="'sin' is a built-in primitive"):
        gi.register_primitive("sin", lambda x: x, [lambda b, out, x: b.const(1.0)], replace=replace)
    assert PRIMITIVES["sin"] is sin


def test_built_ins_are_never_unregistered():
    with pytest.raises(gi.GraphError, match="'add' is a built-in primitive"):
        gi.unregister_primitive("add")
    assert "add" in PRIMITIVES


def test_bad_names_are_refused():
    for name in ("var", "const", "2x", "a-b"):
        with pytest.raises(gi.GraphError, match="cannot register a primitive named"):
            gi.register_primitive(name, lambda x: x, [lambda b, out, x: b.const(1.0)])


def test_sign_and_heaviside_are_exported():
    x = gi.symbols("x")
    assert gi.sign(x).op == "sign" and gi.heaviside(x).op == "heaviside"
    assert gi.sign(x).eval(x=-2.0) == -1.0 and gi.heaviside(x).eval(x=0.0) == 0.5
    assert {"sign", "heaviside", "unregister_primitive"} <= set(gi.__all__)
    assert gi.sin.record is PRIMITIVES["sin"]


# ------------------------------------------------------------ issue 8: names and arguments


def _identity():
    return {"numpy": lambda x: x, "partials": [lambda b, out, x: b.const(1.0)]}


@pytest.mark.parametrize("name", [3, None, b"cube", ("cube",)])
def test_a_name_that_is_not_a_string_is_a_type_error(name):
    """register_primitive(3, ...) raised AttributeError ('int' has no 'isidentifier')."""
    with pytest.raises(TypeError, match="a primitive's name is a string"):
        gi.register_primitive(name, **_identity())
    with pytest.raises(TypeError, match="a primitive's name is a string"):
        gi.unregister_primitive(name)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("ｓｉｎ", "not an ASCII identifier"),  # full width: Python reads it as "sin"
        ("ｃｕｂｅ", "not an ASCII identifier"),
        ("θ", "not an ASCII identifier"),
        ("ln", "text reads it as log"),
        ("arcsin", "text reads it as asin"),
        ("max", "text reads it as maximum"),
        ("power", "text reads it as pow"),
        ("pi", "constant"),
        ("e", "constant"),
        ("inf", "constant"),
        ("nan", "constant"),
        ("x", "looks like a variable"),
        ("x1", "looks like a variable"),
        ("t_0", "looks like a variable"),
        ("lambda", "keyword"),
        ("__cube", "__"),
    ],
)
def test_names_that_would_change_what_text_means_are_refused(name, why):
    """Registering "ln" changed what parse("ln(x)") means, "x" broke parse("x + 1"), and
    "ｓｉｎ" made lambdify call np.sin."""
    before = dict(PRIMITIVES)
    with pytest.raises(gi.GraphError, match=f"cannot register a primitive named .*{why}"):
        gi.register_primitive(name, **_identity())
    assert PRIMITIVES == before
    assert gi.parse("ln(x) + x + 1").eval(x=1.0) == 2.0


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"numpy": 3}, TypeError, "numpy must be a function"),
        ({"partials": 3}, TypeError, "partials must be a sequence"),
        ({"partials": [3]}, TypeError, "partial rule 0 must be a function"),
        ({"partials": "abc"}, TypeError, "partials must be a sequence"),
        ({"sympy": 3}, TypeError, "sympy must be a function"),
        ({"complex_numpy": "x"}, TypeError, "complex_numpy must be a function"),
        ({"label": 3}, TypeError, "label must be a string"),
        ({"arity": 0, "partials": []}, gi.GraphError, "arity must be a positive integer"),
        ({"arity": 1.5}, gi.GraphError, "arity must be a positive integer"),
        ({"arity": 2}, gi.GraphError, "2 operands need 2 partial rules"),
        ({"domain": ("nowhere",)}, gi.GraphError, "domain must give one of"),
        ({"domain": "real"}, gi.GraphError, "domain must give one of"),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs, error, fragment):
    args = {**_identity(), **kwargs}
    with pytest.raises(error, match=fragment):
        gi.register_primitive("cube", **args)
    assert "cube" not in PRIMITIVES
