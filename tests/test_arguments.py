"""Arguments are read in one place (graphir.arguments): one mistake, one exception, one message."""

from __future__ import annotations

import math

import numpy as np
import pytest

import graphir as gi
from graphir import arguments, cli
from graphir.arguments import as_point, check_mode, forward_seeds, variable_name, wrt_names
from graphir.derivatives import forward_pass, reverse_pass
from graphir.pictures.model import picture
from graphir.text.trace_table import trace_table
from graphir.text.worked import explain

X, Y = gi.symbols("x y")
F = X * gi.sin(Y)
AT = {"x": 2.0, "y": 0.5}
TYPO = "no variable named 'W' in the expression; its variables are x, y"

# Every public function that takes ``wrt`` (with the keyword it needs besides).
WRT_TAKERS = {
    "diff": lambda wrt: gi.diff(F, *wrt),
    "grad": lambda wrt: gi.grad(F, wrt),
    "grad-forward": lambda wrt: gi.grad(F, wrt, mode="forward"),
    "jacobian": lambda wrt: gi.jacobian([F, X], wrt),
    "jacobian-reverse": lambda wrt: gi.jacobian([F, X], wrt, mode="reverse"),
    "hessian": lambda wrt: gi.hessian(F, wrt),
    "vjp": lambda wrt: gi.vjp(F, [1.0], wrt),
    "value_and_grad": lambda wrt: gi.value_and_grad(F, AT, wrt),
    "finite_difference": lambda wrt: gi.finite_difference(F, AT, wrt),
    "compare": lambda wrt: gi.compare(F, AT, wrt),
    "step_sweep": lambda wrt: gi.step_sweep(F, AT, wrt, methods=["central"]),
    "symbolic_grad": lambda wrt: gi.symbolic_grad(F, wrt),
    "trace_table": lambda wrt: trace_table(F, AT, "reverse", wrt),
    "trace_table-forward": lambda wrt: trace_table(F, AT, "forward", wrt),
    "explain": lambda wrt: explain(F, AT, "reverse", wrt),
    "picture": lambda wrt: picture(F, AT, "reverse", wrt),
    "picture-forward": lambda wrt: picture(F, AT, "forward", wrt),
    "picture-plain": lambda wrt: picture(F, AT, None, wrt),
}

# Every public function that takes a point ``at``.
POINT_TAKERS = {
    "eval": lambda at: F.eval(at),
    "value_and_grad": lambda at: gi.value_and_grad(F, at),
    "finite_difference": lambda at: gi.finite_difference(F, at),
    "compare": lambda at: gi.compare(F, at),
    "step_sweep": lambda at: gi.step_sweep(F, at, methods=["central"]),
    "check_partials": lambda at: gi.check_partials(F, at),
    "check_claims": lambda at: gi.check_claims(F, {"x": "sin(y)"}, at=at),
    "trace_table": lambda at: trace_table(F, at),
    "explain": lambda at: explain(F, at),
    "to_dot": lambda at: gi.to_dot(F, at=at),
}

# Every public function that takes ``mode``.
MODE_TAKERS = {
    "diff": lambda mode: gi.diff(F, X, mode=mode),
    "grad": lambda mode: gi.grad(F, mode=mode),
    "jacobian": lambda mode: gi.jacobian([F], mode=mode),
    "value_and_grad": lambda mode: gi.value_and_grad(F, AT, mode=mode),
    "trace_table": lambda mode: trace_table(F, AT, mode),
    "explain": lambda mode: explain(F, AT, mode),
    "to_dot": lambda mode: gi.to_dot(F, mode=mode),
}


# ------------------------------------------------------------------ the bug: a name of no variable


@pytest.mark.parametrize("name", WRT_TAKERS)
def test_a_name_that_matches_no_variable_is_an_error_everywhere(name: str) -> None:
    with pytest.raises(gi.ArgumentError, match=TYPO):
        WRT_TAKERS[name](["W"])


@pytest.mark.parametrize("name", WRT_TAKERS)
def test_a_variable_object_the_expression_does_not_use_is_allowed(name: str) -> None:
    WRT_TAKERS[name]([X, gi.symbols("W")])  # no error: its derivative is 0, as in SymPy


