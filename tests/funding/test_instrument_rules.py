"""The engines' instrument rules (funding.instruments, NumPy) against the exact share-level library.

Every case starts from 9,000,000 founder shares and a 1,000,000-share option pool (founders 90 %, pool 10 %),
some of the pool granted; the engines' fractions must agree with the library's within 1e-5 (the library
floors share counts: ≈1e-7 of 10M+ shares).
"""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from venturesim.funding.instruments import (
    NOTE,
    POST_SAFE,
    PRE_SAFE,
    PRICED,
    Instruments,
    amount_due,
    convert_at_round,
    issue_fraction,
    mature_notes,
    note_grants,
)
from venturesim.funding.ownership import Holders, issue_safes
from venturesim.funding.shares import ConvertibleNote, PostMoneySafe, PreMoneySafe, PricedRound, apply_round
from venturesim.funding.shares.cap_table import POOL, CapTable

KIND = {"post": POST_SAFE, "pre": PRE_SAFE, "note": NOTE}


def engine(instruments, round_terms, granted=0.0, pro_rata=(), month=12):
    """Issue ``instruments`` [(kind, P, cap, discount, month, rate, mfn)] in order, then close the priced round
    (V, A, pool target) in ``month`` (the last column), the engines' way. Returns the holders."""
    R = len(instruments) + 1
    kind = np.array([KIND[i[0]] for i in instruments] + [PRICED])
    amount = np.array([i[1] for i in instruments] + [round_terms[1]], float)
    cap = np.array([i[2] for i in instruments] + [1.0], float)
    discount = np.array([i[3] for i in instruments] + [0.0])
    issued = np.array([i[4] for i in instruments] + [month], float)
    rate = np.array([i[5] for i in instruments] + [0.0])
    mfn = np.array([i[6] for i in instruments] + [False])
    h = Holders(0.9, 0.0, 0.1, np.zeros(R), np.zeros(R, bool))
    for i in range(R - 1):
        issued_now = np.arange(R) == i
        h = issue_safes(h, issued_now, issue_fraction(h, granted, kind, amount, cap))
    closed = np.arange(R) < R - 1
    book = Instruments(
        kind,
        amount_due(amount, rate, issued, month, kind),
        cap,
        discount,
        issued,
        mfn,
        np.isin(np.arange(R), pro_rata),
        closed,
    )
    V, _, target = round_terms
    pool_target = np.full(R, -1.0 if target is None else target)
    return convert_at_round(h, granted, np.arange(R) == R - 1, np.full(R, float(V)), amount, pool_target, book)


def library(instruments, round_terms, granted_shares=0, pro_rata=(), month=12):
    """The same with the exact library; ``granted_shares`` of the pool granted to an employee first."""
    table = CapTable.incorporate({"Ann": 9_000_000}, pool=1_000_000)
    if granted_shares:
        table = table.grant_options("Emp", granted_shares, month=0)
    safes, notes = [], []
    for i, (kind, P, cap, d, m, rate, mfn) in enumerate(instruments):
        if kind == "note":
            notes.append(ConvertibleNote(f"I{i}", P, Fraction(rate).limit_denominator(10**6), m, 48, cap, d))
        else:
            cls = PostMoneySafe if kind == "post" else PreMoneySafe
            safes.append(cls(f"I{i}", P, valuation_cap=cap, discount=d, mfn=mfn, pro_rata=i in pro_rata, month=m))
    V, A, target = round_terms
    table, result = apply_round(table, PricedRound("A", V, A, month=month, pool_target=target), safes, notes)
    return {h: float(x) for h, x in table.ownership().items()}, result


