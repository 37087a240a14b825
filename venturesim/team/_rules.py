"""The team's decision rules, written once for both engines (``xp`` = numpy or jax.numpy).

Shapes: team-level inputs are (paths,) in the JAX kernel and scalars in the
DES; role-level inputs are (paths, K) and (K,). Every rule broadcasts over
the trailing role axis, so the two engines run the same arithmetic.
"""

from __future__ import annotations

import numpy as np

from venturesim._xp import fold_last_axis, when
from venturesim.funding.traction import has_traction

MIN_ACCEPTANCE = 1e-3
"""Offer acceptance never falls below this (so a requisition always fills eventually)."""
MAX_CYCLES = 10_000
"""Hiring cycles are capped here; the time to fill is capped long before (see step.MAX_FILL_MONTHS)."""


def monthly_hazard(attrition_annual, xp=np):
    """Probability of leaving within a month, h = 1 − (1 − a)^{1/12}, for annual attrition a."""
    return 1.0 - xp.power(1.0 - xp.asarray(attrition_annual), 1.0 / 12.0)


def hazard_rate(attrition_annual, xp=np):
    """Continuous monthly hazard λ = −ln(1 − a)/12 (so 1 − e^{−λ} = h and (e^{−λ})^{12} = 1 − a)."""
    return -xp.log1p(-xp.asarray(attrition_annual)) / 12.0


def _in_window(since, window):
    return (since >= 1) & (since <= window)


def attrition_multiplier(runway, since_failed, since_layoff, p, xp=np):
    """Stress multiplier M of the attrition hazard (team-level: (paths,) or scalar).

    M = m_runway^{[runway < L]} · m_failed^{[failed round in window]} · m_layoff^{[layoff in window]},
    where an event "in window" happened 1 … W months ago.
    """
    low = runway < p.stress_runway
    m = xp.where(low, p.stress_low_runway, 1.0)
    m = m * xp.where(_in_window(since_failed, p.stress_window), p.stress_failed_round, 1.0)
    return m * xp.where(_in_window(since_layoff, p.stress_window), p.stress_after_layoff, 1.0)


def acceptance(runway, since_failed, since_closed, p, xp=np):
    """Offer acceptance per role: base · (after-round boost) · (stress penalty), clipped to [MIN_ACCEPTANCE, 1]."""
    stressed = (runway < p.stress_runway) | _in_window(since_failed, p.stress_window)
    m = xp.where(_in_window(since_closed, p.stress_window), p.accept_after_round, 1.0)
    m = m * xp.where(stressed, p.accept_under_stress, 1.0)
    return xp.clip(p.offer_acceptance * xp.asarray(m)[..., None], MIN_ACCEPTANCE, 1.0)


def rule_target(customers, new_arr, p, xp=np):
    """Headcount the ``hire_per`` rules ask for: max(⌈customers/c⌉, ⌈12·new_arr/a⌉), 0 without a rule."""
    customers = xp.asarray(customers)[..., None]
    annual_new_arr = 12.0 * xp.asarray(new_arr)[..., None]
    by_customers = xp.where(p.per_customers > 0, xp.ceil(customers / xp.maximum(p.per_customers, 1e-30)), 0.0)
    by_arr = xp.where(p.per_new_arr > 0, xp.ceil(annual_new_arr / xp.maximum(p.per_new_arr, 1e-30)), 0.0)
    return xp.maximum(xp.maximum(by_customers, by_arr), 0.0)


def layoff_count(fraction, employees, xp=np):
    """People let go: ⌊f · N + ½⌋ (the fraction of the role, rounded half up)."""
    return xp.floor(fraction * employees + 0.5)


def geometric_cycles(u, accept, xp=np):
    """Hiring cycles until an offer is accepted, G = 1 + ⌊ln U / ln(1 − p)⌋ ~ Geometric(p) on {1, 2, …}."""
    g = 1.0 + xp.floor(xp.log(u) / xp.log1p(-xp.minimum(accept, 1.0 - 1e-7)))
    return xp.clip(xp.where(accept >= 1.0, 1.0, g), 1.0, MAX_CYCLES)