def test_absent_variable_objects_give_zero() -> None:
    W = gi.symbols("W")
    assert [d.value for d in gi.grad(F, [W]) + gi.grad(F, [W], mode="forward")] == [0.0, 0.0]
    assert gi.diff(F, W).value == 0.0
    assert gi.value_and_grad(F, AT, [X, W])[1][1] == 0.0
    assert gi.finite_difference(F, AT, [W])[0] == 0.0
    assert trace_table(F, AT, wrt=[W]).result == {"W": 0.0}
    assert gi.jvp(F, {W: 1.0}).value == 0.0
    with pytest.raises(gi.ArgumentError, match="no variable named 'W'"):
        gi.jvp(F, {"W": 1.0})


def test_the_cli_prints_the_error_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["diff", "x*y", "--wrt", "x,z"],
        ["compare", "x*y", "--at", "x=1,y=2", "--wrt", "z"],
        ["explain", "x*y", "--at", "x=1,y=2", "--wrt", "z", "-o", "never-written"],
        ["render", "x*y", "--wrt", "z", "-o", "never-written.svg"],
    ):
        assert cli.main(argv) == 1
        out, err = capsys.readouterr()
        assert out == "" and err.splitlines() == [
            "graphir: error: no variable named 'z' in the expression; its variables are x, y"
        ]


# ------------------------------------------------------------------ one mistake, one exception


@pytest.mark.parametrize("name", POINT_TAKERS)
def test_a_bad_point_raises_the_same_everywhere(name: str) -> None:
    take = POINT_TAKERS[name]
    with pytest.raises(gi.ArgumentError, match="^the value of y must be a number, got 'abc'$"):
        take({"x": 1.0, "y": "abc"})
    with pytest.raises(gi.ArgumentError, match="^expected a variable or its name, got the expression x"):
        take({X + 1: 1.0, "y": 2.0})
    with pytest.raises(TypeError, match="a point maps variables"):
        take([1.0, 2.0])
    with pytest.raises(TypeError, match="expected a variable or its name, got int 3"):
        take({3: 1.0, "x": 1.0, "y": 2.0})
    if name != "check_claims":  # (it samples the variables a point leaves out)
        with pytest.raises(gi.EvalError, match="no value given for variable 'y'"):
            take({"x": 1.0})


@pytest.mark.parametrize("name", ["finite_difference", "compare", "step_sweep", "check_partials",
                                  "trace_table", "explain", "to_dot"])
def test_functions_of_one_point_want_one_real_number_per_variable(name: str) -> None:
    with pytest.raises(gi.ArgumentError, match=r"^the value of y must be one real number, got \[1, 2\]$"):
        POINT_TAKERS[name]({"x": 1.0, "y": [1, 2]})


@pytest.mark.parametrize("name", MODE_TAKERS)
def test_a_bad_mode_raises_the_same_everywhere(name: str) -> None:
    with pytest.raises(gi.ArgumentError, match="^mode must be 'forward'.* or .*, got 'sideways'$"):
        MODE_TAKERS[name]("sideways")


def test_argument_error_is_a_value_error_and_a_graphir_error() -> None:
    assert issubclass(gi.ArgumentError, ValueError) and issubclass(gi.ArgumentError, gi.GraphirError)
    assert "ArgumentError" in gi.__all__
    with pytest.raises(ValueError):
        gi.symbols("1x")
    with pytest.raises(gi.ArgumentError):
        gi.trace(lambda: 1)
    with pytest.raises(gi.ArgumentError, match="unknown method"):
        gi.finite_difference(F, AT, method="sideways")
    with pytest.raises(gi.ArgumentError, match="repeated"):
        gi.finite_difference(F, AT, wrt=[X, "x"])


# ------------------------------------------------------------------ queries never grow the graph


def test_queries_never_add_nodes_to_the_users_graph() -> None:
    x = gi.symbols("x")
    y = gi.symbols("y")  # in a graph of its own
    f = x * gi.sin(x)
    n = len(f.ir)
    r = reverse_pass(f, wrt=["z"])
    assert r.derivatives == {} and f.ir.find_var("z") is None
    forward_pass(f, {"z": 1.0})
    gi.grad(f, [y])
    gi.grad(f, [y], mode="forward")
    gi.hessian(f, [x, y])
    trace_table(f, {"x": 1.0}, wrt=[y])
    gi.lambdify(f, [x, "unused"])
    assert f.ir.find_var("y") is None and f.ir.find_var("unused") is None
    assert len(f.ir) >= n  # derivatives append their own nodes, never a variable
    assert [f.ir.params[i] for i in range(len(f.ir)) if f.ir.is_var(i)] == ["x"]


