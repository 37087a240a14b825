"""Running NUTS, checking convergence, and the :class:`Posterior` every Bayesian fit returns.

Sampler: NumPyro's JAX NUTS through PyMC (``nuts_sampler="numpyro"``) when
NumPyro is installed, else PyMC's own NUTS; chains run one after the other
(``cores=1``), seeded, so the same data and seed give the same draws.

Convergence (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021, "Rank-normalization,
folding, and localization: an improved R-hat", *Bayesian Analysis* 16(2)):
a fit is refused (:class:`~venturesim.calibrate.ConvergenceError`) when any
parameter's rank-normalised split R-hat exceeds ``max_rhat`` (1.01), its bulk
or tail effective sample size is under ``min_ess`` (100 per chain is the
paper's rule; the default is 100 in all, for the short chains a laptop runs),
or more than ``max_divergences`` (0) transitions diverged. The message names
the parameter, the value and the remedy (more tuning, a higher
``target_accept``, other priors).
"""

from __future__ import annotations

import importlib.util
import json
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from venturesim.calibrate._data import ConvergenceError

__all__ = ["Convergence", "Posterior", "merge_priors", "nuts_sampler", "read_posterior", "sample"]


@dataclass(frozen=True)
class Convergence:
    """Thresholds a fit must meet (see the module docstring)."""

    max_rhat: float = 1.01
    min_ess: float = 100.0
    max_divergences: int = 0


@dataclass
class Posterior:
    """Posterior draws of a calibration, one row per draw (columns ``chain``, ``draw`` and one per parameter).

    ``columns`` are the names a scenario uses (``{posterior: file.parquet, column: NAME}``);
    ``diagnostics`` has R-hat, bulk and tail ESS per sampled parameter; ``divergences`` counts
    diverging transitions; ``seconds`` is the wall time (compile included; ``info["sampling_seconds"]``
    without it); ``sampler``
    says which NUTS ran; ``kind`` is the model (``sbg``, ``bgnbd``, ``bass``, ``revenue``).
    """

    kind: str
    draws: pd.DataFrame
    diagnostics: pd.DataFrame
    divergences: int
    seconds: float
    sampler: str
    info: dict = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [c for c in self.draws.columns if c not in ("chain", "draw")]

    def summary(self, hdi: float = 0.94) -> pd.DataFrame:
        """Mean, sd and the central ``hdi`` interval (equal-tailed) of each column, with the diagnostics."""
        lo, hi = (1 - hdi) / 2, 1 - (1 - hdi) / 2
        d = self.draws[self.columns]
        out = pd.DataFrame(
            {"mean": d.mean(), "sd": d.std(), f"q{lo * 100:g}": d.quantile(lo), f"q{hi * 100:g}": d.quantile(hi)}
        )
        return out.join(self.diagnostics, how="left")

    def interval(self, column: str, prob: float = 0.94) -> tuple[float, float]:
        """Equal-tailed ``prob`` interval of one column."""
        lo, hi = np.quantile(self.draws[column], [(1 - prob) / 2, 1 - (1 - prob) / 2])
        return float(lo), float(hi)

    def to_parquet(self, path: str | Path) -> Path:
        """Write the draws (and, in the file's metadata, the kind, diagnostics, sampler and time)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(self.draws, preserve_index=False)
        meta = {
            "kind": self.kind,
            "sampler": self.sampler,
            "seconds": self.seconds,
            "divergences": self.divergences,
            "diagnostics": self.diagnostics.reset_index(names="parameter").to_dict(orient="records"),
            "info": self.info,
        }
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"venturesim": json.dumps(meta)})
        pq.write_table(table, path)
        return path


def read_posterior(path: str | Path) -> Posterior:
    """Read a posterior written by :meth:`Posterior.to_parquet`."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = json.loads((table.schema.metadata or {}).get(b"venturesim", b"{}"))
    diag = pd.DataFrame(meta.get("diagnostics", []))
    if len(diag):
        diag = diag.set_index("parameter")
    return Posterior(
        kind=meta.get("kind", "unknown"),
        draws=table.to_pandas(),
        diagnostics=diag,
        divergences=int(meta.get("divergences", 0)),
        seconds=float(meta.get("seconds", float("nan"))),
        sampler=meta.get("sampler", "unknown"),
        info=meta.get("info", {}),
    )


def nuts_sampler() -> str:
    """``"numpyro"`` (JAX NUTS) when NumPyro is installed, else ``"pymc"``."""
    return "numpyro" if importlib.util.find_spec("numpyro") is not None else "pymc"


def _check_settings(draws, tune, chains) -> None:
    for name, value in (("draws", draws), ("tune", tune), ("chains", chains)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}(={value!r}) must be a positive integer")


def merge_priors(defaults: dict, priors: dict | None) -> dict:
    """``defaults`` ({name: (two numbers)}) updated by the user's ``priors``; an unknown name is an error."""
    spec = {**defaults, **(priors or {})}
    if set(spec) != set(defaults):
        raise ValueError(f"unknown priors {sorted(set(spec) - set(defaults))}; known: {sorted(defaults)}")
    return spec


