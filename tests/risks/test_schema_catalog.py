"""The risks section and the catalogue: resolution, validation messages, sources, docs."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from venturesim.risks import Risks, catalog, catalog_risk
from venturesim.risks.catalog import catalog_markdown, sources_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "model" / "risks.md"


def test_catalogue_covers_the_issue_categories_with_defaults():
    risks = catalog()
    assert {r.category for r in risks.values()} == {"technical", "market", "funding", "team", "legal", "compute"}
    assert len(risks) == 17  # vendor_deprecation (issue 15)
    # spot-check documented defaults
    assert catalog_risk("funding_winter").impacts[0].value == 0.6
    assert catalog_risk("funding_winter").impacts[0].duration_months == 18
    assert catalog_risk("key_person_loss").annual_probability == 0.13  # LinkedIn 2018 tech attrition
    assert catalog_risk("ip_lawsuit").impacts[1].probability == 0.05


def test_every_catalogue_figure_has_a_source():
    for name, r in catalog().items():
        needed = {"impacts", "annual_probability" if r.annual_probability is not None else "hazard_monthly"}
        needed |= {"macro_loading"} if r.macro_loading else set()
        needed |= {"raises"} if r.raises else set()
        needed |= {"severity"} if r.severity != 1.0 else set()
        assert needed <= set(r.source), f"{name} lacks sources for {needed - set(r.source)}"
        for m in r.mitigations:
            assert m.source and not m.bought, name  # offered, not bought


def test_docs_list_the_catalogue_with_defaults_and_sources():
    text = DOC.read_text(encoding="utf-8")
    assert catalog_markdown() in text
    assert sources_markdown() in text


def test_include_exclude_overrides():
    section = Risks.model_validate(
        {
            "include": "all",
            "exclude": ["outage"],
            "overrides": {"price_war": {"hazard_monthly": 0.05}, "funding_winter": {"max_events": 2}},
        }
    )
    names = [r.name for r in section.risks]
    assert len(names) == len(catalog()) - 1 and "outage" not in names
    war = next(r for r in section.risks if r.name == "price_war")
    assert war.hazard_monthly == 0.05 and war.annual_probability is None  # the override's kind replaces the default's
    assert next(r for r in section.risks if r.name == "funding_winter").max_events == 2
    assert names.index("key_person_loss") < names.index("team_conflict")  # contagion order


def test_custom_risks_and_macro_factor():
    section = Risks.model_validate(
        {
            "include": ["funding_winter"],
            "custom": [
                {
                    "name": "big_customer_loss",
                    "annual_probability": 0.1,
                    "impacts": [{"target": "market.churn", "value": 2.0, "duration_months": 1, "segment": "ent"}],
                }
            ],
            "macro_factor": {"funding_winter": 0.5, "big_customer_loss": 0.3},
        }
    )
    loadings = {r.name: r.macro_loading for r in section.risks}
    assert loadings == {"funding_winter": 0.5, "big_customer_loss": 0.3}


def test_buy_marks_a_catalogue_mitigation_bought():
    section = Risks.model_validate({"include": ["security_incident"], "buy": ["security_incident.security_program"]})
    assert section.risks[0].mitigations[0].bought


@pytest.mark.parametrize(
    "data, message",
    [
        ({"include": ["price_wars"]}, "did you mean 'price_war'"),
        ({"include": ["outage"], "overrides": {"price_war": {"max_events": 2}}}, "not included"),
        ({"include": ["outage"], "overrides": {"outage": {"max_events": 0}}}, "risk 'outage'"),
        ({"include": ["outage"], "buy": ["outage.multi_region"]}, "did you mean 'multi_region_serving'"),
        ({"include": ["outage"], "macro_factor": {"outage": 1.5}}, r"\(=1.5\)"),
        (
            {
                "custom": [
                    {
                        "name": "a",
                        "hazard_monthly": 0.1,
                        "impacts": [{"target": "market.price", "value": 0.9}],
                        "raises": [{"risk": "b", "hazard_multiplier": 2}],
                    },
                    {
                        "name": "b",
                        "hazard_monthly": 0.1,
                        "impacts": [{"target": "market.price", "value": 0.9}],
                        "raises": [{"risk": "a", "hazard_multiplier": 2}],
                    },
                ]
            },
            "circular",
        ),
        ({"custom": [{"name": "a", "impacts": [{"target": "market.price", "value": 0.9}]}]}, "exactly one"),
        (
            {
                "custom": [
                    {
                        "name": "a",
                        "hazard_monthly": 0.1,
                        "annual_probability": 0.1,
                        "impacts": [{"target": "market.price", "value": 0.9}],
                    }
                ]
            },
            "exactly one",
        ),
        (
            {
                "custom": [
                    {
                        "name": "a",
                        "hazard_monthly": 0.1,
                        "impacts": [{"target": "funding.climate", "value": 0.9, "segment": "smb"}],
                    }
                ]
            },
            "segment",
        ),
        (
            {
                "custom": [
                    {"name": "a", "hazard_monthly": 0.1, "impacts": [{"target": "company.one_off_cost", "value": 1000}]}
                ]
            },
            "one-off",
        ),
        (
            {"custom": [{"name": "a", "hazard_monthly": 0.1, "impacts": [{"target": "market.price", "value": -0.5}]}]},
            "must be >= 0",
        ),
        (
            {"custom": [{"name": "a", "hazard_monthly": 0.1, "impacts": [{"target": "market.prices", "value": 0.5}]}]},
            "market.price",
        ),
    ],
)
def test_invalid_sections_are_explained(data, message):
    with pytest.raises((ValidationError, ValueError), match=message):
        Risks.model_validate(data)


def test_section_survives_a_dump_and_reload():
    # Scenario.override re-validates model_dump(): the resolved risks must come back the same
    section = Risks.model_validate(
        {
            "include": ["ip_lawsuit", "outage"],
            "buy": ["outage.multi_region_serving"],
            "overrides": {"ip_lawsuit": {"severity": {"p5": 0.5, "p95": 4}}},
            "macro_factor": {"outage": 0.2},
        }
    )
    again = Risks.model_validate(section.model_dump(mode="python"))
    assert again.risks == section.risks
