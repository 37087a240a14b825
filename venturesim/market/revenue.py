r"""What each customer pays in a month, the MRR bridge of the engines' cohorts, and compounded NRR/GRR.

**Revenue per customer** in segment s, month t, for a customer in their
(k+1)-th billed month (cell k; k = 0 for everyone when ages are not tracked):

.. math::

    R_{s,k}(t) = \Big[\big(P_t + n_{seat} P_{seat,t} + Σ_j s_j P_j\big)(1 − a d)\,e_k
                 + U_k\,P_{tok,t}\Big]\,(1 − π x_t)\,·\,Q_t

with the flat price P_t, seats n_seat at P_seat,t, tier mix s_j at P_j, annual
share a and discount d (subscription only), expansion e_k = min((1+ε)^k, E_max),
mean usage U_k = U_med e^{σ²/2} min((1+γ)^k, G_max) million tokens at P_tok,t
per million, a competitor cut x_t matched with pass-through π, and Q_t the
quality gap's price multiplier e^{ε_p g} (:class:`venturesim.market.step.QualityEffect`).
A customer's usage is lognormal, U = U_med e^{σZ} min((1+γ)^k, G_max) with
Z ~ N(0, 1), so U_k is its mean; the engines bill the *expected* usage of a
customer of that age (customers' lognormal spread averages out over the
segment; the engine does not draw it per customer). If a competitor's cut is
not matched (π = 0), our price relative to theirs rises to 1/(1 − x) and churn
responds through :func:`churn_price_factor`. Annual plans are billed monthly
(cash = revenue; prepaying a year is not modelled).

**MRR bridge** (the definitions of :func:`venturesim.market.metrics.mrr_bridge`,
applied to the engine's cohort cells rather than accounts). With r⁻ a cell's
revenue per customer at the end of last month and r⁺ what its survivors pay
this month (a survivor of cell k moves to cell min(k+1, A−1)):

* new = new customers × R_{·,0} + survivors × r⁺ where r⁻ = 0 < r⁺ (e.g. a
  segment that just opened with initial customers);
* expansion = survivors × (r⁺ − r⁻)⁺ and contraction = survivors × (r⁻ − r⁺)⁺
  where both are > 0 (age-driven expansion, price changes, a matched cut);
* churned = churned customers × r⁻ + survivors × r⁻ where r⁺ = 0 < r⁻.

So MRR(t) − MRR(t−1) = new + expansion − contraction − churned on every path
and month (while the company is alive). Per cohort cell rather than per
account, NRR is exact and GRR an upper bound (:mod:`venturesim.market.metrics`).

**Compounded retention** (:func:`compounded_retention`): the month's net and
gross retention of the base that paid last month,

.. math::

    n_t = \frac{MRR_{t−1} + \text{exp}_t − \text{contr}_t − \text{churn}_t}{MRR_{t−1}},\qquad
    g_t = \frac{MRR_{t−1} − \text{contr}_t − \text{churn}_t}{MRR_{t−1}},

chained over a window: NRR_w(t) = Π_{τ=t−w+1}^{t} n_τ, GRR_w(t) = Π g_τ. For a
base that takes no new customers this equals the cohort definition of
:func:`venturesim.market.metrics.net_revenue_retention` exactly (the product
telescopes); with new customers it weights each month's retention by that
month's base (the "chain-linked" NRR), which is what monthly flows can give.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from venturesim.market.metrics import _like, _values


class Bridge(NamedTuple):
    """MRR movements in a month by segment, USD, each (..., S)."""

    new: object
    expansion: object
    contraction: object
    churned: object


def base_price(
    price,
    seats,
    price_per_seat,
    tier_price,
    annual_factor,
    expansion_by_age,
    usage_by_age,
    price_per_mtoken,
    pass_through,
    competitor_cut,
    *,
    xp=jnp,
):
    """R_{s,k} before the quality multiplier: (..., S, cells), USD per customer-month.

    ``price``, ``price_per_seat``, ``price_per_mtoken``, ``competitor_cut`` are the
    month's values (..., S); ``expansion_by_age`` and ``usage_by_age`` are (..., S, cells).
    With every optional input neutral (no seats, tiers, usage, annual plans,
    expansion or cut) the result is exactly ``price`` in each cell.
    """
    subscription = price + seats * price_per_seat + tier_price  # (..., S)
    cut = 1.0 - pass_through * competitor_cut
    return (
        subscription[..., None] * annual_factor[..., None] * expansion_by_age
        + usage_by_age * price_per_mtoken[..., None]
    ) * cut[..., None]


def churn_price_factor(pass_through, competitor_cut, elasticity, *, xp=jnp):
    """((1 − πx)/(1 − x))^ε_p: churn's response to our price relative to competitors' after a cut x.

    Exactly 1 when x = 0 (the price term of :func:`venturesim.market._rules.churn_probability`).
    """
    ratio = (1.0 - pass_through * competitor_cut) / (1.0 - competitor_cut)
    return xp.exp(elasticity * xp.log(ratio))


def survivor_price(now, tracked: bool, *, xp=jnp):
    """r⁺ by *last month's* cell: a survivor of cell k pays now[min(k+1, A−1)] (now[0] untracked)."""
    if not tracked:
        return now
    return xp.concatenate([now[..., 1:], now[..., -1:]], axis=-1)


