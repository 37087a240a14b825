"""Priced rounds, SAFEs, notes, grants and venture debt on hand-worked numbers (exact)."""

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from venturesim.funding.shares import (
    POOL,
    CapTable,
    ConvertibleNote,
    GrantTranche,
    MilestoneGrant,
    PostMoneySafe,
    PreMoneySafe,
    PricedRound,
    VentureLoan,
    apply_mfn,
    apply_round,
)


def founders(pool=1_000_000):
    # 9M founder common + a 1M unissued pool = 10M fully diluted
    return CapTable.incorporate({"Ann": 9_000_000}, pool=pool)


def series_a(pre=20_000_000, amount=5_000_000, **kw):
    return PricedRound("Series A", pre, amount, month=12, **kw)


# ---------------------------------------------------------------- priced rounds
def test_priced_round_without_pool_top_up():
    # 8M founder shares, $8M pre, $2M: p = 8M/8M = $1.00, 2M new shares, founders 80 %
    t, r = apply_round(CapTable.incorporate({"Ann": 8_000_000}), PricedRound("Series A", 8e6, 2e6, month=3))
    assert r.price == 1 and r.purchases["Series A investors"] == (2_000_000, 2_000_000)
    assert t.ownership() == {"Ann": Fraction(4, 5), "Series A investors": Fraction(1, 5)}
    assert r.effective_pre_money == 8_000_000 and r.post_money == 10_000_000
    assert t.share_class("Series A").seniority == 1 and t.share_class("Series A").original_issue_price == 1


def test_option_pool_shuffle_8m_pre_2m_raise_10_to_15_percent():
    # S0 = 10M (9M founders + 1M pool = 10 %); target pool 15 % of post; V = 8M, A = 2M.
    # post shares = F·(V+A)/V = 1.25 F;  1M + T = 0.15·1.25·F = 0.1875 F,  F = 10M + T
    #   → 0.8125 T = 0.875M → T = 14M/13 = 1,076,923.08 ;  F = 144M/13 = 11,076,923.08
    # p = 8M / F = 13/18 = $0.7222 ; new shares = floor(2M·18/13) = floor(2,769,230.77) = 2,769,230
    # effective pre-money = 8M − p·T = 8M − 1,076,923·13/18 = $7,222,222.28 (≈ 65/9 M)
    t, r = apply_round(founders(), PricedRound("Series A", 8_000_000, 2_000_000, month=12, pool_target=0.15))
    assert r.pre_money_shares == Fraction(144_000_000, 13)
    assert r.price == Fraction(13, 18)
    assert r.pool_top_up == 1_076_923
    assert r.purchases["Series A investors"][1] == 2_769_230
    assert r.effective_pre_money == 8_000_000 - Fraction(1_076_923 * 13, 18)
    assert float(r.effective_pre_money) == pytest.approx(7_222_222.28, abs=0.01)
    own = t.ownership()
    # founders 9M / 13,846,153 = 65.0000 %, pool 2,076,923 / 13,846,153 = 15.0000 %, investors 20 %
    assert t.fully_diluted_shares == 13_846_153
    assert float(own["Ann"]) == pytest.approx(0.65, abs=1e-6)
    assert float(own[POOL]) == pytest.approx(0.15, abs=1e-6)
    assert float(own["Series A investors"]) == pytest.approx(0.20, abs=1e-6)
    # without the shuffle: p = 8M/10M = $0.80 and founders keep 9M/12.5M = 72 %
    t0, r0 = apply_round(founders(), PricedRound("Series A", 8_000_000, 2_000_000, month=12))
    assert r0.price == Fraction(4, 5) and t0.ownership()["Ann"] == Fraction(72, 100)
    # existing holders' share counts never change
    assert t.shares_held("Ann") == t0.shares_held("Ann") == 9_000_000


