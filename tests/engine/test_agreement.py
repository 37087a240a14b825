"""The two engines agree: JAX (vectorised, monthly) and DES (SimPy, event by event).

Both engines run the same model on the same per-path inputs; they share no
process noise (JAX: Threefry keys and the sampler of ``_jax_random``; DES:
a NumPy generator per path). So their outputs can only be compared as
distributions. For the shipped scenarios whose noise inside a month differs
between the engines (:data:`EVENT_TIME_SCENARIOS`; the rules themselves are
compared exactly by the same-uniforms replay) and for one random valid
scenario (from a fixed NumPy generator, with 2 rounds; the generator's three
scenarios, with 0, 1 and 2 rounds, are checked to be valid and varied)
each engine runs 36 months (a shipped scenario's JAX run goes on to the scenario's horizon with every metric,
the same-uniforms replay's compiled program, and its first 36 months are compared) — JAX with
:data:`JAX_PATHS` = 4 096 paths, the
DES with :data:`DES_PATHS` = 384 paths in this process (``workers=1``; sized
for the CI's time budget: with every domain in the model the DES costs about
0.5–2 ms per path-month on the 2-core CI machine, and the z-tests below stay
valid at any sample size — smaller samples only widen the standard errors)
— with different seeds, so the two samples are independent, and these are
compared:

* survival at months 12, 24 and 36 — two-proportion z-test (pooled p̂);
* p10, p50 and p90 of cash and of ARR at the horizon —
  z = (x̂_jax − x̂_des)/√(se_jax² + se_des²) with the order-statistic standard
  errors of :func:`venturesim.analysis._stats.quantile`;
* the probability that each round has closed by the horizon — two-proportion z;
* mean headcount (the ``headcount`` metric averaged over months, then over
  paths) — z with the standard errors of the per-path means;
* for a scenario with a training roadmap: the mean total training spend per
  path and the mean quality gap (each path's mean over its months alive) —
  z as for headcount. The engines draw the queue's noise (interruptions,
  failed runs) differently: JAX a Poisson count per run, the DES each
  interruption at an exponential time.

That is 10 + R (+ 2 with a roadmap) comparisons for a scenario with R
rounds, under 100 over the six cases, plus the 2 of the binomial check below.
Each passes when |z| < 4, whose two-sided false-alarm rate for a correct
engine is P(|Z| > 4) = 6.3e-5; by the Bonferroni bound the chance that any of
them fails by bad luck is at most 100 × 6.3e-5 = 6.3e-3. Every seed is fixed, so the test is deterministic: it
either always passes or always fails for a given code base. Degenerate
comparisons are made exactly: equal quantiles pass whatever their standard
errors (ARR p10 = 0 on both engines when over 10 % of paths are dead), and
where the standard error of the difference is 0 (survival 1 on both, a
headcount plan that no path leaves by dying) the values must be equal.

Where the JAX engine's monthly resolution differs from the DES by design:
nowhere that changes a number. The DES is built to be the same model:
accounting is at month ends (time t + 1, scheduled URGENT so it precedes
anything else happening at that instant), and a round's money arrives at
its exact resolution time but is booked in the month that contains it, as
the JAX engine's ``resolve_time < t + 1`` test does; rounds start at month
ends; staffing follows the same plan. What remains:

* the binomial sampler — JAX uses exact inversion when the mean is below 25
  and a rounded normal approximation above (``docs/model.md`` §8: mean exact
  to ~3e-7, variance + 1/12, skewness lost), the DES NumPy's exact binomial;
  :func:`test_binomial_sampler_agrees` bounds its effect on the mean
  customers of a large segment (normal approximation) and a small one
  (inversion) after 24 months;
* float32 (JAX) against float64 (DES) arithmetic, which can only matter for
  a path whose cash ends a month within a rounding of 0;
* the training queue (a scenario with a roadmap): the engines share the
  rules and the inputs but not the noise — a Poisson count of interruptions
  per run (JAX) against exponential interruption times (DES), whose totals
  have the same distribution (``tests/model_costs/test_roadmap.py`` checks
  the JAX side's mean and variance, and the hand-worked roadmap's exact
  schedule on both engines).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import venturesim as vs
from venturesim.analysis._stats import quantile

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))
MONTHS = 36
JAX_PATHS, DES_PATHS = 4_096, 384  # a z's SE √(1/4096 + 1/384) is 1.17× that of 8,192 and 512 paths
JAX_SEED, DES_SEED = 101, 202
Z_MAX = 4.0
SURVIVAL_MONTHS = (12, 24, 36)
METRICS = ("cash", "arr", "alive", "headcount", "training_compute", "quality_gap")
CLOSED = 2


# ---- random valid scenarios ---------------------------------------------------------------------


def _range(rng, lo, hi, spread=(1.5, 4.0)):
    low = float(rng.uniform(lo, hi))
    return {"p5": round(low, 4), "p95": round(low * float(rng.uniform(*spread)), 4)}


def random_scenario(k: int, rounds: int) -> dict:
    """A valid scenario with ``rounds`` rounds; its numbers come from a generator seeded by k."""
    rng = np.random.default_rng([2026, k])
    segments = []
    for s in range(int(rng.integers(1, 3))):
        size = float(np.exp(rng.uniform(np.log(300), np.log(20_000))))
        segments.append(
            {
                "name": f"segment_{s}",
                "market_size": {"p5": round(size), "p95": round(size * rng.uniform(2, 4))},
                "bass_p_annual": _range(rng, 0.005, 0.04),
                "bass_q_annual": {"dist": "pert", "low": 0.05, "mode": float(rng.uniform(0.2, 0.5)), "high": 0.9},
                "price": _range(rng, 20_000 / size, 200_000 / size),  # a market worth $20k–200k a month
                "churn": {"dist": "beta", "a": 2.0, "b": float(rng.uniform(30, 150))},
                "launch_month": int(rng.integers(0, 10)),
                "initial_customers": int(rng.integers(0, 15)),
            }
        )
    plan = {
        0: int(rng.integers(1, 4)),
        int(rng.integers(3, 12)): int(rng.integers(3, 7)),
        int(rng.integers(14, 30)): int(rng.integers(5, 12)),
    }
    team = {
        "roles": [
            {
                "name": "founders",
                "monthly_cost": float(rng.uniform(5_000, 12_000)),
                "headcount": int(rng.integers(2, 4)),
            },
            {"name": "staff", "monthly_cost": _range(rng, 10_000, 18_000, (1.2, 1.8)), "headcount": plan},
        ]
    }
    funding = []
    for r in range(rounds):
        amount = float(rng.uniform(1e6, 4e6)) * 3**r
        funding.append(
            {
                "name": f"round_{r}",
                "trigger_runway_months": float(rng.uniform(6, 14)),
                "earliest_month": int(rng.integers(0, 6)) + 12 * r,
                "success_probability": {"dist": "beta", "a": float(rng.uniform(2, 6)), "b": float(rng.uniform(2, 6))},
                "pre_money": _range(rng, 4 * amount, 8 * amount),
                "amount": {"p5": round(amount), "p95": round(2 * amount)},
                "time_to_close_months": {"dist": "gamma", "shape": 4.0, "scale_param": float(rng.uniform(0.5, 1.2))},
                "max_attempts": int(rng.integers(1, 4)),
                "retry_delay_months": {"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 5.0},
            }
        )
    return {
        "name": f"random {k}",
        "simulation": {"months": MONTHS, "paths": DES_PATHS, "seed": 0},
        "company": {
            "initial_cash": _range(rng, 3e5, 2e6, (1.3, 3.0)),
            "founder_ownership": float(rng.uniform(0.6, 0.95)),
            "other_monthly_costs": float(rng.uniform(5_000, 40_000)),
        },
        "market": {"segments": segments, "cost_of_revenue": {"dist": "beta", "a": 4.0, "b": 6.0}},
        "team": team,
        "compute": {
            "monthly_spend": {
                "start": _range(rng, 2_000, 30_000),
                "growth": {"dist": "uniform", "low": -0.03, "high": 0.01},
            }
        },
        "funding": {"rounds": funding},
    }


EVENT_TIME_SCENARIOS = ("seed_stage_api", "sales_led_enterprise_ai", "capital_heavy_foundation_model")
"""The shipped scenarios compared here: every rule of every scenario is checked exactly by the same-uniforms replay
(tests/engine/test_same_uniforms.py), which drives the DES with the kernel's month-level draws; what the replay
cannot see is the DES's own noise inside a month, so these z-tests keep the scenarios that exercise it — departures
at exponential times (every role of ``seed_stage_api``), individual sales-led deals with their cycle times
(``sales_led_enterprise_ai``) and training interruptions and failures at their event times
(``capital_heavy_foundation_model``) — plus the random scenario with two rounds."""

RANDOM = {f"random_{k}": random_scenario(k, k) for k in range(3)}
CASES = {path.stem: path for path in SCENARIOS if path.stem in EVENT_TIME_SCENARIOS} | {"random_2": RANDOM["random_2"]}


# ---- comparisons --------------------------------------------------------------------------------


@dataclass
class Comparison:
    name: str
    jax: float
    des: float
    z: float  # NaN: degenerate, compared exactly

    @property
    def ok(self) -> bool:
        if np.isnan(self.z):
            return self.jax == self.des
        return abs(self.z) < Z_MAX

    def __str__(self) -> str:
        z = "exact" if np.isnan(self.z) else f"z={self.z:+.2f}"
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name:<28} jax {self.jax:>16.6g}  des {self.des:>16.6g}  {z}"


def _z(diff: float, se: float) -> float:
    return float("nan") if se == 0 else diff / se


def compare_proportions(name: str, jax_flags: np.ndarray, des_flags: np.ndarray) -> Comparison:
    """Two-proportion z-test with the pooled proportion."""
    n1, n2 = jax_flags.size, des_flags.size
    p1, p2 = jax_flags.mean(), des_flags.mean()
    pooled = (jax_flags.sum() + des_flags.sum()) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return Comparison(name, float(p1), float(p2), _z(p1 - p2, se))


def compare_quantiles(name: str, jax_values: np.ndarray, des_values: np.ndarray, q: float) -> Comparison:
    (v1, se1), (v2, se2) = quantile(jax_values, q), quantile(des_values, q)
    assert np.isfinite([se1, se2]).all(), name
    return Comparison(name, v1, v2, 0.0 if v1 == v2 else _z(v1 - v2, np.hypot(se1, se2)))


def compare_means(name: str, jax_values: np.ndarray, des_values: np.ndarray) -> Comparison:
    m1, m2 = jax_values.mean(), des_values.mean()
    if np.ptp(jax_values) == 0 and np.ptp(des_values) == 0:  # every path alike (no path dies): exact
        return Comparison(name, float(jax_values[0]), float(des_values[0]), float("nan"))
    se = np.hypot(jax_values.std(ddof=1) / np.sqrt(jax_values.size), des_values.std(ddof=1) / np.sqrt(des_values.size))
    return Comparison(name, float(m1), float(m2), _z(m1 - m2, se))


def comparisons(jax_result: vs.Result, des_result: vs.Result, months: int = MONTHS) -> list[Comparison]:
    """The comparisons over the first ``months`` months (a result may run longer: its later months are left out,
    and a round counts as closed by the horizon when it closed in one of those months)."""
    results = (jax_result, des_result)
    out = []
    for month in SURVIVAL_MONTHS:
        alive = [_alive_at(r, month) for r in results]
        out.append(compare_proportions(f"survival at month {month}", *alive))
    for metric in ("cash", "arr"):
        horizon = [np.asarray(r.data[metric].values[:, months - 1], np.float64) for r in results]
        for q in (0.1, 0.5, 0.9):
            out.append(compare_quantiles(f"{metric} p{round(100 * q)} at horizon", *horizon, q))
    for k, name in enumerate(jax_result.data["round"].values):
        closed = [
            (r.data["round_status"].values[:, k] == CLOSED) & (r.data["round_close_month"].values[:, k] < months)
            for r in results
        ]
        out.append(compare_proportions(f"P(round {name} closed)", *closed))

    def monthly(r: vs.Result, metric: str) -> np.ndarray:
        return np.asarray(r.data[metric].values[:, :months], np.float64)

    out.append(compare_means("mean headcount", *[monthly(r, "headcount").mean(axis=1) for r in results]))
    if jax_result.data["training_compute"].values.any():  # a product roadmap: the training queue's noise
        out.append(compare_means("mean training spend", *[monthly(r, "training_compute").sum(axis=1) for r in results]))
        gaps = []
        for r in results:
            gap = monthly(r, "quality_gap")
            lived = np.isfinite(gap).any(axis=1)
            gaps.append(np.nanmean(gap[lived], axis=1))  # each path's mean gap over its months alive
        out.append(compare_means("mean quality gap", *gaps))
    return out


def _alive_at(result: vs.Result, month: int) -> np.ndarray:
    death = result.data["death_month"].values
    return (death < 0) | (death >= month)


def _run_both(scenario, months: int, metrics=METRICS, shipped: bool = False):
    """Both engines over ``months`` months; a shipped scenario's JAX run goes to the scenario's own horizon with
    every metric (its first ``months`` months are compared): the program tests/engine/test_same_uniforms.py
    runs, which this file's work unit shares (tests/conftest.py), so the session compiles it once."""
    jax_months, jax_metrics = (scenario.simulation.months, "all") if shipped else (months, metrics)
    assert jax_months >= months
    jax_result = vs.simulate(scenario, paths=JAX_PATHS, seed=JAX_SEED, months=jax_months, metrics=jax_metrics)
    des_result = vs.simulate(
        scenario, paths=DES_PATHS, seed=DES_SEED, months=months, metrics=metrics, engine="des", workers=1
    )
    return jax_result, des_result


