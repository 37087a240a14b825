"""A run's statistics without its paths: ``simulate(..., keep="summary")`` folds each chunk into accumulators.

A streaming run keeps, whatever the number of paths (memory O(months × metrics), not O(paths)):

* per monthly metric and month (and segment): the exact count, mean and variance of the finite values (so the
  mean's standard error) and the counts of NaN and ±∞ (:class:`~venturesim.analysis.sketch.Moments`, float64,
  Chan et al.'s parallel merge), and a quantile sketch whose quantiles are within a relative
  :data:`~venturesim.analysis.sketch.RELATIVE_ERROR` (1 %) of the sample's
  (:class:`~venturesim.analysis.sketch.QuantileSketch`);
* the exact probabilities of being alive (operating) and of having exited at each month 0 … T
  (:meth:`StreamingSummary.survival`, as :meth:`venturesim.engine.result.Result.survival`);
* the rows of the summary table (:func:`venturesim.analysis.summary.summarize`) that are probabilities, means or
  quantiles over paths: survival and exits by month, the founder's runway and first cash-flow-positive month, cash,
  shortfall and runway at the horizon, ARR (quantiles and means), each round's probability, closing month and
  founders' ownership after it, ownership at the horizon, the month of cash-out and the commonest causes of death
  (:meth:`StreamingSummary.summary`). Each row's per-path values come from the same functions the full summary uses
  (:mod:`venturesim.analysis.outcomes`, on a Result of the chunk alone), so the rows mean the same: probabilities and
  means agree with the full Result's to float64 rounding, quantiles within the sketch's relative error, and a
  quantile's standard error is the same order-statistic formula on the sketch's order statistics. Left out (they need
  every path's values together, or whole-path tables): the exits' and returns' rows
  (:func:`venturesim.analysis.exits.summary_rows`), the SaaS dashboard's medians, the product's training-run rows and
  the scenario's targets; ``keep="paths"`` (the default) has them.

Chunk order, chunk size and thread count do not change the figures: the engine yields chunks in path order, the
histograms' counts and the event counts are exact integers, and the moments are folded in the engine's fixed blocks
of :data:`~venturesim.engine.jax_engine.BLOCK` paths in path order, so any chunk size (a multiple of BLOCK) merges the
same parts in the same order. The same seed gives the same numbers, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from venturesim.analysis import outcomes as oc
from venturesim.analysis._stats import FAN_QUANTILES, QUANTILES
from venturesim.analysis.sketch import RELATIVE_ERROR, Moments, QuantileSketch

_SUMMARY_COLUMNS = ["section", "metric", "statistic", "value", "se", "unit"]


@dataclass
class _Row:
    """One summary row's accumulator: its label (``{n}``: the paths it covers), statistics and state."""

    section: str
    label: str
    statistics: tuple[str, ...]  # ("probability",), ("mean",) or quantiles ("p10", "p50", "p90")
    unit: str
    shown: bool = False
    hits: int = 0
    total: int = 0
    moments: Moments = field(default_factory=Moments)
    sketch: QuantileSketch | None = None


