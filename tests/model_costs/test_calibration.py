"""Calibration: file round trip, no silent overwrite, the point fit's E floor, a tiny real run."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from builders import sample_calibration as _calibration

from venturesim.model_costs.calibration import (
    E_FLOOR,
    QUICK_GRID,
    GridPoint,
    calibrate_product,
    fit_point_law,
    load_calibration,
    write_calibration,
)
from venturesim.model_costs.shape import TransformerShape
from venturesim.model_costs.training import TrainConfig


@pytest.mark.parametrize("name", ["cal.yaml", "cal.json"])
def test_calibration_file_round_trips_exactly(tmp_path, name):
    cal = _calibration()
    path = write_calibration(cal, tmp_path / name)
    assert load_calibration(path) == cal  # floats are written with repr: bit-exact


def test_existing_file_is_not_overwritten_without_force(tmp_path):
    path = tmp_path / "calibration.yaml"
    path.write_text("precious\n")
    with pytest.raises(FileExistsError, match=r"calibration\.yaml"):
        write_calibration(_calibration(), path)
    assert path.read_text() == "precious\n"
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary left behind
    write_calibration(_calibration(), path, force=True)
    assert load_calibration(path).seed == 7


def test_unknown_extension_and_bad_version_are_errors(tmp_path):
    with pytest.raises(ValueError, match=r"\.yaml, \.yml or \.json"):
        write_calibration(_calibration(), tmp_path / "cal.txt")
    (tmp_path / "old.yaml").write_text("format_version: 0\n")
    with pytest.raises(ValueError, match="format_version"):
        load_calibration(tmp_path / "old.yaml")


def test_point_fit_recovers_a_law_with_an_irreducible_loss():
    # 9 runs on an exact law: the Huber fit recovers its parameters
    N, D = np.repeat([1e4, 3e4, 1e5], 3), np.tile([1e5, 3e5, 1e6], 3)
    law, method = fit_point_law(N, D, 1.2 + 30 / N**0.4 + 20 / D**0.25)
    assert method.startswith("huber") and "floor" not in method
    assert pytest.approx(1.2, rel=1e-3) == law.E and law.alpha == pytest.approx(0.4, rel=1e-3)


def test_point_fit_keeps_e_at_its_floor_when_the_runs_cannot_identify_it():
    # pure power laws (E = 0): the unconstrained optimum is E → 0; the fit stops at E_FLOOR and
    # still reproduces the data (a 0.001 shift of a loss of ~1 is absorbed by A and B: < 0.01 %)
    N, D = np.repeat([1e4, 3e4, 1e5], 3), np.tile([1e5, 3e5, 1e6], 3)
    loss = 30 / N**0.4 + 20 / D**0.25
    law, method = fit_point_law(N, D, loss)
    assert pytest.approx(E_FLOOR) == law.E and "not identified" in method
    np.testing.assert_allclose(law.loss(N, D), loss, rtol=1e-4)


def test_quick_grid_spans_both_axes():
    N = {p.shape for p in QUICK_GRID}
    D = {p.tokens for p in QUICK_GRID}
    assert len(QUICK_GRID) >= 5 and len(N) >= 3 and max(D) / min(D) >= 9
    with pytest.raises(ValueError, match="tokens"):
        GridPoint(next(iter(N)), 0)


# d=32, T=64, batch 16 is test_training's TINY run: the compiled step is shared when both run
TINY_GRID = tuple(
    GridPoint(TransformerShape(n_layers=1, d_model=d, n_heads=2, vocab_size=256, context=64), tokens)
    for d, budgets in ((8, (61_440, 122_880, 245_760)), (32, (61_440, 122_880)))
    for tokens in budgets
)
TINY_CONFIG = TrainConfig(batch_size=16, seq_len=64, peak_lr=1e-2, eval_windows=32)


@pytest.mark.slow
def test_tiny_calibration_produces_a_fitted_law(tmp_path):
    seen = []
    cal = calibrate_product(
        TINY_GRID,
        key=jax.random.key(0),
        config=TINY_CONFIG,
        corpus_bytes=400_000,
        bayes=False,
        progress=lambda i, n, r: seen.append((i, n)),
    )
    assert seen == [(i, 5) for i in range(1, 6)]
    assert cal.law_posterior is None and cal.platform == "cpu"
    losses = np.array([r.validation_loss for r in cal.runs])
    N = np.array([r.parameters for r in cal.runs])
    D = np.array([r.tokens for r in cal.runs])
    # more data helps (the first three runs are one model at 60, 120 and 240 steps of 1 024 tokens)
    assert losses[0] > losses[1] > losses[2]
    # the fitted law passes within 5 % of every measured loss (5 parameters, 5 runs)
    np.testing.assert_allclose(cal.law.loss(N, D), losses, rtol=0.05)
    # aggregate MFU: Σ model FLOPs of the timed steps / (peak · Σ wall time)
    flops = sum((r.steps - 1) * r.analytic_flops_per_step for r in cal.runs)
    assert cal.mfu == pytest.approx(flops / sum(r.wall_s for r in cal.runs) / cal.peak_flops)
    assert 0 < cal.mfu < 1.5  # the CPU peak is measured on a shared machine, so allow some slack
    path = write_calibration(cal, tmp_path / "c.yaml")
    assert load_calibration(path) == cal


@pytest.mark.slow
def test_tiny_calibration_with_the_bayesian_fit():
    cal = calibrate_product(
        TINY_GRID,
        key=jax.random.key(0),
        config=TINY_CONFIG,
        corpus_bytes=400_000,
        bayes=True,
        bayes_draws=200,
        bayes_tune=200,
        bayes_chains=1,
    )
    post = cal.law_posterior
    assert set(post) == {"E", "A", "B", "alpha", "beta"}
    for name, summary in post.items():
        assert summary["p5"] <= summary["p50"] <= summary["p95"], name
        assert summary["sd"] > 0 and len(cal.law_draws[name]) == 200
    # the posterior predicts the measured losses: at the posterior-median parameters, within 10 %
    losses = np.array([r.validation_loss for r in cal.runs])
    N = np.array([r.parameters for r in cal.runs], dtype=float)
    D = np.array([r.tokens for r in cal.runs], dtype=float)
    median = {k: v["p50"] for k, v in post.items()}
    predicted = median["E"] + median["A"] / N ** median["alpha"] + median["B"] / D ** median["beta"]
    np.testing.assert_allclose(predicted, losses, rtol=0.10)


def test_cli_refuses_to_overwrite_before_training(tmp_path):
    from typer.testing import CliRunner

    from venturesim.cli import app

    path = tmp_path / "calibration.yaml"
    path.write_text("precious\n")
    result = CliRunner().invoke(app, ["calibrate-product", "--quick", "--out", str(path)])
    assert result.exit_code == 1 and "refusing to overwrite" in result.output
    assert path.read_text() == "precious\n"
    result = CliRunner().invoke(app, ["calibrate-product", "--out", str(tmp_path / "c.txt")])
    assert result.exit_code == 1 and ".json" in result.output


def test_cli_prints_the_runs_and_the_law_and_writes_the_file(tmp_path, monkeypatch):
    # the command is thin: the calibration itself is replaced by a fixed one here
    from typer.testing import CliRunner

    from venturesim.cli import app
    from venturesim.model_costs import calibration

    calls = []

    def fake(**kwargs):
        calls.append(kwargs)
        return _calibration()

    monkeypatch.setattr(calibration, "calibrate_product", fake)
    out = tmp_path / "sub" / "cal.json"
    result = CliRunner().invoke(app, ["calibrate-product", "--quick", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert calls[0]["quick"] is True and calls[0]["seed"] == 3
    assert "1.085 + 391.8/N^0.766 + 34.79/D^0.281" in result.output  # E, A, B, alpha, beta of _calibration()
    assert "2.250" in result.output  # the second run's validation loss in the table
    assert load_calibration(out) == _calibration()
