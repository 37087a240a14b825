r"""The month close, written once for both engines (``xp``: numpy or jax.numpy).

Month t is the interval [t, t+1); it closes at time t + 1, once the team,
the product, the partners, the market and the funding have had their month.
The JAX engine calls these rules on a block of paths ((paths,) and
(paths, S) arrays), the DES on one path (scalars and (S,) arrays): the rules
work on the trailing axes, so the two engines run the same arithmetic.

**Costs** (USD a month, :func:`close_accounts`) C = people (payroll +
severance + recruiting) + compute (the monthly line + training − partners'
credits) + other (with the risks' costs) + acquisition (channels, market
entry) + partnerships + COR + interest; COR (cost of revenue) = c · gross
revenue + tokens · cost per token (serving) + support.

**Cash identity.**  cash[t] = cash[t−1] + R − C + F − P, with R the revenue
net of the partners' share, F the financing (rounds, bridges, loans drawn,
grants; the DES books a round's money at its closing time, so its F holds the
loans and grants only) and P the principal repaid. A lender whose
minimum-cash covenant is broken then calls its loan (every outstanding
balance is repaid: cash − balance; :func:`venturesim.funding.debt.call_loans`).

**Death.** A path alive at the month's start with cash < 0 at its end dies;
a dead (or exited) path stays so, and its cash is frozen: no more flows.

**Exits** (:mod:`venturesim.funding.exits`) come next; an IPO or an
acquisition ends the path's flows without a death (``alive`` turns False).

**Runway** = cash / (C + P − R) when burning (net burn > 0), +∞ when not,
NaN for a path no longer alive (:func:`runway`).

**The record of a month** (:func:`month_record`) is what
:data:`venturesim.engine.metrics.MONTHLY_METRICS` describes; a path dead or
exited before the month records :func:`dead_record` (cash frozen, no flows,
NaN for the ratios).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from venturesim.funding.debt import call_loans

__all__ = [
    "Accounts",
    "Ledger",
    "annual_run_rate",
    "close_accounts",
    "dead_record",
    "mask_dead",
    "month_record",
    "runway",
]


class Accounts(NamedTuple):
    """A month's accounts, (…,) (``debt_balance``: (…, D))."""

    serving: Any  # USD, tokens · cost per token
    cost_of_revenue: Any  # USD
    costs: Any  # USD, every cost of the month
    net_burn: Any  # USD, costs + principal − revenue
    cash: Any  # USD at the month's end (after a called loan; frozen on a path not alive)
    debt_balance: Any  # (…, D) USD after the covenant
    debt_called: Any  # USD repaid because the covenant was broken
    loan_called: Any  # bool
    survived: Any  # bool, alive at the month's start with cash ≥ 0 at its end
    cost_per_token: Any = None  # USD per token served (the product's, by the serving strategy); None: not given


class Ledger(NamedTuple):
    """What a month brought to the accounts before the close, (…,) USD unless noted."""

    revenue: Any  # net of the partners' revenue share
    gross_revenue: Any  # before it
    people: Any  # payroll + severance + recruiting
    compute: Any  # the monthly line + training − partners' credits
    other: Any  # other costs, the risks' costs included
    acquisition: Any  # channels and market entry
    partnership: Any  # partners' fees
    cost_of_revenue_rate: Any  # fraction of gross revenue
    tokens: Any  # tokens served
    cost_per_token: Any  # USD/token
    support: Any  # support cost
    interest: Any
    principal: Any  # debt repaid on schedule
    financing: Any  # money to add to the cash (rounds resolved this month, loans drawn, grants)


