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


def test_a_dead_path_counts_zero_dollars(comparison):
    """40 months at $10k a month: a plan path is alive at the horizon iff C ≥ $400k, with C − $400k left; a dead
    path counts $0 (not its negative balance at death). With C ~ U(200k, 600k):
    mean = E[max(C − 400k, 0)] = 200k² / (2 · 400k) = $50,000. The leaner plan ($9k) keeps C − 360k when
    C ≥ 360k: the paired difference is $40k on C ≥ 400k (half the paths) and C − 360k (mean $20k) on the tenth
    in [360k, 400k): 0.5 · 40k + 0.1 · 20k = $22,000 (with the dead at their negative balances it would be
    about $1k more, and the plan's mean about $2.5k less)."""
    kind, values, unit = comparison.figures()["mean cash at month 40"]
    assert (kind, unit) == ("mean", "USD")
    plan = values["plan"]
    dead = comparison.results["plan"].data["death_month"].values >= 0
    assert (plan[dead] == 0).all() and (plan[~dead] >= 0).all() and 0.4 < dead.mean() < 0.6
    table = comparison.table().set_index(["figure", "variant"])
    base = table.loc[("mean cash at month 40", "plan")]
    assert base.value == pytest.approx(50_000, abs=3 * base.se)
    lean = table.loc[("mean cash at month 40", "leaner")]
    assert lean.difference == pytest.approx(22_000, abs=3 * lean.se_difference)
    assert lean.se_difference < 1_000  # paired: √(E d² − 22k²)/√n = 19.2k/√1000 ≈ $607
    median = table.loc[("median cash at month 40", "leaner")]  # 40 % zeros, 60 % U(0, 240k): P(X ≤ x) = 0.5 at 40k
    assert median.value == pytest.approx(40_000, abs=3 * median.se)
    owned = table.loc[("mean founder ownership at month 40 (a dead company = 0)", "plan")]  # no round closes: 1 or 0
    assert owned.value == table.loc[("P(alive at month 40)", "plan")].value
    dominance = comparison.dominance().set_index(["outcome", "variant"])
    assert dominance.loc[("cash at the horizon", "leaner"), "gap_down"] == 0  # the dead at $0 on both sides


def test_the_paired_bootstrap_by_hand():
    """a = (0, 1), b = (0, 0): a resample of two indices is {0,0}, {0,1}, {1,0} or {1,1}, each with chance 1/4, so
    median(a*) − median(b*) is 0, 0.5, 0.5 or 1: variance 0.375 − 0.5² = 0.125, SE √0.125 = 0.354 (200 resamples
    from the fixed seed: within 15 %). Paired samples that move together have SE 0, where independent runs'
    order-statistic SEs would not."""
    diff, se = paired_difference(np.array([0.0, 1.0]), np.array([0.0, 0.0]), "median")
    assert diff == 0.5
    assert se == pytest.approx(np.sqrt(0.125), rel=0.15)
    assert paired_difference(np.array([0.0, 1.0]), np.zeros(2), "median") == (diff, se)  # the fixed seed
    x = np.random.default_rng(0).lognormal(size=1000)
    assert paired_difference(x, x, "median") == (0.0, 0.0)
    assert paired_difference(x + 3.0, x, "quantile", q=0.9) == (pytest.approx(3.0), pytest.approx(0.0, abs=1e-12))
    with pytest.raises(ValueError, match="differ in size"):
        paired_difference(x, x[:-1], "median")


def test_the_overlaid_fans_are_over_the_operating_paths(comparison):
    """The cash fans count the paths operating that month, as the run report's do (a dead path's cash is its last,
    negative, balance). The plan burns $10k a month from C ~ U(200k, 600k): at month 30 the paths alive have
    C > 300k and cash C − 300k (uniform on 0–300k: p10 $30k, median $150k, p90 $270k), never below 0."""
    from venturesim.report.stress_charts import fan_overlay_data

    frame = fan_overlay_data(comparison.results, "cash").query("variant == 'plan'").set_index("month")
    data = comparison.results["plan"].data
    cash, alive = data["cash"].values, data["alive"].values.astype(bool)
    assert (cash[~alive] < 0).any()  # what an all-paths fan would have drawn
    t = int(np.flatnonzero(data["month"].values == 30)[0])
    operating = cash[alive[:, t], t]
    np.testing.assert_allclose(
        frame.loc[30, ["low", "median", "high"]].to_numpy(float), np.quantile(operating, [0.1, 0.5, 0.9]), rtol=1e-6
    )
    assert frame["low"].min() >= 0
    assert frame.loc[30, "median"] == pytest.approx(150_000, abs=20_000)
    spec = comparison.charts()["Cash"].to_dict()
    assert "operating" in spec["title"]["subtitle"] and "operating paths" in spec["title"]["text"]
