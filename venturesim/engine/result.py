"""Result: what a simulation produced, as labelled arrays (xarray)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from venturesim.analysis._stats import FAN_QUANTILES
from venturesim.engine.metrics import MONTHLY_METRICS
from venturesim.scenario.schema import Scenario

OPERATING_METRICS = (
    "revenue",
    "costs",
    "cost_of_revenue",
    "customers",
    "new_customers",
    "churned_customers",
    "acquisition_spend",
    "sales_marketing_payroll",
    "new_mrr",
)
"""The monthly metrics :meth:`Result.operating_metrics` (unit economics) needs."""

FINAL_VARIABLES = {
    "final_cash": "cash at the horizon, USD",
    "final_arr": "ARR at the horizon, USD",
    "final_runway": "runway at the horizon, months (+inf profitable, NaN dead)",
    "death_month": "month the company ran out of cash (−1: alive at the horizon)",
    "final_founder_ownership": "founders' ownership at the horizon, fraction",
    "round_status": "0 waiting, 1 raising, 2 closed, 3 abandoned at the horizon",
    "round_close_month": "month each round closed (−1: not closed)",
    "round_pre_money": "pre-money each round closed at, USD (NaN: not closed)",
    "round_amount": "amount each round raises, USD",
    "round_attempts": "failed attempts at each round by the horizon (or the death)",
    "round_ownership": "each round's investors' fully diluted fraction at the horizon (an outstanding SAFE's or "
    "note's: its interim as-converted fraction)",
    "exit_kind": "0 private at the horizon, 1 acquisition, 2 IPO, 3 acqui-hire, 4 shutdown",
    "exit_month": "month of the exit (−1: none)",
    "exit_value": "exit value, USD",
    "exit_debt": "venture debt outstanding at the exit or the death (repaid before the equity), USD",
    "founder_proceeds": "founders' proceeds from the waterfall at the exit, USD",
    "round_proceeds": "each round's investors' proceeds at the exit, USD",
    "risk_time": "time of each risk event, months (+inf: none within the horizon)",
    "risk_severity": "severity of each risk event (after mitigations)",
    "partner_concentration_month": "first month a partner brought more than its limit of revenue (−1: never)",
    "partner_concentration_share": "the partner's share of revenue in that month",
    "run_spend": "each training run's spend over the path's life (to its death, exit or the horizon), USD",
}


@dataclass
class Result:
    """A simulation's output.

    Attributes
    ----------
    data : Dataset with monthly metrics on dims (path, month[, segment]) where
        ``month`` = 1..T is the end of month T, and per-path results
        (``final_*``, ``death_month``, ``round_*``).
    scenario : the scenario that was run.
    seed, engine : how it was run.
    inputs : the draws of every uncertain input, one row per path.
    events : the DES event log (time, path, process, kind, details, a death's
        ``cause`` code (:mod:`venturesim.funding.causes`), and cash, ARR and
        headcount after the event); empty for the JAX engine.
    convergence : a run to a target standard error (``simulate(..., target_se=...)``): each chosen
        statistic and its SE after each batch of paths (columns paths, statistic, value, se); empty
        otherwise.
    """

    data: xr.Dataset
    scenario: Scenario
    seed: int
    engine: str = "jax"
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    convergence: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def paths(self) -> int:
        """Number of simulated paths."""
        return int(self.data.sizes["path"])

    @property
    def months(self) -> int:
        """Horizon in months."""
        return int(self.data.sizes["month"])

    @property
    def metrics(self) -> list[str]:
        """The monthly metrics recorded."""
        return [str(name) for name, var in self.data.data_vars.items() if "month" in var.dims]

    def summary(self) -> pd.DataFrame:
        """Headline figures with Monte Carlo standard errors (see :mod:`venturesim.analysis.summary`)."""
        from venturesim.analysis.summary import summarize

        return summarize(self)

    def _monthly(self, metric: str) -> xr.DataArray:
        if metric not in self.metrics:
            raise KeyError(f"metric {metric!r} was not recorded; recorded: {self.metrics}")
        return self.data[metric]

    def quantiles(self, metric: str, q: Sequence[float] = FAN_QUANTILES) -> pd.DataFrame:
        """Quantiles over paths of a monthly metric: rows are months, columns quantiles (by default the report's
        one convention, :data:`venturesim.analysis._stats.FAN_QUANTILES`: p10, p25, p50, p75, p90)."""
        values = np.asarray(self._monthly(metric).values, np.float64)
        table = np.nanquantile(values, q, axis=0).T if values.ndim == 2 else None
        if table is None:
            raise ValueError(f"{metric!r} has extra dimensions; select one first via result.data")
        return pd.DataFrame(table, index=pd.Index(self.data["month"].values, name="month"), columns=list(q))

    def exited(self) -> np.ndarray:
        """Per path, the time m (month index t + 1) from which it is sold or listed (acquisition, IPO,
        acqui-hire); +inf if it never is. A shutdown is a death, not an exit."""
        from venturesim.funding.terms import ACQUIHIRE, ACQUISITION, IPO

        if "exit_kind" not in self.data:
            return np.full(self.paths, np.inf)
        sold = np.isin(self.data["exit_kind"].values, (ACQUISITION, IPO, ACQUIHIRE))
        return np.where(sold, self.data["exit_month"].values + 1.0, np.inf)

    def survival(self) -> pd.DataFrame:
        """Probability of being alive and still operating (not dead, not sold or listed) at each time
        m = 0 … T, with its standard error, and the share exited (sold or listed) by then."""
        death = self.data["death_month"].values
        month = np.arange(0, self.months + 1)
        exited = self.exited()[None, :] <= month[:, None]  # (months+1, paths)
        alive = ((death[None, :] < 0) | (death[None, :] >= month[:, None])) & ~exited
        p = alive.mean(axis=1)
        return pd.DataFrame(
            {"survival": p, "se": np.sqrt(p * (1 - p) / self.paths), "exited": exited.mean(axis=1)},
            index=pd.Index(month, name="month"),
        )

    def _require_events(self) -> None:
        if self.events.empty and self.engine != "des":
            raise ValueError("no event log: run with engine='des' for timelines and causes of death")

    def timeline(self, path: int, routine: bool = False) -> str:
        """One path's story, one event a line: ``month 14.2: seed: failed (attempt 1); …``.

        Routine month-end accounting events are left out unless ``routine``.
        """
        self._require_events()
        log = self.events[self.events["path"] == path]
        if not routine:
            log = log[log["kind"] != "month-end"]
        lines = [
            f"month {row.time:5.1f}: {row.details}  [cash ${row.cash:,.0f}, ARR ${row.arr:,.0f}, "
            f"{row.headcount:.0f} people]"
            for row in log.itertuples()
        ]
        return "\n".join(lines)

    def death_causes(self) -> np.ndarray:
        """Per path, the code of its death's cause (:mod:`venturesim.funding.causes`), ``""`` for a path that did
        not die; (paths,) strings, from either engine.

        The DES finds each code when the cash runs out (its ``cause_of_death``); the JAX engine's are found from
        its final results by the same rule (:func:`venturesim.funding.causes.death_causes`): a dead path's
        rounds stay as they were at its death (``round_status``, ``round_attempts``) and ``exit_debt`` is the
        venture debt it owed then.
        """
        d = self.data
        if "cause_of_death" in d:
            return np.asarray(d["cause_of_death"].values, dtype=object)
        if "round_attempts" not in d or "exit_debt" not in d:
            raise ValueError("no causes of death in this result (simulated before they were recorded)")
        from venturesim.funding.causes import death_causes
        from venturesim.funding.params import _round_axis

        bridge_of = [float(parent) for _, _, parent in _round_axis(self.scenario.funding)]
        codes = death_causes(
            d["round_status"].values,
            d["round_attempts"].values,
            np.asarray(bridge_of),
            d["exit_debt"].values,
            [str(n) for n in d["round"].values],
        )
        return np.where(d["death_month"].values >= 0, codes, "").astype(object)

    def why_dead(self) -> pd.DataFrame:
        """Causes of death ranked by how many paths they ended (count and share of all paths), both engines.

        Counted by each path's cause code (:meth:`death_causes`), shown as its sentence
        (:func:`venturesim.funding.causes.describe`).
        """
        from venturesim.funding.causes import describe

        causes = pd.Series(self.death_causes(), name="cause")
        table = causes[causes != ""].value_counts().rename_axis("cause").reset_index(name="paths")
        table["cause"] = table["cause"].map(describe)
        table["share_of_paths"] = table["paths"] / self.paths
        return table

    def event_counts(self) -> pd.DataFrame:
        """Events per process and kind: total and mean per path."""
        from venturesim.analysis.des_stats import event_counts

        self._require_events()
        return event_counts(self.events, self.paths)

    def time_weighted(self, column: str = "cash") -> pd.Series:
        """Per-path time-weighted mean of a logged state column (cash, arr, headcount) over the horizon."""
        from venturesim.analysis.des_stats import time_weighted_mean

        self._require_events()
        return time_weighted_mean(self.events, column, self.months, self.paths)

    def time_raising(self) -> pd.Series:
        """Per-path share of the horizon spent raising a round (time-weighted)."""
        from venturesim.analysis.des_stats import share_of_time_raising

        self._require_events()
        return share_of_time_raising(self.events, self.months, self.paths)

    def exits(self) -> pd.DataFrame:
        """Share of paths by how they ended, with the exits' values (:func:`venturesim.analysis.returns.exit_table`)."""
        from venturesim.analysis.exits import exit_table

        return exit_table(self)

    def returns(self) -> pd.DataFrame:
        """Each round's realised MOIC and IRR distribution, its n and conditioning, and its MOIC with still-private
        companies marked at the last post-money and at an ARR multiple
        (:func:`venturesim.analysis.exits.round_returns`)."""
        from venturesim.analysis.exits import round_returns

        return round_returns(self)

    def cheque_returns(self, round_name: str, cheque: float, mark: str | None = None) -> pd.DataFrame:
        """What a ``cheque`` in ``round_name`` returns: proceeds, MOIC and IRR quantiles, over the realised paths
        (``mark=None``) or every path where the round closed with still-private ones marked (``"post_money"``,
        ``"arr_multiple"``); with ``n`` and ``conditioning`` (:func:`venturesim.analysis.exits.cheque_returns`)."""
        from venturesim.analysis.exits import cheque_returns

        return cheque_returns(self, round_name, cheque, mark=mark)

    def headline(self) -> str:
        """Two or three sentences in plain words (:func:`venturesim.analysis.summary.headline`)."""
        from venturesim.analysis.summary import headline

        return headline(self)

    def risk_events(self) -> pd.DataFrame:
        """Every risk event that fired: path, risk, month (time) and severity (both engines).

        A partner's first month over its concentration limit is an event too, named
        "<partner>: concentration", at time = that month, with its share of revenue as the severity.
        """
        from venturesim.risks.events import event_table

        time, severity, names = self._risk_arrays()
        return event_table(time, severity, names)

    def risk_deaths(self) -> pd.DataFrame:
        """For the paths that died: how often each risk fired before the death, ranked."""
        from venturesim.risks.events import risks_before_death

        return risks_before_death(self.risk_events(), self.data["death_month"].values, self._risk_arrays()[2])

    def _risk_arrays(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(time, severity) (paths, K + P, E) and the names: catalogue risks, then partners' concentration."""
        d = self.data
        time, severity, names = d["risk_time"].values, d["risk_severity"].values, list(d["risk"].values)
        if "partner_concentration_month" not in d or not d.sizes.get("partner"):
            return time, severity, names
        month = d["partner_concentration_month"].values.astype(np.float64)
        width = max(time.shape[2], 1)
        extra_time = np.full(month.shape + (width,), np.inf)
        extra_time[..., 0] = np.where(month >= 0, month, np.inf)
        extra_severity = np.zeros_like(extra_time)
        extra_severity[..., 0] = d["partner_concentration_share"].values
        pad = ((0, 0), (0, 0), (0, width - time.shape[2]))
        time = np.concatenate([np.pad(time, pad, constant_values=np.inf), extra_time], axis=1)
        severity = np.concatenate([np.pad(severity, pad), extra_severity], axis=1)
        return time, severity, names + [f"{p}: concentration" for p in d["partner"].values]

    def operating_metrics(self) -> xr.Dataset:
        """The SaaS dashboard per path and month — CAC, CAC payback, LTV/CAC, burn multiple, gross
        margin, Rule of 40, NRR and GRR (:func:`venturesim.market.metrics.operating_metrics`).

        Needs the metrics revenue, costs, cost_of_revenue, customers, new_customers,
        churned_customers, acquisition_spend, sales_marketing_payroll and new_mrr (``metrics="all"``): CAC is
        fully loaded, channel spend + the sales and marketing roles' payroll and recruiting, and CAC payback
        is that spend over the new MRR's gross profit (the investors' definition).
        """
        from venturesim.market.metrics import operating_metrics

        missing = [m for m in OPERATING_METRICS if m not in self.data]
        if missing:
            raise ValueError(f"operating metrics need {missing}: simulate with metrics='all' (or include them)")
        d = self.data
        return xr.Dataset(
            operating_metrics(
                revenue=d["revenue"],
                costs=d["costs"],
                cost_of_revenue=d["cost_of_revenue"],
                customers=d["customers"],
                new_customers=d["new_customers"],
                churned_customers=d["churned_customers"],
                sm_spend=d["acquisition_spend"] + d["sales_marketing_payroll"],
                new_mrr=d["new_mrr"],
            )
        )

    def to_pandas(self, metrics: list[str] | None = None) -> pd.DataFrame:
        """Long table: one row per path and month, one column per (2-D) metric."""
        names = [m for m in (metrics or self.metrics) if self._monthly(m).ndim == 2]
        return self.data[names].to_dataframe().reset_index()

    def export(self, path, formats="csv", *, force: bool = False) -> dict:
        """Write the paths' inputs and outcomes, the monthly metrics and (DES) the event log to the folder
        ``path`` as ``formats`` ("csv", "parquet", "xlsx", or several: a list or "csv,parquet");
        :func:`venturesim.report.exports.export`. Returns file name → path written."""
        from venturesim.report.exports import export

        return export(self, path, [formats] if isinstance(formats, str) else formats, force=force)


def store_rows(target: dict, name: str, block: np.ndarray, paths: int, start: int) -> None:
    """Copy a block of per-path rows into ``target[name]`` (allocated on first use)."""
    if name not in target:
        target[name] = np.empty((paths,) + block.shape[1:], block.dtype)
    target[name][start : start + len(block)] = block


def build_dataset(
    monthly: dict,
    finals: dict,
    months: int,
    segments: list[str],
    rounds: list[str],
    risks: Sequence[str] = (),
    partners: Sequence[str] = (),
    runs: Sequence[str] = (),
) -> xr.Dataset:
    """The Result dataset from (paths, months[, S]) records and per-path finals (both engines).

    The risk events (``risk_time``, ``risk_severity``) are (path, risk, risk_event); the partners'
    concentration events (``partner_concentration_*``) are (path, partner).
    """
    month = np.arange(1, months + 1)
    variables: dict[str, tuple] = {}
    for name, values in monthly.items():
        dims = ("path", "month", "segment")[: values.ndim]
        variables[name] = (dims, values, {"description": MONTHLY_METRICS[name]})
    rename = {
        "cash": "final_cash",
        "arr": "final_arr",
        "runway": "final_runway",
        "founder_ownership": "final_founder_ownership",
    }
    for name, values in finals.items():
        dims = (
            ("path", "risk", "risk_event")
            if name.startswith("risk_")
            else ("path", "partner")
            if name.startswith("partner_")
            else ("path", "run")
            if name.startswith("run_")
            else ("path", "round")[: values.ndim]
        )
        variables[rename.get(name, name)] = (dims, values)
    coords: dict[str, Any] = {"path": np.arange(len(finals["cash"])), "month": month}
    if segments and any("segment" in v[0] for v in variables.values()):
        coords["segment"] = segments
    coords["round"] = rounds
    coords["risk"] = list(risks)
    coords["partner"] = list(partners)
    coords["run"] = list(runs)
    return xr.Dataset(variables, coords=coords)
