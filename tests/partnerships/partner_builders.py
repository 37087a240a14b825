"""Hand-built PartnerParams for the partnership tests (one value per partner, broadcast over paths)."""

import numpy as np

from venturesim.partnerships import PartnerParams

DEFAULTS = {
    "start": 0.0,
    "retry_delay": 1.0,
    "max_attempts": 1.0,
    "base_logit": 0.0,
    "fit": 0.5,
    "reference_arr": np.inf,
    "traction_elasticity": 0.5,
    "lifetime": np.inf,
    "by_contract": 1.0,
    "has_segment": 0.0,
    "adoption": 1.0,
    "revenue_share": 0.0,
    "compute_credits": 0.0,
    "loss_reduction": 0.0,
    "monthly_cost": 0.0,
    "signing_cost": 0.0,
    "churn_on_exit": 0.0,
    "concentration_limit": 0.3,
}


def partner_params(partners: list[dict], paths: int = 1, segments: int = 2, attempts: int = 1) -> PartnerParams:
    """PartnerParams with ``partners`` (each a dict of fields; search/negotiation/sign_u as lists per attempt,
    segment as an index or None for all)."""

    def column(field):
        return np.stack([np.full(paths, float(p.get(field, DEFAULTS[field]))) for p in partners], axis=1)

    def per_attempt(field, default):
        rows = []
        for p in partners:
            values = list(p.get(field, [default] * attempts))
            rows.append(np.array(values + [np.inf] * (attempts - len(values)), float))
        return np.broadcast_to(np.stack(rows), (paths, len(partners), attempts)).copy()

    masks = []
    for p in partners:
        seg = p.get("segment")
        masks.append(np.ones(segments) if seg is None else (np.arange(segments) == seg).astype(float))
    fields = {f: column(f) for f in DEFAULTS}
    fields["has_segment"] = np.stack([np.full(paths, float(p.get("segment") is not None)) for p in partners], axis=1)
    return PartnerParams(
        **fields,
        search=per_attempt("search", 1.0),
        negotiation=per_attempt("negotiation", 1.0),
        sign_u=per_attempt("sign_u", 0.0),
        segment=np.broadcast_to(np.stack(masks), (paths, len(partners), segments)).copy(),
    )
