"""The claims grammar: sentences read into claims, and which paths make them true (hand-worked values)."""

import numpy as np
import pytest
from whatif_scenarios import BURN, HIGH, LOW, burn, burn_result

import venturesim as vs
from venturesim.analysis.claims import ClaimError, parse_claim
from venturesim.spec.errors import ScenarioError


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("ARR >= $10M by month 24", {"kind": "metric", "metric": "arr", "op": ">=", "threshold": 1e7, "when": "by"}),
        ("gross margin ≥ 60 % at month 24", {"metric": "gross_margin", "threshold": 0.6, "month": 24, "when": "at"}),
        ("customers above 1,500 at month 12", {"metric": "customers", "op": ">", "threshold": 1500.0}),
        ("cash at least -2.5k at month 3", {"metric": "cash", "op": ">=", "threshold": -2500.0}),
        ("Break-even by month 30", {"kind": "break_even", "month": 30}),
        ("Series A within 18 months", {"kind": "round", "round": "series_a", "month": 18}),
        ("seed closes by month 12", {"kind": "round", "round": "seed", "month": 12}),
        ("founders keep >= 50% after the A", {"kind": "ownership", "round": "a", "threshold": 0.5}),
        ("survive to month 36", {"kind": "alive", "month": 36}),
    ],
)
def test_sentences_are_read(text, fields):
    claim = parse_claim(text)
    assert {k: getattr(claim, k) for k in fields} == fields


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ARRR >= 1 at month 3", "did you mean 'arr'"),
        ("ARR will be great", "cannot read the claim"),
        ("__import__('os') >= 1 at month 2", "cannot read the claim"),
        ("ARR >= 5 in month 3", "cannot read the claim"),
    ],
)
def test_unreadable_sentences_are_refused_with_the_reason(text, message):
    with pytest.raises(ClaimError, match=message.replace("(", r"\(")):
        parse_claim(text)


def test_claims_on_the_burn_scenario_match_their_hand_values():
    """Alive at m iff C ≥ m·BURN; cash at m is C − m·BURN; with C ~ U(200k, 600k)."""
    result = burn_result()
    cash = result.inputs["company.initial_cash"].to_numpy(np.float64)
    assert np.array_equal(parse_claim("alive at month 36").holds(result), cash >= 36 * BURN)
    at_12 = parse_claim("cash >= 100k at month 12").holds(result)
    assert np.array_equal(at_12, cash - 12 * BURN >= 100_000 - 0.5)  # float32 cash: half a dollar of slack
    # "by": in some month 1..12 (the first month is the largest cash)
    assert np.array_equal(parse_claim("cash >= 590k by month 12").holds(result), cash - BURN >= 590_000 - 0.5)
    assert not parse_claim("ARR > 0 by month 40").holds(result).any()
    assert (cash >= LOW).all() and (cash <= HIGH).all()


def test_targets_are_reported_in_the_summary():
    sc = vs.load(
        burn() | {"targets": ["alive at month 36", {"name": "cash cushion", "claim": "cash >= 100k at month 12"}]}
    )
    summary = vs.simulate(sc, paths=1000, seed=1).summary()
    rows = summary[summary["section"] == "targets"].set_index("metric")
    cash = burn_result().inputs["company.initial_cash"].to_numpy()  # the same paths (same seed)
    assert rows.loc["P(alive at month 36)", "value"] == pytest.approx(np.mean(cash >= 36 * BURN))
    assert rows.loc["P(cash cushion)", "value"] == pytest.approx(np.mean(cash >= 220_000 - 0.5))
    p = rows.loc["P(alive at month 36)", "value"]
    assert rows.loc["P(alive at month 36)", "se"] == pytest.approx(np.sqrt(p * (1 - p) / 1000))


def test_targets_are_checked_when_the_scenario_loads():
    with pytest.raises(ScenarioError, match=r"targets\[0\].*no round 'series_a'"):
        vs.load(burn() | {"targets": ["series_a within 18 months"]})
    with pytest.raises(ScenarioError, match=r"targets\[1\].*month 50 is outside the horizon 1..40"):
        vs.load(burn() | {"targets": ["alive at month 12", "alive at month 50"]})
    with pytest.raises(ScenarioError, match=r"targets\[0\].*cannot read the claim"):
        vs.load(burn() | {"targets": ["we will win"]})
