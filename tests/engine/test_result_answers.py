"""What a founder and an investor read from a Result, on a hand-built five-path, four-month result.

The scenario is ``scenarios/seed_stage_api.yaml`` (starting cash $1.5M fixed; rounds seed and series_a; rounds
priced at 8.1× ARR); the paths' results are written by hand, so every figure below is worked out in the comments:

====  =========================================  ================  ===============================================
path  story                                      month-1 burn      runway (months 1..4)
====  =========================================  ================  ===============================================
0     seed at t=0; profitable from month 3         $100k (12 mo)    12, 10, +∞, +∞
1     seed at t=1, series_a at t=2; burning         $70k (20 mo)    20, 15, 10, 8
2     dies in month 3 (t=2) raising the seed        profitable      +∞, 5, NaN, NaN
3     dies in month 2 (t=1) raising the seed       $200k (5 mo)     5, NaN, NaN, NaN
4     seed at t=0; acquired for $10M in month 4    $150k (9 mo)     9, +∞, 4, NaN
====  =========================================  ================  ===============================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from venturesim.analysis import outcomes as oc
from venturesim.analysis.summary import CONVENTION, headline
from venturesim.engine.result import Result, build_dataset
from venturesim.funding.causes import death_causes, describe
from venturesim.funding.rounds import ABANDONED, CLOSED, RAISING, WAITING

INF, NAN = np.inf, np.nan


def _monthly(founder_ownership: bool) -> dict:
    cash = np.array(
        [
            [1.2e6, 1.0e6, 1.1e6, 2.0e6],
            [1.4e6, 1.33e6, 6.3e6, 0.5e6],
            [1.3e6, 0.9e6, -5e4, -5e4],
            [1.0e6, -2e4, -2e4, -2e4],
            [1.35e6, 1.4e6, 1.3e6, 1.0e6],
        ]
    )
    runway = np.array(
        [[12, 10, INF, INF], [20, 15, 10, 8], [INF, 5, NAN, NAN], [5, NAN, NAN, NAN], [9, INF, 4, NAN]], np.float64
    )
    alive = ~np.isnan(runway)
    monthly = {"cash": cash, "runway": runway, "alive": alive}
    if founder_ownership:
        monthly["founder_ownership"] = np.array(
            [[0.7] * 4, [1.0, 0.8, 0.55, 0.55], [1.0] * 4, [1.0] * 4, [0.75, 0.75, 0.75, 0.7]]
        )
    return monthly


FINALS = {
    "cash": np.array([2.0e6, 0.5e6, -5e4, -2e4, 1.0e6]),
    "arr": np.array([3.0e6, 1.2e6, 0.0, 0.0, 0.0]),
    "runway": np.array([INF, 8.0, NAN, NAN, NAN]),
    "death_month": np.array([-1, -1, 2, 1, -1]),
    "founder_ownership": np.array([0.7, 0.55, 0.8, 0.9, 0.7]),
    "round_status": np.array(
        [[CLOSED, WAITING], [CLOSED, CLOSED], [RAISING, WAITING], [RAISING, WAITING], [CLOSED, 0]]
    ),
    "round_attempts": np.zeros((5, 2)),
    "round_close_month": np.array([[0, -1], [1, 2], [-1, -1], [-1, -1], [0, -1]], np.float64),
    "round_pre_money": np.array([[4e6, NAN], [4e6, 20e6], [NAN, NAN], [NAN, NAN], [4e6, NAN]]),
    "round_amount": np.array([[1e6, 5e6]] * 5),
    "round_ownership": np.array([[0.2, 0.0], [0.16, 0.2], [0.0, 0.0], [0.0, 0.0], [0.2, 0.0]]),
    "exit_kind": np.array([0, 0, 4, 4, 1]),
    "exit_month": np.array([-1, -1, 2, 1, 3], np.float64),
    "exit_value": np.array([0.0, 0.0, 0.0, 0.0, 10e6]),
    "exit_debt": np.zeros(5),
    "founder_proceeds": np.array([0.0, 0.0, 0.0, 0.0, 7e6]),
    "round_proceeds": np.array([[0.0, 0.0]] * 4 + [[2e6, 0.0]]),
}


@pytest.fixture(scope="module")
def scenario():
    import venturesim as vs

    return vs.load("scenarios/seed_stage_api.yaml")


def _result(scenario, founder_ownership: bool = False) -> Result:
    data = build_dataset(_monthly(founder_ownership), dict(FINALS), 4, [], ["seed", "series_a"])
    return Result(data=data, scenario=scenario, seed=0)


@pytest.fixture(scope="module")
def result(scenario):
    return _result(scenario)


def _rows(table: pd.DataFrame) -> pd.Series:
    return table.set_index(["metric", "statistic"])["value"]


def test_where_each_path_stands_and_its_founder_figures(result):
    assert oc.standing(result).tolist() == ["operating", "operating", "dead", "dead", "exited"]
    # burn_1 = cash_1 / runway_1 = 100k, 70k, 0 (+∞ runway), 200k, 150k; runway now = 1.5M / burn_1
    np.testing.assert_allclose(oc.first_month_burn(result), [1e5, 7e4, 0.0, 2e5, 1.5e5])
    np.testing.assert_allclose(oc.runway_now(result), [15.0, 1.5e6 / 7e4, INF, 7.5, 10.0])
    # first month with runway = +∞ (net burn ≤ 0, alive): 3, never, 1, never, 2
    np.testing.assert_array_equal(oc.first_cash_flow_positive_month(result), [3.0, NAN, 1.0, NAN, 2.0])
    # seed closed on 0, 1, 4; series_a closed on 1, profitable on 0, sold on 4; 2 and 3 died
    assert oc.raised_or_did_without(result, "seed").tolist() == [True, True, False, False, True]
    assert oc.raised_or_did_without(result, "series_a").tolist() == [True, True, False, False, True]


def test_founder_ownership_after_each_round(scenario, result):
    # without the monthly metric: paths whose last round it was, at the horizon, not dead
    seed, how = oc.founder_ownership_after(result, "seed")
    np.testing.assert_array_equal(seed, [0.7, NAN, NAN, NAN, 0.7])
    assert "last round" in how
    np.testing.assert_array_equal(oc.founder_ownership_after(result, "series_a")[0], [NAN, 0.55, NAN, NAN, NAN])
    # with it: exact, at the month each closed (t = 0, 1, -, -, 0)
    exact, how = oc.founder_ownership_after(_result(scenario, founder_ownership=True), "seed")
    np.testing.assert_array_equal(exact, [0.7, 0.8, NAN, NAN, 0.75])
    assert how == "right after it closed"


def test_summary_rows_say_whose_paths_they_are(result):
    table = result.summary()
    rows = _rows(table)
    assert rows[("alive at month 4", "probability")] == pytest.approx(0.4)  # paths 0 and 1
    assert rows[("exited (sold or listed) by month 4", "probability")] == pytest.approx(0.2)
    # runway now over the 5 paths: 7.5, 10, 15, 21.4, +∞ (a sample with +∞: the order statistic)
    assert rows[("runway now: starting cash / month-1 net burn", "p50")] == 15.0
    assert rows[("runway now: starting cash / month-1 net burn", "p90")] == INF
    label = "first month cash-flow positive (paths that get there, n=3)"  # months 1, 2, 3
    assert (rows[(label, "p10")], rows[(label, "p50")], rows[(label, "p90")]) == pytest.approx((1.2, 2.0, 2.8))
    assert rows[("never cash-flow positive by month 4", "probability")] == pytest.approx(0.4)
    # cash: operating 2.0M, 0.5M; all paths not sold with the dead at $0: 2.0M, 0.5M, 0, 0; shortfall 50k, 20k
    assert rows[("cash at month 4 (operating paths)", "p50")] == pytest.approx(1.25e6)
    assert rows[("cash at month 4 (all paths not sold; dead = $0)", "p10")] == 0.0
    assert rows[("cash at month 4 (all paths not sold; dead = $0)", "p50")] == pytest.approx(0.25e6)
    assert rows[("shortfall at death: bills unpaid (paths that die)", "p50")] == pytest.approx(35e3)
    assert rows[("shortfall at death: bills unpaid (paths that die)", "p90")] == pytest.approx(47e3)
    assert (table["value"][table["unit"] == "USD"].dropna() >= 0).all()  # no negative cash anywhere
    assert rows[("operating and cash-flow positive at month 4", "probability")] == pytest.approx(0.2)
    assert rows[("runway at month 4 (operating paths still burning)", "p50")] == 8.0
    # ARR: operating 3.0M, 1.2M; all paths not sold: 3.0M, 1.2M, 0, 0 (the sold path's ARR is the buyer's)
    assert rows[("ARR at month 4 (operating paths)", "p50")] == pytest.approx(2.1e6)
    assert rows[("ARR at month 4 (all paths not sold; dead = $0)", "mean")] == pytest.approx(1.05e6)
    assert rows[("raised round 'series_a'", "probability")] == pytest.approx(0.2)
    label = "raised 'series_a' or did without it (cash-flow positive or sold at month 4)"
    assert rows[(label, "probability")] == pytest.approx(0.6)
    # founders' ownership over the operating and exited paths (0.7, 0.55, 0.7), not the dead ones (0.8, 0.9)
    label = "founder ownership at month 4 (operating or exited paths)"
    assert (rows[(label, "p10")], rows[(label, "p50")], rows[(label, "p90")]) == pytest.approx((0.58, 0.7, 0.7))
    # deaths: months 3 and 2, both raising the seed
    assert rows[("month of cash-out (paths that die, n=2)", "p50")] == pytest.approx(2.5)
    assert rows[("cash ran out while raising seed", "probability")] == pytest.approx(0.4)


def test_headline_in_words(result):
    assert headline(result) == (
        "In 40 of 100 simulated futures the company is still operating after 4 months, 20 were sold or listed, "
        "40 ran out of cash. Half of the deaths come between months 2 and 3; the commonest cause: cash ran out "
        "while raising seed (40 of 100 futures). 60 of 100 futures are cash-flow positive by month 4 (median "
        "month 2); runway today is 15 months at the first month's burn (median)."
    )
    assert result.headline() == headline(result)
    assert CONVENTION.startswith("p10/p50/p90")


def test_a_runway_today_over_ten_years_reads_so(scenario):
    """Month-1 runway 1,000 on every path: burn_1 = cash_1 / 1,000 ($1.0M–1.4M → $1.0k–1.4k), runway now =
    $1.5M / burn_1 = 1,071–1,500 months; the headline says "more than 10 years", not "1250 months"."""
    monthly = _monthly(False)
    monthly["runway"] = monthly["runway"].copy()
    monthly["runway"][:, 0] = 1000.0
    data = build_dataset(monthly, dict(FINALS), 4, [], ["seed", "series_a"])
    long = Result(data=data, scenario=scenario, seed=0)
    assert np.median(oc.runway_now(long)) == pytest.approx(1.5e6 / 1.3e3)
    assert headline(long).endswith("runway today is more than 10 years at the first month's burn (median).")


def test_causes_of_death_from_the_finals(result):
    """The JAX engine has no ``cause_of_death``: the causes come from its final round states by the DES's rule."""
    assert result.death_causes().tolist() == ["", "", "raising:seed", "raising:seed", ""]
    assert result.why_dead().to_dict("records") == [
        {"cause": "cash ran out while raising seed", "paths": 2, "share_of_paths": 0.4}
    ]
    # every branch of the rule, by hand (rounds a, b and b's bridge; debt owed at death)
    status = np.array(
        [
            [CLOSED, RAISING, WAITING],  # raising b
            [CLOSED, WAITING, WAITING],  # b failed once, waiting to retry
            [CLOSED, WAITING, WAITING],  # b never started
            [ABANDONED, CLOSED, WAITING],  # a abandoned
            [CLOSED, CLOSED, WAITING],  # all closed (the bridge never blocks), a loan owed
            [CLOSED, CLOSED, CLOSED],  # all closed, nothing owed
        ]
    )
    attempts = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0], [2, 0, 0], [0, 0, 0], [0, 0, 0]])
    debt = np.array([0.0, 0.0, 0.0, 5e5, 5e5, 0.0])
    codes = death_causes(status, attempts, np.array([-1, -1, 1]), debt, ["a", "b", "b_bridge"])
    assert codes.tolist() == [
        "raising:b",
        "retry_too_late:b",
        "not_started:b",
        "abandoned:a",
        "spent_raised_and_borrowed",
        "spent_raised",
    ]
    assert death_causes(np.zeros((1, 0)), np.zeros((1, 0)), np.zeros(0), [0.0], []).tolist() == ["no_funding"]
    assert describe(codes[1]) == "b failed and the retry came too late"


