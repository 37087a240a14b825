"""Comparisons on common random numbers: paired differences, their SEs, dominance."""

import numpy as np
import pytest
from whatif_scenarios import BURN, HIGH, LOW, burn

import venturesim as vs
from venturesim.analysis.compare import cdf_gaps, compare, paired_difference

PATHS = 1000


@pytest.fixture(scope="module")
def comparison():
    return compare(
        {"plan": burn(), "same": burn(), "leaner": burn(other_monthly_costs=9_000)},
        paths=PATHS,
        seed=1,
        claims=["cash >= 100k at month 12"],
    )


def test_identical_scenarios_differ_by_exactly_zero(comparison):
    same = comparison.table().query("variant == 'same'")
    assert (same["difference"] == 0).all()
    assert (same["se_difference"].fillna(0) == 0).all()


def test_common_random_numbers_shrink_the_se_of_a_difference(comparison):
    """P(alive at 36): plan (10k/month) vs leaner (9k/month). With C ~ U(200k, 600k) the difference is
    P(360k > C ≥ 324k) = 36k/400k = 0.09; under CRN only those paths differ, so SE_CRN = √(0.09·0.91/n)
    ≈ 0.009, against √(SE_a² + SE_b²) ≈ 0.022 for independent runs (two seeds, computed below)."""
    row = comparison.table().query("variant == 'leaner' and figure == 'P(alive at month 36)'").iloc[0]
    assert row.difference == pytest.approx(0.09, abs=3 * 0.009)
    assert row.se_difference == pytest.approx(
        np.sqrt(row.difference * (1 - row.difference) / PATHS), rel=1e-3
    )  # s_d uses n − 1
    independent = vs.simulate(burn(other_monthly_costs=9_000), paths=PATHS, seed=2)
    plan = comparison.results["plan"]
    se_independent = np.hypot(
        *(
            vs.simulate(r.scenario, paths=PATHS, seed=s).survival().loc[36, "se"]
            for r, s in ((plan, 1), (independent, 2))
        )
    )
    assert row.se_difference < 0.5 * se_independent
    assert row.se_independent == pytest.approx(se_independent, rel=0.05)


def test_mean_cash_difference_is_the_saved_burn(comparison):
    """Cash at month 12 is C − 12·burn on every path (nobody dies before month 20): the leaner plan
    has exactly 12 × $1,000 more, on every path, so the paired SE is 0 (float32 cash: to the dollar)."""
    row = comparison.table().query("variant == 'leaner' and figure == 'mean cash at month 12'").iloc[0]
    assert row.difference == pytest.approx(12_000, abs=1.0)
    assert row.se_difference < 1.0


def test_dominance(comparison):
    verdicts = comparison.dominance().set_index(["outcome", "variant"])["verdict"]
    assert verdicts[("cash at the horizon", "leaner")] == "dominates"
    assert verdicts[("cash at the horizon", "same")] == "same"


def test_cdf_gaps_and_paired_bootstrap_by_hand():
    assert cdf_gaps(np.array([2.0, 3.0]), np.array([1.0, 2.0])) == (0.5, 0.0)  # a is b shifted right
    diff, se = paired_difference(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]) - 5, "median")
    assert (diff, se) == (5.0, 0.0)


def test_the_report_overlays_every_variant(comparison):
    charts = comparison.charts()
    assert set(charts) == {"Survival", "Cash", "ARR"}
    data = charts["Survival"].to_dict()["datasets"]
    variants = {row["variant"] for rows in data.values() for row in rows}
    assert variants == {"plan", "same", "leaner"}
    assert LOW < HIGH and BURN > 0