# ---------------------------------------------------------------- post-money SAFEs
def test_post_money_safe_cap_only():
    # $1M at a $10M post-money cap converts into P/Cap = 10 % of Company Capitalization CC.
    # Round: V = 20M, A = 5M, no top-up: F = CC = 10M + 0.1·F → F = 100M/9 = 11,111,111.1
    # p = 20M/F = $1.80 ; cap price = 10M/F = $0.90 ; SAFE shares floor(1M/0.9) = 1,111,111
    # new shares floor(5M/1.8) = 2,777,777 ; post FD = 13,888,888; SAFE 8.0 % = 10 % × 20/25
    s = PostMoneySafe("Sam", 1_000_000, valuation_cap=10_000_000, month=2)
    t, r = apply_round(founders(), series_a(), safes=[s])
    (c,) = r.conversions
    assert r.price == Fraction(9, 5) and c.price == Fraction(9, 10) and c.method == "cap"
    assert c.shares == 1_111_111 and c.share_class == "Series A-1"
    assert r.company_capitalization == Fraction(100_000_000, 9)
    assert t.fully_diluted_shares == 13_888_888
    assert float(t.ownership()["Sam"]) == pytest.approx(0.08, abs=1e-6)
    # the shadow series' preference is the SAFE's purchase amount (OIP = conversion price)
    assert t.share_class("Series A-1").preference_per_share * c.shares == pytest.approx(1_000_000, abs=1)
    hist = [i for i in t.history if i.holder == "Sam"]
    assert hist[0].invested == 1_000_000 and hist[0].cash_month == 2 and hist[0].month == 12


def test_post_money_safe_discount_only():
    # 20 % discount: X = P/(0.8 p) = P·F/(0.8·V) = F/16 ; F = 10M + F/16 → F = 32M/3 = 10,666,666.67
    # p = 20M/F = $1.875 ; discount price = 0.8 × 1.875 = $1.50 ; shares floor(1M/1.5) = 666,666
    s = PostMoneySafe("Sam", 1_000_000, discount=0.2)
    _, r = apply_round(founders(), series_a(), safes=[s])
    (c,) = r.conversions
    assert r.price == Fraction(15, 8) and c.price == Fraction(3, 2)
    assert c.method == "discount" and c.shares == 666_666


def test_post_money_safe_cap_and_discount_lower_price_wins():
    s = PostMoneySafe("Sam", 1_000_000, valuation_cap=10_000_000, discount=0.2)
    # at V = 20M: cap price $0.90 < discount price 0.8 × 1.80 = $1.44 → cap
    _, r = apply_round(founders(), series_a(), safes=[s])
    assert r.conversions[0].method == "cap" and r.conversions[0].shares == 1_111_111
    # at V = 8M the cap price would be 0.90 but the discount price is lower:
    # F = 10M + 1M·F/(0.8·8M) = 10M + F/6.4 → F = 64M/5.4 = 11,851,851.85 ; p = 8M/F = $0.675
    # discount price 0.8 × 0.675 = $0.54 < cap price 10M/F = $0.84375 → shares floor(1M/0.54) = 1,851,851
    _, r = apply_round(founders(), series_a(pre=8_000_000), safes=[s])
    (c,) = r.conversions
    assert r.price == Fraction(27, 40) and c.price == Fraction(27, 50)
    assert c.method == "discount" and c.shares == 1_851_851


def test_two_post_money_safes_each_get_cap_fraction_of_company_capitalization():
    # A: $1M @ $10M (10 %), B: $600k @ $15M (4 %): CC = 10M / (1 − 0.14) ; each gets P/Cap of CC
    a = PostMoneySafe("A", 1_000_000, valuation_cap=10_000_000)
    b = PostMoneySafe("B", 600_000, valuation_cap=15_000_000)
    _, r = apply_round(founders(), series_a(), safes=[a, b])
    cc = r.company_capitalization
    assert cc == Fraction(10_000_000) / (1 - Fraction(14, 100))
    shares = {c.holder: c.shares for c in r.conversions}
    assert shares == {"A": math.floor(cc / 10), "B": math.floor(cc * 4 / 100)}
    # founders: 9M / CC = 90 % × 86 % of the pre-money = 77.4 % of CC
    assert float(9_000_000 / cc) == pytest.approx(0.774, abs=1e-9)


def test_post_money_safe_company_capitalization_excludes_the_round_pool_increase():
    # with a 10 %-of-post pool target, CC = F − T: the SAFE still gets exactly 10 % of CC,
    # so it is diluted by the pool increase (YC "Company Capitalization", last bullet)
    s = PostMoneySafe("Sam", 1_000_000, valuation_cap=10_000_000)
    t, r = apply_round(founders(), series_a(pool_target=0.15), safes=[s])
    assert r.pool_top_up > 0
    assert r.company_capitalization == r.pre_money_shares - (
        r.pre_money_shares * Fraction(15, 100) * 25 / 20 - 1_000_000
    )
    assert r.conversions[0].shares == math.floor(r.company_capitalization / 10)
    assert float(t.ownership()[POOL]) == pytest.approx(0.15, abs=1e-6)