# ---- the tests ----------------------------------------------------------------------------------


def test_random_scenarios_are_valid_and_varied():
    loaded = [vs.load(RANDOM[f"random_{k}"]) for k in range(3)]
    assert [len(sc.funding.rounds) for sc in loaded] == [0, 1, 2]
    assert len({sc.company.founder_ownership for sc in loaded}) == 3
    assert len(CASES) == len(EVENT_TIME_SCENARIOS) + 1 and len(SCENARIOS) >= 5


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_engines_agree(case):
    scenario = vs.load(CASES[case])
    jax_result, des_result = _run_both(scenario, MONTHS, shipped=not case.startswith("random"))
    assert des_result.paths == DES_PATHS and jax_result.paths == JAX_PATHS
    if case.startswith("random"):  # generated to have mixed fates, so that the comparisons have power
        assert 0.05 < _alive_at(jax_result, MONTHS).mean() < 0.95
    table = comparisons(jax_result, des_result)
    roadmap = 2 if scenario.product and scenario.product.training_runs else 0
    assert len(table) == 10 + len(scenario.funding.class_names()) + roadmap
    report = "\n".join(map(str, table))
    assert all(c.ok for c in table), f"{case}: the engines disagree\n{report}"


@pytest.mark.slow
def test_binomial_sampler_agrees():
    """Mean customers after 24 months, fixed inputs: only the binomial draws differ between the engines.

    The large segment (2 million accounts) draws adoption and churn with the
    JAX engine's normal approximation (means in the thousands), the small one
    (400 accounts: draws of a few customers a month) by exact inversion; the company
    never runs out of cash (no costs). Each mean must agree within 4 standard
    errors of the difference.
    """
    scenario = {
        "name": "binomial check",
        "company": {"initial_cash": 1_000_000, "founder_ownership": 1.0, "other_monthly_costs": 0},
        "market": {
            "segments": [
                {
                    "name": "large",
                    "market_size": 2_000_000,
                    "bass_p_annual": 0.03,
                    "bass_q_annual": 0.38,
                    "price": 1.0,
                    "churn": 0.05,
                },
                {
                    "name": "small",
                    "market_size": 400,
                    "bass_p_annual": 0.03,
                    "bass_q_annual": 0.38,
                    "price": 1.0,
                    "churn": 0.02,
                },
            ]
        },
    }
    jax_result, des_result = _run_both(scenario, 24, metrics=("customers_by_segment", "alive"))
    assert jax_result.data["alive"].values.all() and des_result.data["alive"].values.all()
    table = []
    for s, name in enumerate(("large", "small")):
        values = [
            np.asarray(r.data["customers_by_segment"].values[:, -1, s], np.float64) for r in (jax_result, des_result)
        ]
        table.append(compare_means(f"mean customers, {name}", *values))
    # the regimes claimed above: mean churn draws customers · churn of ~5 000 and ~0.6 a month;
    # adoption draws of ~thousands and at most 400 · max_F dF/dt ≈ 4 a month
    assert table[0].jax * 0.05 > 25 and table[1].jax * 0.02 < 25
    assert all(c.ok for c in table), "\n".join(map(str, table))
