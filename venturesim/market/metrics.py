r"""SaaS operating metrics from monthly series: MRR, CAC, payback, LTV, burn multiple, NRR/GRR, Rule of 40.

Inputs are NumPy arrays (or xarray DataArrays) with the path axis first and
months last: (paths, months) for totals, (paths, accounts, months) for
per-account (or per-cohort) MRR. Money is USD, time months; ratios are
fractions unless a name says ``_pct``. Undefined ratios are NaN, never an
exception; which ones are +inf is stated per function.

Definitions (sources as in REFERENCES.md, "Market and operations"):

* **MRR** = recurring revenue in the month; **ARR** = 12·MRR.
  **ARPA** = MRR / active customers (accounts).
* **MRR bridge**, account i, month t, previous month t − 1 (MRR_i(−1) = 0):
  new = Σ MRR_i(t) over accounts with MRR_i(t−1) = 0 < MRR_i(t) (a
  reactivated account counts as new); churned = Σ MRR_i(t−1) over accounts
  with MRR_i(t−1) > 0 = MRR_i(t); expansion = Σ (MRR_i(t) − MRR_i(t−1))⁺
  and contraction = Σ (MRR_i(t−1) − MRR_i(t))⁺ over accounts paying in both
  months. Identity: MRR(t) − MRR(t−1) = new + expansion − contraction − churned.
* **CAC** (fully loaded) = sales & marketing spend / new customers over the
  same period, the spend being the channel budgets *plus* the payroll and
  recruiting cost of the sales and marketing roles (the engines' metrics
  ``acquisition_spend`` + ``sales_marketing_payroll``; a CAC without the
  people who sell is not a CAC). +inf when spend > 0 wins nobody, 0 when
  customers come with no S&M spend, NaN if both are 0.
  **CAC payback** (months), as investors compute it = S&M spend over a period
  / (new MRR won in that period × gross margin): months of gross profit from
  the period's new customers to earn back what was spent to win them
  (Benchmarkit 2025 B2B SaaS survey, "CAC payback period" on new-logo ARR:
  median ≈ 18 months for 2024; KeyBanc/Sapphire SaaS survey, same form).
  The period is the dashboard's window (a quarter), spend and new MRR summed
  over it, gross margin the window's. Equivalently CAC / (new-customer ARPA ×
  gross margin) — the ARPA of the accounts *won*, not of all accounts: an
  average over the base would credit each free self-serve sign-up with the
  enterprise accounts' revenue. Undefined (NaN, "n/a") unless 0 < CAC < ∞ —
  with no new customers or no S&M cost there is nothing to pay back — and
  +inf when the new MRR's gross profit is ≤ 0.
* **LTV** = ARPA × gross margin / monthly logo churn (undiscounted, constant
  churn: expected lifetime 1/c months; +inf at c = 0). **LTV/CAC**, undefined
  (NaN) unless 0 < CAC < ∞.
* **Burn multiple** = net burn / net new ARR over the same period
  (D. Sacks 2020, "The Burn Multiple": < 1 amazing, 1–1.5 great, 1.5–2 good,
  2–3 suspect, > 3 bad). Defined only for a company that burns cash: NaN
  ("n/a") when net burn ≤ 0 (a profitable company has no burn to multiply);
  +inf when it burned while net new ARR ≤ 0 (burning without growing is
  worse than any finite multiple).
* **NRR** over 12 months (cohort definition, as SaaS Capital and Benchmarkit
  survey it): the MRR now of the accounts that paid 12 months ago, divided by
  their MRR then — expansion, contraction and churn included, new accounts
  excluded. **GRR** caps each account at its MRR of 12 months ago:
  Σ min(MRR_i(t), MRR_i(t−12)) / Σ MRR_i(t−12), so GRR ≤ min(NRR, 1).
  Medians: NRR ≈ 101–102 % (SaaS Capital 2023), ≈ 110 % for ACV > $250k
  (Benchmarkit 2025). Given per-*cohort* rather than per-account MRR, NRR is
  exact but GRR is an upper bound (expansion inside a cohort offsets churn).
* **Gross margin** = (revenue − cost of revenue)/revenue.
* **Rule of 40** (B. Feld 2015, "The Rule of 40% for a Healthy SaaS
  Company"): growth rate % + profit margin % ≥ 40, with growth = revenue
  (or ARR) year over year and margin = profit / revenue over the same year.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import NamedTuple

import numpy as np
import xarray as xr

from venturesim.market._checks import divide, where

SACKS_BANDS = ((1.0, "amazing"), (1.5, "great"), (2.0, "good"), (3.0, "suspect"), (np.inf, "bad"))
"""Burn-multiple ratings (upper bound, label), D. Sacks 2020."""


class MrrBridge(NamedTuple):
    """Month-over-month MRR movements, USD, each (..., months)."""

    new: np.ndarray
    expansion: np.ndarray
    contraction: np.ndarray
    churned: np.ndarray


def _values(x) -> np.ndarray:
    return np.asarray(x.values if isinstance(x, xr.DataArray) else x, dtype=np.float64)


def _like(result: np.ndarray, template, drop: Hashable | None = None):
    """Wrap ``result`` as a DataArray on ``template``'s coordinates (less dim ``drop``) if it is one."""
    if not isinstance(template, xr.DataArray):
        return result
    dims = [d for d in template.dims if d != drop]
    coords = {k: v for k, v in template.coords.items() if drop is None or drop not in v.dims}
    return xr.DataArray(result, dims=dims, coords=coords)