def test_pro_rata_side_letter_buys_pro_rata_share_of_the_round():
    # pro rata = shares issued on conversion / CC = 1,111,111 / (100M/9) = 0.09999999
    # dollars = 0.09999999 × 5M = $499,999.95 ; shares floor(499,999.95/1.8) = 277,777
    # lead gets 5M − 499,999.95 = 4,500,000.05 → floor(/1.8) = 2,500,000
    s = PostMoneySafe("Sam", 1_000_000, valuation_cap=10_000_000, pro_rata=True)
    t, r = apply_round(founders(), series_a(), safes=[s])
    assert r.pro_rata["Sam"] == Fraction(1_111_111 * 9 * 5, 100)
    assert r.purchases["Sam"][1] == 277_777
    assert r.purchases["Series A investors"][1] == 2_500_000
    assert t.shares_held("Sam") == 1_111_111 + 277_777


def test_existing_holder_pro_rata_right():
    # seed investor holds 1M of CC = 10M; exercises fully: 10 % × $5M = $500k at $2 → 250,000 shares
    t = CapTable.incorporate({"Ann": 9_000_000})
    t, _ = apply_round(t, PricedRound("Seed", 9_000_000, 1_000_000, month=0, investors={"Seedy": 1}))
    t2, r = apply_round(t, PricedRound("Series A", 20_000_000, 5_000_000, month=12, pro_rata={"Seedy": 1}))
    assert r.price == 2 and r.pro_rata == {"Seedy": 500_000}
    assert t2.shares_held("Seedy", "Series A") == 250_000
    assert t2.shares_held("Series A investors") == 2_250_000
    assert t2.share_class("Series A").seniority == 2  # stacked above Seed (rank 1)


# ---------------------------------------------------------------- pre-money SAFE, MFN
def test_pre_money_safe_cap_price_excludes_safes_includes_pool_increase():
    # $1M at a $9M pre-money cap; round V = 20M, A = 5M, pool target 10 % of post:
    # PC = S0 + T, X = (1/9)(10M + T), F = 10M + T + X, T = 0.125 F − 1M  (0.1 × 25/20 = 0.125)
    #   → F = 10M·9/7.75 = 11,612,903.23 ; T = 451,612.90 ; p = 20M/F = 31/18 = $1.7222
    # cap price = 9M/(10M + T) = 31/36 = $0.8611 ; shares floor(1M·36/31) = 1,161,290
    s = PreMoneySafe("Pat", 1_000_000, valuation_cap=9_000_000)
    t, r = apply_round(founders(), series_a(pool_target=0.10), safes=[s])
    assert r.pre_money_shares == Fraction(90_000_000, Fraction(775, 100))
    assert r.price == Fraction(31, 18) and r.pool_top_up == 451_612
    (c,) = r.conversions
    assert c.price == Fraction(31, 36) and c.shares == 1_161_290
    assert r.purchases["Series A investors"][1] == math.floor(5_000_000 * Fraction(18, 31))  # 2,903,225
    assert t.fully_diluted_shares == 10_000_000 + 451_612 + 1_161_290 + 2_903_225


def test_pre_money_safe_is_diluted_by_other_safes_post_money_is_not():
    # two identical $1M SAFEs: pre-money caps ($9M) each get 1M/0.9 = 1,111,111 shares whatever the other
    # does (the other SAFE dilutes both); post-money caps ($10M) each keep exactly 10 % of CC
    pre = [
        PreMoneySafe("P1", 1_000_000, valuation_cap=9_000_000),
        PreMoneySafe("P2", 1_000_000, valuation_cap=9_000_000),
    ]
    _, r1 = apply_round(founders(), series_a(), safes=pre[:1])
    _, r2 = apply_round(founders(), series_a(), safes=pre)
    assert r1.conversions[0].shares == r2.conversions[0].shares == 1_111_111
    post = [
        PostMoneySafe("Q1", 1_000_000, valuation_cap=10_000_000),
        PostMoneySafe("Q2", 1_000_000, valuation_cap=10_000_000),
    ]
    _, r3 = apply_round(founders(), series_a(), safes=post)
    # CC = 10M/0.8 = 12.5M → 1,250,000 each
    assert [c.shares for c in r3.conversions] == [1_250_000, 1_250_000]


