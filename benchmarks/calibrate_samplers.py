"""PyMC's NUTS against NumPyro's JAX NUTS (through PyMC) on the sBG and BG/NBD fits (docs/performance.md).

Run: ``python benchmarks/calibrate_samplers.py [draws]`` with NumPyro importable (it is not a dependency:
``pip install 'numpyro>=0.15,<1'``, or ``PYTHONPATH=/path/to/numpyro`` for a one-off). Each fit runs twice
per sampler, 2 chains one after the other: the first run includes compiling (PyTensor to C for PyMC, to
JAX/XLA for NumPyro), the second reuses PyTensor's disk cache (PyMC) but recompiles the JAX function
(NumPyro compiles per call). "sampling" is the sampler's own time, from PyMC's ``sampling_time``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import venturesim.calibrate as cal
from venturesim.calibrate import bgnbd as bg

DATA = Path(__file__).parents[1] / "tests" / "data"


def main(draws: int = 1000) -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {draws} tuning steps and draws")
    print("| fit | sampler | run | total s | sampling s | R-hat max |\n|---|---|---|---:|---:|---:|")
    cohorts = cal.read_cohorts(DATA / "fader_hardie_2007_cohorts.csv", periods=7)
    rfm = bg.read_rfm(DATA / "cdnow_summary.csv")
    fits = {
        "sBG, 2 segments": lambda s: cal.sbg(cohorts, seed=1, draws=draws, tune=draws, sampler=s),
        "BG/NBD, 2,357 CDNOW customers": lambda s: bg.bgnbd(rfm, seed=1, draws=draws, tune=draws, sampler=s),
    }
    for label, fit in fits.items():
        for sampler in ("pymc", "numpyro"):
            for run in (1, 2):
                start = time.perf_counter()
                try:
                    post = fit(sampler)
                except cal.ConvergenceError as exc:
                    print(f"| {label} | {sampler} | {run} | {time.perf_counter() - start:.1f} | refused: {exc} | |")
                    continue
                total = time.perf_counter() - start
                sampling = post.info.get("sampling_seconds", float("nan"))
                rhat = post.diagnostics["r_hat"].max()
                print(f"| {label} | {sampler} | {run} | {total:.1f} | {sampling:.1f} | {rhat:.3f} |", flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