def test_returns_mark_the_still_private_companies(result):
    """seed: closed on paths 0, 1, 4; path 4 sold (proceeds $2M on $1M: 2×), 0 and 1 still private.
    Last post-money: path 0 the seed's 4M + 1M = 5M, × 20 % = 1M → 1×; path 1 series_a's 20M + 5M = 25M, × 16 % = 4M
    → 4×. At 8.1× ARR: path 0 24.3M × 20 % → 4.86×; path 1 9.72M × 16 % → 1.5552×."""
    table = result.returns().set_index("round")
    seed = table.loc["seed"]
    assert (seed["n"], seed["realised"], seed["still_private"]) == (3, 1, 2)
    assert "'seed' closed: 1 realised" in seed["conditioning"] and "2 still private" in seed["conditioning"]
    assert seed["moic_p50"] == pytest.approx(2.0)
    assert (seed["marked_post_money_p10"], seed["marked_post_money_p50"], seed["marked_post_money_p90"]) == (
        pytest.approx((1.2, 2.0, 3.6))
    )
    assert seed["marked_arr_multiple_p50"] == pytest.approx(2.0)
    assert seed["marked_arr_multiple_p90"] == pytest.approx(2.0 + 0.8 * (4.86 - 2.0))
    series_a = table.loc["series_a"]
    assert (series_a["n"], series_a["realised"]) == (1, 0)
    assert np.isnan(series_a["moic_p50"])  # no realised path: n/a, not 0
    assert series_a["marked_post_money_p50"] == pytest.approx(1.0)  # marked at its own price
    assert series_a["marked_arr_multiple_p50"] == pytest.approx(0.2 * 1.2e6 * 8.1 / 5e6)

    cheque = result.cheque_returns("seed", 100_000)
    assert cheque["n"].unique().tolist() == [1] and "realised paths only" in cheque.attrs["conditioning"]
    assert cheque["proceeds"].tolist() == pytest.approx([200_000.0] * 5)
    marked = result.cheque_returns("seed", 100_000, mark="post_money")
    assert marked["n"].unique().tolist() == [3] and "last post-money" in marked.attrs["conditioning"]
    assert marked.loc[marked["quantile"] == 0.5, "proceeds"].item() == pytest.approx(200_000.0)
    assert marked["irr"].isna().all()  # a mark has no exit date
    with pytest.raises(ValueError, match="no paths"):
        result.cheque_returns("series_a", 100_000)

    rows = _rows(result.summary())
    label = "round 'seed' MOIC, private marked at last post-money (n=3 where it closed, 2 private)"
    assert rows[(label, "p90")] == pytest.approx(3.6)
    label = "round 'seed' MOIC, private marked at 8.1× ARR (n=3 where it closed, 2 private)"
    assert rows[(label, "p10")] == pytest.approx(1.5552 + 0.2 * (2.0 - 1.5552))
    assert rows[("round 'seed' MOIC (realised: n=1 of 3 where it closed)", "p50")] == pytest.approx(2.0)


