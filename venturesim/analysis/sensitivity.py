"""Sensitivity of an outcome to the uncertain inputs: tornado, rank importance, Sobol indices, and
the split of the spread into parameter uncertainty and luck.

Every method names inputs by their ``--set`` names (those of ``result.inputs`` and ``correlations:``;
:func:`venturesim.analysis.sampling.input_names`), studies any
:class:`~venturesim.analysis.outcomes.Outcome`, and runs the JAX engine with the same seed, paths and
shapes every time, so one compiled kernel serves all the runs (only array leaves of the Params change;
nothing recompiles per input) and the runs share common random numbers.

**Tornado** (:func:`tornado`). For input X_i at a low and a high quantile (p10 and p90 by default),
every other input at its own draws and the same process noise (common random numbers), the swing
is Δ_i = S(X_i = x_i,90) − S(X_i = x_i,10) for the outcome's statistic S. For a mean, its SE is the
paired one, sd(y_hi − y_lo)/√n, usually far below either run's own SE; for a quantile, it is the
spread of the swing over G = 20 groups of paths, sd(Δ_g)/√G. Inputs are sorted by |Δ|. For a model
linear in X_i, Δ_i = a_i (x_i,90 − x_i,10) exactly. The 2·D pinned runs go through the sweeps' runner
(:func:`venturesim.engine.variants.run_many`) at once, their kernel calls on a thread per core.

**Rank importance** (:func:`importance`), from one run: Spearman's ρ between each input's draws and
the outcome's per-path values, its SE ≈ (1 − ρ²)·√(1.06/(n − 3)) (Fieller, Hartley & Pearson 1957),
and the contribution to variance ρ_i² / Σ_j ρ_j² (Crystal Ball's "contribution to variance"; a
ranking, not a variance decomposition when inputs interact).

**Sobol indices** (:func:`sobol`): first-order S_i = Var(E[Y | X_i]) / Var(Y) and total
S_Ti = E[Var(Y | X_~i)] / Var(Y) of the per-path value Y, by Saltelli's (2010) estimators in SALib
(Herman & Usher 2017) with bootstrap confidence intervals. The model is stochastic, so the process
noise (and every input not studied) is one more factor, "everything else": its total index is the
share of Var(Y) that luck explains. A base sample of N points costs N·(D + 3) paths for D inputs
(matrices A, B and D + 1 mixed ones), run as D + 3 batches of N paths: A's rows carry the process
noise of paths 0 … N − 1, B's that of paths N′ … N′ + N − 1 (N′ = N rounded up to whole blocks), and
a mixed matrix takes the noise of the matrix its noise column comes from. The studied inputs are
set through their independent normals (correlations, if any, still act on them); indices are those
of the independent factors.

**Spread split** (:func:`spread_split`): Var(Y) = Var(E[Y | X]) + E[Var(Y | X)], parameter
uncertainty plus process noise. Two runs with the same inputs X on every path and independent
noise give Y, Y′ with Cov(Y, Y′) = Var(E[Y | X]) (the law of total covariance), so the parameter
share is Cov(Y, Y′) / Var(Y) (bootstrap SE). "Inputs" are the uncertain inputs of ``result.inputs``;
risk events, grant awards and each month's draws are luck.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from venturesim.analysis.outcomes import Outcome, alive
from venturesim.analysis.sampling import check_names, design_generator, input_names, unit_design
from venturesim.engine.jax_engine import BLOCK
from venturesim.engine.metrics import resolve_metrics
from venturesim.engine.result import Result
from venturesim.engine.simulate import run_jax
from venturesim.scenario.schema import Scenario
from venturesim.spec.errors import UsageError
from venturesim.spec.sampling import Design

GROUPS = 20
"""Groups of paths for the SE of a quantile's swing."""

NOISE = "everything else (process noise, inputs not studied)"
"""The Sobol study's extra factor."""


@dataclass(frozen=True)
class Runner:
    """Runs one scenario under designs with the same seed, paths and shapes (one compiled kernel).

    ``run(design, first_path)`` returns the Result of ``paths`` paths starting at global path
    ``first_path`` with ``design`` (None: the inputs' own draws).
    """

    scenario: Scenario
    paths: int
    seed: int
    months: int
    metrics: tuple[str, ...]
    threads: int | None = None

    def run(self, design: Design | None = None, first_path: int = 0) -> Result:
        return run_jax(
            self.scenario,
            paths=self.paths,
            seed=self.seed,
            months=self.months,
            metrics=self.metrics,
            threads=self.threads,
            first_path=first_path,
            design=design,
        )


