"""The traced kernel kept beside the compile cache (:mod:`venturesim.engine.programs`): the same numbers bit for bit
whether the kernel is traced, exported or read back; a key that follows the shapes, the static arguments, the code
and JAX's settings, never the numbers; a damaged file traced again, an unwritable folder no failure.

The runs have the shapes of tests/analysis/test_sweep.py (the startup scenario, 512 paths, 23 months): one program."""

import os
from pathlib import Path

import jax
import numpy as np
import pytest
from whatif_scenarios import startup

import venturesim as vs
from venturesim.engine import programs, simulate

RUN = {"paths": 512, "seed": 3, "months": 23}
SCENARIO = vs.load(startup())


def _run(scenario=SCENARIO) -> dict[str, np.ndarray]:
    return {name: np.asarray(v.values) for name, v in vs.simulate(scenario, **RUN).data.data_vars.items()}


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.fixture
def kept_in(monkeypatch, tmp_path):
    """Programs kept in a fresh folder, none loaded in this process; returns the folder."""
    folder = tmp_path / "programs"
    monkeypatch.setattr(programs, "program_folder", lambda: folder)
    monkeypatch.setattr(programs, "_loaded", {})
    return folder


@pytest.fixture(scope="module")
def traced():
    """The numbers of a run with nothing kept (``run_block`` traced as without a compile cache)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(programs, "program_folder", lambda: None)
        return _run()


def test_the_folder_sits_beside_the_compile_cache(monkeypatch):
    monkeypatch.setenv(programs.KEEP_ENV, "off")  # as in this test session (tests/conftest.py)
    assert programs.program_folder() is None
    monkeypatch.setenv(programs.KEEP_ENV, "on")
    folder = jax.config.jax_compilation_cache_dir  # the tests' session cache (tests/conftest.py), or none
    expected = None if not folder else Path(folder).expanduser().with_name(Path(folder).name + "-programs")
    assert programs.program_folder() == expected


def test_exported_and_read_back_programs_give_the_numbers_of_a_traced_one(kept_in, monkeypatch, traced):
    exported = _run()
    files = list(kept_in.glob(f"*{programs.SUFFIX}"))
    assert len(files) == 1 and files[0].stat().st_size > 10_000
    _assert_same(exported, traced)

    def no_trace(*args):
        raise AssertionError("the kept program should have been read back")

    monkeypatch.setattr(programs, "_loaded", {})  # as a fresh process: only the file
    monkeypatch.setattr(programs, "_export", no_trace)
    _assert_same(_run(), traced)
    # other numbers, the same shapes: the same program, read back, and their own results
    richer = SCENARIO.override({"company.initial_cash": 3_000_000})
    monkeypatch.setattr(programs, "_loaded", {})
    read_back = _run(richer)
    assert list(kept_in.glob(f"*{programs.SUFFIX}")) == files
    monkeypatch.setattr(programs, "program_folder", lambda: None)
    _assert_same(read_back, _run(richer))
    assert read_back["cash"][:, 0].min() > traced["cash"][:, 0].max()  # $3M at the start, not $1.5M: its own numbers


def _inputs(scenario=SCENARIO):
    """(params, block keys) of the run's first kernel call."""
    seen = []

    def kernel(params, block_keys, *static):
        seen.append((params, block_keys))
        return programs.kernel(params, block_keys, *static)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulate, "kernel", kernel)
        patch.setattr(programs, "program_folder", lambda: None)
        vs.simulate(scenario, **RUN)
    return seen[0]


def test_the_key_follows_shapes_static_arguments_code_and_settings_not_numbers(monkeypatch):
    params, keys = _inputs()
    metrics = ("alive", "arr", "cash")
    key = programs.program_key(params, keys, 23, metrics, 1)
    assert len(key) == 64 and key == programs.program_key(params, keys, 23, metrics, 1)
    numbers = jax.tree_util.tree_map(
        lambda a: (np.asarray(a) * 2 + 1).astype(np.asarray(a).dtype), params
    )  # all changed
    assert programs.program_key(numbers, keys, 23, metrics, 1) == key
    assert programs.program_key(*_inputs(SCENARIO.override({"company.initial_cash": 9e6})), 23, metrics, 1) == key
    leaves, treedef = jax.tree_util.tree_flatten(params)
    wider = jax.tree_util.tree_unflatten(treedef, [np.concatenate([leaves[0], leaves[0]])] + leaves[1:])
    ints = jax.tree_util.tree_unflatten(treedef, [np.asarray(leaves[0], np.int32)] + leaves[1:])
    others = {
        "a wider leaf": programs.program_key(wider, keys, 23, metrics, 1),
        "an int32 leaf": programs.program_key(ints, keys, 23, metrics, 1),
        "the horizon": programs.program_key(params, keys, 24, metrics, 1),
        "the metrics": programs.program_key(params, keys, 23, (*metrics, "runway"), 1),
        "the blocks per call": programs.program_key(params, keys, 23, metrics, 2),
    }
    monkeypatch.setattr(programs, "source_digest", lambda root=None: "another version of the code")
    others["the code"] = programs.program_key(params, keys, 23, metrics, 1)
    monkeypatch.undo()
    with jax.threefry_partitionable(not jax.config.jax_threefry_partitionable):
        others["a JAX setting"] = programs.program_key(params, keys, 23, metrics, 1)
    assert key not in others.values() and len(set(others.values())) == len(others), others


