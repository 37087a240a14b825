"""Adoption and churn through the engine kernel (step_market): Bass closed form and peak, (1 − c)^t, sBG.

Each statistical check compares a mean over 2,000 paths with its closed form
within 4 standard errors (SE = sample sd/√paths) at a fixed seed. All runs
share two kernel shapes (1 segment, 36 months; with and without tracked
ages), so the file compiles twice.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from market.kernel_runner import market_scenario, run_kernel, segment, z_scores
from scipy.special import gammaln

from venturesim.market.bass import cumulative_fraction

PATHS = 2000
MONTHS = 36
M = 5000
N0 = 3000
AGES = 40  # tracked ages: > 36, so no cohort reaches the shared last age within the horizon

# p = 0.18/yr, q = 0.6/yr, viral k = 0.02/month, partners × 1.5:
# p' = 0.18/12 × 1.5 = 0.0225/month, q' = 0.6/12 + 0.02 = 0.07/month.
P_EFF, Q_EFF = 0.18 / 12 * 1.5, 0.6 / 12 + 0.02


@pytest.fixture(scope="module")
def bass_run():
    spec = market_scenario(
        [segment(market_size=M, bass_p_annual=0.18, bass_q_annual=0.6, viral_coefficient=0.02, partner_multiplier=1.5)]
    )
    return run_kernel(spec, PATHS, MONTHS, seed=3)


def test_adopters_follow_the_bass_closed_form_with_viral_and_partner_terms(bass_run):
    _, flows, customers = bass_run
    cumulative = np.cumsum(flows.new_customers[..., 0], axis=1)
    np.testing.assert_array_equal(customers[..., 0], cumulative)  # no churn: customers = adopters
    expected = M * cumulative_fraction(np.arange(1, MONTHS + 1), P_EFF, Q_EFF)
    z = z_scores(cumulative, expected)
    assert np.all(np.abs(z) < 4), np.round(z, 2)
    # without the viral and partner terms the curve would be far off: F(36) = 0.684 against 0.868
    assert cumulative_fraction(36, 0.015, 0.05) == pytest.approx(0.6840, abs=1e-4)
    assert cumulative_fraction(36, P_EFF, Q_EFF) == pytest.approx(0.8676, abs=1e-4)


def test_peak_adoption_month_is_ln_q_over_p_over_p_plus_q(bass_run):
    """t* = ln(q'/p')/(p' + q') = ln(0.07/0.0225)/0.0925 = 12.27 months.

    Month t's expected adopters m(F(t+1) − F(t)) ≈ m F'(t + ½), so a parabola
    through the simulated monthly means around their maximum peaks at t* − ½;
    the same fit on the closed-form increments lands within 0.05 of it.
    """
    t_star = math.log(Q_EFF / P_EFF) / (P_EFF + Q_EFF)
    assert t_star == pytest.approx(12.27, abs=0.01)

    def vertex(series):
        top = int(np.argmax(series))
        window = np.arange(top - 4, top + 5)
        a, b, _ = np.polyfit(window, series[window], 2)
        return -b / (2 * a) + 0.5

    exact = M * np.diff(cumulative_fraction(np.arange(MONTHS + 1), P_EFF, Q_EFF))
    assert vertex(exact) == pytest.approx(t_star, abs=0.05)
    _, flows, _ = bass_run
    assert vertex(flows.new_customers[..., 0].mean(axis=0)) == pytest.approx(t_star, abs=0.3)


def churn_segment(**fields) -> dict:
    # market_size = initial customers: nobody is left to adopt, only churn moves the count
    return segment(market_size=N0, initial_customers=N0, **fields)


@pytest.mark.parametrize("tracked", [False, True], ids=["totals", "by-age"])
def test_constant_churn_leaves_one_minus_c_to_the_t(tracked):
    # expansion_monthly ≠ 0 makes the kernel track ages: churn is then drawn per age cohort
    extra, ages = ({"expansion_monthly": 0.01}, {"cohort_max_age_months": AGES}) if tracked else ({}, {})
    _, flows, customers = run_kernel(
        market_scenario([churn_segment(churn=0.04, **extra)], **ages), PATHS, MONTHS, seed=5
    )
    expected = N0 * 0.96 ** np.arange(1, MONTHS + 1)
    z = z_scores(customers[..., 0], expected)
    assert np.all(np.abs(z) < 4), np.round(z, 2)
    # binomial spread: Var = N0 S (1 − S) at month 12 (S = 0.96^12 = 0.6127)
    s = 0.96**12
    assert customers[:, 11, 0].var(ddof=1) == pytest.approx(N0 * s * (1 - s), rel=0.1)
    np.testing.assert_array_equal(customers[..., 0], N0 - np.cumsum(flows.churned_customers[..., 0], axis=1))


def test_sbg_cohort_follows_its_closed_form_through_the_kernel():
    """Churn m = 0.15 for a new customer, κ = 1.5: α = 0.225, β = 1.275 (Fader & Hardie 2007).

    After month t (0-based) the cohort has lived t + 1 periods: E = N0 · B(α, β + t + 1)/B(α, β).
    """
    spec = market_scenario([churn_segment(churn=0.15, churn_concentration=1.5)], cohort_max_age_months=AGES)
    _, _, customers = run_kernel(spec, PATHS, MONTHS, seed=7)
    alpha, beta = 0.225, 1.275
    t = np.arange(1, MONTHS + 1)
    survival = np.exp(gammaln(beta + t) - gammaln(beta) + gammaln(alpha + beta) - gammaln(alpha + beta + t))
    z = z_scores(customers[..., 0], N0 * survival)
    assert np.all(np.abs(z) < 4), np.round(z, 2)
    # retention rises with tenure: month-12 retention (β+11)/(α+β+11) = 0.9820 against 0.85 in month 1
    assert survival[11] / survival[10] == pytest.approx((beta + 11) / (alpha + beta + 11), rel=1e-12)
    assert (beta + 11) / (alpha + beta + 11) == pytest.approx(0.9820, abs=1e-4)
    assert customers[:, 0, 0].mean() / N0 == pytest.approx(0.85, abs=4 * math.sqrt(0.85 * 0.15 / N0 / PATHS))
    # a constant 15 % churn would keep 0.85^36 = 0.3 % after 36 months; sBG keeps 43.6 %
    assert survival[-1] == pytest.approx(0.4365, abs=1e-4)


def test_competitor_cut_raises_churn_by_the_relative_price():
    """Cut x = 0.3, pass-through π = 0.5: our price/theirs = 0.85/0.7 = 1.2143; ε_p = 2 ⇒ churn × 1.4745."""
    spec = market_scenario(
        [
            churn_segment(
                churn=0.02,
                churn_price_elasticity=2.0,
                pricing={"competitor_price_cut": 0.3, "price_cut_pass_through": 0.5},
            )
        ]
    )
    _, flows, customers = run_kernel(spec, PATHS, MONTHS, seed=11)
    rate = 0.02 * (0.85 / 0.7) ** 2  # 0.029490
    assert rate == pytest.approx(0.029490, abs=1e-6)
    z = z_scores(flows.churned_customers[:, 0, 0], N0 * rate)
    assert abs(z) < 4, z
    z = z_scores(customers[..., 0], N0 * (1 - rate) ** np.arange(1, MONTHS + 1))
    assert np.all(np.abs(z) < 4), np.round(z, 2)
