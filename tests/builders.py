"""Scenario builders shared by several test modules (importable: pytest's pythonpath has tests/)."""

BURN = 10_000.0

SEED_ONLY_METRICS = ("hires", "layoffs", "cash", "revenue", "headcount", "runway", "arr")
"""The metrics recorded by the tests that run ``seed_stage_api`` cut to one seed round over 24 months
(tests/team/test_policies.py, tests/funding/test_policy_and_traction.py, tests/funding/test_traction_retry.py): the
same scenario shape and the same metrics are one compiled kernel, which the session's compile cache serves to all."""


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


# ---- a calibration (model_costs) ----------------------------------------------------------------

import math  # noqa: E402

from venturesim.model_costs.calibration import Calibration  # noqa: E402
from venturesim.model_costs.scaling_law import LossLaw  # noqa: E402
from venturesim.model_costs.shape import TransformerShape  # noqa: E402
from venturesim.model_costs.training import TrainConfig, TrainReport  # noqa: E402


def _report(shape: TransformerShape, tokens: int, loss: float) -> TrainReport:
    return TrainReport(
        shape=shape,
        parameters=1234,
        tokens=tokens,
        steps=10,
        batch_size=4,
        seq_len=8,
        micro_batches=1,
        device="cpu",
        platform="cpu",
        compute_dtype="float32",
        compile_s=1.5,
        wall_s=0.25,
        tokens_per_s=1280.0,
        flops_per_token=1e5,
        achieved_flops=1.28e8,
        peak_flops=1e10,
        peak_source="given",
        mfu=0.0128,
        analytic_flops_per_step=3.2e6,
        xla_flops_per_step=3.3e6,
        train_loss=loss + 0.1,
        validation_loss=loss,
        bits_per_byte=loss / math.log(2),
        loss_curve=(5.5, 4.0, loss + 0.1),
    )


def sample_calibration() -> Calibration:
    """A calibration file's content with made-up figures (for round trips and scenario tests)."""
    gpt = TransformerShape(n_layers=1, d_model=16, n_heads=2, vocab_size=256, context=8)
    llama = TransformerShape(
        n_layers=2,
        d_model=16,
        n_heads=4,
        vocab_size=256,
        context=8,
        n_kv_heads=2,
        mlp="swiglu",
        norm="rmsnorm",
        bias=False,
        tied_embeddings=False,
        learned_positions=False,
    )
    return Calibration(
        device="cpu",
        platform="cpu",
        accelerator="cpu",
        peak_flops=3.25e10,
        peak_source="measured",
        mfu=0.1 + 1 / 3,
        tokens_per_s=12345.678,
        law=LossLaw(E=1.0852880757637897, A=391.76, B=34.79, alpha=0.7657, beta=0.2807),
        loss_unit="nats/byte",
        law_method="huber",
        law_posterior={"E": {"mean": 0.83, "sd": 0.32, "p5": 0.3, "p50": 0.83, "p95": 1.38}},
        law_draws={"E": (0.8, 0.9, 1.0 / 3)},
        runs=(_report(gpt, 100, 2.5), _report(llama, 200, 2.25)),
        config=TrainConfig(batch_size=4, seq_len=8),
        seed=7,
        corpus_bytes=1000,
        corpus_digest="ab" * 32,
        versions={"python": "3.11.7", "jax": "0.10.2"},
    )


# "Mixed fates": two segments, two rounds, uncertain cash, market size and churn; 300 paths × 36 months, the plan
# executed as written (no round-failure policy). tests/engine/test_invariants.py checks its invariants and the report
# tests draw it (the same shapes: one compiled program).
MIXED_FATES = {
    "name": "mixed fates",
    "simulation": {"months": 36, "paths": 300},
    "policy": {"on_round_failure": {"freeze_hiring": False, "cut_to_runway_months": None, "channel_budget_scale": 1.0}},
    "company": {"initial_cash": {"p5": 3e5, "p95": 1.5e6}, "founder_ownership": 0.8, "other_monthly_costs": 10_000.0},
    "market": {
        "cost_of_revenue": 0.3,
        "segments": [
            {
                "name": "a",
                "market_size": {"p5": 2_000, "p95": 6_000},
                "bass_p_annual": 0.1,
                "bass_q_annual": 0.8,
                "price": 60.0,
                "churn": 0.03,
                "initial_customers": 10,
            },
            {
                "name": "b",
                "market_size": 400,
                "bass_p_annual": 0.05,
                "bass_q_annual": 0.5,
                "price": {"schedule": {0: 1_500.0, 12: 1_200.0}},
                "churn": {"dist": "beta", "a": 2.0, "b": 100.0},
                "launch_month": 6,
            },
        ],
    },
    "team": {"roles": [{"name": "eng", "monthly_cost": 15_000.0, "headcount": {0: 3, 12: 5}}]},
    "compute": {"monthly_spend": {"start": 12_000.0, "growth": -0.02}},
    "funding": {
        "rounds": [
            {
                "name": "seed",
                "trigger_runway_months": 9.0,
                "success_probability": 0.5,
                "pre_money": 8e6,
                "amount": 2e6,
                "time_to_close_months": 2.5,
                "max_attempts": 2,
                "retry_delay_months": 1.0,
            },
            {
                "name": "series_a",
                "trigger_runway_months": 6.0,
                "earliest_month": 12,
                "success_probability": 0.5,
                "pre_money": 3e7,
                "amount": 8e6,
                "time_to_close_months": 3.0,
                "max_attempts": 1,
            },
        ]
    },
}