def arr(mrr):
    """ARR = 12 × MRR, USD."""
    return 12.0 * mrr


def arpa(mrr, customers):
    """ARPA = MRR / customers, USD per account-month (NaN with no customers)."""
    return where(customers == 0, np.nan, divide(mrr, customers))


def mrr_bridge(mrr_by_account) -> MrrBridge:
    """New, expansion, contraction and churned MRR from per-account MRR (..., accounts, months).

    Month 0 compares with zero MRR before the start, so all its MRR is new.
    """
    m = _values(mrr_by_account)
    prev = np.concatenate([np.zeros_like(m[..., :1]), m[..., :-1]], axis=-1)
    both = (prev > 0) & (m > 0)
    delta = m - prev
    parts = MrrBridge(
        new=np.sum(np.where((prev <= 0) & (m > 0), m, 0.0), axis=-2),
        expansion=np.sum(np.where(both, np.maximum(delta, 0.0), 0.0), axis=-2),
        contraction=np.sum(np.where(both, np.maximum(-delta, 0.0), 0.0), axis=-2),
        churned=np.sum(np.where((prev > 0) & (m <= 0), prev, 0.0), axis=-2),
    )
    if isinstance(mrr_by_account, xr.DataArray):
        drop = mrr_by_account.dims[-2]
        return MrrBridge(*(_like(p, mrr_by_account, drop) for p in parts))
    return parts


def _retention(mrr_by_account, window: int, cap: bool):
    if not (isinstance(window, int) and window >= 1):
        raise ValueError(f"window(={window}) must be a whole number of months >= 1")
    m = _values(mrr_by_account)
    out = np.full(m.shape[:-2] + m.shape[-1:], np.nan)
    if m.shape[-1] > window:
        then, now = m[..., :-window], m[..., window:]
        paying = then > 0
        kept = np.minimum(now, then) if cap else now
        base = np.sum(np.where(paying, then, 0.0), axis=-2)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[..., window:] = np.where(base > 0, np.sum(np.where(paying, kept, 0.0), axis=-2) / base, np.nan)
    drop = mrr_by_account.dims[-2] if isinstance(mrr_by_account, xr.DataArray) else None
    return _like(out, mrr_by_account, drop)


