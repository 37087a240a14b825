"""``venturesim calibrate KIND data.csv --out posterior.parquet``: fit a model to the user's data from the shell."""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from pathlib import Path

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

    console = _console()
    with clean_errors(), _quiet():
        _check_out(out, force, needed=not mle)
        cohorts = read_cohorts(data, periods=periods)
        if mle:
            for name in cohorts.segments:
                f = sbg_mle(cohorts, name)
                console.print(
                    f"{name}: alpha={f.alpha:.4g} beta={f.beta:.4g} LL={f.log_likelihood:.1f} "
                    f"churn={f.churn:.4g} churn_concentration={f.churn_concentration:.4g}",
                    highlight=False,
                )
            return
        assert out is not None
        _print_posterior(sbg(cohorts, draws=draws, tune=tune, chains=chains, seed=seed), out)


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

    with clean_errors(), _quiet():
        _check_out(out, force)
        assert out is not None
        signups = read_signups(data)
        post = bass(
            signups,
            hierarchical=hierarchical,
            likelihood="poisson" if poisson else "negative_binomial",
            draws=draws,
            tune=tune,
            chains=chains,
            seed=seed,
        )
        _print_posterior(post, out)
        check = bass_predictive(post, signups, seed=seed)
        _console().print(
            f"posterior predictive check: {int(check['inside'].sum())} of {len(check)} months inside the 94 % "
            "predictive interval (about 94 % expected)",
            highlight=False,
        )
        if chart is not None:
            plot_bass_check(check).save(str(chart))
            _console().print(f"wrote {chart}", highlight=False, markup=False)


@calibrate_app.command("revenue")
def revenue(
    data: Path = typer.Argument(..., help="Monthly revenue: columns month, mrr."),
    out: Path | None = _OUT,
    draws: int = _DRAWS,
    tune: int = _TUNE,
    chains: int = _CHAINS,
    seed: int = _SEED,
    force: bool = _FORCE,
    mle: bool = _MLE,
) -> None:
    """Log-linear MRR growth → mrr_start, growth_monthly, sigma (a trend's start and growth)."""
    from venturesim.calibrate.growth import read_mrr, revenue_mle
    from venturesim.calibrate.growth import revenue as fit_revenue

    console = _console()
    with clean_errors(), _quiet():
        _check_out(out, force, needed=not mle)
        mrr = read_mrr(data)
        if mle:
            f = revenue_mle(mrr)
            console.print(
                f"mrr_start={f.mrr_start:.6g} growth_monthly={f.growth_monthly:.4g} sigma={f.sigma:.4g}",
                highlight=False,
            )
            return
        assert out is not None
        _print_posterior(fit_revenue(mrr, draws=draws, tune=tune, chains=chains, seed=seed), out)


@calibrate_app.command("usage")
def usage(
    data: Path = typer.Argument(..., help="Per customer: columns x, t_x, T and optional zbar (mean repeat spend)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Per-customer table (.parquet): P(alive), expected transactions, CLV."
    ),
    horizon: float = typer.Option(39.0, "--horizon", help="Expected transactions over this many time units."),
    months: int = typer.Option(12, "--months", help="CLV horizon in months."),
    units_per_month: float = typer.Option(
        52 / 12, "--units-per-month", help="Data time units in a month (weeks: 4.333)."
    ),
    discount: float = typer.Option(0.10, "--discount", help="Annual discount rate of the CLV."),
    force: bool = _FORCE,
) -> None:
    """BG/NBD transactions and Gamma-Gamma spend (maximum likelihood) → P(alive), future transactions, CLV."""
    import pandas as pd

    from venturesim.calibrate import bgnbd as bg

    console = _console()
    with clean_errors(), _quiet():
        _check_out(out, force, needed=False)
        rfm = bg.read_rfm(data)
        f = bg.bgnbd_mle(rfm)
        console.print(
            f"BG/NBD: r={f.r:.4g} alpha={f.alpha:.4g} a={f.a:.4g} b={f.b:.4g} LL={f.log_likelihood:.1f}",
            highlight=False,
        )
        table = {
            "p_alive": bg.p_alive(f, rfm.x, rfm.t_x, rfm.T),
            "expected_transactions": bg.expected_purchases(f, horizon, rfm.x, rfm.t_x, rfm.T),
        }
        if rfm.zbar is not None and (rfm.x > 0).sum() >= 3:
            g = bg.gamma_gamma_mle(rfm.x, rfm.zbar)
            console.print(
                f"Gamma-Gamma: p={g.p:.4g} q={g.q:.4g} gamma={g.gamma:.4g} LL={g.log_likelihood:.1f} "
                f"(mean spend {g.mean_spend:.4g})",
                highlight=False,
            )
            table["clv"] = bg.clv(f, g, rfm, months=months, units_per_month=units_per_month, discount_annual=discount)
        frame = pd.DataFrame(table)
        console.print(
            f"mean P(alive) {frame['p_alive'].mean():.3f}; expected transactions in {horizon:g} units: "
            f"{frame['expected_transactions'].sum():.1f}"
            + (f"; total CLV {frame['clv'].sum():,.0f}" if "clv" in frame else ""),
            highlight=False,
        )
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(out)
            console.print(f"wrote {out}", highlight=False, markup=False)


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
