"""Sum over paths (graphir.text.paths): counts, sums and the listed paths, iteratively."""

from __future__ import annotations

import sys

import graphir as gi
from graphir.text.paths import MAX_PATHS, path_sum, simple_paths


def test_counts_and_sums_all_paths_but_lists_at_most_the_limit():
    # Each level doubles the paths: x -> (e + e) -> ...: 2**12 paths, every partial 1.
    x = gi.symbols("x")
    e = x
    for _ in range(12):
        e = e + e
    ps = path_sum(e.ir, e.node, "x", lambda node, slot: 1.0)
    assert ps.count == 4096 and ps.total == 4096.0
    assert len(ps.paths) == MAX_PATHS
    assert len(set(p.edges for p in ps.paths)) == MAX_PATHS


def test_operand_slots_are_separate_edges_and_products_multiply():
    x, y = gi.symbols("x y")
    f = x * x * y
    ps = path_sum(f.ir, f.node, "x", lambda node, slot: 2.0 if slot == 0 else 3.0)
    assert ps.count == 2
    assert sorted(p.product for p in ps.paths) == [4.0, 6.0]  # 2·2 and 3·2
    assert ps.total == 10.0
    assert path_sum(f.ir, f.node, "y", lambda node, slot: 1.0).count == 1


def test_input_that_is_the_output_and_absent_input():
    x = gi.symbols("x")
    ps = path_sum(x.ir, x.node, "x", lambda node, slot: 0.0)
    assert (ps.count, ps.total, [p.edges for p in ps.paths]) == (1, 1.0, [()])
    absent = path_sum(x.ir, x.node, "z", lambda node, slot: 0.0)
    assert (absent.node, absent.count, absent.paths) == (None, 0, ())


def test_deep_chain_needs_no_recursion():
    limit = sys.getrecursionlimit()
    x = gi.symbols("x")
    e = x
    for _ in range(5000):
        e = gi.sin(e)
    (path,) = simple_paths(e.ir, x.node, e.node, set(range(len(e.ir.ops))), 3)
    assert len(path) == 5000
    assert path_sum(e.ir, e.node, "x", lambda node, slot: 1.0).count == 1
    assert sys.getrecursionlimit() == limit
