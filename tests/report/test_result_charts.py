"""The Result charts' numbers: each chart's data against the Result it summarises, and small hand-worked cases.

The runs are conftest's (300 JAX paths and 8 DES paths of the "mixed fates" scenario, 36 months).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from venturesim.report import captable
from venturesim.report import result_charts as rc
from venturesim.report.charts import FAN_QUANTILES, fan_data, plot_fan, quantile_column
from venturesim.report.html import dataset_charts

MONTHS, PATHS = 36, 300  # the shared runs (tests/report/conftest.py)


def _datasets(chart) -> list[list[dict]]:
    return list(chart.to_dict()["datasets"].values())


def test_fan_matches_result_quantiles_and_ends_at_the_horizon(jax_result) -> None:
    """The cash fan's numbers are Result.quantiles at p10, p25, p50, p75, p90; its x axis is [1, 36]. The
    report's fans are over the operating paths: the quantiles of cash where ``alive``."""
    spec = plot_fan(fan_data(jax_result.data, "cash"), "Cash", "Cash (USD)").to_dict()
    (rows,) = [d for d in spec["datasets"].values() if "q50" in d[0]]
    table = jax_result.quantiles("cash", FAN_QUANTILES)
    for q in FAN_QUANTILES:
        np.testing.assert_allclose([r[quantile_column(q)] for r in rows], table[q].to_numpy(), rtol=1e-6)
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [1, MONTHS]
    charts = dataset_charts(jax_result.data)
    spec = charts["Cash balance"].to_dict()
    (rows,) = [d for d in spec["datasets"].values() if "q50" in d[0]]
    cash, alive = jax_result.data["cash"].values, jax_result.data["alive"].values
    assert not alive[:, -1].all()  # some paths stopped operating
    expected = np.nanquantile(np.where(alive, cash, np.nan)[:, -1], 0.1)
    assert rows[-1]["q10"] == pytest.approx(expected, rel=1e-6)
    assert expected > table[0.1].iloc[-1]  # dead paths' negative balances no longer pull p10 down
    assert "(operating paths)" in spec["title"]
    for caption, chart in charts.items():
        encoding = chart.to_dict()["layer"][0]["encoding"]
        if encoding["x"].get("field") == "month":
            assert encoding["x"]["scale"]["domain"][1] == MONTHS, caption


def test_distribution_data_by_hand() -> None:
    """Values 0, 1, 10, 100, 1000: the zero counts in n = 5 but is not drawn; P(X ≥ x) = #{X ≥ x}/5."""
    hist, exceed = rc.distribution_data(np.array([0.0, 1.0, 10.0, 100.0, 1000.0]), bins=3, points=4)
    assert hist.attrs["n"] == 5 and hist.attrs["share_not_positive"] == pytest.approx(0.2)
    np.testing.assert_allclose(hist["low"], [1.0, 10.0, 100.0])
    np.testing.assert_allclose(hist["high"], [10.0, 100.0, 1000.0])
    np.testing.assert_allclose(hist["share"], [0.2, 0.2, 0.4])  # the last bin is closed: 100 and 1000
    np.testing.assert_allclose(exceed["x"], [1.0, 10.0, 100.0, 1000.0])
    np.testing.assert_allclose(exceed["p_at_least"], [0.8, 0.6, 0.4, 0.2])
    np.testing.assert_allclose(exceed["se"], np.sqrt(exceed["p_at_least"] * (1 - exceed["p_at_least"]) / 5))
    empty, none = rc.distribution_data(np.zeros(3))
    assert empty.empty and none.empty and none.attrs["n"] == 3


def test_outcome_distribution_counts_operating_paths(jax_result) -> None:
    """ARR at the horizon over operating paths: the chart's P(ARR ≥ x) is the share of those paths at or above x."""
    d = jax_result.data
    operating = (d["death_month"].values < 0) & (d["exit_kind"].values == 0)
    arr = d["final_arr"].values[operating].astype(np.float64)
    assert 0 < operating.sum() < PATHS
    chart = rc.plot_outcome_distribution(jax_result, "arr")
    hist, exceed = _datasets(chart)
    hist, exceed = pd.DataFrame(hist), pd.DataFrame(exceed)
    expected = np.array([(arr >= x).mean() for x in exceed["x"]])
    np.testing.assert_allclose(exceed["p_at_least"], expected, atol=1e-12)
    assert hist["share"].sum() == pytest.approx((arr > 0).mean())
    spec = chart.to_dict()
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    assert f"n = {operating.sum():,}" in json.dumps(spec["title"], ensure_ascii=False)


