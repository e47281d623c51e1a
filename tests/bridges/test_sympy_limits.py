"""SymPy work has a size check before it starts and a time limit while it runs (issue 8,
findings 4 and 5): nothing SymPy does (or fails to do) hangs graphir or reaches the user as
an internal error."""

from __future__ import annotations

import json
import signal
import time

import pytest

import graphir as gi
from graphir.bridges import sympy_limits
from graphir.bridges.sympy_limits import check_size, time_limit
from graphir.cli import main
from graphir.traversal import tree_size
from tests.limits_helpers import cpu_budget


def maxima(rounds: int) -> gi.Expr:
    """``f = maximum(f*y, f+y)`` repeated: 3 nodes a round, a tree form that doubles."""
    x, y = gi.symbols("x y")
    f = x
    for _ in range(rounds):
        f = gi.maximum(f * y, f + y)
    return f


def brute_tree_size(e: gi.Expr) -> int:
    g = e.ir
    total, stack = 0, [e.node]
    while stack:
        i = stack.pop()
        total += 1
        stack.extend(g.args[i])
    return total


def assert_no_timer_left() -> None:
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    assert sympy_limits._ACTIVE == []


# ------------------------------------------------------------------ the size check


@pytest.mark.parametrize("rounds", [0, 1, 3, 6])
def test_tree_size_counts_every_use(rounds):
    e = maxima(rounds)
    assert tree_size(e.ir, e.node, 10**9) == brute_tree_size(e)
    assert tree_size(e.ir, e.node, 5) == min(brute_tree_size(e), 6)


def test_exact_fractions_count_too():
    with pytest.raises(gi.SymbolicTooLarge, match="digits"):
        gi.parse("x*9.5**9**9").to_sympy()  # 9.5 is the Rational 19/2 in SymPy


def test_nine_characters_are_refused_at_once():
    # 9**9**9 has 370 million digits; SymPy computed it exactly and never returned.
    with cpu_budget(20, "to_sympy of x*9**9**9"):
        t0 = time.perf_counter()
        with pytest.raises(gi.SymbolicTooLarge, match=r"9\*\*387420489 exactly.*369,693,100 digits"):
            gi.parse("x*9**9**9").to_sympy()
        for f in (gi.simplify, gi.symbolic_grad):
            with pytest.raises(gi.SymbolicTooLarge, match="MAX_DIGITS"):
                f(gi.parse("x*9**9**9"))
    assert time.perf_counter() - t0 < 5


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # 9.1**9**9 overflows a float
@pytest.mark.parametrize("text", ["x*9**9", "x*2**1000", "x*(3/4)**20", "x*1**(9**9)", "x*9.1**9**9"])
def test_exact_numbers_of_reasonable_size_still_go_to_sympy(text):
    e = gi.parse(text)
    gi.simplify(e)
    assert gi.symbolic_grad(e)[0].eval() == pytest.approx(gi.diff(e, "x").eval(x=1.0), rel=1e-12)


def test_a_50_node_expression_with_a_huge_tree_is_refused_at_once():
    e = maxima(16)  # 50 nodes; to_sympy ran past 60 s
    assert e.num_nodes == 50
    with cpu_budget(20, "to_sympy of 16 rounds of maximum"):
        t0 = time.perf_counter()
        with pytest.raises(gi.SymbolicTooLarge, match="max_sympy_size=20000") as info:
            e.to_sympy()
        assert time.perf_counter() - t0 < 1
    assert info.value.limit == 20000 and info.value.size == 20001
    for f in (gi.simplify, gi.symbolic_grad):
        with pytest.raises(gi.SymbolicTooLarge, match="max_sympy_size"):
            f(e)


