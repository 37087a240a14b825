"""``venturesim calibrate KIND data.csv --out posterior.parquet``: fit a model to the user's data from the shell."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.table import Table


def _console():
    from venturesim.cli import console  # imported late: venturesim.cli registers this app at its end

    return console


@contextmanager
def clean_errors():
    """venturesim.cli's error handling (known errors: message and exit code; others: one line)."""
    from venturesim.cli import clean_errors as handler

    with handler():
        yield


calibrate_app = typer.Typer(
    no_args_is_help=True,
    help="Fit a model to your own data; write posterior draws a scenario reads with {posterior: FILE, column: NAME}.",
)

_OUT = typer.Option(None, "--out", "-o", help="Posterior draws (.parquet) to write.")
_DRAWS = typer.Option(1000, "--draws", help="NUTS draws kept per chain.")
_TUNE = typer.Option(1000, "--tune", help="NUTS tuning steps per chain.")
_CHAINS = typer.Option(2, "--chains", help="Chains (run one after the other).")
_SEED = typer.Option(0, "--seed", help="Random seed of the sampler.")
_FORCE = typer.Option(False, "--force", help="Replace an existing output file.")
_MLE = typer.Option(False, "--mle", help="Print the maximum-likelihood fit only (no sampling, nothing written).")


@contextmanager
def _quiet():
    """Silence third-party warnings and PyMC's progress logging (the CLI prints its own summary)."""
    loggers = [logging.getLogger(n) for n in ("pymc", "pytensor", "arviz", "jax", "numpyro")]
    levels = [lg.level for lg in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)


def _check_out(out: Path | None, force: bool, needed: bool = True) -> None:
    from venturesim.spec.errors import OutputError, UsageError

    if out is None:
        if needed:
            raise UsageError("give --out FILE.parquet for the posterior draws (or --mle for a quick fit)")
        return
    if out.suffix.lower() not in {".parquet", ".pq"}:
        raise UsageError(f"--out {out} must end in .parquet")
    if out.exists() and not force:
        raise OutputError(f"{out} exists; pass --force to replace it")
    if out.exists() and not out.is_file():
        raise OutputError(f"{out} exists and is not a file")


def _print_posterior(post, out: Path) -> None:
    table = Table(
        title=f"{post.kind} posterior ({post.sampler} NUTS, {post.seconds:.1f} s, {post.divergences} divergences)",
        title_justify="left",
    )
    summary = post.summary()
    for column in ("column", "mean", "sd", "3 %", "97 %", "R-hat", "ESS bulk"):
        table.add_column(column, justify="left" if column == "column" else "right")
    for name, row in summary.iterrows():
        rhat = "" if row.isna()["r_hat"] else f"{row['r_hat']:.3f}"
        ess = "" if row.isna()["ess_bulk"] else f"{row['ess_bulk']:.0f}"
        table.add_row(
            str(name), f"{row['mean']:.4g}", f"{row['sd']:.3g}", f"{row['q3']:.4g}", f"{row['q97']:.4g}", rhat, ess
        )
    _console().print(table)
    post.to_parquet(out)
    _console().print(
        f"wrote {out} ({len(post.draws)} draws); use it as {{posterior: {out.name}, column: NAME}}",
        highlight=False,
        markup=False,
    )


def _calibrate(
    out: Path | None,
    force: bool,
    *,
    read: Callable[[], Any],
    fit: Callable[[Any, dict], Any] | None,
    sampling: dict,
    mle: Callable[[Any], list[str]] | None = None,
    after: Callable[[Any, Any], None] | None = None,
) -> None:
    """Every Bayesian command's body: check ``--out``, ``read()`` the data (positioned errors), then either
    print the ``mle(data)`` lines (``--mle``: nothing written) or ``fit(data, sampling)``, print the posterior's
    summary and diagnostics, write it to ``out`` and run ``after(posterior, data)`` (e.g. a predictive check).
    ``fit`` None: the command has no Bayesian fit (``--out`` is optional)."""
    with clean_errors(), _quiet():
        _check_out(out, force, needed=mle is None and fit is not None)
        data = read()
        if mle is not None:
            for line in mle(data):
                _console().print(line, highlight=False, markup=False)
            return
        assert fit is not None and out is not None
        post = fit(data, sampling)
        _print_posterior(post, out)
        if after is not None:
            after(post, data)


def _sampling(draws: int, tune: int, chains: int, seed: int) -> dict:
    return {"draws": draws, "tune": tune, "chains": chains, "seed": seed}


