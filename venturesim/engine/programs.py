"""The engine's traced kernel kept between processes, beside JAX's persistent compilation cache.

With the compile cache on (every command that simulates, and ``venturesim.use_compile_cache()``:
:func:`venturesim._cache.use_compile_cache`), a warm run reads XLA's compiled
:func:`~venturesim.engine.jax_engine.run_block` back instead of compiling it, but JAX still traces the kernel and
lowers it to StableHLO to compute the cache's key: 1.0–1.8 CPU s in every fresh process
(docs/performance.md, "The traced kernel kept beside the compile cache"). Here that lowering is kept too:
``jax.export`` serializes the lowered program (≈ 0.2 MB for ``seed_stage_api``), and a later process deserializes it
(≈ 10 ms) and calls it through a ``jit`` whose own trace is one call, so only the read-back of the compiled
executable is left. The numbers are the same, bit for bit: XLA compiles the same StableHLO with the same options
(:data:`~venturesim.engine.jax_engine.KERNEL_COMPILER_OPTIONS`).

A program is kept under a key made of everything its trace depends on: the inputs' tree and types as jit sees them, the
static arguments (horizon, metrics, blocks per call), the jax and jaxlib versions, the backend, JAX's settings that
change a trace (64-bit floats, the PRNG implementation, Threefry's partitionable mode, default matmul precision,
dtype promotion) and the content of every source file of this package (a changed rule makes a new key). That is
what ``jax.jit``'s own in-memory cache keys a trace by, with the code added, so a kept program is used exactly where
a fresh trace would give the same program. The numbers of a scenario are leaves, never part of the key.

The programs are kept in ``<compile cache folder>-programs`` (one file per key, written atomically); without a
compile cache folder, or with ``VENTURESIM_KEEP_PROGRAMS=off``, nothing is kept and the kernel is traced as before.
A file that cannot be read back (truncated, another format) is traced and written again. The folder is kept under
:data:`~venturesim._cache.PROGRAMS_MAX_BYTES`, least recently used programs first, as JAX keeps its cache folder
under its own bound: a changed source file or a new venturesim makes every older program unusable, and without a
bound they would pile up.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import jax
import jaxlib

from venturesim._cache import PROGRAM_SUFFIX, PROGRAMS_MAX_BYTES, kept_programs, programs_folder, trim
from venturesim._env import switched_off
from venturesim._io import atomic_write_bytes
from venturesim.engine.jax_engine import KERNEL_COMPILER_OPTIONS, run_block

SUFFIX = PROGRAM_SUFFIX
TRACE_SETTINGS = (
    "jax_enable_x64",
    "jax_default_prng_impl",
    "jax_threefry_partitionable",
    "jax_default_matmul_precision",
    "jax_numpy_dtype_promotion",
)
"""JAX's settings that change what a trace gives (and so are part of a kept program's key)."""

_loaded: dict[str, Callable] = {}
"""Programs already deserialized (or exported) in this process, by key."""
_loading = threading.Lock()
"""Held while a program is read or traced (the chunks' threads ask for the same one at once)."""


KEEP_ENV = "VENTURESIM_KEEP_PROGRAMS"
"""``off`` keeps no program whatever the compile cache. The test session sets it (tests/conftest.py): its programs
are mostly run once, in one process, and exporting each cost the suite ≈ 1 minute; tests/engine/test_programs.py
keeps its own."""


def program_folder() -> Path | None:
    """Where traced programs are kept: ``<JAX's compilation cache folder>-programs``; None when that cache is off
    or ``$VENTURESIM_KEEP_PROGRAMS`` is ``off``."""
    if switched_off(os.environ.get(KEEP_ENV)):
        return None
    folder = jax.config.jax_compilation_cache_dir
    if not folder:
        return None
    return programs_folder(Path(folder).expanduser())


PACKAGE = Path(__file__).resolve().parents[1]
"""The venturesim package's folder, whose source makes part of every key."""


@lru_cache(maxsize=4)
def source_digest(root: Path = PACKAGE) -> str:
    """SHA-256 of every ``.py`` file under ``root`` (its relative path and bytes), in path order; computed once
    per process (≈ 10 ms for the package)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def program_key(params, block_keys, months: int, metrics: tuple[str, ...], width: int) -> str:
    """The key of :func:`run_block`'s program for these inputs (see the module's docstring): a SHA-256 hex digest."""
    leaves, treedef = jax.tree_util.tree_flatten(params)
    device = jax.devices()[0]
    parts = [
        f"jax {jax.__version__} jaxlib {jaxlib.__version__} {device.platform} {device.device_kind}",
        source_digest(),
        str(treedef),
        ";".join(str(jax.typeof(leaf)) for leaf in [*leaves, block_keys]),  # as jit sees them: ~ marks a weak type
        repr((months, tuple(metrics), width, KERNEL_COMPILER_OPTIONS)),
        repr([(name, str(getattr(jax.config, name, None))) for name in TRACE_SETTINGS]),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def kernel(params, block_keys, months: int, metrics: tuple[str, ...], width: int = 1) -> Callable:
    """``call(params, block_keys) -> (records, finals)``: :func:`run_block` at these static arguments, through the
    program kept for these inputs' key when the compile cache is on (read back, or traced, exported and kept)."""
    folder = program_folder()
    if folder is None:
        return lambda p, k: run_block(p, k, months, metrics, width)
    key = program_key(params, block_keys, months, metrics, width)
    with _loading:
        if key not in _loaded:
            exported = _read(folder / f"{key}{SUFFIX}")
            if exported is None:
                exported = _export(params, block_keys, months, metrics, width)
                _write(folder / f"{key}{SUFFIX}", exported.serialize())
                prune(folder)
            _loaded[key] = jax.jit(exported.call, compiler_options=KERNEL_COMPILER_OPTIONS)
        call = _loaded[key]
    return lambda p, k: call(jax.tree_util.tree_leaves(p), k)


def _export(params, block_keys, months, metrics, width) -> jax.export.Exported:
    """:func:`run_block` lowered for these inputs, as a function of the flat list of ``params``' leaves (the
    serialized form holds no custom tree node such as the Params' named tuples)."""
    treedef = jax.tree_util.tree_structure(params)

    def flat(leaves, keys):
        return run_block.__wrapped__(jax.tree_util.tree_unflatten(treedef, leaves), keys, months, metrics, width)

    return jax.export.export(jax.jit(flat))(jax.tree_util.tree_leaves(params), block_keys)


def _read(path: Path) -> jax.export.Exported | None:
    """The program kept at ``path``, or None where there is none or it cannot be read back (missing, truncated,
    another format: it is then traced and written again). A program read back is marked as just used (its
    modification time, which :func:`prune` keeps the latest of)."""
    try:
        exported = jax.export.deserialize(bytearray(path.read_bytes()))
    except Exception:
        return None
    with contextlib.suppress(OSError):  # a folder that cannot be written: the program is still used
        os.utime(path)
    return exported


def _write(path: Path, blob: bytes) -> None:
    """Write ``blob`` to ``path`` atomically (:func:`venturesim._io.atomic_write_bytes`); a folder that cannot be
    written leaves the program unkept (the run goes on)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, bytes(blob))
    except OSError:
        pass


def prune(folder: Path, limit: int | None = None) -> None:
    """Remove the kept programs used least recently (oldest modification time first: a program is touched when it
    is read back) until those left in ``folder`` hold at most ``limit`` bytes (default
    :data:`~venturesim._cache.PROGRAMS_MAX_BYTES`; :func:`venturesim._cache.trim`)."""
    trim(kept_programs(folder), PROGRAMS_MAX_BYTES if limit is None else limit)
