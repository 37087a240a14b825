"""Stress packs move their input and their outcome the documented way; percentile stress; wildcards."""

import numpy as np
import pytest
from whatif_scenarios import burn, burn_result, startup

import venturesim as vs
from venturesim.analysis.stress import (
    FORCED_HAZARD,
    apply_pack,
    decile_spec,
    expand,
    pack_moves,
    percentile_variants,
    stress,
    stress_packs,
)
from venturesim.spec.errors import UsageError

PACKS = stress_packs()


def test_the_shipped_packs_cover_the_issue_and_cite_sources():
    assert set(PACKS) == {
        "funding_winter",
        "gpu_price_spike",
        "price_war",
        "key_person_loss",
        "regulation",
        "demand_shortfall",
        "churn_doubling",
    }
    for pack in PACKS.values():
        assert len(pack.source) > 40 and pack.moves["direction"] in ("up", "down")
        assert pack.outcome["direction"] in ("up", "down")


def test_wildcards_expand_to_every_named_item_and_skip_what_is_missing():
    data = vs.load(startup()).model_dump(mode="python")
    assert expand(data, "market.segments.*.price*=0.7") == ["market.segments.smb.price*=0.7"]
    assert expand(data, "funding.rounds.*.time_to_close_months*=1.4") == [
        "funding.rounds.seed.time_to_close_months*=1.4"
    ]
    assert expand(data, "product.serving.price_per_hour*=1.5") == []  # no product section


@pytest.mark.parametrize("name", list(PACKS))
def test_each_pack_moves_its_input_the_documented_way(name):
    sc = vs.load(startup())
    moves = pack_moves(sc, PACKS[name])
    assert moves
    for _, before, after in moves:
        assert (after > before) if PACKS[name].moves["direction"] == "up" else (after < before)


def test_a_forced_risk_strikes_in_its_month_on_every_path():
    sc = vs.load(startup())
    stressed, applied, skipped = apply_pack(sc, PACKS["key_person_loss"])
    assert applied == ["risk key_person_loss strikes in month 6"] and skipped == []
    risk = next(r for r in stressed.risks.risks if r.name == "key_person_loss")
    assert risk.hazard_monthly.schedule == {0: 0.0, 6: FORCED_HAZARD, 7: 0.0}


@pytest.mark.slow
def test_each_pack_moves_its_outcome_the_documented_way():
    """On common random numbers, every pack's documented figure moves in its direction by more than
    3 paired standard errors. Cash at month 12 (no round before month 13) by hand: the GPU spike adds
    $10k a month for 12 months (−$120k); the key-person loss costs $30k once (severity 1; nothing else
    acts here: no attrition, no capacity effects); the compliance cost is $10k × severity a month from
    month ⌈τ⌉ = 7 (the event lands early in month 6; docs/model/risks.md) through month 11, severity
    lognormal with p5 0.5 and p95 2, mean e^(σ²/2) = 1.093 (σ = ln 4/(2·1.645)): 5 × $10.93k = −$54.7k."""
    comparison = stress(startup(), list(PACKS), paths=1000, seed=3)
    table = comparison.table()
    months = comparison.results["base"].months
    for pack in PACKS.values():
        figure = pack.outcome["figure"].replace("the horizon", f"month {months}")
        row = table[(table["figure"] == figure) & (table["variant"] == pack.name)].iloc[0]
        sign = 1 if pack.outcome["direction"] == "up" else -1
        assert sign * row.difference > 3 * row.se_difference, (pack.name, row.difference, row.se_difference)
    at_12 = table[table["figure"] == "mean cash at month 12"].set_index("variant")
    assert at_12.loc["gpu_price_spike", "difference"] == pytest.approx(-120_000, rel=1e-3)
    assert at_12.loc["key_person_loss", "difference"] == pytest.approx(-30_000, rel=1e-3)
    regulation = at_12.loc["regulation"]
    assert regulation["difference"] == pytest.approx(-54_650, abs=3 * regulation["se_difference"] + 100)


def test_percentile_stress_forces_the_input_into_its_decile():
    """The top decile of U(200k, 600k) is U(560k, 600k); the bottom one U(200k, 240k)."""
    spec = vs.load(burn()).company.initial_cash
    high, low = (np.array(decile_spec(spec, d)["values"]) for d in ("high", "low"))
    assert high.min() == pytest.approx(560_400) and high.max() == pytest.approx(599_600)
    assert low.mean() == pytest.approx(220_000)
    variants = percentile_variants(vs.load(burn()), "company.initial_cash")
    drawn = vs.simulate(variants["company.initial_cash low decile"], paths=1000, seed=1).inputs
    assert drawn["company.initial_cash"].between(200_000, 240_000).all()
    with pytest.raises(UsageError, match=r"did you mean 'company\.initial_cash'"):
        percentile_variants(vs.load(burn()), "company.initial_cas")


def test_stress_reports_the_worst_decile():
    comparison = stress(burn(), percentiles=["company.initial_cash"], paths=1000, seed=1)
    assert list(comparison.results) == ["base", "company.initial_cash low decile (worst)"]
    row = comparison.table().query("figure == 'P(alive at month 24)' and variant != 'base'").iloc[0]
    base = burn_result(1000, 1).survival().loc[24, "survival"]
    assert row.value == 0.0 and row.difference == pytest.approx(-base)  # 240k lasts 24 months at most
