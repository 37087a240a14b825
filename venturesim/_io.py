"""Crash-safe file output.

Files are written to a temporary sibling, flushed to disk and renamed over the
target, so a reader never sees a half-written file and an interrupted run
leaves the previous version intact.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
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


def prepare_output_dir(
    out_dir: str | os.PathLike[str], filenames: Sequence[str], force: bool
) -> Path:
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
            f"refusing to overwrite existing output file(s): {listed}; "
            "pass --force to overwrite them"
        )
    return directory
