"""The suite's own machinery (tests/conftest.py): hypothesis runs derandomized, graphs are validated."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

import graphir as gi
from graphir.errors import GraphError
from tests.conftest import graphs_validated_on_exit


def test_hypothesis_runs_derandomized_unless_asked_to_explore():
    profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    assert settings.default.derandomize is (profile == "ci")
    assert settings.get_profile("ci").derandomize and settings.get_profile("ci").database is None


def test_a_broken_graph_built_in_a_test_fails_it():
    x = gi.symbols("x")
    with pytest.raises(GraphError, match="operand 0 is node 7, which does not exist"):
        with graphs_validated_on_exit():
            e = gi.sin(x)
            e.ir.args[e.node] = (7,)
    e.ir.args[e.node] = (x.node,)  # mend it, or this test's own check fails at teardown


def test_graphs_are_not_validated_twice_when_they_did_not_grow(monkeypatch):
    x = gi.symbols("x")
    calls = []
    monkeypatch.setattr("tests.conftest.validate", calls.append)
    with graphs_validated_on_exit():
        f = gi.cos(x) * 2
    with graphs_validated_on_exit():
        f = f - x  # one new node: checked again
    with graphs_validated_on_exit():
        _ = gi.Expr(f.ir, f.node)  # nothing new: not checked
    assert calls == [f.ir, f.ir]
