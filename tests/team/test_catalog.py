"""The roles catalogue: every role of the issue, a source for every figure, the published figures."""

import numpy as np
import pytest

from venturesim.team.catalog import DAYS_PER_MONTH, FIGURES, load_catalog, location, role_defaults

ISSUE_ROLES = [
    "founder",
    "cto",
    "ml_researcher",
    "ml_engineer",
    "data_engineer",
    "software_engineer",
    "product_manager",
    "designer",
    "marketing",
    "sales_ae",
    "sales_sdr",
    "customer_success",
    "operations",
]


def test_every_role_of_the_issue_is_there_with_a_source_per_figure():
    catalog = load_catalog()
    assert list(catalog.roles) == ISSUE_ROLES
    for kind, entry in catalog.roles.items():
        assert set(FIGURES) <= set(entry.source), kind
        assert "assumption" in entry.source["salary_annual"].lower(), kind  # salaries are assumptions, said so


def test_published_figures():
    # attrition ≈13 % a year in software/tech (LinkedIn 2018) for every employee kind
    for kind in ISSUE_ROLES[1:]:
        entry = role_defaults(kind)
        assert entry.attrition_annual == 0.13
        assert "LinkedIn" in entry.source["attrition_annual"] and "2018" in entry.source["attrition_annual"]
    # time to fill: software engineer ≈35 days (Glassdoor 2015); engineering up to ≈58 days (Workable 2017)
    assert pytest.approx(30.4375) == DAYS_PER_MONTH
    assert role_defaults("software_engineer").time_to_fill_months == pytest.approx(35 / DAYS_PER_MONTH, abs=0.005)
    assert "Glassdoor 2015" in role_defaults("software_engineer").source["time_to_fill_months"]
    for kind in ("ml_engineer", "data_engineer"):
        assert role_defaults(kind).time_to_fill_months == pytest.approx(58 / DAYS_PER_MONTH, abs=0.005)
        assert "Workable 2017" in role_defaults(kind).source["time_to_fill_months"]


def test_ranges_are_ordered_and_salaries_plausible():
    for kind in ISSUE_ROLES:
        salary = role_defaults(kind).salary_annual
        assert 0 < salary.p5 < salary.p95
        median = float(salary.ppf(np.array([0.5]))[0])
        assert 50_000 < median < 400_000, kind  # annual USD, not monthly
        grant = role_defaults(kind).equity_grant
        assert (grant == 0) if kind == "founder" else (0 < grant.p5 < grant.p95 <= 0.05)
    assert location("us").salary_factor == 1.0
    assert 0 < location("india").salary_factor < location("uk").salary_factor < location("us_sf_bay").salary_factor


def test_overrides_change_a_kind_and_validate_a_new_one():
    catalog = load_catalog({"ml_engineer": {"attrition_annual": 0.2}})
    assert catalog.roles["ml_engineer"].attrition_annual == 0.2
    assert load_catalog().roles["ml_engineer"].attrition_annual == 0.13  # the packaged one is unchanged
    with pytest.raises(ValueError, match="no source for"):
        load_catalog(
            {
                "prompt_engineer": {
                    "label": "x",
                    "function": "engineering",
                    "salary_annual": 1e5,
                    "equity_grant": 0,
                    "recruiting_cost": 0,
                    "time_to_fill_months": 1,
                    "ramp_months": 1,
                }
            }
        )
    with pytest.raises(ValueError, match=r"did you mean 'designer'"):
        role_defaults("desiner")