def close_accounts(alive, cash, ledger: Ledger, debt_balance, min_cash, xp=np) -> Accounts:
    """Costs, the cash identity, the covenant and death (module docstring), for one path or a block.

    ``alive`` (…,) bool: alive at the month's start; ``cash`` (…,) USD at its start; ``ledger``: the month's
    entries; ``debt_balance`` and ``min_cash`` (…, D) USD (the covenants).
    """
    g = ledger
    serving = g.tokens * g.cost_per_token
    cost_of_revenue = g.gross_revenue * g.cost_of_revenue_rate + serving + g.support
    costs = g.people + g.compute + g.other + g.acquisition + g.partnership + cost_of_revenue + g.interest
    after = cash + g.revenue - costs + g.financing - g.principal
    balance, called_debt, called = call_loans(debt_balance, after, min_cash, alive, xp=xp)
    after = xp.where(alive, after - called_debt, cash)  # a dead path's cash stays frozen
    return Accounts(
        serving=serving,
        cost_of_revenue=cost_of_revenue,
        costs=costs,
        net_burn=costs + g.principal - g.revenue,
        cash=after,
        debt_balance=balance,
        debt_called=called_debt,
        loan_called=called,
        survived=alive & (after >= 0.0),
        cost_per_token=xp.zeros_like(after) + g.cost_per_token,
    )


def annual_run_rate(revenue, alive, xp=np):
    """ARR = 12 × the month's (net) revenue on a path still alive at the month's end, else 0."""
    return 12.0 * xp.where(alive, revenue, 0.0)


def runway(cash, net_burn, alive, xp=np):
    """Months of runway, cash / net burn when burning (net burn > 0), else +∞; NaN on a path not alive."""
    months = xp.where(net_burn > 0, cash / xp.maximum(net_burn, 1e-9), xp.inf)
    return xp.where(alive, months, xp.nan)


def month_record(
    alive,
    alive_start,
    accounts: Accounts,
    ledger: Ledger,
    arr,
    runway,
    team,
    flows,
    partner,
    *,
    training,
    gap,
    partner_share,
    partner_concentration,
    risk_costs,
    financing,
    grants,
    debt_balance,
    customers,
    founder_ownership,
    rounds_closed,
    xp=np,
    keep=None,
) -> dict:
    """The record of a month (the :data:`~venturesim.engine.metrics.MONTHLY_METRICS`), for one path or a block.

    ``alive``: alive at the month's end (after death and exits); ``alive_start``: at its start; ``ledger``:
    the month's entries (:func:`close_accounts`); ``financing``: all the month's financing, rounds booked at
    their closing time included.
    ``team``, ``flows``, ``partner``: the month's :class:`venturesim.team.step.TeamMonth`,
    :class:`venturesim.market.step.MarketFlows` and :class:`venturesim.partnerships.terms.PartnerMonth`.
    ``customers`` (…, S) and ``debt_balance`` (…, D) at the month's end (after an exit, which repays the debt).
    A stock (FTE, customers, pipeline, headcount) reads 0 and a ratio (quality gap, support load) NaN on a
    path no longer alive. ``keep``: the names to compute (None: all; the DES computes only those it records).
    """

    def live(value, dead=0.0):
        return xp.where(alive, value, dead)

    gain, deal_capacity, a, g = team.engineering_gain, team.deal_capacity, accounts, ledger

    masked: list = []  # the month-end customers (…, S), 0 on a path no longer alive: computed once, if needed

    def month_end_customers():
        if not masked:
            masked.append(xp.where(xp.asarray(alive)[..., None], customers, 0.0))
        return masked[0]

    entries = {
        "cash": lambda: a.cash,
        "revenue": lambda: g.revenue,
        "arr": lambda: live(arr),
        "costs": lambda: a.costs,
        "payroll": lambda: team.payroll,
        "severance": lambda: team.severance,
        "recruiting_cost": lambda: team.recruiting,
        "sales_marketing_payroll": lambda: team.sales_marketing,
        "hires": lambda: team.hires,
        "departures": lambda: team.departures,
        "layoffs": lambda: team.layoffs,
        "open_requisitions": lambda: team.open_requisitions,
        "engineering_fte": lambda: live(team.engineering_fte),
        "sales_fte": lambda: live(team.sales_fte),
        "support_fte": lambda: live(team.support_fte),
        "option_pool_available": lambda: live(team.pool_available),
        "compute": lambda: g.compute,
        "training_compute": lambda: training,
        "serving_cost": lambda: a.serving,
        "serving_cost_per_million": lambda: live(
            xp.nan if a.cost_per_token is None else a.cost_per_token * 1e6, xp.nan
        ),
        "quality_gap": lambda: live(gap, xp.nan),
        "acquisition_spend": lambda: flows.acquisition_spend,
        "entry_cost": lambda: flows.entry_cost,
        "support_cost": lambda: flows.support_cost,
        "new_mrr": lambda: flows.new_mrr,
        "expansion_mrr": lambda: flows.expansion_mrr,
        "contraction_mrr": lambda: flows.contraction_mrr,
        "churned_mrr": lambda: flows.churned_mrr,
        "pipeline": lambda: live(flows.pipeline),
        "deals_won": lambda: xp.sum(flows.deals_won, axis=-1),
        "deals_lost_to_capacity": lambda: xp.sum(flows.deals_over_capacity, axis=-1),
        "sales_capacity_deals": lambda: live(xp.nan if deal_capacity is None else deal_capacity),
        "support_load": lambda: live(flows.support_load, xp.nan),
        "engineering_quality_gain": lambda: live(0.0 if gain is None else gain),
        "revenue_by_segment": lambda: flows.revenue_by_segment,
        "partner_revenue_share": lambda: partner_share,
        "compute_credits_used": lambda: partner.compute_credit_used,
        "partnership_costs": lambda: partner.cost,
        "partners_active": lambda: live(partner.active),
        "partner_concentration": lambda: partner_concentration,
        "risk_costs": lambda: xp.where(alive_start, risk_costs, 0.0),
        "other_costs": lambda: g.other,
        "cost_of_revenue": lambda: a.cost_of_revenue,
        "financing": lambda: financing,
        "grants": lambda: grants,
        "interest": lambda: g.interest,
        "debt_repaid": lambda: g.principal + a.debt_called,
        "debt_balance": lambda: xp.sum(debt_balance, axis=-1),
        "loan_called": lambda: a.loan_called,
        "net_burn": lambda: a.net_burn,
        "customers": lambda: xp.sum(month_end_customers(), axis=-1),
        "customers_by_segment": month_end_customers,
        "new_customers": lambda: xp.sum(flows.new_customers, axis=-1),
        "churned_customers": lambda: xp.sum(flows.churned_customers, axis=-1),
        "alive": lambda: alive,
        "runway": lambda: runway,
        "headcount": lambda: live(team.headcount),
        "founder_ownership": lambda: founder_ownership,
        "rounds_closed": lambda: rounds_closed,
    }
    return {name: value() for name, value in entries.items() if keep is None or name in keep}


