"""The market: segments with Bass adoption, retention, channels and CAC, pricing, operating metrics.

The engines run :mod:`venturesim.market.step` (JAX) and
:mod:`venturesim.market.process` (DES); the other modules are the model's
building blocks and the operating-metric definitions (docs/model/market.md).
"""

from venturesim.market.adoption import (
    BassCoefficients, bass_adoption_rate, bass_peak_time, effective_bass, marketing_lift, quality_factor,
)
from venturesim.market.channels import (
    ChannelFlows, channel_cac, channel_month, expected_leads, funnel, marginal_cac,
)
from venturesim.market.metrics import (
    MrrBridge, arpa, arr, burn_multiple, burn_multiple_rating, cac, cac_payback_months, gross_margin,
    gross_revenue_retention, ltv, ltv_to_cac, mrr_bridge, net_revenue_retention, operating_metrics, rule_of_40,
)
from venturesim.market.pricing import (
    UnitEconomics, annual_prepaid_cash, competitor_cut_multiplier, expected_usage,
    serving_cost_per_customer, subscription_price, unit_economics, usage_growth,
)
from venturesim.market.retention import (
    FADER_HARDIE_2007, SbgFit, cohort_month, constant_survival, fit_sbg,
    sbg_churn_hazard, sbg_mean_lifetime, sbg_params, sbg_pmf, sbg_retention_rate, sbg_survival,
)
from venturesim.market.revenue import compounded_retention
from venturesim.market.schema import Market, Segment

__all__ = [
    "BassCoefficients", "bass_adoption_rate", "bass_peak_time", "effective_bass", "marketing_lift", "quality_factor",
    "ChannelFlows", "channel_cac", "channel_month", "expected_leads", "funnel", "marginal_cac",
    "MrrBridge", "arpa", "arr", "burn_multiple", "burn_multiple_rating", "cac", "cac_payback_months", "gross_margin",
    "gross_revenue_retention", "ltv", "ltv_to_cac", "mrr_bridge", "net_revenue_retention", "operating_metrics",
    "rule_of_40",
    "UnitEconomics", "annual_prepaid_cash", "competitor_cut_multiplier", "expected_usage",
    "serving_cost_per_customer", "subscription_price", "unit_economics", "usage_growth",
    "FADER_HARDIE_2007", "SbgFit", "cohort_month", "constant_survival",
    "fit_sbg", "sbg_churn_hazard", "sbg_mean_lifetime", "sbg_params", "sbg_pmf", "sbg_retention_rate",
    "sbg_survival",
    "Market", "Segment", "compounded_retention",
]
