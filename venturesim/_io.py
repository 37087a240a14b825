"""Crash-safe file output.

Files (and whole output folders) are written to a temporary sibling, flushed
to disk and renamed over the target, so a reader never sees a half-written
file or a folder mixing two runs, and an interrupted run leaves the previous
version intact.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping, Sequence, Set
from pathlib import Path


def _fsync_directory(directory: Path) -> None:
    """Persist a rename on POSIX file systems (a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Atomically replace ``path`` with ``data``.

    Parameters
    ----------
    path : str or os.PathLike
        Target file; its directory must exist.
    data : bytes
        Full new content.

    Notes
    -----
    The temporary file ``.<name>.<random>.tmp`` is created in the target's
    directory (so ``os.replace`` is an atomic rename on the same file system)
    with the usual umask-derived permissions, fsynced, then renamed. On any
    error it is removed and the target is left untouched.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Atomically replace ``path`` with ``text`` encoded as ``encoding``.

    Newlines are written as given (no platform translation). See
    :func:`atomic_write_bytes`.
    """
    atomic_write_bytes(path, text.encode(encoding))


def check_output_dir(out_dir: str | os.PathLike[str], replaceable: Set[str], force: bool) -> Path:
    """Refuse, before any work, an output folder that could not be written as a whole.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The folder a run will write (it need not exist).
    replaceable : set of str
        Names of the files venturesim writes there; only a folder holding
        nothing else may be replaced.
    force : bool
        Allow replacing an existing folder of results.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    OutputError
        If ``out_dir`` or a folder above it is a file; if ``out_dir`` holds
        results and ``force`` is false; or if it holds anything venturesim did
        not write (never deleted, even with ``force``).
    """
    from venturesim.spec.errors import OutputError

    directory = Path(out_dir)
    for parent in [directory, *directory.parents]:
        if parent.exists() and not parent.is_dir():
            where = "--out" if parent == directory else f"the folder {parent} above --out"
            raise OutputError(f"cannot write {directory}: {where} is a file, not a folder; choose another --out")
    if directory.is_dir():
        entries = sorted(entry.name for entry in directory.iterdir())
        foreign = [name for name in entries if name not in replaceable]
        if foreign:
            raise OutputError(
                f"refusing to replace {directory}: it holds files venturesim did not write "
                f"({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}); choose another --out"
            )
        if entries and not force:
            raise OutputError(
                f"refusing to overwrite existing results in {directory} ({', '.join(entries)}); "
                "pass --force to replace the folder"
            )
    return directory


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def write_folder(
    out_dir: str | os.PathLike[str], files: Mapping[str, str | bytes], force: bool, replaceable: Set[str] | None = None
) -> dict[str, Path]:
    """Write ``files`` as the whole content of ``out_dir``, in one step.

    The files go into a temporary sibling folder ``.<name>.<random>.tmp``
    (fsynced), which is then renamed to ``out_dir``; an existing folder (only
    with ``force``, see :func:`check_output_dir`) is swapped out atomically
    where the OS allows it (Linux), else moved aside and replaced by a second
    rename, then deleted. A reader sees the old folder or the new one, never
    a mixture; an interrupted write leaves the old folder as it was.

    ``replaceable`` names the files an existing folder may hold to be
    replaced (default: the names in ``files``).

    Returns
    -------
    dict
        File name → final path.
    """
    directory = check_output_dir(out_dir, set(files) if replaceable is None else replaceable, force)
    for name in files:
        if Path(name).is_absolute() or len(Path(name).parts) != 1:
            raise ValueError(f"output file name {name!r} must be a plain name inside the output folder")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = directory.with_name(f".{directory.name}.{secrets.token_hex(6)}.tmp")
    staging.mkdir()
    leftover: Path | None = staging  # what to remove on the way out (the staging folder, or the replaced one)
    try:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        _fsync_directory(staging)
        if directory.exists():
            if not _exchange(staging, directory):
                aside = directory.with_name(f".{directory.name}.{secrets.token_hex(6)}.old")
                os.rename(directory, aside)
                os.rename(staging, directory)
                leftover = aside
        else:
            os.rename(staging, directory)
            leftover = None
    finally:
        if leftover is not None:
            shutil.rmtree(leftover, ignore_errors=True)
    _fsync_directory(directory.parent)
    return {name: directory / name for name in files}


def prepare_output_dir(out_dir: str | os.PathLike[str], filenames: Sequence[str], force: bool) -> Path:
    """Create the output directory and check that nothing would be overwritten.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Directory to write into; created (with parents) if missing.
    filenames : sequence of str
        Files the run will write, relative to ``out_dir``.
    force : bool
        Allow overwriting those files. Nothing is ever deleted: other files in
        the directory are left alone, and the listed ones are only replaced when
        written.

    Returns
    -------
    pathlib.Path
        The output directory.

    Raises
    ------
    FileExistsError
        If any listed file exists and ``force`` is false (the message names
        them), or ``out_dir`` exists and is not a directory.
    ValueError
        If a file name is absolute or contains ``..``.
    """
    for name in filenames:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise ValueError(f"output file name {name!r} must be relative to the output directory")
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    existing = [name for name in filenames if os.path.lexists(directory / name)]
    if existing and not force:
        listed = ", ".join(str(directory / name) for name in existing)
        raise FileExistsError(
            f"refusing to overwrite existing output file(s): {listed}; pass --force to overwrite them"
        )
    return directory
