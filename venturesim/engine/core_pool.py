"""Worker processes for the JAX engine on a CPU, each restricted to one core before JAX starts (issue 21).

XLA:CPU runs a compiled program on an intra-op thread pool as large as the process's CPUs when JAX starts: it runs
independent operations at the same time and cuts each costly elementwise fusion into one part per thread. Two host
threads each running a chunk on that pool pay 15–40 % more CPU for the kernel than one core running it alone
(``benchmarks/kernel_one_core.py``, docs/performance.md "The kernel on one core"), and JAX has no setting for the
pool's size. A worker started here restricts itself to one CPU (``os.sched_setaffinity``) *before* it imports JAX,
so its pool has one thread and no fusion is cut; a pool of ``n`` such workers runs a run's chunks (sampling and
kernel, :func:`venturesim.engine.simulate.run_chunk`) side by side and sends each chunk's arrays back through a pipe.

A path's numbers depend only on the seed and its index, so a run on workers gives the same arrays as one in this
process (``tests/engine/test_core_pool.py``). Workers are started once and kept for the life of the process
(:func:`core_pool`), like a Dask cluster's, so only the first run pays their start (importing JAX, reading the
compiled program from the persistent compile cache); :func:`shutdown_pools` stops them (it runs at exit).

Each worker is a fresh interpreter (``python -m venturesim.engine.core_pool``), not a ``multiprocessing`` child,
so a user's script is never imported again in it. POSIX only (the pipes are passed as file descriptors); without
``os.sched_setaffinity`` (macOS) the workers run unrestricted, with the same numbers.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import count
from multiprocessing.connection import Connection

from venturesim.spec.errors import UsageError

_RUN_IDS = count(1)


class WorkerDied(RuntimeError):
    """A worker process ended without answering (killed, out of memory): its pool is stopped and a later run starts
    a new one."""


@dataclass
class Worker:
    """One worker process and its two pipes; ``run_id``: the run whose settings it holds."""

    process: subprocess.Popen
    requests: Connection
    replies: Connection
    cpu: int | None
    run_id: int = 0

    def ask(self, message):
        """Send ``message``, return the reply; a worker's exception is raised here."""
        try:
            self.requests.send(message)
            status, value = self.replies.recv()
        except (EOFError, OSError) as error:
            code = self.process.poll()
            raise WorkerDied(
                f"a JAX worker process (pid {self.process.pid}, CPU {self.cpu}) ended"
                + (f" with exit code {code}" if code is not None else "")
                + "; rerun, or run without workers="
            ) from error
        if status == "error":
            raise value
        return value

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # already ended
            self.requests.send(None)
        for end in (self.requests, self.replies):
            end.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class CorePool:
    """``n`` worker processes, worker i restricted to the i-th CPU this process may use (round robin when ``n`` is
    larger than the CPUs)."""

    size: int
    workers: list[Worker] = field(default_factory=list)
    free: queue.Queue = field(default_factory=queue.Queue)
    broken: bool = False

    @classmethod
    def start(cls, size: int) -> CorePool:
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        pool = cls(size)
        try:
            for i in range(size):
                pool.workers.append(_spawn(cpus[i % len(cpus)] if cpus else None))
        except BaseException:
            pool.stop()
            raise
        import jax

        caching = {name: getattr(jax.config, name) for name in _CACHE_OPTIONS}  # this process's compile cache
        for worker in pool.workers:
            worker.ask(("ready", caching))  # started: JAX imported, restricted to its CPU, the same compile cache
            pool.free.put(worker)
        return pool

    def stop(self) -> None:
        self.broken = True
        for worker in self.workers:
            worker.stop()

    def chunk(self, run_id: int, settings: dict, k: int):
        """Chunk ``k`` of the run ``run_id`` (``settings``: :func:`venturesim.engine.simulate.run_chunk`'s arguments
        but the chunk's index), on the first free worker."""
        worker = self.free.get()
        try:
            if worker.run_id != run_id:
                worker.ask(("run", settings))
                worker.run_id = run_id
            return worker.ask(("chunk", k))
        except WorkerDied:
            self.broken = True
            raise
        finally:
            self.free.put(worker)


