"""Fuzzing gi.from_json: any document gives expressions or a GraphError (nothing else, in
bounded time), and what it accepts is a valid graph that saves back to the same document
(issue 8, finding 10)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import graphir as gi
from graphir.ir import validate
from tests.arrays.test_rules import CASES, instances
from tests.fuzz.common import budget, result_or_error
from tests.strategies import recipes, wild_recipes

_OPS = ("var", "const", "add", "sub", "mul", "div", "pow", "neg", "sin", "maximum", "nope", "", "__class__",
        "data", "sum", "index", "unindex", "reshape", "transpose", "matmul", "stack", "broadcast_to")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["inf", "-inf", "nan", "x", "1x", "x y", "", "graphir", *_OPS]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


def valid_documents() -> st.SearchStrategy[dict[str, Any]]:
    """The document of a random expression (or of a list of them), as a Python object."""
    one = st.one_of(recipes(max_ops=6), wild_recipes(max_ops=6)).map(lambda r: r.to_expr())
    # (an array instance alone: its variables may share a name with a recipe's, in another shape)
    arrays = st.sampled_from(sorted(CASES)).flatmap(instances).map(lambda case: case[0])
    exprs = st.one_of(one, st.lists(one, min_size=1, max_size=3), arrays)
    return exprs.map(lambda e: json.loads(gi.to_json(e)))


def _places(doc: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every value inside ``doc`` (iteratively)."""
    out, todo = [], [doc]
    while todo:
        c = todo.pop()
        keys = list(c) if isinstance(c, dict) else range(len(c)) if isinstance(c, list) else []
        for k in keys:
            out.append((c, k))
            todo.append(c[k])
    return out


@st.composite
def mutated_documents(draw: Any) -> Any:
    """A valid document with a few values replaced, keys removed or added, nodes duplicated,
    dropped or reordered, and ids, ops, names and operands changed."""
    doc = draw(valid_documents())
    for _ in range(draw(st.integers(1, 4))):
        places = _places(doc)
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        what = draw(st.sampled_from(["value", "delete", "add", "node", "op", "int", "name"]))
        nodes = doc.get("nodes") if isinstance(doc, dict) else None
        if what == "value":
            container[key] = draw(json_values)
        elif what == "delete" and isinstance(container, dict):
            del container[key]
        elif what == "delete":
            container.pop(key)
        elif what == "add" and isinstance(container, dict):
            keys = ["id", "op", "args", "name", "value", "extra", "shape", "param", "values"]
            container[draw(st.sampled_from(keys))] = draw(
                json_values
            )
        elif what == "node" and isinstance(nodes, list) and nodes:
            k = draw(st.integers(0, len(nodes) - 1))
            twin = dict(nodes[k]) if isinstance(nodes[k], dict) and draw(st.booleans()) else nodes[k]
            nodes.insert(draw(st.integers(0, len(nodes))), twin)
            if draw(st.booleans()):
                nodes.reverse()
        elif what == "op" and isinstance(container, dict):
            container["op"] = draw(st.sampled_from(_OPS))
        elif what == "int":
            container[key] = draw(st.integers(-2, 12) | st.sampled_from([2**63, -(2**70), 10**30]))
        elif what == "name" and isinstance(container, dict):
            container["name"] = draw(
                st.sampled_from(["1x", "x y", "", "__import__", "pi", "ｓｉｎ", "x\n", "sin"])
            )
    return doc


def load_or_error(text: str | bytes) -> Any:
    """from_json(text), or None for a GraphError; anything else fails the test (so does > 5 s)."""
    return result_or_error(gi.from_json, text, gi.GraphError)


def assert_valid(loaded: Any) -> None:
    """What from_json accepts is a valid graph, and saves and loads back to the same text."""
    exprs = loaded if isinstance(loaded, list) else [loaded]
    validate(exprs[0].ir)
    text = gi.to_json(loaded)
    again = gi.from_json(text)
    assert gi.to_json(again) == text
    assert again == loaded


def dumps(doc: Any) -> str:
    return json.dumps(doc, allow_nan=True)


