"""Compare strategies or shocks on common random numbers.

Every variant is simulated with the same seed, paths and horizon. Path i of
every variant then sees the same draws of every input the variants share
(each input's normal variate comes from its own stream, keyed by the input's
name and the path; :mod:`venturesim.spec.sampling`) and the same process
noise. A figure's difference between variants A and B is the mean of the
per-path differences, d̄ = (1/n) Σ (a_i − b_i), with standard error

    SE(d̄) = s_d / √n,    s_d² = var(a_i − b_i) = s_a² + s_b² − 2 cov(a, b),

which is far smaller than the independent runs' √(SE_a² + SE_b²) when the
paths are positively correlated (Law, *Simulation Modeling and Analysis*,
5th ed., §11.2, "common random numbers"). Medians' differences get a paired
bootstrap standard error (the paths resampled together, 200 resamples).
The compiled kernel is reused across variants of the same shape (same
segments, rounds, risks and metrics): only the input arrays change.

First-order stochastic dominance: A dominates B on an outcome X when
F_A(x) ≤ F_B(x) for every x (A is at least as likely as B to exceed any
level). It is checked on the empirical CDFs; a gap up to the two-sample
Kolmogorov–Smirnov 5 % critical value 1.358·√(2/n) counts as no gap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from venturesim.analysis import _stats
from venturesim.analysis.claims import Claim, alive_at, parse_claim

BOOTSTRAP = 200
"""Resamples for the paired bootstrap SE of a difference of medians."""
KS_95 = 1.358
"""Kolmogorov's 5 % critical value of √(n m/(n+m)) · sup|F_n − G_m|."""
DOMINANCE_OUTCOMES = {"final_cash": "cash at the horizon", "final_arr": "ARR at the horizon"}


def run_variants(
    scenarios: Mapping[str, Any],
    *,
    paths: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    metrics: Sequence[str] = (),
    progress=None,
) -> dict:
    """Simulate each scenario with the same seed, paths and months (common random numbers).

    ``paths``, ``seed`` and ``months`` default to the first scenario's ``simulation`` settings;
    ``metrics`` are recorded on top of the defaults (and the targets' own). Returns {name: Result} in
    the given order, each the same as ``vs.simulate`` of it; the variants run through the sweeps'
    machinery (:func:`venturesim.engine.variants.run_many`: one compiled kernel per shape, kernel
    calls of every variant on a thread per core).
    """
    import venturesim as vs
    from venturesim.analysis.sweep import run_settings
    from venturesim.engine.metrics import DEFAULT_METRICS
    from venturesim.engine.variants import run_many
    from venturesim.spec.errors import UsageError

    if not scenarios:
        raise UsageError("compare needs at least one scenario")
    loaded = {name: vs.load(sc) for name, sc in scenarios.items()}
    names, variants = list(loaded), list(loaded.values())
    paths, seed, months, needed = run_settings(
        variants, paths=paths, seed=seed, months=months, metrics=[*DEFAULT_METRICS, *metrics]
    )
    results: dict = {}

    def on_result(i: int, result) -> None:
        results[names[i]] = result
        if progress is not None:
            progress(len(results), len(names))

    run_many(variants, paths=paths, seed=seed, months=months, metrics=needed, on_result=on_result)
    return {name: results[name] for name in names}


