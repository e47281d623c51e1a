"""Imports inside graphir flow down the layers of docs/design.md (its layer table), and the core stays light.

A module may import (at module level) only modules of its own layer or of layers
above it.  Subpackages count by their top folder (``passes/forward.py`` is layer
``passes``); ``__init__.py`` and ``__main__.py`` are exempt, and so are imports
inside functions (lazy imports are how the core reaches the edges) and imports
under ``if TYPE_CHECKING:`` (they never run).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "graphir"
LAYERS = [
    "errors", "files", "shapes", "primitives", "ir", "traversal", "build", "arrays", "arguments", "printing",
    "parser", "passes", "derivatives", "bridges", "numeric", "text", "pictures", "cli",
    "embed", "mkdocs", "sphinxext",
]
RANK = {name: k for k, name in enumerate(LAYERS)}


def layer_of(module: str) -> str | None:
    """Layer of a dotted module name inside graphir (``graphir.passes.forward`` -> ``passes``)."""
    parts = module.split(".")
    if parts[0] != "graphir" or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Import statements that run when the module is imported (not in functions or classes'
    methods, not under ``if TYPE_CHECKING``)."""
    found = []
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        elif isinstance(node, ast.If) and is_type_checking(node.test):
            stack.extend(node.orelse)
        elif isinstance(node, ast.stmt):
            stack.extend(ast.iter_child_nodes(node))
    return found


def imported_modules(path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """Dotted graphir modules an import statement loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    if node.level:
        base = package[: len(package) - (node.level - 1)]
        if node.module:
            base = base + node.module.split(".")
    else:
        base = node.module.split(".") if node.module else []
    base_name = ".".join(base)
    if base_name in ("graphir",):
        # "from . import primitives": each name is a submodule
        return [f"graphir.{a.name}" for a in node.names]
    return [base_name]


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name not in ("__init__.py", "__main__.py"))


def test_the_resolver_on_known_cases():
    tree = ast.parse("from .. import primitives\nfrom ..build import Expr\nfrom .chain import x\n")
    path = PACKAGE / "passes" / "forward.py"
    mods = [m for n in module_level_imports(tree) for m in imported_modules(path, n)]
    assert sorted(mods) == ["graphir.build", "graphir.passes.chain", "graphir.primitives"]
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .cli import x\n"
        "def f():\n    from .pictures import y\n"
        "try:\n    from .numeric import z\nexcept ImportError:\n    pass\n"
    )
    path = PACKAGE / "build.py"
    mods = [m for n in module_level_imports(tree) for m in imported_modules(path, n)]
    assert sorted(mods) == ["graphir.numeric", "typing"]


def test_every_module_has_a_layer():
    for path in source_files():
        layer = layer_of(module_name(path))
        assert layer in RANK, f"{path.relative_to(PACKAGE)} is in no layer of {LAYERS}"


def violations(path: Path, text: str) -> list[str]:
    own = layer_of(module_name(path))
    assert own in RANK
    tree = ast.parse(text, filename=str(path))
    bad = []
    for node in module_level_imports(tree):
        for mod in imported_modules(path, node):
            layer = layer_of(mod)
            if layer is None:
                continue
            if layer not in RANK:
                bad.append(f"line {node.lineno}: {mod} is in no layer")
            elif RANK[layer] > RANK[own]:
                bad.append(f"line {node.lineno}: {own} imports {mod} (layer {layer}, below it)")
    return bad


def test_a_violation_is_found():
    ir = PACKAGE / "ir.py"
    assert violations(ir, "from .pictures.dot import to_dot\n") == [
        "line 1: ir imports graphir.pictures.dot (layer pictures, below it)"
    ]
    assert violations(ir, "import graphir.passes.evaluate\n") != []
    assert violations(ir, "from . import build\n") != []
    assert violations(ir, "from . import primitives\nfrom .errors import GraphError\n") == []
    assert violations(PACKAGE / "passes" / "x.py", "from .chain import y\nfrom ..ir import Graph\n") == []
    assert violations(ir, "def f():\n    from .pictures import dot\n") == []


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_down_the_layers(path):
    bad = violations(path, path.read_text())
    assert not bad, f"{path.relative_to(PACKAGE)}: " + "; ".join(bad)


def test_import_graphir_loads_neither_sympy_nor_graphviz():
    code = (
        "import sys, graphir as gi\n"
        "x, y = gi.symbols('x y')\n"
        "f = gi.log(x) + x*y - gi.sin(y)\n"
        "f.eval(x=2, y=5); gi.lambdify(f, [x, y]); str(f); gi.parse('x + 1')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'graphviz', 'matplotlib'))\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent, check=True
    )
    assert out.stdout.strip() == "", f"the core imported: {out.stdout.strip()}"


def test_traversal_needs_ir_only_for_type_hints():
    # ir.Graph.copy_from imports traversal (lazily); the other way round would be a cycle.
    path = PACKAGE / "traversal.py"
    tree = ast.parse(path.read_text())
    mods = {m for n in module_level_imports(tree) for m in imported_modules(path, n)}
    assert "graphir.ir" not in mods
