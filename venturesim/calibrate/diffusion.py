r"""Bass diffusion fitted to monthly new customers: posterior of (p, q, m) per segment.

Model. Month k = 0, 1, … counts from the segment's launch (the first data
row). With the scenario's annual coefficients p, q (the engine uses p/12,
q/12 per month, :mod:`venturesim.market.bass`) and market size m, the
expected new customers in month k are

.. math:: μ_k = m\,[F(k+1) − F(k)], \qquad F(t) = \frac{1 − e^{−(p+q)t/12}}{1 + (q/p)\,e^{−(p+q)t/12}},

and the observed count n_k ~ NegativeBinomial(μ_k, φ) (variance μ + μ²/φ:
sign-ups are usually over-dispersed; ``likelihood="poisson"`` for φ → ∞).

Priors (stated; override with ``priors={name: (median, sd_of_log)}``):

- p: LogNormal(ln 0.03, 1.0) on the annual p (the Sultan, Farley & Lehmann 1990 meta-analysis mean);
- q: LogNormal(ln 0.38, 1.0) on the annual q (same source);
- m: LogNormal(ln(3 × customers seen), 1.5) — ``priors["m"]`` gives the *multiple* of the customers seen;
- dispersion φ: LogNormal(ln 10, 1.5);
- spread (hierarchical only): LogNormal(ln 0.25, 0.6) on the sd of ln p and of ln q across segments.

A log-sd of 1 puts 94 % of the prior within ×/÷ 6.6 of the median.

**Hierarchical option** (``hierarchical=True``, several segments): the
segments' ln p and ln q are drawn around shared means,
ln p_s ~ N(μ_p, σ_p²) with μ_p ~ N(ln p̃, sd²) and σ_p ~ LogNormal(ln 0.25, 0.6)
(``priors["spread"]``: segments' p differ by a factor e^σ ≈ 1.3 typically, 94 % of
σ in 0.08–0.8), and likewise for q, so a segment with little data borrows
strength from the others; m stays per segment. The spread's prior keeps σ away
from 0 (a boundary-avoiding prior, Chung et al. 2013, *Psychometrika* 78(4)):
with a few segments and a HalfNormal σ the posterior has a funnel at σ → 0,
which diverged on three 36-month segments in ``benchmarks/calibrate_fits.py``
in both the centred and the non-centred form. The form is centred, as each
segment's months of counts identify its p and q well.

Posterior columns: ``market_size, bass_p_annual, bass_q_annual`` (and
``dispersion``), prefixed ``SEGMENT.`` when there are several segments — the
names of the scenario's segment fields, so::

    market_size: {posterior: market.parquet, column: market_size}
    bass_p_annual: {posterior: market.parquet, column: bass_p_annual}
    bass_q_annual: {posterior: market.parquet, column: bass_q_annual}

Data layout: columns ``month`` (an integer index or ``YYYY-MM``; one row per
month, none missing) and ``new_customers`` (counts); optional ``segment``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from venturesim.calibrate._data import DataError, check_consecutive, read_table
from venturesim.calibrate._mcmc import Posterior, merge_priors, sample

__all__ = ["DEFAULT_PRIORS", "Signups", "bass", "expected_new", "read_signups"]

DEFAULT_PRIORS = {"p": (0.03, 1.0), "q": (0.38, 1.0), "m": (3.0, 1.5), "dispersion": (10.0, 1.5), "spread": (0.25, 0.6)}
"""(median, sd of the log); m's median is a multiple of the customers seen in the segment."""


@dataclass(frozen=True)
class Signups:
    """Monthly new customers by segment (month 0 = launch)."""

    segments: dict[str, np.ndarray]


def read_signups(source) -> Signups:
    """Read and check monthly new customers (layout in the module docstring).

    Raises
    ------
    DataError : text, negative or fractional counts, repeated, unsorted or missing months.
    """
    table = read_table(source, {"month": "month", "new_customers": "count"}, optional={"segment": "label"})
    f = table.frame
    group = f["segment"].to_numpy() if "segment" in f else None
    problems = check_consecutive(table, f["month"].to_numpy(), "month", group)
    if problems:
        raise DataError(problems)
    counts = f["new_customers"].to_numpy()
    if group is None:
        return Signups({"all": counts})
    return Signups({str(s): counts[group == s] for s in dict.fromkeys(group)})


