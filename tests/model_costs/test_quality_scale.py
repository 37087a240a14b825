"""One quality scale (issue 15): units carried and converted, a calibration's law transferred by the
anchored rule (not swapped in), and the MFU a calibration measured reaching the runs' cost.

The defect this guards against: a calibration fitted on byte-level models (E ≈ 0.78 nats/byte) was used
as the frontier's law (nats/token of the Chinchilla scale), so a legal-AI scenario's quality gap jumped
from −0.03 to about +1.08 nats and survival at 48 months from 32 % to 99 %.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import jax
import numpy as np
import pytest
from builders import sample_calibration

import venturesim as vs
from venturesim.engine.params import sample
from venturesim.model_costs.calibration import load_calibration, write_calibration
from venturesim.model_costs.hardware import accelerator
from venturesim.model_costs.quality_scale import ANCHOR_PARAMETERS, BYTES_PER_TOKEN, to_reference, transfer_law
from venturesim.model_costs.roadmap import HOURS_PER_MONTH
from venturesim.model_costs.scaling_law import CHINCHILLA, LossLaw
from venturesim.model_costs.step import month_figures

H100 = accelerator("h100_sxm").peak_flops
CHIN = {"alpha": CHINCHILLA.alpha, "beta": CHINCHILLA.beta}


def calibration_file(tmp_path, name="cal.yaml", *, accelerator="cpu", mfu=0.1, alpha=None, beta=None, **extra):
    """A calibration file: byte-level level (E = 0.78 nats/byte, as the quick grid finds), given exponents
    (default: Chinchilla's), posterior draws that spread the level but keep the exponents."""
    alpha = CHINCHILLA.alpha if alpha is None else alpha
    beta = CHINCHILLA.beta if beta is None else beta
    law = LossLaw(E=0.78, A=9.0, B=25.0, alpha=alpha, beta=beta)
    draws = {
        "E": (0.6, 0.78, 0.95),
        "A": (5.0, 9.0, 14.0),
        "B": (20.0, 25.0, 31.0),
        "alpha": (alpha,) * 3,
        "beta": (beta,) * 3,
    }
    cal = dataclasses.replace(
        sample_calibration(), accelerator=accelerator, mfu=mfu, peak_flops=H100, law=law, law_draws=draws, **extra
    )
    path = tmp_path / name
    write_calibration(cal, path)
    return str(path)


def test_units_convert_by_hand():
    """b = 1/0.29335 = 3.40890 bytes per token (Gao et al. 2020): 0.78 nats/byte = 2.65894 nats/token;
    1 bit/byte = ln 2 · b = 2.36287 nats/token; nats/token is the reference itself."""
    assert pytest.approx(3.408897, rel=1e-6) == BYTES_PER_TOKEN
    assert to_reference(0.78, "nats/byte") == pytest.approx(2.658940, rel=1e-6)
    assert to_reference(1.0, "bits/byte") == pytest.approx(2.362867, rel=1e-6)
    assert to_reference(1.85, "nats/token") == 1.85
    assert to_reference(1.0, "nats/byte", bytes_per_token=4.0) == 4.0
    with pytest.raises(ValueError, match="cannot be converted"):
        to_reference(1.0, "nats/llama3_token")


def test_the_published_shape_transfers_to_the_published_law_whatever_its_level():
    """Exponents equal to Chinchilla's: E', A', B' are Chinchilla's (A_pub·N_ref^0), at any level or unit."""
    E, A, B, alpha, beta = transfer_law(np.array([0.78, 3.0]), 9.0, 25.0, CHINCHILLA.alpha, CHINCHILLA.beta)
    for N, D in ((8e9, 15e12), (1e9, 2e10), (70e9, 1.4e12)):
        np.testing.assert_allclose(E + A / N**alpha + B / D**beta, CHINCHILLA.loss(N, D), rtol=1e-12)


def test_steeper_measured_exponent_puts_small_models_further_behind_by_the_documented_amount():
    """α = 0.5 measured (Chinchilla 0.33917): at the anchor (70B, 1.4T) the loss is Chinchilla's; an 8B model
    on the anchor's data is behind by A_pub/N_ref^α_pub · ((N_ref/N)^0.5 − (N_ref/N)^α_pub)
    = 0.08523 · (2.9580 − 2.0869) = 0.0743 nats/token more than under Chinchilla (hand-worked)."""
    law = LossLaw(*[float(np.asarray(x)) for x in transfer_law(0.78, 9.0, 25.0, 0.5, CHINCHILLA.beta)])
    assert law.loss(70e9, 1.4e12) == pytest.approx(CHINCHILLA.loss(70e9, 1.4e12), rel=1e-12)
    term = CHINCHILLA.A / ANCHOR_PARAMETERS**CHINCHILLA.alpha
    assert term == pytest.approx(0.08523, rel=1e-3)
    expected = term * ((70 / 8) ** 0.5 - (70 / 8) ** CHINCHILLA.alpha)
    assert expected == pytest.approx(0.0743, abs=2e-4)
    assert law.loss(8e9, 1.4e12) - CHINCHILLA.loss(8e9, 1.4e12) == pytest.approx(expected, rel=1e-9)


def legal_ai(calibration=None, *, run_mfu=None, unit_extra=None, months=48) -> vs.Scenario:
    """A legal-AI SaaS in the style of the issue's founder scenario: law firms, a served 8B model 0.03 nats
    behind the frontier, a domain pre-training run and a fine-tune of it on H100s with no MFU given."""
    pretrain = {
        "name": "legal_base",
        "month": 3,
        "parameters": 8e9,
        "tokens": 3e11,
        "accelerators": 64,
        "price_per_hour": 2.5,
        "interruptions_per_1000_accelerator_days": 0.0,
        "failure_probability": 0.1,
    }
    if run_mfu is not None:
        pretrain["mfu"] = run_mfu
    product = {
        "frontier_loss": {"start": 1.85, "growth": -0.0005},
        "initial_loss": 1.88,
        "initial_parameters": 8e9,
        "training_runs": [
            pretrain,
            {
                "name": "legal_chat",
                "month": 6,
                "base": "legal_base",
                "tokens": 2e9,
                "loss_reduction": 0.05,
                "accelerators": 8,
                "price_per_hour": 2.5,
                "interruptions_per_1000_accelerator_days": 0.0,
            },
        ],
    } | (unit_extra or {})
    if calibration is not None:
        product["calibration"] = calibration
    return vs.load(
        {
            "name": "legal ai",
            "simulation": {"months": months, "seed": 3},
            "company": {"initial_cash": {"p5": 600_000, "p95": 2_000_000}},
            "market": {
                "segments": [
                    {
                        "name": "law_firms",
                        "market_size": {"p5": 800, "p95": 3_000},
                        "bass_p_annual": {"p5": 0.004, "p95": 0.03},
                        "bass_q_annual": {"p5": 0.1, "p95": 0.5},
                        "price": {"p5": 1_500, "p95": 4_500},
                        "churn": 0.01,
                        "initial_customers": 2,
                        "tokens_per_customer_month": 2e6,
                    }
                ]
            },
            "team": {"roles": [{"name": "founders", "monthly_cost": 20_000, "headcount": 1}]},
            "product": product,
        }
    )


PATHS = 24


@pytest.mark.slow
def test_legal_ai_calibration_with_the_default_shape_leaves_outcomes_unchanged(tmp_path):
    """The issue's regression. The calibration (byte-level, E = 0.78 nats/byte, Chinchilla's exponents) used
    as the law would have put the pre-trained 8B model ≈ 1 nat *ahead* of the frontier; transferred, every
    path's losses are the uncalibrated ones, so survival and ARR at month 24 agree (here exactly: the same
    inputs; the tolerance is the Monte Carlo standard error, as the issue states it)."""
    path = calibration_file(tmp_path)
    swapped = LossLaw(E=0.78, A=9.0, B=25.0, **CHIN).loss(8e9, 3e11)
    assert 1.85 - swapped > 0.9  # the defect: the raw byte-level law reads as a model a nat ahead
    plain, calibrated = legal_ai(), legal_ai(path)
    p0, p1 = (sample(sc, jax.random.key(0), PATHS).product for sc in (plain, calibrated))
    for field in ("loss", "frontier_loss", "initial_loss", "work", "cost_rate"):
        np.testing.assert_allclose(getattr(p1, field), getattr(p0, field), rtol=1e-12, err_msg=field)
    r0, r1 = (vs.simulate(sc, paths=PATHS, seed=5, months=24, engine="des", workers=1) for sc in (plain, calibrated))
    s0, s1 = (float(r.survival()["survival"].iloc[-1]) for r in (r0, r1))
    se = math.sqrt(max(s0 * (1 - s0), 0.01) / PATHS)
    assert abs(s1 - s0) <= 3 * se
    a0, a1 = (float(np.median(r.data["arr"].values[:, -1])) for r in (r0, r1))
    assert a1 == pytest.approx(a0, rel=1e-9, abs=1e-6)


def test_a_measured_mfu_sets_the_cost_of_every_run_on_its_accelerator_that_gives_none(tmp_path):
    """Training cost = cost rate × work (no interruptions here), work = 6ND / (peak · MFU · n) / 3600 / 730.5.
    The pre-training run (8B × 3e11 tokens = 1.44e22 FLOPs, 64 H100s at $2.50): at the default MFU 0.35
    work = 1.44e22 / (989e12 · 0.35 · 64) / 3600 / 730.5 = 0.24717 months, $116,880 a month → $28,889.
    A calibration measured on an H100 at MFU 0.04 and one 10× better (0.4): work and cost scale by 1/MFU,
    so the better one costs exactly a tenth; a CPU calibration never sets an H100 run's MFU; a run that gives
    its own MFU is not changed by any calibration. The cost changes when, and only when, the MFU does."""
    rate = 64 * 2.5 * HOURS_PER_MONTH

    def cost(sc):
        product = sample(sc, jax.random.key(0), 4).product
        return (product.work * product.cost_rate)[0]  # (runs,) USD

    default = cost(legal_ai())
    work = 6 * 8e9 * 3e11 / (H100 * 0.35 * 64) / 3600 / HOURS_PER_MONTH
    assert work == pytest.approx(0.24717, rel=1e-4)
    assert default[0] == pytest.approx(work * rate, rel=1e-6)
    assert default[0] == pytest.approx(28_889, rel=1e-4)
    bad = cost(legal_ai(calibration_file(tmp_path, "bad.yaml", accelerator="h100_sxm", mfu=0.04)))
    good = cost(legal_ai(calibration_file(tmp_path, "good.yaml", accelerator="h100_sxm", mfu=0.4)))
    np.testing.assert_allclose(bad, default * 0.35 / 0.04, rtol=1e-6)
    np.testing.assert_allclose(good, bad / 10, rtol=1e-6)
    cpu = cost(legal_ai(calibration_file(tmp_path, "cpu.yaml", accelerator="cpu", mfu=0.4)))
    np.testing.assert_allclose(cpu, default, rtol=1e-12)
    own = cost(legal_ai(calibration_file(tmp_path, "own.yaml", accelerator="h100_sxm", mfu=0.4), run_mfu=0.35))
    assert own[0] == pytest.approx(default[0], rel=1e-12)  # its own MFU: unchanged
    assert own[1] == pytest.approx(good[1], rel=1e-12)  # the fine-tune gives none: the measured one


def test_the_better_calibration_cuts_the_monthly_training_spend_both_engines_see(tmp_path):
    """Month figures (the rule both engines run) over the pre-training run's schedule [3, 3 + work):
    the spend summed over months is cost rate × work, so a tenth with a 10× better measured MFU."""
    spends = []
    for name, mfu in (("a.yaml", 0.04), ("b.yaml", 0.4)):
        product = sample(
            legal_ai(calibration_file(tmp_path, name, accelerator="h100_sxm", mfu=mfu), months=24), jax.random.key(0), 1
        ).product
        start = np.array([3.0, np.inf])
        end = start + product.work[0] * np.array([1.0, np.inf])
        release = np.array([np.inf, np.inf])
        one = product._replace(**{k: getattr(product, k)[0] for k in product._fields})
        spends.append(sum(float(month_figures(start, end, release, one, t).training_spend) for t in range(24)))
    assert spends[1] == pytest.approx(spends[0] / 10, rel=1e-6)  # float32 month sums


def test_losses_in_bits_per_byte_reach_the_engine_on_the_reference_scale():
    """loss_unit bits/byte: frontier 0.8 bpb → 0.8 · ln 2 · 3.40890 = 1.89029 nats/token; initial 0.82 bpb
    → 1.93755; the fine-tune's loss reduction 0.05 bpb → 0.11814 nats/token."""
    sc = legal_ai(unit_extra={"loss_unit": "bits/byte", "frontier_loss": 0.8, "initial_loss": 0.82})
    product = sample(sc, jax.random.key(0), 2).product
    assert product.frontier_loss[0, 0] == pytest.approx(1.89029, rel=1e-5)
    assert product.initial_loss[0] == pytest.approx(1.93755, rel=1e-5)
    assert product.loss[0, 0] - product.loss[0, 1] == pytest.approx(0.11814, rel=1e-4)


def test_what_cannot_be_converted_is_refused(tmp_path):
    """A byte-level law used as fitted (transfer 'none') and a calibration file in a unit with no conversion
    are errors that say why; so is a loss reduction on a pre-training run (it would be ignored)."""
    path = calibration_file(tmp_path)
    with pytest.raises(Exception, match="cannot be converted to the frontier's scale"):
        legal_ai(path, unit_extra={"calibration_transfer": "none"})
    odd = tmp_path / "odd.yaml"
    odd.write_text(Path(path).read_text().replace("loss_unit: nats/byte", "loss_unit: nats/llama3_token"))
    with pytest.raises(ValueError, match="cannot be converted"):
        load_calibration(odd)
    sc = legal_ai()
    runs = [r.model_dump(exclude_unset=True) for r in sc.product.training_runs]
    runs[0]["loss_reduction"] = 0.05
    with pytest.raises(Exception, match="applies only to a fine-tune"):
        vs.load(
            sc.model_dump(exclude_unset=True)
            | {"product": sc.product.model_dump(exclude_unset=True) | {"training_runs": runs}}
        )
