"""Tests for venturesim._io: atomic writes and output-directory checks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from venturesim import _io
from venturesim._io import atomic_write_bytes, atomic_write_text, prepare_output_dir


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


def test_failed_write_keeps_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "summary.csv"
    target.write_text("old")

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_io.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


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
