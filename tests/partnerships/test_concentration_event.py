"""A partner that brings more than its limit of revenue is a concentration risk event, in both engines."""

from __future__ import annotations

import numpy as np
import pytest

import venturesim as vs

ENGINES = [("jax", {}), ("des", {"workers": 1})]


def scenario(limit: float) -> dict:
    """Two segments of 100 customers at $1,000 a month (no churn, no adoption: the market is saturated);
    a reseller on segment a signs at time 1.0 (search 0.5 + negotiation 0.5, certain) and is active from
    month 1 on: it brings $100k of $200k, a share of 0.5."""
    segment = {
        "market_size": 100,
        "initial_customers": 100,
        "price": 1000.0,
        "churn": 0.0,
        "bass_p_annual": 0.01,
        "bass_q_annual": 0.0,
    }
    return {
        "name": "concentration",
        "simulation": {"months": 4},
        "company": {"initial_cash": 1e6},
        "market": {"segments": [{"name": "a"} | segment, {"name": "b"} | segment]},
        "partnerships": {
            "partners": [
                {
                    "name": "reseller",
                    "type": "channel",
                    "segment": "a",
                    "search_months": 0.5,
                    "negotiation_months": 0.5,
                    "signing_probability": 1.0,
                    "termination_annual": 0.0,
                    "churn_on_exit": 0.0,
                    "concentration_limit": limit,
                }
            ]
        },
    }


@pytest.mark.parametrize("engine, options", ENGINES)
def test_first_month_over_the_limit_is_an_event(engine, options):
    r = vs.simulate(vs.load(scenario(0.3)), paths=2, seed=0, engine=engine, metrics="all", **options)
    ds = r.data
    assert ds["partner_concentration_month"].values.tolist() == [[1.0], [1.0]]
    np.testing.assert_allclose(ds["partner_concentration_share"].values, 0.5, rtol=1e-6)
    np.testing.assert_allclose(ds["partner_concentration"].values, [[0.0, 0.5, 0.5, 0.5]] * 2, rtol=1e-6)
    events = r.risk_events()
    assert events["risk"].tolist() == ["reseller: concentration"] * 2
    assert events["month"].tolist() == [1, 1] and events["severity"].tolist() == pytest.approx([0.5, 0.5])
    assert "reseller: concentration" in r.risk_deaths()["risk"].tolist()
    if engine == "des":
        assert (r.events["kind"] == "concentration").sum() == 2


def test_under_the_limit_no_event():
    r = vs.simulate(vs.load(scenario(0.6)), paths=2, seed=0, metrics="all")  # the program of the test above
    assert (r.data["partner_concentration_month"].values == -1).all()
    assert r.risk_events().empty
