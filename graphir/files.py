"""Writing files: which files in a folder graphir wrote, and writing them whole or not at all.

Every folder graphir writes (:func:`graphir.render` with ``steps=True``,
:meth:`Explanation.save <graphir.text.worked.Explanation.save>`, ``graphir
render --steps``, ``graphir explain``) goes through :func:`write_folder`, which
keeps one rule:

* a missing or empty folder becomes graphir's;
* a folder holding a manifest (``.graphir-manifest.json``, the list of the files
  graphir wrote there) is graphir's: a new run replaces or removes exactly the
  files the manifest lists (stale frames of an earlier run included), nothing else;
* any other non-empty folder is refused with :class:`~graphir.OutputError`
  before anything is touched, unless ``overwrite=True`` (``--force``): then the
  files written replace same-named ones, and still no other file is removed.

Files are first written under a temporary name next to their target and then
renamed into place, so an interrupted run leaves no half-written file.  One
file (``render(expr, "g.svg")``) is written with :func:`write_file`: it replaces
the file named, as any tool does.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "out"
>>> [p.name for p in write_folder(folder, {"a.txt": b"1", "b.txt": b"2"})]
['a.txt', 'b.txt']
>>> owned_files(folder)
['a.txt', 'b.txt']
>>> _ = (folder / "notes.txt").write_text("mine")
>>> [p.name for p in write_folder(folder, {"a.txt": b"3"})]   # b.txt was graphir's: removed
['a.txt']
>>> sorted(p.name for p in folder.iterdir())
['.graphir-manifest.json', 'a.txt', 'notes.txt']
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from .errors import OutputError

__all__ = ["MANIFEST", "write_file", "write_folder", "check_folder", "owned_files"]

#: The file in each folder graphir writes that lists the files it wrote there.
MANIFEST = ".graphir-manifest.json"

_NOTE = "graphir replaces or removes only the files listed here; delete this file to keep them as yours"
_FORCE = "pass overwrite=True"  # the command line says "add --force" instead


def write_file(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` whole: into a temporary file beside it, then renamed over it.

    An existing file at ``path`` is replaced (as any tool that writes a named
    file does); an interrupted write leaves the old file, never half of the new one.

    >>> import tempfile, pathlib
    >>> p = write_file(pathlib.Path(tempfile.mkdtemp()) / "f.txt", "hello")
    >>> p.read_text()
    'hello'
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name[:80]}.{secrets.token_hex(4)}.tmp")  # within NAME_MAX
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def owned_files(folder: str | Path) -> list[str] | None:
    """The files (relative, ``/``-separated) the manifest of ``folder`` lists; None without one.

    A manifest that cannot be read counts as none.  Names that would leave the
    folder (absolute, ``..``) are dropped, so a doctored manifest cannot point
    graphir at other files.
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        names = doc["files"]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if not isinstance(names, list):
        return None
    return sorted({n for n in names if isinstance(n, str) and _safe_name(n)})


def check_folder(folder: str | Path, overwrite: bool = False) -> None:
    """Raise :class:`~graphir.OutputError` unless graphir may write into ``folder``.

    Allowed: a missing or empty folder, a folder with a manifest, or any folder
    with ``overwrite=True``.  Writers call it first, so a refused run costs no work.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "notes.txt").write_text("mine")
    >>> check_folder(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    graphir.errors.OutputError: refusing to write into '...': it holds files graphir did not write ...
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{str(folder)!r} is a file, not a folder; choose a folder to write into",
                          str(folder))
    if overwrite or not folder.exists() or owned_files(folder) is not None:
        return
    entries = sorted(p.name for p in folder.iterdir())
    if entries:
        _refuse(folder, entries)


def write_folder(folder: str | Path, files: Mapping[str, bytes], overwrite: bool = False) -> list[Path]:
    """Write ``files`` (relative name -> bytes) into ``folder`` under the rule of this module.

    Returns the paths written, in the order of ``files`` (the manifest aside).
    Raises :class:`~graphir.OutputError`, with nothing touched, when the folder is
    not graphir's, or when a file to write exists and graphir did not write it
    (``overwrite=True`` allows both), or would replace a folder.
    """
    folder = Path(folder)
    check_folder(folder, overwrite)
    old = set(owned_files(folder) or ())
    for name in files:
        if not _safe_name(name) or name == MANIFEST:
            raise OutputError(f"cannot write {name!r} into a folder: give a relative name inside it")
    targets = {name: folder / name for name in files}
    _check_targets(folder, targets, old, overwrite)
    folder.mkdir(parents=True, exist_ok=True)
    # Claim the new names before any of them appears, so that an interrupted run
    # still leaves every file it wrote listed as graphir's.
    _write_manifest(folder, old | set(files))
    for name, data in files.items():
        write_file(targets[name], data)
    for name in sorted(old - set(files)):
        _remove(folder, name)
    _write_manifest(folder, set(files))
    return list(targets.values())


# --------------------------------------------------------------------------- helpers


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return bool(name) and not p.is_absolute() and "\\" not in name and all(
        part not in ("", ".", "..") for part in name.split("/")
    )


def _refuse(folder: Path, names: list[str]) -> None:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    raise OutputError(
        f"refusing to write into {str(folder)!r}: it holds files graphir did not write ({shown}); "
        f"choose an empty folder, or {_FORCE} to replace same-named files "
        "(graphir never deletes files it did not write)",
        str(folder),
    )


def _inside(folder: Path, path: Path) -> bool:
    """Whether ``path``'s folder is ``folder`` or below it once links are followed."""
    root = folder.resolve()
    parent = path.parent.resolve()
    return parent == root or root in parent.parents


def _check_targets(folder: Path, targets: Mapping[str, Path], old: set[str], overwrite: bool) -> None:
    if not folder.exists():
        return
    theirs = []
    for name, path in targets.items():
        for parent in PurePosixPath(name).parents:
            p = folder / parent
            if str(parent) != "." and (p.is_symlink() or (p.exists() and not p.is_dir())):
                raise OutputError(f"cannot write {name!r} into {str(folder)!r}: {str(parent)!r} is "
                                  "not a folder there; choose an empty folder", str(folder))
        if not _inside(folder, path):
            raise OutputError(f"cannot write {name!r}: it would land outside {str(folder)!r}", str(folder))
        if path.is_dir() and not path.is_symlink():
            raise OutputError(f"cannot write {name!r} into {str(folder)!r}: a folder of that name is "
                              "there; choose an empty folder", str(folder))
        if (path.exists() or path.is_symlink()) and name not in old:
            theirs.append(name)
    if theirs and not overwrite:
        _refuse(folder, theirs)


def _remove(folder: Path, name: str) -> None:
    """Remove the file ``name`` graphir wrote earlier, and the folders it leaves empty."""
    path = folder / name
    if not _inside(folder, path) or (path.is_dir() and not path.is_symlink()):
        return
    path.unlink(missing_ok=True)
    root = folder.resolve()
    for parent in path.parents:
        if parent.resolve() == root or not parent.is_dir() or any(parent.iterdir()):
            break
        parent.rmdir()


def _write_manifest(folder: Path, names: set[str]) -> None:
    doc = {"written_by": "graphir", "note": _NOTE, "files": sorted(names)}
    write_file(folder / MANIFEST, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
