"""The generated docs are what the code makes today.

``tools/regen_docs.py`` writes the outputs of the user guide (``docs/index.md``)
and the pictures its code draws (``docs/img/``).  Here it writes them again into a
temporary folder and every committed file is compared with its fresh copy:

* Markdown byte for byte, always (it is made by graphir alone);
* the pictures byte for byte when the Graphviz and Pillow versions are the ones
  recorded in ``docs/img/README.md`` (on this project's machine they are, and two
  runs give identical bytes; another Graphviz draws other bytes, so there only the
  text is compared).

The worked examples are not committed: the docs site computes them at build time
(``make docs``); here every example script has its page, and the pages' links resolve.

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
    same_tools = regen.read_versions(DOCS / regen.PICTURES_INDEX) == regen.tool_versions()
    return regen, root, same_tools


def test_guide_is_up_to_date(fresh):
    _, root, _ = fresh
    new = (root / "index.md").read_text(encoding="utf-8")
    old = (DOCS / "index.md").read_text(encoding="utf-8")
    assert new == old, f"the outputs in docs/index.md differ from a run of its code; {FIX}"


def test_pictures_index_is_up_to_date(fresh):
    regen, root, same_tools = fresh
    if not same_tools:
        pytest.skip(f"other Graphviz/Pillow than the ones that drew docs/ ({regen.tool_versions()})")
    new = (root / regen.PICTURES_INDEX).read_text(encoding="utf-8")
    assert new == (DOCS / regen.PICTURES_INDEX).read_text(encoding="utf-8"), FIX


def test_pictures_are_up_to_date(fresh):
    regen, root, same_tools = fresh
    if not same_tools:
        pytest.skip(f"other Graphviz/Pillow than the ones that drew docs/ ({regen.tool_versions()})")
    for rel in regen.GUIDE_PICTURES:
        assert (root / rel).read_bytes() == (DOCS / rel).read_bytes(), f"docs/{rel} differs; {FIX}"


def test_no_generated_example_folders():
    """The worked examples are built by the docs site, not committed (issue 12)."""
    assert not [p for p in (DOCS / "examples").iterdir() if p.is_dir()]


def test_every_example_script_has_its_page():
    regen = regen_module()
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        for script in regen.EXAMPLES:
            name = __import__(script).NAME
            page = (DOCS / "examples" / f"{name}.md").read_text(encoding="utf-8")
            assert f"import {script}" in page and "{graphir}" in page, f"docs/examples/{name}.md"
            gallery = (DOCS / "examples" / "index.md").read_text(encoding="utf-8")
            assert f"\n{name} | {script} | " in gallery, f"docs/examples/index.md: no thumbnail of {name}"
    finally:
        sys.path.remove(str(ROOT / "examples"))


def test_every_link_of_the_docs_exists():
    """Relative links and images in the committed Markdown point at committed files."""
    pages = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        targets = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r'src="([^"]+)"', text)
        for target in targets:
            if re.match(r"[a-z]+://|#|mailto:", target):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{page.relative_to(ROOT)} links to {target}, which does not exist"