def test_mfn_adopts_better_later_terms():
    early = PostMoneySafe("Early", 250_000, mfn=True, month=0)
    later = PostMoneySafe("Later", 500_000, valuation_cap=8_000_000, discount=0.1, month=3)
    worse = PostMoneySafe("Worse", 500_000, valuation_cap=12_000_000, month=4)
    adopted = apply_mfn([early, later, worse])
    assert adopted[0].valuation_cap == 8_000_000 and adopted[0].discount == Fraction(1, 10)
    # an MFN SAFE with a better cap keeps its own terms
    good = PostMoneySafe("Good", 250_000, valuation_cap=5_000_000, mfn=True)
    assert apply_mfn([good, later])[0].valuation_cap == 5_000_000
    # apply_round applies it: 250k at the 8M cap converts to 3.125 % of CC
    _, r = apply_round(founders(), series_a(), safes=[early, later])
    assert r.conversions[0].shares == math.floor(r.company_capitalization * Fraction(250_000, 8_000_000))


# ---------------------------------------------------------------- notes
def test_note_accrued_interest_converts_at_the_cap():
    # $500k, 6 % simple, issued month 0, round month 18: due = 500k × (1 + 0.06 × 1.5) = $545,000
    # cap price = $6M / N0 (9M issued + granted, no pool) = $0.6667 ; shares = floor(545k·9/6) = 817,500
    # F = 10M + 817,500 ; p = 20M/F = $1.8488 ; discount price 0.8p = $1.479 > cap price → cap
    n = ConvertibleNote("Nia", 500_000, 0.06, month=0, valuation_cap=6_000_000, discount=0.2)
    assert n.amount_due(18) == 545_000 and n.accrued_interest(18) == 45_000
    t, r = apply_round(founders(), PricedRound("Series A", 20_000_000, 5_000_000, month=18), notes=[n])
    (c,) = r.conversions
    assert c.amount == 545_000 and c.price == Fraction(2, 3) and c.shares == 817_500
    assert r.price == Fraction(20_000_000, 10_817_500)
    assert [i.invested for i in t.history if i.holder == "Nia"] == [500_000]  # cash paid = principal
    # compound: monthly compounding 500k × 1.005^18 = 500k × 1.0939289 = $546,964.47
    nc = ConvertibleNote("Nia", 500_000, 0.06, interest="compound")
    assert nc.amount_due(18) == 500_000 * Fraction(201, 200) ** 18
    assert float(nc.amount_due(18)) == pytest.approx(546_964.47, abs=0.005)


def test_note_without_qualified_financing_stays_outstanding():
    n = ConvertibleNote("Nia", 500_000, 0.06, valuation_cap=6_000_000, qualified_financing=10_000_000)
    t, r = apply_round(founders(), series_a(), notes=[n])
    assert r.conversions == () and r.outstanding_notes == (n,)
    assert t.shares_held("Nia") == 0


# ---------------------------------------------------------------- invariants
round_terms = st.tuples(
    st.integers(2, 60).map(lambda k: k * 1_000_000),  # pre-money
    st.integers(1, 20).map(lambda k: k * 500_000),  # amount
    st.sampled_from([None, 0.1, 0.15, 0.2]),  # pool target
)
safe_terms = st.lists(
    st.tuples(
        st.booleans(),
        st.integers(1, 10).map(lambda k: k * 100_000),
        st.one_of(st.none(), st.integers(5, 40).map(lambda k: k * 1_000_000)),
        st.sampled_from([0, 0.1, 0.2]),
    ),
    max_size=3,
)


@settings(max_examples=60, deadline=None)
@given(round_terms, round_terms, safe_terms)
def test_round_invariants(seed_terms, a_terms, safe_list):
    t = founders()
    pre, amount, target = seed_terms
    # A pool of `target` of the post-money inside the pre-money must leave the existing holders
    # something: target · (pre + amount) < pre (else apply_round refuses the terms).
    assume(target is None or target * (pre + amount) < pre)
    t, _ = apply_round(t, PricedRound("Seed", pre, amount, month=6, pool_target=target))
    safes = [
        (PostMoneySafe if post else PreMoneySafe)(f"S{i}", p, valuation_cap=cap, discount=d, month=8)
        for i, (post, p, cap, d) in enumerate(safe_list)
        if cap is None or cap > p or not post
    ]
    safes = [s for s in safes if s.valuation_cap is not None or s.discount > 0]
    pre, amount, target = a_terms
    try:
        t2, r = apply_round(t, PricedRound("Series A", pre, amount, month=12, pool_target=target), safes=safes)
    except ValueError as e:  # SAFEs + pool claiming everything is reported, not mis-solved
        if "claim the whole company" not in str(e):
            raise
        return
    # a later round never changes earlier holders' share counts
    for (h, c), n in t.holdings.items():
        assert t2.holdings[(h, c)] == n
    assert t2.options == t.options
    # price × pre-money FD shares = V exactly; ownership sums to 1 exactly
    assert r.price * r.pre_money_shares == pre
    assert sum(t2.ownership().values()) == 1
    # conversions are at the lower of cap price and discount price, floored
    for s, c in zip(safes, r.conversions, strict=True):
        assert c.price <= s.discount_rate * r.price
        if s.valuation_cap is not None and isinstance(s, PostMoneySafe):
            assert c.price <= s.valuation_cap / r.company_capitalization
        assert c.shares == math.floor(c.amount / c.price)
    # post-money FD = pre FD + top-up + conversions + purchases
    issued = r.pool_top_up + sum(c.shares for c in r.conversions) + sum(n for _, n in r.purchases.values())
    assert t2.fully_diluted_shares == t.fully_diluted_shares + issued
    # new money buys A/(V+A) of the post-money, up to flooring
    new = sum(n for _, n in r.purchases.values())
    assert abs(Fraction(new, t2.fully_diluted_shares) - Fraction(amount, pre + amount)) < Fraction(1, 10**5)
    if target is not None and r.pool_top_up > 0:
        assert abs(Fraction(t2.pool, t2.fully_diluted_shares) - Fraction(str(target))) < Fraction(1, 10**5)


