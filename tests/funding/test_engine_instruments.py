"""Pre-money SAFEs, convertible notes (interest, maturity), pro rata and MFN in both engines, one path each,
odds 1: the cap table at the horizon against hand work and the exact share-level library (within 1e-5).

Every scenario has the same shapes (3 rounds, 16 months, one segment, no loans or grants), so the JAX kernel
compiles once for all of them; the DES runs one path per case.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import venturesim as vs
from venturesim.funding.rounds import CLOSED
from venturesim.funding.shares import ConvertibleNote, PostMoneySafe, PreMoneySafe, PricedRound, apply_round
from venturesim.funding.shares.cap_table import CapTable

MONTHS = 16


def company(rounds):
    """Founders 90 %, pool 10 %, $2M of cash, $10,000 a month of other costs, no revenue, no team."""
    segment = {"name": "api", "market_size": 1000, "price": 1000.0, "churn": 0.0, "launch_month": 100,
               "bass_p_annual": 0.01, "bass_q_annual": 0.0}  # fmt: skip
    return {
        "name": "instruments",
        "simulation": {"months": MONTHS},
        "company": {"initial_cash": 2e6, "founder_ownership": 0.9, "option_pool": 0.1, "other_monthly_costs": 10_000},
        "market": {"segments": [segment]},
        "funding": {"rounds": list(rounds)},
    }


def rnd(name, **terms):
    """A round that starts at the first month end it may (time 1.0, or after the round before it closes) and
    closes one month later with certainty, priced on its inputs (``traction: off``)."""
    return {"name": name, "trigger_runway_months": 1000, "success_probability": 1.0, "time_to_close_months": 1.0,
            "traction": "off", "amount": 1e6} | terms  # fmt: skip


NEVER = rnd("later", pre_money=1e8, earliest_month=1000)
SERIES_A = rnd("series_a", pre_money=16e6, amount=4e6)
NOTE = rnd("note", instrument="note", valuation_cap=9e6, interest_annual=0.08)

CASES = {
    "pre_money_safe": [rnd("pre_seed", instrument="pre_money_safe", valuation_cap=9e6), SERIES_A, NEVER],
    "note_converts": [NOTE, SERIES_A | {"earliest_month": 7}, NEVER],
    "note_matures_convert": [NOTE | {"maturity_months": 12, "at_maturity": "convert"}, NEVER, NEVER | {"name": "x"}],
    "note_matures_repay": [NOTE | {"maturity_months": 12, "at_maturity": "repay"}, NEVER, NEVER | {"name": "x"}],
    "pro_rata": [rnd("seed", pre_money=4e6, pro_rata={"probability": 1.0}), SERIES_A, NEVER],
    "mfn": [rnd("safe_1", instrument="safe", valuation_cap=1e7, mfn=True),
            rnd("safe_2", instrument="safe", valuation_cap=5e6, amount=5e5), SERIES_A],
}  # fmt: skip


def _library(case):
    """(close months, each round's investors' fraction at the horizon, founders') from the exact library:
    9,000,000 founder shares and a 1,000,000-share pool; each instrument as the scenario states it."""
    table = CapTable.incorporate({"Ann": 9_000_000}, pool=1_000_000)
    if case == "pre_money_safe":  # closes month 2; the round month 4
        safe = PreMoneySafe("r0", 1_000_000, valuation_cap=9_000_000, month=2)
        table, _ = apply_round(table, PricedRound("r1", 16_000_000, 4_000_000, month=4), safes=[safe])
        months = [2, 4, -1]
    elif case == "note_converts":  # closes month 2; the round month 8: 6 months of interest
        note = ConvertibleNote("r0", 1_000_000, Fraction(8, 100), month=2, valuation_cap=9_000_000)
        table, _ = apply_round(table, PricedRound("r1", 16_000_000, 4_000_000, month=8), notes=[note])
        months = [2, 8, -1]
    elif case.startswith("note_matures"):  # closes month 2, matures month 14
        note = ConvertibleNote("r0", 1_000_000, Fraction(8, 100), month=2, maturity_months=12, valuation_cap=9_000_000)
        if case.endswith("convert"):
            price = note.valuation_cap / (table.fully_diluted_shares - table.pool)  # cap / N₀
            shares = int(note.amount_due(note.maturity_month) / price)
            table = table.issue("r0", "Common", shares, price=price, month=14, instrument="note")
        months = [2, -1, -1]
    elif case == "pro_rata":  # seed closes month 2; Series A month 4, the seed investors buying their pro rata
        table, _ = apply_round(table, PricedRound("r0", 4_000_000, 1_000_000, month=2, investors={"r0": 1}))
        table, _ = apply_round(
            table, PricedRound("r1", 16_000_000, 4_000_000, month=4, pro_rata={"r0": 1}, investors={"r1": 1})
        )
        months = [2, 4, -1]
    else:  # mfn: SAFEs close months 2 and 4, Series A month 6
        safes = [
            PostMoneySafe("r0", 1_000_000, valuation_cap=10_000_000, mfn=True, month=2),
            PostMoneySafe("r1", 500_000, valuation_cap=5_000_000, month=4),
        ]
        table, _ = apply_round(table, PricedRound("r2", 16_000_000, 4_000_000, month=6, investors={"r2": 1}), safes)
        months = [2, 4, 6]
    own = table.ownership()
    investors = [float(own.get(f"r{i}", 0) + own.get(f"r{i} investors", 0)) for i in range(3)]
    return months, investors, float(own["Ann"])


HAND = {  # (founders, each round's investors) at the horizon, worked in the docstrings below
    "pre_money_safe": (0.648, [0.08, 0.2, 0.0]),
    "note_converts": (9 / 13.8, [1.04 / 13.8, 0.2, 0.0]),
    "note_matures_convert": (9 / 11.08, [1.08 / 11.08, 0.0, 0.0]),
    "note_matures_repay": (0.9, [0.0, 0.0, 0.0]),
    "pro_rata": (0.576, [0.2, 0.16, 0.0]),
    "mfn": (0.504, [0.16, 0.08, 0.2]),
}
"""Hand work (founders 90 %, pool 10 %; Series A $16M pre, $4M, so × 0.8):

* pre-money SAFE $1M at a $9M cap: cap price $9M / 10M shares (no SAFEs, no top-up) = $0.90, 1.111M shares
  = 1/9 of the 10M; × 0.9 (1/(1 + 1/9)) × 0.8: SAFE 8 %, founders 0.9 · 0.9 · 0.8 = 64.8 %.
* note $1M, 8 % simple, $9M cap, closed month 2, Series A month 8: owes 1M · (1 + 0.08 · 6/12) = $1.04M at
  $9M / N₀ (9M issued, the pool unissued) = $1.00: 1.04M shares; F = 11.04M, post 13.8M.
* the same note maturing after 12 months (month 14): owes $1.08M; convert: 1.08M shares of 11.08M; repay:
  $1M principal + $80k interest paid in month 14, founders back to 90 %.
* pro rata: seed $4M pre, $1M (20 %: 2.5M shares at $0.40); at the Series A the seed buys 2.5M/12.5M × $4M =
  $800k, keeping 20 %; the new investors $3.2M = 16 %; founders 9/15.625 = 57.6 %.
* MFN: SAFE 1 ($1M, $10M post cap, MFN) adopts SAFE 2's $5M cap: 20 % + 10 % of the Company Capitalization;
  × 0.8: 16 % and 8 %; founders 0.9 · 0.7 · 0.8 = 50.4 %.
"""


@pytest.fixture(scope="module")
def jax_runs():
    """Every case with the JAX engine (one compile: the scenarios share their shapes)."""
    return {case: vs.simulate(vs.load(company(r)), paths=1, seed=0, metrics="all").data for case, r in CASES.items()}


def assert_agrees_with_library(ds, case):
    months, investors, founders = _library(case)
    hand_founders, hand_investors = HAND[case]
    assert ds["round_close_month"].values[0].tolist() == months
    np.testing.assert_allclose(ds["final_founder_ownership"].values[0], founders, atol=1e-5)
    np.testing.assert_allclose(ds["final_founder_ownership"].values[0], hand_founders, atol=1e-6)
    # a round's investors' fraction (an outstanding or matured note's, a SAFE's, a priced round's)
    from_state = ds["round_ownership"].values[0]
    np.testing.assert_allclose(from_state, investors, atol=1e-5)
    np.testing.assert_allclose(from_state, hand_investors, atol=1e-6)


@pytest.mark.parametrize("case", list(CASES))
def test_des_agrees_with_the_library(case):
    ds = vs.simulate(vs.load(company(CASES[case])), paths=1, seed=0, engine="des", workers=1, metrics="all").data
    assert_agrees_with_library(ds, case)


@pytest.mark.parametrize("case", list(CASES))
def test_jax_agrees_with_the_library(case, jax_runs):
    assert_agrees_with_library(jax_runs[case], case)


@pytest.mark.parametrize("engine", ["jax", "des"])
def test_repaid_note_is_debt_service(engine, request):
    """The repaid note: $80k interest (a cost) and $1M principal (debt repaid) in month 14; the cash identity
    cash₁₃ − cash₁₄ = costs + principal = $10k + $80k + $1M."""
    ds = (
        request.getfixturevalue("jax_runs")["note_matures_repay"]
        if engine == "jax"
        else vs.simulate(
            vs.load(company(CASES["note_matures_repay"])), paths=1, seed=0, engine="des", workers=1, metrics="all"
        ).data
    )
    assert ds["round_status"].values[0].tolist()[0] == CLOSED
    interest, repaid, cash = (ds[m].values[0] for m in ("interest", "debt_repaid", "cash"))
    assert np.flatnonzero(interest).tolist() == [14] and np.flatnonzero(repaid).tolist() == [14]
    np.testing.assert_allclose([interest[14], repaid[14], cash[13] - cash[14]], [8e4, 1e6, 1.09e6], rtol=1e-6)


@pytest.mark.parametrize(
    ("rounds", "discount", "maturity"),
    [
        ([SERIES_A, NEVER], False, False),  # every round priced: no conversion compiled
        (CASES["mfn"], True, False),  # SAFEs convert; no note matures
        (CASES["note_converts"], True, True),
    ],
)
def test_instrument_fields_are_sampled_only_where_a_round_needs_them(rounds, discount, maturity):
    """``FundingParams.discount`` is None when every round is priced and ``.maturity`` None without a note (the
    kernel then compiles no conversion, no maturity); else arrays, one column per round."""
    import jax

    from venturesim.engine.params import sample

    f = sample(vs.load(company(rounds)), jax.random.key(0), 4).funding
    assert (f.discount is not None, f.maturity is not None) == (discount, maturity)
    for field in (f.discount, f.maturity):
        assert field is None or field.shape == (4, len(rounds))
