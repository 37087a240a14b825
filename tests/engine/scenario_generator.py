"""Random valid scenarios that exercise the whole model, for the invariant tests.

:func:`whole_model` is one fixed *shape* — the same segments, channels, roles,
rounds, loans, grant, partners, risks and training run in every scenario,
each field always given in the same form (a number, a distribution or a
schedule) — whose numbers are drawn from a NumPy generator. Numbers are
array leaves of the engines' Params, so every scenario of the shape runs
through one compiled JAX kernel (a new shape costs a 20–40 s compile). What
must stay fixed because it sizes an array: the length of every list,
``max_cycle_months``, ``ramp_months``, ``vesting_months``, ``max_events``, the
partners' ``max_attempts``, and whether a time-varying input is a plain
number (a month axis of length 1) or not.

Two levels of randomness: the generator picks the fields that are plain
numbers in the schema (months, counts, loan terms, ownership) and the ranges
of the others, which are given as uniform distributions, so each path of a
run draws its own point: one run of 4,096 paths (the JAX engine's block)
covers thousands of combinations.

The scenario holds, at once: a self-serve segment (sBG churn, expansion,
seats, an annual plan, tokens served, support cost) and a sales-led segment
(deal cycles, opened on an ARR rule once the seed has closed, with an entry cost), a channel on each
(funnel, awareness); a product with a training run and serving cost; a team
with a hiring pipeline, attrition, recruiting costs, equity grants, raises,
hire-per rules, a hiring freeze, layoffs with severance (a role's cut floor below its starting team) and every capacity
effect (engineering, sales, support); three partners (revenue share and exit
churn, compute credits, joint R&D); four risks (one-off costs, funding odds,
churn, attrition and productivity, other costs, Bass p, price) with a
mitigation bought; a post-money SAFE, a priced seed with an insiders' bridge,
a pool top-up and a traction rule, a Series A with a milestone, participation
and seniority; a loan drawn with the seed (warrants) and one drawn at a
month (interest-only then amortised, sometimes a minimum-cash covenant); a
grant; and every exit (IPO, acquisition, acqui-hire, shutdown).
"""

from __future__ import annotations

import numpy as np


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _log(rng: np.random.Generator, lo: float, hi: float) -> float:
    """Log-uniform on [lo, hi]."""
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _int(rng: np.random.Generator, lo: int, hi: int) -> int:
    """An integer in [lo, hi]."""
    return int(rng.integers(lo, hi + 1))


def _range(rng: np.random.Generator, lo: float, hi: float, log: bool = False) -> dict:
    """A uniform distribution on a random part of [lo, hi] (at least a tenth of it; on a log scale if ``log``)."""
    f = np.log if log else (lambda x: x)
    g = np.exp if log else (lambda x: x)
    a, b = sorted(rng.uniform(f(lo), f(hi), 2))
    b = max(b, min(a + 0.1 * (f(hi) - f(lo)), f(hi)))
    a = min(a, b - 0.1 * (f(hi) - f(lo)))
    return {"dist": "uniform", "low": float(g(a)), "high": float(g(b))}


