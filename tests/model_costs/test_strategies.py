"""The three strategies (vendor API, fine-tuned open weights, own pre-training) and a switch between them:
each month's quality gap, serving cost and training spend, hand-worked, in both engines.

The scenario (6 months; 10 customers who neither come nor go; 10⁶ tokens each a month ⇒ 10⁷ tokens a
month; the frontier at 1.85 nats/token throughout):

* months 0–1, ``serving_plan`` phase 'api' on ``frontier_api`` (GPT-4o class: $2.50 in, $10 out per 10⁶,
  3 input tokens per output token): cost per token (0.75·2.5 + 0.25·10)/10⁶ = 4.375e-6 ⇒ serving $43.75 a
  month; its gap to the frontier 0 ⇒ quality gap 0.
* months 2–3, phase 'own': the best own model released is the full fine-tune of Llama 3.1 8B on 10⁸
  tokens: loss = Chinchilla(8.03e9, 15e12) − 0.08 = 1.94340 − 0.08 = 1.86340 ⇒ gap −0.01340; served on
  H100s at $3.60/h, MFU 0.5, utilisation 0.5: 2·8.03e9 / (989e12·0.25) s · $0.001/s = 6.4955e-8 per token
  ⇒ $0.64955 a month. (The initial model, 'small API model', is worse at 1.95, and the pre-trained 1B
  model at Chinchilla(1e9, 2e10) = 2.530 much worse: never served.)
* months 4–5, phase 'api' on ``small_api`` (GPT-4o mini: $0.15 in, $0.60 out) at twice its catalogue
  price: 2 · (0.75·0.15 + 0.25·0.6)/10⁶ = 5.25e-7 per token ⇒ $5.25 a month; gap −0.10.
* Training, month 0 (one slot, 8 H100s at $2/h, MFU 0.5): the fine-tune 6·8.03e9·1e8 FLOPs = 0.33840 h,
  then the pre-training run 6·1e9·2e10 FLOPs = 8.42645 h ⇒ 8 · $2 · 8.76485 h = $140.24; nothing after.
"""

from __future__ import annotations

import numpy as np
import pytest

import venturesim as vs
from venturesim.model_costs.models import (
    api_model,
    api_price_per_token,
    fine_tuning_flops,
    fine_tuning_gain,
    open_model,
    open_model_loss,
    preset,
)

H100 = 989e12
GAP = [0.0, 0.0, -0.013395, -0.013395, -0.10, -0.10]
SERVING = [43.75, 43.75, 0.649555, 0.649555, 5.25, 5.25]
HOURS = (6 * 8.03e9 * 1e8 + 6 * 1e9 * 2e10) / (H100 * 0.5 * 8) / 3600
TRAINING = [8 * 2.0 * HOURS, 0, 0, 0, 0, 0]
PER_MILLION = [cost / 10.0 for cost in SERVING]  # 10⁷ tokens a month: USD per 10⁶ tokens
# Energy at the default PUE 1.2 and grid 370 g CO2e/kWh (product.energy), H100 TDP 700 W: training 8 · 0.7 kW ·
# 1.2 · 8.76485 h = 58.900 kWh in month 0; serving the 8B model (months 2–3) 10⁷ tokens at 15,395.5 tokens/s
# (989e12 · 0.5 · 0.5 / (2 · 8.03e9)) ⇒ 649.5 s · 0.84 kW = 0.15156 kWh; the API months: none of ours.
TRAINING_KWH = [8 * 0.7 * 1.2 * HOURS, 0, 0, 0, 0, 0]
SERVING_KWH = [0, 0, *[1e7 / (H100 * 0.25 / (2 * 8.03e9)) / 3600 * 0.84] * 2, 0, 0]
CO2E = [(t + s) * 0.370 for t, s in zip(TRAINING_KWH, SERVING_KWH, strict=True)]

RUN = {"accelerators": 8, "mfu": 0.5, "price_per_hour": 2.0, "interruptions_per_1000_accelerator_days": 0.0}


