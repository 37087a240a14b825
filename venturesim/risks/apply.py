"""Applying drawn risk events to the drawn parameters.

Risks are exogenous shocks with pre-drawn times (:mod:`venturesim.risks.draws`),
so they act on :class:`~venturesim.engine.params.Params` before either engine
runs: both engines see the same events and the monthly kernels are unchanged.

For each target x (a (paths, T[, S|R]) series), with the events e of every
risk impact on it, affected in the months of their window W_e = {t : ⌈τ_e⌉ ≤ t
< ⌈τ_e⌉ + d} (d = ∞ for a permanent impact, d = 1 for a one-off cost):

    x'(t) = clip( x(t) · Π_{e: t∈W_e} max(1 + (v − 1)·s_e, 0)  +  Σ_{e: t∈W_e} v·s_e ,  domain )

(multiply impacts in the product, add impacts in the sum; v the impact's
value, s_e the event's severity; an impact whose ``probability`` draw failed
contributes nothing). Domains: prices, costs, compute, p, q ≥ 0; churn and
probabilities in [0, 1]; the funding climate ≥ 10⁻⁶; the frontier loss ≥ 0.

``product.failure_probability`` is fixed per training run, so an event
changes the runs whose submit month lies in its window.

A target names a quantity, and an impact reaches every input that makes it
up: ``market.price``'s factors (multiply impacts) scale every pricing
component — the flat price, the price per seat, the tier prices and the price
per million tokens — while its add impacts (USD) shift the flat price only;
``company.compute``'s factors scale the compute line, the cost of training
runs in the months of the window and the serving cost per token (they are
accelerator rental prices; ``product.gpu_price``), its add impacts (USD) the
compute line only.

Parameters the engines hold without a month axis (``market.p``,
``market.q``, ``funding.success_probability``, ``team.attrition``,
``team.productivity``) are not changed in Params: their monthly scale and
shift are returned as :class:`RiskHooks` for the engines to apply with
:func:`adjust` (arrays have a month axis of length 1 when no risk touches them).

Bought mitigations cost ``cost_per_month`` from their start month, added to
``company.other_costs``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from venturesim._xp import month_of
from venturesim.risks.draws import RiskDraws, event_windows
from venturesim.risks.schema import ONE_OFF_TARGETS

__all__ = ["HOOK_TARGETS", "Adjustment", "RiskHooks", "RiskRecord", "adjust", "apply_risks", "empty_record"]

HOOK_TARGETS = {
    "market.p": "market_p",
    "market.q": "market_q",
    "funding.success_probability": "funding_success",
    "team.attrition": "team_attrition",
    "team.productivity": "team_productivity",
}
"""Targets applied by the engines through :class:`RiskHooks` (target → hook field)."""

_DOMAIN = {
    "market.price": (0.0, None),
    "market.churn": (0.0, 1.0),
    "market.p": (0.0, None),
    "market.q": (0.0, None),
    "funding.climate": (1e-6, None),
    "funding.success_probability": (0.0, 1.0),
    "company.other_costs": (0.0, None),
    "company.one_off_cost": (0.0, None),
    "company.compute": (0.0, None),
    "product.frontier_loss": (0.0, None),
    "product.failure_probability": (0.0, 1.0),
    "product.api_price": (0.0, None),
    "product.api_quality": (-np.inf, np.inf),
    "product.api_migration_cost": (0.0, None),
    "team.attrition": (0.0, None),
    "team.productivity": (0.0, None),
}
"""Where each target is clipped to after the impacts (low, high; None: unbounded)."""


class Adjustment(NamedTuple):
    """x'(t) = clip(x(t)·scale[:, t] + shift[:, t]); arrays (paths, T|1[, S|R])."""

    scale: np.ndarray
    shift: np.ndarray


class RiskHooks(NamedTuple):
    """Monthly adjustments of the parameters Params holds without a month axis.

    market_p, market_q : (paths, T|1, S) Bass p and q per month.
    funding_success : (paths, T|1, R) probability that an attempt resolving in month t closes.
    team_attrition : (paths, T|1) multiplier of every role's attrition hazard.
    team_productivity : (paths, T|1) multiplier of productive capacity.
    """

    market_p: Adjustment
    market_q: Adjustment
    funding_success: Adjustment
    team_attrition: Adjustment
    team_productivity: Adjustment


class RiskRecord(NamedTuple):
    """What the risks did, per path (K risks, E events, I impacts, T months); arrays only (a pytree).

    time : (paths, K, E) event times, months (+∞: none within the horizon).
    severity : (paths, K, E) severity after mitigations.
    occurs : (paths, K, E, I) 1 where the event brought impact i.
    value : (paths, K, I) impact values v drawn per path.
    added_costs : (paths, T) USD per month added to other costs (legal, one-off, mitigations).
    hooks : :class:`RiskHooks`.
    """

    time: np.ndarray
    severity: np.ndarray
    occurs: np.ndarray
    value: np.ndarray
    added_costs: np.ndarray
    hooks: RiskHooks


