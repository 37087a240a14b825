"""Scenario builders shared by several test modules (importable: pytest's pythonpath has tests/)."""

BURN = 10_000.0


def rounds_scenario(success: float, attempts: int = 1, paths: int = 4, **round_changes) -> dict:
    """$100k cash, a fixed burn of $10k a month, no revenue, one seed round.

    The segment opens after the horizon, so no customer is ever drawn and every
    path is the same: the round's success probability (0 or 1) decides all.
    """
    seed_round = {
        "name": "seed",
        "trigger_runway_months": 9.5,
        "success_probability": success,
        "pre_money": 4_000_000,
        "amount": 1_000_000,
        "time_to_close_months": 2,
        "max_attempts": attempts,
        "retry_delay_months": 1,
    } | round_changes
    return {
        "name": "rounds",
        "simulation": {"months": 14, "paths": paths, "seed": 0},
        "company": {"initial_cash": 100_000, "founder_ownership": 0.9, "other_monthly_costs": BURN},
        "market": {"segments": [{"name": "s", "market_size": 10, "price": 0.0, "churn": 0.0, "launch_month": 100}]},
        "funding": {"rounds": [seed_round]},
    }
