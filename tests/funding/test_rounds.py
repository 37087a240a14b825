"""Funding rounds on hand-worked deterministic paths (success probability 0 or 1)."""

import numpy as np
import pytest
from builders import rounds_scenario

import venturesim as vs


def scenario(success: float, attempts: int = 1) -> dict:
    """No revenue, a fixed burn of $10k/month, $100k cash, one round."""
    return rounds_scenario(success, attempts)


@pytest.fixture(scope="module")
def raised():
    return vs.simulate(scenario(1.0), metrics="all")


@pytest.fixture(scope="module")
def failed():
    return vs.simulate(scenario(0.0, attempts=2), metrics="all")


def test_round_closes_in_hand_computed_month(raised):
    # End of month 0: cash 90k, runway 9 < 9.5 → starts at t=1, resolves at t=3 (month index 3).
    financing = raised.data["financing"].values[0]
    assert np.flatnonzero(financing).tolist() == [3]
    assert financing[3] == 1_000_000
    assert raised.data["round_close_month"].values[0, 0] == 3
    # cash after month index 3 = 100k − 4·10k + 1M
    assert raised.data["cash"].values[0, 3] == pytest.approx(1_060_000)


def test_dilution_is_pre_over_post(raised):
    # founders 0.9 × 4M / 5M = 0.72 after the round, unchanged before it
    ownership = raised.data["founder_ownership"].values[0]
    assert ownership[2] == pytest.approx(0.9)
    assert ownership[3] == pytest.approx(0.72)
    assert raised.summary().query("metric == \"raised round 'seed'\"")["value"].item() == 1.0


def test_failed_round_retries_then_is_abandoned_and_company_dies(failed):
    status = failed.data["round_status"].values[:, 0]
    assert (status == 3).all()  # abandoned after two failures
    assert failed.data["financing"].values.sum() == 0
    # cash: 100k − 10k·(t+1) < 0 first at month index 10
    assert (failed.data["death_month"].values == 10).all()
    alive = failed.data["alive"].values[0]
    assert alive[:10].all() and not alive[10:].any()
    # dead stays dead and cash is frozen at the shortfall
    assert (failed.data["cash"].values[0, 10:] == -10_000).all()


def test_survival_summary_counts_months_at_their_end(failed):
    survival = failed.survival()["survival"]
    assert survival.loc[10] == 1.0 and survival.loc[11] == 0.0
