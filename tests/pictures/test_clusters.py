"""Named groups (``expr.named("layer1.h")``) are drawn inside a Graphviz cluster."""

from __future__ import annotations

import re
import subprocess
import sys

import graphir as gi
from tests.pictures.render_helpers import needs_dot

AT = {"x": 1, "w1": 2, "w2": 3, "b1": 0, "b2": 1}


def _net() -> gi.Expr:
    x, w1, w2, b1, b2 = gi.symbols("x w1 w2 b1 b2")
    h1 = gi.tanh((w1 * x + b1).named("layer1.z")).named("layer1.h")
    return gi.sigmoid((w2 * h1 + b2).named("layer2.z")).named("layer2.h")


def _clusters(src: str) -> dict[str, list[str]]:
    """Cluster label -> the label heads (bold names) of the nodes inside it."""
    out = {}
    for body in re.findall(r"subgraph cluster_\d+ \{\n(.*?)\n  \}", src, flags=re.S):
        label = re.search(r"label=<<B>(.*?)</B>>", body).group(1)
        out[label] = re.findall(r"label=<<B>(.*?)</B> =", body)
    return out


def test_dotted_names_make_clusters():
    src = gi.to_dot(_net())
    assert _clusters(src) == {
        "layer1": ["v₁", "layer1.z", "layer1.h"],  # w1 × x is used only inside layer1: it joins
        "layer2": ["v₂", "layer2.z", "layer2.h"],
    }
    assert src.count("subgraph cluster_") == 2


def test_no_cluster_without_dotted_names():
    x, y = gi.symbols("x y")
    src = gi.to_dot(gi.sin((x + y).named("u")) * x)
    assert "subgraph" not in src


def test_a_node_shared_between_groups_stays_outside():
    x, y = gi.symbols("x y")
    s = x * y  # used by both groups
    f = (s + 1).named("a.p") * (s + 2).named("b.q")
    clusters = _clusters(gi.to_dot(f))
    assert clusters == {"a": ["a.p"], "b": ["b.q"]}


def test_clusters_are_deterministic():
    code = ("import graphir as gi; from tests.pictures.test_clusters import _net; "
            "print(gi.to_dot(_net()), end='')")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1 and gi.to_dot(_net()) in runs


@needs_dot
def test_step_frames_draw_the_clusters_where_the_layout_put_them(tmp_path):
    paths = gi.render(_net(), tmp_path / "s", at=AT, steps=True, format="svg")
    svg = (tmp_path / "s" / "frame_000.svg").read_text()
    assert svg.count('class="cluster"') == 2 and ">layer1<" in svg
    dots = gi.render(_net(), tmp_path / "d", at=AT, steps=True, format="dot")
    assert 'bb="' in dots[0].read_text()
    assert paths
