"""The engines' ownership fractions (funding.ownership) against hand work and the exact share-level library."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest

from venturesim.funding.ownership import Holders, close_priced, issue_safes, issue_to_new_holder
from venturesim.funding.shares import PostMoneySafe, PricedRound, apply_round
from venturesim.funding.shares.cap_table import POOL, CapTable


def _engine(safes, pre, amount, pool_target, founders=0.9, pool=0.1):
    """Issue ``safes`` [(P, cap, discount)] one after another, then close a priced round (the engine's way)."""
    k = len(safes)
    R = k + 1
    amounts = np.array([p for p, _, _ in safes] + [amount], float)
    caps = np.array([c for _, c, _ in safes] + [1.0], float)
    discount = np.array([d for _, _, d in safes] + [0.0], float)
    holders = Holders(founders, 0.0, pool, np.zeros(R), np.zeros(R, bool))
    for i in range(k):
        holders = issue_safes(holders, np.arange(R) == i, amounts / caps)
    terms = SimpleNamespace(
        amount=amounts, pool_target=np.full(R, -1.0 if pool_target is None else pool_target), discount=discount
    )
    return close_priced(holders, np.arange(R) == k, np.full(R, float(pre)), terms)


def _library(safes, pre, amount, pool_target):
    """The same with the exact share-level library (9M founder shares, a 1M-share pool)."""
    table = CapTable.incorporate({"Ann": 9_000_000}, pool=1_000_000)
    notes = [PostMoneySafe(f"S{i}", p, valuation_cap=c, discount=d) for i, (p, c, d) in enumerate(safes)]
    table, _ = apply_round(table, PricedRound("A", pre, amount, month=1, pool_target=pool_target), safes=notes)
    own = {h: float(x) for h, x in table.ownership().items()}
    return own


def test_safe_issue_dilutes_everyone_but_the_outstanding_safes():
    """Founders 90 %, pool 10 %; a $1M SAFE at a $10M post cap takes 10 %: founders 81 %, pool 9 %.
    A second, $1M at $20M, takes 5 % and dilutes only founders and pool (by 0.05/0.9): the first keeps 10 %."""
    R = 2
    h = issue_safes(
        Holders(0.9, 0.0, 0.1, np.zeros(R), np.zeros(R, bool)), np.array([True, False]), np.array([0.1, 0.05])
    )
    assert h[0] == pytest.approx(0.81) and h[2] == pytest.approx(0.09) and h[3][0] == pytest.approx(0.1)
    h = issue_safes(h, np.array([False, True]), np.array([0.1, 0.05]))
    assert h[3].tolist() == pytest.approx([0.1, 0.05])
    assert h[0] == pytest.approx(0.81 * 0.85 / 0.9) and h[2] == pytest.approx(0.09 * 0.85 / 0.9)
    assert h[0] + h[1] + h[2] + h[3].sum() == pytest.approx(1.0, abs=1e-15)
    assert h[4].tolist() == [True, True]


def test_warrants_leave_outstanding_safes_whole():
    f, _, q, inv, _ = issue_to_new_holder(Holders(0.8, 0.0, 0.1, np.array([0.1]), np.array([True])), 0.02)
    assert inv[0] == 0.1 and f == pytest.approx(0.8 * 0.88 / 0.9) and q == pytest.approx(0.1 * 0.88 / 0.9)


def test_conversion_at_the_cap_by_hand():
    """SAFE $1M at a $10M cap (10 %), 20 % discount; Series A $16M pre, $4M: the discount price gives
    1M/(0.8 · 16M) = 7.8 % < 10 %, so the cap wins. After the new money (× 16/20): SAFE 8 %, founders
    0.9 · 0.9 · 0.8 = 64.8 %, pool 7.2 %, Series A 20 %."""
    f, _, q, inv, out = _engine([(1e6, 1e7, 0.2)], 16e6, 4e6, None)
    assert inv.tolist() == pytest.approx([0.08, 0.2]) and f == pytest.approx(0.648) and q == pytest.approx(0.072)
    assert out.tolist() == [False, False]


def test_conversion_at_the_discount_by_hand():
    """SAFE $1M at a $20M cap (5 %), 20 % discount; $8M pre, $2M: the discount gives 1M/(0.8 · 8M) =
    15.625 % of the pre-money > 5 %: the SAFE takes it; founders and pool share 84.375 % (90:10);
    × 8/10: SAFE 12.5 %, founders 60.75 %, pool 6.75 %, Series A 20 %."""
    f, _, q, inv, _ = _engine([(1e6, 2e7, 0.2)], 8e6, 2e6, None)
    assert inv.tolist() == pytest.approx([0.125, 0.2]) and f == pytest.approx(0.6075) and q == pytest.approx(0.0675)


CASES = list(
    itertools.product(
        [[(1e6, 1e7, 0.0)], [(1e6, 1e7, 0.2)], [(1e6, 2.5e7, 0.25)], [(5e5, 8e6, 0.0), (1e6, 1.5e7, 0.2)]],
        [(8e6, 2e6), (20e6, 5e6), (4e6, 1e6)],
        [None, 0.15, 0.05],
    )
)


@pytest.mark.parametrize("safes, round_terms, pool_target", CASES)
def test_fractions_match_the_share_level_library(safes, round_terms, pool_target):
    """36 cases: one or two post-money SAFEs (cap only, cap and discount, the discount winning or not),
    with and without a pool top-up: every holder's fraction within 1e-5 of the exact library's
    (share counts are floored there: ≈1e-7 of 10M+ shares)."""
    pre, amount = round_terms
    f, o, q, inv, _ = _engine(safes, pre, amount, pool_target)
    own = _library(safes, pre, amount, pool_target)
    assert f == pytest.approx(own["Ann"], abs=1e-5)
    assert q == pytest.approx(own[POOL], abs=1e-5)
    for i in range(len(safes)):
        assert inv[i] == pytest.approx(own[f"S{i}"], abs=1e-5), f"SAFE {i}"
    assert inv[-1] == pytest.approx(own["A investors"], abs=1e-5)
    assert f + o + q + inv.sum() == pytest.approx(1.0, abs=1e-12)
