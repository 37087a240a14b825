"""Price-rounding conventions and pool increases stated in shares, on the YC safe user guide's worked example.

Source: Y Combinator, "Post-Money Safe User Guide", Appendix II, Example 1. Pre-safe cap table of 10,000,000
shares: founders 9,250,000 common, 300,000 outstanding + 350,000 promised options, 100,000 unissued pool.
Investor A $200,000 at a $4M post-money cap, investor B $800,000 at an $8M cap. Series A: $5M new money at a
$15M pre-money with a pool increase of 1,695,000 shares. The guide prints: Company Capitalization 11,764,705;
A 588,235 shares; B 1,176,470; Series A price $1.1144 (= $15M / 13,459,705, rounded to four decimals);
4,486,719 new-money shares; 17,946,424 post-money fully diluted shares.
"""

from fractions import Fraction

import pytest

from venturesim.funding.shares import CapTable, ConvertibleNote, PostMoneySafe, PreMoneySafe, PricedRound, apply_round
from venturesim.funding.shares.waterfall import exit_stack


def guide_table(price_decimals):
    table = CapTable.incorporate({"Founders": 9_250_000}, pool=750_000, price_decimals=price_decimals)
    return table.grant_options("Employees", 650_000, month=0)


GUIDE_SAFES = [PostMoneySafe("Investor A", 200_000, valuation_cap=4_000_000), PostMoneySafe("Investor B", 800_000, 8e6)]
GUIDE_ROUND = PricedRound("Series A", 15_000_000, 5_000_000, month=12, pool_top_up_shares=1_695_000)


def shares_of(result, holder):
    return next(c.shares for c in result.conversions if c.holder == holder)


def test_guide_example_under_the_four_decimal_convention_prints_the_guides_numbers():
    table, r = apply_round(guide_table(4), GUIDE_ROUND, GUIDE_SAFES)
    assert int(r.company_capitalization) == 11_764_705
    assert shares_of(r, "Investor A") == 588_235 and shares_of(r, "Investor B") == 1_176_470
    assert r.price == Fraction("1.1144")
    assert r.pool_top_up == 1_695_000
    assert r.purchases["Series A investors"][1] == 4_486_719  # floor($5M / $1.1144)
    assert table.fully_diluted_shares == 17_946_424


def test_guide_example_exact_keeps_the_unrounded_price():
    # CC = 10M / 0.85 = 200M/17; F = CC + 1,695,000 = 228,815,000/17; p = 15M·17/228,815,000 = 51,000/45,763
    table, r = apply_round(guide_table(None), GUIDE_ROUND, GUIDE_SAFES)
    assert r.company_capitalization == Fraction(200_000_000, 17)
    assert r.price == Fraction(51_000, 45_763)
    assert r.purchases["Series A investors"][1] == 4_486_568  # floor(228,815,000/51)
    assert table.fully_diluted_shares == 17_946_273
    # the safes' cap prices 4M/CC = $0.34 and 8M/CC = $0.68 are exact decimals: same counts either way
    assert shares_of(r, "Investor A") == 588_235 and shares_of(r, "Investor B") == 1_176_470


def test_rounding_is_half_up_at_the_stated_decimals():
    table = CapTable.incorporate({"Ann": 1}, price_decimals=2)
    assert table.rounded_price(Fraction(1234, 1000)) == Fraction("1.23")
    assert table.rounded_price(Fraction(1235, 1000)) == Fraction("1.24")
    assert CapTable.incorporate({"Ann": 1}).rounded_price(Fraction(1, 3)) == Fraction(1, 3)


def test_discount_price_is_taken_on_the_rounded_round_price():
    # 3,000,007 founder shares, $3M pre, $1M; a $100k post-money SAFE with a 20 % discount and no cap converts
    # at 0.8·p, so X = 100k·F/(0.8·3M) = F/24 and F = 3,000,007·24/23 = 3,130,442.09, p = 3M/F = 0.958341…
    # Four decimals: p = $0.9583, discount price 0.8 × 0.9583 = 0.76664 → $0.7666 (on the unrounded p it would be
    # 0.766673 → $0.7667), shares floor(100,000/0.7666) = 130,446. Exact: floor(F/24) = 130,435.
    safe = PostMoneySafe("Sam", 100_000, discount=0.2)
    a_round = PricedRound("Series A", 3_000_000, 1_000_000, month=6)
    _, r = apply_round(CapTable.incorporate({"Ann": 3_000_007}, price_decimals=4), a_round, [safe])
    conv = r.conversions[0]
    assert r.price == Fraction("0.9583") and conv.method == "discount"
    assert conv.price == Fraction("0.7666") and conv.shares == 130_446
    _, r = apply_round(CapTable.incorporate({"Ann": 3_000_007}), a_round, [safe])
    assert r.conversions[0].shares == 130_435


def test_pool_increase_in_shares_counts_in_the_pre_money():
    # 8M founders, $8M pre, $2M, +2M pool shares: F = 10M, p = $0.80, 2.5M new shares, post 12.5M
    table, r = apply_round(
        CapTable.incorporate({"Ann": 8_000_000}),
        PricedRound("Series A", 8e6, 2e6, month=3, pool_top_up_shares=2_000_000),
    )
    assert r.price == Fraction(4, 5) and r.pool_top_up == 2_000_000
    assert r.purchases["Series A investors"][1] == 2_500_000 and table.fully_diluted_shares == 12_500_000


def test_pool_increase_given_twice_is_refused():
    with pytest.raises(ValueError, match="either as pool_target or as pool_top_up_shares"):
        PricedRound("Series A", 8e6, 2e6, pool_target=0.1, pool_top_up_shares=10)
    with pytest.raises(ValueError, match="whole number of shares"):
        PricedRound("Series A", 8e6, 2e6, pool_top_up_shares=-1)
    with pytest.raises(ValueError, match="price_decimals"):
        CapTable.incorporate({"Ann": 1}, price_decimals=-1)


def test_liquidity_price_of_a_pre_money_safe_and_a_note_is_rounded_then_floored():
    # LC = issued + options = 3,000,000. Pre-money SAFE $100k at a $7M cap: exact 100k·3M/7M = 42,857.14 shares;
    # 4-decimal liquidity price 7M/3M = 2.3333 → floor(100,000/2.3333) = 42,857 shares.
    # Note $50k (no interest) at a $9M cap: price 3.0000, floor(50,000/3) = 16,666 shares.
    exact, rounded = (CapTable.incorporate({"Ann": 3_000_000}, price_decimals=d) for d in (None, 4))
    safe = PreMoneySafe("Sam", 100_000, valuation_cap=7_000_000)
    note = ConvertibleNote("Nia", 50_000, annual_rate=0, valuation_cap=9_000_000)
    by_name = {c.name: c for c in exit_stack(rounded, safes=[safe], notes=[note], exit_month=12)}
    assert by_name["Sam pre-money SAFE"].shares == 42_857 and by_name["Nia note"].shares == 16_666
    by_name = {c.name: c for c in exit_stack(exact, safes=[safe], notes=[note], exit_month=12)}
    assert by_name["Sam pre-money SAFE"].shares == Fraction(300_000, 7)
    assert by_name["Nia note"].shares == Fraction(50_000, 3)
