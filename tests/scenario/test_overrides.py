"""Overrides and shocks: =, *=, /=, +=, -= on numbers, distributions, schedules, trends and headcount plans."""

from __future__ import annotations

import re
from pathlib import Path

import jax
import numpy as np
import pytest

import venturesim as vs
from venturesim.engine.params import sample_with_draws
from venturesim.scenario.overrides import parse_override
from venturesim.spec.distributions import Range90
from venturesim.spec.errors import ScenarioError
from venturesim.spec.timeseries import Schedule, Trend

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "seed_stage_api.yaml"
MID_PRICE = "market.segments.midmarket.price"


@pytest.fixture(scope="module")
def sc():
    return vs.load(SCENARIO)


def seg(scenario, name):
    return next(s for s in scenario.market.segments if s.name == name)


def role(scenario, name):
    return next(r for r in scenario.team.roles if r.name == name)


# ------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "text, expected",
    [
        ("company.other_monthly_costs=15000", 15_000.0),
        ("company.other_monthly_costs*=2", 24_000.0),
        ("company.other_monthly_costs/=4", 3_000.0),
        ("company.other_monthly_costs+=500", 12_500.0),
        ("company.other_monthly_costs-=2000", 10_000.0),
        ("company.other_monthly_costs = 1_000", 1_000.0),
    ],
)
def test_number(sc, text, expected):
    assert sc.company.other_monthly_costs == 12_000.0
    assert sc.override([text]).company.other_monthly_costs == pytest.approx(expected, rel=1e-12)


def test_original_is_unchanged(sc):
    sc.override(["company.initial_cash=1"])
    assert sc.company.initial_cash == 1_500_000.0


def test_overrides_apply_in_order(sc):
    out = sc.override(["company.initial_cash=1000", "company.initial_cash*=3", "company.initial_cash-=500"])
    assert out.company.initial_cash == 2_500.0


# ------------------------------------------------------------------- distributions


def test_distribution_scale_and_shift(sc):
    base = seg(sc, "midmarket").price
    assert isinstance(base, Range90) and (base.scale, base.shift) == (1.0, 0.0)
    a = seg(sc.override([f"{MID_PRICE}*=0.5"]), "midmarket").price
    assert (a.scale, a.shift, a.p5, a.p95) == (0.5, 0.0, 1500.0, 4000.0)
    b = seg(sc.override([f"{MID_PRICE}*=0.5", f"{MID_PRICE}+=100"]), "midmarket").price
    assert (b.scale, b.shift) == (0.5, 100.0)
    # (shift + scale·X)·k scales both: (100 + 0.5X)·2 = 200 + X
    c = seg(sc.override([f"{MID_PRICE}*=0.5", f"{MID_PRICE}+=100", f"{MID_PRICE}*=2"]), "midmarket").price
    assert (c.scale, c.shift) == (1.0, 200.0)
    d = seg(sc.override([f"{MID_PRICE}/=4", f"{MID_PRICE}-=50"]), "midmarket").price
    assert (d.scale, d.shift) == (0.25, -50.0)


def test_distribution_override_moves_sampled_draws(sc):
    key = jax.random.key(4)
    shocked = sc.override([f"{MID_PRICE}*=0.7", f"{MID_PRICE}-=100"])
    _, before = sample_with_draws(sc, key, 1000, months=24)
    params, after = sample_with_draws(shocked, key, 1000, months=24)
    np.testing.assert_allclose(after[MID_PRICE], 0.7 * before[MID_PRICE] - 100, rtol=1e-12)
    # the lognormal's mean exp(μ + σ²/2) with p5 = 1500, p95 = 4000 moves to 0.7·mean − 100
    z = 1.6448536269514722
    mu, sigma = (np.log(1500) + np.log(4000)) / 2, (np.log(4000) - np.log(1500)) / (2 * z)
    mean = np.exp(mu + sigma**2 / 2)
    se = 0.7 * before[MID_PRICE].std() / np.sqrt(1000)
    assert abs(after[MID_PRICE].mean() - (0.7 * mean - 100)) < 4.5 * se
    np.testing.assert_allclose(params.market.price[:, 5, 1], after[MID_PRICE].astype(np.float32))


def test_distribution_override_is_revalidated(sc):
    # 2·Beta(4, 76) has practically no mass above 1: accepted
    churn = seg(sc.override(["market.segments.developers.churn*=2"]), "developers").churn
    assert (churn.scale, churn.a, churn.b) == (2.0, 4.0, 76.0)
    # 20·Beta(4, 76) (mean 1.0) is mostly above 1: rejected
    with pytest.raises(vs.ScenarioError, match=r"market\.segments\[0\]\.churn: must be >= 0 and <= 1, but"):
        sc.override(["market.segments.developers.churn*=20"])


def test_set_a_distribution(sc):
    out = sc.override(["market.segments.developers.market_size={dist: lognormal, mu: 10, sigma: 0.5}"])
    size = seg(out, "developers").market_size
    assert (size.dist, size.mu, size.sigma) == ("lognormal", 10.0, 0.5)


# ----------------------------------------------------------- schedules and trends


