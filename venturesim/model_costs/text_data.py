"""Training text for the product model: the Python standard library's own
source, read as bytes (vocabulary 256, one token per byte). No downloads.

Corpus
------
Files: every ``*.py`` under ``sysconfig.get_paths()["stdlib"]``, excluding
``site-packages`` and ``dist-packages`` (installed third-party code differs
between machines); about 1 800 files / 31 MB on CPython 3.11. The text
therefore depends on the Python version; :attr:`Corpus.digest` (SHA-256 of the
train and validation bytes) records exactly which text a result came from.

Order and budget: paths are sorted, then ordered by
``SHA-256("order:" + relative POSIX path)`` (a hash other than the split's
below, so the two are independent), so that a budget smaller than the
library takes files from every package, not only the alphabetically first.
Validation gets ``round(validation_fraction · max_bytes)`` bytes and train
the rest; each side takes its whole files in that order until its share is
reached (its last file truncated), so the total is exactly ``max_bytes`` when
the library is larger.

Split: with ``h(path) = SHA-256(relative POSIX path)``, a file goes to
validation when ``int(h(path)[:8], 16) / 16⁸ < validation_fraction``, so the
split is by file (no text is shared between train and validation),
deterministic, and a file keeps its side whatever the budget.

Batches: :func:`sample_batch` draws B windows of T + 1 consecutive bytes at
uniform random offsets from a key (train); :func:`validation_windows` takes
fixed, evenly spaced windows (evaluation).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

VOCAB_SIZE = 256
"""Byte-level vocabulary: one token per byte value."""
EXCLUDED_DIRS = frozenset({"site-packages", "dist-packages"})


@dataclass(frozen=True, eq=False)
class Corpus:
    """Byte tokens split into train and validation.

    Attributes
    ----------
    train, validation : np.ndarray of uint8
        Concatenated file bytes of each side.
    train_files, validation_files : tuple of str
        Relative paths of the files on each side, in reading order.
    digest : str
        SHA-256 hex digest of ``train`` followed by ``validation``.
    """

    train: np.ndarray
    validation: np.ndarray
    train_files: tuple[str, ...]
    validation_files: tuple[str, ...]
    digest: str

    @property
    def n_bytes(self) -> int:
        """Train plus validation bytes (= tokens)."""
        return int(self.train.size + self.validation.size)


def stdlib_root() -> Path:
    """Directory of the standard library of the running Python."""
    return Path(sysconfig.get_paths()["stdlib"])


def _path_hash(relative: str) -> str:
    return hashlib.sha256(relative.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=4)
def stdlib_source_files(root: str | None = None) -> tuple[str, ...]:
    """Sorted relative POSIX paths of the standard library's ``*.py`` files."""
    base = Path(root) if root is not None else stdlib_root()
    files = []
    for directory, subdirs, names in os.walk(base):
        subdirs[:] = [d for d in subdirs if d not in EXCLUDED_DIRS]  # do not descend into them
        for name in names:
            if name.endswith(".py"):
                files.append((Path(directory) / name).relative_to(base).as_posix())
    if not files:
        raise FileNotFoundError(f"no *.py files under the standard library directory {base}")
    return tuple(sorted(files))


def is_validation_file(relative: str, validation_fraction: float) -> bool:
    """Whether a file belongs to validation: ``int(sha256(path)[:8], 16)/16⁸ < fraction``."""
    return int(_path_hash(relative)[:8], 16) / 16**8 < validation_fraction


