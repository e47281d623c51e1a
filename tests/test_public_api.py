"""The façade ``graphir/__init__.py``: every public name resolves, and none hides a module.

``gi.render`` once shadowed the subpackage ``graphir.render``, so that
``import graphir.render.dot; graphir.render.dot`` raised AttributeError.  The
pictures now live in ``graphir.pictures`` and these tests keep any public name
from colliding with a module again.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import graphir as gi

ROOT = Path(__file__).resolve().parent.parent


def module_names() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(gi.__path__)}


def test_no_public_name_is_a_module_of_the_package() -> None:
    clashes = sorted(set(gi.__all__) & module_names())
    assert clashes == [], f"public names that shadow a module of graphir: {clashes}"


@pytest.mark.parametrize("name", sorted(gi.__all__))
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(gi, name) is not None
    assert name in dir(gi)


def test_module_paths_work_as_attribute_paths_after_any_import_order() -> None:
    code = (
        "import graphir as gi\n"
        "gi.render; gi.explain; gi.trace_table; gi.to_dot\n"
        "import graphir.pictures.dot, graphir.text.trace_table, graphir.text.worked\n"
        "assert callable(gi.render) and callable(gi.explain) and callable(gi.trace_table)\n"
        "assert graphir.pictures.dot.to_dot is gi.to_dot\n"
        "assert graphir.text.worked.explain is gi.explain\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


@pytest.mark.parametrize("module", sorted(module_names() - {"__main__"}))
def test_every_module_imports(module: str) -> None:
    importlib.import_module(f"graphir.{module}")


def test_every_lazy_name_is_public_and_typed() -> None:
    source = (ROOT / "graphir" / "__init__.py").read_text()
    block = source.split("if TYPE_CHECKING:", 1)[1].split("\n\n\n", 1)[0]
    for name in gi._LAZY:
        assert name in gi.__all__, name
        assert name in block, f"{name} is missing from the TYPE_CHECKING block"


def test_result_types_are_exported() -> None:
    x, y = gi.symbols("x y")
    f = x * y
    assert isinstance(gi.reverse_pass(f), gi.PassResult)
    assert all(isinstance(s, gi.Step) for s in gi.reverse_pass(f).steps)
    assert isinstance(gi.trace_table(f, {"x": 1, "y": 2}), gi.TraceTable)
    assert isinstance(gi.check_claims(f, {"x": "y"}), gi.ClaimReport)
    assert isinstance(gi.check_partials(f, {"x": 1.0, "y": 2.0}), gi.PartialsReport)


def test_validate_takes_an_expression_or_a_graph() -> None:
    x, = gi.symbols("x,")
    gi.validate(gi.sin(x))
    gi.validate(gi.sin(x).ir)
    with pytest.raises(TypeError, match="expression or a graph"):
        gi.validate("sin(x)")
    g = gi.sin(x).ir
    good, g.args[-1] = g.args[-1], (99,)
    try:
        with pytest.raises(gi.GraphError, match="does not exist"):
            gi.validate(g)
    finally:
        g.args[-1] = good  # the suite validates every graph a test built when it ends
