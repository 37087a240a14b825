"""Drawing risk events per path: hazards, correlated arrival times, severities.

**Hazard.** Risk k has a hazard h_k(t) per month, constant within month t
(the scenario's ``hazard_monthly`` series, or −ln(1 − p)/12 from an
``annual_probability`` p), zero before ``start_month``, times the hazard
multiplier of each bought mitigation from its start month, times each
contagion factor while it lasts (:class:`venturesim.risks.schema.Raises`).
The cumulative hazard is H_k(t) = Σ_{s<t} h_k(s) at whole months, linear in
between.

**Arrivals** form a non-homogeneous Poisson process, drawn by inverting H:
the j-th event is at τ_j = H⁻¹(G_j) with G_j = G_{j−1} + e_j,
e_j ~ Exp(1) (Çinlar's inversion method; e.g. Ross, *Simulation*, §5.5). So
P(at least one event by t) = 1 − e^{−H(t)}, and with a constant hazard h,
1 − e^{−h·t}. Events with τ ≥ the horizon, or beyond ``max_events``, are
dropped (time +∞).

**Dependence** (one-factor Gaussian copula): the first arrival's e_1 is
−ln(1 − U_k), U_k = Φ(Z_k), Z_k = ρ_k M + √(1 − ρ_k²) ε_k with M the macro
factor and ε_k independent N(0, 1), so corr(Z_j, Z_k) = ρ_j ρ_k. A risk
occurs by month t iff U_k ≤ p_k = 1 − e^{−H_k(t)}, hence

    P(both) = Φ₂(Φ⁻¹(p_j), Φ⁻¹(p_k); ρ_j ρ_k)

and the correlation of the two occurrence indicators is
(P(both) − p_j p_k) / √(p_j(1 − p_j) p_k(1 − p_k)) (:func:`occurrence_correlation`;
exact when neither hazard depends on the other's events). Later gaps are
independent.

**Severity** of event j: s = ppf(Φ(z)) of the risk's severity spec, times the
severity multiplier of each bought mitigation started by the event's time.

Randomness comes from the scenario's :class:`~venturesim.spec.sampling.Sampler`
under the names ``risks.macro_factor``, ``risks.<name>.arrival.<j>``,
``risks.<name>.severity.<j>`` and ``risks.<name>.impacts.<i>.occurs.<j>``
(process noise: not recorded as inputs); the hazard, annual probability,
impact values and mitigation costs are inputs, recorded under their field
names (``risks.<name>.hazard_monthly`` …). A path's events therefore depend
only on the seed and its index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, ndtr, ndtri

from venturesim.risks.schema import Risk, Risks
from venturesim.spec.distributions import Spec
from venturesim.spec.sampling import Sampler

__all__ = [
    "RiskDraws",
    "arrival_times",
    "event_windows",
    "occurrence_correlation",
    "occurrence_probability",
    "sample_risks",
]


@dataclass(frozen=True)
class RiskDraws:
    """Per-path risk events for a block of paths (K risks, E = max events, I = most impacts, T months).

    Attributes
    ----------
    risks : the K risks, in contagion order.
    time : (paths, K, E) event times, months (+∞: no event within the horizon).
    severity : (paths, K, E) severity after mitigations (0 where no event).
    occurs : (paths, K, E, I) 1.0 where the event brings impact i (its ``probability``), else 0.
    value : (paths, K, I) each impact's value v, drawn per path (0 past a risk's impacts).
    hazard : (paths, K, T) hazard per month after mitigations and contagion.
    mitigation_cost : (paths, T) USD per month of every bought mitigation.
    segment : (K, I) index of the segment an impact is restricted to (−1: all).
    round : (K, I) index of the round (−1: all).
    run : (K, I) index of the training run (−1: all).
    months : T.
    """

    risks: tuple[Risk, ...]
    time: np.ndarray
    severity: np.ndarray
    occurs: np.ndarray
    value: np.ndarray
    hazard: np.ndarray
    mitigation_cost: np.ndarray
    segment: np.ndarray
    round: np.ndarray
    run: np.ndarray
    months: int

    @property
    def names(self) -> tuple[str, ...]:
        """The risks' names, in the order of the K axis."""
        return tuple(r.name for r in self.risks)


