"""Funding and ownership of one path: the cap table month by month, stacked by holder class.

The engines record only the founders' share each month (``founder_ownership``), not the whole cap
table, so :func:`cap_table_data` runs the path again, alone, on the DES driver (NumPy, one path:
:func:`venturesim.engine.des_engine.run_paths` with a ``watch`` that reads the funding book after each
month's close): a DES result's path with its own generators, a JAX result's path with the kernel's
draws (:class:`venturesim._draws.ReplayDraws`), so it is the same path as in the result. The replay is
checked against the result (the founders' share each month and the month of death): a path that does
not replay (a result run with a sampling design other than random, or a count decided within float32
error) is not charted, rather than charted wrong.

Holder classes (fractions of the fully diluted company, summing to 1; :mod:`venturesim.funding.ownership`):
founders, other early holders, the option pool (granted and unissued), and each round's investors
(a post-money SAFE's holders from the month it closes, at P/Cap until it converts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import altair as alt
import numpy as np
import pandas as pd

from venturesim.report.charts import CHART_HEIGHT, month_axis

if TYPE_CHECKING:
    from venturesim.engine.result import Result

__all__ = ["ReplayMismatch", "can_chart", "cap_table_data", "funding_events", "plot_cap_table"]

_TOLERANCE = 1e-4
"""Largest difference, in ownership fraction, between the replayed founders' share and the recorded one
(the JAX engine computes in float32)."""


class ReplayMismatch(ValueError):
    """The path did not replay as the result has it (see the module docstring)."""


def can_chart(result: Result) -> bool:
    """Whether the result has what :func:`cap_table_data` needs: the per-path results and a scenario with rounds."""
    return (
        "death_month" in result.data
        and "final_arr" in result.data
        and len(result.scenario.funding.class_names()) > 0
        and result.engine in ("jax", "des")
    )


def cap_table_data(result: Result, path: int | None = None) -> pd.DataFrame:
    """The cap table of ``path`` (default :func:`venturesim.report.result_charts.median_path`) after each
    month's close: columns month (1 … T), holder, share (fraction), in holder order founders, other early
    holders, option pool, then the rounds in the scenario's order (a round's rows are 0 before it closes).
    ``attrs["path"]`` is the path.

    Raises
    ------
    ReplayMismatch
        If the replayed founders' share differs from the recorded one by more than 1e-4 in some month
        (when ``founder_ownership`` was recorded), or at the horizon, or the path dies in another month.
    """
    from venturesim.engine.des_engine import run_paths
    from venturesim.report.result_charts import median_path

    p = median_path(result) if path is None else int(path)
    rounds = [str(r) for r in result.data["round"].values]
    rows: list[dict] = []

    def watch(_path: int, t: int, company) -> None:
        f = company.funding
        shares = [float(f.founder_ownership), float(f.other_ownership), float(f.pool_ownership)]
        shares += [float(x) for x in np.asarray(f.investor_ownership, np.float64)]
        for holder, share in zip(["founders", "other early holders", "option pool", *rounds], shares, strict=True):
            rows.append({"month": t + 1, "holder": holder, "share": share})

    (out, _) = run_paths(
        result.scenario,
        p,
        p + 1,
        seed=result.seed,
        months=result.months,
        metrics=("founder_ownership",),
        replay=result.paths if result.engine == "jax" else None,
        watch=watch,
    )
    records, final, _ = out[0]
    frame = pd.DataFrame(rows)
    _check_replay(result, p, frame, np.asarray(records["founder_ownership"], np.float64), final)
    frame.attrs["path"] = p
    return frame


def _check_replay(result: Result, p: int, frame: pd.DataFrame, founders: np.ndarray, final: dict) -> None:
    d = result.data
    death = int(d["death_month"].values[p])
    if int(final["death_month"]) != death:
        raise ReplayMismatch(f"path {p} replayed with death month {int(final['death_month'])}, the result has {death}")
    expected = [float(d["final_founder_ownership"].values[p])]
    got = [float(final["founder_ownership"])]
    if "founder_ownership" in d:
        expected += list(np.asarray(d["founder_ownership"].values[p], np.float64))
        got += list(founders)
    watched = frame.loc[frame["holder"] == "founders", "share"].to_numpy()
    if not np.allclose(watched, founders, atol=1e-12):
        raise ReplayMismatch(f"path {p}: the founders' share read after each close differs from the record")
    worst = float(np.max(np.abs(np.subtract(expected, got))))
    if worst > _TOLERANCE:
        raise ReplayMismatch(f"path {p} replayed with founders' shares up to {worst:.2g} off the result's")


def plot_cap_table(result: Result, path: int | None = None) -> alt.LayerChart:
    """Stacked areas of the cap table of the median path (or ``path``) month by month (:func:`cap_table_data`),
    with a dashed rule at each round it closed (:func:`funding_events`: amount and price in the tooltip)."""
    frame = cap_table_data(result, path)
    order = list(dict.fromkeys(frame["holder"]))
    frame = frame.assign(order=frame["holder"].map({h: i for i, h in enumerate(order)}))
    p = frame.attrs["path"]
    death = int(result.data["death_month"].values[p])
    fate = "alive at the horizon" if death < 0 else f"died in month {death + 1}"
    areas = (
        alt.Chart(frame)
        .mark_area()
        .encode(
            x=month_axis(1, result.months),
            y=alt.Y("share:Q", stack="normalize", title="Fully diluted ownership", axis=alt.Axis(format="%")),
            color=alt.Color(
                "holder:N", sort=order, legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=180)
            ),
            order=alt.Order("order:Q"),
            tooltip=["month:Q", "holder:N", alt.Tooltip("share:Q", format=".1%")],
        )
    )
    rounds = funding_events(result, p)
    layers: list = [areas]
    if len(rounds):
        layers.append(
            alt.Chart(rounds)
            .mark_rule(color="#222", strokeDash=[3, 3], strokeWidth=1.5)
            .encode(
                x="month:Q",
                tooltip=[
                    alt.Tooltip("round:N"),
                    alt.Tooltip("month:Q", title="closed in month"),
                    alt.Tooltip("amount:Q", title="raised (USD)", format="$,.0f"),
                    alt.Tooltip("price:Q", title="pre-money or cap (USD)", format="$,.0f"),
                ],
            )
        )
    return cast(
        alt.LayerChart,
        alt.layer(*layers).properties(
            title=alt.TitleParams(
                "Cap table of the median path",
                subtitle=[f"path {p}, {fate}", "median by months operated, then ARR and cash"],
            ),
            width="container",
            height=CHART_HEIGHT,
        ),
    )


def funding_events(result: Result, path: int) -> pd.DataFrame:
    """The rounds ``path`` closed: columns round, month (1-based: the month whose close first shows the
    new holders), amount (USD) and price (the pre-money, or a SAFE's cap, USD)."""
    d = result.data
    close = np.asarray(d["round_close_month"].values[path], np.int64)
    closed = close >= 0
    return pd.DataFrame(
        {
            "round": [str(r) for r in np.asarray(d["round"].values)[closed]],
            "month": close[closed] + 1,
            "amount": np.asarray(d["round_amount"].values[path], np.float64)[closed],
            "price": np.asarray(d["round_pre_money"].values[path], np.float64)[closed],
        }
    )