class StreamingSummary:
    """The statistics of a streaming run (module docstring): build with the run's settings, :meth:`fold` each chunk
    in path order, then :meth:`finish`.

    Attributes
    ----------
    scenario, seed, paths, months, metrics : the run's settings; ``engine`` is ``"jax"``.
    relative_error : α, the quantiles' bound.
    """

    engine = "jax"

    def __init__(self, scenario, *, paths: int, seed: int, months: int, metrics, block: int, relative_error=None):
        self.scenario, self.paths, self.seed, self.months = scenario, int(paths), int(seed), int(months)
        self.metrics = [str(m) for m in metrics]
        self.block = int(block)
        self.relative_error = RELATIVE_ERROR if relative_error is None else float(relative_error)
        self.folded = 0
        self._moments: dict[str, Moments] = {}
        self._sketches: dict[str, QuantileSketch] = {}
        self._alive = np.zeros(self.months + 1, np.int64)
        self._exited = np.zeros(self.months + 1, np.int64)
        self._rows: dict[tuple, _Row] = {}
        self._causes: dict[str, int] = {}
        self._broken: list[int] = []
        self._broken_inputs: list[str] = []

    # ---- folding ----

    def fold(self, start: int, records: dict, finals: dict, draws: dict) -> None:
        """Fold paths ``start … start + n − 1`` (records (n, months[, S]), finals (n[, …]), input draws (n,)).

        Chunks must come in path order, each starting on a block boundary (the engine's chunks do)."""
        if start != self.folded:
            raise ValueError(f"chunk starting at path {start} folded after {self.folded} paths: fold in path order")
        from venturesim.engine.simulate import assemble

        n = len(finals["cash"])
        for name, values in records.items():
            if name not in self._moments:
                self._moments[name] = Moments(values.shape[1:])
                self._sketches[name] = QuantileSketch(values.shape[1:], self.relative_error)
            for lo in range(0, n, self.block):
                self._moments[name].add(values[lo : lo + self.block])
            self._sketches[name].add(values)
        result = assemble(self.scenario, records, finals, draws, paths=n, seed=self.seed, months=self.months)
        self._check_finite(result, start)
        death = np.asarray(result.data["death_month"].values)
        month = np.arange(self.months + 1)
        exited = result.exited()[None, :] <= month[:, None]  # (months + 1, n)
        self._exited += exited.sum(axis=1)
        self._alive += (((death[None, :] < 0) | (death[None, :] >= month[:, None])) & ~exited).sum(axis=1)
        for key, values, mask, shown in _chunk_rows(result):
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = _Row(*key)
                if row.statistics[0] not in ("probability", "mean"):
                    row.sketch = QuantileSketch((), self.relative_error / 2, bucket_means=True)
            row.shown |= bool(shown)
            if row.statistics == ("probability",):
                row.hits += int(np.count_nonzero(values))
                row.total += len(values)
            else:  # in blocks, in path order: the same sums whatever the chunk size
                for lo in range(0, n, self.block):
                    part = slice(lo, lo + self.block)
                    kept = np.asarray(values[part], np.float64)[mask[part]]
                    (row.sketch or row.moments).add(kept)
        try:
            codes = result.death_causes()
        except ValueError:
            codes = np.array([], dtype=object)
        for code, count in pd.Series(codes[codes != ""], dtype=object).value_counts(sort=False).items():
            self._causes[str(code)] = self._causes.get(str(code), 0) + int(count)
        self.folded += n

    def _check_finite(self, result, start: int) -> None:
        from venturesim.engine.finite import SHOWN_PATHS, check_finite
        from venturesim.spec.errors import NonFiniteResultError

        try:
            check_finite(result)
        except NonFiniteResultError as error:
            for path in error.paths:
                if len(self._broken) < SHOWN_PATHS and len(result.inputs.columns):
                    row = result.inputs.iloc[int(path)]
                    shown = ", ".join(f"{column}={float(value):.6g}" for column, value in row.items())
                    self._broken_inputs.append(f"  path {start + int(path)}: {shown}")
                self._broken.append(start + int(path))

    def finish(self) -> StreamingSummary:
        """Check that every path was folded and that all money was finite (else :class:`NonFiniteResultError`,
        naming the paths and, for the first few, their inputs, as :func:`venturesim.engine.finite.check_finite`)."""
        from venturesim.spec.errors import NonFiniteResultError

        if self.folded != self.paths:
            raise ValueError(f"{self.folded} of {self.paths} paths were folded")
        if self._broken:
            error = NonFiniteResultError(
                "\n".join(
                    [
                        (
                            f"the simulation produced NaN or infinite money on {len(self._broken):,} of "
                            f"{self.paths:,} paths. A number overflowed the engine's float32 range: narrow the "
                            "distributions or trends below."
                        ),
                        *self._broken_inputs,
                    ]
                )
            )
            error.paths = np.asarray(self._broken)
            raise error
        return self

    # ---- what it answers ----

    def _metric(self, metric: str) -> tuple[Moments, QuantileSketch]:
        if metric not in self._moments:
            raise KeyError(f"metric {metric!r} was not recorded; recorded: {self.metrics}")
        return self._moments[metric], self._sketches[metric]

    def _month_index(self) -> pd.Index:
        return pd.Index(np.arange(1, self.months + 1), name="month")

    def mean(self, metric: str) -> pd.DataFrame:
        """Per month: the mean of a monthly metric's finite values over paths, its standard error, the count of finite
        values and of NaN (columns mean, se, n, nan; exact to float64 rounding). A metric with segments: (months, S)
        arrays in each column's cells."""
        moments, _ = self._metric(metric)
        mean, se = moments.values()
        if mean.ndim != 1:
            raise ValueError(f"{metric!r} has extra dimensions; use summary.moments({metric!r})")
        return pd.DataFrame({"mean": mean, "se": se, "n": moments.n, "nan": moments.nan}, index=self._month_index())

    def moments(self, metric: str) -> Moments:
        """A monthly metric's :class:`~venturesim.analysis.sketch.Moments` accumulator, cells (months[, S])."""
        return self._metric(metric)[0]

    def sketch(self, metric: str) -> QuantileSketch:
        """A monthly metric's :class:`~venturesim.analysis.sketch.QuantileSketch`, cells (months[, S])."""
        return self._metric(metric)[1]

    def quantiles(self, metric: str, q: Sequence[float] = FAN_QUANTILES) -> pd.DataFrame:
        """Quantiles over paths of a monthly metric (rows months, columns quantiles), as
        :meth:`venturesim.engine.result.Result.quantiles` (NaN left out, linear interpolation) within the relative
        error :attr:`relative_error` (where numpy interpolates between +∞ and +∞ to NaN, the sketch gives +∞)."""
        _, sketch = self._metric(metric)
        if len(sketch.cells) != 1:
            raise ValueError(f"{metric!r} has extra dimensions; use summary.sketch({metric!r})")
        table = np.stack([sketch.quantile(float(p)) for p in q], axis=1)
        return pd.DataFrame(table, index=self._month_index(), columns=list(q))

    def survival(self) -> pd.DataFrame:
        """Probability of being alive and operating at each time m = 0 … T with its standard error, and the share
        exited by then: the same table as :meth:`venturesim.engine.result.Result.survival`, exact."""
        p = self._alive / self.paths
        return pd.DataFrame(
            {"survival": p, "se": np.sqrt(p * (1 - p) / self.paths), "exited": self._exited / self.paths},
            index=pd.Index(np.arange(self.months + 1), name="month"),
        )

    def why_dead(self) -> pd.DataFrame:
        """Causes of death ranked by the paths they ended (count and share of all paths), as
        :meth:`venturesim.engine.result.Result.why_dead`, exact."""
        from venturesim.funding.causes import describe

        ranked = sorted(self._causes.items(), key=lambda item: -item[1])
        table = pd.DataFrame({"cause": [describe(c) for c, _ in ranked], "paths": [k for _, k in ranked]})
        table["share_of_paths"] = table["paths"] / self.paths
        return table

    def summary(self) -> pd.DataFrame:
        """The summary table's rows a streaming run can give (module docstring), in the full table's order and
        columns (section, metric, statistic, value, se, unit)."""
        rows = list(self._summary_rows())
        return pd.DataFrame(rows, columns=_SUMMARY_COLUMNS)

    def _summary_rows(self) -> Iterator[tuple]:
        from venturesim.analysis.summary import TOP_CAUSES
        from venturesim.funding.causes import describe

        for row in self._rows.values():
            if not row.shown:
                continue
            if row.statistics == ("probability",):
                if row.total:
                    p = row.hits / row.total
                    yield row.section, row.label, "probability", p, float(np.sqrt(p * (1 - p) / row.total)), row.unit
            elif row.sketch is None:
                if row.moments.n + row.moments.posinf + row.moments.neginf:
                    mean, se = row.moments.values()
                    yield row.section, row.label, "mean", float(mean), float(se), row.unit
            else:
                n = int(row.sketch.n)
                if not n:
                    continue
                method = "inverted_cdf" if row.sketch.any_infinite() else "linear"
                label = row.label.format(n=n)
                for statistic in row.statistics:
                    q = int(statistic[1:]) / 100
                    q_se = float(row.sketch.quantile_se(q)) if n > 1 else float("nan")
                    yield row.section, label, statistic, float(row.sketch.quantile(q, method)), q_se, row.unit
        if any(row.section == "deaths" and row.shown for row in self._rows.values()):
            for code, count in sorted(self._causes.items(), key=lambda item: -item[1])[:TOP_CAUSES]:
                p = count / self.paths
                yield "deaths", describe(code), "probability", p, float(np.sqrt(p * (1 - p) / self.paths)), "fraction"