def scenario() -> vs.Scenario:
    return vs.load(
        {
            "name": "three strategies",
            "simulation": {"months": 6, "seed": 1},
            "company": {"initial_cash": 1e6},
            "market": {
                "segments": [
                    {
                        "name": "firms",
                        "market_size": 10,
                        "bass_p_annual": 0.01,
                        "bass_q_annual": 0.01,
                        "price": 100.0,
                        "churn": 0.0,
                        "initial_customers": 10,
                        "tokens_per_customer_month": 1e6,
                    }
                ]
            },
            "product": {
                "frontier_loss": 1.85,
                "initial_model": "small API model",
                "serving_plan": [
                    {"month": 0, "strategy": "api", "api_model": "frontier_api"},
                    {"month": 2, "strategy": "own"},
                    {"month": 4, "strategy": "api", "api_model": "small_api", "price_multiplier": 2.0},
                ],
                "training_runs": [
                    {
                        "name": "ft",
                        "month": 0,
                        "base_model": "llama_3_1_8b",
                        "tokens": 1e8,
                        "failure_probability": 0.0,
                        **RUN,
                    },
                    {"name": "scratch", "month": 0, "parameters": 1e9, "tokens": 2e10, "failure_probability": 0.0}
                    | RUN,
                ],
                "serving": {"price_per_hour": 3.6, "mfu": 0.5, "utilisation": 0.5},
            },
        }
    )


def test_catalogue_figures_by_hand():
    """The hand figures above, from the catalogue and the rules."""
    assert api_price_per_token(api_model("frontier_api")) == pytest.approx(4.375e-6)
    assert api_price_per_token(api_model("small_api")) == pytest.approx(2.625e-7)
    assert open_model_loss(open_model("llama_3_1_8b")) == pytest.approx(1.94340, abs=1e-5)
    assert open_model_loss(open_model("llama_3_1_70b")) == pytest.approx(1.85073, abs=1e-5)
    assert fine_tuning_gain(1e8) == pytest.approx(0.08)
    assert fine_tuning_gain(1e9) / fine_tuning_gain(1e8) == pytest.approx(10**0.18)  # Hernandez et al. 2021
    assert fine_tuning_gain(1e8, "lora") == pytest.approx(0.064)
    assert fine_tuning_flops(8e9, 1e8, "lora") / fine_tuning_flops(8e9, 1e8) == pytest.approx(4.03 / 6)
    assert preset("fine-tuned open 8B").loss(1.85) == pytest.approx(1.86340, abs=1e-5)
    assert preset("small API model").loss(1.85) == pytest.approx(1.95)
    with pytest.raises(KeyError, match="did you mean 'open 8B'"):
        preset("open 8b")


METRICS = [
    "quality_gap",
    "serving_cost",
    "training_compute",
    "serving_cost_per_million",
    "training_energy",
    "serving_energy",
    "co2e",
]


@pytest.fixture(scope="module", params=["jax", "des"])
def result(request):
    return vs.simulate(scenario(), paths=2, seed=3, engine=request.param, workers=1, metrics=METRICS)


@pytest.mark.parametrize(
    "metric, expected",
    [
        ("quality_gap", GAP),
        ("serving_cost", SERVING),
        ("training_compute", TRAINING),
        ("serving_cost_per_million", PER_MILLION),
        ("training_energy", TRAINING_KWH),
        ("serving_energy", SERVING_KWH),
        ("co2e", CO2E),
    ],
)
def test_each_strategy_month_by_month_in_both_engines(result, metric, expected):
    got = np.asarray(result.data[metric].values, np.float64)  # (paths, months)
    for path in got:
        np.testing.assert_allclose(path, expected, rtol=2e-5, atol=1e-6, err_msg=f"{result.engine}: {metric}")


def test_each_run_spend_adds_up_to_the_training_spend_in_both_engines(result):
    """The final result ``run_spend`` (USD per run): the fine-tune 8 · $2 · 0.33840 h = $5.414 and the
    pre-training run 8 · $2 · 8.42645 h = $134.82, both in month 0; together the month's training spend."""
    spend = np.asarray(result.data["run_spend"].values, np.float64)
    assert list(result.data["run"].values) == ["ft", "scratch"]
    ft = 6 * 8.03e9 * 1e8 / (H100 * 0.5 * 8) / 3600
    np.testing.assert_allclose(spend, [[16 * ft, 16 * (HOURS - ft)]] * 2, rtol=2e-5)


