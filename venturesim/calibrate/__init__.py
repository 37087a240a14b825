"""Calibrate a scenario's inputs from the user's own data (PyMC fits whose posteriors become scenario inputs).

- :func:`sbg` — shifted-beta-geometric retention (Fader & Hardie 2007) →
  a segment's ``churn`` and ``churn_concentration``;
- :mod:`~venturesim.calibrate.bgnbd` — BG/NBD and Gamma-Gamma (Fader, Hardie & Lee 2005) →
  P(alive), expected future transactions, CLV;
- :func:`bass` — Bass diffusion of monthly new customers → ``market_size``,
  ``bass_p_annual``, ``bass_q_annual``;
- :func:`revenue` — log-linear growth of monthly revenue → a trend's ``start`` and ``growth``;
- :func:`fit` — a family fitted to one column by maximum likelihood → a ``{dist: ...}`` spec.

Each Bayesian fit returns a :class:`Posterior`; ``posterior.to_parquet(path)``
writes draws that a scenario reads with ``{posterior: path, column: NAME}``
(one joint draw per path: every column of a file uses the same draw).
"""

from venturesim._lazy import lazy_exports as _lazy_exports

_EXPORTS = {
    **dict.fromkeys(("ConvergenceError", "DataError", "DataProblem"), "venturesim.calibrate._data"),
    **dict.fromkeys(("Convergence", "Posterior", "read_posterior"), "venturesim.calibrate._mcmc"),
    **dict.fromkeys(
        ("bgnbd_mle", "clv", "expected_purchases", "gamma_gamma_mle", "p_alive", "read_rfm"),
        "venturesim.calibrate.bgnbd",
    ),
    **dict.fromkeys(("bass", "read_signups"), "venturesim.calibrate.diffusion"),
    **dict.fromkeys(("fit", "fit_column"), "venturesim.calibrate.families"),
    **dict.fromkeys(("read_mrr", "revenue", "revenue_mle"), "venturesim.calibrate.growth"),
    **dict.fromkeys(("read_cohorts", "sbg", "sbg_mle"), "venturesim.calibrate.retention"),
}
"""Imported on first use (pandas, scipy and PyMC are not needed to register the ``calibrate`` command)."""

__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)

__all__ = [
    "Convergence",
    "ConvergenceError",
    "DataError",
    "DataProblem",
    "Posterior",
    "bass",
    "bgnbd",
    "bgnbd_mle",
    "checks",
    "clv",
    "expected_purchases",
    "fit",
    "fit_column",
    "gamma_gamma_mle",
    "p_alive",
    "read_cohorts",
    "read_mrr",
    "read_posterior",
    "read_rfm",
    "read_signups",
    "revenue",
    "revenue_mle",
    "sbg",
    "sbg_mle",
]