def event_windows(time: np.ndarray, duration: float | None, months: int) -> np.ndarray:
    """Whether month t is affected by each event: ⌈τ⌉ ≤ t < ⌈τ⌉ + duration (duration None: for good).

    ``time``: (..., E) event times (+∞: none). Returns (..., E, months) bool.
    """
    start = np.ceil(time)[..., None]  # (..., E, 1)
    t = np.arange(months, dtype=np.float64)
    inside = t >= start
    if duration is not None:
        inside &= t < start + duration
    return inside


def arrival_times(hazard: np.ndarray, cumulative_targets: np.ndarray) -> np.ndarray:
    """Times τ = H⁻¹(G) for a piecewise-constant hazard.

    Parameters
    ----------
    hazard : (paths, T) events per month in each month (≥ 0).
    cumulative_targets : (paths, E) targets G > 0 of the cumulative hazard.

    Returns
    -------
    (paths, E) times in months; +∞ where G > H(T) (no event within the horizon).
    With c the number of whole months t ≥ 1 with H(t) < G, τ = c + (G − H(c))/h(c).
    """
    paths, months = hazard.shape
    cum = np.concatenate([np.zeros((paths, 1)), np.cumsum(hazard, axis=1)], axis=1)  # (paths, T+1)
    below = cum[:, None, 1:] < cumulative_targets[..., None]  # (paths, E, T)
    count = below.sum(axis=-1)  # (paths, E)
    inside = count < months
    c = np.minimum(count, months - 1)
    h = np.take_along_axis(hazard, c, axis=1)
    base = np.take_along_axis(cum, c, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = c + (cumulative_targets - base) / h
    return np.where(inside, tau, np.inf)


def _base_hazard(risk: Risk, sampler: Sampler, months: int, key: str) -> np.ndarray:
    if risk.annual_probability is not None:
        p = sampler.scalar(risk.annual_probability, f"{key}.annual_probability")
        rate = -np.log1p(-p) / 12.0
        hazard = np.repeat(rate[:, None], months, axis=1)
    else:
        hazard = np.maximum(sampler.series(risk.hazard_monthly, f"{key}.hazard_monthly", months), 0.0)
    hazard = np.array(hazard, np.float64)
    hazard[:, : min(risk.start_month, months)] = 0.0
    return hazard


def _index(name: str | None, names: list[str], what: str, risk: str) -> int:
    if name is None:
        return -1
    if name not in names:
        raise ValueError(f"risk {risk!r} names {what} {name!r}, which the scenario does not have; it has {names}")
    return names.index(name)


def sample_risks(
    risks: Risks | list[Risk] | tuple[Risk, ...] | None,
    sampler: Sampler,
    months: int,
    *,
    segments: Sequence[str] = (),
    rounds: Sequence[str] = (),
    runs: Sequence[str] = (),
) -> RiskDraws:
    """Draw every risk's events for ``sampler``'s paths.

    Parameters
    ----------
    risks : the scenario's ``risks`` section (or a list of risks; None: none).
    sampler : the block's sampler (the same one as the other domains', so
        correlations declared in the scenario apply).
    months : horizon T.
    segments, rounds, runs : the scenario's segment, round and training-run
        names, in Params order (to resolve ``segment``/``round``/``run``).
    """
    if months < 1:
        raise ValueError(f"months(={months}) must be >= 1")
    items = tuple(risks.risks) if isinstance(risks, Risks) else tuple(risks or ())
    n, k_count = sampler.n, len(items)
    e_max = max((r.max_events for r in items), default=1)
    i_max = max((len(r.impacts) for r in items), default=1)
    time = np.full((n, k_count, e_max), np.inf)
    severity = np.zeros((n, k_count, e_max))
    occurs = np.zeros((n, k_count, e_max, i_max))
    value = np.zeros((n, k_count, i_max))
    hazards = np.zeros((n, k_count, months))
    cost = np.zeros((n, months))
    where = {w: np.full((k_count, i_max), -1, np.int64) for w in ("segment", "round", "run")}
    macro = sampler.standard_normal("risks.macro_factor") if any(r.macro_loading for r in items) else None
    position = {r.name: k for k, r in enumerate(items)}
    t = np.arange(months)

    custom = {r.name for r in risks.custom} if isinstance(risks, Risks) else set()
    for k, risk in enumerate(items):
        key = f"risks.{risk.name}"  # the events' streams
        # an input is drawn under its --set name: a custom risk's fields under risks.custom.<name>
        inputs = f"risks.custom.{risk.name}" if risk.name in custom else key
        hazard = _base_hazard(risk, sampler, months, inputs)
        bought = [m for m in risk.mitigations if m.bought]
        for m in bought:
            hazard = np.where(t >= m.start_month, hazard * m.hazard_multiplier, hazard)
            monthly = sampler.scalar(m.cost_per_month, f"{inputs}.mitigations.{m.name}.cost_per_month")
            cost += np.where(t >= m.start_month, monthly[:, None], 0.0)
        for source in items[:k]:  # contagion: sources come first (contagion order)
            for link in source.raises:
                if link.risk == risk.name:
                    windows = event_windows(time[:, position[source.name]], link.duration_months, months)
                    hazard = hazard * np.prod(np.where(windows, link.hazard_multiplier, 1.0), axis=1)
        hazards[:, k] = hazard

        z = sampler.standard_normal(f"{key}.arrival.0")
        if macro is not None and risk.macro_loading:
            rho = risk.macro_loading
            z = rho * macro + np.sqrt(1.0 - rho * rho) * z
        gaps = [-log_ndtr(-z)]  # −ln(1 − Φ(z)), accurate in both tails
        gaps += [-log_ndtr(-sampler.standard_normal(f"{key}.arrival.{j}")) for j in range(1, risk.max_events)]
        arrivals = arrival_times(hazard, np.cumsum(np.stack(gaps, axis=1), axis=1))  # (paths, max_events)
        arrivals = np.where(arrivals < months, arrivals, np.inf)
        time[:, k, : risk.max_events] = arrivals

        fired = np.isfinite(arrivals)
        for j in range(risk.max_events):
            if isinstance(risk.severity, Spec):
                s = risk.severity.ppf(ndtr(sampler.standard_normal(f"{key}.severity.{j}")))
            else:
                s = np.full(n, float(risk.severity))
            for m in bought:
                s = np.where(arrivals[:, j] >= m.start_month, s * m.severity_multiplier, s)
            severity[:, k, j] = np.where(fired[:, j], s, 0.0)
            for i, impact in enumerate(risk.impacts):
                if impact.probability >= 1.0:
                    hit = np.ones(n)
                else:
                    u = ndtr(sampler.standard_normal(f"{key}.impacts.{i}.occurs.{j}"))
                    hit = (u < impact.probability).astype(np.float64)
                occurs[:, k, j, i] = np.where(fired[:, j], hit, 0.0)
        for i, impact in enumerate(risk.impacts):
            value[:, k, i] = sampler.scalar(impact.value, f"{inputs}.impacts.{i}.value")
            where["segment"][k, i] = _index(impact.segment, list(segments), "segment", risk.name)
            where["round"][k, i] = _index(impact.round, list(rounds), "round", risk.name)
            where["run"][k, i] = _index(impact.run, list(runs), "training run", risk.name)

    return RiskDraws(
        risks=items,
        time=time,
        severity=severity,
        occurs=occurs,
        value=value,
        hazard=hazards,
        mitigation_cost=cost,
        segment=where["segment"],
        round=where["round"],
        run=where["run"],
        months=months,
    )


def occurrence_probability(hazard: np.ndarray, months: float) -> np.ndarray:
    """P(at least one event in [0, months)) = 1 − e^{−H(months)} for a (…, T) hazard series."""
    whole = int(np.floor(months))
    cum = np.sum(hazard[..., :whole], axis=-1)
    if months > whole and whole < hazard.shape[-1]:
        cum = cum + (months - whole) * hazard[..., whole]
    return -np.expm1(-cum)


def occurrence_correlation(p_j: float, p_k: float, rho_j: float, rho_k: float) -> float:
    """Correlation of two risks' occurrence indicators under the one-factor copula.

    ``p_j``, ``p_k``: each risk's probability of occurring (by some month);
    ``rho_j``, ``rho_k``: their macro loadings. Uses scipy's bivariate normal CDF.
    """
    for name, p in (("p_j", p_j), ("p_k", p_k)):
        if not 0.0 < p < 1.0:
            raise ValueError(f"{name}(={p}) must be in (0, 1)")
    from scipy import stats  # here, not at the top: a run never needs scipy.stats, and importing it costs ≈ 1 s

    r = rho_j * rho_k
    both = stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, r], [r, 1.0]]).cdf([ndtri(p_j), ndtri(p_k)])
    return float((both - p_j * p_k) / np.sqrt(p_j * (1 - p_j) * p_k * (1 - p_k)))