def test_time_to_arr_by_hand() -> None:
    """Three paths over 3 months: ARR $0.5M → $1.2M → $1.5M, never, and $2M from month 1: P(≥ $1M) by month."""
    arr = np.array([[5e5, 1.2e6, 1.5e6], [0.0, 1e5, 2e5], [2e6, 2e6, np.nan]])
    result = SimpleNamespace(data=xr.Dataset({"arr": (("path", "month"), arr)}, coords={"month": [1, 2, 3]}))
    table = rc.time_to_arr_data(result, thresholds=(1e6,))
    assert table["month"].tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(table["share"], [0.0, 1 / 3, 2 / 3, 2 / 3])
    assert table["median_month"].iloc[0] == 1.5  # first months 2 and 1
    assert table["label"].iloc[0] == "ARR ≥ $1M"


def test_time_to_arr_on_the_run(jax_result) -> None:
    table = rc.time_to_arr_data(jax_result)
    arr = jax_result.data["arr"].values
    last = table[table["month"] == MONTHS].set_index("threshold")["share"]
    for threshold in (1e6, 1e7):
        assert last[threshold] == pytest.approx((arr >= threshold).any(axis=1).mean())
    spec = rc.plot_time_to_arr(jax_result).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, MONTHS]


def test_causes_of_death_both_engines(jax_result, des_result) -> None:
    """Both engines chart the structured causes the summary table lists (Result.why_dead), their counts summing
    to the paths dead; the JAX engine's as well (its causes are found from the rounds' final state), not the
    year of death. Only a result recorded without the rounds' attempts falls back to the year."""
    from venturesim.funding.causes import describe

    for result in (jax_result, des_result):
        table = rc.death_causes_data(result)
        dead = (result.data["death_month"].values >= 0).sum()
        assert dead > 0 and table["paths"].sum() == dead
        np.testing.assert_allclose(table["share"], table["paths"] / result.paths)
        assert table.attrs.get("by") != "year"
        codes = pd.Series(result.death_causes())
        counts = codes[codes != ""].value_counts()
        assert dict(zip(table["cause"], table["paths"], strict=True)) == {describe(c): k for c, k in counts.items()}
        assert not any(cause.startswith("year ") for cause in table["cause"])
    assert "cause_of_death" in des_result.data and "cause_of_death" not in jax_result.data
    spec = rc.plot_death_causes(jax_result).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["title"] is None  # the causes name themselves
    assert "died by the horizon" in spec["title"]["subtitle"][0] and len(spec["title"]["subtitle"]) == 1

    old = SimpleNamespace(data=jax_result.data.drop_vars("round_attempts"), paths=jax_result.paths)
    old.why_dead = lambda: jax_result.__class__.why_dead(old)
    old.death_causes = lambda: jax_result.__class__.death_causes(old)
    by_year = rc.death_causes_data(old)
    death = jax_result.data["death_month"].values
    first = by_year.iloc[0]
    year = int(first["cause"].split()[1])
    assert by_year.attrs["by"] == "year" and by_year["paths"].sum() == (death >= 0).sum()
    assert first["paths"] == ((death >= 0) & (death // 12 + 1 == year)).sum()


def test_median_path_by_hand() -> None:
    """Five paths ordered by months operated, then ARR, then cash: the third of them is the median."""
    data = xr.Dataset(
        {
            "death_month": ("path", [4, -1, 4, 9, -1]),  # operated 5, 12, 5, 10, 12 months
            "final_arr": ("path", [0.0, 3e6, 0.0, 0.0, 1e6]),
            "final_cash": ("path", [-10.0, 5e5, -20.0, -5.0, 2e6]),
        }
    )
    result = SimpleNamespace(data=data, months=12, paths=5)
    # order: path 2 (5, cash −20), path 0 (5, −10), path 3 (10), path 4 (12, $1M), path 1 (12, $3M)
    assert rc.median_path(result) == 3


def test_statement_identities(jax_result) -> None:
    frame = rc.pnl_data(jax_result)
    p = frame.attrs["path"]
    d = jax_result.data.isel(path=p)
    np.testing.assert_allclose(frame["gross_profit"], frame["revenue"] - frame["cost_of_revenue"])
    np.testing.assert_allclose(frame["net_income"], d["revenue"].values - d["costs"].values, rtol=1e-6)
    np.testing.assert_allclose(frame["cash"], d["cash"].values)
    assert frame["month"].tolist() == list(range(1, MONTHS + 1))


def test_base_plan_pins_every_input_at_its_median(plan_result) -> None:
    """Initial cash {p5: $300k, p95: $1.5M} is lognormal: median √(3e5 · 1.5e6) = $670,820; market size
    {p5: 2,000, p95: 6,000}: √(1.2e7) = 3,464.1; churn Beta(2, 100): its median (scipy)."""
    inputs = plan_result.inputs
    assert (inputs.nunique() == 1).all()
    first = inputs.iloc[0]
    assert first["company.initial_cash"] == pytest.approx(np.sqrt(3e5 * 1.5e6), rel=1e-6)
    assert first["market.segments.a.market_size"] == pytest.approx(np.sqrt(2_000 * 6_000), rel=1e-6)
    assert first["market.segments.b.churn"] == pytest.approx(stats.beta(2, 100).median(), rel=1e-5)


def test_statement_table_median_path_and_plan(jax_result, plan_result) -> None:
    table = rc.statement_table(jax_result, plan_result)
    assert table["whose"].tolist()[:2] == ["median path", "base plan"]
    assert len(table) == 2 * len(rc.STATEMENT)
    cash = table[(table["line item"] == rc.STATEMENT["cash"]) & (table["whose"] == "base plan")]
    plan_cash = plan_result.data["cash"].values[rc.median_path(plan_result)]
    np.testing.assert_allclose(cash[[f"M{m}" for m in range(1, MONTHS + 1)]].to_numpy()[0], plan_cash)


def test_unit_economics_quantiles_over_operating_paths(jax_result) -> None:
    table = rc.unit_economics_data(jax_result)
    ops = jax_result.operating_metrics()
    alive = jax_result.data["alive"].values
    margin = ops["gross_margin"].values
    margin = np.where(alive & np.isfinite(margin), margin, np.nan)
    row = table[(table["metric"] == "gross_margin") & (table["month"] == MONTHS)].iloc[0]
    assert row["q50"] == pytest.approx(np.nanmedian(margin[:, -1]))
    assert row["n"] == np.isfinite(margin[:, -1]).sum()


def test_unit_economics_keep_the_paths_at_infinity_at_the_cap(jax_result) -> None:
    """A ratio at +∞ (a CAC that never pays back, burning without growing) is a bad figure, not a missing one: it
    counts at the panel's cap, so the quantiles are those of min(ratio, cap) over every operating path where the
    ratio is defined (the run: the burn multiple, cap 10×, with a path at +∞)."""
    table = rc.unit_economics_data(jax_result).query("metric == 'burn_multiple'").set_index("month")
    ratio = np.where(jax_result.data["alive"].values, jax_result.operating_metrics()["burn_multiple"].values, np.nan)
    assert np.isposinf(ratio).any()
    months = [m for m in range(1, MONTHS + 1) if (~np.isnan(ratio[:, m - 1])).sum() >= 10]
    for month in (months[0], months[-1], *np.flatnonzero(np.isposinf(ratio).any(axis=0)) + 1):
        v = ratio[:, month - 1]
        defined = v[~np.isnan(v)]
        row = table.loc[month]
        assert row["n"] == defined.size and row["cap"] == rc.UNIT_ECONOMICS_CAPS["burn_multiple"] == 10.0
        assert row["infinite"] == pytest.approx(np.isposinf(defined).mean())
        for q in (0.1, 0.5, 0.9):
            assert row[quantile_column(q)] == pytest.approx(np.quantile(np.minimum(defined, 10.0), q))
    by_hand = SimpleNamespace(
        operating_metrics=lambda: xr.Dataset(
            {m: (("path", "month"), np.array([[1.0], [2.0], [np.inf], [np.inf], [np.nan]])) for m in rc.UNIT_ECONOMICS},
            coords={"month": [1]},
        ),
        data=xr.Dataset({"alive": (("path", "month"), np.ones((5, 1), bool))}),
    )
    row = rc.unit_economics_data(by_hand).set_index("metric").loc["cac_payback_months"]
    # min(·, 60) of [1, 2, ∞, ∞] = [1, 2, 60, 60]: the median is 31 (left out, ∞ would make it 1.5)
    assert (row["n"], row["infinite"], row["q50"], row["q90"]) == (4, 0.5, 31.0, 60.0)
    margin = rc.unit_economics_data(by_hand).set_index("metric").loc["gross_margin"]
    assert (margin["q50"], margin["infinite"]) == (1.5, 0.5) and np.isnan(margin["cap"])  # no cap: +∞ not drawn


@pytest.mark.parametrize("engine", ["jax", "des"])
def test_cap_table_replays_the_median_path(engine, jax_result, des_result) -> None:
    """The median path run again alone (DES driver; a JAX path with the kernel's draws) gives the result's
    founders' share each month; holders sum to 1; the seed round's investors own nothing before it closes."""
    result = jax_result if engine == "jax" else des_result
    frame = captable.cap_table_data(result)
    p = frame.attrs["path"]
    wide = frame.pivot(index="month", columns="holder", values="share")
    np.testing.assert_allclose(wide.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(wide["founders"], result.data["founder_ownership"].values[p], atol=1e-4)
    closed = int(result.data["round_close_month"].values[p, 0])
    seed = wide["seed"].to_numpy()
    if closed >= 0:
        assert (
            seed[:closed].max(initial=0.0) == 0.0 and seed[closed] > 0
        )  # month index m closes at the end of month m + 1
    else:
        assert seed.max() == 0.0


def test_report_draws_every_chart_from_summaries(report_page) -> None:
    """The report of a Result: every chart it can draw, the headline slot, the statement; no per-path data."""
    import re

    for caption in (
        "Survival",
        "Time to $1M and $10M ARR",
        "Distribution: ARR at the horizon",
        "Causes of death",
        "Funding and ownership (median path)",
        "Unit economics",
        "Monthly P&amp;L and cash: median path and base plan",
    ):
        assert f"<figcaption>{caption}</figcaption>" in report_page, caption
    specs = re.findall(r"<script type='application/json' data-chart-for='chart-\d+'>(.*?)</script>", report_page)
    assert len(specs) >= 10
    assert max(len(s) for s in specs) < 60_000  # a few hundred rows at most, whatever the number of paths
    assert "<p class='headline' id='headline'>" in report_page
    assert "Monthly statement of the median path and the base plan (USD)" in report_page


def test_moic_chart_marks_the_still_private_companies(jax_result) -> None:
    """The MOIC chart shows the summary's investor view: besides the realised paths, every path where the round
    closed, the still-private companies marked at their last post-money and at the ARR multiple; its medians are
    returns()'s, and each line's n is the number of paths it counts."""
    from venturesim.analysis.exits import marked_moic

    frame = rc.moic_data(jax_result)
    returns = jax_result.returns().set_index("round")
    arr_basis = f"marked at {jax_result.scenario.funding.pricing.arr_multiple:g}× ARR"
    marked = frame[frame["basis"] != rc.REALISED]
    assert set(marked["basis"]) == {"marked at last post-money", arr_basis}
    for (name, basis), g in marked.groupby(["round", "basis"]):
        row = returns.loc[name]
        assert g["n"].iloc[0] == row["n"] and g["private"].iloc[0] == row["still_private"] > 0
        moic, _ = marked_moic(jax_result, name, "post_money" if basis.endswith("post-money") else "arr_multiple")
        # P(MOIC ≥ x) at each x, by hand
        for x, p in zip(g["x"].to_numpy()[::7], g["p_at_least"].to_numpy()[::7], strict=True):
            assert p == pytest.approx((moic >= x).mean())
    for name, g in frame[frame["basis"] == rc.REALISED].groupby("round"):
        assert g["n"].iloc[0] == returns.loc[name, "realised"] and g["private"].iloc[0] == 0
    spec = rc.plot_moic(jax_result).to_dict()
    enc = spec["layer"][0]["encoding"]
    assert enc["color"]["field"] == enc["strokeDash"]["field"] == "label"  # one legend: colour and dash together
    labels = enc["color"]["scale"]["domain"]
    realised = frame["basis"] == rc.REALISED
    assert sum("realised (n = " in label for label in labels) == frame.loc[realised, "round"].nunique()
    assert sum(label.endswith(" private)") for label in labels) == len(marked.groupby(["round", "basis"]))
    assert len(enc["strokeDash"]["scale"]["range"]) == len(labels)
    assert spec["title"]["subtitle"][1].startswith("marked:")


def test_the_api_quantiles_default_to_the_report_convention(jax_result) -> None:
    """One quantile convention: Result.quantiles and cheque_returns default to the fans' p10, p25, p50, p75, p90
    (they gave p5 and p95 while the report and the summary used p10 and p90)."""
    import inspect

    from venturesim.analysis.exits import cheque_returns
    from venturesim.analysis.summary import QUANTILES

    assert list(jax_result.quantiles("cash").columns) == list(FAN_QUANTILES)
    assert inspect.signature(cheque_returns).parameters["q"].default == FAN_QUANTILES
    assert set(QUANTILES) <= set(FAN_QUANTILES)
