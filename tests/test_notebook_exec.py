"""A real notebook, executed by a real kernel: graphir's objects show by Jupyter's display protocol.

The notebook is built with nbformat, run with nbclient on an IPython kernel of this
very Python (a kernel spec written into a temporary ``JUPYTER_PATH``), and its saved
outputs are read back as Jupyter (and a static HTML export of the notebook) would
show them.  Skipped when nbclient, nbformat or ipykernel is missing (the ``dev``
extra installs them) or Graphviz is.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

pytestmark = pytest.mark.skipif(shutil.which("dot") is None or shutil.which("neato") is None,
                                reason="Graphviz is not installed")

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "graphir-test-python"

CELLS = {
    "expr": "import graphir as gi\nf = gi.parse('ln(x1) + x1*x2 - sin(x2)')\nat = {'x1': 2, 'x2': 5}\nf",
    "explain": "gi.explain(f, at)",
    "trace": "gi.trace_table(f, at)",
    "compare": "gi.compare(f, at)",
    "steps": "gi.steps(f, at)",
    "two": "from IPython.display import display\ndisplay(gi.steps(gi.parse('x*x'), {'x': 3}))\n"
           "display(gi.steps(f, at, mode='forward'))",
}


def kernel_spec(folder: Path) -> Path:
    """A kernel spec that starts an IPython kernel with this Python (the project's venv)."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "graphir test", "language": "python",
    }))
    return folder


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """The outputs of every cell, by cell name."""
    tmp = tmp_path_factory.mktemp("notebook")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"name": name}) for name, src in CELLS.items()]
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(kernel_spec(tmp / "jupyter")))
    try:
        client = nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=120,
                                         resources={"metadata": {"path": str(tmp)}})
        client.execute()
    finally:
        mp.undo()
    nbformat.write(nb, tmp / "executed.ipynb")
    return {c.metadata["name"]: c.outputs for c in nb.cells}


def data(outputs: list[dict[str, Any]]) -> dict[str, Any]:
    """The bundle of a cell's one displayed result."""
    shown = [o for o in outputs if o["output_type"] in ("execute_result", "display_data")]
    errors = [o for o in outputs if o["output_type"] == "error"]
    assert not errors, errors
    assert len(shown) == 1, outputs
    return shown[0]["data"]


def test_an_expression_shows_its_graph_as_svg(executed: dict[str, list[dict[str, Any]]]) -> None:
    bundle = data(executed["expr"])
    assert "image/svg+xml" in bundle and "<svg" in bundle["image/svg+xml"]
    assert "text/latex" in bundle


def test_an_explanation_shows_as_html_with_its_pictures(executed: dict[str, list[dict[str, Any]]]) -> None:
    bundle = data(executed["explain"])
    page = bundle["text/html"]
    assert page.count("<svg") == 2 and "data:image" not in page
    assert "<h2>The chain rule, edge by edge</h2>" in page and "1.7163378145367738" in page
    assert "text/markdown" in bundle and bundle["text/plain"].startswith("<Explanation reverse mode")


def test_a_trace_table_shows_as_html_and_latex(executed: dict[str, list[dict[str, Any]]]) -> None:
    bundle = data(executed["trace"])
    assert "<table" in bundle["text/html"] and "1.716" in bundle["text/html"]
    assert "\\begin{array}" in bundle["text/latex"] and "11.652" in bundle["text/latex"]
    assert "text/markdown" in bundle and "Evaluation trace" in bundle["text/plain"]


def test_a_comparison_shows_as_an_html_table(executed: dict[str, list[dict[str, Any]]]) -> None:
    bundle = data(executed["compare"])
    assert bundle["text/html"].startswith('<table class="graphir-compare">')
    assert "5.5" in bundle["text/html"] and "| method |" in bundle["text/markdown"]


def test_steps_show_the_stepper_with_its_script(executed: dict[str, list[dict[str, Any]]]) -> None:
    page = data(executed["steps"])["text/html"]
    assert page.startswith('<div class="graphir-stepper"') and page.count('<figure class="gs-frame">') == 15
    assert "<script>" in page and "document.currentScript" in page
    shown = [o for o in executed["two"] if o["output_type"] == "display_data"]
    assert len(shown) == 2 and all("text/html" in o["data"] for o in shown)
