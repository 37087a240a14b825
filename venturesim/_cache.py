"""The folders venturesim keeps between runs: where they are, turning them on, and what they hold.

:func:`use_compile_cache` turns JAX's persistent compilation cache on in :func:`compile_cache_folder` (every
command that simulates does; an analyst calls ``venturesim.use_compile_cache()`` once per session). Three folders
then sit side by side, named from that folder ``F``:

* ``F``: JAX's persistent compilation cache, the compiled programs (``<name>-<key>-cache`` with its
  ``-atime`` file, and JAX's ``.lockfile``), kept under 2 GiB by JAX, least recently used first;
* ``F-programs``: the engine's traced kernel (``<key>.jaxexport``, :mod:`venturesim.engine.programs`), kept under
  256 MB the same way;
* ``F-report``: the report's Vega JavaScript bundle (``vega-<version>-vl-convert-<version>.js``,
  :func:`venturesim.report.html.vega_bundle`).

:func:`clear` removes only the files of those names, never a folder's other files (``VENTURESIM_COMPILE_CACHE``
may name a folder of the user's own), then each folder left empty; :func:`trim` removes the least recently used of
them down to a size (the traced kernels' bound). Reading and clearing import nothing heavy
(no JAX), so ``venturesim cache`` answers at once.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
from pathlib import Path
from typing import NamedTuple

from venturesim._env import switched_off

COMPILE_CACHE_ENV = "VENTURESIM_COMPILE_CACHE"
COMPILE_CACHE_MAX_BYTES = 2 * 1024**3
"""JAX's compile cache folder is kept under this size, least recently used entries first."""
PROGRAMS_MAX_BYTES = 256 * 1024**2
"""The traced kernels' folder (:mod:`venturesim.engine.programs`) is pruned to this size, least recently used first,
after each program it gains: some 1,000 programs of ``seed_stage_api``'s ≈ 0.2 MB."""


PROGRAM_SUFFIX = ".jaxexport"
"""The extension of a traced kernel's file (one per program key, :mod:`venturesim.engine.programs`)."""


def programs_folder(compile_cache: Path) -> Path:
    """Where the traced kernels are kept: ``<compile_cache>-programs``."""
    return compile_cache.with_name(compile_cache.name + "-programs")


def report_folder(compile_cache: Path) -> Path:
    """Where the report's JavaScript bundle is kept: ``<compile_cache>-report``."""
    return compile_cache.with_name(compile_cache.name + "-report")


def compile_cache_folder() -> Path | None:
    """Where compiled JAX programs are kept between runs, or None when the cache is off.

    ``$VENTURESIM_COMPILE_CACHE`` names the folder (``off`` turns the cache off); by default it is
    ``jax`` in the user's cache folder (platformdirs: ``~/.cache/venturesim/jax`` on Linux,
    ``~/Library/Caches/venturesim/jax`` on macOS, ``%LOCALAPPDATA%\\venturesim\\Cache\\jax`` on Windows).
    """
    folder = os.environ.get(COMPILE_CACHE_ENV, "").strip()
    if switched_off(folder):
        return None
    if folder:
        return Path(folder).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("venturesim", appauthor=False)) / "jax"


def use_compile_cache(enabled: bool = True) -> Path | None:
    """Turn on JAX's persistent compilation cache in :func:`compile_cache_folder` (unless ``enabled`` is False).

    A scenario's engine program depends only on its shapes (segments, rounds, roles, ..., the horizon and
    the chunk), never on its numbers, so a second run of a scenario of the same shape reads the compiled
    program back (≈ 1 s) instead of compiling it again (10-40 s on 2 cores). XLA keys each entry by the
    program, the compile options and the jax/jaxlib version, so an entry is never used for another
    program. Every program is kept, the small ones too: a run compiles some fifteen of 10–300 ms besides the
    engine (the inputs' sampling, the report's replay of a path), and reading them back made a warm
    ``venturesim run`` ≈ 1 s faster than compiling them again (docs/performance.md, 2026-12-07, stop 43). The
    engine's kernel is also kept traced, in ``<folder>-programs`` (:mod:`venturesim.engine.programs`), which saves
    its trace and lowering (≈ 1 s more). The
    folder is kept under 2 GiB, least recently used entries first (when the ``filelock`` package is present, as
    jax requires for that).

    The library does not turn it on by itself (it changes JAX's settings for the whole process): in a notebook or
    a script, ``venturesim.use_compile_cache()`` once makes a later session's ``simulate`` of a scenario of the
    same shape read its compiled kernel back. Returns the folder, or None when the cache is off.
    """
    folder = compile_cache_folder() if enabled else None
    if folder is None:
        return None
    import importlib.util

    import jax

    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    if importlib.util.find_spec("filelock") is not None:
        jax.config.update("jax_compilation_cache_max_size", COMPILE_CACHE_MAX_BYTES)
    return folder


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


def kept_programs(path: Path) -> KeptFolder:
    """The traced kernels' folder at ``path`` (:func:`programs_folder`), one ``<key>.jaxexport`` file a program."""
    return KeptFolder("traced kernels", path, (f"*{PROGRAM_SUFFIX}",))


def kept_folders(compile_cache: Path) -> list[KeptFolder]:
    """The three kept folders of the compile cache folder ``compile_cache`` (the module's docstring)."""
    return [
        KeptFolder("compiled programs (JAX)", compile_cache, ("*-cache", "*-atime", ".lockfile")),
        kept_programs(programs_folder(compile_cache)),
        KeptFolder("report's JavaScript bundle", report_folder(compile_cache), ("vega-*.js",)),
    ]


def _entries(folder: KeptFolder, writes: bool = True) -> list[tuple[os.DirEntry, bool]]:
    """(entry, is of a kept kind) for each plain file directly in the folder; none when the folder is missing.
    A write in progress (``.<name>.<random>.tmp``, :func:`venturesim._io.atomic_write_bytes`) counts as kept when
    ``writes`` (clearing removes it), else as another file (trimming leaves a write of another process alone)."""
    try:
        with os.scandir(folder.path) as it:
            files = [e for e in it if e.is_file(follow_symlinks=False)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [(e, _is_kept(e.name, folder.patterns, writes)) for e in files]


def _is_kept(name: str, patterns: tuple[str, ...], writes: bool) -> bool:
    if name.startswith(".") and name.endswith(".tmp"):  # an atomic write's temporary file: ".<kept name>.<hex>.tmp"
        if not writes:
            return False
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


def trim(folder: KeptFolder, limit: int) -> None:
    """Remove the kept files used least recently (oldest modification time first; a reader renews it) until those
    left hold at most ``limit`` bytes. Best effort: a file another process removed meanwhile, or one that cannot be
    removed, is passed over; a write in progress is never removed."""
    kept = []
    for entry, is_kept in _entries(folder, writes=False):
        if is_kept:
            with contextlib.suppress(OSError):
                stat = entry.stat(follow_symlinks=False)
                kept.append((stat.st_mtime_ns, entry.name, stat.st_size, entry.path))
    total = sum(size for _, _, size, _ in kept)
    for _, _, size, path in sorted(kept):
        if total <= limit:
            break
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass  # removed by another process: gone all the same
        except OSError:
            continue  # cannot be removed: it still counts
        total -= size