def test_max_sympy_size_can_be_raised_and_lowered():
    e = maxima(3)  # a tree of 45 nodes
    with pytest.raises(gi.SymbolicTooLarge, match="max_sympy_size=40"):
        gi.symbolic_grad(e, max_sympy_size=40)
    assert len(gi.symbolic_grad(e, max_sympy_size=45)) == 2
    assert len(gi.symbolic_grad(e, max_sympy_size=None)) == 2
    with pytest.raises(gi.ArgumentError, match="max_sympy_size"):
        gi.simplify(e, max_sympy_size=0)
    with pytest.raises(TypeError, match="max_sympy_size"):
        gi.simplify(e, max_sympy_size=1.5)


def test_check_size_is_linear_on_a_huge_dag():
    x = gi.symbols("x")
    e = x
    for _ in range(30_000):
        e = e * e + 1  # a tree form of 2**30000 nodes
    t0 = time.perf_counter()
    with pytest.raises(gi.SymbolicTooLarge):
        check_size(e)
    assert time.perf_counter() - t0 < 2


# ------------------------------------------------------------------ the time limit


def test_time_limit_stops_sympy_and_cleans_up():
    e = maxima(10)  # to_sympy alone takes about half a second, simplify far longer
    with cpu_budget(30, "simplify with sympy_timeout=0.05"):
        t0 = time.perf_counter()
        with pytest.raises(gi.SymbolicTimeout, match=r"within 0.05 s.*--sympy-timeout") as info:
            gi.simplify(e, sympy_timeout=0.05)
        assert time.perf_counter() - t0 < 1
    assert info.value.seconds == 0.05
    assert_no_timer_left()
    with pytest.raises(gi.SymbolicTimeout):
        gi.symbolic_grad(e, sympy_timeout=0.05)
    assert_no_timer_left()


