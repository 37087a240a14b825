"""The analyses on the JAX engine, on one small scenario (one compiled kernel: 6 months, blocks of 4,096).

* Sampling: a Latin hypercube puts exactly one draw of each input in each of the n strata (the
  empirical CDF of the k-th smallest draw is in [k/n, (k+1)/n]); a design's rows go to their paths
  whatever the chunk size; with LHS and scrambled Sobol the SE of a known mean (an input's mean) is
  far below plain Monte Carlo's σ/√n at equal paths.
* Precision control stops at the first batch whose SE is within the target, never runs more than the
  cap, and its paths are the same paths as one run of as many.
* Tornado on the engine: mean cash at month 1 is initial cash − month 0's costs + revenue, so pinning
  the initial cash at its p10 and p90 moves it by exactly p90 − p10 (and the costs by −(p90 − p10)).
* Sobol and the spread split agree on how much of the spread is luck.
"""

import re

import numpy as np
import pytest
from scipy.special import ndtri
from scipy.stats import norm

import venturesim as vs
from venturesim.analysis import outcomes, sensitivity
from venturesim.analysis.precision import simulate_until
from venturesim.analysis.sampling import design_generator, input_names, sampling_design, unit_design
from venturesim.engine.metrics import resolve_metrics
from venturesim.spec.sampling import Design, Sampler

pytestmark = pytest.mark.slow  # one JAX compile (≈10 s idle)

SMALL = {
    "name": "analysis toy",
    "simulation": {"months": 6, "paths": 4096, "seed": 3},
    "company": {
        "initial_cash": {"dist": "normal", "mean": 2_000_000, "sd": 200_000},
        "founder_ownership": 0.9,
        "other_monthly_costs": {"dist": "normal", "mean": 60_000, "sd": 10_000},
    },
    "market": {
        "segments": [
            {
                "name": "s",
                "market_size": {"p5": 2000, "p95": 8000},
                "price": {"p5": 50, "p95": 200},
                "churn": {"p5": 0.01, "p95": 0.08},
            }
        ]
    },
}
N = 4096
CASH = norm(2_000_000, 200_000)


@pytest.fixture(scope="module")
def scenario():
    return vs.load(SMALL)


@pytest.fixture(scope="module")
def base(scenario):
    return vs.simulate(scenario, paths=N, chunk_size=N)


def test_latin_hypercube_fills_every_stratum_once(scenario):
    result = vs.simulate(scenario, paths=2 * N, chunk_size=N, sampling="lhs")  # two chunks
    cash = np.sort(result.inputs["company.initial_cash"].to_numpy(np.float64))
    k = np.arange(cash.size)
    u = CASH.cdf(cash)
    assert np.all(u >= k / cash.size - 1e-5) and np.all(u <= (k + 1) / cash.size + 1e-5)
    # row i of the design is path i's, across chunks: the draws are ppf(u_i) of the design's column
    design = sampling_design(scenario, "lhs", 2 * N, 3)
    expected = CASH.ppf(design.uniforms["company.initial_cash"])
    np.testing.assert_allclose(result.inputs["company.initial_cash"], expected, rtol=1e-6)


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_designs_lower_the_se_of_a_known_mean(method):
    """RMSE over 40 replicates of the mean of X ~ N(0, 1) + 0.3 X², E = 0.3, at 512 paths: plain MC's
    is σ/√n = 1.0863/√512 ≈ 0.048; LHS removes the additive part (→ RMSE of the X² part's residual) and
    Sobol more. The replicates differ by their seed; the design's column feeds the Sampler."""
    n, reps = 512, 40
    errors = {"random": [], method: []}
    for seed in range(reps):
        for kind in errors:
            u = unit_design(kind, n, 1, design_generator(seed))[:, 0]
            sampler = Sampler(__import__("jax").random.key(seed), np.arange(n), design=Design(uniforms={"x": u}))
            z = sampler.standard_normal("x")
            errors[kind].append(np.mean(z + 0.3 * z**2) - 0.3)
    rmse = {kind: float(np.sqrt(np.mean(np.square(e)))) for kind, e in errors.items()}
    sigma = np.sqrt(1 + 2 * 0.3**2)
    assert rmse["random"] == pytest.approx(sigma / np.sqrt(n), rel=0.35)
    assert rmse[method] < 0.5 * rmse["random"], rmse


