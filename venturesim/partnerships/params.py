"""Per-path partnership parameters, including the pre-drawn process noise.

Shapes: P partners, A = the most attempts of any partner, S segments.

Inputs (drawn once per path, recorded under ``partnerships.partners.<name>.<field>``,
the names overrides and correlations use): the fit criteria, p₀, the
termination probability, the retry delay and every effect.

Process noise is drawn here too, per path and attempt, from the same
sampler under ``partnerships.<name>.search.<a>``, ``.negotiation.<a>``,
``.sign.<a>`` and ``.termination`` (not recorded as inputs): the search and
negotiation durations (quantiles of their specs), the uniform u_a that
decides attempt a (signed iff u_a < p), and the partner's lifetime once
active, min(contract, e/λ) with e ~ Exp(1) and λ = −ln(1 − p_term)/12 per
month. Both engines read the same numbers, so the JAX kernel and the SimPy
processes tell the same story for a path (up to float32 rounding); the JAX
kernel needs no random key of its own.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import log_ndtr, logit, ndtr

from venturesim.partnerships.catalog import partner_type, resolved_field
from venturesim.partnerships.schema import Partnerships
from venturesim.spec.distributions import Spec
from venturesim.spec.sampling import Sampler

__all__ = ["PartnerParams", "sample_partnerships"]


class PartnerParams(NamedTuple):
    """Partnership inputs for a block of paths ((paths, P) unless noted).

    start : month the first search starts.
    search, negotiation : (paths, P, A) months of each attempt's search and negotiation.
    sign_u : (paths, P, A) uniforms deciding each attempt.
    retry_delay : months from a failed decision to the next search.
    max_attempts : attempts allowed.
    base_logit : logit p₀ + β_fit (F − ½).
    fit : the fit score F in [0, 1].
    reference_arr : USD (+∞: traction does not matter); traction_elasticity : ε.
    lifetime : months a signed partnership lasts (+∞: open-ended, never terminated).
    by_contract : 1 when the lifetime is the contract's end, 0 when the partner terminates first.
    segment : (paths, P, S) 1 for the segments the partner works with.
    has_segment : 1 when the partner names a segment.
    adoption, revenue_share, compute_credits (USD), loss_reduction (nats/token),
    monthly_cost (USD/month), signing_cost (USD), churn_on_exit, concentration_limit : the effects.
    """

    start: np.ndarray
    search: np.ndarray
    negotiation: np.ndarray
    sign_u: np.ndarray
    retry_delay: np.ndarray
    max_attempts: np.ndarray
    base_logit: np.ndarray
    fit: np.ndarray
    reference_arr: np.ndarray
    traction_elasticity: np.ndarray
    lifetime: np.ndarray
    by_contract: np.ndarray
    segment: np.ndarray
    has_segment: np.ndarray
    adoption: np.ndarray
    revenue_share: np.ndarray
    compute_credits: np.ndarray
    loss_reduction: np.ndarray
    monthly_cost: np.ndarray
    signing_cost: np.ndarray
    churn_on_exit: np.ndarray
    concentration_limit: np.ndarray


def _noise(sampler: Sampler, spec, name: str) -> np.ndarray:
    """Process noise: the spec's quantile at Φ(z) of stream ``name`` (not recorded as an input)."""
    if not isinstance(spec, Spec):
        return np.full(sampler.n, float(spec))
    return spec.ppf(ndtr(sampler.standard_normal(name)))


def sample_partnerships(section: Partnerships | None, sampler: Sampler, segments: list[str]) -> PartnerParams:
    """Draw the partnership inputs and noise for ``sampler``'s paths (None: no partners, P = 0)."""
    partners = [] if section is None else section.partners
    n, n_seg = sampler.n, len(segments)
    attempts = max((p.max_attempts for p in partners), default=1)
    weights = section.fit_weights.normalised() if section is not None and partners else {}
    columns: dict[str, list] = {f: [] for f in PartnerParams._fields}
    for partner in partners:
        key, noise = f"partnerships.partners.{partner.name}", f"partnerships.{partner.name}"
        kind = partner_type(partner.type)

        def field(name, partner=partner, key=key):
            return sampler.scalar(resolved_field(partner, name), f"{key}.{name}")

        per_attempt = {
            part: np.stack(
                [
                    _noise(sampler, resolved_field(partner, f"{part}_months"), f"{noise}.{part}.{a}")
                    if a < partner.max_attempts
                    else np.full(n, np.inf)
                    for a in range(attempts)
                ],
                axis=1,
            )
            for part in ("search", "negotiation")
        }
        u = np.stack(
            [
                ndtr(sampler.standard_normal(f"{noise}.sign.{a}")) if a < partner.max_attempts else np.ones(n)
                for a in range(attempts)
            ],
            axis=1,
        )
        fit = sum(w * sampler.scalar(getattr(partner.fit, c), f"{key}.fit.{c}") for c, w in weights.items())
        p0 = field("signing_probability")
        with np.errstate(divide="ignore"):
            base = logit(np.clip(p0, 0.0, 1.0)) + partner.fit_sensitivity * (fit - 0.5)
        p_term = field("termination_annual")
        rate = -np.log1p(-p_term) / 12.0
        with np.errstate(divide="ignore"):
            life = np.where(
                rate > 0,
                -log_ndtr(-sampler.standard_normal(f"{noise}.termination")) / np.where(rate > 0, rate, 1.0),
                np.inf,
            )
        contract = partner.contract_months if partner.contract_months is not None else kind.contract_months
        contract = np.inf if contract == "open" else float(contract)
        if partner.segment is not None and partner.segment not in segments:
            raise ValueError(f"partner {partner.name!r} names segment {partner.segment!r}; the segments are {segments}")
        mask = np.ones(n_seg) if partner.segment is None else (np.arange(n_seg) == segments.index(partner.segment))
        values = {
            "start": np.full(n, partner.start_month),
            "search": per_attempt["search"],
            "negotiation": per_attempt["negotiation"],
            "sign_u": u,
            "retry_delay": sampler.scalar(partner.retry_delay_months, f"{key}.retry_delay_months"),
            "max_attempts": np.full(n, float(partner.max_attempts)),
            "base_logit": base,
            "fit": fit,
            "reference_arr": np.full(n, np.inf if partner.reference_arr is None else partner.reference_arr),
            "traction_elasticity": sampler.scalar(partner.traction_elasticity, f"{key}.traction_elasticity"),
            "lifetime": np.minimum(contract, life),
            "by_contract": (contract <= life).astype(np.float64),
            "segment": np.broadcast_to(mask.astype(np.float64), (n, n_seg)),
            "has_segment": np.full(n, float(partner.segment is not None)),
            "adoption": field("adoption_multiplier"),
            "revenue_share": field("revenue_share"),
            "compute_credits": field("compute_credits"),
            "loss_reduction": field("loss_reduction"),
            "monthly_cost": field("monthly_cost"),
            "signing_cost": field("signing_cost"),
            "churn_on_exit": field("churn_on_exit"),
            "concentration_limit": np.full(n, partner.concentration_limit),
        }
        for name, value in values.items():
            columns[name].append(np.asarray(value, np.float64))

    def stack(name: str, tail: tuple[int, ...] = ()) -> np.ndarray:
        if columns[name]:
            return np.stack(columns[name], axis=1)
        return np.zeros((n, 0) + tail)

    return PartnerParams(
        **{
            name: stack(
                name,
                (attempts,) if name in ("search", "negotiation", "sign_u") else (n_seg,) if name == "segment" else (),
            )
            for name in PartnerParams._fields
        }
    )