# ------------------------------------------------------------------ the helpers themselves


def test_wrt_names_keeps_repeats_unless_unique() -> None:
    assert wrt_names(F, [X, "x"]) == ["x", "x"]
    assert wrt_names(["a", "b"], None) == ["a", "b"]
    assert wrt_names([F, X * X], "y") == ["y"]
    with pytest.raises(gi.ArgumentError, match="repeated in wrt: x, x"):
        wrt_names(F, [X, "x"], unique=True)
    with pytest.raises(TypeError, match="wrt is a variable"):
        wrt_names(F, 3)
    with pytest.raises(gi.ArgumentError, match="it has no variables"):
        wrt_names(gi.parse("pi"), "x")


def test_forward_seeds_mapping_or_first_variable() -> None:
    assert forward_seeds(F, None) == {"x": 1.0}
    assert forward_seeds(F, [Y, X]) == {"y": 1.0}
    assert forward_seeds(F, {Y: 2.0, "x": 0.5}) == {"y": 2.0, "x": 0.5}
    assert forward_seeds(gi.parse("pi"), None) == {}
    with pytest.raises(gi.ArgumentError, match="no variable named 'z'"):
        forward_seeds(F, {"z": 1.0})


def test_as_point_and_check_mode() -> None:
    assert as_point(None) == {}
    values = np.array([1, 2])
    point = as_point({X: 2, "y": values})
    assert point["x"] == 2 and point["y"] is values  # read at evaluation (as_value), never copied
    assert as_point({"x": gi.parse("pi/2")}, scalar=True) == {"x": math.pi / 2}  # a constant expression
    assert as_point({"x": np.float32(0.5), "y": True}, scalar=True) == {"x": 0.5, "y": 1.0}
    with pytest.raises(gi.ArgumentError, match="one real number"):
        as_point({"x": 1j}, scalar=True)
    assert check_mode("reverse") == "reverse" and check_mode(None, optional=True) is None
    with pytest.raises(gi.ArgumentError, match="'forward', 'reverse' or None"):
        check_mode("both", optional=True)
    assert variable_name("W[0,1]") == "W[0,1]"  # names need not be identifiers (from_json, from_sympy)
    with pytest.raises(gi.ArgumentError):
        variable_name("")
    assert arguments.MODES == ("forward", "reverse")


# ------------------------------------------------------------------ issue 8


@pytest.mark.parametrize(
    "value",
    [10**400, -(10**5000), [10**400], np.array([10**400], dtype=object)],
    ids=["1e400", "-1e5000", "list", "object-array"],
)
def test_a_number_past_the_float_range_is_an_argument_error(value):
    """finite_difference(x*2, {"x": 10**400}) raised OverflowError; a 5000-digit int could
    not even be put in a message (ValueError from int -> str)."""
    x = gi.symbols("x")
    for call in (
        lambda: gi.finite_difference(x * 2, {"x": value}),
        lambda: (x * 2).eval(x=value),
        lambda: gi.value_and_grad(x * 2, {"x": value}),
    ):
        with pytest.raises(gi.ArgumentError, match="the value of x") as info:
            call()
        assert len(str(info.value)) < 200


@pytest.mark.parametrize("at", [[1.0], (1.0,), 1.0, "x=1", np.array([1.0])])
def test_a_point_that_is_not_a_mapping_is_a_type_error(at):
    x = gi.symbols("x")
    for call in (
        lambda: gi.value_and_grad(x * 2, at),
        lambda: gi.finite_difference(x * 2, at),
        lambda: (x * 2).eval(at),
    ):
        with pytest.raises(TypeError, match="a point maps variables"):
            call()


def test_describe_and_unreadable_numbers():
    assert arguments.describe(10**5000) == "an integer of about 5001 digits"
    assert arguments.describe(object.__new__(Unprintable)) == "a Unprintable"
    assert arguments.unreadable_numbers("log1p(x2e5) + 1e5 + 0e-999 + 0.0") == []
    assert arguments.unreadable_numbers("2.5e-400") == ["2.5e-400 underflows to 0"]
    assert arguments.unreadable_numbers("1.8e308") == ["1.8e308 overflows to inf"]


class Unprintable:
    def __repr__(self):
        raise RuntimeError("no")