CASES = [
    # a pre-money SAFE with a cap, the cap winning; with a pool top-up (the SAFE is diluted by it)
    ([("pre", 1e6, 9e6, 0.0, 2, 0.0, False)], (16e6, 4e6, None)),
    ([("pre", 1e6, 9e6, 0.2, 2, 0.0, False)], (16e6, 4e6, 0.15)),
    ([("pre", 1e6, 3e7, 0.2, 2, 0.0, False)], (8e6, 2e6, 0.1)),  # the discount wins
    # a note with 8 % simple interest, converting at its cap over N₀ (issued + granted), or its discount
    ([("note", 1e6, 9e6, 0.0, 2, 0.08, False)], (16e6, 4e6, None)),
    ([("note", 1e6, 9e6, 0.2, 2, 0.08, False)], (16e6, 4e6, 0.15)),
    ([("note", 5e5, 4e7, 0.2, 0, 0.06, False)], (8e6, 2e6, None)),
    # every kind at once
    ([("post", 5e5, 8e6, 0.0, 1, 0.0, False), ("pre", 5e5, 7e6, 0.1, 2, 0.0, False),
      ("note", 7e5, 9e6, 0.2, 3, 0.05, False)], (20e6, 5e6, 0.12)),
    # MFN: the first SAFE adopts the later, lower cap (and its discount)
    ([("post", 1e6, 1e7, 0.0, 2, 0.0, True), ("post", 5e5, 5e6, 0.1, 4, 0.0, False)], (16e6, 4e6, None)),
    ([("pre", 1e6, 1e7, 0.0, 2, 0.0, True), ("pre", 5e5, 6e6, 0.0, 4, 0.0, False)], (16e6, 4e6, 0.1)),
]  # fmt: skip


@pytest.mark.parametrize("granted", [0, 400_000])
@pytest.mark.parametrize("instruments, round_terms", CASES)
def test_conversion_matches_the_share_level_library(instruments, round_terms, granted):
    """18 cases: pre-money SAFEs, notes with interest, mixtures and MFN, with and without a pool top-up and
    granted options (γ = 0.4: N₀ = 9.4M shares, the unissued pool 0.6M): every holder within 1e-5."""
    h, gamma = engine(instruments, round_terms, granted=granted / 1e6)
    own, _ = library(instruments, round_terms, granted_shares=granted)
    employee = own.get("Emp", 0.0)
    assert h.founders == pytest.approx(own["Ann"], abs=1e-5)
    assert h.pool == pytest.approx(own.get(POOL, 0.0) + employee, abs=1e-5)
    assert h.pool * gamma == pytest.approx(employee, abs=1e-5)
    for i in range(len(instruments)):
        assert h.investors[i] == pytest.approx(own[f"I{i}"], abs=1e-5), f"instrument {i}"
    assert h.investors[-1] == pytest.approx(own["A investors"], abs=1e-5)
    assert h.founders + h.others + h.pool + h.investors.sum() == pytest.approx(1.0, abs=1e-12)
    assert not h.outstanding.any()


def test_pre_money_safe_by_hand():
    """$1M pre-money SAFE, $9M cap; Series A $16M pre, $4M. The cap price is $9M / PC, PC = 10M shares
    (no SAFEs, no top-up): $0.90, 1,111,111 shares; F = 11,111,111, round price 16M/F = $1.44 > $0.90.
    Post-money 13,888,889 shares: SAFE 8 %, founders 9/13.89 = 64.8 %, pool 7.2 %, Series A 20 %.
    (A post-money $9M cap would give the SAFE 1/9 before the round: founders 64 %.)"""
    h, _ = engine([("pre", 1e6, 9e6, 0.0, 2, 0.0, False)], (16e6, 4e6, None))
    assert h.investors.tolist() == pytest.approx([0.08, 0.2]) and h.founders == pytest.approx(0.648)
    assert h.pool == pytest.approx(0.072)


def test_note_with_interest_by_hand():
    """$1M note, 8 % simple, $9M cap, closed month 2; Series A in month 8 ($16M pre, $4M): due
    1M · (1 + 0.08 · 6/12) = $1.04M at $9M / N₀ = $1.00 (N₀ = 9M issued, the pool unissued): 1,040,000
    shares; F = 11.04M, post 13.8M: note 7.5362 %, founders 65.2174 %, pool 7.2464 %, Series A 20 %."""
    h, _ = engine([("note", 1e6, 9e6, 0.0, 2, 0.08, False)], (16e6, 4e6, None), month=8)
    assert h.investors.tolist() == pytest.approx([1.04 / 13.8, 0.2], abs=1e-9)
    assert h.founders == pytest.approx(9 / 13.8) and h.pool == pytest.approx(1 / 13.8)
    _, result = library([("note", 1e6, 9e6, 0.0, 2, 0.08, False)], (16e6, 4e6, None), month=8)
    assert result.conversions[0].amount == Fraction(1_040_000) and result.conversions[0].shares == 1_040_000


