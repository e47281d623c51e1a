"""docs/numerics.md shows real outputs: run its examples as a doctest."""

from __future__ import annotations

import doctest
import pathlib

import graphir as gi

DOC = pathlib.Path(__file__).resolve().parent.parent.parent / "docs" / "numerics.md"


def test_docs_numerics_examples_run():
    try:
        result = doctest.testfile(
            str(DOC), module_relative=False,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        )
    finally:
        gi.PRIMITIVES.pop("cube", None)  # the page registers one; never leak it into other tests
    assert result.attempted > 25
    assert result.failed == 0


def test_docs_numerics_picture_exists():
    picture = DOC.parent / "img" / "step_sweep.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