def load_and_check(doc: Any) -> None:
    """The document loads to a valid graph that saves back, or is a GraphError."""
    loaded = load_or_error(dumps(doc))
    if loaded is not None:
        assert_valid(loaded)


@budget(ci=150)
@given(mutated_documents())
def test_mutated_documents_load_or_are_a_graph_error(doc):
    load_and_check(doc)


@budget(ci=100, fuzz=20_000)
@given(
    st.one_of(
        json_values,
        st.dictionaries(st.sampled_from(["format", "version", "nodes", "outputs", "single"]), json_values),
    )
)
def test_random_json_is_a_graph_error(doc):
    if isinstance(doc, dict):
        doc.setdefault("format", "graphir")
        doc.setdefault("version", 1)
    load_and_check(doc)


@budget(ci=200, fuzz=20_000)
@given(
    st.one_of(
        st.binary(max_size=60),
        st.text(max_size=60),
        st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    )
)
def test_random_bytes_and_text_are_a_graph_error(data):
    load_or_error(data)


@budget(ci=100, fuzz=20_000)
@given(valid_documents())
def test_valid_documents_load_and_save_back(doc):
    text = dumps(doc)
    loaded = load_or_error(text)
    assert loaded is not None
    assert_valid(loaded)
    assert gi.to_json(loaded) == json.dumps(doc, sort_keys=True)


@budget(ci=100, fuzz=20_000)
@given(mutated_documents())
def test_accepted_variable_names_are_names_the_parser_reads(doc):
    """A document's variables are usable everywhere: grad, to_dot and printing take them."""
    loaded = load_or_error(dumps(doc))
    if loaded is None:
        return
    e = loaded if not isinstance(loaded, list) else loaded[0]
    for v in e.variables:
        assert v.name.isidentifier(), f"from_json accepted the variable name {v.name!r}"
    gi.grad(e) if not e.shape else gi.jacobian(e)
    gi.to_dot(e)


@pytest.mark.parametrize("depth", [10**4, 10**5])
@pytest.mark.parametrize("where", ["document", "value", "name", "args", "outputs", "extra"])
def test_deep_nesting_is_a_graph_error(depth, where):
    deep = "[" * depth + "]" * depth
    valid = (
        '{"format": "graphir", "version": 1, "nodes": [{"id": 0, "op": "var", "name": "x"}], "outputs": [0]'
    )
    text = {
        "document": deep,
        "value": valid.replace(
            '"name": "x"}', '"name": "x"}, {"id": 1, "op": "const", "value": ' + deep + "}"
        ),
        "name": valid.replace('"name": "x"', '"name": ' + deep),
        "args": valid.replace('"name": "x"', '"name": "x", "args": ' + deep),
        "outputs": valid.replace('"outputs": [0]', '"outputs": ' + deep),
        "extra": valid + ', "extra": ' + deep,
    }[where] + ("" if where == "document" else "}")
    assert load_or_error(text) is None


def test_the_largest_and_smallest_numbers_load_exactly():
    doc = (
        '{"format": "graphir", "version": 1, "nodes": [{"id": 0, "op": "const", "value": %s}], '
        '"outputs": [0], "single": true}'
    )
    for text, value in [
        ("1e400", math.inf),
        ("-1e400", -math.inf),
        ("1e-400", 0.0),
        ("5e-324", 5e-324),
        ('"nan"', math.nan),
        ("NaN", math.nan),
        ("-0.0", -0.0),
    ]:
        e = load_or_error(doc % text)
        assert e is not None and (e.value == value or math.isnan(value) and math.isnan(e.value))
    assert load_or_error(doc % ("1" * 5000)) is None  # an integer too long to read


@pytest.mark.parametrize("name", ["1x", "x y", "x\n", "x-y", "x.y"])
def test_a_variable_name_no_formula_can_use_is_a_graph_error(name):
    doc = {
        "format": "graphir",
        "version": 1,
        "nodes": [{"id": 0, "op": "var", "name": name}, {"id": 1, "op": "sin", "args": [0]}],
        "outputs": [1],
        "single": True,
    }
    assert load_or_error(json.dumps(doc)) is None