def test_validate_says_what_the_starting_model_means(tmp_path):
    """'open 8B' against the default frontier (1.85 at month 0): g = 1.85 − 1.94340 = −0.0934 nats/token;
    with ε = 2 and M = 3, adoption × 3^tanh(2g/ln 3) = 0.831 and churn × 3^tanh(−2g/ln 3) = 1.203."""
    from typer.testing import CliRunner

    from venturesim.cli import app
    from venturesim.model_costs.models import starting_quality

    sc = scenario()
    data = sc.model_dump(exclude_unset=True)
    data["product"] = {"initial_model": "open 8B"}
    q = starting_quality(vs.load(data).product)
    assert q["gap"] == pytest.approx(-0.0934, abs=1e-4)
    assert (q["adoption"], q["churn"]) == (pytest.approx(0.831, abs=1e-3), pytest.approx(1.203, abs=1e-3))
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\ncompany: {initial_cash: 1e6}\nmarket:\n  segments:\n    - {name: a, market_size: 100, price: 10}\n"
        "product: {initial_model: open 8B}\n"
    )
    out = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "your model starts 0.09 nats/token behind the frontier: adoption × 0.83, churn × 1.20" in out.output


def test_validate_of_a_product_scenario_imports_no_jax(tmp_path):
    """Issue 15/21: the product line of `validate` is the month rule in NumPy on the inputs' medians, so checking
    a scenario with a product section (uncertain inputs, a calibration file) imports no JAX, in a fresh
    interpreter as a user's command runs. The median gap: initial_loss {p5: 1.90, p95: 2.00} is lognormal with
    median √(1.90·2.00) = 1.94936; the frontier 1.85 at month 0: g = −0.09936 nats/token; ε_a = 2, M = 3:
    adoption × 3^tanh(2g/ln 3) = 0.8197."""
    import dataclasses
    import subprocess
    import sys

    from builders import sample_calibration

    from venturesim.model_costs.calibration import write_calibration

    cal = tmp_path / "cal.yaml"
    draws = {"E": (0.7, 0.8), "A": (9.0, 9.0), "B": (25.0, 25.0), "alpha": (0.3, 0.4), "beta": (0.28, 0.29)}
    write_calibration(dataclasses.replace(sample_calibration(), accelerator="h100_sxm", mfu=0.4, law_draws=draws), cal)
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\ncompany: {initial_cash: 1e6}\nmarket:\n  segments:\n    - {name: a, market_size: 100, price: 10}\n"
        f"product:\n  calibration: {cal}\n  initial_loss: {{p5: 1.90, p95: 2.00}}\n"
        "  training_runs:\n    - {name: r1, month: 2, parameters: {p5: 1e9, p95: 3e9}, tokens: 2e10}\n"
    )
    code = f"""
import sys
from typer.testing import CliRunner
from venturesim.cli import app
out = CliRunner().invoke(app, ["validate", "--allow-outside-files", {str(path)!r}], env={{"COLUMNS": "200"}})
print(out.exit_code, out.output)
print("imported:", sorted(m for m in ("jax", "jaxlib", "xarray", "pandas") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("0 "), done.stdout
    assert "your model starts 0.10 nats/token behind the frontier: adoption × 0.82" in done.stdout
    assert "imported: []" in done.stdout


def test_the_summary_gives_each_run_spend_and_the_footprint(result):
    """The summary's product rows (medians over the 2 identical paths): spend on each run as above; energy over
    6 months: training 58.900 kWh = 0.058900 MWh, serving 2 · 0.15156 kWh = 3.0312e-4 MWh; CO2e (58.900 +
    0.30312) kWh · 370 g/kWh = 21.905 kg = 0.021905 t."""
    summary = result.summary()
    rows = summary[summary["section"] == "product"].set_index("metric")["value"]
    ft = 6 * 8.03e9 * 1e8 / (H100 * 0.5 * 8) / 3600
    assert rows["spend on training run 'ft'"] == pytest.approx(16 * ft, rel=2e-5)
    assert rows["spend on training run 'scratch'"] == pytest.approx(16 * (HOURS - ft), rel=2e-5)
    assert rows["training energy over 6 months"] == pytest.approx(sum(TRAINING_KWH) / 1e3, rel=2e-5)
    assert rows["serving energy over 6 months"] == pytest.approx(sum(SERVING_KWH) / 1e3, rel=2e-5)
    assert rows["CO2e of training and serving over 6 months"] == pytest.approx(sum(CO2E) / 1e3, rel=2e-5)
    assert sum(CO2E) == pytest.approx(21.905, rel=1e-4)
