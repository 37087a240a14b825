"""Per-file test times from a profiled test run, as a Markdown table (slowest first).

    VENTURESIM_TEST_PROFILE=/tmp/times .venv/bin/python -m pytest -q -n 2 --dist loadfile
    .venv/bin/python benchmarks/test_times.py /tmp/times [--costs tests/xdist_costs.json]

``--costs FILE`` also writes the CPU seconds of every work unit (a file, or ``file[parameter]`` for the files
``tests/conftest.py`` splits) as JSON: the costs by which the test session's scheduler hands out the costliest
units first (``make test-profile`` refreshes tests/xdist_costs.json this way).

Each pytest process (the controller or an xdist worker) writes ``<prefix>.<worker>.json`` (see
``tests/conftest.py``): per test file, the wall and process-CPU seconds of its tests, the XLA compilations
and their seconds, and the hits of JAX's persistent compilation cache (programs another file or worker had
compiled). With ``--dist loadfile`` a file runs on one worker, so a worker's total is the sum of its files.
"""

from __future__ import annotations

import glob
import json
import sys


def main(prefix: str, costs: str | None = None) -> None:
    rows, workers = {}, {}
    for path in sorted(glob.glob(f"{prefix}.*.json")):
        worker = path[len(prefix) + 1 : -len(".json")]
        with open(path) as file:
            for name, row in json.load(file).items():
                rows[name] = row | {"worker": worker}
                workers[worker] = workers.get(worker, 0.0) + row["wall_s"]
    print("| file | worker | wall s | CPU s | compiles | compile s | cache hits |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, r in sorted(rows.items(), key=lambda item: -item[1]["wall_s"]):
        print(
            f"| {name} | {r['worker']} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['compiles']} "
            f"| {r['compile_s']:.1f} | {r['cache_hits']} |"
        )
    total = {k: sum(r[k] for r in rows.values()) for k in ("wall_s", "cpu_s", "compiles", "compile_s", "cache_hits")}
    print(
        f"| **all {len(rows)} files** | | {total['wall_s']:.1f} | {total['cpu_s']:.1f} | {total['compiles']} "
        f"| {total['compile_s']:.1f} | {total['cache_hits']} |"
    )
    if costs:
        with open(costs, "w") as file:
            json.dump({name: round(r["cpu_s"], 1) for name, r in sorted(rows.items())}, file, indent=1)
            file.write("\n")
    print()
    print("Wall seconds of tests per worker: " + ", ".join(f"{w} {s:.0f}" for w, s in sorted(workers.items())))


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], args[args.index("--costs") + 1] if "--costs" in args else None)
