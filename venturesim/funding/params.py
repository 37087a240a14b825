"""Per-path funding-round parameters drawn from the scenario."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import ndtr

from venturesim.funding.instruments import KINDS, NOTE, PRICED
from venturesim.funding.schema import Funding, Round, Traction
from venturesim.funding.shares.waterfall import CAPPED, FULL, NONE
from venturesim.funding.traction import dilution_ratio
from venturesim.spec.sampling import Sampler

if TYPE_CHECKING:
    from venturesim.team.policy import OnRoundFailure


class FundingParams(NamedTuple):
    """Round inputs for a block of paths; (paths, R) with R = rounds unless noted.

    The round axis is :meth:`venturesim.funding.schema.Funding.class_names`:
    each round, with its bridge SAFE (if it has one) right after it. A bridge
    never starts on its own (``bridge_of`` ≥ 0, trigger −∞); its ``pre_money`` is
    the cap factor applied to the failed attempt's pre-money. For a SAFE round
    ``pre_money`` holds the post-money valuation cap.

    ``reference_arr`` is +inf for a round with ``traction: off`` (and a bridge), the block's for a round
    with a traction block, else pre-money / ``pricing.arr_multiple``; ``arr_floor`` is φ of
    :func:`venturesim.funding.terms.attempt_terms` (0.01 with a block, 1 by default); ``min_amount_ratio``
    and ``max_amount_ratio`` bound an attempt's amount per dollar of pre-money
    (:func:`venturesim.funding.traction.round_amount`; 0 and +inf: no bound); ``milestone_arr``
    +inf without a milestone; ``pool_target`` −1 without a pool top-up;
    ``participation`` is :data:`venturesim.funding.shares.waterfall.NONE`/``FULL``/``CAPPED``.
    Debt facilities are (paths, D), grants (paths, G).
    """

    trigger_runway: np.ndarray  # months
    earliest_month: np.ndarray  # month
    success_probability: np.ndarray
    pre_money: np.ndarray  # USD
    amount: np.ndarray  # USD
    time_to_close: np.ndarray  # months
    max_attempts: np.ndarray
    retry_delay: np.ndarray  # months
    down_round_factor: np.ndarray
    milestone_arr: np.ndarray  # USD
    reference_arr: np.ndarray  # USD
    success_elasticity: np.ndarray
    valuation_elasticity: np.ndarray
    arr_floor: np.ndarray  # φ: ARR below φ × the reference scores as φ × the reference
    momentum_weight: np.ndarray  # 1: growth and burn multiple count (funding.traction); 0: ARR alone
    min_amount_ratio: np.ndarray  # amount ≥ this × the attempt's pre-money
    max_amount_ratio: np.ndarray  # amount ≤ this × the attempt's pre-money
    growth_reference: np.ndarray  # (paths,) YoY growth multiple at which growth is neutral
    burn_multiple_reference: np.ndarray  # (paths,) burn multiple at which efficiency is neutral
    preference: np.ndarray  # multiple of the amount
    participation: np.ndarray
    cap_multiple: np.ndarray
    seniority: np.ndarray
    pool_target: np.ndarray  # fraction of the post-money
    climate: np.ndarray  # (paths, T)
    acquisition_hazard: np.ndarray  # (paths,) annual probability at the reference ARR (0: no acquisitions)
    acquisition_reference_arr: np.ndarray  # (paths,) USD
    acquisition_elasticity: np.ndarray  # (paths,)
    acquisition_multiple: np.ndarray  # (paths,) × ARR
    ipo_threshold: np.ndarray  # (paths,) USD (+inf: no IPO)
    ipo_multiple: np.ndarray  # (paths,) × ARR
    acquihire_probability: np.ndarray  # (paths,)
    acquihire_value_per_head: np.ndarray  # (paths,) USD
    asset_sale: np.ndarray  # (paths,) USD
    is_safe: np.ndarray  # 1.0 for a round that is not priced (a SAFE, a note or a bridge): it closes outstanding
    kind: np.ndarray  # funding.instruments.PRICED / POST_SAFE / PRE_SAFE / NOTE
    interest_rate: np.ndarray  # a note's annual simple interest (0 otherwise)
    maturity: np.ndarray | None  # a note's term, months (+inf otherwise); None without a note (no maturity compiled)
    repay_at_maturity: np.ndarray  # 1.0: a note is repaid at maturity; 0.0: it converts at its cap price
    mfn: np.ndarray  # 1.0: a SAFE with an MFN side letter
    pro_rata: np.ndarray  # 1.0: the round's investors hold a pro rata right and exercise it (drawn per path)
    discount: np.ndarray | None  # a SAFE's discount to the next priced round's price; None when every round is
    # priced: no instrument is ever outstanding, and the kernel compiles no conversion of instruments
    bridge_of: np.ndarray  # index of the round a bridge follows (−1: a round raised in order)
    debt_amount: np.ndarray  # (paths, D) USD
    debt_draw_month: np.ndarray  # (paths, D) month (+inf: drawn with a round)
    debt_round: np.ndarray  # (paths, D) index of the round it is drawn with (−1: at a month)
    debt_rate: np.ndarray  # (paths, D) annual interest rate
    debt_interest_only: np.ndarray  # (paths, D) months
    debt_amortization: np.ndarray  # (paths, D) months
    debt_warrants: np.ndarray  # (paths, D) warrant coverage, fraction of the amount
    debt_min_cash: np.ndarray  # (paths, D) USD covenant (−inf: none)
    grant_month: np.ndarray  # (paths, G) month the grant is paid (−1: not awarded)
    grant_amount: np.ndarray  # (paths, G) USD
    retry_min_arr: np.ndarray  # (paths,) USD: an abandoned round is retried at this ARR… (+inf: never)
    retry_min_growth: np.ndarray  # (paths,) … growing this multiple a year (policy.on_round_failure)
    waive_min_arr: np.ndarray  # (paths,) USD: earliest_month does not hold at this ARR… (+inf: always holds)
    waive_min_growth: np.ndarray  # (paths,) … growing this multiple a year


def _bridge_round(parent: Round) -> Round:
    """A parent round's bridge as a round of the round axis (never raised on its own).

    Its ``pre_money`` is the cap factor (the engines multiply it by the failed
    attempt's pre-money) and its ``success_probability`` the insiders' probability.
    """
    b = parent.bridge
    assert b is not None, f"round {parent.name} has no bridge"
    return Round.model_construct(
        name=f"{parent.name}_bridge",
        instrument="safe",
        trigger_runway_months=-float("inf"),
        earliest_month=0,
        success_probability=b.probability,
        pre_money=b.valuation_cap_factor,
        amount=b.amount,
        time_to_close_months=0.0,
        max_attempts=1,
        retry_delay_months=0.0,
        down_round_factor=1.0,
        start_when_arr_at_least=None,
        traction=None,
        liquidation_preference=1.0,
        participation="none",
        participation_cap=3.0,
        seniority=parent.seniority,
        option_pool_post=None,
        discount=b.discount,
        valuation_cap=None,
        bridge=None,
        interest_annual=None,
        maturity_months=None,
        at_maturity=None,
        mfn=False,
        pro_rata=None,
    )


def _round_axis(funding: Funding) -> list[tuple[Round, str, int]]:
    """(round, its input path prefix, parent index or −1) along the engines' round axis."""
    axis = []
    for r in funding.rounds:
        axis.append((r, f"funding.rounds.{r.name}", -1))
        if r.bridge is not None:
            axis.append((_bridge_round(r), f"funding.rounds.{r.name}.bridge", len(axis) - 1))
    return axis


_BRIDGE_FIELDS = {"success_probability": "probability", "amount": "amount"}
"""A bridge round's uncertain inputs and their names in the parent round's ``bridge`` block."""


def sample_funding(
    funding: Funding, sampler: Sampler, months: int, on_failure: OnRoundFailure | None = None
) -> FundingParams:
    """Draw each round's inputs (R may be 0: then every array is (paths, 0)), debt, grants and the exits'.

    ``on_failure``: the failure policy (:class:`venturesim.team.policy.OnRoundFailure`) whose traction bars
    reopen an abandoned round and waive a round's earliest month (:func:`venturesim.funding.rounds.start_due`;
    None: its defaults, neither)."""
    axis = _round_axis(funding)

    def per_round(field):
        columns = []
        for r, prefix, parent in axis:
            cap = field == "pre_money" and r.instrument != "priced" and parent < 0  # a SAFE's or note's cap prices it
            spec = r.valuation_cap if cap else getattr(r, field)
            # a round's inputs are named by its own fields (the --set and correlations names); a bridge's by
            # the fields of the parent round's ``bridge`` block
            own = "valuation_cap" if cap else field
            name = f"{prefix}.{_BRIDGE_FIELDS.get(field, own) if parent >= 0 else own}"
            columns.append(
                sampler.scalar(spec, name) if parent < 0 or field in _BRIDGE_FIELDS else np.full(sampler.n, float(spec))
            )
        return np.stack(columns, axis=1) if columns else np.zeros((sampler.n, 0))

    def fixed(field, value=None):
        values = [float(getattr(r, field) if value is None else value(r)) for r, _, _ in axis]
        return np.broadcast_to(np.asarray(values).reshape(-1), (sampler.n, len(axis)))

    def side_letters():
        """(interest (paths, R), pro rata exercised (paths, R)): a note's drawn rate; each pro rata right's
        exercise, a per-path draw of its probability (like a grant's award)."""
        rates, exercised = [], []
        for r, prefix, parent in axis:
            rate = r.interest_annual if parent < 0 and r.interest_annual is not None else 0.0
            rates.append(sampler.scalar(rate, f"{prefix}.interest_annual"))
            if r.pro_rata is None or parent >= 0:
                exercised.append(np.zeros(sampler.n))
                continue
            p = sampler.scalar(r.pro_rata.probability, f"{prefix}.pro_rata.probability")
            u = ndtr(sampler.standard_normal(f"{prefix}.pro_rata.exercised"))
            exercised.append((u < p).astype(float))
        if not axis:
            return np.zeros((sampler.n, 0)), np.zeros((sampler.n, 0))
        return np.stack(rates, axis=1), np.stack(exercised, axis=1)

    def per_debt(field, value=None):
        columns = [
            sampler.scalar(getattr(d, field), f"funding.venture_debt.{d.name}.{field}")
            if value is None
            else np.full(sampler.n, float(value(d)))
            for d in funding.venture_debt
        ]
        return np.stack(columns, axis=1) if columns else np.zeros((sampler.n, 0))

    def grants():
        months_paid, amounts = [], []
        for g in funding.grants:
            prefix = f"funding.grants.{g.name}"
            awarded = ndtr(sampler.standard_normal(f"{prefix}.awarded")) < sampler.scalar(
                g.probability, f"{prefix}.probability"
            )
            months_paid.append(np.where(awarded, float(g.month), -1.0))
            amounts.append(sampler.scalar(g.amount, f"{prefix}.amount"))
        if not funding.grants:
            return np.zeros((sampler.n, 0)), np.zeros((sampler.n, 0))
        return np.stack(months_paid, axis=1), np.stack(amounts, axis=1)

    pricing = funding.pricing

    def traction(field, default):
        """A traction field per round: off (and bridges) ``default``, a block's value (drawn per path, named
        ``funding.rounds.R.traction.FIELD``), else the pricing's."""

        def column(r, prefix):
            if r.traction == "off" or r.trigger_runway_months == -float("inf"):
                return np.full(n, default)
            if r.traction is None:
                return np.full(n, float(getattr(pricing, field)))
            return sampler.scalar(getattr(r.traction, field), f"{prefix}.traction.{field}")

        columns = [column(r, prefix) for r, prefix, _ in axis]
        return np.stack(columns, axis=1) if columns else np.zeros((n, 0))

    def by_mode(off, block, default):
        return fixed(
            "name",
            lambda r: (
                off
                if r.traction == "off" or r.trigger_runway_months == -float("inf")
                else (block if r.traction is not None else default)
            ),
        )

    inf = float("inf")
    exits, n = funding.exits, sampler.n
    retry = on_failure and on_failure.retry_abandoned_with_traction
    waive = on_failure and on_failure.waive_earliest_month_with_traction

    def bar(block, field, off):
        """A traction bar's threshold (paths,), ``off`` without the block."""
        return np.full(n, off if block is None else float(getattr(block, field)))

    acquisition, ipo, shutdown = exits.acquisition, exits.ipo, exits.shutdown
    participation = {"none": NONE, "full": FULL, "capped": CAPPED}
    names = funding.class_names()
    grant_month, grant_amount = grants()

    pre_money = per_round("pre_money")
    interest_rate, pro_rata = side_letters()
    default_mode = by_mode(0.0, 0.0, 1.0) > 0
    block_reference = fixed("name", lambda r: r.traction.reference_arr if isinstance(r.traction, Traction) else inf)
    milestone = fixed(
        "start_when_arr_at_least", lambda r: inf if r.start_when_arr_at_least is None else r.start_when_arr_at_least
    )
    kind = fixed("instrument", lambda r: KINDS.index(r.instrument))
    priced = kind == PRICED
    adjusts = priced & (by_mode(0.0, 1.0, 1.0) > 0)
    return FundingParams(
        trigger_runway=per_round("trigger_runway_months"),
        earliest_month=fixed("earliest_month"),
        success_probability=per_round("success_probability"),
        pre_money=pre_money,
        amount=per_round("amount"),
        time_to_close=per_round("time_to_close_months"),
        max_attempts=fixed("max_attempts"),
        retry_delay=per_round("retry_delay_months"),
        down_round_factor=fixed("down_round_factor"),
        milestone_arr=np.where(
            default_mode & pricing.raise_at_reference_arr & ~np.isfinite(milestone),
            pre_money / pricing.arr_multiple,
            milestone,
        ),
        reference_arr=np.where(default_mode, pre_money / pricing.arr_multiple, block_reference),
        success_elasticity=traction("success_elasticity", 0.0),
        valuation_elasticity=traction("valuation_elasticity", 0.0),
        arr_floor=by_mode(0.01, 0.01, 1.0),
        momentum_weight=fixed("name", lambda r: float(not isinstance(r.traction, Traction) or r.traction.momentum)),
        min_amount_ratio=np.where(adjusts, dilution_ratio(pricing.min_dilution), 0.0),
        max_amount_ratio=np.where(adjusts, dilution_ratio(pricing.max_dilution), inf),
        growth_reference=np.full(n, pricing.growth_reference),
        burn_multiple_reference=np.full(n, pricing.burn_multiple_reference),
        preference=fixed("liquidation_preference"),
        participation=fixed("participation", lambda r: participation[r.participation]),
        cap_multiple=fixed("participation_cap"),
        seniority=fixed("seniority"),
        pool_target=fixed("option_pool_post", lambda r: -1.0 if r.option_pool_post is None else r.option_pool_post),
        climate=sampler.series(funding.climate, "funding.climate", months),
        acquisition_hazard=np.zeros(n)
        if acquisition is None
        else sampler.scalar(acquisition.hazard_annual, "funding.exits.acquisition.hazard_annual"),
        acquisition_reference_arr=np.full(n, 1.0 if acquisition is None else acquisition.reference_arr),
        acquisition_elasticity=np.zeros(n)
        if acquisition is None
        else sampler.scalar(acquisition.arr_elasticity, "funding.exits.acquisition.arr_elasticity"),
        acquisition_multiple=np.zeros(n)
        if acquisition is None
        else sampler.scalar(acquisition.arr_multiple, "funding.exits.acquisition.arr_multiple"),
        ipo_threshold=np.full(n, inf if ipo is None else ipo.arr_threshold),
        ipo_multiple=np.zeros(n) if ipo is None else sampler.scalar(ipo.arr_multiple, "funding.exits.ipo.arr_multiple"),
        acquihire_probability=sampler.scalar(
            shutdown.acquihire_probability, "funding.exits.shutdown.acquihire_probability"
        ),
        acquihire_value_per_head=sampler.scalar(
            shutdown.acquihire_value_per_head, "funding.exits.shutdown.acquihire_value_per_head"
        ),
        asset_sale=sampler.scalar(shutdown.asset_sale, "funding.exits.shutdown.asset_sale"),
        is_safe=fixed("instrument", lambda r: r.instrument != "priced"),
        kind=kind,
        interest_rate=interest_rate,
        maturity=fixed(
            "maturity_months",
            lambda r: (24 if r.maturity_months is None else r.maturity_months) if r.instrument == "note" else inf,
        )
        if np.any(kind == NOTE)
        else None,
        repay_at_maturity=fixed("at_maturity", lambda r: r.at_maturity == "repay"),
        mfn=fixed("mfn"),
        pro_rata=pro_rata,
        discount=fixed("discount") if np.any(kind != PRICED) else None,
        bridge_of=np.broadcast_to(np.asarray([float(parent) for _, _, parent in axis]).reshape(-1), (n, len(axis))),
        debt_amount=per_debt("amount"),
        debt_draw_month=per_debt("draw_month", lambda d: inf if d.draw_month is None else d.draw_month),
        debt_round=per_debt("with_round", lambda d: -1 if d.with_round is None else names.index(d.with_round)),
        debt_rate=per_debt("interest_annual"),
        debt_interest_only=per_debt("interest_only_months", lambda d: d.interest_only_months),
        debt_amortization=per_debt("amortization_months", lambda d: d.amortization_months),
        debt_warrants=per_debt("warrant_coverage", lambda d: d.warrant_coverage),
        debt_min_cash=per_debt("min_cash", lambda d: -inf if d.min_cash is None else d.min_cash),
        grant_month=grant_month,
        grant_amount=grant_amount,
        retry_min_arr=bar(retry, "min_arr", inf),
        retry_min_growth=bar(retry, "min_growth", 0.0),
        waive_min_arr=bar(waive, "min_arr", inf),
        waive_min_growth=bar(waive, "min_growth", 0.0),
    )
