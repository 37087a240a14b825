"""Wall time of each calibration fit on this machine (docs/performance.md, "Calibration fits").

Run: ``python benchmarks/calibrate_fits.py``. NUTS fits use the defaults (2 chains × 1000 draws after
1000 tuning steps, one chain after the other); "total" includes PyTensor's compilation (cached on disk
after the first run of a model), "sampling" is PyMC's own sampling time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

import venturesim.calibrate as cal
from venturesim.calibrate.diffusion import Signups, expected_new

DATA = Path(__file__).parents[1] / "tests" / "data"


def timed(label, fn):
    start = time.perf_counter()
    try:
        out = fn()
    except cal.ConvergenceError as exc:
        print(f"| {label} | {time.perf_counter() - start:.1f} | refused: {exc} |", flush=True)
        return None
    total = time.perf_counter() - start
    sampling = getattr(out, "info", {}).get("sampling_seconds", float("nan"))
    print(f"| {label} | {total:.1f} | {sampling:.1f} |", flush=True)
    return out


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; sampler {cal._mcmc.nuts_sampler()}")
    print("| fit | total s | sampling s |\n|---|---|---|")
    cohorts = cal.read_cohorts(DATA / "fader_hardie_2007_cohorts.csv", periods=7)
    timed("sBG MLE, 2 segments (Fader & Hardie 2007)", lambda: [cal.sbg_mle(cohorts, s) for s in cohorts.segments])
    timed("sBG NUTS, 2 segments", lambda: cal.sbg(cohorts, seed=1))
    rfm = cal.read_rfm(DATA / "cdnow_summary.csv")
    timed("BG/NBD MLE, 2,357 CDNOW customers", lambda: cal.bgnbd_mle(rfm))
    timed("Gamma-Gamma MLE, 946 repeaters", lambda: cal.gamma_gamma_mle(rfm.x, rfm.zbar))
    rng = np.random.default_rng(3)
    one = Signups({"smb": rng.poisson(expected_new(0.06, 0.9, 20_000, 48))})
    timed("Bass NUTS, 1 segment × 48 months (negative binomial)", lambda: cal.bass(one, seed=1))
    three = Signups({f"s{k}": rng.poisson(expected_new(0.05 + 0.01 * k, 0.8, 10_000, 36)) for k in range(3)})
    timed("Bass NUTS, hierarchical, 3 segments × 36 months", lambda: cal.bass(three, hierarchical=True, seed=1))
    mrr = 10_000 * np.exp(0.08 * np.arange(24) + 0.05 * rng.standard_normal(24))
    timed("Revenue NUTS, 24 months", lambda: cal.revenue(mrr, seed=1))


if __name__ == "__main__":
    main()