def bridge(prev, now_survivor, survivors, churned, new_customers, new_price, *, xp=jnp) -> Bridge:
    """The MRR bridge of one month by segment (module docstring), summed over cells.

    Parameters
    ----------
    prev : (..., S, cells) revenue per customer at the end of last month, r⁻.
    now_survivor : (..., S, cells) what a survivor of each of last month's cells pays now, r⁺.
    survivors, churned : (..., S, cells) customers of last month's cells who stayed / left.
    new_customers : (..., S) customers won this month; new_price : (..., S) what they pay.
    """
    cells = (lambda x: x[..., 0]) if prev.shape[-1] == 1 else (lambda x: x.sum(axis=-1))  # Σ over one cell = it
    both = (prev > 0) & (now_survivor > 0)
    delta = now_survivor - prev
    zero = xp.zeros_like(prev)
    reactivated = xp.where((prev <= 0) & (now_survivor > 0), now_survivor, zero)
    lost = xp.where((prev > 0) & (now_survivor <= 0), prev, zero)
    return Bridge(
        new=new_customers * new_price + cells(survivors * reactivated),
        expansion=cells(survivors * xp.where(both, xp.maximum(delta, 0.0), zero)),
        contraction=cells(survivors * xp.where(both, xp.maximum(-delta, 0.0), zero)),
        churned=cells(churned * prev) + cells(survivors * lost),
    )


def compounded_retention(mrr, expansion_mrr, contraction_mrr, churned_mrr, window: int = 12):
    """Chain-linked NRR and GRR over ``window`` months from monthly MRR flows (module docstring).

    Parameters
    ----------
    mrr, expansion_mrr, contraction_mrr, churned_mrr : (..., months) USD (arrays or
        DataArrays; month t's flows concern the customers who paid in month t − 1).
    window : months chained (12 for the annual NRR/GRR of the benchmarks).

    Returns
    -------
    (nrr, grr) : (..., months) fractions; NaN for t < window or where a month of
        the window had no MRR to retain.
    """
    if not (isinstance(window, int) and window >= 1):
        raise ValueError(f"window(={window}) must be a whole number of months >= 1")
    m = _values(mrr)
    exp_, contr, lost = _values(expansion_mrr), _values(contraction_mrr), _values(churned_mrr)
    base = np.concatenate([np.full_like(m[..., :1], np.nan), m[..., :-1]], axis=-1)  # MRR(t − 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        net = np.where(base > 0, (base + exp_ - contr - lost) / base, np.nan)
        gross = np.where(base > 0, (base - contr - lost) / base, np.nan)
    out = []
    for monthly in (net, gross):
        chained = np.full_like(monthly, np.nan)
        if m.shape[-1] >= window:
            chained[..., window - 1 :] = np.lib.stride_tricks.sliding_window_view(monthly, window, axis=-1).prod(-1)
        out.append(_like(chained, mrr))
    return tuple(out)
