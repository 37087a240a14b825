"""Test-session settings shared by every test module.

Hypothesis runs derandomized: the examples it tries are a fixed function of
each test, so a CI run either always passes or always fails for a given code
base (like the fixed seeds of the statistical tests).

JAX's persistent compilation cache is on for the whole session, in one folder
shared by every xdist worker: a program one worker has compiled (the engine at
a scenario's shapes, a rule's kernel) is read back, not compiled again, by the
other worker and by every later test that builds the same program through
another ``jit`` object. The cache key is XLA's (the program text, the compile
options, the jax/jaxlib version and the backend), so a hit is the same
executable as a fresh compile and gives the same numbers. The folder is a
temporary one, removed at the end of the session, unless
``VENTURESIM_TEST_COMPILE_CACHE`` names one to keep between sessions (the
Makefile keeps ``.pytest_cache/venturesim-jax``: a later ``make test`` compiles
only the programs that changed); ``VENTURESIM_TEST_COMPILE_CACHE=off``
turns the cache off. The command line's own cache (``venturesim run``, on by
default in the user's cache folder) is pointed at the same folder, so a test
never writes to the user's cache.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import time

import pytest
from hypothesis import settings

settings.register_profile("venturesim", derandomize=True, print_blob=True)
settings.load_profile("venturesim")

_CACHE_ENV = "VENTURESIM_TEST_COMPILE_CACHE"
_OWNED_ENV = "VENTURESIM_TEST_COMPILE_CACHE_OWNED"  # set by the process that made (and will remove) a temp folder


def pytest_configure(config):
    """Point JAX's persistent compilation cache at the session's shared folder (made once, by the controller).

    The controller (or a run without xdist) runs this before any worker starts, and the workers inherit its
    environment, so they all see the same folder. Programs that compile in over 0.2 s are kept.
    """
    folder = os.environ.get(_CACHE_ENV)
    if folder == "off":
        os.environ["VENTURESIM_COMPILE_CACHE"] = "off"  # nor the command line's cache in the user's folder
        return
    if not folder:
        folder = tempfile.mkdtemp(prefix="venturesim-jax-cache-")
        os.environ[_CACHE_ENV] = folder
        os.environ[_OWNED_ENV] = str(os.getpid())
    os.environ["VENTURESIM_COMPILE_CACHE"] = folder  # `venturesim run` in a test uses the session's folder too
    import jax

    jax.config.update("jax_compilation_cache_dir", folder)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    if importlib.util.find_spec("filelock") is not None:  # a kept folder stays under 2 GiB (least recently used out)
        jax.config.update("jax_compilation_cache_max_size", 2 * 1024**3)


def pytest_unconfigure(config):
    """Remove the session's temporary cache folder (only in the process that made it)."""
    if os.environ.get(_OWNED_ENV) == str(os.getpid()):
        shutil.rmtree(os.environ.get(_CACHE_ENV, ""), ignore_errors=True)


# ---- per-file times (VENTURESIM_TEST_PROFILE=prefix) ------------------------------------------------------------
# Each process (controller or xdist worker) writes prefix.<worker>.json: for every test file, the wall and process
# CPU seconds of its tests (setup, call and teardown), the number of XLA compilations and their seconds, and the
# persistent-cache hits. `python benchmarks/test_times.py prefix` merges them into a table (docs/performance.md).

_PROFILE_ENV = "VENTURESIM_TEST_PROFILE"
_profile: dict = {}
_current = {"file": None}


def _note(file: str | None, **amounts: float) -> None:
    if file is not None:
        row = _profile.setdefault(file, dict.fromkeys(("wall_s", "cpu_s", "compiles", "compile_s", "cache_hits"), 0))
        for key, value in amounts.items():
            row[key] += value


def _register_compile_listeners() -> None:
    import jax.monitoring

    def duration(event: str, seconds: float, **kwargs) -> None:
        if event == "/jax/core/compile/backend_compile_duration":
            _note(_current["file"], compiles=1, compile_s=seconds)

    def count(event: str, **kwargs) -> None:
        if event == "/jax/compilation_cache/cache_hits":
            _note(_current["file"], cache_hits=1)

    jax.monitoring.register_event_duration_secs_listener(duration)
    jax.monitoring.register_event_listener(count)


def pytest_sessionstart(session):
    if os.environ.get(_PROFILE_ENV):
        _register_compile_listeners()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Time every test (setup, call and teardown) and charge it, and the compilations in it, to its file."""
    if not os.environ.get(_PROFILE_ENV):
        yield
        return
    _current["file"] = item.location[0]
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    _note(item.location[0], wall_s=time.perf_counter() - wall, cpu_s=time.process_time() - cpu)


def pytest_sessionfinish(session):
    prefix = os.environ.get(_PROFILE_ENV)
    if prefix and _profile:
        import json

        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(f"{prefix}.{worker}.json", "w") as file:
            json.dump(_profile, file, indent=1, sort_keys=True)