@functools.lru_cache(maxsize=8)
def load_corpus(max_bytes: int, *, validation_fraction: float = 0.1, root: str | None = None) -> Corpus:
    """Read up to ``max_bytes`` of standard-library source and split it by file.

    Parameters
    ----------
    max_bytes : int
        Byte (= token) budget of train plus validation, > 0.
    validation_fraction : float
        Share of files held out (by path hash) and of the budget given to them, in (0, 1).
    root : str, optional
        Directory to read instead of the standard library (tests).

    Returns
    -------
    Corpus
        Cached: the same arguments return the same object.
    """
    if not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"max_bytes(={max_bytes!r}) must be a positive integer")
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction(={validation_fraction}) must be in (0, 1)")
    base = Path(root) if root is not None else stdlib_root()
    files = sorted(stdlib_source_files(str(base)), key=lambda rel: (_path_hash("order:" + rel), rel))
    # each side fills its own share of the budget with its own files, in the hash order
    budget = {True: round(validation_fraction * max_bytes), False: 0}
    budget[False] = max_bytes - budget[True]
    chunks: dict[bool, list[bytes]] = {False: [], True: []}
    names: dict[bool, list[str]] = {False: [], True: []}
    used = {False: 0, True: 0}
    for rel in files:
        side = is_validation_file(rel, validation_fraction)
        if used[side] >= budget[side]:
            if used[not side] >= budget[not side]:
                break
            continue
        data = (base / rel).read_bytes()[: budget[side] - used[side]]
        if not data:
            continue
        chunks[side].append(data)
        names[side].append(rel)
        used[side] += len(data)
    if not chunks[False] or not chunks[True]:
        raise ValueError(
            f"max_bytes(={max_bytes}) with validation_fraction(={validation_fraction}) leaves a side "
            f"without text (files under {base}: {len(files)})"
        )
    train, validation = b"".join(chunks[False]), b"".join(chunks[True])
    return Corpus(
        train=np.frombuffer(train, dtype=np.uint8),
        validation=np.frombuffer(validation, dtype=np.uint8),
        train_files=tuple(names[False]),
        validation_files=tuple(names[True]),
        digest=hashlib.sha256(train + validation).hexdigest(),
    )


def sample_batch(data: jax.Array, key: jax.Array, batch_size: int, seq_len: int) -> jax.Array:
    """B windows of ``seq_len + 1`` consecutive tokens at uniform random offsets.

    Parameters
    ----------
    data : int array, (n,)
        Token stream (e.g. ``jnp.asarray(corpus.train)``), n > seq_len + 1.
    key : jax.Array
        PRNG key; offsets ~ U{0, …, n − seq_len − 1}.
    batch_size, seq_len : int
        B and T (static under jit).

    Returns
    -------
    jax.Array, (B, T + 1) int32
    """
    n = data.shape[0]
    if n < seq_len + 1:
        raise ValueError(f"data length(={n}) must be ≥ seq_len + 1(={seq_len + 1})")
    offsets = jax.random.randint(key, (batch_size,), 0, n - seq_len)  # (B,)
    index = offsets[:, None] + jnp.arange(seq_len + 1)[None, :]  # (B, T+1)
    return data[index].astype(jnp.int32)


def validation_windows(data: np.ndarray, seq_len: int, n_windows: int) -> np.ndarray:
    """Up to ``n_windows`` fixed windows of ``seq_len + 1`` tokens, evenly spaced.

    Windows start at ``round(i·(n − T − 1)/(m − 1))`` for i < m, with m the
    smaller of ``n_windows`` and the number of non-overlapping windows that
    fit, so they cover the validation text without overlap when it is short.

    Returns
    -------
    np.ndarray, (m, T + 1) int32
    """
    n = int(data.shape[0])
    if n < seq_len + 1:
        raise ValueError(f"validation length(={n}) must be ≥ seq_len + 1(={seq_len + 1})")
    if n_windows < 1:
        raise ValueError(f"n_windows(={n_windows}) must be ≥ 1")
    m = min(n_windows, n // (seq_len + 1))
    starts = np.round(np.linspace(0, n - seq_len - 1, m)).astype(np.int64) if m > 1 else np.zeros(1, np.int64)
    return np.stack([data[s : s + seq_len + 1] for s in starts]).astype(np.int32)