def runner(
    scenario, *, paths: int | None = None, seed: int | None = None, months: int | None = None, threads=None
) -> Runner:
    """A :class:`Runner` for a Scenario (or YAML path, or dict) with the scenario's settings as defaults."""
    from venturesim import load

    scenario = load(scenario)
    settings = scenario.simulation
    return Runner(
        scenario,
        int(settings.paths if paths is None else paths),
        int(settings.seed if seed is None else seed),
        int(settings.months if months is None else months),
        resolve_metrics(None),
        threads,
    )


def _outcome(outcome: Outcome | str | None, months: int) -> Outcome:
    from venturesim.analysis.outcomes import parse_outcome

    if outcome is None:
        return alive(months)
    return parse_outcome(outcome) if isinstance(outcome, str) else outcome


# ---- tornado ----------------------------------------------------------------------------------


def swing_se(outcome: Outcome, low: np.ndarray, high: np.ndarray, groups: int = GROUPS) -> float:
    """SE of S(high) − S(low) for per-path values on the same paths (common random numbers).

    Mean: sd(high − low)/√n over paths where both count. Quantile: sd of the groups' swings / √G.
    """
    both = ~np.isnan(low) & ~np.isnan(high)
    if outcome.quantile is None:
        d = high[both] - low[both]
        return float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan")
    parts = np.array_split(np.arange(low.size), groups)
    swings = [outcome.statistic(high[p]) - outcome.statistic(low[p]) for p in parts]
    return float(np.std(swings, ddof=1) / np.sqrt(groups))


