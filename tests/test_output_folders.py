"""Every writer of a folder, pointed at a folder of the user's files (issue 8, finding 1).

``gi.render(..., steps=True)``, ``Explanation.save``, ``graphir render --steps``,
``graphir explain``, the example scripts and (when it wrote them) ``tools/regen_docs.py`` once
overwrote the user's ``README.md``, ``graph.svg`` and ``stepper.html`` and
deleted files that merely looked like frames.  Now, for each of them:

* refused without force/overwrite: one clear error, nothing touched;
* with force: only graphir's files change, every user file survives byte for byte;
* a second run into graphir's own folder removes its stale files, and only them.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import graphir as gi
from graphir import cli
from graphir.files import MANIFEST, owned_files

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None or shutil.which("neato") is None, reason="Graphviz is not installed"
)

#: What a user may keep in a folder: names graphir writes, names that look like frames, a subfolder.
USER_FILES = {
    "README.md": b"# my notes\n",
    "graph.svg": b"<svg>mine</svg>",
    "stepper.html": b"<html>mine</html>",
    "frame_000.svg": b"<svg>my frame</svg>",
    "frame_999.svg": b"<svg>999</svg>",
    "frame_015.pdf": b"%PDF-mine",
    "frame_050.png": b"\x89PNG mine",
    "frame_1000.pdf": b"%PDF-1000",
    "steps/frame_001.svg": b"<svg>nested</svg>",
    "steps/notes.txt": b"nested notes",
    "data/table.csv": b"a,b\n1,2\n",
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def user_folder(folder: Path) -> dict[str, bytes]:
    for name, data in USER_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return snapshot(folder)


def cli_run(*argv: str) -> list[Path]:
    status = cli.main(list(argv))
    if status != 0:
        raise RuntimeError(f"exit status {status}")
    return []


def f_big() -> gi.Expr:
    return gi.parse("ln(x1) + x1*x2 - sin(x2)")


def f_small() -> gi.Expr:
    return gi.parse("x1*x2")


AT = {"x1": 2, "x2": 5}

# Each writer: (name, write(folder, big, force)); big=False draws fewer frames than big=True.
WRITERS: dict[str, Callable[[Path, bool, bool], object]] = {
    "gi.render(steps=True)": lambda folder, big, force: gi.render(
        f_big() if big else f_small(), folder, at=AT, steps=True, format="svg", overwrite=force),
    "Explanation.save": lambda folder, big, force: gi.explain(
        f_big() if big else f_small(), AT, mode="forward" if big else "reverse",
    ).save(folder, overwrite=force),
    "graphir render --steps": lambda folder, big, force: cli_run(
        "render", "ln(x1) + x1*x2 - sin(x2)" if big else "x1*x2", "--at", "x1=2,x2=5", "--steps",
        "--format", "svg", "-o", str(folder), *(["--force"] if force else [])),
    "graphir explain": lambda folder, big, force: cli_run(
        "explain", "ln(x1) + x1*x2 - sin(x2)" if big else "x1*x2", "--at", "x1=2,x2=5", "-o", str(folder),
        "--mode", "forward" if big else "reverse", *(["--force"] if force else [])),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_folder_of_user_files_is_refused_and_untouched(tmp_path: Path, writer: str, capsys) -> None:
    before = user_folder(tmp_path)
    if writer.startswith("graphir"):
        with pytest.raises(RuntimeError):
            WRITERS[writer](tmp_path, True, False)
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert str(tmp_path) in err and "--force" in err and "overwrite=True" not in err, err
    else:
        with pytest.raises(gi.OutputError, match="overwrite=True") as info:
            WRITERS[writer](tmp_path, True, False)
        assert str(tmp_path) in str(info.value)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("writer", list(WRITERS))
def test_force_changes_only_graphirs_files_and_a_rerun_removes_only_its_stale_ones(
    tmp_path: Path, writer: str
) -> None:
    before = user_folder(tmp_path)
    WRITERS[writer](tmp_path, True, True)
    after = snapshot(tmp_path)
    mine = set(owned_files(tmp_path) or ())
    assert mine, "a forced write leaves a manifest"
    for name, data in before.items():
        assert name in after, f"{name} was deleted"
        if name not in mine:
            assert after[name] == data, f"{name} was changed"
    assert set(after) == set(before) | mine | {MANIFEST}

    # The folder is graphir's now: a smaller run removes its own stale files, no user file.
    WRITERS[writer](tmp_path, False, False)
    final = snapshot(tmp_path)
    now = set(owned_files(tmp_path) or ())
    assert set(final) == (set(before) - mine) | now | {MANIFEST}
    for name in set(before) - mine:
        assert final[name] == before[name], f"{name} was changed"
    assert mine - now, "the smaller run writes fewer files; the stale ones are gone"
    for name in mine - now:
        assert name not in final


def test_an_empty_or_new_folder_needs_no_force(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "new" / "deeper"):
        paths = gi.render(f_small(), folder, at=AT, steps=True, format="svg")
        assert set(snapshot(folder)) == {p.name for p in paths} | {MANIFEST}


def test_explain_files_in_a_graphir_steps_folder_still_need_force(tmp_path: Path) -> None:
    """``steps/`` written by ``render --steps`` is graphir's, but the folder above it is not."""
    gi.render(f_small(), tmp_path / "steps", at=AT, steps=True, format="svg")
    before = snapshot(tmp_path)
    with pytest.raises(gi.OutputError):
        gi.explain(f_small(), AT).save(tmp_path)
    assert snapshot(tmp_path) == before


def test_a_single_picture_replaces_the_file_named(tmp_path: Path) -> None:
    (tmp_path / "g.svg").write_text("old")
    (tmp_path / "other.svg").write_text("mine")
    assert gi.render(f_small(), tmp_path / "g.svg") == [tmp_path / "g.svg"]
    assert (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")
    assert snapshot(tmp_path).keys() == {"g.svg", "other.svg"}  # no manifest for a single file


def test_an_interrupted_save_leaves_no_half_written_file(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C in the middle of ``save``: the files there are whole, and a rerun needs no force."""
    import os

    from graphir import files

    calls = {"n": 0}
    replace = os.replace

    def flaky(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        replace(src, dst)

    ex = gi.explain(f_small(), AT)
    with monkeypatch.context() as m:
        m.setattr(files.os, "replace", flaky)
        with pytest.raises(KeyboardInterrupt):
            ex.save(tmp_path / "out")
    state = snapshot(tmp_path / "out")
    assert not [n for n in state if n.endswith(".tmp")]
    assert set(state) - {MANIFEST} <= set(owned_files(tmp_path / "out") or ())
    written = ex.save(tmp_path / "out")
    names = {p.relative_to(tmp_path / "out").as_posix() for p in written}
    assert set(snapshot(tmp_path / "out")) == names | {MANIFEST}


def test_the_example_scripts_refuse_a_folder_of_user_files(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from _worked import run
    finally:
        sys.path.remove(str(ROOT / "examples"))
    before = user_folder(tmp_path)
    with pytest.raises(SystemExit, match="holds files graphir did not write"):
        run("mine", lambda folder: gi.explain(f_small(), AT).save(folder), [str(tmp_path)])
    assert snapshot(tmp_path) == before