@dataclass
class Comparison:
    """Variants simulated on common random numbers, and their figures side by side.

    Attributes
    ----------
    results : {name: Result}, the first is the baseline.
    claims : extra claims whose probabilities are compared (with the scenarios' targets).
    notes : what was run (stress packs applied and skipped), shown under the report.
    """

    results: dict
    claims: list[Claim] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> str:
        """The first variant's name: differences are against it."""
        return next(iter(self.results))

    def figures(self) -> dict[str, tuple[str, dict[str, np.ndarray], str]]:
        """Per-path values of each compared figure: label → (kind, {variant: values}, unit).

        kind is ``mean`` (a probability or a mean) or ``median``.
        """
        results = self.results
        first = next(iter(results.values()))
        months = first.months
        out: dict[str, tuple[str, dict[str, np.ndarray], str]] = {}
        for m in sorted({12, 24, 36, months}):
            if m <= months:
                out[f"P(alive at month {m})"] = (
                    "mean",
                    {k: alive_at(r, m).astype(np.float64) for k, r in results.items()},
                    "fraction",
                )
        if all("cash" in r.data for r in results.values()):
            for m in sorted({12, 24} - {months}):
                if m < months:
                    out[f"mean cash at month {m}"] = (
                        "mean",
                        {k: np.asarray(r.data["cash"].values[:, m - 1], np.float64) for k, r in results.items()},
                        "USD",
                    )
        for var, label, unit in (
            ("final_cash", f"cash at month {months}", "USD"),
            ("final_arr", f"ARR at month {months}", "USD"),
        ):
            values = {k: np.asarray(r.data[var].values, np.float64) for k, r in results.items()}
            out[f"mean {label}"] = ("mean", values, unit)
            out[f"median {label}"] = ("median", values, unit)
        out[f"mean founder ownership at month {months}"] = (
            "mean",
            {k: np.asarray(r.data["final_founder_ownership"].values, np.float64) for k, r in results.items()},
            "fraction",
        )
        shared = set.intersection(*(set(map(str, r.data["round"].values)) for r in results.values()))
        for name in [str(n) for n in first.data["round"].values if str(n) in shared]:
            out[f"P(round '{name}' closed)"] = (
                "mean",
                {
                    k: (r.data["round_status"].sel(round=name).values == 2).astype(np.float64)
                    for k, r in results.items()
                },
                "fraction",
            )
        from venturesim.analysis.targets import target_claims

        claims = list(self.claims)
        for r in results.values():
            claims += [c for c in target_claims(r.scenario) if c not in claims]
        for claim in claims:
            try:
                values = {k: claim.holds(r).astype(np.float64) for k, r in results.items()}
            except ValueError:  # a round or metric one variant lacks
                continue
            out[f"P({claim.label})"] = ("mean", values, "fraction")
        return out

    def table(self) -> pd.DataFrame:
        """The figures side by side: one row per figure and variant.

        Columns: figure, variant, value, se, difference (vs the baseline), se_difference (paired,
        common random numbers), se_independent (√(SE_a² + SE_b²), what independent runs would give),
        unit.
        """
        rows = []
        base = self.baseline
        for label, (kind, values, unit) in self.figures().items():
            b = values[base]
            for name, v in values.items():
                value, se = _stats.mean(v) if kind == "mean" else _stats.quantile(v, 0.5)
                if name == base:
                    rows.append((label, name, value, se, np.nan, np.nan, np.nan, unit))
                    continue
                _, se_b = _stats.mean(b) if kind == "mean" else _stats.quantile(b, 0.5)
                diff, se_diff = paired_difference(v, b, kind, seed=len(rows))
                rows.append((label, name, value, se, diff, se_diff, float(np.hypot(se, se_b)), unit))
        return pd.DataFrame(
            rows, columns=["figure", "variant", "value", "se", "difference", "se_difference", "se_independent", "unit"]
        )

    def dominance(self, outcomes: Mapping[str, str] | None = None) -> pd.DataFrame:
        """First-order stochastic dominance of each variant against the baseline.

        Columns: outcome, variant, gap_up = sup(F_base − F_variant) (how far the variant is ahead
        somewhere), gap_down = sup(F_variant − F_base), tolerance, verdict (``dominates``,
        ``dominated``, ``same`` or ``neither``).
        """
        outcomes = DOMINANCE_OUTCOMES if outcomes is None else outcomes
        base = self.results[self.baseline]
        rows = []
        for var, label in outcomes.items():
            b = np.asarray(base.data[var].values, np.float64)
            for name, r in list(self.results.items())[1:]:
                v = np.asarray(r.data[var].values, np.float64)
                up, down = cdf_gaps(v, b)
                tol = KS_95 * np.sqrt(2.0 / len(v))
                verdict = (
                    "same"
                    if up <= tol and down <= tol
                    else "dominates"
                    if down <= tol
                    else "dominated"
                    if up <= tol
                    else "neither"
                )
                rows.append((label, name, up, down, tol, verdict))
        return pd.DataFrame(rows, columns=["outcome", "variant", "gap_up", "gap_down", "tolerance", "verdict"])

    def summary(self) -> pd.DataFrame:
        """The table in the report's long form (section, metric, statistic, value, se, unit)."""
        rows = []
        for row in self.table().itertuples():
            rows.append((row.figure, row.variant, "value", row.value, row.se, row.unit))
            if not np.isnan(row.difference):
                rows.append(
                    (
                        row.figure,
                        f"{row.variant} − {self.baseline}",
                        "difference",
                        row.difference,
                        row.se_difference,
                        row.unit,
                    )
                )
        for row in self.dominance().itertuples():
            rows.append(
                (
                    "stochastic dominance",
                    f"{row.variant} vs {self.baseline}: {row.outcome}",
                    row.verdict,
                    max(row.gap_up, row.gap_down),
                    np.nan,
                    "fraction",
                )
            )
        return pd.DataFrame(rows, columns=["section", "metric", "statistic", "value", "se", "unit"])

    def charts(self) -> dict:
        """Overlaid survival and fan charts (Altair), caption → chart."""
        from venturesim.report import stress_charts

        charts = {"Survival": stress_charts.plot_survival_overlay(stress_charts.survival_overlay_data(self.results))}
        for metric, title, money in (("cash", "Cash", True), ("arr", "ARR", True)):
            if all(metric in r.data for r in self.results.values()):
                charts[title] = stress_charts.plot_fan_overlay(
                    stress_charts.fan_overlay_data(self.results, metric),
                    f"{title} (median, 10th-90th percentile)",
                    money,
                )
        return charts

    def report(self, title: str = "Comparison", notes: Sequence[str] = ()) -> str:
        """One self-contained HTML page: the table, the dominance checks and the overlaid charts."""
        from venturesim.report import render_report

        first = self.results[self.baseline]
        subtitle = (
            f"{len(self.results)} variants × {first.paths:,} paths × {first.months} months, seed {first.seed}, "
            "common random numbers; differences are against " + repr(self.baseline)
        )
        return render_report(title, subtitle, self.summary(), self.charts(), [*self.notes, *notes])


