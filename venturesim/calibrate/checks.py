r"""Posterior predictive check of a Bass fit: the observed monthly new customers against what the fit predicts.

For each posterior draw j (p_j, q_j, m_j and, for the negative binomial, φ_j)
the predicted count of month k is drawn from the fit's own likelihood,
ñ_{jk} ~ NegBin(μ_{jk}, φ_j) or Poisson(μ_{jk}) with μ_{jk} = m_j[F_j(k+1) − F_j(k)]
(:mod:`venturesim.calibrate.diffusion`). The check lists, per segment and month,
the observed count, the posterior mean of μ_k and the 3 % and 97 % quantiles
of ñ_k (a 94 % predictive interval): about 94 % of the observed months should
fall inside, and a run of months outside points at a model that does not fit
(a launch, a price change, a capacity limit the Bass curve does not know about)
(Gelman et al., *Bayesian Data Analysis*, 3rd ed., ch. 6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from venturesim.calibrate._mcmc import Posterior
from venturesim.calibrate.diffusion import Signups

__all__ = ["bass_predictive", "plot_bass_check"]


def bass_predictive(posterior: Posterior, signups: Signups, *, seed: int = 0) -> pd.DataFrame:
    """Tidy posterior predictive table: ``segment, month, observed, mean, low, high, inside``."""
    from venturesim.market.bass import cumulative_fraction

    rng = np.random.default_rng(seed)
    several = len(signups.segments) > 1
    rows = []
    for name, counts in signups.segments.items():
        pre = f"{name}." if several else ""
        d = posterior.draws
        if f"{pre}bass_p_annual" not in d:
            raise ValueError(f"the posterior has no column {pre}bass_p_annual; is it a Bass fit of this data?")
        p, q, m = (d[f"{pre}{c}"].to_numpy()[:, None] for c in ("bass_p_annual", "bass_q_annual", "market_size"))
        t = np.arange(len(counts) + 1)[None, :]
        mu = m * np.diff(cumulative_fraction(t, p / 12.0, q / 12.0), axis=1)  # (draws, months)
        if f"{pre}dispersion" in d:
            phi = d[f"{pre}dispersion"].to_numpy()[:, None]
            predicted = rng.poisson(rng.gamma(phi, mu / phi))  # NB(μ, φ) as a gamma-Poisson mixture
        else:
            predicted = rng.poisson(mu)
        low, high = np.quantile(predicted, [0.03, 0.97], axis=0)
        for k, observed in enumerate(counts):
            rows.append((name, k, float(observed), float(mu[:, k].mean()), float(low[k]), float(high[k])))
    frame = pd.DataFrame(rows, columns=["segment", "month", "observed", "mean", "low", "high"])
    frame["inside"] = (frame["observed"] >= frame["low"]) & (frame["observed"] <= frame["high"])
    return frame


def plot_bass_check(frame: pd.DataFrame):
    """Altair chart of :func:`bass_predictive`: the 94 % predictive band, the mean and the observed counts."""
    import altair as alt

    base = alt.Chart(frame).encode(x=alt.X("month:Q", title="month since launch"))
    band = base.mark_area(opacity=0.25).encode(
        y=alt.Y("low:Q", title="new customers"), y2="high:Q", color=alt.Color("segment:N")
    )
    line = base.mark_line().encode(y="mean:Q", color="segment:N")
    points = base.mark_point(filled=True, size=25).encode(
        y="observed:Q", color="segment:N", shape=alt.Shape("inside:N", title="inside 94 %")
    )
    return alt.layer(band, line, points).properties(title="Posterior predictive check", width=520, height=260)
