r"""Shifted-beta-geometric retention fitted to a cohort table (contractual customers).

Model (Fader & Hardie 2007, "How to project customer retention", *Journal of
Interactive Marketing* 21(1): 76–90; the maths is in
:mod:`venturesim.market.retention`): a customer churns each period with
probability θ, θ ~ Beta(α, β) across customers. A cohort of S₀ customers
with S_t still active after period t = 1…n contributes

.. math:: LL(α, β) = Σ_{t=1}^{n} (S_{t−1} − S_t) \ln \frac{B(α+1, β+t−1)}{B(α, β)}
          + S_n \ln \frac{B(α, β+n)}{B(α, β)},

and cohorts of one segment share (α, β) (their LLs add; a young cohort simply has a smaller n).

**Maximum likelihood** (:func:`sbg_mle`): L-BFGS-B on (ln α, ln β). On the
paper's data (years 1–7) it reproduces the printed fits: "High End"
α = 0.668, β = 3.806, LL = −1611.2; "Regular" α = 0.704, β = 1.182,
LL = −1680.3.

**Bayes** (:func:`sbg`): the same likelihood, sampled in the scenario's
parametrisation — a new customer's churn m = α/(α+β) and the concentration
κ = α + β, which are far less correlated in the posterior than α and β (NUTS
needs much shorter trajectories). Priors: m ~ Beta(1, 1) (uniform) and
κ ~ LogNormal(ln 3, 1.5²) (94 % between 0.18 and 50: from very mixed to nearly
homogeneous customers), overridable with
``priors={"churn": (a, b), "concentration": (median, sd_of_log)}``.

**Into a scenario.** The scenario's segment churn is parametrised by the
churn of a new customer ``churn = α/(α+β)`` and ``churn_concentration = α + β``
(:func:`venturesim.market.retention.sbg_params`); the posterior has those columns, so::

    churn: {posterior: retention.parquet, column: churn}
    churn_concentration: {posterior: retention.parquet, column: churn_concentration}

draws each path's (α, β) jointly. α, β are per period *of the data*: fit
monthly cohorts for the monthly engine.

Data layout (CSV or parquet): one row per cohort; columns ``0, 1, …, n``
hold the customers active at the start (``0``) and at the end of each
period; later periods of a young cohort are left blank. Optional columns:
``segment`` (fitted separately; posterior columns are then ``SEGMENT.alpha`` …)
and ``cohort`` (a label).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln

from venturesim.calibrate._data import DataError, DataProblem, raw_frame, read_table, source_name
from venturesim.calibrate._mcmc import Posterior, merge_priors, sample

__all__ = ["DEFAULT_PRIORS", "Cohorts", "SbgMle", "read_cohorts", "sbg", "sbg_log_likelihood", "sbg_mle"]

DEFAULT_PRIORS = {"churn": (1.0, 1.0), "concentration": (3.0, 1.5)}
"""Beta(a, b) prior on m = α/(α+β); (median, sd of the log) of the LogNormal prior on κ = α + β."""


@dataclass(frozen=True)
class Cohorts:
    """Cohort survivor counts by segment: ``segments[name]`` is a list of 1-D arrays S₀ … S_n."""

    segments: dict[str, list[np.ndarray]]


def read_cohorts(source, *, periods: int | None = None) -> Cohorts:
    """Read and check a cohort table (layout in the module docstring).

    ``periods`` keeps only periods 1…periods (the paper fits years 1–7 of 12).

    Raises
    ------
    DataError : text or negative numbers, gaps inside a row, a cohort that grows, fewer than 2 periods.
    """
    name = source_name(source)
    frame = raw_frame(source, name)
    names = [str(c).strip() for c in frame.columns]
    period_cols = sorted(int(c) for c in names if c.isdigit())
    if not period_cols or period_cols != list(range(len(period_cols))):
        found = period_cols or "none"
        message = (
            "expected period columns 0, 1, 2, … (customers active at the start and after each period), "
            f"found {found} among {names[:20]}"
        )
        raise DataError([DataProblem(name, None, None, message)])
    if periods is not None:
        period_cols = period_cols[: periods + 1]
    cols = [str(c) for c in period_cols]
    table = read_table(
        frame,
        dict.fromkeys(cols, "count"),
        filename=name,
        optional={"segment": "label", "cohort": "label"},
        allow_blank=tuple(cols[1:]),
    )
    problems = []
    values = table.frame[cols].to_numpy(np.float64)
    segment = table.frame["segment"].to_numpy() if "segment" in table.frame else np.full(len(values), "all")
    out: dict[str, list[np.ndarray]] = {}
    for i, row in enumerate(values):
        blank = np.isnan(row)
        n = int(np.argmax(blank)) if blank.any() else len(row)
        if blank[n:].size and not blank[n:].all():
            k = n + int(np.argmin(blank[n:]))
            problems.append(
                table.problem(
                    i,
                    cols[k],
                    f"a value after the blank period {cols[n]}; only a cohort's "
                    "last periods may be blank (not yet observed)",
                )
            )
            continue
        s = row[:n]
        if s[0] <= 0:
            problems.append(table.problem(i, "0", f"expected a cohort size > 0, found {s[0]:g}"))
            continue
        for t in range(1, n):
            if s[t] > s[t - 1]:
                problems.append(
                    table.problem(
                        i,
                        cols[t],
                        f"expected at most the previous period's {s[t - 1]:g} (a cohort cannot grow), found {s[t]:g}",
                    )
                )
        if n < 2:
            problems.append(table.problem(i, cols[1], "expected at least one period after the start"))
        out.setdefault(str(segment[i]), []).append(s)
    if problems:
        raise DataError(problems)
    return Cohorts(out)


def sbg_log_likelihood(alpha: float, beta: float, cohorts: list[np.ndarray]) -> float:
    """LL(α, β) of several cohorts sharing (α, β): the sum of each one's (module docstring)."""
    total = 0.0
    for s in cohorts:
        n = s.size - 1
        t = np.arange(1, n + 1)
        log_pmf = betaln(alpha + 1.0, beta + t - 1.0) - betaln(alpha, beta)
        log_surv = betaln(alpha, beta + n) - betaln(alpha, beta)
        total += float((s[:-1] - s[1:]) @ log_pmf + s[-1] * log_surv)
    return total