_DEAD_NAN = ("runway", "quality_gap", "support_load", "serving_cost_per_million")


def dead_record(cash, founder_ownership, rounds_closed, segments: int, xp=np) -> dict:
    """What a path dead (or exited) before the month records: its frozen cash, its ownership and rounds,
    NaN for the ratios (runway, quality gap, support load), False for ``alive``, 0 for every flow and stock.

    Only the entries that are not 0 are given; :func:`mask_dead` and the DES fill in the rest.
    """
    shape = xp.shape(cash)
    return {
        "cash": cash,
        "founder_ownership": founder_ownership,
        "rounds_closed": rounds_closed,
        "alive": xp.zeros(shape, bool),
        **{name: xp.full(shape, xp.nan) for name in _DEAD_NAN},
        "customers_by_segment": xp.zeros(shape + (segments,)),
        "revenue_by_segment": xp.zeros(shape + (segments,)),
    }


def mask_dead(record: dict, alive_start, dead: dict, xp=np) -> dict:
    """The block's record with :func:`dead_record`'s values on the paths not alive at the month's start."""
    out = {}
    for name, value in record.items():
        fill = dead.get(name, 0.0)
        keep = xp.reshape(alive_start, xp.shape(alive_start) + (1,) * (xp.ndim(value) - xp.ndim(alive_start)))
        out[name] = xp.where(keep, value, fill).astype(value.dtype) if hasattr(value, "dtype") else value
    return out