def test_schedule_every_knot(sc):
    price = seg(sc, "developers").price
    assert isinstance(price, Schedule) and price.schedule == {0: 99.0, 18: 79.0}
    for text, expected in [
        ("*=0.5", {0: 49.5, 18: 39.5}),
        ("/=2", {0: 49.5, 18: 39.5}),
        ("+=1", {0: 100.0, 18: 80.0}),
        ("-=9", {0: 90.0, 18: 70.0}),
    ]:
        out = seg(sc.override([f"market.segments.developers.price{text}"]), "developers").price
        assert isinstance(out, Schedule) and out.schedule == expected, text
        assert out.interpolation == "step"


def test_schedule_with_distribution_knots():
    data = {
        "name": "s",
        "company": {"initial_cash": 1e6},
        "market": {
            "segments": [
                {
                    "name": "a",
                    "market_size": 100,
                    "price": {"schedule": {0: {"p5": 10, "p95": 20}, 6: 30}, "interpolation": "linear"},
                }
            ]
        },
    }
    out = vs.load(data).override(["market.segments.a.price*=3"]).market.segments[0].price
    assert out.schedule[6] == 90.0
    assert (out.schedule[0].scale, out.schedule[0].p5) == (3.0, 10.0)
    assert out.interpolation == "linear"


def test_trend_start(sc):
    trend = sc.compute.monthly_spend
    assert isinstance(trend, Trend)
    doubled = sc.override(["compute.monthly_spend*=2"]).compute.monthly_spend
    assert doubled.start.scale == 2.0 and doubled.growth == trend.growth
    halved = sc.override(["compute.monthly_spend/=2"]).compute.monthly_spend
    assert halved.start.scale == 0.5
    key = jax.random.key(8)
    base = vs.sample(sc, key, 1000, months=24).company.compute
    twice = vs.sample(sc.override(["compute.monthly_spend*=2"]), key, 1000, months=24).company.compute
    np.testing.assert_allclose(twice, 2 * base, rtol=1e-6)


@pytest.mark.parametrize("op", ["+=", "-="])
def test_trend_cannot_be_shifted(sc, op):
    with pytest.raises(vs.ScenarioError, match=re.escape(f"{op} cannot shift a trend")):
        sc.override([f"compute.monthly_spend{op}5"])


def test_trend_growth_by_path(sc):
    out = sc.override(["compute.monthly_spend.growth=-0.05"]).compute.monthly_spend
    assert out.growth == -0.05


# ------------------------------------------------------------------ headcount plans


@pytest.mark.parametrize(
    "text, expected",
    [
        ("*=2", {0: 2, 6: 6, 18: 12}),
        ("*=1.4", {0: 1, 6: 4, 18: 8}),  # 1.4, 4.2, 8.4 rounded to whole people
        ("+=1", {0: 2, 6: 4, 18: 7}),
        ("-=1", {0: 0, 6: 2, 18: 5}),
        ("-=5", {0: 0, 6: 0, 18: 1}),  # never below zero
        ("/=3", {0: 0, 6: 1, 18: 2}),
    ],
)
def test_headcount_plan(sc, text, expected):
    assert role(sc, "ml_engineer").headcount == {0: 1, 6: 3, 18: 6}
    assert role(sc.override([f"team.roles.ml_engineer.headcount{text}"]), "ml_engineer").headcount == expected


def test_headcount_number(sc):
    assert role(sc.override(["team.roles.founders.headcount*=2"]), "founders").headcount == 6
    assert role(sc.override(["team.roles.founders.headcount={0: 2, 12: 4}"]), "founders").headcount == {0: 2, 12: 4}


# ----------------------------------------------------------------- list items, paths


def test_list_items_by_name_and_by_index(sc):
    by_name = sc.override(["market.segments.midmarket.launch_month=12"])
    by_index = sc.override(["market.segments.1.launch_month=12"])
    by_bracket = sc.override(["market.segments[1].launch_month=12"])
    assert seg(by_name, "midmarket").launch_month == 12
    assert by_name == by_index == by_bracket
    assert seg(by_name, "developers").launch_month == 0
    rounds = sc.override(["funding.rounds.0.max_attempts=3", "funding.rounds.series_a.max_attempts=4"]).funding.rounds
    assert [r.max_attempts for r in rounds] == [3, 4]


@pytest.mark.parametrize(
    "text, message",
    [
        ("market.segments.developers.prise=5", "no field 'prise' in market.segments.developers; did you mean 'price'?"),
        (
            "market.segments.developrs.price=5",
            "no item named 'developrs' in market.segments; did you mean 'developers'?",
        ),
        ("compnay.initial_cash=5", "no field 'compnay' in the scenario; did you mean 'company'?"),
        ("market.segments.7.price=5", "no item named '7' in market.segments"),
        ("company.initial_cash.x=5", "is a value, not a section"),
    ],
)
def test_unknown_path(sc, text, message):
    with pytest.raises(vs.ScenarioError) as info:
        sc.override([text])
    assert message in str(info.value)
    assert str(info.value).startswith(text)


