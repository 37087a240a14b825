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
5th ed., §11.2, "common random numbers"). A difference of medians (or of
any quantile) gets a paired bootstrap standard error: the path indices are
resampled with replacement, 200 times, the same indices for both variants,
from a fixed seed (:data:`BOOTSTRAP_SEED`: the table is the same on every
call); the column ``se_independent`` is what two independent runs would give,
√(SE_a² + SE_b²), for comparison.

Money figures, one convention: a path dead by the figure's month counts as
$0 of cash and of ARR (not its negative balance at death: the shortfall is
the summary's own row); a path sold or listed keeps the cash it had at its
exit, and its ARR, the buyer's from then on, is $0. The founders' mean
ownership counts a dead company's as 0 too (its founders own nothing of
value): a mean over every path, so that the variants stay paired.
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
"""Resamples for the paired bootstrap SE of a difference of medians or quantiles."""
BOOTSTRAP_SEED = 20_240_601
"""The bootstrap's fixed seed: a comparison's table is the same on every call."""
KS_95 = 1.358
"""Kolmogorov's 5 % critical value of √(n m/(n+m)) · sup|F_n − G_m|."""
MONEY_CONVENTION = "money: a dead path counts $0"
"""The money figures' convention in a few words, for the tables' titles (module docstring)."""
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
                        {k: dead_as_zero(r, r.data["cash"].values[:, m - 1], m) for k, r in results.items()},
                        "USD",
                    )
        for var, label, unit in (
            ("final_cash", f"cash at month {months}", "USD"),
            ("final_arr", f"ARR at month {months}", "USD"),
        ):
            values = {k: dead_as_zero(r, r.data[var].values, months) for k, r in results.items()}
            out[f"mean {label}"] = ("mean", values, unit)
            out[f"median {label}"] = ("median", values, unit)
        out[f"mean founder ownership at month {months} (a dead company = 0)"] = (
            "mean",
            {k: dead_as_zero(r, r.data["final_founder_ownership"].values, months) for k, r in results.items()},
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
        common random numbers: s_d/√n for means, the paired bootstrap for medians), se_independent
        (√(SE_a² + SE_b²), what independent runs would give), unit. Money figures count a dead path
        as $0 (module docstring).
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
                diff, se_diff = paired_difference(v, b, kind)
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
            b = dead_as_zero(base, base.data[var].values, base.months)
            for name, r in list(self.results.items())[1:]:
                v = dead_as_zero(r, r.data[var].values, r.months)
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
                    stress_charts.fan_overlay_data(self.results, metric), f"{title} (operating paths)", money
                )
        return charts

    def report(self, title: str = "Comparison", notes: Sequence[str] = ()) -> str:
        """One self-contained HTML page: the table, the dominance checks and the overlaid charts."""
        from venturesim.report import render_report

        first = self.results[self.baseline]
        subtitle = (
            f"{len(self.results)} variants × {first.paths:,} paths × {first.months} months, seed {first.seed}, "
            "common random numbers; differences are against " + repr(self.baseline) + "; " + MONEY_CONVENTION
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


def dead_as_zero(result, values, month: int) -> np.ndarray:
    """Per-path money ``values`` at the end of ``month`` (1-based) with the paths dead by then set to $0.

    A dead path's cash stays at its negative balance at death (the bills it could not pay); as a value it is
    worth $0, the convention of every money figure of a comparison (and of the summary's all-paths rows).
    """
    values = np.asarray(values, np.float64)
    death = np.asarray(result.data["death_month"].values)  # −1: alive at the horizon; t: died in month t + 1
    return np.where((death >= 0) & (death < month), 0.0, values)


def paired_difference(
    a: np.ndarray, b: np.ndarray, kind: str = "mean", seed: int = BOOTSTRAP_SEED, q: float = 0.5
) -> tuple[float, float]:
    """Difference of a statistic between paired samples (a_i, b_i) and its standard error.

    ``mean``: d̄ and s_d/√n. ``median`` (or ``quantile``, at ``q``): Q_q(a) − Q_q(b) and the paired bootstrap
    SE: :data:`BOOTSTRAP` resamples of the path indices, each used for both samples, from ``seed``; the SE is
    the resampled differences' standard deviation (n − 1). Non-finite values (+inf runways) stay in the
    quantiles; an SE that they make undefined is NaN.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in size: {a.shape} and {b.shape}")
    if kind == "mean":
        return _stats.mean(a - b)
    if kind not in ("median", "quantile"):
        raise ValueError(f"kind must be mean, median or quantile, not {kind!r}")
    q = 0.5 if kind == "median" else q
    diff = float(np.quantile(a, q) - np.quantile(b, q))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(BOOTSTRAP, len(a)))
    boot = np.quantile(a[idx], q, axis=1) - np.quantile(b[idx], q, axis=1)
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
