"""The generated docs are what the code makes today.

``tools/regen_docs.py`` writes the worked examples (``docs/examples/``) and the
outputs of the user guide (``docs/index.md``).  Here it writes them again into a
temporary folder and every committed file is compared with its fresh copy:

* Markdown byte for byte, always (it is made by graphir alone);
* SVG, HTML, PNG and GIF byte for byte when the Graphviz and Pillow versions are
  the ones recorded in ``docs/examples/README.md`` (on this project's machine they
  are, and two runs give identical bytes; another Graphviz draws other bytes,
  so there only the text is compared).

After a deliberate change, run ``python tools/regen_docs.py`` and commit the result.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FIX = "the docs are stale: run `python tools/regen_docs.py` and commit docs/"

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None or shutil.which("neato") is None, reason="Graphviz is not installed"
)


def regen_module():
    spec = importlib.util.spec_from_file_location("regen_docs", ROOT / "tools" / "regen_docs.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules.setdefault("regen_docs", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    regen = regen_module()
    root = tmp_path_factory.mktemp("docs")
    regen.regenerate(root)
    same_tools = regen.read_versions(DOCS / "examples" / "README.md") == regen.tool_versions()
    return regen, root, same_tools


def files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}


def test_the_same_files(fresh):
    pytest.importorskip("PIL", reason="without Pillow the worked examples have no steps.gif")
    _, root, _ = fresh
    assert files(DOCS / "examples") == files(root / "examples"), FIX


def test_markdown_is_up_to_date(fresh):
    _, root, same_tools = fresh
    for rel in sorted(files(root / "examples")):
        if rel.suffix != ".md" or (rel == Path("README.md") and not same_tools):
            continue  # the index records the tool versions
        new = (root / "examples" / rel).read_text(encoding="utf-8")
        old = (DOCS / "examples" / rel).read_text(encoding="utf-8")
        assert new == old, f"docs/examples/{rel} differs; {FIX}"


def test_guide_is_up_to_date(fresh):
    _, root, _ = fresh
    new = (root / "index.md").read_text(encoding="utf-8")
    old = (DOCS / "index.md").read_text(encoding="utf-8")
    assert new == old, f"the outputs in docs/index.md differ from a run of its code; {FIX}"


def test_pictures_are_up_to_date(fresh):
    regen, root, same_tools = fresh
    if not same_tools:
        pytest.skip(f"other Graphviz/Pillow than the ones that drew docs/ ({regen.tool_versions()})")
    rels = [Path("examples") / r for r in files(root / "examples") if r.suffix != ".md"]
    rels += [Path(p) for p in regen.GUIDE_PICTURES]
    assert any(r.suffix == ".gif" for r in rels) and any(r.suffix == ".png" for r in rels)
    for rel in sorted(rels):
        assert (root / rel).read_bytes() == (DOCS / rel).read_bytes(), f"docs/{rel} differs; {FIX}"


def test_every_link_of_the_docs_exists(fresh):
    """Relative links and images in the committed Markdown point at committed files."""
    pages = [DOCS / "index.md", *sorted((DOCS / "examples").rglob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        targets = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r'src="([^"]+)"', text)
        for target in targets:
            if re.match(r"[a-z]+://|#", target):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            if path.name in ("numerics.md", "step_sweep.png") and not path.exists():
                continue  # written by the numerics pages' own script
            assert path.exists(), f"{page.relative_to(ROOT)} links to {target}, which does not exist"
