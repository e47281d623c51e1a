"""JSON save/load: lossless, deterministic, and every malformed document named."""

from __future__ import annotations

import json
import math
import random
import time

import pytest
from hypothesis import given, settings

import graphir as gi
from graphir.bridges.json_io import from_json, to_json
from graphir.build import FUNCTIONS, as_expr
from tests.strategies import EXAMPLES, Recipe, recipes

X, Y = gi.symbols("x y")


def _doc(nodes: list[dict], outputs: object = (2,), **extra: object) -> str:
    if isinstance(outputs, tuple):
        outputs = list(outputs)
    d = {"format": "graphir", "version": 1, "nodes": nodes, "outputs": outputs, "single": True}
    d.update(extra)
    return json.dumps(d)


G0 = {"id": 0, "op": "var", "name": "x"}
GOOD_NODES = [
    G0,
    {"id": 1, "op": "const", "value": 2.0},
    {"id": 2, "op": "mul", "args": [0, 1]},
]


# ------------------------------------------------------------------ round trips


@settings(max_examples=EXAMPLES, deadline=None)
@given(recipes(max_ops=8))
def test_random_expressions_round_trip(r: Recipe) -> None:
    e = r.to_expr()
    text = to_json(e)
    back = from_json(text)
    assert back == e  # same structure, constants bit for bit
    assert to_json(back) == text  # reloading keeps the numbering
    assert text == json.dumps(json.loads(text), sort_keys=True)  # canonical JSON


def test_the_document_format() -> None:
    doc = json.loads(to_json(gi.log(X) + X * Y))
    assert doc["format"] == "graphir" and doc["version"] == 1 and doc["single"] is True
    assert doc["nodes"] == [
        {"id": 0, "name": "x", "op": "var"},
        {"id": 1, "name": "y", "op": "var"},
        {"args": [0], "id": 2, "op": "log"},
        {"args": [0, 1], "id": 3, "op": "mul"},
        {"args": [2, 3], "id": 4, "op": "add"},
    ]
    assert doc["outputs"] == [4]


def test_operand_order_and_repeated_operands_are_kept() -> None:
    for e in (X * X, X - Y, Y - X, X**Y, gi.sin(X) * gi.sin(X)):
        back = from_json(to_json(e))
        assert back == e
        assert [a.node for a in back.args] == [back.args[0].node, back.args[-1].node]
    a = as_expr(1.0)
    b = a + a
    c = b + b
    back = from_json(to_json(c))
    assert back.num_nodes == 3 and back.eval() == 4.0


def test_lists_round_trip_in_one_graph() -> None:
    exprs = [X * Y, X + Y, gi.sin(X * Y)]
    back = from_json(to_json(exprs))
    assert isinstance(back, list) and len(back) == 3
    assert all(b == e for b, e in zip(back, exprs, strict=True))
    assert back[0].ir is back[2].ir
    assert back[2].args[0].node == back[0].node  # the shared x*y is still one node
    one = from_json(to_json([X]))
    assert isinstance(one, list) and one[0] == X


@pytest.mark.parametrize(
    "value",
    [-0.0, 0.0, math.nan, math.inf, -math.inf, 0.1, -1 / 3, math.pi, math.e, 5e-324, 2.2250738585072014e-308,
     1.7976931348623157e308, 1e-310, 123456789.12345679, -2.5],
)
def test_constants_round_trip_exactly(value: float) -> None:
    e = X * value
    back = from_json(to_json(e))
    (c,) = [a for a in back.args if a.op == "const"]
    if math.isnan(value):
        assert math.isnan(c.value)
    else:
        assert c.value.hex() == value.hex()
        assert math.copysign(1.0, c.value) == math.copysign(1.0, value)