@calibrate_app.command("retention")
def retention(
    data: Path = typer.Argument(..., help="Cohort table: columns 0, 1, 2, … (active customers); optional segment."),
    out: Path | None = _OUT,
    periods: int | None = typer.Option(None, "--periods", help="Use only periods 1…N of the table."),
    draws: int = _DRAWS,
    tune: int = _TUNE,
    chains: int = _CHAINS,
    seed: int = _SEED,
    force: bool = _FORCE,
    mle: bool = _MLE,
) -> None:
    """Shifted-beta-geometric retention (Fader & Hardie 2007) → churn, churn_concentration."""
    from venturesim.calibrate.retention import read_cohorts, sbg, sbg_mle

    def lines(cohorts) -> list[str]:
        return [
            f"{name}: alpha={f.alpha:.4g} beta={f.beta:.4g} LL={f.log_likelihood:.1f} "
            f"churn={f.churn:.4g} churn_concentration={f.churn_concentration:.4g}"
            for name, f in ((name, sbg_mle(cohorts, name)) for name in cohorts.segments)
        ]

    _calibrate(
        out,
        force,
        read=lambda: read_cohorts(data, periods=periods),
        fit=lambda cohorts, sampling: sbg(cohorts, **sampling),
        sampling=_sampling(draws, tune, chains, seed),
        mle=lines if mle else None,
    )


@calibrate_app.command("market")
def market(
    data: Path = typer.Argument(..., help="Monthly new customers: columns month, new_customers; optional segment."),
    out: Path | None = _OUT,
    hierarchical: bool = typer.Option(False, "--hierarchical", help="Segments share hyperpriors on ln p, ln q."),
    poisson: bool = typer.Option(False, "--poisson", help="Poisson counts instead of negative binomial."),
    chart: Path | None = typer.Option(None, "--chart", help="Write the posterior predictive check chart (.html)."),
    draws: int = _DRAWS,
    tune: int = _TUNE,
    chains: int = _CHAINS,
    seed: int = _SEED,
    force: bool = _FORCE,
) -> None:
    """Bass diffusion p, q, m per segment → market_size, bass_p_annual, bass_q_annual."""
    from venturesim.calibrate.checks import bass_predictive, plot_bass_check
    from venturesim.calibrate.diffusion import bass, read_signups

    def check(post, signups) -> None:
        result = bass_predictive(post, signups, seed=seed)
        _console().print(
            f"posterior predictive check: {int(result['inside'].sum())} of {len(result)} months inside the 94 % "
            "predictive interval (about 94 % expected)",
            highlight=False,
        )
        if chart is not None:
            plot_bass_check(result).save(str(chart))
            _console().print(f"wrote {chart}", highlight=False, markup=False)

    likelihood = "poisson" if poisson else "negative_binomial"
    _calibrate(
        out,
        force,
        read=lambda: read_signups(data),
        fit=lambda signups, sampling: bass(signups, hierarchical=hierarchical, likelihood=likelihood, **sampling),
        sampling=_sampling(draws, tune, chains, seed),
        after=check,
    )


@calibrate_app.command("revenue")
def revenue(
    data: Path = typer.Argument(..., help="Monthly revenue: columns month, mrr."),
    out: Path | None = _OUT,
    model: str = typer.Option(
        "log-linear", "--model", help="log-linear (trend + noise) or local-level (random walk with drift + noise)."
    ),
    draws: int = _DRAWS,
    tune: int = _TUNE,
    chains: int = _CHAINS,
    seed: int = _SEED,
    force: bool = _FORCE,
    mle: bool = _MLE,
) -> None:
    """Growth of MRR → mrr_start, growth_monthly and the noise (a trend's start and growth)."""
    from venturesim.calibrate import growth
    from venturesim.spec.errors import UsageError

    if model not in ("log-linear", "local-level"):
        with clean_errors():
            raise UsageError(f"--model {model!r} must be log-linear or local-level")

    def lines(mrr) -> list[str]:
        if model == "local-level":
            f = growth.local_level_mle(mrr)
            line = (
                f"mrr_start={f.mrr_start:.6g} growth_monthly={f.growth_monthly:.4g} level_sd={f.level_sd:.4g} "
                f"noise_sd={f.noise_sd:.4g} LL={f.log_likelihood:.2f}"
            )
            return [line]
        g = growth.revenue_mle(mrr)
        return [f"mrr_start={g.mrr_start:.6g} growth_monthly={g.growth_monthly:.4g} sigma={g.sigma:.4g}"]

    fit = growth.local_level if model == "local-level" else growth.revenue
    _calibrate(
        out,
        force,
        read=lambda: growth.read_mrr(data),
        fit=lambda mrr, sampling: fit(mrr, **sampling),
        sampling=_sampling(draws, tune, chains, seed),
        mle=lines if mle else None,
    )