def adjust(adjustment: Adjustment, x, t, low: float | None = None, high: float | None = None, xp=np, row: bool = False):
    """Month t's adjusted value of ``x``: x·scale[t] + shift[t], clipped into [low, high].

    ``x`` is (paths[, S|R]) with (paths, T|1, …) hooks, or — ``row=True``, one path's row
    in the DES — (S|R,) or a scalar with (T|1, …) hooks. A month axis of length 1
    applies to every month. Works for numpy and jax.numpy (``xp``).
    """
    scale, shift = adjustment
    axis = 0 if row else 1
    value = x * month_of(scale, t, axis) + month_of(shift, t, axis)
    if low is not None or high is not None:
        value = xp.clip(value, low, high)
    return value


def _identity(n: int, extra: tuple[int, ...] = ()) -> Adjustment:
    return Adjustment(np.ones((n, 1) + extra), np.zeros((n, 1) + extra))


def _effects(draws: RiskDraws, target: str, months: int, width: int | None) -> Adjustment | None:
    """Total scale and shift of ``target``, (paths, T[, width]); None if no risk acts on it.

    ``width``: the target's segment/round axis (None: no such axis).
    """
    if not any(impact.target == target for risk in draws.risks for impact in risk.impacts):
        return None  # nothing acts on it: no (paths, T) arrays of ones to build
    n = draws.time.shape[0]
    shape = (n, months) + (() if width is None else (width,))
    scale, shift, touched = np.ones(shape), np.zeros(shape), False
    select = draws.segment if target.startswith("market.") else draws.round
    for k, risk in enumerate(draws.risks):
        for i, impact in enumerate(risk.impacts):
            if impact.target != target:
                continue
            touched = True
            duration = 1 if target in ONE_OFF_TARGETS else impact.duration_months
            inside = event_windows(draws.time[:, k], duration, months)  # (paths, E, T)
            s = draws.severity[:, k]  # (paths, E)
            v = draws.value[:, k, i][:, None]  # (paths, 1)
            live = draws.occurs[:, k, :, i] > 0  # (paths, E)
            if impact.mode == "multiply":
                factor = np.where(live, np.maximum(1.0 + (v - 1.0) * s, 0.0), 1.0)
                month_scale = np.prod(np.where(inside, factor[..., None], 1.0), axis=1)  # (paths, T)
                month_shift = np.zeros_like(month_scale)
            else:
                month_scale = np.ones((n, months))
                month_shift = np.sum(inside * np.where(live, v * s, 0.0)[..., None], axis=1)
            if width is not None:
                mask = np.ones(width, bool) if select[k, i] < 0 else np.arange(width) == select[k, i]
                month_scale = np.where(mask, month_scale[..., None], 1.0)
                month_shift = np.where(mask, month_shift[..., None], 0.0)
            scale *= month_scale
            shift += month_shift
    return Adjustment(scale, shift) if touched else None


def _apply(x: np.ndarray, effect: Adjustment | None, target: str) -> np.ndarray:
    if effect is None:
        return x
    low, high = _DOMAIN[target]
    value = np.asarray(x, np.float64) * effect.scale + effect.shift
    return np.clip(value, low, high).astype(np.asarray(x).dtype)


def _failure_probability(draws: RiskDraws, probability: np.ndarray, submit: np.ndarray) -> np.ndarray:
    """Runs submitted within an event's window get the event's change."""
    runs = probability.shape[1]
    if runs == 0:
        return probability
    scale, shift = np.ones(probability.shape), np.zeros(probability.shape)
    touched = False
    for k, risk in enumerate(draws.risks):
        for i, impact in enumerate(risk.impacts):
            if impact.target != "product.failure_probability":
                continue
            touched = True
            start = np.ceil(draws.time[:, k])[..., None]  # (paths, E, 1)
            inside = submit[:, None, :] >= start  # (paths, E, R)
            if impact.duration_months is not None:
                inside &= submit[:, None, :] < start + impact.duration_months
            if draws.run[k, i] >= 0:
                inside &= np.arange(runs) == draws.run[k, i]
            s, v = draws.severity[:, k][..., None], draws.value[:, k, i][:, None, None]
            live = (draws.occurs[:, k, :, i] > 0)[..., None] & inside
            if impact.mode == "multiply":
                scale *= np.prod(np.where(live, np.maximum(1.0 + (v - 1.0) * s, 0.0), 1.0), axis=1)
            else:
                shift += np.sum(np.where(live, v * s, 0.0), axis=1)
    if not touched:
        return probability
    return _apply(probability, Adjustment(scale, shift), "product.failure_probability")


