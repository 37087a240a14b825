"""Partnerships: partner types, search and negotiation, signing odds from traction and fit, effects, partner risk.

See :mod:`venturesim.partnerships.schema` (scenario section),
:mod:`venturesim.partnerships.terms` (the arithmetic both engines share),
:mod:`venturesim.partnerships.step` (JAX kernel),
:mod:`venturesim.partnerships.process` (SimPy processes) and
``docs/model/partnerships.md``.
"""

from venturesim._lazy import lazy_exports as _lazy_exports

_EXPORTS = {
    "PartnerType": "venturesim.partnerships.catalog",
    "partner_type": "venturesim.partnerships.catalog",
    "partner_types": "venturesim.partnerships.catalog",
    "resolved_field": "venturesim.partnerships.catalog",
    "PartnerParams": "venturesim.partnerships.params",
    "sample_partnerships": "venturesim.partnerships.params",
    "PartnerBook": "venturesim.partnerships.process",
    "partner_month_des": "venturesim.partnerships.process",
    "partnership": "venturesim.partnerships.process",
    "start_partnerships": "venturesim.partnerships.process",
    "PARTNER_TYPES": "venturesim.partnerships.schema",
    "Fit": "venturesim.partnerships.schema",
    "FitWeights": "venturesim.partnerships.schema",
    "Partner": "venturesim.partnerships.schema",
    "Partnerships": "venturesim.partnerships.schema",
    "PartnerState": "venturesim.partnerships.step",
    "init_partnerships": "venturesim.partnerships.step",
    "step_partnerships": "venturesim.partnerships.step",
    "ACTIVE": "venturesim.partnerships.terms",
    "ENDED": "venturesim.partnerships.terms",
    "FAILED": "venturesim.partnerships.terms",
    "NEGOTIATING": "venturesim.partnerships.terms",
    "SEARCHING": "venturesim.partnerships.terms",
    "STATUS_NAMES": "venturesim.partnerships.terms",
    "WAITING": "venturesim.partnerships.terms",
    "PartnerMonth": "venturesim.partnerships.terms",
    "concentration": "venturesim.partnerships.terms",
    "month_accounting": "venturesim.partnerships.terms",
    "revenue_share_amount": "venturesim.partnerships.terms",
    "sign_probability": "venturesim.partnerships.terms",
}
"""Each public name and the module that defines it; imported on first use (:mod:`venturesim._lazy`)."""

__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS)

__all__ = [
    "ACTIVE",
    "ENDED",
    "FAILED",
    "NEGOTIATING",
    "PARTNER_TYPES",
    "SEARCHING",
    "STATUS_NAMES",
    "WAITING",
    "Fit",
    "FitWeights",
    "Partner",
    "PartnerBook",
    "PartnerMonth",
    "PartnerParams",
    "PartnerState",
    "PartnerType",
    "Partnerships",
    "concentration",
    "init_partnerships",
    "month_accounting",
    "partner_month_des",
    "partner_type",
    "partner_types",
    "partnership",
    "resolved_field",
    "revenue_share_amount",
    "sample_partnerships",
    "sign_probability",
    "start_partnerships",
    "step_partnerships",
]