def test_negative_zero_and_nan_are_kept_apart() -> None:
    e = as_expr(-0.0) + as_expr(0.0) + as_expr(math.nan) + math.inf
    text = to_json(e)
    assert '"value": -0.0' in text and '"value": 0.0' in text
    assert '"value": "nan"' in text and '"value": "inf"' in text
    back = from_json(text)
    assert back.num_nodes == e.num_nodes == 7
    consts = [d["value"] for _, d in back.graph.nodes(data=True) if d["op"] == "const"]
    assert [math.copysign(1.0, v) for v in consts if v == 0] == [-1.0, 1.0]
    assert sum(math.isnan(v) for v in consts) == 1


def test_output_is_deterministic() -> None:
    e = gi.sin(X * Y) + gi.exp(X) / Y
    assert to_json(e) == to_json(e)
    # Built again in a graph full of unrelated nodes: the same text.
    noise_x, noise_y = gi.symbols("x y")
    junk = [gi.cos(noise_x + k) for k in range(20)]
    again = gi.sin(noise_x * noise_y) + gi.exp(noise_x) / noise_y
    assert junk and again.ir is junk[0].ir
    assert to_json(again) == to_json(e)


def test_nodes_in_any_order_load() -> None:
    e = gi.log(X) + X * Y - gi.sin(Y)
    doc = json.loads(to_json(e))
    random.Random(3).shuffle(doc["nodes"])
    back = from_json(json.dumps(doc))
    assert back == e
    # Ids need not be 0..n-1 either.
    for node in doc["nodes"]:
        node["id"] = node["id"] * 10 + 7
        if "args" in node:
            node["args"] = [a * 10 + 7 for a in node["args"]]
    doc["outputs"] = [o * 10 + 7 for o in doc["outputs"]]
    assert from_json(json.dumps(doc)) == e


def test_bytes_are_accepted_and_public_names_route_here() -> None:
    text = gi.to_json(X * 2)
    assert gi.from_json(text.encode()) == X * 2


def test_a_100000_node_chain_round_trips_quickly() -> None:
    e = X
    for k in range(100_000):
        e = gi.sin(e) if k % 2 else e * 1.5
    start = time.perf_counter()
    text = to_json(e)
    back = from_json(text)
    seconds = time.perf_counter() - start
    assert back.num_nodes == e.num_nodes == 100_002
    assert back == e
    assert seconds < 5.0  # ~0.7 s on the development machine