def test_mfn_upgrade_by_hand():
    """SAFE 1: $1M at a $10M post-money cap with MFN (month 2); SAFE 2: $0.5M at $5M (month 4). MFN: SAFE 1
    takes the $5M cap: 20 % and 10 % of the Company Capitalization; F = 10M + 0.3 F = 14.2857M; Series A
    $16M pre, $4M (× 0.8): SAFE 1 16 %, SAFE 2 8 %, founders 0.9 · 0.7 · 0.8 = 50.4 %, Series A 20 %.
    Without MFN SAFE 1 would keep 10 %: 8 % after the round."""
    safes = [("post", 1e6, 1e7, 0.0, 2, 0.0, True), ("post", 5e5, 5e6, 0.0, 4, 0.0, False)]
    h, _ = engine(safes, (16e6, 4e6, None))
    assert h.investors.tolist() == pytest.approx([0.16, 0.08, 0.2]) and h.founders == pytest.approx(0.504)
    h, _ = engine([safes[0][:6] + (False,), safes[1]], (16e6, 4e6, None))
    assert h.investors[0] == pytest.approx(0.08)
    # a SAFE of the same month, or of the other kind, is no "later SAFE" of its kind
    h, _ = engine([safes[0], ("pre", 5e5, 5e6, 0.0, 4, 0.0, False)], (16e6, 4e6, None))
    assert h.investors[0] == pytest.approx(0.08)


def test_pro_rata_of_a_safe_matches_the_library():
    """A $1M post-money SAFE at a $10M cap with a pro rata side letter: it converts into 10 % of the Company
    Capitalization and buys 10 % of the $4M round ($400k) out of it; the new investors buy $3.6M."""
    h, _ = engine([("post", 1e6, 1e7, 0.0, 2, 0.0, False)], (16e6, 4e6, 0.1), pro_rata=[0])
    own, result = library([("post", 1e6, 1e7, 0.0, 2, 0.0, False)], (16e6, 4e6, 0.1), pro_rata=[0])
    assert float(result.pro_rata["I0"]) == pytest.approx(4e5, rel=1e-6)  # shares floored
    assert h.investors[0] == pytest.approx(own["I0"], abs=1e-5)
    assert h.investors[1] == pytest.approx(own["A investors"], abs=1e-5)
    assert h.founders == pytest.approx(own["Ann"], abs=1e-5)


@pytest.mark.parametrize("repay", [False, True])
def test_note_maturity_matches_the_share_level_library(repay):
    """$1M note, 8 % simple, $9M pre-money cap, 12 months; 400k of the 1M-share pool granted (γ = 0.4).
    At maturity it owes $1.08M. Convert: cap price $9M / N₀, N₀ = 9.4M issued + granted = $0.957447;
    1,128,000 shares of 11,128,000: note 10.1366 %, founders 80.8770 % (the library: issue the shares).
    Repay: $1M principal and $80k interest in cash; founders and pool back to 90 % and 10 %."""
    R = 2
    kind, amount, cap = np.array([NOTE, PRICED]), np.array([1e6, 1e6]), np.array([9e6, 1.0])
    h = Holders(0.9, 0.0, 0.1, np.zeros(R), np.zeros(R, bool))
    h = issue_safes(h, np.array([True, False]), issue_fraction(h, 0.4, kind, amount, cap))
    owed = amount_due(amount, np.array([0.08, 0.0]), np.array([2.0, -1.0]), 14.0, kind)
    assert owed[0] == pytest.approx(1.08e6)
    due = np.array([True, False])
    h, month = mature_notes(h, 0.4, due, np.array([repay, False]), amount, owed, cap)
    assert not h.outstanding.any() and h.founders + h.pool + h.investors.sum() == pytest.approx(1.0, abs=1e-12)
    if repay:
        assert (month.principal, month.interest) == pytest.approx((1e6, 8e4))
        assert (h.founders, h.pool, h.investors[0]) == pytest.approx((0.9, 0.1, 0.0))
        return
    table = CapTable.incorporate({"Ann": 9_000_000}, pool=1_000_000).grant_options("Emp", 400_000, month=0)
    note = ConvertibleNote("N", 1_000_000, Fraction(8, 100), 2, 12, 9_000_000)
    price = note.valuation_cap / (table.fully_diluted_shares - table.pool)
    shares = int(note.amount_due(note.maturity_month) / price)
    own = table.issue("N", "Common", shares, price=price, month=14, instrument="note").ownership()
    assert shares == 1_128_000 and month.principal == 0.0
    assert h.investors[0] == pytest.approx(float(own["N"]), abs=1e-5)
    assert h.founders == pytest.approx(float(own["Ann"]), abs=1e-5)