def test_time_limits_nest_and_the_earlier_one_wins():
    def spin(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pass

    with time_limit(5.0, "the outer task"):
        with pytest.raises(gi.SymbolicTimeout, match="the inner task"):
            with time_limit(0.05, "the inner task"):
                spin(1.0)
        with time_limit(30.0, "a later one"):  # ends after the outer one: only the outer is armed
            spin(0.01)
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 3.0 < remaining <= 5.0  # the outer limit is armed again
    assert_no_timer_left()
    with pytest.raises(gi.SymbolicTimeout, match="the outer task"):
        with time_limit(0.05, "the outer task"):
            with time_limit(10.0, "the inner task"):
                spin(1.0)
    assert_no_timer_left()


def test_time_limit_is_not_swallowed_by_except_exception():
    def stubborn() -> None:
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            try:
                time.sleep(0.01)
            except Exception:  # what SymPy does in places
                pass

    with pytest.raises(gi.SymbolicTimeout):
        with time_limit(0.05, "the stubborn task"):
            stubborn()
    assert_no_timer_left()


def test_time_limit_leaves_a_foreign_timer_alone():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with time_limit(0.01, "anything"):
            time.sleep(0.05)  # not stopped: someone else's timer is armed
        assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 0.2
        time.sleep(0.3)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_sympy_timeout_is_checked():
    x = gi.symbols("x")
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(gi.ArgumentError, match="sympy_timeout"):
            gi.simplify(x, sympy_timeout=bad)
    with pytest.raises(TypeError, match="sympy_timeout"):
        gi.simplify(x, sympy_timeout="5")
    assert str(gi.simplify(x + x, sympy_timeout=None)) == "2*x"


# ------------------------------------------------------------------ what the user sees


def test_a_sympy_that_cannot_decide_is_an_answer():
    # SymPy raised "The argument 'asin(8)' is not comparable" (ValueError): an internal error.
    r = gi.check_claims("minimum(asin(8), x)", {"x": "1"})
    (c,) = r.results
    assert c.symbolic == "undecided" and "asin(8)" in c.symbolic_note
    assert c.status == "undecided"  # no sample point is finite: asin(8) is nan


def test_check_claims_decides_numerically_when_sympy_is_stopped():
    e = maxima(10)
    with cpu_budget(60, "check_claims with sympy_timeout=0.05"):
        r = gi.check_claims(e, {"x": gi.diff(e, "x")}, sympy_timeout=0.05)
    (c,) = r.results
    assert c.symbolic == "undecided" and "stopped after 0.05 s" in c.symbolic_note
    assert c.status == "holds" and c.points > 0
    assert "cannot decide (stopped after 0.05 s" in str(r)
    assert_no_timer_left()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # 9**9**9 overflows a float
def test_compare_and_step_sweep_fall_back_to_the_complex_step_past_the_limits():
    e = gi.parse("x*9**9**9 + y")
    c = gi.compare(e, {"x": 1.0, "y": 2.0})
    assert c.reference == "reverse" and "MAX_DIGITS" in c.row("symbolic").note  # d/dx is inf
    c = gi.compare(maxima(10), {"x": 0.5, "y": 1.5}, sympy_timeout=0.05)
    assert c.reference == "fd-complex" and "within 0.05 s" in c.row("symbolic").note
    s = gi.step_sweep(maxima(10), {"x": 0.5, "y": 1.5}, sympy_timeout=0.05, methods=["central"])
    assert s.reference == "fd-complex"
    assert_no_timer_left()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_explain_says_nothing_of_sympy_past_the_limits():
    ex = gi.explain(gi.parse("x*9**9**9"), {"x": 1.0})
    assert ex.sympy_form is None and ex.comparison.reference != "symbolic"


def run(argv, capsys):
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("argv", [
    ["check", "x*9**9**9", "--claim", "x=1"],
    ["compare", "x*9**9**9", "--at", "x=1"],
    ["diff", "x*9**9**9", "--simplify"],
    ["diff", "x*9**9**9", "--mode", "symbolic"],
])
def test_cli_nine_characters_return_at_once(argv, capsys):
    with cpu_budget(20, " ".join(argv)):
        status, out, err = run(argv, capsys)
    assert "internal error" not in err and "Traceback" not in err
    if argv[0] == "diff":
        assert status == 1 and "369,693,100 digits" in err and err.count("\n") == 1
    else:
        assert "digits" in out


def test_cli_check_reports_sympy_failures_as_cannot_decide(capsys):
    status, out, err = run(["check", "minimum(asin(8), x)", "--claim", "x=1"], capsys)
    assert "internal error" not in err
    assert "SymPy:    cannot decide" in out and status == 1


def test_cli_sympy_timeout(capsys):
    text = str(maxima(10))
    status, out, err = run(["check", text, "--claim", "y=0", "--sympy-timeout", "0.05",
                            "--format", "json"], capsys)
    (r,) = json.loads(out)["results"]
    assert r["symbolic"] == "undecided" and "stopped after 0.05 s" in r["symbolic_note"]
    status, out, err = run(["diff", text, "--mode", "symbolic", "--sympy-timeout", "0.05"], capsys)
    assert status == 1 and "--sympy-timeout" in err and err.count("\n") == 1
    status, out, err = run(["diff", "x*x", "--mode", "symbolic", "--sympy-timeout", "0"], capsys)
    assert status == 0 and out == "d/dx = 2*x\n"
    status, out, err = run(["compare", "x*x", "--at", "x=1", "--sympy-timeout", "-1"], capsys)
    assert status == 2 and "--sympy-timeout" in err
    assert_no_timer_left()


def test_explain_refuses_more_nodes_than_max_nodes():
    x = gi.symbols("x")
    e = x
    for _ in range(30):
        e = gi.sin(e) * 0.5 + e  # 90 operation nodes
    with pytest.raises(gi.RenderTooLarge, match="max_nodes=50") as info:
        gi.explain(e, {"x": 1.0}, max_nodes=50)
    assert info.value.n_ops == 90
    assert gi.explain(e, {"x": 1.0}, max_nodes=None).table.result["x"] == pytest.approx(
        gi.diff(e, x).eval(x=1.0))