def net_revenue_retention(mrr_by_account, window: int = 12):
    """NRR(t) = Σ_{i: MRR_i(t−w)>0} MRR_i(t) / Σ MRR_i(t−w); (..., months), NaN for t < w or no base."""
    return _retention(mrr_by_account, window, cap=False)


def gross_revenue_retention(mrr_by_account, window: int = 12):
    """GRR(t) = Σ_{i: MRR_i(t−w)>0} min(MRR_i(t), MRR_i(t−w)) / Σ MRR_i(t−w); NaN for t < w."""
    return _retention(mrr_by_account, window, cap=True)


def cac(sm_spend, new_customers):
    """CAC = S&M spend / new customers, USD; +inf if spend > 0 and no customers, NaN if both 0."""
    return divide(sm_spend, new_customers)


def _defined_cac(cac_usd):
    """0 < CAC < ∞: customers were won and acquiring them cost something."""
    return (cac_usd > 0) & np.isfinite(cac_usd)


def cac_payback_months(cac_usd, new_arpa_usd, gross_margin):
    """CAC / (new-customer ARPA × gross margin), months = S&M spend / (new MRR × gross margin) over a period.

    ``new_arpa_usd`` is the MRR won per new customer (new MRR / new customers) — the accounts the spend
    bought, not the base's average. +inf when their gross profit ≤ 0; NaN unless 0 < CAC < ∞.
    """
    profit = new_arpa_usd * gross_margin
    payback = where(profit <= 0, np.inf, divide(cac_usd, profit))
    return where(_defined_cac(cac_usd), payback, np.nan)


def ltv(arpa_usd, gross_margin, monthly_churn):
    """LTV = ARPA × gross margin / monthly churn, USD (+inf at zero churn with positive profit)."""
    return divide(arpa_usd * gross_margin, monthly_churn)


def ltv_to_cac(ltv_usd, cac_usd):
    """LTV / CAC (dimensionless; a common target is ≥ 3); NaN unless 0 < CAC < ∞."""
    return where(_defined_cac(cac_usd), divide(ltv_usd, cac_usd), np.nan)


def burn_multiple(net_burn, net_new_arr):
    """Net burn / net new ARR (Sacks 2020) while burning; +inf if ARR did not grow, NaN if not burning."""
    ratio = where(net_new_arr > 0, divide(net_burn, net_new_arr), np.inf)
    missing = np.isnan(net_burn) | np.isnan(net_new_arr)  # a month without data stays NaN
    return where(missing | (net_burn <= 0), np.nan, ratio)


def burn_multiple_rating(multiple) -> np.ndarray:
    """Sacks's label for each burn multiple ('amazing' … 'bad'); '' where NaN."""
    m = _values(multiple)
    labels = np.array([label for _, label in SACKS_BANDS] + [""], dtype=object)
    idx = np.searchsorted(np.array([b for b, _ in SACKS_BANDS[:-1]]), m, side="left")
    idx = np.where(np.isnan(m), len(SACKS_BANDS), idx)
    return labels[idx]


def gross_margin(revenue, cost_of_revenue):
    """(revenue − cost of revenue) / revenue; NaN with no revenue."""
    return where(revenue == 0, np.nan, divide(revenue - cost_of_revenue, revenue))


def rule_of_40(growth, profit_margin):
    """Feld's score in percentage points: 100 × (growth + profit margin), fractions in; ≥ 40 passes."""
    return 100.0 * (growth + profit_margin)


def trailing_sum(x, window: int):
    """Σ of the last ``window`` months along the last axis; NaN for the first window − 1 months."""
    if not (isinstance(window, int) and window >= 1):
        raise ValueError(f"window(={window}) must be a whole number of months >= 1")
    v = _values(x)
    c = np.cumsum(v, axis=-1)
    out = np.full_like(v, np.nan)
    if v.shape[-1] >= window:
        out[..., window - 1 :] = c[..., window - 1 :] - np.concatenate(
            [np.zeros_like(c[..., :1]), c[..., :-window]], axis=-1
        )
    return _like(out, x)


