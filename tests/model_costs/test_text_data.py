"""Byte-level standard-library corpus: file list, budget, split, batches."""

from __future__ import annotations

import hashlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from venturesim.model_costs.text_data import (
    is_validation_file,
    load_corpus,
    sample_batch,
    stdlib_root,
    stdlib_source_files,
    validation_windows,
)


def test_file_list_is_sorted_stdlib_python_without_site_packages():
    files = stdlib_source_files()
    assert list(files) == sorted(files)
    assert "os.py" in files and "json/__init__.py" in files
    assert all(f.endswith(".py") for f in files)
    assert not any("site-packages" in f.split("/") for f in files)


def test_share_of_validation_files_is_near_the_fraction():
    # each file is validation with probability 0.1 (hash of its path): over n files the count is
    # Binomial(n, 0.1); allow 4 standard deviations (n ≈ 1 800: 180 ± 51)
    files = stdlib_source_files()
    n = len(files)
    held = sum(is_validation_file(f, 0.1) for f in files)
    assert abs(held - 0.1 * n) < 4 * np.sqrt(n * 0.1 * 0.9)


def test_corpus_respects_the_budget_and_splits_by_file():
    corpus = load_corpus(1_000_000)
    # the library is ~30 MB, so each side's share is filled exactly: 10 % of the budget to validation
    assert corpus.validation.size == 100_000 and corpus.train.size == 900_000
    assert not set(corpus.train_files) & set(corpus.validation_files)
    assert all(is_validation_file(f, 0.1) for f in corpus.validation_files)
    assert not any(is_validation_file(f, 0.1) for f in corpus.train_files)
    # the text is the files' bytes in reading order: the first train file opens the train stream
    first = (stdlib_root() / corpus.train_files[0]).read_bytes()
    assert bytes(corpus.train[: len(first)]) == first
    assert corpus.digest == hashlib.sha256(corpus.train.tobytes() + corpus.validation.tobytes()).hexdigest()


def test_corpus_is_deterministic_and_sides_do_not_depend_on_the_budget():
    a = load_corpus.__wrapped__(600_000)  # bypass the cache: read the files again
    b = load_corpus(600_000)
    assert a.digest == b.digest and np.array_equal(a.train, b.train)
    bigger = load_corpus(1_000_000)
    # a larger budget reads the same files first, each on the same side (the last may be truncated)
    assert bigger.train_files[: len(a.train_files)] == a.train_files
    assert bigger.validation_files[: len(a.validation_files)] == a.validation_files


def test_small_tree_by_hand(tmp_path):
    # 20 files of 100 bytes; budget 1 000 at fraction 0.3: validation gets 300 bytes (3 files of its
    # own), train 700 (7 files); files under site-packages are never read
    for i in range(20):
        (tmp_path / f"m{i:02d}.py").write_bytes(bytes([65 + i]) * 100)
    (tmp_path / "site-packages").mkdir()
    (tmp_path / "site-packages" / "x.py").write_bytes(b"!" * 100)
    corpus = load_corpus(1_000, validation_fraction=0.3, root=str(tmp_path))
    assert corpus.validation.size == 300 and corpus.train.size == 700
    assert b"!" not in corpus.train.tobytes() + corpus.validation.tobytes()
    assert len(corpus.validation_files) == 3 and len(corpus.train_files) == 7

    def held_out(f):
        return int(hashlib.sha256(f.encode()).hexdigest()[:8], 16) / 16**8 < 0.3

    assert all(held_out(f) for f in corpus.validation_files)
    assert not any(held_out(f) for f in corpus.train_files)
    # reading order: SHA-256("order:" + path), so the first train file is the first such train file
    order = sorted((f"m{i:02d}.py" for i in range(20)), key=lambda f: hashlib.sha256(f"order:{f}".encode()).hexdigest())
    assert corpus.train_files == tuple(f for f in order if not held_out(f))[:7]
    assert bytes(corpus.train[:100]) == (tmp_path / corpus.train_files[0]).read_bytes()


def test_budget_too_small_for_two_sides_is_an_error(tmp_path):
    (tmp_path / "a.py").write_bytes(b"x" * 100)  # one file: one side is empty
    with pytest.raises(ValueError, match="without text"):
        load_corpus(50, root=str(tmp_path))
    with pytest.raises(ValueError, match="max_bytes"):
        load_corpus(0)


def test_sample_batch_draws_contiguous_windows_from_a_key():
    data = jnp.arange(1_000) % 256
    batch = sample_batch(data, jax.random.key(0), 6, 9)
    assert batch.shape == (6, 10) and batch.dtype == jnp.int32
    diffs = np.diff(np.asarray(batch), axis=1) % 256
    assert np.all(diffs == 1)  # consecutive bytes of the stream
    assert np.array_equal(batch, sample_batch(data, jax.random.key(0), 6, 9))
    assert not np.array_equal(batch, sample_batch(data, jax.random.key(1), 6, 9))


def test_validation_windows_are_evenly_spaced_by_hand():
    data = np.arange(100, dtype=np.uint8)
    # 4 windows of 10 in 100 bytes: starts round(linspace(0, 90, 4)) = 0, 30, 60, 90
    w = validation_windows(data, 9, 4)
    assert w[:, 0].tolist() == [0, 30, 60, 90] and w.shape == (4, 10)
    # at most n // (T+1) = 10 windows fit without overlap
    assert validation_windows(data, 9, 50).shape == (10, 10)
