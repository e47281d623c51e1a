"""check_claims(): right and wrong claimed partials, symbolically and at sample points."""

from __future__ import annotations

import json

import pytest

import graphir as gi

L_TEXT = "(y - w*x - b)^2/2"
WRONG = {"w": "(y - w*x - b)*1", "b": "(y - w*x - b)*0"}
RIGHT = {"w": "-(y - w*x - b)*x", "b": "-(y - w*x - b)"}


def true_partials(p):
    r = p["y"] - p["w"] * p["x"] - p["b"]
    return {"w": -r * p["x"], "b": -r}


def test_wrong_claims_are_found_with_a_counterexample():
    report = gi.check_claims(gi.parse(L_TEXT), WRONG)
    assert not report.ok and not bool(report)
    assert [r.variable for r in report.results] == ["w", "b"]
    for r in report.results:
        assert r.status == "wrong" and not r.holds
        assert r.symbolic == "not equal"  # claimed - true is a nonzero polynomial: (y - w*x - b)*(1 + x), ...
        assert r.points == 20 and r.mismatches >= 19
        p = r.counterexample
        assert set(p) == {"y", "w", "x", "b"}  # every variable
        claim = gi.parse(WRONG[r.variable])
        assert r.claimed_value == pytest.approx(claim.eval(p) if claim.variables else 0.0, rel=1e-12)
        assert r.true_value == pytest.approx(true_partials(p)[r.variable], rel=1e-12)
        assert r.claimed_value != pytest.approx(r.true_value)
    text = str(report)
    assert "d/dw: WRONG" in text and "d/db: WRONG" in text
    assert "for example at y=" in text
    assert "2 of 2 claims wrong." in text


def test_right_claims_hold():
    report = gi.check_claims(L_TEXT, RIGHT)
    assert report.ok
    for r in report.results:
        assert r.status == "holds" and r.symbolic == "equal"
        assert r.mismatches == 0 and r.points == 20 and r.counterexample is None
    assert "All 2 claims hold." in str(report)


def test_symbolic_proof_of_a_difference():
    report = gi.check_claims(L_TEXT, {"b": "-(y - w*x - b) + 1"})
    (r,) = report.results
    assert r.symbolic == "not equal" and r.status == "wrong"
    assert r.true_value - r.claimed_value == pytest.approx(-1.0)


def test_the_users_point_is_the_counterexample_when_it_shows_the_error():
    at = {"w": 1, "x": 2, "y": 3, "b": 0}
    report = gi.check_claims(L_TEXT, {"w": WRONG["w"]}, at=at)
    (r,) = report.results
    assert r.counterexample == {"y": 3.0, "w": 1.0, "x": 2.0, "b": 0.0}
    assert (r.claimed_value, r.true_value) == (1.0, -2.0)
    assert r.points == 21


def test_claim_with_a_variable_the_expression_lacks():
    x, y = gi.symbols("x y")
    report = gi.check_claims(x * x, {x: "2*x + z"})
    (r,) = report.results
    assert r.status == "wrong"
    assert set(r.counterexample) == {"x", "z"}
    # and a partial by a variable the expression does not use is 0
    assert gi.check_claims(x * x, {"y": "0"}).ok


def test_sampling_stays_in_the_domain_and_is_reproducible():
    a = gi.check_claims("log(x) + sqrt(y - 5)", {"x": "1/x", "y": "1/(2*sqrt(y - 5))"})
    assert a.ok and all(r.points == 20 for r in a.results)
    w1 = gi.check_claims(L_TEXT, WRONG, seed=7)
    w2 = gi.check_claims(L_TEXT, WRONG, seed=7)
    assert [r.counterexample for r in w1.results] == [r.counterexample for r in w2.results]


def test_numeric_only_and_json():
    report = gi.check_claims(L_TEXT, WRONG, symbolic=False)
    assert [r.status for r in report.results] == ["wrong", "wrong"]
    data = json.loads(report.to_json())
    assert data["ok"] is False
    assert [r["variable"] for r in data["results"]] == ["w", "b"]
    assert set(data["results"][0]["counterexample"]) == {"y", "w", "x", "b"}
    with pytest.raises(ValueError, match="no claims"):
        gi.check_claims(L_TEXT, {})


def test_a_point_outside_the_domain_is_reported_and_not_used():
    report = gi.check_claims("log(x)", {"x": "1/x"}, at={"x": -1.0})
    (r,) = report.results
    assert r.status == "holds" and r.points == 21
    assert "not finite at the point given" in r.note
    assert "note:" in str(report)
