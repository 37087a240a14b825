"""The folders ``venturesim run`` keeps between runs, and what they hold: for ``venturesim cache``.

Three folders sit side by side, named from the compile cache's folder ``F``
(:func:`venturesim.cli.compile_cache_folder`):

* ``F``: JAX's persistent compilation cache, the compiled programs (``<name>-<key>-cache`` with its
  ``-atime`` file, and JAX's ``.lockfile``), kept under 2 GiB by JAX, least recently used first;
* ``F-programs``: the engine's traced kernel (``<key>.jaxexport``, :mod:`venturesim.engine.programs`), kept under
  256 MB the same way;
* ``F-report``: the report's Vega JavaScript bundle (``vega-<version>-vl-convert-<version>.js``,
  :func:`venturesim.report.html.vega_bundle`).

:func:`clear` removes only the files of those names, never a folder's other files (``VENTURESIM_COMPILE_CACHE``
may name a folder of the user's own), then each folder left empty. Reading and clearing import nothing heavy
(no JAX), so ``venturesim cache`` answers at once.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
from pathlib import Path
from typing import NamedTuple


class KeptFolder(NamedTuple):
    """One kept folder: what it is for, where it is, and the names of the files venturesim or JAX write in it."""

    what: str
    path: Path
    patterns: tuple[str, ...]  # fnmatch patterns of the file names written there


class Usage(NamedTuple):
    """What a kept folder holds: its files of the kept kinds and their bytes, and the files of other names."""

    files: int
    bytes: int
    others: int


def kept_folders(compile_cache: Path) -> list[KeptFolder]:
    """The three kept folders beside the compile cache folder ``compile_cache`` (the module's docstring)."""

    def beside(suffix: str) -> Path:
        return compile_cache.with_name(compile_cache.name + suffix)

    return [
        KeptFolder("compiled programs (JAX)", compile_cache, ("*-cache", "*-atime", ".lockfile")),
        KeptFolder("traced kernels", beside("-programs"), ("*.jaxexport",)),
        KeptFolder("report's JavaScript bundle", beside("-report"), ("vega-*.js",)),
    ]


def _entries(folder: KeptFolder) -> list[tuple[os.DirEntry, bool]]:
    """(entry, is of a kept kind) for each plain file directly in the folder; none when the folder is missing.
    A write in progress (``.<name>.<random>.tmp``, :func:`venturesim._io.atomic_write_bytes`) counts as kept."""
    try:
        with os.scandir(folder.path) as it:
            files = [e for e in it if e.is_file(follow_symlinks=False)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [(e, _is_kept(e.name, folder.patterns)) for e in files]


def _is_kept(name: str, patterns: tuple[str, ...]) -> bool:
    if name.startswith(".") and name.endswith(".tmp"):  # an atomic write's temporary file: ".<kept name>.<hex>.tmp"
        name = name[1:].rsplit(".", 2)[0]
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def usage(folder: KeptFolder) -> Usage:
    """The files of the kept kinds in ``folder``, their total size in bytes, and the number of other files."""
    entries = _entries(folder)
    kept = [e for e, is_kept in entries if is_kept]
    return Usage(len(kept), sum(e.stat(follow_symlinks=False).st_size for e in kept), len(entries) - len(kept))


def clear(folder: KeptFolder) -> Usage:
    """Remove the files of the kept kinds from ``folder`` (not its other files, not its subfolders), then the folder
    if that left it empty. Returns what was removed (``others``: the files left in place). A file that another
    process removed meanwhile is passed over; one that cannot be removed (permissions) raises ``OSError``."""
    removed, size, others = 0, 0, 0
    for entry, is_kept in _entries(folder):
        if not is_kept:
            others += 1
            continue
        try:
            length = entry.stat(follow_symlinks=False).st_size
            os.unlink(entry.path)
        except FileNotFoundError:
            continue
        removed, size = removed + 1, size + length
    with contextlib.suppress(OSError):  # removed only when empty (or already gone)
        folder.path.rmdir()
    return Usage(removed, size, others)
