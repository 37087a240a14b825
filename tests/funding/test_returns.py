"""MOIC and IRR: closed forms, hand-worked holder returns, and a cheque's return distribution."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from venturesim.funding.shares import (
    FULL,
    NONE,
    CapTable,
    ClassArrays,
    PostMoneySafe,
    PricedRound,
    RoundTerms,
    annualised,
    apply_round,
    cheque_at_exits,
    holder_returns,
    irr,
    moic,
    npv,
    proceeds_by_holder,
)

M = 1_000_000


def test_irr_closed_forms():
    # 2x in 36 months: (1 + r)^3 = 2 → r = 2^(1/3) − 1 = 25.99 %/year
    assert irr([(0, -100), (36, 200)]) == pytest.approx(2 ** (1 / 3) - 1, rel=1e-12)
    # −100, +10 after a year, +110 after two: a 10 % coupon bond bought at par → r = 10 %
    assert irr([(0, -100), (12, 10), (24, 110)]) == pytest.approx(0.10, rel=1e-12)
    # monthly dates: 1.5x in 6 months → 1.5^2 − 1 = 125 %/year; a total loss → r = −100 %
    assert irr([(3, -1), (9, 1.5)]) == pytest.approx(1.25, rel=1e-12)
    assert npv(0.1, [(0, -100), (12, 110)]) == pytest.approx(0.0, abs=1e-12)
    assert moic(2 * M, 5 * M) == 2.5
    with pytest.raises(ValueError, match="negative and one positive"):
        irr([(0, 100), (12, 10)])


@settings(max_examples=50, deadline=None)
@given(st.floats(0.05, 50), st.integers(1, 120))
def test_brentq_irr_matches_the_two_flow_closed_form(multiple, months):
    assert irr([(0, -1.0), (months, multiple)]) == pytest.approx(multiple ** (12 / months) - 1, rel=1e-9, abs=1e-12)
    assert float(annualised(multiple, months)) == pytest.approx(
        irr([(0, -1.0), (months, multiple)]), rel=1e-9, abs=1e-12
    )


def test_annualised_by_hand():
    # 2x in 36 months → 2^(1/3) − 1; 1.5x in 6 months → 125 %/year; nothing back → −100 %; no time → NaN
    r = annualised(np.array([2.0, 1.5, 0.0, 3.0]), np.array([36, 6, 24, 0]))
    np.testing.assert_allclose(r[:3], [2 ** (1 / 3) - 1, 1.25, -1.0], rtol=1e-12)
    assert np.isnan(r[3])


def test_holder_returns_from_the_cap_table_history():
    # SAFE $1M @ $10M cap (month 0) → Series A at $20M pre + $5M (month 12): Sam 1,111,111 shares,
    # VC 2,777,777, founders 9M, employee options 1M (13,888,888 FD, no unissued pool);
    # exit $100M at month 48, everyone converts (v = 100M / 13,888,888 ≈ $7.20/share):
    # VC 2,777,777 × v ≈ $20.0M on $5.0M → MOIC ≈ 4, IRR = 4^(1/3) − 1 (36 months)
    # Sam 1,111,111 × v ≈ $8.0M on $1M paid at month 0 → MOIC ≈ 8, IRR = 8^(1/4) − 1 (48 months)
    t = CapTable.incorporate({"Ann": 9 * M}, pool=1 * M).grant_options("Eve", 1 * M, month=0)
    t, _r = apply_round(
        t,
        PricedRound("Series A", 20 * M, 5 * M, month=12, investors={"VC": 1}),
        safes=[PostMoneySafe("Sam", 1 * M, valuation_cap=10 * M)],
    )
    proceeds = proceeds_by_holder(t, 100 * M)
    out = holder_returns(t, proceeds, exit_month=48)
    v = Fraction(100 * M, t.fully_diluted_shares)
    assert out["VC"].moic == pytest.approx(float(v / Fraction(9, 5)), rel=1e-12)
    assert out["VC"].moic == pytest.approx(4.0, rel=1e-5)
    assert out["VC"].irr == pytest.approx(out["VC"].moic ** (1 / 3) - 1, rel=1e-10)
    assert out["Sam"].invested == 1 * M and out["Sam"].flows[0] == (0, -1 * M)
    assert out["Sam"].irr == pytest.approx(out["Sam"].moic ** (1 / 4) - 1, rel=1e-10)
    assert out["Sam"].moic == pytest.approx(8.0, rel=1e-5)
    assert out["Ann"].moic is None and out["Ann"].proceeds == 9 * M * v
    # a loss: nothing back → MOIC 0, IRR −100 %
    lost = holder_returns(t, {"VC": 0}, exit_month=48)
    assert lost["VC"].moic == 0 and lost["VC"].irr == -1


def test_cheque_returns_simple_form_by_hand():
    # $8M pre, $2M round, 1x non-participating; a $500k cheque = 1/4 of the round.
    # exits 0, 5M, 10M, 40M at months 24, 36, 48, 60: class gets 0, 2M, 2M, 8M (20 % × 40M)
    # → cheque 0, 0.5M, 0.5M, 2M → MOIC 0, 1, 1, 4 ; IRR −1, 0, 0, 4^(1/5) − 1
    terms = RoundTerms(8 * M, 2 * M)
    r = cheque_at_exits(500_000, terms, [0, 5e6, 10e6, 40e6], [24, 36, 48, 60])
    np.testing.assert_allclose(r.moic, [0, 1, 1, 4])
    np.testing.assert_allclose(r.irr, [-1, 0, 0, 4**0.2 - 1])
    assert r.p_loss == 0.25 and r.p_10x == 0.0 and r.mean_moic == 1.5
    assert r.quantiles[0.5] == 1.0
    assert r.p_loss_se == pytest.approx(np.sqrt(0.25 * 0.75 / 4))


def test_cheque_returns_later_senior_round_and_stack_form_agree():
    # after a later round: our round owns 10 %, later investors 30 % with a $10M senior preference.
    # X = 8M → all to the later round, ours 0; X = 12M = Σ prefs → later 10M, ours 2M;
    # X = 100M → the later class converts (30 M > 10M) and ours too (10M > 2M): ours 10 % = 10M
    terms = RoundTerms(8 * M, 2 * M)
    exits = np.array([8e6, 12e6, 100e6])
    simple = cheque_at_exits(2 * M, terms, exits, 60, round_ownership=0.1, later_ownership=0.3, later_preference=10e6)
    np.testing.assert_allclose(simple.proceeds, [0, 2e6, 10e6])
    stack = ClassArrays(
        ("common", "A", "B"),
        np.array([0, 2e6, 10e6]),
        np.array([0.6, 0.1, 0.3]),
        np.array([0, 1, 2]),
        np.array([FULL, NONE, NONE]),
        np.full(3, np.inf),
        np.zeros(3),
    )
    full = cheque_at_exits(2 * M, terms, exits, 60, stack=stack, round_class=1)
    np.testing.assert_allclose(full.proceeds, simple.proceeds)


@pytest.mark.slow
def test_cheque_return_probabilities_match_lognormal_closed_form():
    # exit value E ~ lognormal(median $20M, σ = 2); 1x non-participating $2M for 20 %:
    # MOIC < 1  ⇔ class gets < 2M ⇔ E < 2M ; MOIC ≥ 10 ⇔ 0.2·E ≥ 20M ⇔ E ≥ 100M
    rng = np.random.default_rng(7)
    n = 200_000
    E = np.exp(np.log(20e6) + 2.0 * rng.standard_normal(n))
    r = cheque_at_exits(1 * M, RoundTerms(8 * M, 2 * M), E, rng.integers(12, 120, n))
    dist = stats.lognorm(s=2.0, scale=20e6)
    assert abs(r.p_loss - dist.cdf(2e6)) < 4 * r.p_loss_se
    assert abs(r.p_10x - dist.sf(100e6)) < 4 * r.p_10x_se
    # median MOIC: median E = 20M → 0.2 × 20M / 2M = 2
    assert r.quantiles[0.5] == pytest.approx(2.0, rel=0.02)


def test_cheque_inputs_are_validated():
    with pytest.raises(ValueError, match=r"invested\(=3000000\)"):
        cheque_at_exits(3_000_000, RoundTerms(8 * M, 2 * M), [1e6], [12])
    with pytest.raises(ValueError, match="exit_months"):
        cheque_at_exits(1e6, RoundTerms(8 * M, 2 * M), [1e6], [12], entry_month=24)
    with pytest.raises(ValueError, match=r"participation_cap\(=None\)"):
        RoundTerms(8 * M, 2 * M, participation="capped")
