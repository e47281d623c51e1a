"""docs/design.md, the contributors' map, shows real behaviour: its examples run here.

The two recipes ("add a primitive", "write a pass") are followed step by step by
the doctest of the page, and the pass of the second recipe is run again on a
chain of 100,000 nodes, as the recipe's checklist asks of every pass.
"""

from __future__ import annotations

import doctest
import re
import sys
from pathlib import Path

import graphir as gi
from graphir.ir import validate

DOC = Path(__file__).resolve().parent.parent / "docs" / "design.md"


def test_the_design_page_runs() -> None:
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 20
    assert result.failed == 0
    assert "cube" not in gi.PRIMITIVES  # the recipe cleans up after itself


def recipe_namespace() -> dict:
    """Run the "write a pass" recipe's code and return what it defines."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Recipe: write a pass", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    examples = doctest.DocTestParser().get_examples(block)
    ns: dict = {}
    for ex in examples:
        if "def substitute" in ex.source or ex.source.startswith(("from ", "import ")):
            exec(compile(ex.source, str(DOC), "exec"), ns)  # project text, as a doctest runs it
    return ns


def test_the_recipe_pass_handles_a_long_chain_without_recursion() -> None:
    substitute = recipe_namespace()["substitute"]
    x, y = gi.symbols("x y")
    e = x
    for _ in range(100_000):
        e = gi.sin(e)
    limit = sys.getrecursionlimit()
    s = substitute(e, {x: y * 2})
    assert sys.getrecursionlimit() == limit
    assert s.num_nodes == e.num_nodes + 2  # y, 2 and y*2 replace x
    validate(s.ir)
    assert s.eval(y=0.25) == e.eval(x=0.5)


def test_the_recipe_pass_only_appends() -> None:
    substitute = recipe_namespace()["substitute"]
    x, y = gi.symbols("x y")
    f = gi.sin(x) * x
    table = (list(f.ir.ops), list(f.ir.args), list(f.ir.params))
    s = substitute(f, {"x": y + 1})
    n = len(table[0])
    assert (f.ir.ops[:n], f.ir.args[:n], f.ir.params[:n]) == table  # existing nodes untouched
    validate(s.ir)
    assert f.eval(x=3.0) == s.eval(y=2.0) == 3.0 * float(gi.sin(x).eval(x=3.0))