# ------------------------------------------------------------------ malformed documents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not a JSON document"),
        ("", "not a JSON document"),
        ("[1, 2]", "a graphir document is a JSON object, got list"),
        (json.dumps({"format": "other", "version": 1}), "not a graphir document: format is 'other'"),
        (json.dumps({"version": 1, "nodes": []}), "not a graphir document: format is None"),
        (json.dumps({"format": "graphir", "version": 3}), "unsupported graphir document version 3"),
        (json.dumps({"format": "graphir", "version": "1"}), "unsupported graphir document version '1'"),
        (json.dumps({"format": "graphir", "version": True}), "unsupported graphir document version True"),
        (json.dumps({"format": "graphir", "version": 1}), "'nodes' must be a list, got NoneType"),
        (json.dumps({"format": "graphir", "version": 1, "nodes": {}}), "'nodes' must be a list, got dict"),
        (_doc([1]), "nodes[0] must be an object, got int"),
        (_doc([{"op": "var", "name": "x"}]), "nodes[0] has no id"),
        (_doc([{"id": "a", "op": "var", "name": "x"}]), "nodes[0]: the id must be an integer, got 'a'"),
        (_doc([{"id": True, "op": "var", "name": "x"}]), "nodes[0]: the id must be an integer, got True"),
        (_doc([*GOOD_NODES, {"id": 1, "op": "var", "name": "y"}]), "duplicate node id 1"),
        (_doc([{"id": 0, "name": "x"}]), "node 0 has no op"),
        (_doc([{"id": 0, "op": 3}]), "node 0: the op must be a string, got 3"),
        (_doc([G0, {"id": 2, "op": "frobnicate", "args": [0]}]), "node 2: unknown op 'frobnicate'"),
        (_doc([G0, {"id": 2, "op": "sin", "args": [0, 0]}]), "node 2 (sin): takes 1 operand(s), got 2"),
        (_doc([G0, {"id": 2, "op": "add", "args": [0]}]), "node 2 (add): takes 2 operand(s), got 1"),
        (_doc([G0, {"id": 2, "op": "sin"}]), "node 2 (sin) has no args"),
        (_doc([G0, {"id": 2, "op": "sin", "args": 0}]), "node 2 (sin): args must be a list, got int"),
        (
            _doc([G0, {"id": 2, "op": "sin", "args": ["0"]}]),
            "node 2 (sin): operand 0 must be a node id, got '0'",
        ),
        (
            _doc([G0, {"id": 2, "op": "mul", "args": [0, 9]}]),
            "node 2 (mul): operand 1 is node 9, which does not exist",
        ),
        (_doc([{"id": 0, "op": "var"}]), "node 0 (var) has no name"),
        (
            _doc([{"id": 0, "op": "var", "name": ""}]),
            "node 0 (var): the name must be a non-empty string, got ''",
        ),
        (
            _doc([{"id": 0, "op": "var", "name": 5}]),
            "node 0 (var): the name must be a non-empty string, got 5",
        ),
        (
            _doc([{"id": 0, "op": "var", "name": "x", "args": [0]}]),
            "node 0 (var): a variable takes no operands, got 1",
        ),
        (_doc([{"id": 0, "op": "const"}]), "node 0 (const) has no value"),
        (_doc([{"id": 0, "op": "const", "value": "abc"}]), "node 0 (const): the value 'abc' is not a number"),
        (
            _doc([{"id": 0, "op": "const", "value": None}]),
            "node 0 (const): the value must be a number, got NoneType",
        ),
        (
            _doc([{"id": 0, "op": "const", "value": True}]),
            "node 0 (const): the value must be a number, got bool",
        ),
        (
            _doc([{"id": 0, "op": "const", "value": 1, "args": [0]}]),
            "node 0 (const): a constant takes no operands",
        ),
        (_doc(GOOD_NODES, outputs=[]), "'outputs' must be a non-empty list of node ids, got []"),
        (_doc(GOOD_NODES, outputs=[7]), "output 7 is not a node of the document"),
        (_doc(GOOD_NODES, outputs=["2"]), "output '2' is not a node of the document"),
        (_doc(GOOD_NODES, single="yes"), "'single' must be true or false, got 'yes'"),
        (_doc(GOOD_NODES, outputs=[0, 2]), "'single' is true but there are 2 outputs"),
        (json.dumps({"format": "graphir", "version": 1, "nodes": GOOD_NODES}), "the document has no outputs"),
        (_doc(GOOD_NODES, outputs=2), "'outputs' must be a non-empty list of node ids, got 2"),
    ],
)
def test_malformed_documents_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(gi.GraphError) as info:
        from_json(text)
    assert message in str(info.value)


def test_a_cycle_is_named() -> None:
    nodes = [
        {"id": 0, "op": "var", "name": "x"},
        {"id": 1, "op": "add", "args": [0, 3]},
        {"id": 2, "op": "sin", "args": [1]},
        {"id": 3, "op": "cos", "args": [2]},
        {"id": 4, "op": "exp", "args": [3]},
    ]
    with pytest.raises(gi.GraphError, match=r"the graph has a cycle: ") as info:
        from_json(_doc(nodes, outputs=[4]))
    cycle = str(info.value).split(": ", 1)[1].split(" -> ")
    assert cycle[0] == cycle[-1]
    assert sorted(set(cycle)) == ["1", "2", "3"]