def test_headline_shares_add_up_to_100():
    """Hamilton's method: floors, then the largest remainders take the points left. Thirds give 34/33/33 (rounding
    each would say 33/33/33: 99 futures of 100); 66.9/21.8/11.3 give 67/22/11."""
    from venturesim.analysis.summary import _whole_shares

    assert _whole_shares([0.669, 0.218, 0.113]) == [67, 22, 11]
    assert _whole_shares([1 / 3, 1 / 3, 1 / 3]) == [34, 33, 33]
    assert sum(_whole_shares([0.675, 0.22, 0.105])) == 100
    assert _whole_shares([0.4, 0.2, 0.4]) == [40, 20, 40]


def test_a_share_that_rounds_to_zero_is_not_called_zero():
    from venturesim.analysis.summary import _of_100

    assert [_of_100(p) for p in (0.0, 0.001, 0.0049, 0.005, 0.213)] == [
        "0 of 100",
        "fewer than 1 in 100",
        "fewer than 1 in 100",
        "fewer than 1 in 100",  # 0.5 of 100 rounds (half to even) to 0
        "21 of 100",
    ]


def test_exit_rows_name_only_what_happened_and_founders_proceeds_are_of_exits(result):
    # exit kinds 0, 0, 4, 4, 1: an acquisition (1 of 5) and two shutdowns; no IPO or acqui-hire happened
    rows = _rows(result.summary())
    assert rows[("acquisition by month 4", "probability")] == pytest.approx(0.2)
    assert rows[("shutdown by month 4", "probability")] == pytest.approx(0.4)
    assert ("ipo by month 4", "probability") not in rows.index
    assert ("acquihire by month 4", "probability") not in rows.index
    # the founders' proceeds are over the one sale ($7M), not the shutdowns' $0
    assert rows[("founders' proceeds (paths sold, listed or acqui-hired, n=1)", "p50")] == pytest.approx(7e6)