def lagged(x, lag: int):
    """x(t − lag) along the last axis; NaN for t < lag."""
    v = _values(x)
    out = np.full_like(v, np.nan)
    if lag < v.shape[-1]:
        out[..., lag:] = v[..., : v.shape[-1] - lag]
    return _like(out, x)


def operating_metrics(
    *, revenue, costs, cost_of_revenue, customers, new_customers, churned_customers, sm_spend, new_mrr, window: int = 3
) -> dict:
    """The dashboard of metrics from the engine's monthly series, each (paths, months).

    Parameters
    ----------
    revenue, costs, cost_of_revenue, sm_spend : USD per month (``costs`` are all
        operating costs, including cost of revenue and S&M; ``sm_spend`` the fully loaded
        S&M spend: channel budgets + S&M payroll and recruiting). Revenue is taken as MRR.
    customers : active customers at month end; new_customers, churned_customers : in the month.
    new_mrr : MRR of the customers won in the month, USD (CAC payback's denominator).
    window : months over which flows are summed for ARPA, CAC, gross margin, churn
        and the burn multiple (3 = a quarter). The Rule of 40 uses ARR growth over
        12 months and the profit margin of the trailing 12 months.

    Returns
    -------
    dict of arrays (DataArrays when ``revenue`` is one), NaN until the data allow each:
    mrr, arr, arpa (this month), gross_margin, logo_churn (churned / customers at
    month start, pooled over the window), cac, cac_payback_months (window S&M spend /
    (window new MRR × gross margin)), ltv (window ARPA), ltv_to_cac, burn_multiple
    (window net burn / ARR change over the window), rule_of_40 (percentage points).
    """
    rev = _values(revenue)
    cust, new, lost = _values(customers), _values(new_customers), _values(churned_customers)
    burn = _values(costs) - rev  # net burn, USD a month (negative when profitable)
    start = cust - new + lost  # the engine churns the month-start base, then adds new
    w = {
        name: _values(trailing_sum(v, window))
        for name, v in {
            "rev": rev,
            "cor": cost_of_revenue,
            "sm": sm_spend,
            "new": new,
            "lost": lost,
            "start": start,
            "burn": burn,
            "cust": cust,
            "new_mrr": new_mrr,
        }.items()
    }
    arpa_w = arpa(w["rev"], w["cust"])  # revenue per customer-month over the window
    gm = gross_margin(w["rev"], w["cor"])
    churn = where(w["start"] > 0, divide(w["lost"], w["start"]), np.nan)
    cac_w = cac(w["sm"], w["new"])
    ltv_w = ltv(arpa_w, gm, churn)
    year_rev = _values(trailing_sum(rev, 12))
    year_margin = where(year_rev > 0, divide(-_values(trailing_sum(burn, 12)), year_rev), np.nan)
    year_ago = _values(lagged(rev, 12))
    growth = where(year_ago > 0, divide(rev, year_ago) - 1.0, np.nan)  # ARR year over year
    out = {
        "mrr": rev,
        "arr": arr(rev),
        "arpa": arpa(rev, cust),
        "gross_margin": gm,
        "logo_churn": churn,
        "cac": cac_w,
        "cac_payback_months": cac_payback_months(
            cac_w, where(w["new"] > 0, divide(w["new_mrr"], w["new"]), np.nan), gm
        ),
        "ltv": ltv_w,
        "ltv_to_cac": ltv_to_cac(ltv_w, cac_w),
        "burn_multiple": burn_multiple(w["burn"], arr(rev) - _values(lagged(arr(rev), window))),
        "rule_of_40": rule_of_40(growth, year_margin),
    }
    return {k: _like(np.asarray(v, np.float64), revenue) for k, v in out.items()}