def compare(
    scenarios: Mapping[str, Any],
    *,
    paths: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    claims: Sequence[str | Claim] = (),
    progress=None,
) -> Comparison:
    """Simulate named variants on common random numbers and compare them.

    ``vs.compare({"raise big": sc1, "raise small": sc2})``: the first is the baseline.
    ``claims`` (sentences, :mod:`venturesim.analysis.claims`) add their probabilities to the table.
    """
    parsed = [c if isinstance(c, Claim) else parse_claim(c) for c in claims]
    metrics = [m for c in parsed for m in c.metrics()]
    results = run_variants(scenarios, paths=paths, seed=seed, months=months, metrics=metrics, progress=progress)
    return Comparison(results, parsed)


def paired_difference(a: np.ndarray, b: np.ndarray, kind: str = "mean", seed: int = 0) -> tuple[float, float]:
    """Difference of a statistic between paired samples (a_i, b_i) and its standard error.

    ``mean``: d̄ and s_d/√n; ``median``: median(a) − median(b) and the paired bootstrap SE
    (paths resampled together; non-finite values, e.g. +inf runways, are kept in the medians).
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if kind == "mean":
        return _stats.mean(a - b)
    diff = float(np.median(a) - np.median(b))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(BOOTSTRAP, len(a)))
    boot = np.median(a[idx], axis=1) - np.median(b[idx], axis=1)
    return diff, float(np.std(boot, ddof=1)) if np.isfinite(boot).all() else float("nan")


def cdf_gaps(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(sup_x (F_b(x) − F_a(x)), sup_x (F_a(x) − F_b(x))) of two samples' empirical CDFs.

    The first is how far ``a`` lies to the right of ``b`` somewhere (a larger), the second how far
    to the left. ``a`` dominates ``b`` (first order) when the second is 0.
    """
    a, b = np.sort(np.asarray(a, np.float64)), np.sort(np.asarray(b, np.float64))
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / len(a)
    fb = np.searchsorted(b, grid, side="right") / len(b)
    return float(max(np.max(fb - fa), 0.0)), float(max(np.max(fa - fb), 0.0))
