"""Unit economics an investor can trust (issue 14), in both engines.

* **Fully loaded CAC.** A company with no channel budget and a sales-and-marketing team of one account
  executive ($12k a month) and one marketer ($8k) records ``sales_marketing_payroll`` = $20k in every
  month, and its CAC over a quarter is 3 × $20k / the quarter's new customers — where it used to be $0
  (channel spend only), which printed "CAC payback 0 months". CAC payback is the quarter's S&M spend / (the
  quarter's new MRR × gross margin), as investors compute it.
* **n/a, not 0 or ∞.** A saturated, profitable company (no new customers, no S&M cost, negative net
  burn) has no CAC payback, no LTV/CAC and no burn multiple: the summary rows are NaN, printed "n/a".
* **Exited is not alive.** With an acquisition hazard, an acquired path is reported as exited from the
  month after its exit, not as alive with ARR 0: "alive at month m" and ``survival()`` equal the share
  of paths the engine records alive, "exited by month m" the share sold by then, and the ARR rows leave
  the sold paths out.
"""

from __future__ import annotations

import numpy as np
import pytest

import venturesim as vs
from venturesim.report import format_number

MONTHS = 12
ENGINES = [("jax", 16), ("des", 4)]


def _run(spec, engine, paths):
    kw = {"workers": 1} if engine == "des" else {}
    return vs.simulate(spec, paths=paths, seed=5, months=MONTHS, metrics="all", engine=engine, **kw)


SELLING = {
    "name": "selling",
    "simulation": {"months": MONTHS},
    "company": {"initial_cash": 1e9},
    "market": {
        "segments": [
            {
                "name": "s",
                "market_size": 20_000,
                "bass_p_annual": 0.2,
                "bass_q_annual": 0.5,
                "price": 100.0,
                "churn": 0.02,
                "initial_customers": 100,
            }
        ]
    },
    "team": {
        "roles": [
            {"name": "founder", "monthly_cost": 10_000, "headcount": 1},
            {"name": "eng", "function": "engineering", "monthly_cost": 15_000, "headcount": 2},
            {"name": "ae", "function": "sales", "monthly_cost": 12_000, "headcount": 1},
            {"name": "mkt", "function": "marketing", "monthly_cost": 8_000, "headcount": 1},
        ]
    },
}

SATURATED = {  # 1,000 customers at $100, no churn, cost of revenue 40 %, $10k other costs: profitable
    "name": "saturated",
    "simulation": {"months": MONTHS},
    "company": {"initial_cash": 1e6, "other_monthly_costs": 10_000},
    "market": {
        "cost_of_revenue": 0.4,
        "segments": [{"name": "s", "market_size": 1000, "price": 100.0, "churn": 0.0, "initial_customers": 1000}],
    },
    # ARR $1.2M = the reference: P(acquired within a year) = 0.6
    "funding": {"exits": {"acquisition": {"hazard_annual": 0.6, "reference_arr": 1_200_000, "arr_multiple": 5.0}}},
}


@pytest.fixture(scope="module", params=ENGINES, ids=[e for e, _ in ENGINES])
def selling(request):
    return _run(SELLING, *request.param)


@pytest.fixture(scope="module", params=[("jax", 64), ("des", 24)], ids=["jax", "des"])
def saturated(request):
    return _run(SATURATED, *request.param)


def test_sales_and_marketing_payroll_is_recorded(selling):
    d = selling.data
    np.testing.assert_allclose(d["sales_marketing_payroll"].values, 20_000.0, rtol=1e-6)
    assert (d["acquisition_spend"].values == 0).all()


def test_cac_is_fully_loaded(selling):
    d, m = selling.data, selling.operating_metrics()
    new = d["new_customers"].values.astype(np.float64)
    t = MONTHS - 1
    quarter_new = new[:, t - 2 : t + 1].sum(axis=1)
    assert (quarter_new > 0).all()
    np.testing.assert_allclose(m["cac"].values[:, t], 3 * 20_000.0 / quarter_new, rtol=1e-6)
    payback = m["cac_payback_months"].values[:, t]
    assert np.isfinite(payback).all() and (payback > 0).all()  # no longer "0 months"
    # the investors' payback: the quarter's S&M spend / (the quarter's new MRR × its gross margin)
    q = slice(t - 2, t + 1)
    rev, cor = d["revenue"].values[:, q].sum(axis=1), d["cost_of_revenue"].values[:, q].sum(axis=1)
    new_mrr = d["new_mrr"].values[:, q].sum(axis=1)
    np.testing.assert_allclose(payback, 3 * 20_000.0 / (new_mrr * (1.0 - cor / rev)), rtol=1e-5)


def _rows(result):
    summary = result.summary()
    return summary.set_index(["metric", "statistic"])


def test_undefined_ratios_are_n_a(saturated):
    rows = _rows(saturated)
    for label in ("CAC payback", "LTV / CAC", "burn multiple (net burn / net new ARR)"):
        row = rows.loc[(f"{label} at month {MONTHS} (operating paths)", "p50")]
        assert np.isnan(row.value), label
        assert format_number(row.value, row.unit) == "n/a"
    assert rows.loc[(f"gross margin at month {MONTHS} (operating paths)", "p50")].value == pytest.approx(0.6)


def test_an_acquired_path_is_exited_not_alive(saturated):
    d, rows = saturated.data, _rows(saturated)
    sold = d["exit_kind"].values == 1
    assert 0 < sold.sum() < saturated.paths and (d["death_month"].values < 0).all()
    alive = d["alive"].values  # (paths, months): month k holds the state at time k
    survival = saturated.survival()
    np.testing.assert_allclose(survival["survival"].values[1:], alive.mean(axis=0))
    np.testing.assert_allclose(survival["survival"].values + survival["exited"].values, 1.0)
    for m in (MONTHS,):
        assert rows.loc[(f"alive at month {m}", "probability")].value == pytest.approx(alive[:, m - 1].mean())
        assert rows.loc[(f"exited (sold or listed) by month {m}", "probability")].value == pytest.approx(sold.mean())
    arr = rows.loc[(f"ARR at month {MONTHS} (operating paths)", "mean")].value  # no path dies here
    assert arr == pytest.approx(d["final_arr"].values[~sold].mean())
    assert arr == pytest.approx(1_200_000.0, rel=1e-6)  # the unsold company's ARR, not diluted by sold zeros