_CACHE_OPTIONS = (
    "jax_compilation_cache_dir",
    "jax_persistent_cache_min_compile_time_secs",
    "jax_compilation_cache_max_size",
)
"""JAX's persistent compile cache settings, copied from this process to its workers, so that a worker reads the
kernel this process (or an earlier run) compiled instead of compiling it again."""

_POOLS: dict[int, CorePool] = {}
_POOLS_LOCK = threading.Lock()


def core_pool(size: int) -> CorePool:
    """The process's pool of ``size`` workers, started on first use (and again after a worker died)."""
    if os.name != "posix":
        raise UsageError("workers= with the JAX engine needs a POSIX system (Linux or macOS); run without it")
    with _POOLS_LOCK:
        pool = _POOLS.get(size)
        if pool is None or pool.broken:
            if pool is not None:
                pool.stop()
            pool = _POOLS[size] = CorePool.start(size)
        return pool


@atexit.register
def shutdown_pools() -> None:
    """Stop every worker process (at exit; or to free their memory)."""
    with _POOLS_LOCK:
        for pool in _POOLS.values():
            pool.stop()
        _POOLS.clear()


def run_chunks(size: int, chunks: int, **settings) -> Generator[tuple[int, int, dict, dict, dict], None, None]:
    """A run's ``chunks`` chunks in path order, computed on :func:`core_pool` (``size`` workers, one chunk each at a
    time). ``settings``: the keyword arguments of :func:`venturesim.engine.simulate.run_chunk` but the keys and the
    device, plus ``seed``. If the consumer stops, chunks not yet started are dropped; those in flight finish."""
    pool = core_pool(size)
    run_id = next(_RUN_IDS)
    threads = ThreadPoolExecutor(max_workers=min(size, chunks))  # one per worker: each waits on its worker's reply
    try:
        yield from threads.map(lambda k: pool.chunk(run_id, settings, k), range(chunks))
    finally:
        threads.shutdown(wait=True, cancel_futures=True)


def _spawn(cpu: int | None) -> Worker:
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    env = os.environ | {"JAX_PLATFORMS": "cpu"}
    command = [sys.executable, "-m", "venturesim.engine.core_pool", str(request_read), str(reply_write)]
    try:
        process = subprocess.Popen(
            command + ([] if cpu is None else [str(cpu)]),
            pass_fds=(request_read, reply_write),
            env=env,
            stdin=subprocess.DEVNULL,
        )
    finally:
        os.close(request_read)
        os.close(reply_write)
    return Worker(process, Connection(request_write, readable=False), Connection(reply_read, writable=False), cpu)


def _serve(requests: Connection, replies: Connection) -> None:
    """A worker's loop: answer ("ready", compile cache settings), ("run", settings) and ("chunk", k) until None; an
    exception is sent back (as itself when it pickles, else as a RuntimeError with its traceback)."""
    import pickle
    import traceback

    import jax

    from venturesim.engine import simulate

    settings: dict = {}
    while True:
        try:
            message = requests.recv()
        except EOFError:  # the parent ended without stopping this worker
            return
        if message is None:
            return
        try:
            if message[0] == "run":
                settings = dict(message[1])
                settings["params_key"], settings["process_key"] = simulate.run_keys(settings.pop("seed"))
                reply = None
            elif message[0] == "chunk":
                reply = simulate.run_chunk(k=message[1], device=simulate.placement(), **settings)
            else:
                for name, value in message[1].items():
                    jax.config.update(name, value)
                reply = jax.default_backend()
            replies.send(("ok", reply))
        except Exception as error:  # sent back to the parent, which raises it
            try:
                pickle.dumps(error)
            except Exception:
                error = RuntimeError("".join(traceback.format_exception(error)))
            replies.send(("error", error))


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops sending chunks
    if len(sys.argv) > 3 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(sys.argv[3])})  # before JAX starts: its thread pool gets one thread
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