def sample(
    model,
    *,
    kind: str,
    columns: dict,
    sampled: list[str],
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    seed: int = 0,
    target_accept: float = 0.9,
    convergence: Convergence | None = None,
    priors: dict | None = None,
    info: dict | None = None,
    sampler: str | None = None,
) -> Posterior:
    """Run NUTS on a PyMC ``model``, check convergence, and return the :class:`Posterior`.

    Every fit (``sbg``, ``bass``, ``revenue``, ``local_level``, ``bgnbd``, ``pareto_nbd``) passes its
    keyword arguments ``draws, tune, chains, seed, target_accept, convergence`` through to here.

    Parameters
    ----------
    model : pymc.Model
    columns : ``{output column: model variable name}`` (deterministic or sampled, scalar).
    sampled : the free parameters whose R-hat/ESS are checked.
    priors : the priors used, recorded in ``info["priors"]``.
    sampler : ``"pymc"`` or ``"numpyro"`` (None: :func:`nuts_sampler`'s choice).
    """
    import pymc as pm

    _check_settings(draws, tune, chains)
    convergence = convergence or Convergence()
    if sampler not in (None, "pymc", "numpyro"):
        raise ValueError(f"sampler(={sampler!r}) must be 'pymc', 'numpyro' or None")
    sampler = sampler or nuts_sampler()
    start = time.perf_counter()
    with model, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idata = pm.sample(
            draws=int(draws),
            tune=int(tune),
            chains=int(chains),
            cores=1,
            random_seed=int(seed),
            progressbar=False,
            target_accept=target_accept,
            compute_convergence_checks=False,
            nuts_sampler=sampler,
        )
    seconds = time.perf_counter() - start
    post = idata.posterior
    diag = diagnose(post, sampled, names={v: k for k, v in columns.items()})
    divergences = int(idata.sample_stats["diverging"].sum()) if "diverging" in idata.sample_stats else 0
    frame: dict[str, np.ndarray] = {
        "chain": np.repeat(post.chain.values, post.sizes["draw"]).astype(np.int64),
        "draw": np.tile(post.draw.values, post.sizes["chain"]).astype(np.int64),
    }
    for out, var in columns.items():
        frame[out] = np.asarray(post[var].values, np.float64).reshape(-1)
    info = {
        **({"priors": {k: list(v) for k, v in priors.items()}} if priors is not None else {}),
        **(info or {}),
        "sampling_seconds": float(post.attrs.get("sampling_time", float("nan"))),
    }
    result = Posterior(kind, pd.DataFrame(frame), diag, divergences, seconds, sampler, info)
    check_convergence(result, convergence)
    return result


def diagnose(posterior, sampled: list[str], names: dict | None = None) -> pd.DataFrame:
    """R-hat (rank-normalised, split) and bulk/tail ESS of each sampled variable of an xarray posterior.

    ``posterior`` has dims ``chain, draw``; the rows are named by ``names`` (variable → output column) if given.
    A vector variable is summarised by its worst element (largest R-hat, smallest ESS).
    """
    import arviz as az

    names = names or {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rhat = az.rhat(posterior[sampled])
        ess_bulk = az.ess(posterior[sampled], method="bulk")
        ess_tail = az.ess(posterior[sampled], method="tail")
    return pd.DataFrame(
        {
            "r_hat": [float(np.max(rhat[v])) for v in sampled],
            "ess_bulk": [float(np.min(ess_bulk[v])) for v in sampled],
            "ess_tail": [float(np.min(ess_tail[v])) for v in sampled],
        },
        index=pd.Index([names.get(v, v) for v in sampled], name=None),
    )


def check_convergence(posterior: Posterior, convergence: Convergence) -> None:
    """Raise :class:`ConvergenceError` naming each failed check."""
    reasons = []
    d = posterior.diagnostics
    for name, row in d.iterrows():
        if not row["r_hat"] <= convergence.max_rhat:
            reasons.append(f"R-hat of {name} is {row['r_hat']:.3f} (> {convergence.max_rhat}): the chains disagree")
        worst = min(row["ess_bulk"], row["ess_tail"])
        if not worst >= convergence.min_ess:
            reasons.append(f"effective sample size of {name} is {worst:.0f} (< {convergence.min_ess:g})")
    if posterior.divergences > convergence.max_divergences:
        reasons.append(
            f"{posterior.divergences} divergent transition(s) (> {convergence.max_divergences}): "
            "the posterior has regions NUTS cannot explore"
        )
    if reasons:
        raise ConvergenceError(
            f"the {posterior.kind} fit did not converge: "
            + "; ".join(reasons)
            + ". Remedies: more tuning and draws (--tune, --draws), a higher target_accept, "
            "priors that match the data's scale, or more data."
        )