@dataclass(frozen=True)
class SbgMle:
    """Maximum-likelihood sBG fit of one segment: α, β, LL, and the scenario's parametrisation."""

    alpha: float
    beta: float
    log_likelihood: float
    customers: int

    @property
    def churn(self) -> float:
        """A new customer's churn per period, α/(α+β)."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def churn_concentration(self) -> float:
        """κ = α + β."""
        return self.alpha + self.beta


def sbg_mle(cohorts: Cohorts | list[np.ndarray], segment: str | None = None) -> SbgMle:
    """Maximum-likelihood (α, β) of one segment's cohorts (``segment`` may be omitted when there is one)."""
    rows = _segment(cohorts, segment)
    if all(s[-1] == s[0] for s in rows):
        raise ValueError("no customer churned in these cohorts; α/(α+β) → 0 has no finite maximum")

    def nll(x):
        return -sbg_log_likelihood(math.exp(x[0]), math.exp(x[1]), rows)

    best = None
    for start in ((0.0, 0.0), (-1.0, 1.0), (1.0, 2.0)):  # the surface is flat along α ∝ β
        res = minimize(nll, np.array(start), method="L-BFGS-B", bounds=[(-12.0, 12.0)] * 2)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    return SbgMle(
        float(math.exp(best.x[0])), float(math.exp(best.x[1])), float(-best.fun), int(sum(s[0] for s in rows))
    )


def _segment(cohorts, segment) -> list[np.ndarray]:
    if not isinstance(cohorts, Cohorts):
        return [np.asarray(s, np.float64) for s in cohorts]
    if segment is None:
        if len(cohorts.segments) != 1:
            raise ValueError(f"the data has segments {sorted(cohorts.segments)}; name one")
        segment = next(iter(cohorts.segments))
    if segment not in cohorts.segments:
        raise ValueError(f"segment {segment!r} not in the data; it has {sorted(cohorts.segments)}")
    return cohorts.segments[segment]


def sbg(cohorts: Cohorts, *, priors: dict | None = None, **sampling: Any) -> Posterior:
    """Posterior of (α, β) per segment (NUTS), with the scenario's ``churn`` and ``churn_concentration``.

    Columns: ``alpha, beta, churn, churn_concentration`` (prefixed ``SEGMENT.`` when there are several segments).
    """
    import pymc as pm
    import pytensor.tensor as pt

    spec = merge_priors(DEFAULT_PRIORS, priors)
    for name, (first, second) in spec.items():
        if not (first > 0 and second > 0):
            raise ValueError(f"prior {name}=({first}, {second}) needs two numbers > 0")

    def lbeta(a, b):
        return pt.gammaln(a) + pt.gammaln(b) - pt.gammaln(a + b)

    columns, sampled = {}, []
    several = len(cohorts.segments) > 1
    with pm.Model() as model:
        for k, (name, rows) in enumerate(cohorts.segments.items()):
            pre = f"{name}." if several else ""
            churn = pm.Beta(f"churn_{k}", alpha=spec["churn"][0], beta=spec["churn"][1])
            conc = pm.LogNormal(f"conc_{k}", mu=math.log(spec["concentration"][0]), sigma=spec["concentration"][1])
            a = pm.Deterministic(f"alpha_{k}", churn * conc)
            b = pm.Deterministic(f"beta_{k}", (1.0 - churn) * conc)
            t = np.concatenate([np.arange(1, s.size) for s in rows]).astype(np.float64)
            lost = np.concatenate([s[:-1] - s[1:] for s in rows])
            n = np.array([s.size - 1 for s in rows], np.float64)
            alive = np.array([s[-1] for s in rows])
            ll = pt.sum(lost * (lbeta(a + 1.0, b + t - 1.0) - lbeta(a, b))) + pt.sum(
                alive * (lbeta(a, b + n) - lbeta(a, b))
            )
            pm.Potential(f"loglik_{k}", ll)
            columns.update(
                {
                    f"{pre}alpha": f"alpha_{k}",
                    f"{pre}beta": f"beta_{k}",
                    f"{pre}churn": f"churn_{k}",
                    f"{pre}churn_concentration": f"conc_{k}",
                }
            )
            sampled += [f"churn_{k}", f"conc_{k}"]
    return sample(
        model,
        kind="sbg",
        columns=columns,
        sampled=sampled,
        priors=spec,
        info={"segments": list(cohorts.segments)},
        **sampling,
    )