def tornado_table(
    evaluate: Callable[[Design | None], tuple[np.ndarray, dict[str, np.ndarray]]],
    outcome: Outcome,
    names: Sequence[str],
    low: float = 0.1,
    high: float = 0.9,
) -> pd.DataFrame:
    """The tornado of ``outcome`` over ``names`` for any model ``evaluate(design) -> (per-path values,
    the inputs' draws by name)``; see the module docstring. Sorted by |swing|, largest first."""
    _check_quantiles(low, high)
    base_values, _ = evaluate(None)
    base, base_se = outcome.estimate(base_values)
    rows = []
    for name in names:
        lo_values, lo_draws = evaluate(Design(pinned={name: low}))
        hi_values, hi_draws = evaluate(Design(pinned={name: high}))
        s_lo, s_hi = outcome.statistic(lo_values), outcome.statistic(hi_values)
        rows.append(
            {
                "input": name,
                "input_low": float(lo_draws[name][0]),
                "input_high": float(hi_draws[name][0]),
                "outcome_low": s_lo,
                "outcome_high": s_hi,
                "swing": s_hi - s_lo,
                "swing_se": swing_se(outcome, lo_values, hi_values),
            }
        )
    table = pd.DataFrame(rows)
    table = table.reindex(table["swing"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    table.attrs.update(outcome=outcome.name, base=base, base_se=base_se, low=low, high=high)
    return table


def _check_quantiles(low: float, high: float) -> None:
    if not 0 < low < high < 1:
        raise UsageError(f"tornado quantiles must satisfy 0 < low < high < 1, found low={low}, high={high}")


def tornado(
    scenario,
    outcome: Outcome | str | None = None,
    inputs: Sequence[str] | None = None,
    *,
    paths: int = 4096,
    seed: int | None = None,
    months: int | None = None,
    low: float = 0.1,
    high: float = 0.9,
    top: int = 10,
    threads: int | None = None,
) -> pd.DataFrame:
    """Tornado of ``outcome`` (default P(alive at the horizon)) on a scenario: 1 + 2·D runs of ``paths``.

    ``inputs`` default to the ``top`` inputs by rank importance in the base run. Returns columns
    input, input_low, input_high (the input's p10 and p90 values), outcome_low, outcome_high, swing,
    swing_se; ``table.attrs`` holds the outcome's name, its base value and SE, and the quantiles.
    """
    from venturesim.engine.variants import run_many

    _check_quantiles(low, high)
    run = runner(scenario, paths=paths, seed=seed, months=months, threads=threads)
    chosen = _outcome(outcome, run.months)
    names = None if inputs is None else check_names(run.scenario, inputs)
    base = run.run(None)
    if names is None:
        names = list(importance(base, chosen)["input"][:top])
    designs = [Design(pinned={name: q}) for name in names for q in (low, high)]
    evaluated: dict = {None: _values(chosen, base)}

    def keep(i: int, result: Result) -> None:
        evaluated[(names[i // 2], (low, high)[i % 2])] = _values(chosen, result)

    run_many(  # every low and high run at once: one compiled kernel, their kernel calls on a thread per core
        [run.scenario] * len(designs),
        paths=run.paths,
        seed=run.seed,
        months=run.months,
        metrics=run.metrics,
        on_result=keep,
        threads=threads,
        designs=designs,
    )

    def evaluate(design):
        return evaluated[None if design is None else next(iter(design.pinned.items()))]

    return tornado_table(evaluate, chosen, names, low, high)


def _values(outcome: Outcome, result: Result) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The outcome's per-path values and the inputs' draws by name."""
    return outcome.values(result), {k: result.inputs[k].to_numpy() for k in result.inputs.columns}


# ---- rank importance ----------------------------------------------------------------------------


def importance(result: Result, outcome: Outcome | str | None = None) -> pd.DataFrame:
    """Spearman rank correlation of each input's draws with the outcome's per-path values, its SE and
    its contribution to variance ρ²/Σρ², from one run; sorted by |ρ| (see the module docstring)."""
    chosen = _outcome(outcome, result.months)
    y = chosen.values(result)
    keep = ~np.isnan(y)
    x = result.inputs.loc[keep]
    n = int(keep.sum())
    if n < 4 or x.empty:
        raise UsageError(f"rank importance needs inputs and at least 4 paths where {chosen.name!r} counts; found {n}")
    ry = rankdata(y[keep])
    rows = []
    for name in x.columns:
        column = x[name].to_numpy(np.float64)
        if np.ptp(column) == 0 or np.ptp(ry) == 0:
            continue
        rho = float(np.corrcoef(rankdata(column), ry)[0, 1])
        rows.append({"input": name, "rank_correlation": rho, "se": (1 - rho**2) * np.sqrt(1.06 / (n - 3))})
    table = pd.DataFrame(rows, columns=["input", "rank_correlation", "se"])
    squares = table["rank_correlation"] ** 2
    table["contribution"] = squares / squares.sum() if squares.sum() > 0 else np.nan
    table = table.reindex(table["rank_correlation"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    table.attrs.update(outcome=chosen.name, paths=n)
    return table


# ---- Sobol indices -------------------------------------------------------------------------------


def sobol_table(
    evaluate: Callable[[np.ndarray, str], np.ndarray],
    names: Sequence[str],
    base_samples: int,
    seed: int,
    *,
    noise: bool = True,
    resamples: int = 200,
) -> pd.DataFrame:
    """First-order and total Sobol indices of any model by Saltelli's design (SALib).

    ``evaluate(U, noise_of)`` gets an (N, D) matrix of uniforms (one column per name) and which base
    matrix's process noise its rows carry ("A" or "B"), and returns (N,) values. With ``noise`` the
    noise is a factor of its own (row :data:`NOISE`). Returns columns factor, S1, S1_conf, ST, ST_conf
    (95 % bootstrap half-widths), in the order of ``names``.
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    factors = list(names) + ([NOISE] if noise else [])
    k = len(factors)
    problem = {"num_vars": k, "names": factors, "bounds": [[0.0, 1.0]] * k}
    x = sample.sample(problem, base_samples, calc_second_order=False, scramble=True, seed=seed)
    x = x.reshape(base_samples, k + 2, k)  # per base point: A, AB_1 … AB_k, B
    y = np.empty((base_samples, k + 2))
    d = len(names)
    for j in range(k + 2):
        noise_of = "B" if j == k + 1 or (noise and j == k) else "A"
        y[:, j] = evaluate(x[:, j, :d], noise_of)
    if not np.isfinite(y).all():
        raise UsageError("the outcome is NaN on some paths; a Sobol study needs a value on every path")
    if np.var(y) == 0:
        raise UsageError("the outcome is the same on every path; there is no variance to decompose")
    s = analyze.analyze(
        problem, y.reshape(-1), calc_second_order=False, num_resamples=resamples, conf_level=0.95, seed=seed
    )
    table = pd.DataFrame(
        {"factor": factors, "S1": s["S1"], "S1_conf": s["S1_conf"], "ST": s["ST"], "ST_conf": s["ST_conf"]}
    )
    table.attrs.update(base_samples=base_samples, evaluations=base_samples * (k + 2))
    return table


def sobol(
    scenario,
    outcome: Outcome | str | None = None,
    inputs: Sequence[str] | None = None,
    *,
    base_samples: int = 4096,
    seed: int | None = None,
    months: int | None = None,
    top: int = 10,
    threads: int | None = None,
) -> pd.DataFrame:
    """Sobol first-order and total indices of ``outcome``'s per-path value on a scenario, with the
    process noise as one more factor; ``base_samples · (D + 3)`` paths. ``inputs`` default to the
    ``top`` inputs by rank importance in a run of ``base_samples`` paths."""
    run = runner(scenario, paths=base_samples, seed=seed, months=months, threads=threads)
    chosen = _outcome(outcome, run.months)
    if inputs is None:
        names = list(importance(run.run(None), chosen)["input"][:top])
    else:
        names = check_names(run.scenario, inputs)
    offset = -(-base_samples // BLOCK) * BLOCK

    def evaluate(u: np.ndarray, noise_of: str) -> np.ndarray:
        design = Design(uniforms={name: u[:, j] for j, name in enumerate(names)})
        return chosen.values(run.run(design, first_path=0 if noise_of == "A" else offset))

    table = sobol_table(evaluate, names, base_samples, run.seed)
    table.attrs.update(outcome=chosen.name)
    return table


# ---- parameter uncertainty vs process noise --------------------------------------------------------


def variance_split(y: np.ndarray, y_again: np.ndarray, resamples: int = 200, seed: int = 0) -> pd.DataFrame:
    """Parameter and noise shares of Var(Y) from paired values with the same inputs, independent noise.

    parameter share = Cov(Y, Y′) / Var(Y) with Var(Y) pooled from both; noise share = 1 − it;
    SEs by a bootstrap over paths. Paths where either value is NaN are left out.
    """
    keep = ~np.isnan(y) & ~np.isnan(y_again)
    a, b = y[keep], y_again[keep]

    def share(a, b):
        var = 0.5 * (np.var(a, ddof=1) + np.var(b, ddof=1))
        return np.cov(a, b)[0, 1] / var if var > 0 else np.nan

    value = share(a, b)
    rng = np.random.default_rng(seed)
    boot = [share(a[i], b[i]) for i in (rng.integers(0, a.size, a.size) for _ in range(resamples))]
    se = float(np.nanstd(boot, ddof=1))
    variance = 0.5 * (np.var(a, ddof=1) + np.var(b, ddof=1))
    return pd.DataFrame(
        {
            "source": ["parameter uncertainty (the inputs)", "process noise (luck)"],
            "share": [value, 1 - value],
            "se": [se, se],
            "variance": [value * variance, (1 - value) * variance],
        }
    )


def spread_split(
    scenario,
    outcome: Outcome | str | None = None,
    *,
    paths: int = 4096,
    seed: int | None = None,
    months: int | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """How much of the outcome's spread (Var of its per-path value) the inputs explain, and how much
    is luck: two runs of ``paths`` paths with the same inputs and independent process noise."""
    run = runner(scenario, paths=paths, seed=seed, months=months, threads=threads)
    chosen = _outcome(outcome, run.months)
    names = input_names(run.scenario, run.months)
    if not names:
        raise UsageError("the scenario has no uncertain inputs: all of its spread is process noise")
    u = unit_design("random", run.paths, len(names), design_generator(run.seed))
    design = Design(uniforms={name: u[:, j] for j, name in enumerate(names)})
    y = chosen.values(run.run(design, 0))
    y_again = chosen.values(run.run(design, -(-run.paths // BLOCK) * BLOCK))
    table = variance_split(y, y_again, seed=run.seed)
    table.attrs.update(outcome=chosen.name, paths=run.paths)
    return table
