"""graphir/files.py: the rule every folder writer keeps (issue 8, finding 1).

A missing or empty folder becomes graphir's; a folder with a manifest is
graphir's and only the files it lists may be replaced or removed; any other
non-empty folder is refused with nothing touched unless ``overwrite=True``,
and even then only same-named files are replaced.  Writes are whole or absent.
The writers themselves (frames, worked examples, the command line) are tested
against a folder of user files in ``tests/test_output_folders.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import graphir as gi
from graphir import files
from graphir.files import MANIFEST, owned_files, write_file, write_folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative name -> bytes), links not followed."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_missing_or_empty_folder_becomes_graphirs(tmp_path: Path) -> None:
    for folder in (tmp_path / "new" / "deeper", tmp_path / "empty"):
        if folder.name == "empty":
            folder.mkdir()
        paths = write_folder(folder, {"b.txt": b"2", "sub/a.txt": b"1"})
        assert paths == [folder / "b.txt", folder / "sub" / "a.txt"]
        assert owned_files(folder) == ["b.txt", "sub/a.txt"]
        assert snapshot(folder).keys() == {MANIFEST, "b.txt", "sub/a.txt"}


def test_a_folder_of_someone_elses_files_is_refused_untouched(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("mine")
    before = snapshot(tmp_path)
    with pytest.raises(gi.OutputError, match="holds files graphir did not write") as info:
        write_folder(tmp_path, {"a.txt": b"1"})
    message = str(info.value)
    assert str(tmp_path) in message and "overwrite=True" in message and "README.md" in message
    assert "\n" not in message
    assert info.value.folder == str(tmp_path)
    assert snapshot(tmp_path) == before


def test_overwrite_replaces_same_named_files_only(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("old")
    (tmp_path / "keep.txt").write_text("mine")
    write_folder(tmp_path, {"a.txt": b"new"}, overwrite=True)
    manifest = (tmp_path / MANIFEST).read_bytes()
    assert snapshot(tmp_path) == {"a.txt": b"new", "keep.txt": b"mine", MANIFEST: manifest}
    write_folder(tmp_path, {"b.txt": b"b"})  # now graphir's: a.txt was its own, keep.txt never
    assert not (tmp_path / "a.txt").exists()
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_in_graphirs_folder_an_unlisted_file_of_the_same_name_is_refused(tmp_path: Path) -> None:
    write_folder(tmp_path, {"a.txt": b"1"})
    (tmp_path / "b.txt").write_text("mine")
    before = snapshot(tmp_path)
    with pytest.raises(gi.OutputError, match=r"b\.txt"):
        write_folder(tmp_path, {"a.txt": b"2", "b.txt": b"2"})
    assert snapshot(tmp_path) == before


def test_stale_files_go_with_the_folders_they_leave_empty(tmp_path: Path) -> None:
    write_folder(tmp_path, {"steps/frame_000.svg": b"0", "steps/frame_001.svg": b"1", "README.md": b"r"})
    (tmp_path / "mine").mkdir()
    write_folder(tmp_path, {"README.md": b"r2"})
    assert not (tmp_path / "steps").exists()
    assert (tmp_path / "mine").is_dir()  # an empty folder graphir did not write stays
    assert owned_files(tmp_path) == ["README.md"]


def test_a_doctored_manifest_cannot_reach_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    folder = tmp_path / "out"
    folder.mkdir()
    doc = {"files": ["../outside.txt", str(outside), "a/../../outside.txt", "", "."]}
    (folder / MANIFEST).write_text(json.dumps(doc))
    assert owned_files(folder) == []
    write_folder(folder, {"a.txt": b"1"})
    assert outside.read_text() == "precious"


def test_an_unreadable_manifest_is_no_manifest(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("{not json")
    assert owned_files(tmp_path) is None
    with pytest.raises(gi.OutputError):
        write_folder(tmp_path, {"a.txt": b"1"})


def test_names_that_leave_the_folder_are_refused(tmp_path: Path) -> None:
    for name in ("../x.txt", "/tmp/x.txt", "a/../../x", MANIFEST, ""):
        with pytest.raises(gi.OutputError):
            write_folder(tmp_path / "out", {name: b"1"})
    assert not (tmp_path / "out").exists()


def test_a_folder_or_a_link_in_the_way_is_refused_even_with_overwrite(tmp_path: Path) -> None:
    (tmp_path / "a.txt").mkdir()
    (tmp_path / "a.txt" / "inner").write_text("mine")
    with pytest.raises(gi.OutputError, match="a folder of that name"):
        write_folder(tmp_path, {"a.txt": b"1"}, overwrite=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "steps").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(gi.OutputError, match="not a folder"):
        write_folder(tmp_path, {"steps/frame_000.svg": b"1"}, overwrite=True)
    assert list(elsewhere.iterdir()) == []
    assert not (tmp_path / MANIFEST).exists()


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(gi.OutputError, match="is a file"):
        write_folder(tmp_path / "f", {"a.txt": b"1"}, overwrite=True)


class Interrupt(KeyboardInterrupt):
    pass


def interrupt_after(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """Make the ``n``-th rename into place raise KeyboardInterrupt (as Ctrl-C would)."""
    calls = {"n": 0}
    replace = os.replace

    def flaky(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == n:
            raise Interrupt
        replace(src, dst)

    monkeypatch.setattr(files.os, "replace", flaky)


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "g.svg"
    path.write_bytes(b"old")
    interrupt_after(monkeypatch, 1)
    with pytest.raises(Interrupt):
        write_file(path, b"new" * 1000)
    assert snapshot(tmp_path) == {"g.svg": b"old"}


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_an_interrupted_folder_write_leaves_whole_files_all_owned(tmp_path: Path, monkeypatch,
                                                                  n: int) -> None:
    """Ctrl-C at any rename: no half-written or temporary file, and every file graphir wrote
    is in the manifest, so the next run (without overwrite) cleans up after it."""
    folder = tmp_path / "out"
    write_folder(folder, {"frame_000.svg": b"a0", "frame_001.svg": b"a1", "frame_002.svg": b"a2"})
    (folder / "mine.txt").write_text("mine")
    new = {"frame_000.svg": b"b0", "frame_001.svg": b"b1"}
    with monkeypatch.context() as m:
        interrupt_after(m, n)
        try:
            write_folder(folder, new)
        except Interrupt:
            pass
    state = snapshot(folder)
    assert not [name for name in state if name.endswith(".tmp")]
    for name, data in state.items():
        if name.startswith("frame_"):
            assert data in (b"a" + name[8:9].encode(), b"b" + name[8:9].encode())
            assert name in owned_files(folder)
    assert state["mine.txt"] == b"mine"
    write_folder(folder, new)
    assert snapshot(folder).keys() == {MANIFEST, "frame_000.svg", "frame_001.svg", "mine.txt"}


def test_the_manifest_is_deterministic(tmp_path: Path) -> None:
    write_folder(tmp_path / "a", {"z": b"1", "a/b": b"2"})
    write_folder(tmp_path / "b", {"a/b": b"2", "z": b"1"})
    assert (tmp_path / "a" / MANIFEST).read_bytes() == (tmp_path / "b" / MANIFEST).read_bytes()
