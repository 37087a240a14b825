"""Reverse stress tests: how far can an input move before a claim's probability crosses a line?

**Goal seek.** For an override ``PATH OP x`` (``=`` sets the input to x,
``*=`` scales it by x, ``+=`` shifts it) and a claim C, let
f(x) = P(C | the scenario with PATH OP x), estimated on n paths with common
random numbers (the same seed for every x, so f̂ is one fixed, nearly
monotone function of x rather than a fresh noisy draw at each x). Bisection
on [lo, hi] finds x* with f̂(x*) = target to within ``tolerance``; it needs
f̂(lo) − target and f̂(hi) − target of opposite signs.

Its uncertainty, by the delta method: f̂(x*) has binomial standard error
s = √(p(1 − p)/n), so x* has SE(x*) ≈ s / |f′(x*)|, with the slope f′ the
least-squares slope of the evaluated points whose f̂ lies within 0.25 of the
target (at least the two bracketing ones). The interval x* ± 1.96 SE(x*) is
approximate: it is the sampling error of the n paths, not a statement about
the model.

**Reverse lookup.** :func:`inputs_given` compares each uncertain input's
draws on a subset of paths (those that died, the top decile of an outcome,
those where the claims hold) with its prior (all paths): the medians, where
the subset's median falls in the prior (its percentile; 50 % = no shift) and
the two-sample Kolmogorov–Smirnov distance sup|F_subset − F_all|.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from venturesim.analysis import _stats
from venturesim.analysis.claims import Claim, parse_claim

MAX_EVALUATIONS = 16
"""Most bisection steps after the two ends of the bracket."""


@dataclass
class GoalSeek:
    """The answer of :func:`goal_seek`.

    Attributes
    ----------
    path, op : the override varied (``market.segments.smb.price``, ``*=``).
    claim : the claim whose probability is sought.
    target : the probability aimed at.
    value : x*, the input's break point.
    se : its standard error (delta method); ``low``, ``high``: x* ∓ 1.96 SE.
    probability, probability_se : f̂ at the evaluation nearest x*, and its SE.
    trace : every evaluation: columns x, value (f̂(x)), se.
    """

    path: str
    op: str
    claim: Claim
    target: float
    value: float
    se: float
    probability: float
    probability_se: float
    trace: pd.DataFrame = field(repr=False)

    @property
    def low(self) -> float:
        """Lower end of the 95 % interval of x*."""
        return self.value - _stats.Z975 * self.se

    @property
    def high(self) -> float:
        """Upper end of the 95 % interval of x*."""
        return self.value + _stats.Z975 * self.se

    def summary(self) -> pd.DataFrame:
        """The answer and every evaluation in the report's long form (section, metric, statistic, value, se, unit)."""
        label = f"{self.path} {self.op} x"
        rows = [
            ("answer", f"x where P({self.claim.label}) = {self.target:.0%}", label, self.value, self.se, ""),
            ("answer", "95 % interval, low", label, self.low, np.nan, ""),
            ("answer", "95 % interval, high", label, self.high, np.nan, ""),
        ]
        for row in self.trace.sort_values("x").itertuples():
            rows.append(("evaluations", f"x = {row.x:.6g}", f"P({self.claim.label})", row.value, row.se, "probability"))
        return pd.DataFrame(rows, columns=["section", "metric", "statistic", "value", "se", "unit"])

    def report(self, title: str = "Goal seek") -> str:
        """One self-contained HTML page: the answer, the evaluations and the chart."""
        from venturesim.report import render_report

        subtitle = f"{self.path} {self.op} x: P({self.claim.label}) against x, common random numbers"
        return render_report(f"Goal seek: {title}", subtitle, self.summary(), {"Goal seek": self.chart()})

    def chart(self):
        """f̂ at every evaluated x with ±1.96 SE bars, the target line and the answer (Altair)."""
        from venturesim.report.stress_charts import plot_goal_seek

        return plot_goal_seek(self.trace, self.target, self.value, f"{self.path} {self.op} x", f"P({self.claim.label})")


