"""Tests for venturesim._io: atomic writes and output-directory checks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from venturesim import _io
from venturesim._io import atomic_write_bytes, atomic_write_text, check_output_dir, prepare_output_dir, write_folder
from venturesim.spec.errors import OutputError


def test_atomic_write_text_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    atomic_write_text(target, "first\n")
    assert target.read_text(encoding="utf-8") == "first\n"
    atomic_write_text(target, "second — ünïcode\r\n")
    assert target.read_bytes() == "second — ünïcode\r\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temp files


def test_atomic_write_bytes(tmp_path: Path) -> None:
    target = tmp_path / "paths.parquet"
    atomic_write_bytes(str(target), b"\x00\x01binary")
    assert target.read_bytes() == b"\x00\x01binary"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_write_respects_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644


def test_failed_write_keeps_old_file_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "summary.csv"
    target.write_text("old")

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_io.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_write_folder_creates_nested_and_leaves_no_staging(tmp_path: Path) -> None:
    written = write_folder(tmp_path / "a" / "b", {"report.html": "<p>", "summary.json": b"{}"}, force=False)
    out = tmp_path / "a" / "b"
    assert written == {"report.html": out / "report.html", "summary.json": out / "summary.json"}
    assert (out / "report.html").read_text() == "<p>" and (out / "summary.json").read_bytes() == b"{}"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b"]  # the .b.*.tmp staging folder is gone


def test_existing_results_need_force_and_force_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_folder(out, {"report.html": "old", "summary.json": "old"}, force=False)
    with pytest.raises(OutputError) as info:
        write_folder(out, {"summary.json": "new"}, force=False, replaceable={"summary.json", "report.html"})
    assert isinstance(info.value, FileExistsError) and "--force" in str(info.value) and info.value.exit_code == 5
    assert (out / "report.html").read_text() == "old"
    write_folder(out, {"summary.json": "new"}, force=True, replaceable={"summary.json", "report.html"})
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]  # no stale report beside the new summary
    assert (out / "summary.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the old folder is deleted after the swap


def test_a_folder_holding_foreign_files_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("old")
    (tmp_path / "unrelated.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"did not write \(unrelated\.txt\)"):
        write_folder(tmp_path, {"report.html": "new"}, force=True)
    assert (tmp_path / "unrelated.txt").read_text() == "mine" and (tmp_path / "report.html").read_text() == "old"


def test_an_interrupted_write_leaves_the_old_folder(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    write_folder(out, {"summary.json": "old"}, force=False)

    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        write_folder(out, {"summary.json": "new", "report.html": "new"}, force=True)
    assert (out / "summary.json").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_folder_rejects_names_outside_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="plain name"):
        write_folder(tmp_path / "o", {"../evil.html": ""}, force=True)
    with pytest.raises(ValueError, match="plain name"):
        write_folder(tmp_path / "o", {str(tmp_path / "abs.html"): ""}, force=True)


def test_out_under_a_regular_file_is_refused_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_output_dir(blocker, {"report.html"}, force=True)
    with pytest.raises(OutputError, match=f"the folder {blocker} above --out is a file"):
        check_output_dir(blocker / "sub" / "out", {"report.html"}, force=True)


# prepare_output_dir: one file beside others (the calibration file)


def test_prepare_output_dir_creates_nested(tmp_path: Path) -> None:
    out = prepare_output_dir(tmp_path / "a" / "b", ["report.html"], force=False)
    assert out == tmp_path / "a" / "b" and out.is_dir()


def test_prepare_output_dir_refuses_existing(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("keep me")
    (tmp_path / "unrelated.txt").write_text("mine")
    with pytest.raises(FileExistsError) as info:
        prepare_output_dir(tmp_path, ["summary.csv", "report.html"], force=False)
    message = str(info.value)
    assert "report.html" in message and "--force" in message
    assert "summary.csv" not in message
    assert (tmp_path / "report.html").read_text() == "keep me"


def test_prepare_output_dir_force_deletes_nothing(tmp_path: Path) -> None:
    (tmp_path / "report.html").write_text("old")
    (tmp_path / "unrelated.txt").write_text("mine")
    out = prepare_output_dir(tmp_path, ["report.html", "summary.csv"], force=True)
    assert out == tmp_path
    assert (tmp_path / "report.html").read_text() == "old"
    assert (tmp_path / "unrelated.txt").read_text() == "mine"


def test_prepare_output_dir_rejects_escaping_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="relative"):
        prepare_output_dir(tmp_path, ["../evil.html"], force=True)
    with pytest.raises(ValueError, match="relative"):
        prepare_output_dir(tmp_path, [str(tmp_path / "abs.html")], force=True)


def test_prepare_output_dir_on_a_file(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "out"
    not_a_dir.write_text("")
    with pytest.raises(FileExistsError):
        prepare_output_dir(not_a_dir, ["report.html"], force=True)
