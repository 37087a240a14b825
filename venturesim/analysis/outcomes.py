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
* ``founder_ownership``: mean founders' ownership at the horizon (a fraction, as in the compare table);
* ``moic:ROUND``: mean realised MOIC of a round's investors, over paths where it closed and the
  company exited by the horizon (as :func:`venturesim.analysis.exits.round_returns`).

A custom outcome is ``Outcome("name", fn)`` with ``fn(result) -> (paths,) array``.

The founder's questions, per path (the summary and the headline use them): :func:`standing` (operating,
exited or dead at the horizon), :func:`runway_now`, :func:`first_cash_flow_positive_month`,
:func:`raised_or_did_without` and :func:`founder_ownership_after`.
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


def founder_ownership() -> Outcome:
    """Mean founders' ownership at the horizon, a fraction (the compare table's figure)."""
    return Outcome("founder ownership", lambda r: r.data["final_founder_ownership"].values, None, "fraction")


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


_TEXT = re.compile(
    r"^(alive|arr|cash)@(\d+)(?::(mean|p\d+(?:\.\d+)?))?$|^founder_proceeds$|^founder_ownership$|^moic:([\w\-]+)$"
)


def parse_outcome(text: str) -> Outcome:
    """An outcome from its text: ``alive@36``, ``arr@24``, ``arr@24:p90``, ``cash@12:mean``,
    ``founder_proceeds``, ``founder_ownership``, ``moic:seed``."""
    match = _TEXT.match(text.strip())
    if match is None:
        raise UsageError(
            f"outcome {text!r} not understood; use alive@M, arr@M[:pNN|:mean], cash@M[:pNN|:mean], "
            "founder_proceeds, founder_ownership or moic:ROUND"
        )
    kind, month, stat, round_name = match.groups()
    if text.strip() == "founder_proceeds":
        return founder_proceeds()
    if text.strip() == "founder_ownership":
        return founder_ownership()
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


# ---- where each path stands, and the founder's questions (per path; the summary and the headline use them) ----

OPERATING, EXITED, DEAD = "operating", "exited", "dead"


def standing(result) -> np.ndarray:
    """Per path, where it stands at the horizon: ``"exited"`` (sold, listed or acqui-hired: its flows ended with the
    buyer; :meth:`~venturesim.engine.result.Result.exited`), ``"dead"`` (ran out of cash and was shut down) or
    ``"operating"`` (still private and alive); (paths,) strings."""
    death = np.asarray(result.data["death_month"].values)
    sold = np.isfinite(result.exited())
    return np.where(sold, EXITED, np.where(death >= 0, DEAD, OPERATING))


def _initial_cash(result) -> np.ndarray | None:
    """Per path, the cash at month 0, USD: its draw, or the scenario's fixed figure (None: neither is known)."""
    name = "company.initial_cash"
    if name in result.inputs.columns:
        return np.asarray(result.inputs[name].values, np.float64)
    value = result.scenario.company.initial_cash
    return np.full(result.paths, float(value)) if isinstance(value, int | float) else None


def first_month_burn(result) -> np.ndarray | None:
    """Per path, the net burn of month 1 (t = 0), USD: costs + debt principal − revenue (≤ 0: cash-flow positive).

    From the ``net_burn`` metric, or else from ``cash`` and ``runway`` (runway = cash / net burn when burning, +∞
    when not: net burn = cash / runway, 0 when +∞); NaN on a path dead in month 1; None when neither was recorded.
    """
    d = result.data
    if "net_burn" in d:
        return np.asarray(d["net_burn"].values[:, 0], np.float64)
    if "runway" in d and "cash" in d:
        runway = np.asarray(d["runway"].values[:, 0], np.float64)
        cash = np.asarray(d["cash"].values[:, 0], np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.isposinf(runway), 0.0, cash / runway)
    return None