def test_the_source_digest_follows_every_modules_path_and_bytes(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "a.py").write_text("X = 1\n")
    (tmp_path / "rules" / "b.py").write_text("Y = 2\n")
    (tmp_path / "notes.txt").write_text("not code")
    digests = [programs.source_digest.__wrapped__(tmp_path)]
    (tmp_path / "notes.txt").write_text("other text")
    digests.append(programs.source_digest.__wrapped__(tmp_path))
    assert digests[1] == digests[0]  # only modules count
    (tmp_path / "rules" / "b.py").write_text("Y = 3\n")
    digests.append(programs.source_digest.__wrapped__(tmp_path))
    (tmp_path / "rules" / "b.py").rename(tmp_path / "rules" / "c.py")
    digests.append(programs.source_digest.__wrapped__(tmp_path))
    assert len(set(digests[1:])) == 3
    assert len(programs.source_digest()) == 64 and programs.PACKAGE.name == "venturesim"


def test_a_damaged_file_is_traced_and_written_again(kept_in, traced):
    _run()
    (path,) = kept_in.glob(f"*{programs.SUFFIX}")
    path.write_bytes(b"not a program")
    programs._loaded.clear()
    _assert_same(_run(), traced)
    assert path.stat().st_size > 10_000 and programs._read(path) is not None


def test_a_folder_that_cannot_be_written_keeps_nothing_and_the_run_goes_on(monkeypatch, tmp_path, traced):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setattr(programs, "program_folder", lambda: blocker / "programs")
    monkeypatch.setattr(programs, "_loaded", {})
    _assert_same(_run(), traced)
    assert blocker.read_text() == ""


def _kept(folder: Path, name: str, size: int, used_at: int) -> Path:
    """A kept program's file of ``size`` bytes, last used at ``used_at`` (seconds since the epoch)."""
    path = folder / f"{name}{programs.SUFFIX}"
    path.write_bytes(b"x" * size)
    os.utime(path, (used_at, used_at))
    return path


def test_the_folder_is_pruned_least_recently_used_first(tmp_path):
    """Five programs of 100 bytes used at t = 1 … 5, the limit 250 bytes: the three used first go, the two latest
    stay (200 ≤ 250); files that are not kept programs (a write in progress, another tool's) are left alone."""
    paths = [_kept(tmp_path, f"p{t}", 100, 1_000_000 + t) for t in (3, 1, 5, 2, 4)]
    in_progress = tmp_path / f".p6{programs.SUFFIX}.a1b2c3.tmp"
    in_progress.write_bytes(b"x" * 1000)
    (tmp_path / "notes.txt").write_bytes(b"x" * 1000)
    programs.prune(tmp_path, limit=250)
    left = sorted(p.name for p in tmp_path.glob(f"*{programs.SUFFIX}"))
    assert left == [f"p4{programs.SUFFIX}", f"p5{programs.SUFFIX}"]
    assert in_progress.exists() and (tmp_path / "notes.txt").exists()
    programs.prune(tmp_path, limit=200)  # at the limit: nothing more goes
    assert len(list(tmp_path.glob(f"*{programs.SUFFIX}"))) == 2
    assert paths[2].exists()


def _tiny_program() -> bytes:
    """A small exported program (x ↦ x + 1 on 3 floats): a file ``_read`` accepts, without tracing the kernel."""
    return bytes(jax.export.export(jax.jit(lambda x: x + 1.0))(np.zeros(3, np.float32)).serialize())


def test_a_program_read_back_counts_as_just_used(tmp_path):
    """A program read back gets a new modification time, so it outlives a newer one when the folder is pruned to
    one program's size; a damaged file is not renewed (it is traced and written again)."""
    path = tmp_path / f"old{programs.SUFFIX}"
    path.write_bytes(_tiny_program())
    os.utime(path, (1_000_000, 1_000_000))
    newer = _kept(tmp_path, "newer", path.stat().st_size, 2_000_000)
    damaged = _kept(tmp_path, "damaged", 10, 1_500_000)
    assert programs._read(path) is not None and programs._read(damaged) is None
    assert path.stat().st_mtime > 2_000_000 and damaged.stat().st_mtime == 1_500_000
    programs.prune(tmp_path, limit=path.stat().st_size)
    assert path.exists() and not newer.exists() and not damaged.exists()


def test_a_new_program_prunes_the_folder(kept_in, monkeypatch):
    """Writing a program prunes the folder to ``PROGRAMS_MAX_BYTES``: with a bound of 4 MB, an unused program of 5 MB
    goes and the new one stays (the kernel's export replaced by a small program: only the writing is tested)."""
    kept_in.mkdir()
    stale = _kept(kept_in, "stale", 5_000_000, 1_000_000)
    monkeypatch.setattr(programs, "PROGRAMS_MAX_BYTES", 4_000_000)
    monkeypatch.setattr(programs, "_export", lambda *args: jax.export.deserialize(bytearray(_tiny_program())))
    params, keys = _inputs()
    programs.kernel(params, keys, 23, ("cash",), 1)
    (new,) = kept_in.glob(f"*{programs.SUFFIX}")
    assert not stale.exists() and new.name == f"{programs.program_key(params, keys, 23, ('cash',), 1)}{programs.SUFFIX}"
