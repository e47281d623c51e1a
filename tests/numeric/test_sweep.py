"""step_sweep(): shapes, the expected V shapes, and a reproducible picture."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest

import graphir as gi
from graphir.numeric.finite_difference import METHODS


@pytest.fixture(scope="module")
def sin_sweep():
    x = gi.symbols("x")
    return gi.step_sweep(gi.sin(x), {"x": 1.0})


def test_steps_and_shapes(sin_sweep):
    s = sin_sweep
    assert s.steps.tolist() == [float(f"1e-{k}") for k in range(1, 17)]
    assert s.methods == list(METHODS)
    for m in METHODS:
        assert s.errors[m].shape == (1, 16)
        assert s.rel_errors[m].shape == (1, 16)
        assert s.estimates[m].shape == (1, 16)
    assert s.reference == "symbolic"
    assert s.reference_values[0] == pytest.approx(math.cos(1.0), rel=1e-15)
    np.testing.assert_allclose(s.errors["central"], np.abs(s.estimates["central"] - math.cos(1.0)),
                               atol=1e-16)  # cos(1.0) as a float is 4.8e-17 from the exact reference


def test_the_classic_v_shapes(sin_sweep):
    s = sin_sweep
    best = s.best_steps()
    assert 1e-9 <= best["forward"][0] <= 1e-7
    assert 1e-7 <= best["central"][0] <= 1e-4
    fwd = s.rel_errors["forward"][0]
    assert fwd[0] > 1e-3 and fwd[-1] > 1e-2 and fwd.min() < 1e-7  # truncation, round-off, bottom
    assert np.all(s.rel_errors["complex"][0, 7:] < 1e-15)  # h <= 1e-8: machine precision
    assert s.rel_errors["richardson"][0, 0] < 1e-12


def test_several_variables_and_text():
    s = gi.step_sweep("ln(x1) + x1*x2 - sin(x2)", {"x1": 2, "x2": 5}, methods=["central", "complex"])
    assert s.errors["central"].shape == (2, 16)
    assert list(s.errors) == ["central", "complex"]
    text = str(s)
    assert "d/dx1 = 5.5" in text and "d/dx2 = 1.71633781453677" in text
    data = json.loads(s.to_json())
    assert len(data["errors"]["complex"]) == 2 and len(data["errors"]["complex"][0]) == 16
    with pytest.raises(ValueError, match="unknown method"):
        gi.step_sweep("x", {"x": 1}, methods=["middle"])


def test_plot_png_and_svg_are_written_and_reproducible(sin_sweep, tmp_path):
    pytest.importorskip("matplotlib")
    png = sin_sweep.plot(tmp_path / "sweep.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg1 = sin_sweep.plot(tmp_path / "a.svg")
    x = gi.symbols("x")
    svg2 = gi.step_sweep(gi.sin(x), {"x": 1.0}).plot(tmp_path / "b.svg")
    data = svg1.read_bytes()
    assert data.startswith(b"<?xml") and b"<svg" in data
    assert data == svg2.read_bytes()
    assert b"<dc:date>" not in data
    png2 = gi.step_sweep(gi.sin(x), {"x": 1.0}).plot(tmp_path / "again.png")
    assert png.read_bytes() == png2.read_bytes()


def test_plot_errors(sin_sweep, tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(gi.RenderError, match="gif"):
        sin_sweep.plot(tmp_path / "x.gif")
    with pytest.raises(ValueError, match="not among"):
        sin_sweep.plot(tmp_path / "x.png", variables=["y"])


def test_plot_without_matplotlib_says_what_to_install(sin_sweep, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(gi.RenderError, match="matplotlib"):
        sin_sweep.plot(tmp_path / "x.png")