def budget_openings(gap, cost, committed, budget, xp=np):
    """Openings that fit a payroll budget, granted greedily in role order.

    Parameters
    ----------
    gap : (…, K) openings wanted per role.
    cost : (…, K) loaded cost per person this month, USD.
    committed : (…,) payroll of people employed and in the pipeline, USD.
    budget : (…,) payroll budget this month, USD (+inf: no cap).

    Returns
    -------
    (…, K) openings: role k gets min(gap_k, ⌊remaining / cost_k⌋), then the
    remaining budget falls by its openings' cost.
    """
    if gap.shape[-1] == 0:  # no roles
        return gap

    def open_role(remaining, role):
        wanted, c = role
        allowed = xp.where(c > 0, xp.floor(remaining / xp.where(c > 0, c, 1.0)), np.inf)
        n = xp.clip(xp.minimum(wanted, allowed), 0.0, None)
        return remaining - xp.where(n > 0, n * c, 0.0), n

    def greedy(gap, cost, committed, budget):  # roles in list order
        return fold_last_axis(xp, open_role, budget - committed, gap, cost)

    # no cap on any path (the common case): every opening wanted fits (remaining stays +inf), the same numbers
    capped = ~xp.all(budget == np.inf)
    return when(xp, capped, greedy, lambda gap, *_: xp.clip(gap, 0.0, None), gap, cost, committed, budget)


def advance_clocks(since_failed, since_closed, since_layoff, round_failed, round_closed, xp=np):
    """Months since the last failed round, closed round and layoff at a month start (last month's: 1)."""
    return (
        xp.where(round_failed, 1.0, since_failed + 1.0),
        xp.where(round_closed, 1.0, since_closed + 1.0),
        since_layoff + 1.0,
    )


def leave_rate(runway, since_failed, since_layoff, scale, p, xp=np):
    """Attrition hazard rate per role λ_k · M · s (…, K): M the stress multiplier, s the risks' scale.

    A person at risk all month leaves with probability 1 − e^{−λMs}.
    """
    m = attrition_multiplier(runway, since_failed, since_layoff, p, xp=xp) * scale
    return p.attrition_rate * xp.asarray(m)[..., None]


def layoffs(runway, raising, round_closed, since_layoff, employees, cap, p, xp=np):
    """(laid off (…, K), headcount cap (…, K), months since a layoff (…)) at a month start.

    Due when runway < trigger, no round is being raised (unless allowed) and the cooldown has passed: each
    listed role loses ⌊f_k N_k + ½⌋ people and is capped at what is left. A closed round lifts every cap first.
    """
    allowed = xp.logical_not(raising) | (p.layoff_while_raising > 0.5)
    due = (runway < p.layoff_runway) & allowed & (since_layoff >= p.layoff_cooldown)
    due_k = xp.asarray(due)[..., None]
    cap = xp.where(xp.asarray(round_closed)[..., None], xp.inf, cap)
    laid = xp.where(due_k, layoff_count(p.layoff_fraction, employees, xp=xp), 0.0)
    cap = xp.where(due_k & (p.layoff_fraction > 0), employees - laid, cap)
    return laid, cap, xp.where(due, 0.0, since_layoff)


def staffing_target(plan, plan_before, rule, cap, employees, p, xp=np):
    """(target, separations) (…, K): target = min(max(plan_k(t), rule_k), cap_k, max_headcount_k); a fall in
    the plan lets max(min(N − target, plan(t − 1) − plan(t)), 0) people go."""
    target = xp.minimum(xp.minimum(xp.maximum(plan, rule), cap), p.max_headcount)
    return target, xp.clip(xp.minimum(employees - target, plan_before - plan), 0.0, None)


def distressed(since_failed, since_closed, xp=np):
    """In distress: a round attempt failed more recently than any round closed (:mod:`venturesim.team.policy`)."""
    return xp.asarray(since_failed) < xp.asarray(since_closed)


def short_of_close(raising, runway, to_close, p, xp=np):
    """Raising a round that outlasts the cash (:mod:`venturesim.team.policy`, ``cut_while_raising_short_of_close_
    months``): a round attempt in progress and runway R at the previous month end < c + m, c the months left until
    the attempt resolves, m the policy's margin (−inf: never)."""
    return xp.asarray(raising) & (xp.asarray(runway) < xp.asarray(to_close) + p.short_close_margin)


def short_of_window(to_window, runway, p, xp=np):
    """Waiting for a round's window that outlasts the cash (:mod:`venturesim.team.policy`, ``cut_while_waiting_
    to_raise_short_of_close_months``): the next round cannot start yet (its earliest month or its retry time), w > 0
    the months until it could close (:func:`venturesim.funding.rounds.months_to_window`), and runway R at the
    previous month end < w + m, m the policy's margin (−inf: never)."""
    w = xp.asarray(to_window)
    return (w > 0) & (xp.asarray(runway) < w + p.short_window_margin)


