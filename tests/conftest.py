"""Settings every test shares: hypothesis profiles, and graph validation after each test.

Hypothesis profiles (choose with ``HYPOTHESIS_PROFILE=dev`` or ``pytest --hypothesis-profile=dev``):

* ``ci`` (the default, what ``make test`` and CI run): derandomized, so every run draws the
  same examples and a red suite means a real regression;
* ``dev``: random examples and the example database, to explore (``make test
  HYPOTHESIS_PROFILE=dev``); a failure prints the blob that reproduces it;
* ``fuzz`` (``make fuzz``): random examples, no database, and the large example budgets of
  the fuzz tests in tests/fuzz/ (about 10^5 inputs per surface, see tests/fuzz/common.py).

Every test that builds expressions gets their graphs checked by :func:`graphir.ir.validate`
when it ends (the fixture :func:`validate_touched_graphs`): passes only append well-formed,
interned nodes.  A graph is validated again only when it has grown since its last check.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Iterator

import pytest
from hypothesis import settings

from graphir import primitives
from graphir.build import Expr
from graphir.ir import Graph, validate

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True, database=None)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile("fuzz", deadline=None, print_blob=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Graph -> its length when it was last validated (graphs are append-only).
_VALIDATED: weakref.WeakKeyDictionary[Graph, int] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def graphs_validated_on_exit() -> Iterator[None]:
    """Validate, on leaving the block, the graph of every expression created inside it."""
    touched: dict[int, Graph] = {}  # id -> graph, kept alive until the block ends
    init = Expr.__init__

    def tracking_init(self: Expr, graph: Graph, node: int) -> None:
        init(self, graph, node)
        touched[id(graph)] = graph

    Expr.__init__ = tracking_init  # type: ignore[method-assign]
    try:
        yield
    finally:
        Expr.__init__ = init  # type: ignore[method-assign]
    known = {*primitives.LEAF_OPS, *primitives.PRIMITIVES}
    for graph in touched.values():
        if _VALIDATED.get(graph) == len(graph) or not known.issuperset(graph.ops):
            continue  # checked already, or it uses a primitive the test registered and removed
        validate(graph)
        _VALIDATED[graph] = len(graph)


@pytest.fixture(autouse=True)
def validate_touched_graphs() -> Iterator[None]:
    """Every test: validate the graphs of the expressions it created, when it ends."""
    with graphs_validated_on_exit():
        yield
