"""The numeric reports share one Report mixin: JSON from to_dict, IPython text from str()."""

from __future__ import annotations

import json

import pytest

import graphir as gi
from graphir.numeric.check import ClaimReport
from graphir.numeric.compare import Comparison
from graphir.numeric.gradcheck import PartialsReport
from graphir.numeric.report import Report
from graphir.numeric.sweep import StepSweep


@pytest.mark.parametrize("cls", [ClaimReport, PartialsReport, Comparison, StepSweep])
def test_every_report_uses_the_mixin(cls):
    assert issubclass(cls, Report)
    assert "to_json" not in vars(cls) and "_repr_pretty_" not in vars(cls)


def test_to_json_and_pretty_text():
    x, y = gi.symbols("x y")
    c = gi.compare(x * y, {"x": 2, "y": 3})
    assert json.loads(c.to_json()) == json.loads(json.dumps(c.to_dict()))
    assert c.to_json().startswith('{\n  "')

    class Printer:
        text_written = ""

        def text(self, s: str) -> None:
            self.text_written += s

    p = Printer()
    c._repr_pretty_(p, False)
    assert p.text_written == str(c)


def test_non_finite_numbers_are_refused():
    class Bad(Report):
        def to_dict(self):
            return {"v": float("nan")}

    with pytest.raises(ValueError):
        Bad().to_json()
