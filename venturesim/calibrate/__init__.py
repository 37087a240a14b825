"""Calibrate a scenario's inputs from the user's own data (PyMC fits whose posteriors become scenario inputs).

======================  =========================================================  ==============================
function                model                                                      feeds the scenario's
======================  =========================================================  ==============================
:func:`sbg`             shifted-beta-geometric retention (Fader & Hardie 2007)     ``churn``, ``churn_concentration``
:func:`bgnbd`           BG/NBD + Gamma-Gamma (Fader, Hardie & Lee 2005)            P(alive), future transactions, CLV
:func:`bass`            Bass diffusion of monthly new customers                    ``market_size``, ``bass_p_annual``, ``bass_q_annual``
:func:`revenue`         log-linear growth of monthly revenue                       a trend's ``start`` and ``growth``
:func:`fit`             a family fitted to one column by maximum likelihood        any ``{dist: ...}`` input
======================  =========================================================  ==============================

Each Bayesian fit returns a :class:`Posterior`; ``posterior.to_parquet(path)``
writes draws that a scenario reads with ``{posterior: path, column: NAME}``
(one joint draw per path: every column of a file uses the same draw).
"""

from venturesim.calibrate._data import ConvergenceError, DataError, DataProblem
from venturesim.calibrate._mcmc import Convergence, Posterior, read_posterior
from venturesim.calibrate.sbg import read_cohorts, sbg, sbg_mle

__all__ = [
    "Convergence",
    "ConvergenceError",
    "DataError",
    "DataProblem",
    "Posterior",
    "read_cohorts",
    "read_posterior",
    "sbg",
    "sbg_mle",
]
