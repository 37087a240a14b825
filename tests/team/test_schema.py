"""The team schema: every existing scenario means what it meant; new fields validate with clear errors."""

from pathlib import Path

import jax
import numpy as np
import pytest
from pydantic import ValidationError

import venturesim as vs
from venturesim.spec.distributions import Range90
from venturesim.team.payroll import plan_payroll
from venturesim.team.schema import Role, Team

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml"))


def test_existing_scenarios_are_static_and_the_kernel_pays_the_plan(make_params, run):
    # Every role of today's scenarios has only monthly_cost and headcount: static (no pipeline, no
    # attrition), so the kernel's headcount and payroll are the plan's, bit for bit. (All the roles
    # of all the scenarios in one team: one compilation.)
    roles = []
    for path in SCENARIOS:
        sc = vs.load(path)
        assert sc.team.roles and not any(role.is_dynamic for role in sc.team.roles), path.stem
        roles += [role.model_copy(update={"name": f"{path.stem}-{role.name}"}) for role in sc.team.roles]
    params = make_params(Team(roles=roles), paths=8, months=60)
    assert params.vesting.shape[1] == params.offsets.shape[1] == 1 and params.slots.shape[1] == 0
    _, month = run(jax.random.key(0), params, 60)
    planned = np.sum(params.plan, axis=1)  # (paths, months) people, whole numbers
    payroll = plan_payroll(params)  # USD per month
    np.testing.assert_array_equal(np.asarray(month.headcount).T, planned)
    np.testing.assert_allclose(np.asarray(month.payroll).T, payroll, rtol=1e-6)  # float32 sum over roles
    np.testing.assert_allclose(np.asarray(month.cost).T, payroll, rtol=1e-6)
    assert np.asarray(month.hires).sum() == np.maximum(np.diff(planned, axis=1), 0).sum()
    assert np.asarray(month.separations).sum() == np.maximum(-np.diff(planned, axis=1), 0).sum()


def test_a_kind_fills_the_catalogue_figures_and_the_round_trip_keeps_them():
    team = Team.model_validate(
        {
            "location": "uk",
            "roles": [
                {"name": "ml", "kind": "ml_engineer", "headcount": 2, "attrition_annual": 0.2},
                {"name": "ops", "monthly_cost": 9_000, "headcount": 1},
            ],
        }
    )
    ml = team.roles[0]
    assert ml.is_dynamic and not team.roles[1].is_dynamic
    assert ml.attrition_annual == 0.2  # the scenario's value wins
    assert ml.time_to_fill_months == pytest.approx(58 / (365.25 / 12), abs=0.01)  # Workable 2017, ≈58 days
    assert ml.function == "engineering" and ml.location == "uk"
    assert isinstance(ml.salary_annual, Range90) and ml.salary_annual.scale == pytest.approx(0.65)  # UK factor
    again = Team.model_validate(team.model_dump())
    assert again == team  # the UK factor is not applied twice


def test_dynamics_false_keeps_a_kind_static():
    role = Role.model_validate({"name": "ae", "kind": "sales_ae", "dynamics": False, "headcount": 1})
    assert not role.is_dynamic and role.time_to_fill_months is None
    assert role.pipeline_value("attrition_annual") == 0.0 and role.pipeline_value("offer_acceptance") == 1.0
    assert role.salary_annual is not None and role.equity_grant is not None


def test_an_override_reaches_a_catalogue_figure():
    sc = vs.load(
        {
            "name": "o",
            "company": {"initial_cash": 1e6},
            "market": {"segments": [{"name": "s", "market_size": 100, "price": 10}]},
            "team": {"roles": [{"name": "ml", "kind": "ml_engineer", "headcount": 1}]},
        }
    )
    changed = sc.override(["team.roles.ml.attrition_annual=0.25", "team.roles.ml.salary_annual*=1.2"])
    assert changed.team.roles[0].attrition_annual == 0.25
    assert changed.team.roles[0].salary_annual.scale == pytest.approx(1.2)


@pytest.mark.parametrize(
    ("team", "message"),
    [
        ({"roles": [{"name": "a", "headcount": 1}]}, "needs monthly_cost, salary_annual or a kind"),
        ({"roles": [{"name": "a", "kind": "ml_enginer"}]}, "did you mean 'ml_engineer'"),
        ({"roles": [{"name": "a", "monthly_cost": 1, "dynamics": False, "ramp_months": 2}]}, "dynamics is false"),
        ({"roles": [{"name": "a", "monthly_cost": 1}], "layoffs": {"roles": {"b": 0.5}}}, "do not exist: b"),
        (
            {"roles": [{"name": "a", "monthly_cost": 1}], "cliff_months": 13, "vesting_months": 12},
            r"cliff_months\(=13\) must be <= vesting_months\(=12\)",
        ),
        ({"roles": [{"name": "a", "monthly_cost": 1, "hire_per": {}}]}, "give customers or new_arr"),
        ({"roles": [{"name": "a", "kind": "designer", "location": "mars"}]}, "unknown location 'mars'"),
        ({"roles": [{"name": "a", "monthly_cost": 1, "attrition_annual": 1.0}]}, "must be >= 0 and < 1"),
        ({"roles": [{"name": "a", "monthly_cost": 1, "offer_acceptance": 0}]}, "must be > 0 and <= 1"),
        ({"roles": [{"name": "a", "monthly_cost": 1, "headcount": {2: -1}}]}, "negative entries"),
    ],
)
def test_invalid_teams_are_refused_with_the_reason(team, message):
    with pytest.raises(ValidationError, match=message):
        Team.model_validate(team)


def test_uncertain_team_inputs_are_named_for_overrides_and_correlations(make_params):
    team = {
        "hiring_freeze_runway_months": {"p5": 3, "p95": 6},
        "roles": [
            {
                "name": "ml",
                "salary_annual": {"p5": 150_000, "p95": 250_000},
                "headcount": 1,
                "attrition_annual": {"dist": "beta", "a": 2, "b": 12},
            }
        ],
    }
    from venturesim.spec.sampling import Sampler
    from venturesim.team.params import sample_team

    sampler = Sampler(jax.random.key(0), np.arange(2000))
    params = sample_team(Team.model_validate(team), sampler, 3)
    assert set(sampler.draws) == {
        "team.hiring_freeze_runway_months",
        "team.roles.ml.salary_annual",
        "team.roles.ml.attrition_annual",
    }
    # median salary √(150k · 250k) = 193,649 → loaded monthly cost 193,649/12 · 1.30 = 20,979
    assert np.median(params.monthly_cost[:, 0, 0]) == pytest.approx(20_979, rel=0.02)
    # attrition ~ Beta(2, 12): mean 1/7; λ = −ln(1 − a)/12
    np.testing.assert_allclose(
        params.attrition_rate[:, 0], -np.log1p(-sampler.draws["team.roles.ml.attrition_annual"]) / 12
    )
