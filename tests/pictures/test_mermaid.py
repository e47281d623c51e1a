"""gi.to_mermaid: a Mermaid flowchart with the picture's labels (issue 12)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import graphir as gi
from graphir.pictures.mermaid import mermaid_text

BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
ARROW = re.compile(r"^    n(\d+) (-->|-\.->)(\|\"[^\n]*\"\|)? n(\d+)$", re.M)


def arrows(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(4)) for m in ARROW.finditer(text)]


def test_one_arrow_per_operand_slot() -> None:
    x, = gi.symbols("x,")
    text = gi.to_mermaid(x * x + gi.sin(x))
    # x*x: two arrows x -> x*x; sin(x): one; x*x + sin(x): two
    assert sorted(arrows(text)) == [("0", "1"), ("0", "1"), ("0", "2"), ("1", "3"), ("2", "3")]
    assert text.startswith("flowchart LR\n")
    assert gi.to_mermaid(x * x, rankdir="TB").startswith("flowchart TB\n")


def test_constants_get_dotted_arrows_and_compact_drops_them() -> None:
    x, = gi.symbols("x,")
    text = gi.to_mermaid(x * x + 2)
    assert re.search(r'^    n1\["2"\]:::const$', text, re.M)
    assert "    n1 -.-> n3" in text
    assert ":::const" not in gi.to_mermaid(x * x + 2, compact=True)


def test_labels_carry_values_partials_and_adjoints() -> None:
    text = gi.to_mermaid(gi.parse(BAYDIN), at={"x1": 2, "x2": 5}, mode="reverse")
    nodes = dict(re.findall(r"^    n(\d+)\S*?\"(.*)\"\S*:::\w+$", text, re.M))
    assert nodes["0"] == "v₋₁<br/>x1 = 2<br/>v̄₋₁ = 5.5"
    assert nodes["1"] == "v₀<br/>x2 = 5<br/>v̄₀ = 1.716"
    assert nodes["6"] == "v₅ = v₄ − v₃<br/>= 11.652<br/>v̄₅ = 1"
    assert '    n1 -->|"∂v₃/∂v₀ = cos v₀ = 0.284<br/>-1 · 0.284 = -0.284"| n4' in text
    assert "classDef var fill:#d6eaf8,stroke:#0072b2" in text
    assert "accTitle: the computation graph of f = log(x1) + x1*x2 - sin(x2) at x1 = 2, x2 = 5" in text
    forward = gi.to_mermaid(gi.parse(BAYDIN), at={"x1": 2, "x2": 5}, mode="forward", wrt="x1")
    assert "v̇₅ = 5.5" in forward


def test_names_with_quotes_and_brackets_are_escaped() -> None:
    x, = gi.symbols("x,")
    name = 'a "q" [b] #1 <c> & d%'
    text = gi.to_mermaid(gi.sin(x).named(name) + 2, name='L "x"')
    assert mermaid_text(name) == "a #quot;q#quot; [b] #35;1 #lt;c#gt; #amp; d%"
    assert f'("{mermaid_text(name)} = sin v₀")' in text
    for line in text.splitlines()[2:]:  # every label is one quoted string without a bare quote
        quoted = re.findall(r'"([^"]*)"', line.replace("<br/>", " "))
        assert all(not set(q) & set('"<>&') for q in quoted), line
        assert line.count('"') % 2 == 0, line
    assert 'accTitle: the computation graph of L "x" = ' in text  # a title line is text, not a label


def test_deterministic_across_processes() -> None:
    code = ("import graphir as gi; print(gi.to_mermaid(gi.parse('ln(x1) + x1*x2 - sin(x2)'), "
            "at={'x1': 2, 'x2': 5}, mode='reverse'), end='')")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1
    assert runs.pop() == gi.to_mermaid(gi.parse(BAYDIN), at={"x1": 2, "x2": 5}, mode="reverse")


def test_bad_arguments_are_clear() -> None:
    with pytest.raises(gi.ArgumentError, match="rankdir"):
        gi.to_mermaid(gi.parse("x"), rankdir="RL")