def in_distress(since_failed, since_closed, raising, runway, to_close, p, xp=np, to_window=0.0):
    """The distress the failure policy responds to this month: a failed attempt more recently than any round
    closed (:func:`distressed`), a raise that outlasts the cash (:func:`short_of_close`) or a wait for the next
    round's window that does (:func:`short_of_window`)."""
    short = short_of_close(raising, runway, to_close, p, xp=xp) | short_of_window(to_window, runway, p, xp=xp)
    return distressed(since_failed, since_closed, xp=xp) | short


def reinvesting(margin, burn_multiple, runway, p, xp=np):
    """Whether the reinvestment policy grows the plan (:class:`venturesim.team.policy.Reinvest`): last month's
    operating margin μ > μ* or the paces' burn multiple β < β* (an unset target: +inf / −inf, never), while
    runway > the reinvestment floor (profitable: +inf)."""
    efficient = (xp.asarray(margin) > p.target_margin) | (xp.asarray(burn_multiple) < p.target_burn_multiple)
    return efficient & (xp.asarray(runway) > p.reinvest_runway)


def growth_scale(scale, runway, distress, p, xp=np, reinvest=False):
    """The growth scale s for this month (:mod:`venturesim.team.policy`).

    In distress: 1. Else, while runway > the deploy threshold (use of funds) or while ``reinvest``
    (:func:`reinvesting`): s' = max(min(s (1 + step), S), s), S the growth ceiling (``max_scale``) or, while
    reinvesting, the reinvestment ceiling; else s. Outside distress s never falls.
    """
    deploy = (runway > p.deploy_runway) | reinvest
    ceiling = xp.where(reinvest, p.reinvest_max_scale, p.max_scale)
    grown = xp.maximum(xp.minimum(scale * (1.0 + p.growth_step), ceiling), scale)
    return xp.where(distress, 1.0, xp.where(deploy, grown, scale))


def operating_margin(revenue, net_burn, xp=np):
    """Operating margin of a month, (revenue − costs)/revenue = −B/revenue; −inf without revenue."""
    revenue = xp.asarray(revenue)
    return xp.where(revenue > 0, -xp.asarray(net_burn) / xp.where(revenue > 0, revenue, 1.0), -xp.inf)


def sale_terms(failed, arr, cash, growth, p, xp=np):
    """(probability, value USD) of a sale on a failed round (:class:`venturesim.team.policy.OnRoundFailure`).

    ``failed``: an attempt failed this month and no round closed (not bridged); ``growth``: the year-over-year
    ARR growth multiple (:func:`venturesim.funding.traction.growth_multiple`). A company with ARR ≥ the
    minimum growing ≥ the minimum is sold with probability q (0 elsewhere) at max(ARR × m, cash × F), USD;
    the exit rule (:func:`venturesim.funding.exits.exit_outcome`) draws it.
    """
    value = xp.maximum(arr * p.sale_multiple, xp.maximum(cash, 0.0) * p.sale_cash_floor)
    buyer = xp.asarray(failed) & has_traction(arr, growth, p.sale_min_arr, p.sale_min_growth)
    return xp.where(buyer, p.sell_probability, 0.0), value


def channel_scale(growth, distress, p, xp=np):
    """Multiplier of every channel budget this month: the growth scale, or the policy's cut in distress."""
    return xp.where(distress, p.distress_channel_scale, growth)


SCALE_ROUNDING = 5e-5
"""Relative margin of the scaled plan's rounding half up (:func:`scaled_plan`): x = (plan − base) · s rounds as
⌊x (1 + this) + ½⌋. The growth scale s compounds (1 + step) month after month from 1 or from a ceiling, so with
round numbers an exact half is a natural value — 10 hires × 3 × 1.05 = 31.5 (a scale held at the growth ceiling 3,
then one month of reinvestment) — and the kernel's float32 s sits a few ulps either side of the real value
(3 × 1.05f = 3.1499999 → 31.999998 → 31; the DES's float64 3.150000002 → 32). Each month of compounding moves
the float32 s from the float64 one by at most ~1.2·10⁻⁷ of itself (the roundings of 1 + step and of the
product; at a 5 % step 2·10⁻⁶ seen at most), so over 400 months under this margin: a half rounds up in both
engines, as the rule reads. Only an x within 5·10⁻⁵ of itself below a half rounds up where exact arithmetic
would round down."""


def scaled_plan(plan, base, scale, xp=np):
    """Role targets with the plan's hires scaled: base_k + ⌊(plan_k − base_k) s + ½⌋ where the plan is above its
    month-0 team base_k, else the plan (…, K); ``scale`` (…,). A half rounds up within float32 error of the
    scale (:data:`SCALE_ROUNDING`)."""
    s = xp.asarray(scale)[..., None]
    return xp.where(plan > base, base + xp.floor((plan - base) * s * (1.0 + SCALE_ROUNDING) + 0.5), plan)


