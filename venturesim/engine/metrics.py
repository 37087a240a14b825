"""The monthly metrics both engines can record, and choosing among them."""

from __future__ import annotations

from collections.abc import Iterable

MONTHLY_METRICS: dict[str, str] = {
    "cash": "cash at the end of the month, USD",
    "revenue": "revenue in the month, net of partners' revenue share, USD",
    "arr": "annual recurring revenue, 12 × monthly revenue, USD",
    "costs": "all costs in the month, USD",
    "payroll": "salaries and on-cost of the people on payroll in the month, USD",
    "severance": "severance paid in the month (layoffs), USD",
    "recruiting_cost": "recruiting cost of the month's hires, USD",
    "sales_marketing_payroll": "payroll and recruiting cost of the sales and marketing roles in the month, USD "
    "(with acquisition_spend: the spend in a fully loaded CAC)",
    "hires": "people who joined in the month",
    "departures": "people who quit in the month (attrition)",
    "layoffs": "people laid off in the month",
    "open_requisitions": "requisitions open at the end of the month",
    "engineering_fte": "ramped engineering and research FTE at the end of the month",
    "sales_fte": "ramped sales FTE at the end of the month",
    "support_fte": "ramped support FTE at the end of the month",
    "option_pool_available": "unallocated option pool at the end of the month, fraction",
    "compute": "compute spend in the month (the monthly line + training runs), USD",
    "training_compute": "spend on the roadmap's training runs in the month, USD",
    "serving_cost": "cost of serving the month's tokens, USD",
    "serving_cost_per_million": "cost of serving 10⁶ tokens with the month's model and strategy (vendor API price, "
    "or own accelerators at their utilisation): a price in dollars per 10⁶ tokens, not a money flow (NaN if dead)",
    "training_energy": "energy drawn by the training runs in the month, kWh (accelerators × TDP × hours × PUE)",
    "serving_energy": "energy of serving the month's tokens on own accelerators, kWh (a vendor API's tokens: 0)",
    "co2e": "emissions of training and serving in the month, kg CO2e (energy × the grid's carbon intensity)",
    "quality_gap": "frontier loss − served model's loss, nats/token (< 0: behind; NaN if dead)",
    "other_costs": "other operating costs in the month (with the risks' costs and mitigations), USD",
    "acquisition_spend": "sales and marketing: channel budgets spent in the month, USD",
    "entry_cost": "entry costs of segments opened in the month, USD",
    "support_cost": "support cost of the month-end customers, USD (part of cost of revenue)",
    "new_mrr": "MRR from customers won in the month, USD",
    "expansion_mrr": "MRR added by existing customers (seats, usage) in the month, USD",
    "contraction_mrr": "MRR lost by existing customers who stayed, USD",
    "churned_mrr": "MRR of the customers who left in the month, USD",
    "pipeline": "open sales-led deals at the end of the month",
    "deals_won": "sales-led deals won in the month",
    "deals_lost_to_capacity": "sales-led deals won beyond the sales team's capacity in the month, lost "
    "(team.capacity_effects.sales; 0 without it)",
    "sales_capacity_deals": "most sales-led deals the sales team can win in the month, ⌊sales FTE × deals per FTE + U⌋ "
    "(NaN without team.capacity_effects.sales; 0 if dead)",
    "support_load": "customers at the month start / (support FTE × customers per FTE) (+inf: customers and no support "
    "FTE; NaN without team.capacity_effects.support or if dead)",
    "engineering_quality_gain": "quality gain from engineering work so far, G_max (1 − e^(−X/X_0)), nats/token, "
    "part of quality_gap (0 without team.capacity_effects.engineering or if dead)",
    "revenue_by_segment": "revenue in the month, per segment (before partners' shares), USD",
    "partner_revenue_share": "revenue taken by partners in the month, USD",
    "compute_credits_used": "compute paid by partners' credits in the month, USD",
    "partnership_costs": "partnerships' monthly and signing costs, USD",
    "partners_active": "partnerships active at the end of the month",
    "partner_concentration": "largest share of revenue brought by one partner",
    "risk_costs": "costs the risks added in the month (legal, compliance, mitigations), USD",
    "cost_of_revenue": "serving and support cost in the month (serving_cost included), USD",
    "financing": "money raised in the month: rounds, bridges, loans drawn and grants, USD",
    "grants": "non-dilutive grants paid in the month, USD",
    "interest": "interest paid on venture debt (and on notes repaid at maturity) in the month, USD (part of costs)",
    "debt_repaid": "venture debt principal repaid in the month (with a called loan's balance and notes repaid at "
    "maturity), USD",
    "debt_balance": "venture debt outstanding at the end of the month, USD",
    "loan_called": "a lender called its loan at this month end (minimum-cash covenant broken, bool)",
    "net_burn": "costs + debt principal − revenue in the month (negative when profitable), USD",
    "customers": "active customers at the end of the month, all segments",
    "customers_by_segment": "active customers at the end of the month, per segment",
    "new_customers": "customers won in the month",
    "churned_customers": "customers lost in the month",
    "alive": "the company is alive at the end of the month (bool)",
    "runway": "months of cash at the month's net burn (+inf if profitable, NaN if dead)",
    "headcount": "people on payroll",
    "founder_ownership": "founders' fully diluted ownership, fraction",
    "rounds_closed": "rounds closed so far",
}
"""Metrics that can be recorded per path and month, with their units."""

DEFAULT_METRICS: tuple[str, ...] = ("cash", "arr", "alive", "customers", "runway")


def resolve_metrics(metrics: str | Iterable[str] | None) -> tuple[str, ...]:
    """The metric names to record: None → defaults, "all" → every metric."""
    if metrics is None:
        return DEFAULT_METRICS
    if metrics == "all":
        return tuple(MONTHLY_METRICS)
    chosen = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    unknown = [m for m in chosen if m not in MONTHLY_METRICS]
    if unknown:
        from venturesim.spec.errors import suggest

        hints = [
            f"{m!r}" + (f" (did you mean {hint!r}?)" if (hint := suggest(m, MONTHLY_METRICS)) else "") for m in unknown
        ]
        raise ValueError(f"unknown metric {', '.join(hints)}; choose from {sorted(MONTHLY_METRICS)}")
    return tuple(dict.fromkeys(chosen))
