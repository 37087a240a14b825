"""Latency of the commands a founder runs on every edit: `venturesim validate` and a mistyped `--set`.

Each command runs in a fresh interpreter (as a user's shell runs it), and its wall seconds and CPU seconds
(user + system, from ``os.wait4``) are taken. With ``--before DIR`` the same commands also run from another
checkout (``PYTHONPATH=DIR``), interleaved with this one's (before, after, before, after, …) so that both see the
same load; the load average is printed at the start and the end.

    .venv/bin/python benchmarks/cli_latency.py [--repeat 5] [--before /path/to/other/checkout]

Prints a markdown table (medians and every run) for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = str(ROOT / "scenarios" / "seed_stage_api.yaml")  # no product: section (its line in validate runs JAX)

COMMANDS = {
    "`venturesim validate seed_stage_api.yaml`": (["validate", SCENARIO], 0),
    "`venturesim run seed_stage_api.yaml --set market.segments.smb.pirce=3` (exit 3)": (
        ["run", SCENARIO, "--set", "market.segments.smb.pirce=3"],
        3,
    ),
    "`venturesim --help`": (["--help"], 0),
}


def loadavg() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def once(checkout: Path, args: list[str], expected: int) -> tuple[float, float]:
    """(wall s, CPU s) of one command in a fresh interpreter importing venturesim from ``checkout``.

    It runs in a temporary folder: ``python -c`` puts the working folder first on ``sys.path``, which would
    shadow ``PYTHONPATH``.
    """
    env = dict(os.environ, PYTHONPATH=str(checkout))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from venturesim.cli import app; app()", *args],
        cwd=tempfile.gettempdir(),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != expected:
        raise SystemExit(f"{args} exited {code} (expected {expected}) from {checkout}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another checkout to run side by side (e.g. main)")
    opts = parser.parse_args()
    checkouts = {"after": ROOT} if opts.before is None else {"before": opts.before.resolve(), "after": ROOT}
    print(f"load average at start {loadavg()}", file=sys.stderr)
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(opts.repeat):
        for name, (args, expected) in COMMANDS.items():
            for label, checkout in checkouts.items():
                runs.setdefault((name, label), []).append(once(checkout, args, expected))
    end = loadavg()
    print(f"load average at end {end}", file=sys.stderr)
    print("| command | checkout | wall s (median) | CPU s (median) | wall s, every run |")
    print("|---|---|---:|---:|---|")
    for (name, label), values in runs.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        every = ", ".join(f"{w:.2f}" for w in walls)
        print(f"| {name} | {label} | {statistics.median(walls):.2f} | {statistics.median(cpus):.2f} | {every} |")


if __name__ == "__main__":
    main()
