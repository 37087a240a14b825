"""Risks: a catalogue of risk events, correlated arrivals, impacts on parameters, mitigations.

See :mod:`venturesim.risks.schema` for the scenario section,
:mod:`venturesim.risks.draws` for arrivals and dependence,
:mod:`venturesim.risks.apply` for how events change the parameters, and
``docs/model/risks.md`` for the catalogue.
"""

from venturesim.risks.apply import HOOK_TARGETS, Adjustment, RiskHooks, RiskRecord, adjust, apply_risks, empty_record
from venturesim.risks.catalog import catalog, catalog_risk
from venturesim.risks.draws import (
    RiskDraws,
    arrival_times,
    event_windows,
    occurrence_correlation,
    occurrence_probability,
    sample_risks,
)
from venturesim.risks.events import event_table, last_risk_before_death, risks_before_death
from venturesim.risks.process import describe_event, risk_events
from venturesim.risks.schema import TARGETS, Impact, Mitigation, Raises, Risk, Risks

__all__ = [
    "HOOK_TARGETS",
    "TARGETS",
    "Adjustment",
    "Impact",
    "Mitigation",
    "Raises",
    "Risk",
    "RiskDraws",
    "RiskHooks",
    "RiskRecord",
    "Risks",
    "adjust",
    "apply_risks",
    "arrival_times",
    "catalog",
    "catalog_risk",
    "describe_event",
    "empty_record",
    "event_table",
    "event_windows",
    "last_risk_before_death",
    "occurrence_correlation",
    "occurrence_probability",
    "risk_events",
    "risks_before_death",
    "sample_risks",
]
