"""What the worked-example scripts share: where they write and how they report it.

Every script in this folder that writes a worked example defines ``NAME`` (its
default folder ``out/NAME``, and its page ``docs/examples/NAME.md`` on the docs site),
``build()`` (the :class:`graphir.text.worked.Explanation`) and ``write(folder)`` (saves
it, returns the written paths), and ends with ``run(NAME, write)``.  The docs site
imports them the same way (its directive runs ``import <script>; <script>.build()``).
Their ``explain`` calls pass ``sympy_timeout=None``: the documents they write must not
depend on how loaded the machine is (a SymPy step cut by the default time limit would
change the comparison's reference).
Folders are written under graphir's rule (``graphir/files.py``): a new, empty or
graphir-written folder, never a file graphir did not write.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"

try:  # the scripts run from a checkout without installing graphir
    import graphir
except ImportError:  # pragma: no cover - depends on the environment
    sys.path.insert(0, str(ROOT))
    import graphir


def shown(path: Path) -> str:
    """``path`` relative to the current folder when it is below it (shorter messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run(
    name: str,
    write: Callable[[Path], list[Path]],
    argv: Sequence[str] | None = None,
    default: Path | None = None,
) -> Path:
    """Write the example into ``argv[0]`` (default ``out/<name>``); say where it went."""
    argv = sys.argv[1:] if argv is None else list(argv)
    folder = Path(argv[0]) if argv else (default or OUT / name)
    try:
        paths = write(folder)  # graphir refuses a folder holding files it did not write
    except graphir.OutputError as exc:
        raise SystemExit(f"{name}: {exc}") from None
    print(f"wrote {len(paths)} files into {shown(folder)}/; read {shown(folder / 'README.md')}")
    return folder