def test_invalid_result_names_the_path(sc):
    with pytest.raises(vs.ScenarioError) as info:
        sc.override(["market.segments.developers.churn=1.5"])
    text = str(info.value)
    assert "market.segments.developers.churn=1.5" in text  # the override
    assert "market.segments[0].churn" in text  # the field
    assert "must be >= 0 and <= 1" in text and "1.5" in text


def test_operator_needs_a_number(sc):
    with pytest.raises(vs.ScenarioError, match=r"\*= needs a number"):
        sc.override(["company.initial_cash*=abc"])
    with pytest.raises(vs.ScenarioError, match=r"\*= needs a number here"):
        sc.override(["market.segments.developers.name*=2"])
    with pytest.raises(vs.ScenarioError, match="expected PATH=VALUE"):
        sc.override(["company.initial_cash"])


def test_division_by_zero_is_a_clean_error(sc):
    # It used to raise ZeroDivisionError (a traceback on the command line).
    for changes in (["company.initial_cash/=0"], ["x/=0"], {"company.initial_cash/=": 0}):
        with pytest.raises(ScenarioError, match="divides by zero"):
            sc.override(changes)


@pytest.mark.parametrize(
    "text, found",
    [
        ("company.initial_cash=nan", "expected a finite number, found 'nan'"),
        ("company.initial_cash=.nan", "expected a finite number, found nan"),
        ("company.initial_cash=.inf", "expected a finite number, found inf"),
        ("company.initial_cash*=1e400", "expected a finite number"),
        ("team.roles.0.headcount*=1e400", "expected a finite number"),
        ("company.initial_cash*=1e300", "1e+18 (the engine computes in float32), found 1.5e+306"),
        ("company.initial_cash=1e39", "found 1e+39"),
        ('company.initial_cash="1e39"', "found 1e+39"),
    ],
)
def test_non_finite_and_float32_overflow_are_refused(sc, text, found):
    with pytest.raises(ScenarioError, match=r"company\.initial_cash|team\.roles") as info:
        sc.override([text])
    assert found in str(info.value)


def test_override_headcount_overflow_is_clean(sc):
    with pytest.raises(ScenarioError, match=r"gives inf, not a finite number"):
        sc.override(["team.roles.0.headcount*=1e300", "team.roles.0.headcount*=1e300"])


def test_override_parser_is_linear():
    import time

    from venturesim.scenario.overrides import MAX_OVERRIDE_CHARS

    started = time.perf_counter()
    assert parse_override("a" + " " * (MAX_OVERRIDE_CHARS - 3) + "=1").path == ("a",)
    for text in (
        " " * (MAX_OVERRIDE_CHARS - 1) + "x",
        "a" + " " * (MAX_OVERRIDE_CHARS - 3) + "=",
        "a=1" + " " * 120_000 + "x",
        "x" * 120_000,
    ):
        with pytest.raises(ScenarioError) as info:
            parse_override(text)
        assert len(str(info.value)) < 300  # the text is not echoed in full
    assert time.perf_counter() - started < 0.5  # 145 s with the backtracking regex


# ------------------------------------------------------------------ dict form, parsing


def test_dict_form(sc):
    out = sc.override(
        {
            "funding.rounds.seed.amount*=": 0.5,
            "company.initial_cash": 2_000_000,
            "market.segments.midmarket.price+=": 10,
        }
    )
    seed = out.funding.rounds[0]
    assert (seed.amount.scale, seed.amount.p5, seed.amount.p95) == (0.5, 2_500_000.0, 5_000_000.0)
    assert out.company.initial_cash == 2_000_000.0
    assert seg(out, "midmarket").price.shift == 10.0
    assert out == sc.override(
        ["funding.rounds.seed.amount*=0.5", "company.initial_cash=2000000", "market.segments.midmarket.price+=10"]
    )
    with pytest.raises(ScenarioError, match="needs a number"):  # a clean error, as for the CLI form
        sc.override({"company.initial_cash*=": "x"})


@pytest.mark.parametrize(
    "raw, value, kind",
    [
        ("1e6", 1_000_000.0, float),
        ("2_000_000", 2_000_000, int),
        ("-3", -3, int),
        ("2.5", 2.5, float),
        ("1.5e-3", 0.0015, float),
        ("+.5", 0.5, float),
    ],
)
def test_parse_numbers(raw, value, kind):
    override = parse_override(f"company.initial_cash*={raw}")
    assert override.op == "*=" and override.path == ("company", "initial_cash")
    assert override.value == value and type(override.value) is kind


def test_parse_values_and_paths():
    o = parse_override("  market.segments[0].price = {p5: 1, p95: 3}  ")
    assert o.path == ("market", "segments", "0", "price") and o.op == "="
    assert o.value == {"p5": 1, "p95": 3}
    assert parse_override("a.b-=4").op == "-=" and parse_override("a.b/=4").op == "/="
    assert parse_override("simulation.seed=true").value is True


def test_override_1e6_through_scenario(sc):
    out = sc.override(["company.initial_cash=1e6", "company.other_monthly_costs=2_000"])
    assert out.company.initial_cash == 1e6 and out.company.other_monthly_costs == 2000.0