# ---------------------------------------------------------------- grants and debt
def test_grant_pays_tranches_when_milestones_are_met():
    g = MilestoneGrant(
        "NSF SBIR", (GrantTranche("prototype", 100_000), GrantTranche("pilot", 200_000, earliest_month=6))
    )
    assert g.total == 300_000
    # pilot met in month 4 but payable from month 6; "launch" is not a tranche
    assert g.inflows({"prototype": 3, "pilot": 4, "launch": 1}) == [(3, 100_000), (6, 200_000)]


def test_venture_debt_level_schedule_warrants_and_covenant():
    # $1M at 12 %/year (1 %/month), 6 months interest-only, 12 months level amortisation
    d = VentureLoan(
        "Bank",
        1_000_000,
        0.12,
        month=10,
        interest_only_months=6,
        amortization_months=12,
        warrant_coverage=0.1,
        min_cash=500_000,
    )
    rows = d.schedule()
    assert len(rows) == 18 and rows[0].month == 11
    assert all(r.interest == 10_000 and r.principal == 0 for r in rows[:6])
    # payment = 1M × 0.01 / (1 − 1.01^−12) = $88,848.79
    assert float(d.level_payment) == pytest.approx(88_848.79, abs=0.005)
    assert all(r.payment == d.level_payment for r in rows[6:])
    assert rows[-1].balance == 0 and sum(r.principal for r in rows) == 1_000_000
    # warrants: 10 % × $1M / $2.00 round price = 50,000 shares
    assert d.warrant_shares(2) == 50_000
    t = d.issue_warrants(founders(), price=2, month=10)
    assert t.shares_held("Bank") == 50_000 and t.history[-1].instrument == "warrant"
    # covenant: cash at months 10.. = 900k, 600k, 450k → breach in month 12 with 1M still due
    b = d.covenant_breach([900_000, 600_000, 450_000, 300_000], start_month=10)
    assert b.month == 12 and b.balance_due == 1_000_000
    assert d.covenant_breach([900_000, 900_000, 900_000], start_month=10) is None
    # straight-line: principal 1M/12 each month
    s = VentureLoan("Bank", 1_000_000, 0.12, interest_only_months=0, amortization_months=12, amortization="straight")
    assert all(r.principal == Fraction(1_000_000, 12) for r in s.schedule())
    assert s.schedule()[1].interest == Fraction(1_000_000 * 11, 12) / 100


def test_instrument_inputs_are_validated_with_the_value():
    with pytest.raises(ValueError, match=r"purchase_amount\(=-1\)"):
        PostMoneySafe("x", -1)
    with pytest.raises(ValueError, match=r"valuation_cap\(=100000\) must exceed purchase_amount"):
        PostMoneySafe("x", 200_000, valuation_cap=100_000)
    with pytest.raises(ValueError, match=r"discount\(=1.2\)"):
        PostMoneySafe("x", 1, discount=1.2)
    with pytest.raises(ValueError, match=r"pool_target\(=1.5\)"):
        PricedRound("A", 1e6, 1e6, pool_target=1.5)
    with pytest.raises(ValueError, match="before the note was issued"):
        ConvertibleNote("n", 1, 0.05, month=5).amount_due(3)
    with pytest.raises(ValueError, match="claim the whole company"):
        apply_round(
            founders(),
            series_a(),
            safes=[PostMoneySafe("big", 9e6, valuation_cap=9.5e6), PostMoneySafe("big2", 2e6, valuation_cap=4e6)],
        )