def test_target_se_stops_within_target_and_never_above_cap(scenario, base):
    metrics = resolve_metrics(None)
    cash = outcomes.Outcome("mean initial cash", lambda r: r.inputs["company.initial_cash"].to_numpy(), None, "USD")
    target = 200_000 / np.sqrt(6000)  # σ/√n ≤ target needs n ≥ 6,000: two batches of 4,096
    result = simulate_until(
        scenario, target_se=target, seed=3, months=6, metrics=metrics, statistics=[cash], batch=N, max_paths=10**5
    )
    assert result.paths == 2 * N
    table = result.convergence
    assert list(table["paths"]) == [N, 2 * N]
    assert table["se"].iloc[0] > target >= table["se"].iloc[-1]
    # the same paths as one run of 8,192 (first_path): the first 4,096 are the base run's
    np.testing.assert_array_equal(result.data["cash"].values[:N], base.data["cash"].values)
    capped = simulate_until(
        scenario, target_se=target / 100, seed=3, months=6, metrics=metrics, statistics=[cash], batch=N, max_paths=6000
    )
    assert capped.paths == 6000 and capped.convergence["paths"].max() == 6000
    assert capped.convergence["se"].iloc[-1] > target / 100
    np.testing.assert_array_equal(capped.data["cash"].values[:N], base.data["cash"].values)


def test_tornado_on_the_engine_moves_cash_by_the_inputs_spread(scenario):
    z = ndtri(0.9)
    table = sensitivity.tornado(
        scenario, "cash@1:mean", ["company.initial_cash", "company.other_monthly_costs"], paths=N
    ).set_index("input")
    assert table.loc["company.initial_cash", "swing"] == pytest.approx(2 * z * 200_000, rel=1e-5)
    assert table.loc["company.other_monthly_costs", "swing"] == pytest.approx(-2 * z * 10_000, rel=1e-4)
    assert table.loc["company.initial_cash", "input_low"] == pytest.approx(CASH.ppf(0.1), rel=1e-6)
    assert table.loc["company.initial_cash", "swing_se"] < 1.0  # every path moves by the same dollars
    assert list(table.index) == ["company.initial_cash", "company.other_monthly_costs"]  # sorted by |swing|


def test_importance_ranks_the_driver_first(base):
    table = sensitivity.importance(base, "cash@1:mean")
    assert table["input"][0] == "company.initial_cash"
    assert table["rank_correlation"][0] > 0.95
    assert table["contribution"].sum() == pytest.approx(1.0)


def test_sobol_and_spread_split_agree_on_luck(scenario):
    """ARR at month 6: Sobol's total index of 'everything else' (luck, here only process noise since
    every input is studied) and the spread split's noise share estimate the same E[Var(Y|X)]/Var(Y)."""
    names = input_names(scenario)
    table = sensitivity.sobol(scenario, "arr@6:mean", names, base_samples=N).set_index("factor")
    luck = table.loc[sensitivity.NOISE]
    split = sensitivity.spread_split(scenario, "arr@6:mean", paths=N)
    noise_share, se = split["share"][1], split["se"][1]
    assert abs(luck["ST"] - noise_share) < 3 * np.hypot(luck["ST_conf"] / 1.96, se) + 0.02
    assert table.loc["market.segments.s.price", "ST"] > 0.2  # ARR ∝ price: a main driver


def test_cli_sensitivity_and_until_se(tmp_path):
    """The commands print what the library computes and write their pages (same kernel: 6 months, 4,096)."""
    import yaml
    from typer.testing import CliRunner

    from venturesim.cli import app

    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(SMALL))
    cli = CliRunner()
    page = tmp_path / "sens.html"
    args = ["sensitivity", str(path), "--outcome", "cash@1:mean", "--method", "importance,tornado"]
    args += ["--input", "company.initial_cash", "--paths", "4096", "--html", str(page)]
    done = cli.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "Tornado for mean cash at 1" in done.output
    text = page.read_text()
    assert "Tornado" in text and "Rank importance" in text
    swings = [float(x) for x in re.findall(r'"swing": ?(-?[0-9.e+]+)', text)]  # the chart's data
    assert swings and swings[0] == pytest.approx(2 * ndtri(0.9) * 200_000, rel=1e-5)  # 512,621
    out = tmp_path / "run"
    args = ["run", str(path), "--until-se", "3000", "--statistic", "cash@1:mean", "--chunk-size", "4096"]
    done = cli.invoke(app, args + ["--max-paths", "20000", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "after 8,192 paths (within the target SE 3000)" in " ".join(done.output.split())
    assert "Convergence" in (out / "report.html").read_text()
    bad = cli.invoke(app, ["sensitivity", str(path), "--input", "company.initial_cahs"])
    assert bad.exit_code != 0 and "did you mean 'company.initial_cash'" in bad.output