def test_a_node_that_is_its_own_operand_is_a_cycle() -> None:
    nodes = [{"id": 0, "op": "var", "name": "x"}, {"id": 5, "op": "mul", "args": [0, 5]}]
    with pytest.raises(gi.GraphError, match=r"the graph has a cycle: 5 -> 5"):
        from_json(_doc(nodes, outputs=[5]))


def test_to_json_of_nothing() -> None:
    with pytest.raises(gi.GraphError, match="no expressions"):
        to_json([])


def test_every_primitive_round_trips() -> None:
    for name, fn in FUNCTIONS.items():
        p = gi.PRIMITIVES[name]
        e = fn(*(X, Y)[: p.arity])
        assert from_json(to_json(e)) == e, name


# ------------------------------------------------------------ issue 8: hostile documents

_DOC_HEAD = '{"format": "graphir", "version": 1, '


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [10**4, 10**5])
@pytest.mark.parametrize(
    "template",
    [
        _DOC_HEAD + '"nodes": N, "outputs": [0]}',
        _DOC_HEAD + '"nodes": [{"id": 0, "op": "var", "name": N}], "outputs": [0]}',
        _DOC_HEAD + '"nodes": [{"id": 0, "op": "const", "value": N}], "outputs": [0]}',
        _DOC_HEAD + '"nodes": [{"id": 0, "op": "sin", "args": N}], "outputs": [0]}',
        _DOC_HEAD + '"nodes": [{"id": N, "op": "var", "name": "x"}], "outputs": [0]}',
        _DOC_HEAD + '"nodes": [], "outputs": N}',
        _DOC_HEAD + '"extra": N, "nodes": [], "outputs": [0]}',
        "N",
    ],
)
def test_deeply_nested_json_is_a_graph_error(depth: int, template: str) -> None:
    """Nesting 10^4 or 10^5 deep, in any field, is refused before the json module
    recurses into it (it raised RecursionError)."""
    text = template.replace("N", _nested(depth))
    for doc in (text, text.encode()):
        with pytest.raises(gi.GraphError, match=r"nests arrays and objects \d+ deep") as info:
            from_json(doc)
        assert int(str(info.value).split()[6]) >= depth


def test_nesting_counts_only_brackets_outside_strings() -> None:
    from graphir.bridges.json_io import MAX_NESTING

    deep_name = '"' + "[" * 10**4 + '\\"{' * 10 + '"'
    text = _DOC_HEAD + f'"nodes": [{{"id": 0, "op": "var", "name": {deep_name}}}], "outputs": [0]}}'
    with pytest.raises(gi.GraphError, match="is not a valid variable name"):
        from_json(text)  # read, then refused for its name, not for brackets inside a string
    objects = "{" + '"a": {' * (MAX_NESTING - 1) + "}" * MAX_NESTING
    with pytest.raises(gi.GraphError, match="format is None"):
        from_json(objects)  # exactly at the limit: decoded, then refused as no graphir document
    with pytest.raises(gi.GraphError, match=f"{MAX_NESTING + 1} deep"):
        from_json("[" + objects + "]")
    for unterminated in ('"' + '\\"' * 10**5, '["\\' + "[" * 10**5):
        with pytest.raises(gi.GraphError):
            from_json(unterminated)


@pytest.mark.parametrize(
    "name",
    ["1x", "x-y", "x y", "ｘ", "θ", "sin", "ln", "max", "pi", "e", "inf", "nan", "lambda", "__x", "x\n"],
)
def test_a_variable_name_text_cannot_read_back_is_refused(name: str) -> None:
    """from_json accepted "1x"; grad, to_dot, render and explain then raised TypeError."""
    with pytest.raises(gi.GraphError, match="is not a valid variable name"):
        from_json(_doc([{"id": 0, "op": "var", "name": name}], outputs=[0]))


def test_names_that_load_print_and_parse_back() -> None:
    x = from_json(_doc([{"id": 0, "op": "var", "name": "x_1"}], outputs=[0]))
    assert gi.parse(str(gi.sin(x))) == gi.sin(x)