@calibrate_app.command("usage")
def usage(
    data: Path = typer.Argument(..., help="Per customer: columns x, t_x, T and optional zbar (mean repeat spend)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Per-customer table (.parquet): P(alive), expected transactions, CLV."
    ),
    model: str = typer.Option("bgnbd", "--model", help="bgnbd (BG/NBD) or pareto-nbd (Pareto/NBD)."),
    posterior: Path | None = typer.Option(
        None,
        "--posterior",
        help="Fit by NUTS and write the posterior draws here (.parquet); the per-customer figures are then "
        "posterior means. Without it: maximum likelihood.",
    ),
    horizon: float = typer.Option(39.0, "--horizon", help="Expected transactions over this many time units."),
    months: int = typer.Option(12, "--months", help="CLV horizon in months."),
    units_per_month: float = typer.Option(
        52 / 12, "--units-per-month", help="Data time units in a month (weeks: 4.333)."
    ),
    discount: float = typer.Option(0.10, "--discount", help="Annual discount rate of the CLV."),
    draws: int = _DRAWS,
    tune: int = _TUNE,
    chains: int = _CHAINS,
    seed: int = _SEED,
    force: bool = _FORCE,
) -> None:
    """BG/NBD or Pareto/NBD transactions and Gamma-Gamma spend → P(alive), future transactions, CLV."""
    import numpy as np
    import pandas as pd

    from venturesim.calibrate import bgnbd as bg
    from venturesim.calibrate import pareto
    from venturesim.spec.errors import UsageError

    kinds: dict[str, tuple[Callable[..., Any], ...]] = {
        "bgnbd": (bg.bgnbd_mle, bg.bgnbd, bg.p_alive, bg.expected_purchases),
        "pareto-nbd": (pareto.pnbd_mle, pareto.pareto_nbd, pareto.pnbd_p_alive, pareto.pnbd_expected_purchases),
    }
    if model not in kinds:
        with clean_errors():
            raise UsageError(f"--model {model!r} must be one of {sorted(kinds)}")
    ml_fit, bayes_fit, alive, expected = kinds[model]

    def report(rfm) -> list[str]:
        if posterior is not None:
            _check_out(posterior, force)
            post = bayes_fit(rfm, **_sampling(draws, tune, chains, seed))
            _print_posterior(post, posterior)
            params = bg.draws_of(post)
        else:
            params = [ml_fit(rfm)]
            shown = {k: v for k, v in vars(params[0]).items() if k != "log_likelihood"}
            label = "BG/NBD" if model == "bgnbd" else "Pareto/NBD"
            _console().print(
                f"{label}: {' '.join(f'{k}={v:.4g}' for k, v in shown.items())} LL={params[0].log_likelihood:.1f}",
                highlight=False,
            )
        table = {
            "p_alive": np.mean([alive(f, rfm.x, rfm.t_x, rfm.T) for f in params], axis=0),
            "expected_transactions": np.mean([expected(f, horizon, rfm.x, rfm.t_x, rfm.T) for f in params], axis=0),
        }
        lines = []
        if rfm.zbar is not None and (rfm.x > 0).sum() >= 3:
            g = bg.gamma_gamma_mle(rfm.x, rfm.zbar)
            lines.append(
                f"Gamma-Gamma: p={g.p:.4g} q={g.q:.4g} gamma={g.gamma:.4g} LL={g.log_likelihood:.1f} "
                f"(mean spend {g.mean_spend:.4g})"
            )
            worth = [
                bg.clv(f, g, rfm, months=months, units_per_month=units_per_month, discount_annual=discount)
                for f in params
            ]
            table["clv"] = np.mean(worth, axis=0)
        frame = pd.DataFrame(table)
        lines.append(
            f"mean P(alive) {frame['p_alive'].mean():.3f}; expected transactions in {horizon:g} units: "
            f"{frame['expected_transactions'].sum():.1f}"
            + (f"; total CLV {frame['clv'].sum():,.0f}" if "clv" in frame else "")
        )
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(out)
            lines.append(f"wrote {out}")
        return lines

    _calibrate(out, force, read=lambda: bg.read_rfm(data), fit=None, sampling={}, mle=report)


@calibrate_app.command("fit")
def fit_command(
    data: Path = typer.Argument(..., help="CSV or parquet file."),
    column: str = typer.Option(..., "--column", "-c", help="Column to fit."),
    family: str = typer.Option("auto", "--family", help="normal, lognormal, gamma, beta, poisson or auto (AIC)."),
) -> None:
    """Fit a distribution to one column by maximum likelihood; print the {dist: ...} spec for a scenario."""
    from venturesim.calibrate.families import fit_column
    from venturesim.spec.errors import UsageError

    console = _console()
    with clean_errors(), _quiet():
        try:
            result = fit_column(data, column, family)
        except ValueError as exc:
            if isinstance(exc, UsageError) or type(exc).__name__ == "DataError":
                raise
            raise UsageError(str(exc)) from None
        console.print(
            f"{result.family} (n={result.n}, LL={result.log_likelihood:.2f}, AIC={result.aic:.2f}):", highlight=False
        )
        console.print(result.yaml(), highlight=False, markup=False)