def goal_seek(
    scenario,
    path: str,
    claim: str | Claim,
    target: float,
    bracket: tuple[float, float],
    *,
    op: str = "=",
    paths: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    tolerance: float | None = None,
    progress=None,
) -> GoalSeek:
    """Find x with P(claim | scenario with ``path op x``) = ``target`` (see the module docstring).

    Parameters
    ----------
    scenario : a Scenario, YAML path or dict.
    path : the input to vary, as in ``--set`` (``market.segments.developers.price``).
    claim : a claim sentence (``"alive at month 36"``) or a parsed Claim.
    target : the probability, in (0, 1).
    bracket : (lo, hi), the values of x between which the answer lies.
    op : ``=`` (x is the value), ``*=`` (x scales it) or ``+=`` (x shifts it).
    tolerance : stop when the bracket is narrower (default: (hi − lo)/1000).

    Raises
    ------
    UsageError
        If the bracket does not straddle the target (both ends' probabilities are given).
    """
    import venturesim as vs
    from venturesim.engine.metrics import DEFAULT_METRICS
    from venturesim.spec.errors import UsageError

    if op not in ("=", "*=", "+=", "-=", "/="):
        raise UsageError(f"op(={op!r}) must be one of =, *=, /=, +=, -=")
    if not 0 < target < 1:
        raise UsageError(f"target(={target}) must be a probability strictly between 0 and 1")
    lo, hi = (float(b) for b in bracket)
    if not lo < hi:
        raise UsageError(f"the bracket must be (low, high) with low < high, found {bracket}")
    claim = claim if isinstance(claim, Claim) else parse_claim(claim)
    scenario = vs.load(scenario)
    settings = scenario.simulation
    paths = settings.paths if paths is None else paths
    seed = settings.seed if seed is None else seed
    months = settings.months if months is None else months
    metrics = list(dict.fromkeys([*DEFAULT_METRICS, *claim.metrics()]))
    tolerance = (hi - lo) / 1000 if tolerance is None else tolerance
    trace: list[tuple[float, float, float]] = []

    def f(x: float) -> float:
        variant = scenario.override([f"{path}{op}{x!r}"])
        result = vs.simulate(variant, paths=paths, seed=seed, months=months, metrics=metrics)
        p, se = _stats.proportion(claim.holds(result))
        trace.append((x, p, se))
        if progress is not None:
            progress(len(trace), MAX_EVALUATIONS + 2)
        return p - target

    f_lo, f_hi = f(lo), f(hi)
    if f_lo == 0:
        hi, f_hi = lo, f_lo
    elif f_hi == 0:
        lo, f_lo = hi, f_hi
    elif np.sign(f_lo) == np.sign(f_hi):
        raise UsageError(
            f"P({claim.label}) is {f_lo + target:.1%} at {path}{op}{lo:g} and {f_hi + target:.1%} at "
            f"{path}{op}{hi:g}: both on the same side of {target:.1%}; widen the bracket"
        )
    for _ in range(MAX_EVALUATIONS):
        if hi - lo <= tolerance:
            break
        mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        if f_mid == 0:
            lo = hi = mid
            break
        if np.sign(f_mid) == np.sign(f_lo):
            lo, f_lo = mid, f_mid
        else:
            hi, f_hi = mid, f_mid
    root = 0.5 * (lo + hi)
    table = pd.DataFrame(trace, columns=["x", "value", "se"])
    nearest = table.iloc[int(np.argmin(np.abs(table["x"] - root)))]
    se_p = float(np.sqrt(target * (1 - target) / paths))
    slope = _slope(table, target)
    se_x = se_p / abs(slope) if slope else float("inf")
    return GoalSeek(path, op, claim, target, root, se_x, float(nearest["value"]), float(nearest["se"]), table)


def _slope(table: pd.DataFrame, target: float) -> float:
    """Least-squares slope df/dx of the evaluations near the target (see the module docstring)."""
    near = table[np.abs(table["value"] - target) <= 0.25]
    if near["x"].nunique() < 2:
        near = table
    x, y = near["x"].to_numpy(), near["value"].to_numpy()
    if np.ptp(x) == 0:
        return 0.0
    return float(np.polyfit(x, y, 1)[0])


def inputs_given(result, mask: np.ndarray, names: list[str] | None = None) -> pd.DataFrame:
    """Each uncertain input on the paths in ``mask`` against its prior (all paths), most shifted first.

    Columns: input, prior_median, median (on the subset), median_percentile (where the subset's median
    falls in the prior: 0.5 = no shift), ks (sup|F_subset − F_all|, the two-sample Kolmogorov–Smirnov
    distance), paths (in the subset). Inputs that do not vary are left out.
    """
    mask = np.asarray(mask, bool)
    inputs = result.inputs
    rows = []
    for name in names or list(inputs.columns):
        values = np.asarray(inputs[name].values, np.float64)
        if np.ptp(values) == 0 or not mask.any():
            continue
        subset = values[mask]
        prior_sorted = np.sort(values)
        median = float(np.median(subset))
        percentile = float(
            np.searchsorted(prior_sorted, median, side="left") + np.searchsorted(prior_sorted, median, side="right")
        ) / (2 * len(values))
        grid = np.sort(subset)
        f_sub = np.searchsorted(grid, prior_sorted, side="right") / len(subset)
        f_all = np.searchsorted(prior_sorted, prior_sorted, side="right") / len(values)  # ties counted
        rows.append(
            (name, float(np.median(values)), median, percentile, float(np.max(np.abs(f_sub - f_all))), int(mask.sum()))
        )
    table = pd.DataFrame(rows, columns=["input", "prior_median", "median", "median_percentile", "ks", "paths"])
    return table.sort_values("ks", ascending=False, ignore_index=True)


def reverse_lookup(result, subset: str = "died", outcome: str = "final_cash") -> pd.DataFrame:
    """What the inputs looked like on the paths that ``died`` (by the horizon) or on the ``top_decile``
    (or ``bottom_decile``) of a per-path ``outcome`` (``final_cash``, ``final_arr``, ``founder_proceeds``
    …), against their priors (:func:`inputs_given`)."""
    from venturesim.spec.errors import UsageError

    if subset == "died":
        mask = result.data["death_month"].values >= 0
    elif subset in ("top_decile", "bottom_decile"):
        if outcome not in result.data or result.data[outcome].dims != ("path",):
            raise UsageError(f"outcome {outcome!r} is not a per-path result (try final_cash, final_arr)")
        values = np.asarray(result.data[outcome].values, np.float64)
        cut = np.quantile(values, 0.9 if subset == "top_decile" else 0.1)
        mask = values >= cut if subset == "top_decile" else values <= cut
    else:
        raise UsageError(f"subset(={subset!r}) must be 'died', 'top_decile' or 'bottom_decile'")
    return inputs_given(result, mask)