def _vendor(draws: RiskDraws, product, months: int) -> dict:
    """A vendor's deprecation or repricing (``product.api_*`` targets) as the product's (paths, T) series: the
    price multiplier, the loss shift and the migration cost; the month rule applies them only while the
    product is served by a vendor's model (:func:`venturesim.model_costs.month_rules.month_figures`)."""
    out = {}
    for target, field in (
        ("product.api_price", "api_price"),
        ("product.api_quality", "api_loss_shift"),
        ("product.api_migration_cost", "api_migration"),
    ):
        effect = _effects(draws, target, months, None)
        if effect is not None:
            base = np.broadcast_to(getattr(product, field), effect.scale.shape)
            out[field] = _apply(base, effect, target)
    return out


def _hook(draws: RiskDraws, target: str, months: int, n: int, width: int | None) -> Adjustment:
    effect = _effects(draws, target, months, width)
    return effect if effect is not None else _identity(n, () if width is None else (width,))


def apply_risks(params, draws: RiskDraws, months: int | None = None):
    """Apply the drawn events to ``params``.

    Parameters
    ----------
    params : :class:`~venturesim.engine.params.Params` for the same paths as ``draws``.
    draws : from :func:`venturesim.risks.draws.sample_risks`.
    months : horizon T (default: ``draws.months``; must equal it).

    Returns
    -------
    (Params, RiskRecord)
        New Params (``_replace``; leaves keep their dtypes) and the record of
        events and engine hooks.
    """
    months = draws.months if months is None else int(months)
    if months != draws.months:
        raise ValueError(f"months(={months}) differs from the draws' horizon ({draws.months})")
    n = draws.time.shape[0]
    if params.company.other_costs.shape != (n, months):
        raise ValueError(
            f"params hold {params.company.other_costs.shape} other costs; the draws are for "
            f"{n} paths and {months} months"
        )
    m, f, c, p = params.market, params.funding, params.company, params.product
    segments, rounds = m.price.shape[-1], f.success_probability.shape[-1]

    other = _apply(c.other_costs, _effects(draws, "company.other_costs", months, None), "company.other_costs")
    one_off = _effects(draws, "company.one_off_cost", months, None)
    other = _apply(other, one_off, "company.other_costs")
    other = np.clip(np.asarray(other, np.float64) + draws.mitigation_cost, 0.0, None).astype(c.other_costs.dtype)
    compute = _effects(draws, "company.compute", months, None)
    company = c._replace(other_costs=other, compute=_apply(c.compute, compute, "company.compute"))
    price = _effects(draws, "market.price", months, segments)
    rates = None if price is None else Adjustment(price.scale, np.zeros_like(price.shift))  # the factors only
    market = m._replace(
        price=_apply(m.price, price, "market.price"),
        price_per_seat=_apply(m.price_per_seat, rates, "market.price"),
        tier_price=_apply(m.tier_price, rates, "market.price"),
        price_per_mtoken=_apply(m.price_per_mtoken, rates, "market.price"),
        churn=_apply(m.churn, _effects(draws, "market.churn", months, segments), "market.churn"),
    )
    funding = f._replace(climate=_apply(f.climate, _effects(draws, "funding.climate", months, None), "funding.climate"))
    product = p._replace(
        frontier_loss=_apply(
            p.frontier_loss, _effects(draws, "product.frontier_loss", months, None), "product.frontier_loss"
        ),
        failure_probability=_failure_probability(draws, p.failure_probability, np.asarray(p.submit, np.float64)),
        gpu_price=p.gpu_price
        if compute is None
        else _apply(p.gpu_price, compute._replace(shift=np.zeros_like(compute.shift)), "company.compute"),
        **_vendor(draws, p, months),
    )
    hooks = RiskHooks(
        market_p=_hook(draws, "market.p", months, n, segments),
        market_q=_hook(draws, "market.q", months, n, segments),
        funding_success=_hook(draws, "funding.success_probability", months, n, rounds),
        team_attrition=_hook(draws, "team.attrition", months, n, None),
        team_productivity=_hook(draws, "team.productivity", months, n, None),
    )
    record = RiskRecord(
        time=draws.time,
        severity=draws.severity,
        occurs=draws.occurs,
        value=draws.value,
        added_costs=np.asarray(other, np.float64) - np.asarray(c.other_costs, np.float64),
        hooks=hooks,
    )
    new = params._replace(company=company, market=market, funding=funding, product=product)
    return new, record


def empty_record(n: int, months: int, segments: int, rounds: int) -> RiskRecord:
    """The record of a scenario without risks (K = 0), with identity hooks."""
    return RiskRecord(
        time=np.full((n, 0, 1), np.inf),
        severity=np.zeros((n, 0, 1)),
        occurs=np.zeros((n, 0, 1, 1)),
        value=np.zeros((n, 0, 1)),
        added_costs=np.zeros((n, months)),
        hooks=RiskHooks(
            _identity(n, (segments,)), _identity(n, (segments,)), _identity(n, (rounds,)), _identity(n), _identity(n)
        ),
    )