def whole_model(rng: np.random.Generator, months: int) -> dict:
    """A scenario with every feature of the model (see the module docstring)."""
    r = rng
    term_loan = {
        "name": "term",
        "amount": _range(r, 5e4, 1.5e6, log=True),
        "draw_month": _int(r, 0, 10),
        "interest_annual": _range(r, 0.0, 0.25),
        "interest_only_months": _int(r, 0, 9),
        "amortization_months": _int(r, 2, 30),
        "warrant_coverage": _u(r, 0.0, 0.15),
    }
    if r.random() < 0.5:  # a covenant the lender may call
        term_loan["min_cash"] = _log(r, 1e4, 3e5)
    return {
        "name": "whole model",
        "simulation": {"months": months},
        "company": {
            "initial_cash": _range(r, 1e5, 4e6, log=True),
            "founder_ownership": _u(r, 0.4, 0.85),
            "option_pool": _u(r, 0.0, 0.15),
            "other_monthly_costs": {"schedule": {0: _range(r, 5e3, 5e4, log=True), 12: _range(r, 5e3, 8e4, log=True)}},
        },
        "market": {
            "cost_of_revenue": _range(r, 0.0, 0.6),
            "segments": [
                {
                    "name": "teams",
                    "market_size": _range(r, 500, 40_000, log=True),
                    "bass_p_annual": _range(r, 0.01, 0.5),
                    "bass_q_annual": _range(r, 0.0, 1.5),
                    "viral_coefficient": _range(r, 0.0, 0.05),
                    "price": _range(r, 10.0, 500.0, log=True),
                    "churn": _range(r, 0.005, 0.12),
                    "churn_concentration": _range(r, 1.0, 20.0),
                    "expansion_monthly": _range(r, -0.03, 0.05),
                    "expansion_max_multiple": _range(r, 1.0, 3.0),
                    "initial_customers": _int(r, 0, 200),
                    "tokens_per_customer_month": _range(r, 1e4, 1e7, log=True),
                    "support_cost_per_customer": _range(r, 0.0, 30.0),
                    "pricing": {
                        "seats_per_customer": _range(r, 0.0, 8.0),
                        "price_per_seat": _u(r, 0.0, 40.0),
                        "annual_plan_share": _range(r, 0.0, 0.8),
                        "annual_discount": _range(r, 0.0, 0.3),
                    },
                },
                {
                    "name": "enterprise",
                    "market_size": _range(r, 30, 2_000, log=True),
                    "bass_p_annual": _range(r, 0.05, 0.8),
                    "bass_q_annual": _range(r, 0.0, 0.6),
                    "price": {"schedule": {0: _range(r, 500.0, 2e4, log=True), 12: _range(r, 500.0, 2e4, log=True)}},
                    "churn": _range(r, 0.0, 0.04),
                    "launch_month": _int(r, 0, 12),
                    "open_when_arr_at_least": _range(r, 0.0, 1e6),
                    "open_after_round": "seed",
                    "entry_cost": _range(r, 0.0, 3e5),
                    "support_cost_per_customer": _range(r, 0.0, 800.0),
                    "sales": {
                        "cycle_months": _range(r, 0.3, 8.0),
                        "cycle_cv": _range(r, 0.2, 1.5),
                        "win_rate": _range(r, 0.05, 0.95),
                        "max_cycle_months": 12,
                    },
                },
            ],
            "channels": [
                {
                    "name": "ads",
                    "kind": "paid",
                    "segment": "teams",
                    "budget": {"schedule": {0: _range(r, 0.0, 3e4), 12: _range(r, 0.0, 5e4)}},
                    "funnel": {
                        "cost_per_lead": _range(r, 5.0, 200.0, log=True),
                        "max_leads": _range(r, 20.0, 3_000.0, log=True),
                        "lead_to_trial": _range(r, 0.05, 0.6),
                        "trial_to_paid": _range(r, 0.05, 0.5),
                    },
                    "awareness": {"lift_max": _range(r, 0.0, 1.0), "half_saturation": _range(r, 1e3, 1e5, log=True)},
                },
                {
                    "name": "outbound",
                    "kind": "outbound",
                    "segment": "enterprise",
                    "budget": {"schedule": {0: _range(r, 0.0, 4e4), 12: _range(r, 0.0, 6e4)}},
                    "funnel": {
                        "cost_per_lead": _range(r, 100.0, 2_000.0, log=True),
                        "max_leads": _range(r, 2.0, 100.0, log=True),
                        "lead_to_trial": _range(r, 0.1, 0.6),
                        "trial_to_paid": _range(r, 0.1, 0.6),
                    },
                },
            ],
        },
        "team": {
            "roles": [
                {
                    "name": "founders",
                    "monthly_cost": _range(r, 3e3, 2e4),
                    "headcount": 2,
                    "pay_cut_in_distress": 0.5,  # half their pay forgone while the cut is due
                },
                {
                    "name": "eng",
                    "function": "engineering",
                    "monthly_cost": _range(r, 8e3, 2.5e4),
                    "headcount": {0: _int(r, 0, 3), 6: _int(r, 1, 6), 18: _int(r, 2, 10)},
                    "cut_floor": 0,  # the starting engineers can be cut too (the founders keep theirs)
                    "time_to_fill_months": _range(r, 0.2, 4.0),
                    "time_to_fill_shape": _u(r, 1.0, 4.0),
                    "offer_acceptance": _range(r, 0.3, 1.0),
                    "ramp_months": 2,
                    "attrition_annual": _range(r, 0.0, 0.5),
                    "recruiting_cost": _range(r, 0.0, 3e4),
                    "equity_grant": _range(r, 0.0, 0.01),
                    "raise_annual": _range(r, 0.0, 0.1),
                },
                {
                    "name": "ae",
                    "function": "sales",
                    "monthly_cost": _range(r, 8e3, 2.5e4),
                    "headcount": {0: _int(r, 0, 1), 9: _int(r, 0, 3)},
                    "hire_per": {"new_arr": _log(r, 1e5, 2e6)},
                    "max_headcount": _int(r, 1, 6),
                },
                {
                    "name": "cs",
                    "function": "support",
                    "monthly_cost": _range(r, 5e3, 1.5e4),
                    "headcount": 1,
                    "hire_per": {"customers": _log(r, 50.0, 1_000.0)},
                    "max_headcount": _int(r, 1, 8),
                },
            ],
            "hiring_freeze_runway_months": _range(r, 0.0, 6.0),
            "vesting_months": 24,
            "cliff_months": 6,
            "layoffs": {
                "trigger_runway_months": _range(r, 2.0, 9.0),
                "roles": {"eng": _u(r, 0.1, 0.6), "ae": _u(r, 0.0, 0.5)},
                "severance_months": _range(r, 0.0, 3.0),
                "cooldown_months": _int(r, 1, 8),
                "while_raising": bool(r.random() < 0.5),
            },
            "capacity_effects": {
                "engineering": {
                    "max_gain_nats": _range(r, 0.01, 0.2),
                    "nats_per_fte_month": _range(r, 1e-4, 1e-2, log=True),
                },
                "sales": {"deals_per_fte_month": _range(r, 0.2, 3.0)},
                "support": {
                    "customers_per_fte": _range(r, 20.0, 500.0, log=True),
                    "churn_elasticity": _range(r, 0.0, 1.5),
                    "max_churn_multiplier": _u(r, 1.0, 4.0),
                },
            },
        },
        "compute": {"monthly_spend": {"start": _range(r, 0.0, 3e4), "growth": _range(r, -0.05, 0.0)}},
        "product": {
            "frontier_loss": _u(r, 1.8, 2.0),
            "initial_loss": _range(r, 1.85, 2.2),
            "initial_parameters": _range(r, 1e8, 1e10, log=True),
            "training_runs": [
                {
                    "name": "v1",
                    "month": _u(r, 0.0, 12.0),
                    "parameters": _range(r, 1e8, 3e9, log=True),
                    "tokens": _range(r, 1e9, 6e10, log=True),
                    "accelerators": 8,
                    "failure_probability": _range(r, 0.0, 0.5),
                    "release_delay_months": _range(r, 0.0, 2.0),
                }
            ],
        },
        "partnerships": {
            "partners": [
                {
                    "name": "reseller",
                    "type": "channel",
                    "segment": "teams",
                    "start_month": _u(r, 0.0, 6.0),
                    "search_months": _range(r, 0.0, 3.0),
                    "negotiation_months": _range(r, 0.0, 3.0),
                    "signing_probability": _range(r, 0.3, 1.0),
                    "contract_months": _int(r, 3, 18),
                    "termination_annual": _range(r, 0.0, 0.5),
                    "adoption_multiplier": _range(r, 1.0, 3.0),
                    "revenue_share": _range(r, 0.0, 0.4),
                    "churn_on_exit": _range(r, 0.0, 0.4),
                    "monthly_cost": _range(r, 0.0, 5e3),
                    "signing_cost": _range(r, 0.0, 3e4),
                },
                {
                    "name": "cloud",
                    "type": "cloud_credits",
                    "start_month": _u(r, 0.0, 6.0),
                    "signing_probability": _range(r, 0.3, 1.0),
                    "compute_credits": _range(r, 1e4, 5e5, log=True),
                },
                {
                    "name": "lab",
                    "type": "joint_rnd",
                    "start_month": _u(r, 0.0, 12.0),
                    "signing_probability": _range(r, 0.3, 1.0),
                    "loss_reduction": _range(r, 0.0, 0.05),
                    "monthly_cost": _range(r, 1e3, 3e4),
                },
            ]
        },
        "risks": {
            "custom": [
                {
                    "name": "lawsuit",
                    "category": "legal",
                    "annual_probability": _range(r, 0.05, 0.9),
                    "max_events": 2,
                    "severity": {"dist": "uniform", "low": 0.3, "high": 3.0},
                    "impacts": [
                        {"target": "company.one_off_cost", "mode": "add", "value": _range(r, 1e4, 3e5)},
                        {
                            "target": "funding.success_probability",
                            "mode": "multiply",
                            "value": _u(r, 0.2, 1.0),
                            "duration_months": 6,
                        },
                    ],
                    "mitigations": [
                        {
                            "name": "insurance",
                            "cost_per_month": _range(r, 100.0, 5e3),
                            "hazard_multiplier": _u(r, 0.3, 1.0),
                            "start_month": _int(r, 0, 6),
                        }
                    ],
                },
                {
                    "name": "outage",
                    "category": "technical",
                    "hazard_monthly": _range(r, 0.0, 0.3),
                    "max_events": 3,
                    "impacts": [
                        {
                            "target": "market.churn",
                            "mode": "multiply",
                            "value": _range(r, 1.0, 3.0),
                            "duration_months": 2,
                        }
                    ],
                },
                {
                    "name": "key_person",
                    "category": "team",
                    "annual_probability": _range(r, 0.05, 0.8),
                    "max_events": 2,
                    "impacts": [
                        {
                            "target": "team.attrition",
                            "mode": "multiply",
                            "value": _range(r, 1.0, 3.0),
                            "duration_months": 6,
                        },
                        {
                            "target": "team.productivity",
                            "mode": "multiply",
                            "value": _range(r, 0.5, 1.0),
                            "duration_months": 6,
                        },
                        {
                            "target": "company.other_costs",
                            "mode": "multiply",
                            "value": _range(r, 1.0, 2.0),
                            "duration_months": 3,
                        },
                    ],
                },
                {
                    "name": "slump",
                    "category": "market",
                    "annual_probability": _range(r, 0.05, 0.8),
                    "max_events": 1,
                    "impacts": [
                        {
                            "target": "market.p",
                            "mode": "multiply",
                            "value": _range(r, 0.2, 1.0),
                            "duration_months": 12,
                            "segment": "teams",
                        },
                        {"target": "market.price", "mode": "multiply", "value": _range(r, 0.6, 1.0)},
                    ],
                },
            ]
        },
        "funding": {
            "rounds": [
                {
                    "name": "pre_seed",
                    "instrument": "safe",
                    "trigger_runway_months": _range(r, 3.0, 15.0),
                    "success_probability": _range(r, 0.1, 1.0),
                    "valuation_cap": _range(r, 3e6, 2e7, log=True),
                    "discount": _u(r, 0.0, 0.3),
                    "amount": _range(r, 2e5, 2e6, log=True),
                    "time_to_close_months": _range(r, 0.0, 4.0),
                    "max_attempts": _int(r, 1, 3),
                    "retry_delay_months": _range(r, 0.0, 3.0),
                },
                {
                    "name": "seed",
                    "trigger_runway_months": _range(r, 3.0, 15.0),
                    "earliest_month": _int(r, 0, 12),
                    "success_probability": _range(r, 0.1, 0.9),
                    "pre_money": _range(r, 4e6, 2e7, log=True),
                    "amount": _range(r, 5e5, 5e6, log=True),
                    "time_to_close_months": _range(r, 0.5, 4.0),
                    "max_attempts": _int(r, 1, 3),
                    "retry_delay_months": _range(r, 0.5, 4.0),
                    "down_round_factor": _u(r, 0.5, 1.0),
                    "option_pool_post": _u(r, 0.0, 0.2),
                    "traction": {
                        "reference_arr": _log(r, 1e5, 2e6),
                        "success_elasticity": _u(r, 0.0, 1.0),
                        "valuation_elasticity": _u(r, 0.0, 1.0),
                    },
                    "bridge": {
                        "amount": _range(r, 1e5, 1e6, log=True),
                        "probability": _range(r, 0.2, 1.0),
                        "valuation_cap_factor": _u(r, 0.5, 1.5),
                        "discount": _u(r, 0.0, 0.3),
                    },
                },
                {
                    "name": "series_a",
                    "trigger_runway_months": _range(r, 3.0, 12.0),
                    "earliest_month": _int(r, 6, 24),
                    "start_when_arr_at_least": _log(r, 2e5, 5e6),
                    "success_probability": _range(r, 0.1, 0.9),
                    "pre_money": _range(r, 2e7, 1e8, log=True),
                    "amount": _range(r, 2e6, 2e7, log=True),
                    "time_to_close_months": _range(r, 0.5, 5.0),
                    "max_attempts": _int(r, 1, 2),
                    "liquidation_preference": _u(r, 1.0, 2.0),
                    "participation": ["none", "full", "capped"][_int(r, 0, 2)],
                    "seniority": 1,
                },
            ],
            "venture_debt": [
                {
                    "name": "with_seed",
                    "amount": _range(r, 1e5, 2e6, log=True),
                    "with_round": "seed",
                    "interest_annual": _range(r, 0.05, 0.2),
                    "interest_only_months": _int(r, 0, 12),
                    "amortization_months": _int(r, 6, 36),
                    "warrant_coverage": _u(r, 0.0, 0.2),
                },
                term_loan,
            ],
            "grants": [
                {
                    "name": "sbir",
                    "amount": _range(r, 5e4, 5e5),
                    "month": _int(r, 0, 20),
                    "probability": _range(r, 0.2, 1.0),
                }
            ],
            "exits": {
                "acquisition": {
                    "hazard_annual": _range(r, 0.0, 0.3),
                    "reference_arr": _log(r, 1e6, 2e7),
                    "arr_multiple": _range(r, 2.0, 12.0),
                },
                "ipo": {"arr_threshold": _log(r, 1e6, 2e7), "arr_multiple": _range(r, 5.0, 20.0)},
                "shutdown": {
                    "acquihire_probability": _range(r, 0.0, 0.6),
                    "acquihire_value_per_head": _range(r, 0.0, 3e5),
                    "asset_sale": _range(r, 0.0, 1e6),
                },
            },
        },
    }
