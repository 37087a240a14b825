"""Payroll: what the team costs in a month, USD (both engines use these formulas).

For month t, with N_k people of role k on payroll at the month end, c_k(t)
the loaded cost per person (salary/12 · (1 + on-cost) · (1 + raise)^{n(t)},
or the scenario's ``monthly_cost``), L_k people laid off with s months of
severance, and H_k hires landing at a recruiting cost r_k each:

* payroll   = Σ_k N_k · c_k(t)          (salaries and on-cost)
* severance = Σ_k L_k · s · c_k(t)
* recruiting = Σ_k H_k · r_k
* team cost = payroll + severance + recruiting;
* sales & marketing team cost = Σ_k m_k (N_k · c_k(t) + H_k · r_k), m_k = 1
  for roles whose function is sales or marketing: their payroll and
  recruiting, the team's part of a fully loaded CAC (severance is a cost of
  shrinking, not of acquiring customers, and is left out).

A person is paid for every month they are on payroll at its end: a hire
landing on day 17 is paid for the month, a person leaving on day 17 is not
(one convention for both engines; the error is half a month of pay per
change, either way). A static team (plan only) therefore costs Σ_k plan_k(t)
· c_k(t).
"""

from __future__ import annotations

import numpy as np

from venturesim.team.params import TeamParams, sample_team

__all__ = ["TeamParams", "month_costs", "plan_payroll", "sales_marketing_cost", "sample_team"]


def plan_payroll(team: TeamParams) -> np.ndarray:
    """(P, T) what the planned team alone costs, USD per month: Σ_k plan_k(t) · c_k(t) in float64 (a static team:
    no pipeline, no attrition; the kernel's month rule pays it when the roles are static)."""
    return np.sum(np.asarray(team.plan, np.float64) * np.asarray(team.monthly_cost, np.float64), axis=1)


def month_costs(employees, cost, laid_off, severance_months, hires, recruiting_cost, xp=np):
    """(payroll, severance, recruiting) of a month, USD, summed over the last (role) axis.

    Parameters
    ----------
    employees, laid_off, hires : (…, K) people on payroll at the month end, laid off, hired.
    cost : (…, K) loaded cost per person this month, USD.
    severance_months : (…) months of loaded cost paid per person laid off.
    recruiting_cost : (…, K) USD per hire.
    """
    payroll = xp.sum(employees * cost, axis=-1)
    severance = xp.sum(laid_off * cost, axis=-1) * severance_months
    recruiting = xp.sum(hires * recruiting_cost, axis=-1)
    return payroll, severance, recruiting


def sales_marketing_cost(employees, cost, hires, recruiting_cost, sales_marketing, xp=np):
    """Payroll and recruiting of the sales and marketing roles, Σ_k m_k (N_k c_k + H_k r_k), USD (…).

    ``sales_marketing`` (…, K): m_k, 1.0 for a sales or marketing role; the other arguments as in
    :func:`month_costs`.
    """
    return xp.sum(sales_marketing * (employees * cost + hires * recruiting_cost), axis=-1)
