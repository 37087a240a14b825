"""Small purpose-built scenarios for the what-if analyses (compare, stress, goal seek, pitch check)."""

LOW, HIGH, BURN = 200_000.0, 600_000.0, 10_000.0


def burn(months: int = 40, **company) -> dict:
    """:func:`startup` reduced to a hand-computable core: cash C ~ Uniform(LOW, HIGH), a fixed burn of
    BURN a month and nothing else — no customers (the segment opens after the horizon), no payroll, no
    compute, a round that never closes, risks that never strike. Same shapes as :func:`startup`, so both
    run on one compiled kernel.

    Path i is alive at month m iff C_i ≥ m·BURN (it dies in the month its cash runs out), so
    P(alive at m) = (HIGH − m·BURN)/(HIGH − LOW) for LOW ≤ m·BURN ≤ HIGH.
    """
    data = startup(months)
    data["name"] = "burn"
    data["simulation"]["seed"] = 1
    data["company"] = {
        "initial_cash": {"dist": "uniform", "low": LOW, "high": HIGH},
        "other_monthly_costs": BURN,
    } | company
    data["market"]["segments"][0]["launch_month"] = 100
    data["team"]["roles"][0]["headcount"] = 0
    data["compute"]["monthly_spend"] = 0
    data["funding"]["rounds"][0]["success_probability"] = 0.0
    return data


def startup(months: int = 40) -> dict:
    """One segment, one role without attrition, compute, a seed round, and the key-person and compliance
    risks at hazard 0 (so a stress pack that forces them keeps the kernel's shapes). The seed
    round cannot start before month 13, so cash at month 12 is operations alone."""
    return {
        "name": "startup",
        "simulation": {"months": months, "paths": 1000, "seed": 3},
        "company": {"initial_cash": 1_500_000, "other_monthly_costs": 10_000},
        "market": {
            "cost_of_revenue": 0.4,
            "segments": [
                {
                    "name": "smb",
                    "market_size": {"p5": 3_000, "p95": 12_000},
                    "bass_p_annual": {"p5": 0.01, "p95": 0.05},
                    "bass_q_annual": {"p5": 0.25, "p95": 0.6},
                    "price": {"p5": 100, "p95": 300},
                    "churn": {"dist": "beta", "a": 4, "b": 96},
                }
            ],
        },
        "team": {"roles": [{"name": "eng", "monthly_cost": 15_000, "headcount": 4}]},
        "compute": {"monthly_spend": 20_000},
        "funding": {
            "rounds": [
                {
                    "name": "seed",
                    "trigger_runway_months": 9,
                    "earliest_month": 13,  # months 1-12 are operations alone
                    "success_probability": 0.5,
                    "pre_money": 10_000_000,
                    "amount": 3_000_000,
                    "time_to_close_months": {"dist": "gamma", "shape": 4, "scale_param": 0.75},
                }
            ]
        },
        "risks": {
            "include": ["key_person_loss", "compliance_cost"],
            "overrides": {
                "key_person_loss": {"annual_probability": 0.0, "raises": [], "max_events": 1},
                "compliance_cost": {"hazard_monthly": 0.0},
            },
        },
    }


_CACHE: dict = {}


def burn_result(paths: int = 1000, seed: int = 1, **company):
    """The burn scenario simulated once per process (shared by the test modules: one compile)."""
    import venturesim as vs

    key = (paths, seed, tuple(sorted(company.items())))
    if key not in _CACHE:
        _CACHE[key] = vs.simulate(burn(**company), paths=paths, seed=seed)
    return _CACHE[key]
