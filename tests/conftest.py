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
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("venturesim", derandomize=True, print_blob=True)
settings.load_profile("venturesim")

_CACHE_ENV = "VENTURESIM_TEST_COMPILE_CACHE"
_OWNED_ENV = "VENTURESIM_TEST_COMPILE_CACHE_OWNED"  # set by the process that made (and will remove) a temp folder


def pytest_configure(config):
    """Point JAX's persistent compilation cache at the session's shared folder (made once, by the controller).

    The controller (or a run without xdist) runs this before any worker starts, and the workers inherit its
    environment, so they all see the same folder. Programs that compile in over 0.2 s are kept; a test that
    runs ``venturesim run`` in its worker's process (``tests/test_cli.py``, through ``cli.use_compile_cache``)
    leaves that worker keeping every program for the rest of the session, as the command line does — the same
    executables either way, only more entries in the session's folder.
    With xdist loaded, the controller's scheduler is :class:`_CostliestFirstPlugin`'s (end of this file).
    """
    if config.pluginmanager.hasplugin("xdist") and not config.pluginmanager.hasplugin("venturesim-schedule"):
        config.pluginmanager.register(_CostliestFirstPlugin(), "venturesim-schedule")
    folder = os.environ.get(_CACHE_ENV)
    if folder == "off":
        os.environ["VENTURESIM_COMPILE_CACHE"] = "off"  # nor the command line's cache in the user's folder
        return
    if not folder:
        folder = tempfile.mkdtemp(prefix="venturesim-jax-cache-")
        os.environ[_CACHE_ENV] = folder
        os.environ[_OWNED_ENV] = str(os.getpid())
    os.environ["VENTURESIM_COMPILE_CACHE"] = folder  # `venturesim run` in a test uses the session's folder too
    # the kernel traced in each process, as before venturesim.engine.programs (tests/engine/test_programs.py keeps its
    # own): exporting every test company's program, mostly run once, cost the suite ≈ 1 minute
    os.environ["VENTURESIM_KEEP_PROGRAMS"] = "off"
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
    """Time every test (setup, call and teardown) and charge it, and the compilations in it, to its work unit
    (its file, or ``file[parameter]`` for the files split by parameter: see :func:`work_unit`)."""
    if not os.environ.get(_PROFILE_ENV):
        yield
        return
    unit = work_unit(item.nodeid)
    _current["file"] = unit
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    _note(unit, wall_s=time.perf_counter() - wall, cpu_s=time.process_time() - cpu)


def pytest_sessionfinish(session):
    prefix = os.environ.get(_PROFILE_ENV)
    if prefix and _profile:
        import json

        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(f"{prefix}.{worker}.json", "w") as file:
            json.dump(_profile, file, indent=1, sort_keys=True)


# ---- balancing the two xdist workers (``-n 2 --dist loadfile``) ------------------------------------------------
# xdist's loadfile hands out whole files, the ones with the most tests first. A file with few but costly tests
# (a compile per scenario, a hypothesis search) handed out last makes the run as long as that file. Here the
# work units are handed out costliest first (longest-processing-time-first: the run ends within 4/3 of the best
# split), with the costs measured by `make test-profile` (tests/xdist_costs.json, process CPU seconds per unit;
# a unit not in it counts SECONDS_PER_UNKNOWN_TEST per test; the first file came from the profile of 2026-12-03,
# a unit whose subprocesses' CPU its worker does not see counted as its wall ÷ 6.2, that run's ratio), and the
# files in SPLIT_BY_PARAMETER are cut into
# one unit per value of their module-scoped fixture's parameter (the first part of the test's id), so that, say,
# tests/test_scenarios.py's scenarios, each a compile of its own, spread over both workers. The tests of a unit
# still run on one worker, in the file's order, so a module-scoped fixture is made once per unit.

COSTS_FILE = Path(__file__).with_name("xdist_costs.json")
SECONDS_PER_UNKNOWN_TEST = 0.5
SPLIT_BY_PARAMETER = frozenset({"tests/test_scenarios.py"})
"""Files whose tests are grouped by their first parameter (a module-scoped fixture's), not by file."""
UNITS_OF_THEIR_OWN = frozenset({"tests/engine/test_invariants.py::test_accounting_invariants"})
"""Costly tests that share no module-scoped fixture with the rest of their file: a unit each."""
SHARED_UNITS = {"tests/engine/test_agreement.py": "tests/engine/test_same_uniforms.py"}
"""Files that compile the same engine programs (here: the shipped scenarios at their horizon with every metric), run
in the other file's unit, on one worker one after the other, so that the second reads the first's programs back
from the session's compile cache; on two workers at the same time both would compile them."""


def work_unit(nodeid: str) -> str:
    """The scheduling unit of a test: its file, ``file[parameter]`` for the files in SPLIT_BY_PARAMETER, the test
    itself (``file::name``) for those in UNITS_OF_THEIR_OWN, or the unit its file shares (SHARED_UNITS)."""
    file, _, rest = nodeid.partition("::")
    if file in SHARED_UNITS:
        return SHARED_UNITS[file]
    if f"{file}::{rest.split('[', 1)[0]}" in UNITS_OF_THEIR_OWN:
        return f"{file}::{rest.split('[', 1)[0]}"
    if file in SPLIT_BY_PARAMETER and "[" in rest:
        return f"{file}[{rest.split('[', 1)[1].rstrip(']').split('-', 1)[0]}]"
    return file


class _CostliestFirstPlugin:
    """Registered by :func:`pytest_configure` only when xdist is loaded (its hook is unknown without it)."""

    @staticmethod
    def pytest_xdist_make_scheduler(config, log):
        """``--dist loadfile``: the costliest work units first (see above); any other mode: xdist's own."""
        if config.getvalue("dist") != "loadfile":
            return None
        from xdist.scheduler import LoadFileScheduling

        costs = json.loads(COSTS_FILE.read_text()) if COSTS_FILE.exists() else {}

        class CostliestFirst(LoadFileScheduling):
            _sorted = False

            def _split_scope(self, nodeid: str) -> str:
                return work_unit(nodeid)

            def _assign_work_unit(self, node) -> None:
                if not self._sorted:  # the queue is complete when the first unit is handed out
                    units = sorted(
                        self.workqueue.items(),
                        key=lambda unit: -costs.get(unit[0], SECONDS_PER_UNKNOWN_TEST * len(unit[1])),
                    )
                    self.workqueue.clear()
                    self.workqueue.update(units)
                    self._sorted = True
                super()._assign_work_unit(node)

        return CostliestFirst(config, log)
