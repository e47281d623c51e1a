"""check_claims says how a wrong claim differs, and samples variables in their domains (issue 9, item 8)."""

import json

import pytest

import graphir as gi
from graphir.cli import main
from graphir.numeric.check import read_domain, sample_points

L = "(y - w*x - b)^2/2"


def diagnosis(expr, var, claim, **kw):
    r = gi.check_claims(expr, {var: claim}, **kw).results[0]
    assert r.status == "wrong"
    return r.diagnosis


def test_the_tutorials_claims_miss_an_inner_derivative():
    r = gi.check_claims(L, {"w": "(y - w*x - b)*1", "b": "(y - w*x - b)*0"})
    w, b = r.results
    assert w.diagnosis == ("missing the inner derivative -x (the derivative of y - w*x - b by w): "
                           "the factor 1 should be -x")
    assert b.diagnosis == ("missing the inner derivative -1 (the derivative of y - w*x - b by b): "
                           "the factor 0 should be -1")
    text = str(r)
    assert "  diagnosis: missing the inner derivative -x" in text
    assert json.loads(r.to_json())["results"][1]["diagnosis"] == b.diagnosis


def test_chain_rule_forgotten_without_a_product():
    want = "missing the inner derivative 2*x (the derivative of x**2 by x)"
    assert diagnosis("sin(x^2)", "x", "cos(x^2)") == want


def test_sign_constant_factor_and_additive_constant():
    assert diagnosis("x^2*y", "x", "-2*x*y") == "off by a sign: the claim is minus the true derivative"
    want = "off by a constant factor: the claim is 0.333 times the true derivative"
    assert diagnosis("x^3", "x", "x^2") == want
    assert diagnosis("x^2", "x", "2*x + 3") == "off by an additive constant: claimed - true = 3 everywhere"


def test_no_diagnosis_when_nothing_fits_and_none_for_a_right_claim():
    assert diagnosis("x^2*y", "x", "x*y^2") == ""
    r = gi.check_claims(L, {"w": "-(y - w*x - b)*x"}).results[0]
    assert r.holds and r.diagnosis == ""


def test_domains_are_respected():
    # 2*abs(x) is the derivative of x^2 only where x >= 0; n + sin(pi*n) is y*n's only at integers.
    assert not gi.check_claims("x^2", {"x": "2*abs(x)"}).ok
    assert gi.check_claims("x^2", {"x": "2*abs(x)"}, domains={"x": (0, 1)}).ok
    assert not gi.check_claims("y*n", {"y": "n + sin(pi*n)"}).ok
    assert gi.check_claims("y*n", {"y": "n + sin(pi*n)"}, domains={"n": "int:1,10"}).ok
    r = gi.check_claims(L, {"w": "(y - w*x - b)*1"}, domains={"y": "0,1", "x": range(1, 4)}).results[0]
    assert 0 <= r.counterexample["y"] <= 1 and r.counterexample["x"] in (1.0, 2.0, 3.0)
    pts = sample_points(["y", "n"], {"y": 0.5}, 0, (-100.0, 100.0), around=True,
                        domains={"y": read_domain("0,1"), "n": read_domain("int:-2,2")})
    assert pts["y"].min() >= 0 and pts["y"].max() <= 1
    assert set(pts["n"]) <= {-2.0, -1.0, 0.0, 1.0, 2.0}


@pytest.mark.parametrize("bad", ["1", "2,1", "int:0.5,2", "a,b", "0,inf"])
def test_bad_domains(bad):
    with pytest.raises(gi.ArgumentError, match="domain"):
        read_domain(bad)


def test_cli_domain_and_diagnosis(capsys):
    status = main(["check", L, "--claim", "b=(y - w*x - b)*0", "--domain", "y=0,1",
                   "--domain", "x=int:1,5"])
    out = capsys.readouterr().out
    assert status == 1
    assert "diagnosis: missing the inner derivative -1 (the derivative of y - w*x - b by b)" in out
    assert main(["check", "x*y", "--claim", "x=y", "--domain", "y=1"]) == 2
    assert "--domain y:" in capsys.readouterr().err
