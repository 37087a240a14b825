"""Partnerships: partner types, search and negotiation, signing odds from traction and fit, effects, partner risk.

See :mod:`venturesim.partnerships.schema` (scenario section),
:mod:`venturesim.partnerships.terms` (the arithmetic both engines share),
:mod:`venturesim.partnerships.step` (JAX kernel),
:mod:`venturesim.partnerships.process` (SimPy processes) and
``docs/model/partnerships.md``.
"""

from venturesim.partnerships.catalog import PartnerType, partner_type, partner_types, resolved_field
from venturesim.partnerships.params import PartnerParams, sample_partnerships
from venturesim.partnerships.process import PartnerBook, partner_month_des, partnership, start_partnerships
from venturesim.partnerships.schema import PARTNER_TYPES, Fit, FitWeights, Partner, Partnerships
from venturesim.partnerships.step import PartnerState, init_partnerships, step_partnerships
from venturesim.partnerships.terms import (
    ACTIVE,
    ENDED,
    FAILED,
    NEGOTIATING,
    SEARCHING,
    STATUS_NAMES,
    WAITING,
    PartnerMonth,
    concentration,
    month_accounting,
    revenue_share_amount,
    sign_probability,
)

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