def _chunk_rows(result) -> Iterator[tuple[tuple, np.ndarray, np.ndarray, bool]]:
    """Each summary row's (key, per-path values, mask of the paths it covers, shown) for one chunk's Result; the
    rows and their order do not depend on the chunk's data (``shown``: the full summary would list the row)."""
    ds, months = result.data, result.months
    where = oc.standing(result)
    operating, dead = where == oc.OPERATING, where == oc.DEAD
    everyone = np.ones(result.paths, bool)
    quantile_stats = tuple(f"p{round(100 * q)}" for q in QUANTILES)

    def quantiles(section, label, values, mask, unit, shown=True, statistics=quantile_stats):
        return (section, label, statistics, unit), np.asarray(values, np.float64), np.asarray(mask, bool), shown

    def probability(section, label, flags, shown=True):
        return (section, label, ("probability",), "fraction"), np.asarray(flags, bool), everyone, shown

    death = ds["death_month"].values
    exit_time = result.exited()
    sold_any = bool(np.isfinite(exit_time).any())
    for m in sorted({12, 24, 36, months}):
        if m <= months:
            exited = exit_time <= m
            alive = ((death < 0) | (death >= m)) & ~exited
            yield probability("survival", f"alive at month {m}", alive)
            yield probability("survival", f"exited (sold or listed) by month {m}", exited, sold_any)

    now = oc.runway_now(result)
    if now is not None:
        yield quantiles("founder", "runway now: starting cash / month-1 net burn", now, ~np.isnan(now), "months")
    first = oc.first_cash_flow_positive_month(result)
    if first is not None:
        label = "first month cash-flow positive (paths that get there, n={n:,})"
        yield quantiles("founder", label, first, ~np.isnan(first), "months")
        yield probability("founder", f"never cash-flow positive by month {months}", np.isnan(first))

    final_cash = np.asarray(ds["final_cash"].values, np.float64)
    yield quantiles("cash", f"cash at month {months} (operating paths)", final_cash, operating, "USD")
    label = f"cash at month {months} (all paths not sold; dead = $0)"
    yield quantiles("cash", label, np.where(dead, 0.0, final_cash), where != oc.EXITED, "USD", dead.any())
    label = "shortfall at death: bills unpaid (paths that die)"
    yield quantiles("cash", label, np.maximum(-final_cash, 0.0), dead, "USD", dead.any(), ("p50", "p90"))
    runway = np.asarray(ds["final_runway"].values, np.float64)
    label = f"operating and cash-flow positive at month {months}"
    yield probability("cash", label, operating & np.isposinf(runway))
    label = f"runway at month {months} (operating paths still burning)"
    yield quantiles("cash", label, runway, operating & np.isfinite(runway), "months")

    final_arr = np.asarray(ds["final_arr"].values, np.float64)
    label = f"ARR at month {months} (operating paths)"
    yield quantiles("revenue", label, final_arr, operating, "USD")
    yield quantiles("revenue", label, final_arr, operating, "USD", statistics=("mean",))
    label = f"ARR at month {months} (all paths not sold; dead = $0)"
    arr_all = np.where(dead, 0.0, final_arr)
    yield quantiles("revenue", label, arr_all, where != oc.EXITED, "USD", dead.any())
    yield quantiles("revenue", label, arr_all, where != oc.EXITED, "USD", dead.any(), ("mean",))

    ownership = []
    if "round" in ds.dims:
        from venturesim.analysis.exits import CLOSED
        from venturesim.funding.params import _round_axis

        bridges = {r.name for r, _, parent in _round_axis(result.scenario.funding) if parent >= 0}
        for name in (str(n) for n in ds["round"].values):
            closed = ds["round_status"].sel(round=name).values == CLOSED
            yield probability("funding", f"raised round '{name}'", closed)
            if name not in bridges:
                label = f"raised '{name}' or did without it (cash-flow positive or sold at month {months})"
                yield probability("funding", label, oc.raised_or_did_without(result, name))
            close = ds["round_close_month"].sel(round=name).values + 1.0
            yield quantiles("funding", f"month round '{name}' closed", close, closed, "months", statistics=("p50",))
            after, how = oc.founder_ownership_after(result, name)
            label = f"founder ownership after '{name}' ({how}; n={{n:,}})"
            ownership.append(quantiles("ownership", label, after, ~np.isnan(after), "fraction"))
    yield from ownership
    owned = np.asarray(ds["final_founder_ownership"].values, np.float64)
    label = f"founder ownership at month {months} (operating or exited paths)"
    yield quantiles("ownership", label, owned, ~dead, "fraction")
    label = "month of cash-out (paths that die, n={n:,})"
    yield quantiles("deaths", label, np.asarray(death, np.float64) + 1.0, dead, "months", dead.any())
