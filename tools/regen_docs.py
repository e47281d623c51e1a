"""Regenerate the generated parts of docs/: the outputs in the guide and its pictures.

* ``docs/index.md``: the user guide.  Its ```` ```python ```` blocks run in
  order in one namespace, with the current folder set to the docs root
  (pictures they draw land in ``img/``); a ```` ```text ```` (or ```` ```mermaid ````)
  block right after a Python block is replaced by what that block printed.  A block whose info
  string is ``python norun`` is shown, not run.
* ``docs/img/README.md``: which pictures those are, and the Graphviz and Pillow
  versions that drew them (their bytes depend on them; the tests compare bytes only
  under the same versions).

The worked examples (``docs/examples/*.md``) are not generated here: the docs site
computes them at build time with graphir's own directive (``make docs``).

The guide is project text, not user input: running its code is what a doctest does.

Usage::

    python tools/regen_docs.py             # rewrite docs/index.md and docs/img/
    python tools/regen_docs.py --root DIR  # write everything into DIR instead (tests compare)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDE = "index.md"
PICTURES_INDEX = "img/README.md"

#: The example scripts, in gallery order: each has a page docs/examples/<its NAME>.md built by the
#: graphir directive (``import <script>; <script>.build()``); tests check every one has its page.
EXAMPLES = [
    "square_sum", "baydin_worked", "olah", "linear_regression", "logistic_regression", "mazur",
    "softmax_classifier",
]

#: Pictures the guide's code draws (relative to the docs root); the up-to-date test compares them.
GUIDE_PICTURES = ["img/baydin_graph.svg", "img/baydin_reverse.svg", "img/baydin_forward.svg"]

_FENCE = re.compile(r"^```(\S*)[ \t]*(\S*)[ \t]*$")


def tool_versions() -> dict[str, str]:
    """Versions of the programs that draw the pictures: ``{"Graphviz": "2.43.0", "Pillow": "13.0.0"}``.

    PNG, GIF and SVG bytes depend on them; Markdown does not.
    """
    versions = {"Graphviz": "missing", "Pillow": "missing"}
    dot = shutil.which("dot")
    if dot:
        out = subprocess.run([dot, "-V"], capture_output=True, text=True, check=False)
        m = re.search(r"version\s+(\S+)", out.stderr + out.stdout)
        versions["Graphviz"] = m.group(1) if m else "unknown"
    try:
        import PIL

        versions["Pillow"] = PIL.__version__
    except ImportError:
        pass
    return versions


def read_versions(index: Path) -> dict[str, str]:
    """The versions recorded in a generated ``img/README.md`` (empty when there is none)."""
    if not index.exists():
        return {}
    return dict(re.findall(r"(Graphviz|Pillow) (\w[\w.+-]*\w|missing)", index.read_text(encoding="utf-8")))


def pictures_index() -> str:
    """``img/README.md``: which pictures the guide's code draws, and the versions that drew them."""
    v = tool_versions()
    lines = [
        "# Pictures of the guide",
        "",
        "Drawn by the code in `docs/index.md`, run by `python tools/regen_docs.py`:",
        "",
        *(f"- `{p.removeprefix('img/')}`" for p in GUIDE_PICTURES),
        "",
        "`step_sweep.png` is drawn by `python examples/step_sweep.py`.",
        "Do not edit them by hand: `tests/test_docs_uptodate.py` draws them again and fails",
        "when they differ.",
        "",
        f"Pictures drawn with Graphviz {v['Graphviz']}, animations with Pillow {v['Pillow']}.",
        "",
    ]
    return "\n".join(lines)


def blocks(text: str) -> list[tuple[int, int, str, str]]:
    """Fenced blocks of a Markdown text: ``(first line, line after the fence, language, flag)``.

    Line numbers index ``text.splitlines()``; the block's body is between them.
    """
    lines = text.splitlines()
    found = []
    k = 0
    while k < len(lines):
        m = _FENCE.match(lines[k])
        if m and m.group(1):
            end = k + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            found.append((k, end, m.group(1), m.group(2)))
            k = end + 1
        else:
            k += 1
    return found


def run_guide(text: str, cwd: Path) -> str:
    """``text`` with each output block replaced by what the Python block before it prints."""
    if str(ROOT) not in sys.path:  # the guide imports graphir from this checkout
        sys.path.insert(0, str(ROOT))
    lines = text.splitlines()
    namespace: dict[str, object] = {"__name__": "__guide__"}
    found = blocks(text)
    replace: dict[int, tuple[int, list[str]]] = {}
    old = Path.cwd()
    cwd.mkdir(parents=True, exist_ok=True)
    os.chdir(cwd)
    try:
        for n, (start, end, lang, flag) in enumerate(found):
            if lang != "python" or flag == "norun":
                continue
            code = "\n".join(lines[start + 1 : end]) + "\n"
            out = io.StringIO()
            with contextlib.redirect_stdout(out), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(code, f"{GUIDE}:{start + 2}", "exec"), namespace)
            following = found[n + 1] if n + 1 < len(found) else None
            if following and following[2] in ("text", "mermaid") and not any(
                ln.strip() for ln in lines[end + 1 : following[0]]
            ):
                printed = [ln.rstrip() for ln in out.getvalue().rstrip("\n").splitlines()]
                replace[following[0]] = (following[1], printed)
    finally:
        os.chdir(old)
    result: list[str] = []
    k = 0
    while k < len(lines):
        if k in replace:
            end, printed = replace[k]
            result += [lines[k], *printed, lines[end]]
            k = end + 1
        else:
            result.append(lines[k])
            k += 1
    return "\n".join(result) + "\n"


def regenerate(root: Path = DOCS) -> list[Path]:
    """Regenerate the guide and its pictures into ``root``; return the files written."""
    root = Path(root)
    if str(ROOT) not in sys.path:  # graphir from this checkout
        sys.path.insert(0, str(ROOT))
    from graphir.files import write_file

    source = (DOCS / GUIDE).read_text(encoding="utf-8")
    target = root / GUIDE
    write_file(target, run_guide(source, root))
    index = root / PICTURES_INDEX
    write_file(index, pictures_index())
    return [target, index, *(root / p for p in GUIDE_PICTURES)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DOCS, help="write here instead of docs/")
    args = parser.parse_args(argv)
    written = regenerate(args.root)
    print(f"wrote {len(written)} files under {args.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
