"""Where the compiled kernel's time goes, by the line of venturesim that wrote each operation (issue 21).

One warm block of 4,096 paths × 60 months of a scenario (default metrics), ``run_block`` compiled as the engine
compiles it, is traced three times with ``jax.profiler``. Each XLA operation's *own* time (its span less the spans
nested in it on the same thread) is summed, then attributed through the compiled program's stack frames (the
``FileNames`` … ``StackFrames`` tables of ``compiled.as_text()``) to the innermost frame in a venturesim file that is
not in ``--skip`` (default: ``_xp.py``, the array-library switch, so a ``when`` or a fold counts for its caller).
Operations inside a loop's body keep only the loop's own frames (XLA outlines the body), so a sampler's terms are
attributed to the sampler, not to its caller: skip the sampler's file to see the callers of what is not in a loop.

    .venv/bin/python benchmarks/kernel_trace.py scenarios/sales_led_enterprise_ai.yaml [--top 25] [--skip _xp.py]

Prints the process CPU ns per path-month of the untraced warm calls, then two markdown tables — the share of the
operations' time by function and by line — for docs/performance.md.
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import re
import tempfile
import time
from pathlib import Path

import jax
import numpy as np

import venturesim as vs
import venturesim.engine.jax_engine as je
from venturesim.engine.metrics import DEFAULT_METRICS
from venturesim.engine.params import sample_with_draws
from venturesim.engine.simulate import path_keys, run_keys

MONTHS = 60
CALLS = 3


def compiled_block(scenario: str):
    """(the compiled kernel, its arguments) for one block of the scenario, as ``run_block`` compiles it."""
    params_key, process_key = run_keys(1)
    params, _ = sample_with_draws(vs.load(scenario), params_key, months=MONTHS, path_index=np.arange(je.BLOCK))
    keys = path_keys(process_key, np.arange(1, dtype=np.uint32))
    lowered = je.run_block.lower(params, keys, months=MONTHS, metrics=tuple(sorted(DEFAULT_METRICS)), width=1)
    return lowered.compile(), (params, keys)


def warm_times(compiled, arguments, calls: int = 5) -> tuple[list[float], list[float]]:
    """(process CPU seconds, wall seconds) of each of ``calls`` warm calls of ``compiled(*arguments)``."""
    cpu, wall = [], []
    for _ in range(calls):
        c, w = time.process_time(), time.perf_counter()
        jax.block_until_ready(compiled(*arguments))
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return cpu, wall


def own_times(trace_folder: str) -> collections.Counter:
    """µs of each operation name's own time over the traced calls (nested spans on a thread subtracted)."""
    path = sorted(glob.glob(f"{trace_folder}/plugins/profile/*/*.trace.json.gz"))[-1]
    with gzip.open(path) as file:
        events = [e for e in json.load(file)["traceEvents"] if e.get("ph") == "X"]
    threads = collections.defaultdict(list)
    for event in events:
        threads[(event["pid"], event["tid"])].append(event)
    own: collections.Counter = collections.Counter()
    for spans in threads.values():
        spans.sort(key=lambda e: (e["ts"], -e["dur"]))
        open_spans: list[dict] = []
        for span in spans:
            while open_spans and open_spans[-1]["ts"] + open_spans[-1]["dur"] <= span["ts"]:
                open_spans.pop()
            if open_spans:
                own[open_spans[-1]["name"]] -= span["dur"]
            own[span["name"]] += span["dur"]
            open_spans.append(span)
    return collections.Counter({n: t for n, t in own.items() if not n.startswith(("$", "ThunkExecutor"))})


def frames_of(hlo: str):
    """A function from an operation's name to its stack, innermost first: (file, function, line) triples."""

    def table(name: str, pattern: str) -> list[tuple[str, ...]]:  # the numbered lines under the table's title
        lines = hlo.split(f"\n{name}\n", 1)[1].splitlines()
        rows = lines[: next((i for i, row in enumerate(lines) if not row[:1].isdigit()), len(lines))]
        return re.findall(pattern, "\n".join(rows), re.M)

    files = dict(table("FileNames", r'^(\d+) "([^"]*)"'))
    functions = dict(table("FunctionNames", r'^(\d+) "([^"]*)"'))
    locations = {
        i: (files[f], functions[fn], int(line))
        for i, f, fn, line in table("FileLocations", r"^(\d+) \{file_name_id=(\d+) function_name_id=(\d+) line=(\d+)")
    }
    parents = {
        i: (loc, parent)
        for i, loc, parent in table("StackFrames", r"^(\d+) \{file_location_id=(\d+) parent_frame_id=(\d+)")
    }
    frame_of_op = dict(re.findall(r"^\s*(?:ROOT )?%([\w.\-]+) = [^\n]*stack_frame_id=(\d+)", hlo, re.M))

    def stack(op: str) -> list[tuple[str, str, int]]:
        out, frame, seen = [], frame_of_op.get(op), set()
        while frame in parents and frame not in seen:
            seen.add(frame)
            location, frame = parents[frame]
            out.append(locations[location])
        return out

    return stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--skip", nargs="*", default=["_xp.py"], help="venturesim files whose frames count for the caller"
    )
    args = parser.parse_args()
    compiled, arguments = compiled_block(args.scenario)
    jax.block_until_ready(compiled(*arguments))
    cpu, _ = warm_times(compiled, arguments)
    print(f"{Path(args.scenario).name}: {np.median(cpu) / (je.BLOCK * MONTHS) * 1e9:.0f} CPU ns per path-month")
    with tempfile.TemporaryDirectory() as folder:
        with jax.profiler.trace(folder):
            for _ in range(CALLS):
                jax.block_until_ready(compiled(*arguments))
        own = own_times(folder)
    stack = frames_of(compiled.as_text())
    by_function: collections.Counter = collections.Counter()
    by_line: collections.Counter = collections.Counter()
    for op, micros in own.items():
        ours = [f for f in stack(op) if "venturesim/" in f[0] and Path(f[0]).name not in args.skip]
        file, function, line = ours[0] if ours else ("(no venturesim frame)", "", 0)
        file = file.split("venturesim/", 1)[-1]
        by_function[f"{file}:{function}"] += micros
        by_line[f"{file}:{function}:{line}"] += micros
    total = sum(own.values())
    for title, counts in (("function", by_function), ("line", by_line)):
        print(f"\n| {title} | share of the operations' time |\n|---|---:|")
        for name, micros in counts.most_common(args.top):
            print(f"| `{name}` | {100 * micros / total:.1f} % |")


if __name__ == "__main__":
    main()