def policy_cut(runway, net_burn, distress, since_layoff, employees, cap, floor, cost, p, xp=np):
    """(laid off (…, K), headcount cap (…, K), months since a layoff (…)): the policy's cut to a runway target.

    Due in distress when runway R < R* (``p.cut_runway``), the net burn B > 0 and the layoff cooldown has
    passed. The people above each role's floor (``cut_floor``, by default its month-0 plan: the starting team),
    e_k = max(N_k − floor_k, 0), are cut pro rata by
    f = min(B (1 − R/R*) / Σ e_k c_k, 1): n_k = ⌊f e_k + ½⌋; each role is then capped at what is left.
    """
    eligible = xp.maximum(employees - floor, 0.0)
    payroll = xp.sum(eligible * cost, axis=-1)
    due = distress & (runway < p.cut_runway) & (net_burn > 0) & (since_layoff >= p.layoff_cooldown) & (payroll > 0)
    wanted = net_burn * (1.0 - xp.clip(runway / xp.where(xp.isfinite(p.cut_runway), p.cut_runway, 1.0), 0.0, 1.0))
    fraction = xp.clip(wanted / xp.where(payroll > 0, payroll, 1.0), 0.0, 1.0)
    due_k = xp.asarray(due)[..., None]
    laid = xp.where(due_k, layoff_count(xp.asarray(fraction)[..., None], eligible, xp=xp), 0.0)
    cap = xp.where(due_k & (laid > 0), employees - laid, cap)
    return laid, cap, xp.where(due, 0.0, since_layoff)


def pay_cut_due(distress, runway, net_burn, p, xp=np):
    """Whether the roles' pay cut (``team.roles[].pay_cut_in_distress``) applies this month (…,): in distress, with
    runway R < R* (the failure policy's cut target, ``p.cut_runway``; −inf: never) and a net burn B > 0 — the
    months the cut to a runway target is due, its layoff cooldown aside."""
    return xp.asarray(distress) & (xp.asarray(runway) < p.cut_runway) & (xp.asarray(net_burn) > 0)


def paid_cost(cost, pay_cut, due, xp=np):
    """Loaded cost per person actually paid this month (…, K): c_k (1 − π_k) in a month the pay cut is
    ``due`` (:func:`pay_cut_due`), else c_k; π_k = ``pay_cut`` (…, K), the fraction of pay forgone. It is not
    paid back later (founders' deferred salary is often forgiven or turned into equity): an assumption."""
    return xp.where(xp.asarray(due)[..., None], cost * (1.0 - pay_cut), cost)


def hiring_freeze(runway, distress, p, raising=False):
    """A hiring freeze this month (…,): runway < the freeze threshold, in distress under the freeze policy,
    or — ``raising`` — a round being raised with runway below the hold threshold
    (:class:`venturesim.team.policy.Growth`)."""
    held = raising & (runway < p.hold_raising_runway)
    return (runway < p.freeze_runway) | (distress & (p.freeze_after_failure > 0)) | held


def openings(target, employees, open_reqs, runway, cost, budget, p, xp=np, distress=False, raising=False):
    """(openings (…, K), hiring freeze (…)) at a month start: gap = max(target − N − open, 0), none in a
    freeze (runway < threshold, in distress under the freeze policy, or — ``raising`` — a round being raised with
    runway below the hold threshold, :class:`venturesim.team.policy.Growth`), at most M per role with a time to
    fill, within the payroll budget (:func:`budget_openings`, people employed and in the pipeline committed)."""
    frozen = hiring_freeze(runway, distress, p, xp.asarray(raising))
    delayed = p.time_to_fill > 0
    gap = xp.maximum(target - employees - open_reqs, 0.0)
    gap = xp.where(xp.asarray(frozen)[..., None], 0.0, gap)
    gap = xp.where(delayed, xp.minimum(gap, p.slots.shape[-1]), gap)
    committed = xp.sum((employees + open_reqs) * cost, axis=-1)
    return budget_openings(gap, cost, committed, budget, xp=xp), frozen


def pool_grants(hires, equity_grant, pool, xp=np):
    """(granted (…, K), scale (…)): each hire of role k gets g_k, all scaled by max(pool, 0)/Σ wanted when
    Σ wanted exceeds the pool (pro rata)."""
    wanted = hires * equity_grant
    total = xp.sum(wanted, axis=-1)
    scale = xp.where((total > pool) & (total > 0), xp.maximum(pool, 0.0) / xp.maximum(total, 1e-30), 1.0)
    return wanted * xp.asarray(scale)[..., None], scale