def runway_now(result) -> np.ndarray | None:
    """Per path, months the starting cash lasts without new money at month 1's net burn:
    ``initial_cash / net_burn_1`` when burning, +∞ when cash-flow positive from month 1 (NaN: dead in month 1;
    None: the run recorded neither ``net_burn`` nor ``cash`` and ``runway``, or the starting cash is unknown).

    A simple ratio, the founder's "runway today": later hires and growth change the burn; the monthly ``runway``
    metric follows them.
    """
    cash, burn = _initial_cash(result), first_month_burn(result)
    if cash is None or burn is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isnan(burn), np.nan, np.where(burn > 0, cash / burn, np.inf))


def cash_flow_positive(result) -> np.ndarray | None:
    """Per path and month, (paths, months) bool: alive at the month's end with net burn ≤ 0 (revenue covers costs
    and debt principal), from ``net_burn`` and ``alive``, or ``runway`` (= +∞ exactly then); None if neither."""
    d = result.data
    if "runway" in d:
        return np.isposinf(np.asarray(d["runway"].values, np.float64))
    if "net_burn" in d and "alive" in d:
        return np.asarray(d["alive"].values, bool) & (np.asarray(d["net_burn"].values) <= 0)
    return None


def first_cash_flow_positive_month(result) -> np.ndarray | None:
    """Per path, the first month m (= t + 1, the end of month t) it is cash-flow positive (:func:`cash_flow_positive`);
    NaN if it never is within the horizon (dead, sold first, or still burning); None if not recorded."""
    positive = cash_flow_positive(result)
    if positive is None:
        return None
    first = np.argmax(positive, axis=1).astype(np.float64) + 1.0
    return np.where(positive.any(axis=1), first, np.nan)


def round_index(result, round_name: str) -> int:
    """The round's index on the result's round axis (UsageError naming the rounds if it is not there)."""
    names = [str(n) for n in result.data["round"].values]
    if round_name not in names:
        raise UsageError(f"round {round_name!r} is not in the scenario; rounds are {names}")
    return names.index(round_name)


def raised_or_did_without(result, round_name: str) -> np.ndarray:
    """Per path (bool): the round closed, or the company did without it — at the horizon it never closed the
    round and is sold or listed, or is operating and cash-flow positive (``final_runway`` = +∞). A path still
    burning at the horizon without the round, or dead, counts as neither."""
    from venturesim.analysis.exits import CLOSED

    r = round_index(result, round_name)
    closed = np.asarray(result.data["round_status"].values[:, r]) == CLOSED
    where = standing(result)
    profitable = np.isposinf(np.asarray(result.data["final_runway"].values, np.float64))
    return closed | (where == EXITED) | ((where == OPERATING) & profitable)


def founder_ownership_after(result, round_name: str) -> tuple[np.ndarray, str]:
    """Founders' fully diluted ownership right after ``round_name`` closed, on the paths where it closed, and how
    it was found.

    Exact from the monthly ``founder_ownership`` metric at the month the round closed (``round_close_month``).
    Without it, the ownership at the horizon of the paths whose last closed round is this one and that did not
    die — the same figure unless a later event diluted them (a SAFE converting, a loan's warrants); labelled so.
    Returns (values, label): values (paths,), NaN where the round did not close (or the path is left out).
    """
    from venturesim.analysis.exits import CLOSED

    d = result.data
    r = round_index(result, round_name)
    status = np.asarray(d["round_status"].values)
    close = np.asarray(d["round_close_month"].values, np.float64)
    closed = status[:, r] == CLOSED
    if "founder_ownership" in d:
        ownership = np.asarray(d["founder_ownership"].values, np.float64)
        t = np.clip(close[:, r], 0, result.months - 1).astype(int)
        at_close = ownership[np.arange(result.paths), t]
        return np.where(closed, at_close, np.nan), "right after it closed"
    later = np.where(status == CLOSED, close, -np.inf)
    last = closed & (close[:, r] >= later.max(axis=1))
    kept = last & (standing(result) != DEAD)
    values = np.asarray(d["final_founder_ownership"].values, np.float64)
    return np.where(kept, values, np.nan), "at the horizon, paths whose last round it was, not dead"