def test_team_grants_move_options_from_unissued_to_granted():
    """Founders 90 % → 72 % after rounds (f/f₀ = 0.8); the team grants 2 % of the founding company: 1.6 %
    of it now; with the pool at 8 % and none granted, γ = 1.6/8 = 0.2."""
    assert note_grants(0.0, 0.08, 0.72, 0.9, 0.02) == pytest.approx(0.2)
    assert note_grants(0.5, 0.08, 0.72, 0.9, -0.02) == pytest.approx(0.3)


BAD = """\
name: x
simulation: {months: 12}
company: {initial_cash: 1000000}
market:
  segments: [{name: api, market_size: 100, price: 10, churn: 0.0, bass_p_annual: 0.01, bass_q_annual: 0.0}]
funding:
  rounds:
    - name: n
      instrument: note
      valuation_cap: 9000000
      amount: 1000000
      success_probability: 1
      at_maturty: repay
    - name: s
      instrument: safe
      valuation_cap: 9000000
      amount: 1000000
      success_probability: 1
      interest_annual: 0.05
    - name: p
      instrument: note
      amount: 1000000
      success_probability: 1
      pro_rata: {probability: 1.5}
"""


def test_bad_instrument_fields_name_file_line_and_nearest_key(tmp_path):
    """A misspelt note field gets its file:line:column and the nearest key; a note term on a SAFE, a note
    without a cap and an exercise probability above 1 are refused with the round's path."""
    from venturesim.spec.errors import ScenarioError

    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    with pytest.raises(ScenarioError) as info:
        vs_load(path)
    text = str(info.value)
    assert f"{path}:13:7: funding.rounds[0].at_maturty: unknown field; did you mean 'at_maturity'?" in text
    assert f"{path}:14:7: funding.rounds[1]: interest_annual only apply to `instrument: note`" in text
    assert "funding.rounds[2].pro_rata.probability" in text


def vs_load(path):
    import venturesim as vs

    return vs.load(str(path))


def test_an_outstanding_note_is_owed_its_interest_at_an_exit():
    """A $1M note at 8 % simple, closed month 2 and still outstanding at an acquisition for $3M in month 14
    (its interim fraction 9.09 %): as 1x non-participating preferred it takes max(1M · 1.08, 9.09 % · 3M) =
    $1.08M; the founders (90 % of the rest, 0.8182 of the company) get 0.8182/0.9091 · $1.92M = $1.728M."""
    from venturesim.funding.exits import exit_proceeds
    from venturesim.funding.rounds import CLOSED, WAITING
    from venturesim.funding.shares.waterfall import NONE
    from venturesim.funding.terms import ACQUISITION

    R = 2
    kind, amount, cap = np.array([NOTE, PRICED]), np.array([1e6, 1e6]), np.array([9e6, 1.0])
    start = Holders(0.9, 0.0, 0.1, np.zeros(R), np.zeros(R, bool))
    h = issue_safes(start, np.array([True, False]), issue_fraction(start, 0.0, kind, amount, cap))
    state = SimpleNamespace(
        status=np.array([CLOSED, WAITING]), close_month=np.array([2.0, -1.0]), round_amount=amount,
        exit_kind=ACQUISITION, exit_value=3e6, exit_debt=0.0, exit_month=14.0, **h.fields(),
    )  # fmt: skip
    params = SimpleNamespace(
        amount=amount, preference=np.ones(R), participation=np.full(R, float(NONE)), cap_multiple=np.full(R, 3.0),
        seniority=np.zeros(R), interest_rate=np.array([0.08, 0.0]), kind=kind,
    )  # fmt: skip
    founders, rounds = exit_proceeds(state, params, xp=np)
    assert h.investors[0] == pytest.approx(1 / 11) and rounds[0] == pytest.approx(1.08e6)
    assert founders == pytest.approx(0.9 / 1.0 * 1.92e6)
