"""Cap table: share counts, options and pool, fully diluted ownership (exact)."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venturesim.funding.shares.cap_table import POOL, CapTable, ShareClass


@pytest.fixture
def table():
    # founders Ann 6M, Bob 3M common; pool 1M → FD 10M
    return CapTable.incorporate({"Ann": 6_000_000, "Bob": 3_000_000}, pool=1_000_000)


def test_fully_diluted_ownership_is_exact(table):
    own = table.ownership()
    # 6M/10M, 3M/10M, 1M/10M
    assert own == {"Ann": Fraction(3, 5), "Bob": Fraction(3, 10), POOL: Fraction(1, 10)}
    assert sum(own.values()) == 1
    assert table.ownership("issued") == {"Ann": Fraction(2, 3), "Bob": Fraction(1, 3)}


def test_grant_return_exercise_move_shares_between_pool_and_holder(table):
    t = table.grant_options("Eve", 100_000, month=2)
    # pool 1M − 100k = 900k; Eve 100k/10M = 1 %; FD unchanged
    assert t.pool == 900_000 and t.fully_diluted_shares == 10_000_000
    assert t.ownership()["Eve"] == Fraction(1, 100)
    t = t.return_options("Eve", 40_000, month=5)  # forfeited → pool 940k, Eve 60k
    assert t.pool == 940_000 and t.options["Eve"] == 60_000
    t = t.exercise_options("Eve", 10_000, month=6, strike=Fraction(1, 10))
    # 10k options become common; strike 10k × $0.10 = $1,000 invested
    assert t.shares_held("Eve") == 10_000 and t.options["Eve"] == 50_000
    assert t.fully_diluted_shares == 10_000_000
    assert t.invested()["Eve"] == 1_000
    assert [i.instrument for i in t.history[-3:]] == ["option grant", "option return", "exercise"]
    # the original table is unchanged (immutable API)
    assert table.pool == 1_000_000 and "Eve" not in table.options


def test_pool_top_up_for_target(table):
    # (1M + x) / (10M + x) = 15 %  →  x = (0.15·10M − 1M)/0.85 = 588,235.29 → 588,235 (floored)
    x = table.pool_top_up_for(0.15)
    assert x == 588_235
    t = table.top_up_pool(x, month=1)
    assert t.pool == 1_588_235
    assert (
        Fraction(t.pool, t.fully_diluted_shares) < Fraction(15, 100) < Fraction(t.pool + 1, t.fully_diluted_shares + 1)
    )
    assert table.pool_top_up_for(0.05) == 0  # already above 5 %


def test_invalid_inputs_name_the_value(table):
    with pytest.raises(ValueError, match=r"shares\(=2000000\) exceeds the unissued pool\(=1000000\)"):
        table.grant_options("Eve", 2_000_000, month=0)
    with pytest.raises(ValueError, match=r"shares\(=-5\)"):
        table.issue("Ann", "Common", -5, price=0, month=0, instrument="founder")
    with pytest.raises(KeyError, match="Series Z"):
        table.issue("Ann", "Series Z", 5, price=0, month=0, instrument="x")
    with pytest.raises(ValueError, match=r"participation_cap\(=2\) must be >= liquidation_multiple\(=3\)"):
        ShareClass("B", 1, liquidation_multiple=3, participation="capped", participation_cap=2)
    with pytest.raises(ValueError, match="already exists"):
        table.with_class(ShareClass("Common", seniority=0, common=True, original_issue_price=1))


def test_classes_preferences_and_frame(table):
    a = ShareClass(
        "Series A",
        original_issue_price=Fraction(5, 2),
        liquidation_multiple=2,
        participation="capped",
        participation_cap=3,
    )
    t = table.with_class(a).issue("VC", "Series A", 400_000, price=Fraction(5, 2), month=12, instrument="priced round")
    # preference 2 × $2.50 = $5/share; cap 3 × $2.50 = $7.50/share; invested 400k × 2.5 = $1M
    assert a.preference_per_share == 5 and a.cap_per_share == Fraction(15, 2)
    assert t.invested() == {"VC": 1_000_000}
    by_class = t.ownership_by_class()
    assert by_class["Series A"] == Fraction(400_000, 10_400_000) and sum(by_class.values()) == 1
    frame = t.to_frame()
    assert frame["fully_diluted"].sum() == t.fully_diluted_shares
    assert frame["ownership"].sum() == pytest.approx(1.0, abs=1e-12)


ops = st.lists(
    st.tuples(
        st.sampled_from(["issue", "grant", "return", "top_up", "exercise"]),
        st.sampled_from(["Ann", "Bob", "Eve", "VC"]),
        st.integers(1, 500_000),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(ops)
def test_ownership_sums_to_one_and_counts_add_up(sequence):
    t = CapTable.incorporate({"Ann": 1_000_000}, pool=200_000)
    t = t.with_class(ShareClass("Series A", original_issue_price=1))
    for k, (op, who, n) in enumerate(sequence):
        before = t
        if op == "issue":
            t = t.issue(who, "Series A", n, price=1, month=k, instrument="priced round")
        elif op == "grant" and n <= t.pool:
            t = t.grant_options(who, n, month=k)
        elif op == "return" and n <= t.options.get(who, 0):
            t = t.return_options(who, n, month=k)
        elif op == "exercise" and n <= t.options.get(who, 0):
            t = t.exercise_options(who, n, month=k)
        elif op == "top_up":
            t = t.top_up_pool(n, month=k)
        # issued shares of others never change; FD only grows by issues and top-ups
        for h in before.holders:
            if h != who:
                assert t.fully_diluted_held(h) == before.fully_diluted_held(h)
        assert t.fully_diluted_shares == t.issued_shares + t.granted_options + t.pool
        assert t.fully_diluted_shares >= before.fully_diluted_shares
    assert sum(t.ownership().values()) == 1
    assert sum(t.ownership_by_class().values()) == 1
    assert t.history[0].instrument == "founder"
