"""Outcomes an analysis can study: a per-path value and the statistic of it that is reported.

An :class:`Outcome` turns a :class:`~venturesim.engine.result.Result` into one value per path
(NaN: the path does not count, e.g. a MOIC where the round never closed) and a statistic over the
paths: the mean (a probability, when the values are 0/1) or a quantile. Its standard error is the
one of :mod:`venturesim.analysis._stats` (binomial, s/√n, or order statistics). The same per-path
values feed a rank correlation with the inputs (:func:`venturesim.analysis.sensitivity.importance`)
and a Sobol study (:func:`venturesim.analysis.sensitivity.sobol`), which need values per path.

Built in (also as CLI text, :func:`parse_outcome`):

* ``alive@M``: P(alive and still operating at month M) (not dead, not sold or listed by then),
  the same as ``result.survival()``;
* ``arr@M`` (median), ``arr@M:p90`` (any percentile), ``arr@M:mean``: ARR at the end of month M, USD;
* ``cash@M`` (median; ``:pNN``, ``:mean`` as for ARR): cash at the end of month M, USD;
* ``founder_proceeds``: mean founders' proceeds at the exit, USD (0 on paths with none);
* ``moic:ROUND``: mean realised MOIC of a round's investors, over paths where it closed and the
  company exited by the horizon (as :func:`venturesim.analysis.exits.round_returns`).

A custom outcome is ``Outcome("name", fn)`` with ``fn(result) -> (paths,) array``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from venturesim.analysis import _stats
from venturesim.spec.errors import UsageError


@dataclass(frozen=True)
class Outcome:
    """A per-path value and its reported statistic.

    Parameters
    ----------
    name : label in tables and charts.
    per_path : ``fn(result) -> (paths,)`` float array (NaN: the path is left out).
    quantile : None: the statistic is the mean; q in (0, 1): the q-quantile.
    unit : unit of the statistic ("probability", "USD", "x").
    """

    name: str
    per_path: Callable
    quantile: float | None = None
    unit: str = ""

    def values(self, result) -> np.ndarray:
        """The per-path values, float64 (paths,)."""
        values = np.asarray(self.per_path(result), np.float64)
        if values.shape != (result.paths,):
            raise ValueError(f"outcome {self.name!r} gave shape {values.shape}, expected ({result.paths},)")
        return values

    def statistic(self, values: np.ndarray) -> float:
        """The statistic of per-path values (NaN left out)."""
        return self.estimate(values)[0]

    def estimate(self, values: np.ndarray) -> tuple[float, float]:
        """(statistic, its Monte Carlo standard error) of per-path values (NaN left out)."""
        values = np.asarray(values, np.float64)
        values = values[~np.isnan(values)]
        if self.quantile is None:
            if values.size and np.isin(values, (0.0, 1.0)).all():
                return _stats.proportion(values)
            return _stats.mean(values)
        return _stats.quantile(values, self.quantile)

    def of(self, result) -> tuple[float, float]:
        """(statistic, SE) of a result."""
        return self.estimate(self.values(result))


def _month(result, m: int) -> int:
    if not 1 <= m <= result.months:
        raise UsageError(f"month {m} is outside the run's months 1..{result.months}")
    return m


def alive(m: int) -> Outcome:
    """P(alive and operating at month m): not dead by m, not sold or listed by m (0/1 per path)."""

    def per_path(result):
        death = result.data["death_month"].values
        month = _month(result, m)
        return (((death < 0) | (death >= month)) & (result.exited() > month)).astype(np.float64)

    return Outcome(f"P(alive at {m})", per_path, None, "probability")


def _metric_at(metric: str, m: int, q: float | None, label: str) -> Outcome:
    def per_path(result):
        if metric not in result.data:
            raise UsageError(f"outcome {label!r} needs the {metric!r} metric; run with metrics including it")
        return np.asarray(result.data[metric].sel(month=_month(result, m)).values, np.float64)

    stat = "mean" if q is None else f"p{100 * q:g}"
    return Outcome(f"{stat} {metric.upper() if metric == 'arr' else metric} at {m}", per_path, q, "USD")


def arr(m: int, q: float | None = 0.5) -> Outcome:
    """ARR at the end of month m, USD: its q-quantile over paths (None: the mean)."""
    return _metric_at("arr", m, q, f"arr@{m}")


def cash(m: int, q: float | None = 0.5) -> Outcome:
    """Cash at the end of month m, USD: its q-quantile over paths (None: the mean)."""
    return _metric_at("cash", m, q, f"cash@{m}")


def founder_proceeds() -> Outcome:
    """Mean founders' proceeds at the exit, USD (0 where there was none)."""
    return Outcome("founder proceeds", lambda r: np.nan_to_num(r.data["founder_proceeds"].values), None, "USD")


def moic(round_name: str) -> Outcome:
    """Mean realised MOIC of ``round_name``'s investors (paths where it closed and the company exited)."""
    from venturesim.analysis.exits import CLOSED
    from venturesim.funding.terms import NO_EXIT

    def per_path(result):
        ds = result.data
        names = [str(n) for n in ds["round"].values]
        if round_name not in names:
            raise UsageError(f"round {round_name!r} is not in the scenario; rounds are {names}")
        r = names.index(round_name)
        chosen = (ds["round_status"].values[:, r] == CLOSED) & (ds["exit_kind"].values != NO_EXIT)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = ds["round_proceeds"].values[:, r] / ds["round_amount"].values[:, r]
        return np.where(chosen, value, np.nan)

    return Outcome(f"MOIC {round_name}", per_path, None, "x")


_TEXT = re.compile(r"^(alive|arr|cash)@(\d+)(?::(mean|p\d+(?:\.\d+)?))?$|^founder_proceeds$|^moic:([\w\-]+)$")


def parse_outcome(text: str) -> Outcome:
    """An outcome from its text: ``alive@36``, ``arr@24``, ``arr@24:p90``, ``cash@12:mean``,
    ``founder_proceeds``, ``moic:seed``."""
    match = _TEXT.match(text.strip())
    if match is None:
        raise UsageError(
            f"outcome {text!r} not understood; use alive@M, arr@M[:pNN|:mean], cash@M[:pNN|:mean], "
            "founder_proceeds or moic:ROUND"
        )
    kind, month, stat, round_name = match.groups()
    if text.strip() == "founder_proceeds":
        return founder_proceeds()
    if round_name is not None:
        return moic(round_name)
    m = int(month)
    if kind == "alive":
        if stat is not None:
            raise UsageError(f"outcome {text!r}: alive@M is a probability; it takes no statistic")
        return alive(m)
    q = None if stat == "mean" else 0.5 if stat is None else float(stat[1:]) / 100
    if q is not None and not 0 < q < 1:
        raise UsageError(f"outcome {text!r}: the percentile must be between 0 and 100 (exclusive)")
    return (arr if kind == "arr" else cash)(m, q)