def expected_new(p_annual, q_annual, m, months: int) -> np.ndarray:
    """μ_k = m[F(k+1) − F(k)] for k = 0 … months−1 (module docstring), numpy."""
    from venturesim.market.bass import cumulative_fraction

    t = np.arange(months + 1)
    return m * np.diff(cumulative_fraction(t, p_annual / 12.0, q_annual / 12.0))


def bass(
    signups: Signups,
    *,
    hierarchical: bool = False,
    likelihood: str = "negative_binomial",
    priors: dict | None = None,
    **sampling: Any,
) -> Posterior:
    """Posterior of each segment's Bass (p, q, m) given its monthly new customers (NUTS)."""
    import pymc as pm
    import pytensor.tensor as pt

    spec = merge_priors(DEFAULT_PRIORS, priors)
    for name, (median, sd) in spec.items():
        if not (median > 0 and sd > 0):
            raise ValueError(f"prior {name}=({median}, {sd}) needs a median > 0 and a log-sd > 0")
    if likelihood not in ("negative_binomial", "poisson"):
        raise ValueError(f"likelihood(={likelihood!r}) must be 'negative_binomial' or 'poisson'")
    names = list(signups.segments)
    for name, counts in signups.segments.items():
        if len(counts) < 3 or counts.sum() <= 0:
            raise ValueError(f"segment {name!r} needs at least 3 months and some customers to fit")
    if hierarchical and len(names) < 2:
        raise ValueError("hierarchical=True needs at least 2 segments")
    several = len(names) > 1
    columns, sampled = {}, []
    with pm.Model() as model:
        if hierarchical:
            mu_p = pm.Normal("mu_log_p", math.log(spec["p"][0]), spec["p"][1])
            mu_q = pm.Normal("mu_log_q", math.log(spec["q"][0]), spec["q"][1])
            sd_p = pm.LogNormal("sd_log_p", math.log(spec["spread"][0]), spec["spread"][1])
            sd_q = pm.LogNormal("sd_log_q", math.log(spec["spread"][0]), spec["spread"][1])
            log_p = pm.Normal("log_p", mu_p, sd_p, shape=len(names))
            log_q = pm.Normal("log_q", mu_q, sd_q, shape=len(names))
            sampled += ["mu_log_p", "mu_log_q", "sd_log_p", "sd_log_q"]
        for k, name in enumerate(names):
            counts = np.asarray(signups.segments[name], np.float64)
            pre = f"{name}." if several else ""
            if hierarchical:
                p = pm.Deterministic(f"p_{k}", pt.exp(log_p[k]))
                q = pm.Deterministic(f"q_{k}", pt.exp(log_q[k]))
            else:
                p = pm.LogNormal(f"p_{k}", math.log(spec["p"][0]), spec["p"][1])
                q = pm.LogNormal(f"q_{k}", math.log(spec["q"][0]), spec["q"][1])
            m = pm.LogNormal(f"m_{k}", math.log(spec["m"][0] * counts.sum()), spec["m"][1])
            t = np.arange(len(counts) + 1) / 12.0
            decay = pt.exp(-(p + q) * t)
            F = (1.0 - decay) / (1.0 + (q / p) * decay)
            mu = pt.maximum(m * (F[1:] - F[:-1]), 1e-9)
            if likelihood == "poisson":
                pm.Poisson(f"new_{k}", mu=mu, observed=counts)
            else:
                phi = pm.LogNormal(f"phi_{k}", math.log(spec["dispersion"][0]), spec["dispersion"][1])
                pm.NegativeBinomial(f"new_{k}", mu=mu, alpha=phi, observed=counts)
                columns[f"{pre}dispersion"] = f"phi_{k}"
            columns.update(
                {f"{pre}market_size": f"m_{k}", f"{pre}bass_p_annual": f"p_{k}", f"{pre}bass_q_annual": f"q_{k}"}
            )
            sampled += [f"p_{k}", f"q_{k}", f"m_{k}"] + ([] if likelihood == "poisson" else [f"phi_{k}"])
    return sample(
        model,
        kind="bass",
        columns=columns,
        sampled=sampled,
        priors=spec,
        info={
            "segments": names,
            "hierarchical": hierarchical,
            "likelihood": likelihood,
            "months": {n: len(signups.segments[n]) for n in names},
        },
        **sampling,
    )
