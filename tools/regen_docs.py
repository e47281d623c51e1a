"""Regenerate the generated parts of docs/: the worked examples and the outputs in the guide.

* ``docs/examples/<name>/``: one folder per example script in ``examples/``
  (``README.md``, pictures, step-by-step frames, GIF, HTML stepper), each
  written by the script's ``write(folder)`` (see ``examples/_worked.py``)
  under graphir's rule for folders (``graphir/files.py``): each folder keeps a
  manifest of the files graphir wrote, a new run removes the stale ones among
  them (frames of a longer example) and never a file it did not write.
* ``docs/index.md``: the user guide.  Its ```` ```python ```` blocks run in
  order in one namespace, with the current folder set to the docs root
  (pictures they draw land in ``img/``); a ```` ```text ```` (or ```` ```mermaid ````)
  block right after a Python block is replaced by what that block printed.  A block whose info
  string is ``python norun`` is shown, not run.

The guide is project text, not user input: running its code is what a doctest does.

Usage::

    python tools/regen_docs.py             # rewrite docs/examples/ and docs/index.md
    python tools/regen_docs.py --root DIR  # write everything into DIR instead (tests compare)
    python tools/regen_docs.py --only baydin_worked olah   # some examples, not the guide
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES_DIR = ROOT / "examples"
GUIDE = "index.md"

#: The example scripts whose worked examples live in docs/examples/, in gallery order.
EXAMPLES = [
    "square_sum", "baydin_worked", "olah", "linear_regression", "logistic_regression", "mazur",
    "softmax_classifier",
]

#: Pictures the guide's code draws (relative to the docs root); the up-to-date test compares them.
GUIDE_PICTURES = ["img/baydin_graph.svg", "img/baydin_reverse.svg", "img/baydin_forward.svg"]

_FENCE = re.compile(r"^```(\S*)[ \t]*(\S*)[ \t]*$")


def example_module(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` (the examples folder goes on ``sys.path``)."""
    for path in (str(EXAMPLES_DIR), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    return importlib.import_module(name)


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
    """The versions recorded in a generated ``examples/README.md`` (empty when there is none)."""
    if not index.exists():
        return {}
    return dict(re.findall(r"(Graphviz|Pillow) (\w[\w.+-]*\w|missing)", index.read_text(encoding="utf-8")))


def examples_index(names: list[tuple[str, str, str]]) -> str:
    """``examples/README.md``: what the folders are, and the versions that drew them."""
    v = tool_versions()
    lines = [
        "# Worked examples",
        "",
        "Each folder is written by a script in [`examples/`](../../examples) through",
        "`gi.explain(...).save()`; `python tools/regen_docs.py` writes them all again.",
        "Do not edit them by hand: `tests/test_docs_uptodate.py` regenerates them and fails",
        "when they differ.",
        "",
        "| folder | script | title |",
        "|:--|:--|:--|",
    ]
    for folder, script, title in names:
        lines.append(f"| [{folder}/]({folder}/README.md) | `examples/{script}.py` | {title} |")
    lines += ["", f"Pictures drawn with Graphviz {v['Graphviz']}, animations with Pillow {v['Pillow']}.", ""]
    return "\n".join(lines)


def regenerate_examples(root: Path, only: list[str] | None = None) -> list[Path]:
    """Write the worked examples into ``root/examples/<NAME>/`` (their stale files removed), and
    ``root/examples/README.md`` listing them when all are written."""
    written: list[Path] = []
    names = []
    for name in only or EXAMPLES:
        module = example_module(name)
        folder = root / "examples" / module.NAME
        written += module.write(folder)
        title = (folder / "README.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
        names.append((module.NAME, name, title))
    if not only:
        index = root / "examples" / "README.md"
        from graphir.files import write_file  # importable now: example_module put ROOT on sys.path

        write_file(index, examples_index(names))
        written.append(index)
    return written


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


def regenerate(root: Path = DOCS, only: list[str] | None = None, guide: bool = True) -> list[Path]:
    """Regenerate the examples and (``guide=True``) the guide into ``root``; return the files written."""
    root = Path(root)
    written = regenerate_examples(root, only)
    from graphir.files import write_file  # importable now: example_module put ROOT on sys.path

    if guide:
        source = (DOCS / GUIDE).read_text(encoding="utf-8")
        target = root / GUIDE
        write_file(target, run_guide(source, root))
        written.append(target)
        written += [root / p for p in GUIDE_PICTURES]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DOCS, help="write here instead of docs/")
    parser.add_argument("--only", nargs="+", choices=EXAMPLES, help="these examples only (and not the guide)")
    args = parser.parse_args(argv)
    written = regenerate(args.root, args.only, guide=not args.only)
    print(f"wrote {len(written)} files under {args.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
